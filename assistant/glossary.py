"""Cross-language query widening for lexical search, from ``prompts/glossary.yaml``.

The bundled embedding model reads English only and BM25 matches words, so an
English question about a Vietnamese document would find nothing. The glossary
adds the Vietnamese terms of the English words it recognises to the lexical
query (never removing anything). Longest phrases are matched first.
"""
from __future__ import annotations

import functools
import re

import yaml

from assistant.messages import PROMPTS_DIR


@functools.lru_cache(maxsize=1)
def _entries() -> list[tuple[re.Pattern, list[str]]]:
    path = PROMPTS_DIR / "glossary.yaml"
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for key in sorted(data, key=lambda k: -len(k)):
        vals = data[key] if isinstance(data[key], list) else [data[key]]
        out.append((re.compile(r"(?<![\w-])" + _inflected(key.lower()) + r"(?![\w-])"), [str(v) for v in vals]))
    return out


def _inflected(key: str) -> str:
    """A pattern for ``key`` with the regular English endings on each word of three letters or more ("hand
    over" finds "handed over", "tick" finds "ticked", "fee" finds "fees")."""
    return r"\s+".join(re.escape(w) + (r"(?:s|es|ed|d|ing)?" if w.isalpha() and len(w) > 2 else "")
                       for w in key.split())


def _match(query: str) -> tuple[list[list[str]], str]:
    """(the Vietnamese terms of each glossary entry found in ``query``, longest first, the rest of ``query``)."""
    q = query.lower()
    out: list[list[str]] = []
    for pattern, vals in _entries():
        if pattern.search(q):
            q = pattern.sub(" ", q)  # a phrase matched once is not matched again by its words
            out.append(list(vals))
    return out, " ".join(q.split())


def groups_en(query: str) -> list[list[str]]:
    """The Vietnamese alternatives of each English word or phrase of ``query`` the glossary knows, one list per
    entry ("urgent" -> ["khẩn", "độ khẩn", "thượng khẩn", "hỏa tốc"]): a passage holding one of them has it."""
    return _match(query)[0]


def expand_en(query: str) -> str:
    """Vietnamese terms for the English words and phrases in ``query`` ("" when none)."""
    return " ".join(split_en(query)[0])


def split_en(query: str) -> tuple[list[str], str]:
    """(the Vietnamese terms of the English words and phrases the glossary knows, the rest of ``query``)."""
    groups, rest = _match(query)
    return list(dict.fromkeys(v for vals in groups for v in vals)), rest


# ---------------------------------------------------------------- everyday Vietnamese -> document words
@functools.lru_cache(maxsize=1)
def _paraphrases() -> list[tuple[re.Pattern, list[str], str]]:
    from assistant.textnorm import fold

    path = PROMPTS_DIR / "paraphrases.yaml"
    if not path.is_file():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for key in sorted(data, key=lambda k: -len(str(k))):
        vals = data[key] if isinstance(data[key], list) else [data[key]]
        k = fold(str(key).lower())
        out.append((re.compile(r"(?<![\w-])" + re.escape(k) + r"(?![\w-])"), [str(v) for v in vals], k))
    return out


def alternatives(query: str) -> dict[str, list[set[str]]]:
    """For each (accent-folded) term of the everyday phrases in ``query`` that ``prompts/paraphrases.yaml``
    knows, the term sets of the phrases documents use instead ("qua mạng" -> {"trực", "tuyến", "trực_tuyến"}).
    A question's term counts as found in a passage that holds one of its sets whole (``text.coverage``)."""
    from assistant.answer.text import content_terms
    from assistant.textnorm import fold

    q = fold(query.lower())
    out: dict[str, list[set[str]]] = {}
    for pattern, vals, key in _paraphrases():
        if not pattern.search(q):
            continue
        sets = [set(content_terms(v, True)) for v in vals]
        sets = [x for x in sets if x]
        for term in content_terms(key):
            for x in sets:
                if x not in out.setdefault(term, []):
                    out[term].append(x)
    return out
