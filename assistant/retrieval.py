"""Hybrid retrieval: BM25 over Vietnamese tokens fused with dense search.

Fusion is a weighted sum of scores normalised per query (each retriever's
scores divided by its best score over the candidate pool), with both scores
computed exactly for every candidate. The dense weight depends on the
embedding model and the query's language: the bundled English-only model
reads Vietnamese poorly, so on Vietnamese queries it gets a small weight; a
multilingual model earns more. ``ASSISTANT_DENSE_WEIGHT`` overrides it.
Weights were chosen by measurement (see docs/retrieval.md and
``python -m assistant eval retrieval``).
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from assistant.chunking import passage
from assistant.config import Settings
from assistant.embeddings import Embedder, get_embedder
from assistant.lexical import LexicalIndex, fingerprint, lexical_query, lexical_scores  # noqa: F401 - part of this module's interface
from assistant.loaders import detect_lang
from assistant.fusion import DENSE_WEIGHTS, dense_shift, dense_weight, fuse  # noqa: F401 - part of this module's interface
from assistant.store import StoreError, VectorStore

# Measured defaults (docs/retrieval.md): dense weight by (model reads Vietnamese?, query and passage both English?).
# An English-only model's similarity means something only between two English texts; elsewhere it barely counts.
MODES = ("hybrid", "lexical", "dense")
_VI_PLAIN = set(
    """cua va cac nhung duoc trong theo khong ngay thang nam dang ky giay phep bao nhieu la gi nao thu tuc
    co quan nghi dinh quyet dinh thong tu luat dieu khoan chuong muc van ban cong dan can bo xa phuong quan
    huyen tinh thanh pho uy ban nhan dan ho so le phi thoi han quy dinh lam sao the nao ai duoc phai can
    toi minh chung ta bi khi nao o dau tai sao mot hai ba bon muoi tram nghin nguoi viec tren duoi voi cho""".split()
)


def query_lang(text: str) -> str:
    """"vi" for Vietnamese (with or without diacritics), else "en"."""
    if detect_lang(text) == "vi":
        return "vi"
    words = re.findall(r"[a-z]+", text.lower())
    if words and sum(w in _VI_PLAIN for w in words) / len(words) >= 0.3:
        return "vi"
    return "en"


@dataclass
class Hit:
    rank: int
    score: float
    chunk_id: str
    text: str
    metadata: dict
    lexical_score: float = 0.0
    dense_score: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def source(self) -> str:
        return self.metadata.get("source", "")

    @property
    def title(self) -> str:
        return self.metadata.get("title", "")

    @property
    def article(self) -> str:
        return str(self.metadata.get("article", "") or "")

    @property
    def page(self) -> int | None:
        p = self.metadata.get("page") or 0
        return int(p) if p else None

    @property
    def breadcrumb(self) -> str:
        return self.metadata.get("breadcrumb", "")

    @property
    def passage(self) -> str:
        return passage(self.text)

    def as_json(self, with_text: bool = True) -> dict:
        d = {
            "rank": self.rank,
            "score": round(float(self.score), 4),
            "source": self.source,
            "title": self.title,
            "article": self.article,
            "page": self.page,
            "chunk_id": self.chunk_id,
            "breadcrumb": self.breadcrumb,
        }
        if with_text:
            d["text"] = self.passage
        return d


class Retriever:
    """Loaded once per process; ``search`` is thread-safe for reading."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, store: VectorStore | None = None):
        self.settings = settings
        self.embedder = embedder or get_embedder(settings.embedding_model, settings.embedding_batch)
        self.store = store or VectorStore(settings, self.embedder)
        self._lock = threading.Lock()
        self.lexical = self._load_lexical()
        if settings.retrieval_mode != "lexical":
            self.embedder.encode_query(["khởi động"])  # load the model now, not on the first question

    def _load_lexical(self) -> LexicalIndex:
        """The persisted lexical index if it matches the vector store (same chunk ids, same tokens), else rebuilt once."""
        lex = LexicalIndex.load(self.settings.store_dir)
        ids = self.store.all_ids()
        if lex is not None and lex.fp == fingerprint(ids):
            return lex
        if not ids:
            return LexicalIndex([], [], [])
        # stale or missing (e.g. a Chroma server filled from another machine): build once, keep it
        ids, metas, docs = self.store.all_metadata(include_documents=True)
        lex = LexicalIndex.build(ids, docs, metas)
        try:
            lex.save(self.settings.store_dir)
        except OSError:
            pass
        return lex

    def reload(self) -> None:
        with self._lock:
            self.lexical = self._load_lexical()

    @property
    def size(self) -> int:
        return len(self.lexical.ids)

    def dense_weight(self, query: str, doc_lang: str = "vi", pool_langs=None) -> float:
        return dense_weight(self.settings, self.embedder, query, doc_lang, pool_langs)

    def dense_shift(self, query: str, doc_lang: str = "vi") -> float:
        return dense_shift(self.settings, self.embedder, query, doc_lang)

    @staticmethod
    def _where(sources, doc_types) -> dict | None:
        conds = []
        if sources:
            conds.append({"source": {"$in": list(sources)}})
        if doc_types:
            conds.append({"doc_type": {"$in": list(doc_types)}})
        if not conds:
            return None
        return conds[0] if len(conds) == 1 else {"$and": conds}

    def candidates(self, query: str, pool: int, mode: str, sources=None, doc_types=None, qvec=None,
                   timings: dict | None = None) -> list[Hit]:
        """Hits with both raw scores (BM25 and cosine) for the pool of candidates, unscored and unranked."""
        lex = self.lexical
        t0 = time.perf_counter()
        mask = lex.mask(sources, doc_types)
        lex_scores = np.zeros(len(lex.ids), dtype=np.float32)
        if mode in ("hybrid", "lexical"):
            lex_scores = lexical_scores(lex, query, mask)
        t1 = time.perf_counter()
        dense: dict[int, float] = {}
        if mode in ("hybrid", "dense"):
            if qvec is None:
                qvec = self.embedder.encode_query([query])[0]
            for h in self.store.query(qvec, pool, where=self._where(sources, doc_types)):
                pos = lex.position(h.id)
                if pos is not None:
                    dense[pos] = h.score
        if mode == "lexical":
            cand = {int(i) for i in np.argsort(-lex_scores, kind="stable")[:pool] if lex_scores[i] > 0}
        elif mode == "dense":
            cand = set(dense)
        else:
            top_lex = np.argpartition(-lex_scores, min(pool, lex_scores.size) - 1)[:pool]
            cand = set(int(i) for i in top_lex if lex_scores[i] > 0) | set(dense)
            missing = [i for i in cand if i not in dense]
            if missing:
                for id_, emb in zip(*self._stored([lex.ids[i] for i in missing])):
                    dense[lex.position(id_)] = float(np.dot(np.asarray(emb, dtype=np.float32), qvec))
        if timings is not None:
            timings.update(lexical_ms=(t1 - t0) * 1000, dense_ms=(time.perf_counter() - t1) * 1000)
        return [Hit(rank=0, score=0.0, chunk_id=lex.ids[i], text=lex.texts[i], metadata=lex.metadatas[i],
                    lexical_score=float(lex_scores[i]), dense_score=float(dense.get(i, 0.0))) for i in cand]

    def search(self, query: str, k: int | None = None, mode: str | None = None, sources: list[str] | None = None,
               doc_types: list[str] | None = None, timings: dict | None = None, qvec=None) -> list[Hit]:
        k = k or self.settings.top_k
        mode = check_mode(mode or self.settings.retrieval_mode)
        if not query.strip() or not self.lexical.ids:
            return []
        t0 = time.perf_counter()
        cands = self.candidates(query, max(50, 4 * k), mode, sources, doc_types, qvec, timings)
        hits = fuse(cands, query, k, mode, self.dense_weight, self.dense_shift)
        if timings is not None:
            timings["total_ms"] = (time.perf_counter() - t0) * 1000
        return hits

    # ------------------------------------------------------------ what the pipeline and the app read
    def _stored(self, ids: list[str]) -> tuple[list[str], list]:
        got = self.store.collection.get(ids=ids, include=["embeddings"])
        return list(got["ids"]), list(got["embeddings"])

    def vectors(self, ids: list[str]) -> list | None:
        """The chunks' embeddings as stored at index time, in the order of ``ids`` (None if one is missing)."""
        if not ids:
            return []
        got_ids, embs = self._stored(ids)
        by_id = dict(zip(got_ids, embs))
        if set(by_id) != set(ids):
            return None
        return [by_id[i] for i in ids]

    def document_hits(self, sources: list[str], articles: list[str] | None = None) -> list[Hit]:
        """Every chunk of these documents, in document order (optionally only some articles)."""
        return hits_of_documents(self.lexical.ids, self.lexical.texts, self.lexical.metadatas, sources, articles)

    def documents(self) -> list[tuple[str, str]]:
        """(label, source) of every indexed document, sorted by label."""
        return document_labels(self.lexical.metadatas)

    @property
    def doc_freq(self):
        from assistant.answer.text import doc_freq

        return doc_freq(self.lexical)

    @property
    def version(self) -> str:
        return self.lexical.fp


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"unknown retrieval mode {mode!r} ({', '.join(MODES)})")
    return mode


def hits_of_documents(ids, texts, metadatas, sources: list[str], articles=None) -> list[Hit]:
    want = list(dict.fromkeys(sources))
    arts = {str(a) for a in articles} if articles else None
    rows = [i for i, m in enumerate(metadatas) if m.get("source") in want
            and (arts is None or str(m.get("article", "")) in arts)]
    rows.sort(key=lambda i: (want.index(metadatas[i]["source"]), int(metadatas[i].get("chunk_index", 0))))
    return [Hit(rank=r, score=1.0, chunk_id=ids[i], text=texts[i], metadata=metadatas[i])
            for r, i in enumerate(rows, start=1)]


def document_labels(metadatas) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for m in metadatas:
        src = m.get("source", "")
        if src and src not in seen:
            title = m.get("title") or src.rsplit("/", 1)[-1]
            seen[src] = f"{title} ({src})" if title != src else src
    return sorted(((label, src) for src, label in seen.items()), key=lambda x: x[0].lower())


_RETRIEVERS: dict[tuple, Retriever] = {}
_RLOCK = threading.Lock()


def get_retriever(settings: Settings) -> Retriever:
    """One retriever per (store, collection, model) per process."""
    key = (settings.store_dir, settings.chroma_host, settings.chroma_port, settings.collection, settings.embedding_model)
    with _RLOCK:
        r = _RETRIEVERS.get(key)
        if r is None:
            r = _RETRIEVERS[key] = Retriever(settings)
        elif r.settings != settings:
            r.settings = settings
        return r


def forget_retrievers() -> None:
    with _RLOCK:
        _RETRIEVERS.clear()


__all__ = ["Hit", "Retriever", "get_retriever", "query_lang", "fuse", "dense_weight", "dense_shift", "StoreError"]
