"""Should the assistant answer, or say the documents do not contain the answer?

Retrieval scores are normalised per query, so they cannot tell a good match
from the best of bad ones. The relevance score is absolute instead:

    relevance = max over the top hits of the IDF-weighted share of the
                question's content terms (accent-folded syllables and
                syllable bigrams, question words removed) found in the hit
                + DENSE_BONUS * max(0, best dense cosine - DENSE_FLOOR)

Terms absent from the whole corpus get the highest IDF, so a question about
a topic the corpus never mentions scores low even when it shares common
words ("thủ tục", "đăng ký") with some document. The dense term helps
paraphrases and English questions when the embedding model reads them.
The threshold was calibrated on labelled in/out-of-corpus questions
(docs/answers.md, ``python -m assistant eval answers --calibrate``).
"""
from __future__ import annotations

from dataclasses import dataclass

from assistant.answer.text import DocFreq, content_terms, coverage

DEFAULT_THRESHOLD = 0.5
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


def relevance(query: str, hits: list, df: DocFreq | None, settings=None) -> Relevance:
    thr = threshold(settings)
    if not hits:
        return Relevance(0.0, 0.0, 0.0, thr)
    terms = content_terms(query)
    cov = max((coverage(terms, h.text, df) for h in hits[:TOP]), default=0.0)
    dense = max((float(h.dense_score) for h in hits[:TOP]), default=0.0)
    score = cov + DENSE_BONUS * max(0.0, dense - DENSE_FLOOR)
    return Relevance(score, cov, dense, thr)
