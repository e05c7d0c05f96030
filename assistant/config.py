"""Settings from environment variables ``ASSISTANT_*`` and a ``.env`` file.

Every setting has the same name as its CLI flag where both exist
(``ASSISTANT_STORE_DIR`` <-> ``--store``/``--store-dir``). The table in
README.md is checked against ``SPECS`` by a test, so adding a setting here
without documenting it fails the suite.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

PREFIX = "ASSISTANT_"


@dataclass(frozen=True)
class Spec:
    name: str  # attribute name; env var is PREFIX + name.upper()
    default: Any
    kind: type
    help: str

    @property
    def env(self) -> str:
        return PREFIX + self.name.upper()


SPECS: list[Spec] = [
    Spec("lang", "vi", str, "Language of messages and UI: `vi` or `en`."),
    Spec("corpus_dir", "corpus", str, "Folder of documents to index."),
    Spec("store_dir", ".assistant/store", str, "Embedded vector store and lexical index folder."),
    Spec("data_dir", ".assistant/data", str, "Logs, feedback, uploads and reports (SQLite)."),
    Spec("collection", "corpus", str, "Name of the Chroma collection."),
    Spec("chroma_host", "", str, "Chroma server host; when set, the server is used instead of the embedded store."),
    Spec("chroma_port", 8000, int, "Chroma server port."),
    Spec("embedding_model", "", str, "sentence-transformers model name or local path; empty = bundled all-MiniLM-L6-v2."),
    Spec("embedding_batch", 64, int, "Embedding batch size."),
    Spec("max_file_mb", 50.0, float, "Largest file the indexer accepts, in MB."),
    Spec("chunk_tokens", 0, int, "Largest chunk in embedding-model tokens; 0 = the model's own limit."),
    Spec("retrieval_mode", "hybrid", str, "`hybrid`, `lexical` or `dense`."),
    Spec("dense_weight", -1.0, float, "Weight of dense scores in fusion (0..1); -1 = automatic by model and query language."),
    Spec("top_k", 5, int, "Passages retrieved per question."),
    Spec("backend", "offline", str, "Answer engine: `offline` (no model) or `openai` (any OpenAI-compatible server)."),
    Spec("llm_base_url", "", str, "Base URL of the OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1."),
    Spec("llm_model", "", str, "Model name on that server."),
    Spec("llm_api_key", "", str, "API key for that server (any text for local servers)."),
    Spec("llm_context_tokens", 8192, int, "Context window sent on every call (system prompt + passages + answer)."),
    Spec("llm_max_tokens", 768, int, "Largest answer, in tokens."),
    Spec("llm_temperature", 0.2, float, "Sampling temperature."),
    Spec("llm_timeout", 60.0, float, "Seconds before a call to the LLM server gives up."),
    Spec("llm_retries", 2, int, "Retries on a failed LLM call."),
    Spec("abstain_threshold", -1.0, float, "Relevance below which the assistant says the documents do not answer; -1 = calibrated default."),
    Spec("redact_outbound", True, bool, "Replace personal data with placeholders before anything goes to an LLM server."),
    Spec("guards", "on", str, "`on` or `off` (trainer demonstrations only)."),
    Spec("host", "127.0.0.1", str, "Address the app listens on (0.0.0.0 to serve a classroom)."),
    Spec("port", 7860, int, "Port the app listens on."),
    Spec("users_file", "", str, "File of users (user, password hash, role); when set, login is required."),
    Spec("upload_ttl_min", 60, int, "Minutes before a trainee's private upload is deleted."),
    Spec("max_upload_mb", 20.0, float, "Largest upload accepted in the app, in MB."),
    Spec("concurrency", 4, int, "Requests the app handles at once per event."),
]


def _parse(kind: type, raw: str) -> Any:
    if kind is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return kind(raw)


@dataclass(frozen=True)
class Settings:
    lang: str = "vi"
    corpus_dir: str = "corpus"
    store_dir: str = ".assistant/store"
    data_dir: str = ".assistant/data"
    collection: str = "corpus"
    chroma_host: str = ""
    chroma_port: int = 8000
    embedding_model: str = ""
    embedding_batch: int = 64
    max_file_mb: float = 50.0
    chunk_tokens: int = 0
    retrieval_mode: str = "hybrid"
    dense_weight: float = -1.0
    top_k: int = 5
    backend: str = "offline"
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_context_tokens: int = 8192
    llm_max_tokens: int = 768
    llm_temperature: float = 0.2
    llm_timeout: float = 60.0
    llm_retries: int = 2
    abstain_threshold: float = -1.0
    redact_outbound: bool = True
    guards: str = "on"
    host: str = "127.0.0.1"
    port: int = 7860
    users_file: str = ""
    upload_ttl_min: int = 60
    max_upload_mb: float = 20.0
    concurrency: int = 4
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def with_(self, **kw: Any) -> "Settings":
        kw = {k: v for k, v in kw.items() if v is not None}
        return replace(self, **kw)

    @property
    def store_path(self) -> Path:
        return Path(self.store_dir)

    @property
    def corpus_path(self) -> Path:
        return Path(self.corpus_dir)

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)


def read_env_file(path: str | os.PathLike) -> dict[str, str]:
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def load_settings(env: dict[str, str] | None = None, env_file: str | None = ".env", **overrides: Any) -> Settings:
    """Settings from (lowest to highest): defaults, ``.env``, the environment, ``overrides``."""
    values: dict[str, str] = {}
    if env_file and Path(env_file).is_file():
        values.update(read_env_file(env_file))
    values.update(os.environ if env is None else env)
    kw: dict[str, Any] = {}
    for spec in SPECS:
        raw = values.get(spec.env)
        if raw is not None and raw != "":
            try:
                kw[spec.name] = _parse(spec.kind, raw)
            except ValueError as exc:
                raise SystemExit(f"{spec.env}={raw!r}: {exc}") from exc
    kw.update({k: v for k, v in overrides.items() if v is not None})
    names = {f.name for f in fields(Settings)}
    unknown = set(kw) - names
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    return Settings(**kw)


assert {s.name for s in SPECS} == {f.name for f in fields(Settings)} - {"extra"}, "SPECS and Settings differ"
