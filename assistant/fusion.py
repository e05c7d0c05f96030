"""Fusion of lexical and dense scores, for any pool of candidates (the corpus, a private upload, both).

A weighted sum of scores normalised per query over the candidate pool: BM25 divided by its best score,
cosines stretched between the pool's lowest and highest (min-max). The dense weight depends on the embedding model and the languages: an English-only
model's similarity means something only between two English texts; a multilingual model earns more.
``ASSISTANT_DENSE_WEIGHT`` overrides it. Weights were chosen by measurement on the dev split
(docs/retrieval.md, ``python -m assistant eval retrieval``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.retrieval import Hit

# A multilingual model (multilingual-e5-small): the weight by (question language, passage language), fitted
# on dev splits (docs/retrieval.md): the shipped questions for vi→vi and en→any (an English question's lexical
# side is widened by the glossary, so it still counts), XQuAD vi→en for a Vietnamese question over English
# text, where shared words are few and the meaning carries the match. English questions (16 dev questions,
# question vectors with the e5 "query: " prefix as the app encodes them): no weight keeps hybrid at or above
# both single retrievers on every dev metric (dense wins R@1, lexical nDCG@10). The best dev MRR@10 is at
# 0.65 (0.669 against lexical's 0.578, same R@5 0.812), but there e5-small's cosines prefer any English
# passage to the Vietnamese article that answers (the corpus translates only 4 documents): the app's own
# walk question "How long must the one-stop shop check an online application?" then ranks five English
# passages first and is refused. So: the largest weight that keeps hybrid at or above lexical on every dev
# metric, 0.05 (ties lexical; 0.1 already loses MRR@10, 0.568).
# An English-only model (the bundled MiniLM, the fallback): by whether question and passage are both
# English; elsewhere its similarity barely counts.
MULTILINGUAL_WEIGHTS = {("vi", "vi"): 0.4, ("vi", "en"): 0.85, ("en", "vi"): 0.05, ("en", "en"): 0.05}
ENGLISH_ONLY_WEIGHTS = {False: 0.05, True: 0.5}
DENSE_WEIGHTS = {(False, False): ENGLISH_ONLY_WEIGHTS[False], (False, True): ENGLISH_ONLY_WEIGHTS[True],
                 **{(True,) + k: v for k, v in MULTILINGUAL_WEIGHTS.items()}}


def dense_weight(settings, embedder, query: str, doc_lang: str = "vi", pool_langs=None) -> float:
    """The measured weight of dense scores for this model, question language and passage language.

    ``pool_langs``: the languages of the passages fused together. With a multilingual model the
    cross-language weight applies only when no passage is in the question's language: a pool mixing both
    keeps one weight for all, so passages in the other language are not lifted above the question's own."""
    if settings.dense_weight >= 0:
        return float(settings.dense_weight)
    qlang, dlang = _query_lang(query), ("en" if doc_lang == "en" else "vi")
    if getattr(embedder, "multilingual", False):
        if pool_langs and qlang in pool_langs:
            dlang = qlang
        return MULTILINGUAL_WEIGHTS[(qlang, dlang)]
    return ENGLISH_ONLY_WEIGHTS[qlang == "en" and dlang == "en"]


def _query_lang(text: str) -> str:
    from assistant.retrieval import query_lang

    return query_lang(text)


def fuse(cands: list[Hit], query: str, k: int, mode: str, weight) -> list[Hit]:
    """Score and rank candidates: weighted sum of scores normalised by the best of the pool.

    ``weight(query, passage_lang, pool_langs)`` gives the dense weight; lexical and dense modes use one score.
    Candidates from several sources (the corpus and a private upload) are fused in one pool."""
    if mode == "lexical":
        scored = [(h.lexical_score, h) for h in cands if h.lexical_score > 0]
    elif mode == "dense":
        scored = [(h.dense_score, h) for h in cands]
    else:
        lmax = max((h.lexical_score for h in cands), default=0.0) or 1.0
        dense = [h.dense_score for h in cands]
        dmin, dmax = min(dense, default=0.0), max(dense, default=0.0)
        span = dmax - dmin if dmax > dmin else 1.0
        pool_langs = {"en" if h.metadata.get("lang") == "en" else "vi" for h in cands}
        w = {lang: weight(query, lang, pool_langs) for lang in ("vi", "en")}
        scored = []
        for h in cands:
            wi = w["en" if h.metadata.get("lang") == "en" else "vi"]
            # cosines of one model sit in a narrow band: stretched over the pool (min-max), they can outvote
            # a lexical match that is only a little better (dev: vi MRR@10 0.870 -> 0.921, en R@5 0.81 -> 0.88)
            scored.append(((1 - wi) * h.lexical_score / lmax + wi * (h.dense_score - dmin) / span, h))
    scored.sort(key=lambda x: (-x[0], x[1].chunk_id))
    out = []
    for r, (sc, h) in enumerate(scored[:k], start=1):
        h.rank, h.score = r, float(sc)
        out.append(h)
    return out
