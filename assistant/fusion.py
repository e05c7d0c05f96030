"""Fusion of lexical and dense scores, for any pool of candidates (the corpus, a private upload, both).

A weighted sum of scores normalised per query (each retriever's scores divided by its best score over
the candidate pool). The dense weight depends on the embedding model and the languages: an English-only
model's similarity means something only between two English texts; a multilingual model earns more.
``ASSISTANT_DENSE_WEIGHT`` overrides it. Weights were chosen by measurement on the dev split
(docs/retrieval.md, ``python -m assistant eval retrieval``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.retrieval import Hit

# dense weight by (model reads Vietnamese?, query and passage both English?)
DENSE_WEIGHTS = {(False, False): 0.05, (False, True): 0.5, (True, False): 0.5, (True, True): 0.5}


def dense_weight(settings, embedder, query: str, doc_lang: str = "vi") -> float:
    """The measured weight of dense scores for this model, question language and passage language."""
    if settings.dense_weight >= 0:
        return float(settings.dense_weight)
    both_en = _query_lang(query) == "en" and doc_lang == "en"
    return DENSE_WEIGHTS[(bool(getattr(embedder, "multilingual", False)), both_en)]


def _query_lang(text: str) -> str:
    from assistant.retrieval import query_lang

    return query_lang(text)


def fuse(cands: list[Hit], query: str, k: int, mode: str, weight) -> list[Hit]:
    """Score and rank candidates: weighted sum of scores normalised by the best of the pool.

    ``weight(query, passage_lang)`` gives the dense weight; lexical and dense modes use one score.
    Candidates from several sources (the corpus and a private upload) are fused in one pool."""
    if mode == "lexical":
        scored = [(h.lexical_score, h) for h in cands if h.lexical_score > 0]
    elif mode == "dense":
        scored = [(h.dense_score, h) for h in cands]
    else:
        lmax = max((h.lexical_score for h in cands), default=0.0) or 1.0
        dmax = max((h.dense_score for h in cands), default=0.0)
        dmax = dmax if dmax > 0 else 1.0
        w = {lang: weight(query, lang) for lang in ("vi", "en")}
        scored = []
        for h in cands:
            wi = w["en" if h.metadata.get("lang") == "en" else "vi"]
            scored.append(((1 - wi) * h.lexical_score / lmax + wi * max(h.dense_score, 0.0) / dmax, h))
    scored.sort(key=lambda x: (-x[0], x[1].chunk_id))
    out = []
    for r, (sc, h) in enumerate(scored[:k], start=1):
        h.rank, h.score = r, float(sc)
        out.append(h)
    return out
