"""Settings: declared once (dataclass, flags, README table), env and .env parsing, clear errors on bad values."""
from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import (BY_NAME, SPECS, Settings, SettingsError, add_setting_args, load_settings,
                              render_readme, settings_table)

ROOT = Path(__file__).resolve().parent.parent


def test_env_overrides_env_file_and_flags_override_env(tmp_path):
    f = tmp_path / ".env"
    f.write_text("ASSISTANT_TOP_K=7\nASSISTANT_STORE_DIR=/from/file\nASSISTANT_REDACT_OUTBOUND=false\n")
    s = load_settings(env={"ASSISTANT_STORE_DIR": "/from/env"}, env_file=str(f))
    assert s.top_k == 7 and s.store_dir == "/from/env" and s.redact_outbound is False
    s = load_settings(env={"ASSISTANT_STORE_DIR": "/from/env"}, env_file=str(f), store_dir="/from/flag")
    assert s.store_dir == "/from/flag"
    # an override of None means "flag not given": the environment still applies
    assert load_settings(env={"ASSISTANT_TOP_K": "3"}, env_file=str(f), top_k=None).top_k == 3


def test_defaults_are_offline():
    s = load_settings(env={}, env_file=None)
    assert s.backend == "offline" and s.chroma_host == "" and s.embedding_model == "" and s.guards == "on"
    assert s.database_url == ""


def test_settings_is_the_dataclass_of_the_specs():
    names = [f.name for f in dataclasses.fields(Settings)]
    assert names == [s.name for s in SPECS] + ["extra"]
    s = Settings()
    assert all(getattr(s, spec.name) == spec.default for spec in SPECS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.top_k = 3  # type: ignore[misc]


def test_settings_are_hashable_and_compare_by_value_not_extra():
    a = load_settings(env={}, env_file=None, top_k=3)
    b = load_settings(env={}, env_file=None, top_k=3).with_(llm_model=None)  # None keeps the value
    assert a == b and hash(a) == hash(b) and {a: 1}[b] == 1
    assert a.with_(top_k=4) != a and a.with_(top_k=4).top_k == 4 and a.top_k == 3
    c = dataclasses.replace(a, extra={"guards_off": "pii"})
    assert c == a and c.extra == {"guards_off": "pii"}
    assert a.store_path == Path(a.store_dir) and a.corpus_path == Path(a.corpus_dir) and a.data_path == Path(a.data_dir)


def test_unknown_override_is_a_type_error():
    with pytest.raises(TypeError, match="unknown settings"):
        load_settings(env={}, env_file=None, stor_dir="/x")


@pytest.mark.parametrize("var, value, allowed", [
    ("ASSISTANT_BACKEND", "opanai", ["offline", "openai", "fake"]),
    ("ASSISTANT_GUARDS", "maybe", ["on", "off"]),
    ("ASSISTANT_TOP_K", "abc", ["1"]),
    ("ASSISTANT_TOP_K", "0", ["1"]),
    ("ASSISTANT_LANG", "fr", ["vi", "en"]),
    ("ASSISTANT_PORT", "-80", ["1", "65535"]),
    ("ASSISTANT_CHROMA_PORT", "70000", ["1", "65535"]),
    ("ASSISTANT_RETRIEVAL_MODE", "semantic", ["hybrid", "lexical", "dense"]),
    ("ASSISTANT_REDACT_OUTBOUND", "maybe", ["true/false", "yes/no", "on/off"]),
    ("ASSISTANT_DENSE_WEIGHT", "0,5", ["-1", "0", "1"]),
    ("ASSISTANT_DENSE_WEIGHT", "1.5", ["-1", "0", "1"]),
    ("ASSISTANT_LLM_TEMPERATURE", "nan", ["0", "2"]),
    ("ASSISTANT_LLM_BASE_URL", "127.0.0.1:8080/v1", ["http://"]),
    ("ASSISTANT_DATABASE_URL", "my-database", ["postgresql://"]),
])
def test_invalid_value_names_variable_value_and_allowed_values(var, value, allowed):
    with pytest.raises(SettingsError) as info:
        load_settings(env={var: value}, env_file=None)
    err = info.value
    assert err.variable == var and err.value == value
    for lang in ("vi", "en"):
        msg = err.message(lang)
        assert var in msg and repr(value) in msg, msg
        for a in allowed:
            assert a in msg, (a, msg)
    assert "Cấu hình không hợp lệ" in str(err) and "Invalid setting" in str(err)  # both languages


def test_invalid_value_in_env_file_names_the_file(tmp_path):
    f = tmp_path / ".env"
    f.write_text("ASSISTANT_GUARDS=maybe\n")
    with pytest.raises(SettingsError) as info:
        load_settings(env={}, env_file=str(f))
    assert "ASSISTANT_GUARDS" in str(info.value) and str(f) in str(info.value)
    # the environment wins over the file, so a good value there hides the bad one
    assert load_settings(env={"ASSISTANT_GUARDS": "off"}, env_file=str(f)).guards == "off"


def test_library_overrides_and_copies_are_checked_too():
    with pytest.raises(SettingsError, match="top_k"):
        load_settings(env={}, env_file=None, top_k=0)
    s = load_settings(env={}, env_file=None)
    with pytest.raises(SettingsError, match="ASSISTANT_BACKEND"):
        s.with_(backend="opanai")
    with pytest.raises(SettingsError):
        s.with_(top_k="many")
    assert s.with_(max_upload_mb=5).max_upload_mb == 5.0 and isinstance(s.with_(max_upload_mb=5).max_upload_mb, float)
    assert s.with_(store_dir=Path("/tmp/x")).store_dir == "/tmp/x"


@pytest.mark.parametrize("raw, expected", [("1", True), ("true", True), ("Yes", True), ("ON", True),
                                           ("0", False), ("false", False), ("no", False), ("off", False)])
def test_booleans(raw, expected):
    assert load_settings(env={"ASSISTANT_REDACT_OUTBOUND": raw}, env_file=None).redact_outbound is expected


def test_values_are_typed_and_choices_forgive_case():
    s = load_settings(env={"ASSISTANT_BACKEND": "Fake", "ASSISTANT_LANG": " EN ", "ASSISTANT_MAX_FILE_MB": "5",
                           "ASSISTANT_DENSE_WEIGHT": "-1", "ASSISTANT_TOP_K": "8", "ASSISTANT_PORT": ""},
                      env_file=None)
    assert s.backend == "fake" and s.lang == "en" and s.max_file_mb == 5.0 and s.dense_weight == -1.0
    assert s.top_k == 8 and s.port == 7860  # empty = unset


def test_every_error_message_exists_in_both_languages():
    from assistant.messages import _catalogue

    cat = _catalogue()
    assert {"vi", "en"} <= set(cat["settings.invalid"])
    for spec in SPECS:
        if not spec.choices:
            key = f"settings.allowed.{spec.kind.__name__}" + (f"_{spec.rule.key}" if spec.rule else "")
            assert {"vi", "en"} <= set(cat[key]), key
        assert spec.allowed("vi") != spec.allowed("en") or spec.choices or spec.kind is bool, spec.name


# ------------------------------------------------------------------ CLI
def _run_cli(args, env_extra, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(HF_HUB_OFFLINE="1", ASSISTANT_STORE_DIR=str(tmp_path / "store"), **env_extra)
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120)


@pytest.mark.parametrize("var, value", [("ASSISTANT_BACKEND", "opanai"), ("ASSISTANT_TOP_K", "abc")])
def test_cli_exits_2_with_the_variable_named_and_no_traceback(tmp_path, var, value):
    r = _run_cli(["search", "x"], {var: value}, tmp_path)
    assert r.returncode == 2, r.stderr
    assert var in r.stderr and value in r.stderr
    assert "Traceback" not in r.stderr and "SettingsError" not in r.stderr and r.stdout == ""


def test_cli_bad_flag_value_is_an_argparse_error(tmp_path):
    r = _run_cli(["search", "x", "-k", "0"], {}, tmp_path)
    assert r.returncode == 2 and "--top-k" in r.stderr and "Traceback" not in r.stderr


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser) -> dict[str, argparse.Action]:
    return {opt: a for a in parser._actions for opt in a.option_strings}


# the settings each command reads, so each must be a flag there; and every flag that existed before
EXPECTED = {
    "index": {"corpus_dir", "store_dir", "collection", "embedding_model", "chroma_host", "chroma_port", "lang"},
    "search": {"top_k", "retrieval_mode", "dense_weight", "store_dir", "collection", "embedding_model", "chroma_host",
               "chroma_port", "lang"},
    "ask": {"backend", "top_k", "retrieval_mode", "store_dir", "collection", "embedding_model", "chroma_host",
            "chroma_port", "lang"},
    "draft": {"backend", "store_dir", "lang"},
    "guard": {"lang"},
    "check-format": {"lang"},
    "users": {"users_file"},
}
OLD_FLAGS = {"index": ["--corpus", "--store", "--store-dir"], "search": ["-k", "--top-k", "--mode", "--store"],
             "ask": ["-k", "--top-k", "--backend", "--store", "--store-dir", "--lang"],
             "draft": ["--backend", "--store", "--store-dir", "--lang"], "users": ["--file"]}


def test_flags_exist_for_every_setting_a_command_uses():
    from assistant.cli import build_parser

    subs = _subparsers(build_parser())
    for command, names in EXPECTED.items():
        opts = _options(subs[command])
        for name in names:
            spec = BY_NAME[name]
            assert spec.flag in opts, (command, spec.flag)
            assert opts[spec.flag].dest == name and spec.env in opts[spec.flag].help, (command, name)
        for old in OLD_FLAGS.get(command, []):
            assert old in opts, (command, old)
        # a flag whose destination is a setting is always the spec's own flag (no hand-written copy)
        for opt, action in opts.items():
            if action.dest in BY_NAME:
                assert BY_NAME[action.dest].flag in action.option_strings, (command, opt)


def test_flags_parse_with_the_spec_and_override_env(monkeypatch, tmp_path):
    from assistant.cli import build_parser
    from assistant.commands._common import settings_from

    args = build_parser().parse_args(["--env-file", str(tmp_path / "none.env"), "ask", "q", "-k", "3", "--mode",
                                      "lexical", "--backend", "fake", "--store", "/s"])
    assert (args.top_k, args.retrieval_mode, args.backend, args.store_dir) == (3, "lexical", "fake", "/s")
    monkeypatch.setenv("ASSISTANT_TOP_K", "9")
    monkeypatch.setenv("ASSISTANT_COLLECTION", "from_env")
    s = settings_from(args)
    assert s.top_k == 3 and s.collection == "from_env" and s.store_dir == "/s"


def test_add_setting_args_builds_bool_and_alias_flags():
    p = argparse.ArgumentParser()
    add_setting_args(p, ["redact_outbound", "users_file"], aliases={"users_file": ["--file"]})
    assert p.parse_args([]).redact_outbound is None
    assert p.parse_args(["--no-redact-outbound"]).redact_outbound is False
    assert p.parse_args(["--file", "u.txt"]).users_file == "u.txt"


# ------------------------------------------------------------------ README
def _readme_block(text: str) -> str:
    return text.split("<!-- settings:start -->\n", 1)[1].split("\n<!-- settings:end -->", 1)[0]


def test_readme_settings_table_is_the_rendered_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert _readme_block(readme) == settings_table(), "run: .venv/bin/python -m assistant.config --readme"
    assert render_readme(readme) == readme
    for spec in SPECS:
        assert f"`{spec.env}`" in readme


def test_readme_rewriter(tmp_path):
    f = tmp_path / "README.md"
    f.write_text("# T\n\n<!-- settings:start -->\nold\n<!-- settings:end -->\n\nafter\n", encoding="utf-8")
    run = lambda *a: subprocess.run([sys.executable, "-m", "assistant.config", "--readme", str(f), *a],  # noqa: E731
                                    capture_output=True, text=True, timeout=60)
    assert run("--check").returncode == 1
    assert run().returncode == 0
    text = f.read_text(encoding="utf-8")
    assert _readme_block(text) == settings_table() and text.endswith("\n\nafter\n") and run("--check").returncode == 0


def test_quick_start_is_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    cmds = [ln.split("#")[0].strip() for ln in block.strip().splitlines()]
    assert cmds == ["make run", "make test"]
