"""Should the assistant answer, or say the documents do not contain the answer?

Retrieval scores are normalised per query, so they cannot tell a good match
from the best of bad ones. The relevance score is absolute instead:

    relevance = max over the top hits of the weighted share of the
                question's content terms (accent-folded syllables and
                syllable bigrams, question words removed) found in the hit
                (weight: IDF over the corpus; x0.5 for bigrams; x1.5 for
                terms the corpus never uses)
                + DENSE_BONUS * max(0, best dense cosine - DENSE_FLOOR)
                  (only when the embedding model reads the question's
                  language: English with the bundled model, any language
                  with a multilingual one)

Terms absent from the whole corpus get the highest IDF, so a question about
a topic the corpus never mentions scores low even when it shares common
words ("thủ tục", "đăng ký") with some document. The dense term helps
paraphrases and English questions when the embedding model reads them.
The threshold was calibrated on labelled in/out-of-corpus questions
(docs/answers.md, ``python -m assistant eval answers --calibrate``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.answer.text import DocFreq, content_terms, coverage

_PLACEHOLDER = re.compile(r"\[[A-Z][A-Z_]*_\d+\]")  # personal data the input guard replaced: not a topic

DEFAULT_THRESHOLD = 0.41
DENSE_FLOOR = 0.55
DENSE_BONUS = 1.0
TOP = 3


@dataclass
class Relevance:
    score: float
    coverage: float
    dense: float
    threshold: float

    @property
    def abstain(self) -> bool:
        return self.score < self.threshold

    def as_json(self) -> dict:
        return {"score": round(self.score, 4), "coverage": round(self.coverage, 4), "dense": round(self.dense, 4),
                "threshold": self.threshold}


def threshold(settings) -> float:
    v = getattr(settings, "abstain_threshold", -1.0)
    return float(v) if v is not None and v >= 0 else DEFAULT_THRESHOLD


def relevance(query: str, hits: list, df: DocFreq | None, settings=None, dense_reads: bool = True) -> Relevance:
    """``dense_reads``: the embedding model reads the query's language (its cosine is evidence)."""
    thr = threshold(settings)
    if not hits:
        return Relevance(0.0, 0.0, 0.0, thr)
    terms = content_terms(_PLACEHOLDER.sub(" ", query))
    cov = max((coverage(terms, h.text, df) for h in hits[:TOP]), default=0.0)
    dense = max((float(h.dense_score) for h in hits[:TOP]), default=0.0)
    score = cov + (DENSE_BONUS * max(0.0, dense - DENSE_FLOOR) if dense_reads else 0.0)
    return Relevance(score, cov, dense, thr)
