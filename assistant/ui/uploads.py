"""Private uploads: a trainee's file indexed for that browser session only.

Load -> document guard -> chunk -> embed, kept in memory (never in the shared
store, never on disk after reading). Searched together with the corpus or
instead of it. The app keeps one :class:`PrivateIndex` in a ``gr.State`` with a
time-to-live and a delete callback, so it disappears when the session ends or
after ``ASSISTANT_UPLOAD_TTL_MIN`` minutes.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.loaders import SUPPORTED, LoadError, load_bytes
from assistant.messages import t
from assistant.retrieval import Hit

PRIVATE_PREFIX = "upload:"


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


def load_upload(data: bytes, name: str, settings, lang: str):
    """LoadedDoc from bytes, through the document guard; raises LoadError with a clear reason."""
    doc = load_bytes(data, PRIVATE_PREFIX + name, SUPPORTED.get(Path(name).suffix.lower()), path=name)
    if settings.guards != "off":
        from assistant.guard import scan_document

        verdict = scan_document(doc, settings)
        if verdict is not None and verdict.refuse:
            raise LoadError(name, "refused", reason=verdict.reason(lang))
    return doc


def remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


@dataclass
class PrivateIndex:
    """One session's private documents: chunks, their vectors and a small BM25."""

    session: str = ""
    created: float = field(default_factory=time.time)
    docs: dict = field(default_factory=dict)  # name -> n chunks
    ids: list = field(default_factory=list)
    texts: list = field(default_factory=list)
    metas: list = field(default_factory=list)
    vectors: np.ndarray | None = None
    _lex: object = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __deepcopy__(self, memo):  # gr.State deep-copies values; an index is shared by reference
        return self

    @property
    def empty(self) -> bool:
        return not self.ids

    def expired(self, ttl_min: float) -> bool:
        return ttl_min > 0 and time.time() - self.created > ttl_min * 60

    def add_file(self, path: str, settings, lang: str, embedder=None) -> UploadResult:
        name = Path(path).name
        try:
            data, err = check_file(path, settings, lang)
            if data is None:
                return UploadResult(False, name, err)
            doc = load_upload(data, name, settings, lang)
        except LoadError as exc:
            return UploadResult(False, name, t("ui.upload_failed", lang, name=name, reason=exc.message(lang)))
        finally:
            remove_quietly(path)  # the upload never stays on disk
        return self.add_doc(doc, settings, lang, embedder)

    def add_doc(self, doc, settings, lang: str, embedder=None) -> UploadResult:
        from assistant.embeddings import get_embedder
        from assistant.indexer import make_chunker
        from assistant.lexical import LexicalIndex

        name = doc.source[len(PRIVATE_PREFIX):] if doc.source.startswith(PRIVATE_PREFIX) else doc.source
        embedder = embedder or get_embedder(settings.embedding_model, settings.embedding_batch)
        chunks = make_chunker(embedder, settings).chunk(doc)
        if settings.guards != "off":
            from assistant.guard import flag_chunks

            flag_chunks(chunks, settings)
        vecs = embedder.encode([c.text for c in chunks])
        with self._lock:
            self._drop(doc.source)
            for c in chunks:
                meta = dict(c.metadata, private=True)
                self.ids.append(c.id)
                self.texts.append(c.text)
                self.metas.append(meta)
            self.vectors = vecs if self.vectors is None or not len(self.vectors) else np.vstack([self.vectors, vecs])
            self.docs[name] = len(chunks)
            self._lex = LexicalIndex.build(self.ids, self.texts, self.metas)
            self.created = time.time()
        return UploadResult(True, name, t("ui.upload_ok", lang, name=name, chunks=len(chunks),
                                          ttl=settings.upload_ttl_min), len(chunks))

    def _drop(self, source: str) -> None:
        keep = [i for i, m in enumerate(self.metas) if m.get("source") != source]
        if len(keep) == len(self.ids):
            return
        self.ids = [self.ids[i] for i in keep]
        self.texts = [self.texts[i] for i in keep]
        self.metas = [self.metas[i] for i in keep]
        self.vectors = self.vectors[keep] if self.vectors is not None else None

    def search(self, query: str, k: int, embedder=None, dense_weight: float = 0.3) -> list[Hit]:
        """Hybrid search over the private chunks, scores on the corpus scale (0..1)."""
        with self._lock:
            if not self.ids or not query.strip():
                return []
            lex = self._lex
            ls = lex.scores(query) if lex is not None else np.zeros(len(self.ids), dtype=np.float32)
            if ls.size != len(self.ids):
                ls = np.zeros(len(self.ids), dtype=np.float32)
            ds = np.zeros(len(self.ids), dtype=np.float32)
            if embedder is not None and self.vectors is not None:
                q = embedder.encode([query])[0]
                ds = np.clip(self.vectors @ q, 0, None)
            lmax = float(ls.max()) or 1.0
            dmax = float(ds.max()) or 1.0
            fused = (1 - dense_weight) * ls / lmax + dense_weight * ds / dmax
            order = [int(i) for i in np.argsort(-fused)[:k] if fused[i] > 0 and (ls[i] > 0 or ds[i] > 0.2)]
            return [Hit(rank=r, score=float(fused[i]), chunk_id=self.ids[i], text=self.texts[i], metadata=self.metas[i],
                        lexical_score=float(ls[i]), dense_score=float(ds[i]), extra={"private": True})
                    for r, i in enumerate(order, start=1)]

    def chunks_of(self, name: str) -> list[tuple[str, dict]]:
        src = PRIVATE_PREFIX + name
        return [(tx, m) for tx, m in zip(self.texts, self.metas) if m.get("source") == src]

    def clear(self) -> None:
        with self._lock:
            self.docs.clear()
            self.ids, self.texts, self.metas = [], [], []
            self.vectors = None
            self._lex = None


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
