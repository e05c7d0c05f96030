"""Vietnamese-aware normalisation and tokens for lexical search.

NFC, lower case, syllables (Vietnamese words are written as space-separated
syllables), syllable bigrams, and accent-folded forms of both, so
"nghi dinh 30" finds "Nghị định 30". Folded tokens carry a "~" prefix so
that exact and folded matches count separately (an exact match scores more).
"""
from __future__ import annotations

import functools
import re
import unicodedata

_WORD = re.compile(r"[^\W_]+(?:[./-][^\W_]+)*", re.UNICODE)
_FOLD_MAP = str.maketrans({"đ": "d", "Đ": "D"})
# Very common function syllables (vi) and words (en): kept for bigrams, dropped as unigrams.
STOP_UNIGRAMS = frozenset(
    """và của các là có được trong cho theo những với này một để khi thì đã từ do về tại trên bị hoặc như
    không phải nào gì ai đâu bao nhiêu sao thế
    the a an of to in and or for on by is are be with as at from that this which what who how when where
    does do did can""".split()
)


def nfc_lower(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


@functools.lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Remove Vietnamese diacritics: "Nghị định" -> "nghi dinh" (input lower-cased)."""
    text = text.translate(_FOLD_MAP)
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def syllables(text: str) -> list[str]:
    """Lower-cased NFC syllables; keeps "30/2020/nđ-cp" and "1.5" whole, and adds their parts."""
    out: list[str] = []
    for m in _WORD.finditer(nfc_lower(text)):
        w = m.group(0)
        out.append(w)
        if any(c in w for c in "./-"):
            out.extend(p for p in re.split(r"[./-]", w) if p)
    return out


TOKENS_VERSION = "3"  # bump when tokens() changes: the lexical index is rebuilt


@functools.lru_cache(maxsize=1)
def _english_stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=65536)
def stem_en(word: str) -> str:
    """Snowball's English stem of a plain ASCII word ("approves", "approved", "approval" -> "approv");
    anything else (Vietnamese syllables, numbers, codes) as it is."""
    return _english_stemmer().stemWord(word) if word.isascii() and word.isalpha() else word


def _num(s: str) -> str:
    """ "03" -> "3": documents write "03 tháng", people type "3 tháng"."""
    return s.lstrip("0") or "0" if s.isdigit() else s


def tokens(text: str, english: bool = False) -> list[str]:
    """BM25 tokens. ``english``: the text is English (a chunk of an English document, an English question
    matched against English passages), so its words are stemmed: "approves" finds "approved"."""
    seq: list[str] = []  # syllables, compounds split into their parts
    out: list[str] = []
    for m in _WORD.finditer(nfc_lower(text)):
        w = m.group(0)
        if any(c in w for c in "./-"):
            out.append(w)  # the whole compound ("30/2020/nđ-cp") as one more token
            out.append("~" + fold(w))
            seq.extend(_num(p) for p in re.split(r"[./-]", w) if p)
        else:
            seq.append(_num(w))
    stop = [s in STOP_UNIGRAMS for s in seq]  # before stemming: "does" is a stop word, its stem "doe" is not
    if english:
        seq = [stem_en(w) for w in seq]
    folded = [fold(s) for s in seq]
    for i, s in enumerate(seq):
        if not stop[i]:
            out.append(s)
            out.append("~" + folded[i])
        if i + 1 < len(seq):
            out.append(s + "_" + seq[i + 1])
            out.append("~" + folded[i] + "_" + folded[i + 1])
    return out
