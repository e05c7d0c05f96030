"""Where a question's passages come from: the corpus, a private upload, or both in one pool.

Every source has the retriever interface (``search``, ``candidates``, ``vectors``,
``document_hits``, ``documents``, ``doc_freq``, ``size``, ``version``, ``embedder``). Two sources are
searched as one: their candidates are fused together (``retrieval.fuse``), so scores stay on one scale.
"""
from __future__ import annotations

import time

from assistant.retrieval import check_mode, fuse

SCOPES = ("corpus", "both", "private")


class MultiSource:
    def __init__(self, parts: list):
        self.parts = [p for p in parts if p is not None]
        self.settings = self.parts[0].settings
        self.embedder = self.parts[0].embedder

    @property
    def size(self) -> int:
        return sum(p.size for p in self.parts)

    def dense_weight(self, query: str, doc_lang: str = "vi", pool_langs=None) -> float:
        return self.parts[0].dense_weight(query, doc_lang, pool_langs)

    def dense_shift(self, query: str, doc_lang: str = "vi") -> float:
        return self.parts[0].dense_shift(query, doc_lang)

    def candidates(self, query, pool, mode, sources=None, doc_types=None, qvec=None, timings=None):
        out = []
        for p in self.parts:
            if p.size:
                out += p.candidates(query, pool, mode, sources, doc_types, qvec, timings)
        return out

    def search(self, query: str, k: int | None = None, mode: str | None = None, sources=None, doc_types=None,
               timings: dict | None = None, qvec=None):
        k = k or self.settings.top_k
        mode = check_mode(mode or self.settings.retrieval_mode)
        if not query.strip() or not self.size:
            return []
        t0 = time.perf_counter()
        if qvec is None and mode != "lexical":
            qvec = self.embedder.encode_query([query])[0]  # once for every part
        hits = fuse(self.candidates(query, max(50, 4 * k), mode, sources, doc_types, qvec, timings), query, k, mode,
                    self.dense_weight, self.dense_shift)
        if timings is not None:
            timings["total_ms"] = (time.perf_counter() - t0) * 1000
        return hits

    def vectors(self, ids: list[str]):
        found: dict = {}
        for p in self.parts:
            mine = [i for i in ids if i not in found]
            if not mine:
                break
            got = p.vectors(mine) if p.size else None
            if got is not None:
                found.update(zip(mine, got))
            else:  # some ids are not this part's: ask one by one
                for i in mine:
                    one = p.vectors([i]) if p.size else None
                    if one is not None:
                        found[i] = one[0]
        if set(found) != set(ids):
            return None
        return [found[i] for i in ids]

    def document_hits(self, sources: list[str], articles=None):
        hits = []
        for p in self.parts:
            hits += p.document_hits(sources, articles)
        for r, h in enumerate(hits, start=1):
            h.rank = r
        return hits

    def documents(self):
        seen = {}
        for p in self.parts:
            for label, src in p.documents():
                seen.setdefault(src, label)
        return sorted(((label, src) for src, label in seen.items()), key=lambda x: x[0].lower())

    @property
    def doc_freq(self):
        from assistant.answer.text import DocFreq

        merged = DocFreq([])
        for p in self.parts:
            d = p.doc_freq
            merged.n += d.n
            for term, n in d.df.items():
                merged.df[term] = merged.df.get(term, 0) + n
        return merged

    @property
    def version(self) -> str:
        return "+".join(p.version for p in self.parts)


def choose(corpus, private=None, scope: str = "corpus"):
    """The source for a scope: the corpus, the private index, or both (falling back to what exists)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r} ({', '.join(SCOPES)})")
    has_private = private is not None and not private.empty
    if scope == "private":
        return private if has_private else _Empty(corpus)
    if scope == "both" and has_private:
        return MultiSource([corpus, private])
    return corpus


class _Empty:
    """Nothing to search (private scope, no upload): the pipeline says the documents do not answer."""

    def __init__(self, like):
        self.settings, self.embedder = like.settings, like.embedder
        self.size, self.version = 0, "empty"

    def search(self, *a, **k):
        return []

    def document_hits(self, *a, **k):
        return []

    def documents(self):
        return []

    def vectors(self, ids):
        return None

    @property
    def doc_freq(self):
        from assistant.answer.text import DocFreq

        return DocFreq([])
