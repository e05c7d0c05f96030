"""Private uploads in the app: check the file, hand it to a per-session :class:`PrivateIndex`, forget it.

The index itself (load → guard → chunk → embed, in memory, searched by the one pipeline) lives in
``assistant.private_index``; this module adds what belongs to the app: the type and size checks with
the UI's wording, the temporary file removed at once, and the registry that drops expired indexes.
The app keeps one index per browser session in a ``gr.State`` with a time-to-live and a delete callback.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from assistant.loaders import SUPPORTED
from assistant.messages import t
from assistant.private_index import PRIVATE_PREFIX, PrivateIndex

__all__ = ["PRIVATE_PREFIX", "PrivateIndex", "UploadResult", "new_index", "add_upload", "track", "release", "sweep",
           "live_count"]


@dataclass
class UploadResult:
    ok: bool
    name: str
    message: str
    chunks: int = 0


def check_file(path: str, settings, lang: str) -> tuple[bytes | None, str]:
    """Read an uploaded file after checking its type and size: (data, "") or (None, message)."""
    name = Path(path).name
    ext = Path(name).suffix.lower()
    if ext not in SUPPORTED:
        return None, t("ui.upload_bad_type", lang, name=name, ext=ext or "(?)", supported=", ".join(sorted(SUPPORTED)))
    size = os.path.getsize(path)
    if size > settings.max_upload_mb * 1024 * 1024:
        return None, t("ui.upload_too_large", lang, name=name, size_mb=f"{size / 1024 / 1024:.1f}",
                       max_mb=f"{settings.max_upload_mb:g}")
    with open(path, "rb") as f:
        return f.read(), ""


def remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def new_index(settings, embedder, session: str = "") -> PrivateIndex:
    return track(PrivateIndex(settings=settings, embedder=embedder, session=session))


def add_upload(index: PrivateIndex, path: str, settings, lang: str, name: str | None = None) -> UploadResult:
    """Check, index and delete one uploaded file; the message says what happened in the UI's language."""
    name = name or Path(path).name
    try:
        data, err = check_file(path, settings, lang)
    finally:
        remove_quietly(path)  # the upload never stays on disk
    if data is None:
        return UploadResult(False, name, err)
    got = index.add_bytes(data, name, lang)
    if not got.ok:
        return UploadResult(False, name, t("ui.upload_failed", lang, name=name, reason=got.error.message(lang)))
    return UploadResult(True, name, t("ui.upload_ok", lang, name=name, chunks=got.chunks, ttl=settings.upload_ttl_min),
                        got.chunks)


# Every live private index, so a janitor can drop expired ones even if a browser never comes back.
_LIVE: dict[int, PrivateIndex] = {}
_LIVE_LOCK = threading.Lock()


def track(index: PrivateIndex) -> PrivateIndex:
    with _LIVE_LOCK:
        _LIVE[id(index)] = index
    return index


def release(index: PrivateIndex | None) -> None:
    if index is None:
        return
    index.clear()
    with _LIVE_LOCK:
        _LIVE.pop(id(index), None)


def sweep(ttl_min: float) -> int:
    """Clear every private index older than ``ttl_min`` minutes; returns how many."""
    with _LIVE_LOCK:
        old = [ix for ix in _LIVE.values() if ix.expired(ttl_min)]
    for ix in old:
        release(ix)
    return len(old)


def live_count() -> int:
    with _LIVE_LOCK:
        return sum(1 for ix in _LIVE.values() if not ix.empty)
