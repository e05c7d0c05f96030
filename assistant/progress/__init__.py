"""Learning records on the server: exercise progress, knowledge checks, self-assessment, classes and
the class report (``db`` engine and migrations, ``store`` reads and writes, ``knowledge`` loads and
grades the checks, ``report`` computes the figures, ``page``/``charts``/``export`` present them).

Core: this package never imports the app's faces (``assistant.ui``, ``assistant.commands``).
"""
from __future__ import annotations

from assistant.progress.db import engine_for, url_for
from assistant.progress.store import NotYours, ProgressStore

__all__ = ["ProgressStore", "NotYours", "engine_for", "url_for", "get_store"]

_STORES: dict[str, ProgressStore] = {}


def get_store(settings) -> ProgressStore:
    """The process's one store for these settings' database."""
    url = url_for(settings)
    store = _STORES.get(url)
    if store is None:
        store = _STORES[url] = ProgressStore(url)
    return store
