"""Shared fixtures: offline settings, a tiny legal corpus, an index built once per session."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
for _k in [k for k in os.environ if k.startswith("ASSISTANT_")]:
    del os.environ[_k]  # tests never read the developer's own settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def embedder():
    from assistant.embeddings import get_embedder

    return get_embedder()


@pytest.fixture
def make_settings(tmp_path):
    from assistant.config import load_settings

    def _make(**kw):
        kw.setdefault("store_dir", str(tmp_path / "store"))
        kw.setdefault("data_dir", str(tmp_path / "data"))
        kw.setdefault("corpus_dir", str(tmp_path / "corpus"))
        return load_settings(env={}, env_file=None, **kw)

    return _make


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, embedder):
    """The shipped corpus/ indexed once per test session: (settings, report)."""
    from assistant.config import load_settings
    from assistant.indexer import run_index

    base = tmp_path_factory.mktemp("corpus_index")
    settings = load_settings(env={}, env_file=None, store_dir=str(base / "store"), data_dir=str(base / "data"),
                             corpus_dir=str(ROOT / "corpus"))
    report = run_index(settings, embedder=embedder)
    return settings, report


@pytest.fixture(scope="session")
def retriever(corpus_index, embedder):
    from assistant.retrieval import Retriever

    settings, _ = corpus_index
    return Retriever(settings, embedder=embedder)


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, dirs_exist_ok=True)
    return dst


# ------------------------------------------------------------------ the skip count
# `make test` ends with a line counting skipped tests (their reasons are in pytest's -ra summary above it).
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    config._skip_count = len(terminalreporter.stats.get("skipped", []))


def pytest_unconfigure(config):
    tr = config.pluginmanager.get_plugin("terminalreporter")
    if tr is not None and hasattr(config, "_skip_count"):
        tr.write_line(f"skipped: {config._skip_count}")
