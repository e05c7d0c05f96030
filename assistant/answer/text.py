"""Sentences and content terms of Vietnamese (and English) administrative text."""
from __future__ import annotations

import math
import re
import threading

from assistant.textnorm import STOP_UNIGRAMS, fold, nfc_lower

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# question words and fillers that carry no topic (folded forms)
_QUESTION_WORDS = {fold(w) for w in """nào gì đâu bao nhiêu lâu mấy sao thế ai khi muốn cần tôi em anh chị xin hỏi hãy cho biết
    vậy thì còn đó này kia ra sao như là có được không phải những các và của một lúc lỡ mình
    what which who whom whose when where why how much many does do did is are was were can could should would will
    i you we they it me my our your their his her please tell about there any have has had be been get""".split()}
_STOP = {fold(w) for w in STOP_UNIGRAMS} | _QUESTION_WORDS
_SENT_END = re.compile(r"(?<=[^\W\d_][.!?;:])\s+(?=[\"“(\[]?[A-ZÀ-ỸĐ0-9])")
_HEAD = re.compile(r"^(?:#+\s*)?(Điều|ĐIỀU|Article|ARTICLE|Chương|CHƯƠNG|Chapter|Mục|MỤC|Phần|PHẦN)\s+[\dIVXLC]+")
_ITEM = re.compile(r"^\s*(?:\d{1,3}\.|[a-zđ]\)|[-*•+])\s+")


def _stem(w: str) -> str:
    # English plurals ("parents" -> "parent"); Vietnamese syllables never end in "s"
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss") and w.isascii():
        return w[:-1]
    return w


def words(text: str) -> list[str]:
    """Lower-cased, accent-folded syllables/words (English plurals stripped)."""
    return [_stem(fold(w)) for w in _WORD.findall(nfc_lower(text))]


def content_terms(text: str) -> list[str]:
    """Topic-bearing terms: folded syllables that are not stop/question words, and bigrams of them."""
    ws = words(text)
    out = [w for w in ws if w not in _STOP and (len(w) > 1 or w.isdigit())]
    for a, b in zip(ws, ws[1:]):
        if a not in _STOP and b not in _STOP:
            out.append(a + "_" + b)
    return out


def sentences(text: str) -> list[str]:
    """Split a passage into sentences; list items (1., a), -) and lines are kept whole."""
    lines: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        # a line wrapped by PDF extraction continues the previous one when it starts in lower case
        if (lines and line[:1].islower() and not _ITEM.match(line) and not _HEAD.match(lines[-1])
                and not lines[-1].endswith((".", "!", "?", ";", ":"))):
            lines[-1] += " " + line
        else:
            lines.append(line)
    out: list[str] = []
    for line in lines:
        for s in _SENT_END.split(line):
            s = s.strip()
            if s:
                out.append(s)
    return out


def strip_item(s: str) -> str:
    return _ITEM.sub("", s).strip()


class DocFreq:
    """Document frequencies of content terms over the indexed chunks (built once per lexical index)."""

    def __init__(self, texts: list[str]):
        self.n = len(texts)
        df: dict[str, int] = {}
        for t in texts:
            for term in set(content_terms(t)):
                df[term] = df.get(term, 0) + 1
        self.df = df

    def idf(self, term: str) -> float:
        return math.log((self.n + 1) / (self.df.get(term, 0) + 0.5))


_DF_CACHE: dict[int, DocFreq] = {}
_DF_LOCK = threading.Lock()


def doc_freq(lexical) -> DocFreq:
    """The DocFreq of a LexicalIndex (cached by identity; a reloaded index gets a new one)."""
    key = id(lexical)
    with _DF_LOCK:
        d = _DF_CACHE.get(key)
        if d is None or d.n != len(lexical.texts):
            d = _DF_CACHE[key] = DocFreq(list(lexical.texts))
            if len(_DF_CACHE) > 8:
                _DF_CACHE.pop(next(iter(_DF_CACHE)))
        return d


BIGRAM_WEIGHT = 0.5  # a syllable pair may straddle two words ("hồ sơ | khai sinh"): half weight
UNSEEN_WEIGHT = 1.5  # a term the corpus never uses is strong evidence that the topic is absent


def term_weight(term: str, df: DocFreq | None) -> float:
    w = df.idf(term) if df else 1.0
    if "_" in term:
        w *= BIGRAM_WEIGHT
    if df is not None and df.df.get(term, 0) == 0:
        w *= UNSEEN_WEIGHT
    return w


def coverage(query_terms: list[str], text: str, df: DocFreq | None) -> float:
    """Weighted share of the query's terms found in ``text`` (0..1): IDF, halved for bigrams, more for unseen terms."""
    q = list(dict.fromkeys(query_terms))
    if not q:
        return 0.0
    have = set(content_terms(text))
    weights = [term_weight(t, df) for t in q]
    total = sum(weights) or 1.0
    return sum(w for t, w in zip(q, weights) if t in have) / total
