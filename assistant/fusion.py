"""Fusion of lexical and dense scores, for any pool of candidates (the corpus, a private upload, both).

A weighted sum of scores normalised per query over the candidate pool: BM25 divided by its best score,
cosines stretched between the pool's lowest and highest (min-max). The dense weight depends on the embedding
model and the languages: an English-only model's similarity means something only between two English texts; a multilingual model earns more.
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
# question vectors with the e5 "query: " prefix as the app encodes them): a multilingual model gives a
# same-language pair a higher cosine than a translation, so the Vietnamese passages' cosines are first raised
# by that gap (CROSS_LANGUAGE_GAP, measured apart on XQuAD dev). Weights that then keep hybrid at or above
# both single retrievers on every dev metric: 0.3, 0.4 and 0.65; 0.3 was chosen. Since 2026-12-03 an English
# question's BM25 scores each language by its own words, each scaled to the same best
# (lexical.lexical_scores); re-swept on the 16 dev questions, 0.3 left hybrid below lexical at R@3 and 0.35
# to 0.8 keep the rule. 0.65 has the best dev MRR@10 (0.754 against 0.678) but ranks the 4 translated
# documents' English passages over the Vietnamese articles of untranslated rules, and the answer check then
# refused two more dev answer questions; 0.35, the lowest weight that keeps the rule, refused one more (about
# a rule with no English version) and found one more must-include fact. The weight for en→vi applies only to
# a pool with no English passage (a corpus without translations); it is not re-measured (no such dev set).
# Without the gap no weight kept that rule (dense won R@1, lexical nDCG@10).
# An English-only model (the bundled MiniLM, the fallback): by whether question and passage are both
# English; elsewhere its similarity barely counts.
MULTILINGUAL_WEIGHTS = {("vi", "vi"): 0.4, ("vi", "en"): 0.85, ("en", "vi"): 0.3, ("en", "en"): 0.35}
ENGLISH_ONLY_WEIGHTS = {False: 0.05, True: 0.5}
# multilingual-e5-small: an English question's cosine with an English XQuAD paragraph minus its cosine with the
# same paragraph in Vietnamese, median over the 632 dev questions (0.064; quartiles 0.049 and 0.081). Added to
# Vietnamese passages for an English question. Not the other way: raising English passages for a Vietnamese
# question (its gap 0.077) lowered the shipped Vietnamese dev MRR@10 (0.917 -> 0.904).
CROSS_LANGUAGE_GAP = 0.065
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


def dense_shift(settings, embedder, query: str, doc_lang: str = "vi") -> float:
    """What to add to a passage's cosine before fusion: the cross-language gap of a multilingual model, for a
    Vietnamese passage and an English question; 0 otherwise."""
    if getattr(embedder, "multilingual", False) and doc_lang != "en" and _query_lang(query) == "en":
        return CROSS_LANGUAGE_GAP
    return 0.0


def _query_lang(text: str) -> str:
    from assistant.retrieval import query_lang

    return query_lang(text)


def fuse(cands: list[Hit], query: str, k: int, mode: str, weight, shift=None) -> list[Hit]:
    """Score and rank candidates: weighted sum of scores normalised by the best of the pool.

    ``weight(query, passage_lang, pool_langs)`` gives the dense weight, ``shift(query, passage_lang)`` what is
    added to a cosine first (``dense_shift``); lexical and dense modes use one score.
    Candidates from several sources (the corpus and a private upload) are fused in one pool."""
    if mode == "lexical":
        scored = [(h.lexical_score, h) for h in cands if h.lexical_score > 0]
    elif mode == "dense":
        scored = [(h.dense_score, h) for h in cands]
    else:
        lmax = max((h.lexical_score for h in cands), default=0.0) or 1.0
        lang_of = {h.chunk_id: "en" if h.metadata.get("lang") == "en" else "vi" for h in cands}
        pool_langs = set(lang_of.values())
        lift = {lang: shift(query, lang) if shift else 0.0 for lang in ("vi", "en")}
        dense = [h.dense_score + lift[lang_of[h.chunk_id]] for h in cands]
        dmin, dmax = min(dense, default=0.0), max(dense, default=0.0)
        span = dmax - dmin if dmax > dmin else 1.0
        w = {lang: weight(query, lang, pool_langs) for lang in ("vi", "en")}
        scored = []
        for h, d in zip(cands, dense):
            wi = w[lang_of[h.chunk_id]]
            # cosines of one model sit in a narrow band: stretched over the pool (min-max), they can outvote
            # a lexical match that is only a little better (dev: vi MRR@10 0.870 -> 0.921, en R@5 0.81 -> 0.88)
            scored.append(((1 - wi) * h.lexical_score / lmax + wi * (d - dmin) / span, h))
    scored.sort(key=lambda x: (-x[0], x[1].chunk_id))
    out = []
    for r, (sc, h) in enumerate(scored[:k], start=1):
        h.rank, h.score = r, float(sc)
        out.append(h)
    return out
