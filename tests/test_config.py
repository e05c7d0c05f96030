"""Settings: env and .env parsing, and the README table kept in step with the code."""
from __future__ import annotations

from pathlib import Path

from assistant.config import SPECS, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_env_overrides_env_file_and_flags_override_env(tmp_path):
    f = tmp_path / ".env"
    f.write_text("ASSISTANT_TOP_K=7\nASSISTANT_STORE_DIR=/from/file\nASSISTANT_REDACT_OUTBOUND=false\n")
    s = load_settings(env={"ASSISTANT_STORE_DIR": "/from/env"}, env_file=str(f))
    assert s.top_k == 7 and s.store_dir == "/from/env" and s.redact_outbound is False
    s = load_settings(env={"ASSISTANT_STORE_DIR": "/from/env"}, env_file=str(f), store_dir="/from/flag")
    assert s.store_dir == "/from/flag"


def test_defaults_are_offline():
    s = load_settings(env={}, env_file=None)
    assert s.backend == "offline" and s.chroma_host == "" and s.embedding_model == "" and s.guards == "on"


def test_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for spec in SPECS:
        assert f"`{spec.env}`" in readme, f"{spec.env} missing from the README settings table"


def test_quick_start_is_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Quick start", 1)[1].split("```bash", 1)[1].split("```", 1)[0]
    cmds = [ln.split("#")[0].strip() for ln in block.strip().splitlines()]
    assert cmds == ["make run", "make test"]
