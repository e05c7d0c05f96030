"""A private index: one person's uploaded documents, in memory only, searched like the corpus.

The same steps as the corpus (``indexer.prepare``: load → document guard → chunk → flag), the
same embedder, the same fusion (``retrieval.fuse`` with the measured weights), and the same
interface as the corpus :class:`~assistant.retrieval.Retriever` (``search``, ``candidates``,
``vectors``, ``document_hits``, ``documents``, ``doc_freq``, ``size``, ``version``), so the one
answer pipeline answers over it with the same abstention, citation check and guards. Nothing is
written to disk; the app drops it when the session ends or its time-to-live passes.
"""
from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.loaders import SUPPORTED, LoadError
from assistant.retrieval import Hit, check_mode, dense_shift, dense_weight, document_labels, fuse, hits_of_documents, lexical_scores

PRIVATE_PREFIX = "upload:"


@dataclass
class AddResult:
    ok: bool
    name: str
    chunks: int = 0
    error: LoadError | None = None


@dataclass
class PrivateIndex:
    settings: object = None
    embedder: object = None
    session: str = ""
    created: float = field(default_factory=time.time)
    docs: dict = field(default_factory=dict)  # name -> n chunks
    ids: list = field(default_factory=list)
    texts: list = field(default_factory=list)
    metadatas: list = field(default_factory=list)
    _vectors: np.ndarray | None = None
    _lex: object = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __deepcopy__(self, memo):  # gr.State deep-copies values; an index is shared by reference
        return self

    # ------------------------------------------------------------ adding
    def add_bytes(self, data: bytes, name: str, lang: str | None = None) -> AddResult:
        """Index one file's bytes; a bad file is refused with its reason and changes nothing else."""
        from assistant.indexer import make_chunker, prepare

        name = Path(name).name
        fmt = SUPPORTED.get(Path(name).suffix.lower())
        try:
            if fmt is None:
                raise LoadError(name, "unsupported", ext=Path(name).suffix.lower() or "(?)",
                                supported=", ".join(sorted(SUPPORTED)))
            chunks = prepare(data, PRIVATE_PREFIX + name, fmt, self.settings, make_chunker(self.embedder, self.settings),
                             path=name, lang=lang)
        except LoadError as exc:
            return AddResult(False, name, error=exc)
        vecs = self.embedder.encode_passage([c.text for c in chunks])
        from assistant.lexical import LexicalIndex

        with self._lock:
            self._drop(PRIVATE_PREFIX + name)
            for c in chunks:
                self.ids.append(c.id)
                self.texts.append(c.text)
                self.metadatas.append(dict(c.metadata, private=True))
            old = self._vectors
            self._vectors = vecs if old is None or not len(old) else np.vstack([old, vecs])
            self.docs[name] = len(chunks)
            self._lex = LexicalIndex.build(self.ids, self.texts, self.metadatas)
            self.created = time.time()
        return AddResult(True, name, len(chunks))

    def add_file(self, path: str | Path, lang: str | None = None) -> AddResult:
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            return AddResult(False, path.name, error=LoadError(path.name, "unreadable", detail=str(exc)))
        return self.add_bytes(data, path.name, lang)

    def _drop(self, source: str) -> None:
        keep = [i for i, m in enumerate(self.metadatas) if m.get("source") != source]
        if len(keep) == len(self.ids):
            return
        self.ids = [self.ids[i] for i in keep]
        self.texts = [self.texts[i] for i in keep]
        self.metadatas = [self.metadatas[i] for i in keep]
        self._vectors = self._vectors[keep] if self._vectors is not None else None

    def clear(self) -> None:
        with self._lock:
            self.docs.clear()
            self.ids, self.texts, self.metadatas = [], [], []
            self._vectors = None
            self._lex = None

    # ------------------------------------------------------------ the retriever interface
    @property
    def empty(self) -> bool:
        return not self.ids

    @property
    def size(self) -> int:
        return len(self.ids)

    def expired(self, ttl_min: float) -> bool:
        return ttl_min > 0 and time.time() - self.created > ttl_min * 60

    def dense_weight(self, query: str, doc_lang: str = "vi", pool_langs=None) -> float:
        return dense_weight(self.settings, self.embedder, query, doc_lang, pool_langs)

    def dense_shift(self, query: str, doc_lang: str = "vi") -> float:
        return dense_shift(self.settings, self.embedder, query, doc_lang)

    def candidates(self, query: str, pool: int, mode: str, sources=None, doc_types=None, qvec=None,
                   timings: dict | None = None) -> list[Hit]:
        with self._lock:
            n = len(self.ids)
            if not n:
                return []
            keep = np.ones(n, dtype=bool)
            if sources:
                keep &= np.isin(np.array([m.get("source", "") for m in self.metadatas], dtype=object), list(sources))
            if doc_types:
                keep &= np.isin(np.array([m.get("doc_type", "") for m in self.metadatas], dtype=object), list(doc_types))
            ls = np.zeros(n, dtype=np.float32)
            if mode in ("hybrid", "lexical") and self._lex is not None:
                got = lexical_scores(self._lex, query)
                if got.size == n:
                    ls = got
            ds = np.zeros(n, dtype=np.float32)
            if mode in ("hybrid", "dense") and self._vectors is not None:
                q = qvec if qvec is not None else self.embedder.encode_query([query])[0]
                ds = self._vectors @ np.asarray(q, dtype=np.float32)
            ls, ds = np.where(keep, ls, 0.0), np.where(keep, ds, -1.0)
            order = np.argsort(-(ls / (ls.max() or 1.0) + np.clip(ds, 0, None)), kind="stable")[:pool]
            return [Hit(rank=0, score=0.0, chunk_id=self.ids[i], text=self.texts[i], metadata=self.metadatas[i],
                        lexical_score=float(ls[i]), dense_score=float(ds[i]), extra={"private": True})
                    for i in order if keep[i]]

    def search(self, query: str, k: int | None = None, mode: str | None = None, sources=None, doc_types=None,
               timings: dict | None = None, qvec=None) -> list[Hit]:
        k = k or self.settings.top_k
        mode = check_mode(mode or self.settings.retrieval_mode)
        if not query.strip() or self.empty:
            return []
        return fuse(self.candidates(query, max(50, 4 * k), mode, sources, doc_types, qvec), query, k, mode,
                    self.dense_weight, self.dense_shift)

    def vectors(self, ids: list[str]) -> list | None:
        pos = {id_: i for i, id_ in enumerate(self.ids)}
        if any(i not in pos for i in ids) or self._vectors is None:
            return None
        return [self._vectors[pos[i]] for i in ids]

    def document_hits(self, sources: list[str], articles=None) -> list[Hit]:
        return hits_of_documents(self.ids, self.texts, self.metadatas, sources, articles)

    def documents(self) -> list[tuple[str, str]]:
        return document_labels(self.metadatas)

    @property
    def doc_freq(self):
        from assistant.answer.text import DocFreq

        return DocFreq(list(self.texts))

    @property
    def version(self) -> str:
        return "private:" + hashlib.sha1("\n".join(self.ids).encode()).hexdigest()[:12]
