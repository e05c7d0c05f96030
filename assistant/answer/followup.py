"""Follow-up questions ("Còn thời hạn thì sao?") turned into standalone search queries.

With an LLM: the prompt prompts/tasks/rewrite_followup.yaml over the last
HISTORY_TURNS turns. Offline (or if the LLM fails): the previous questions'
key terms that the new question lacks are carried over, when the new
question looks like a follow-up (short, or opening with "còn", "vậy",
"what about"... or referring back with "đó", "này", "it", "that").
"""
from __future__ import annotations

import re

from assistant.answer.text import content_terms, words

HISTORY_TURNS = 3
HISTORY_CHARS = 400
SHORT_TERMS = 4
_OPENER = re.compile(r"^(còn|vậy|thế còn|thế|nếu vậy|và|ngoài ra|what about|and|how about|then|so)\b", re.I)
_BACKREF = re.compile(r"\b(đó|này|nó|ấy|it|that|this|those|they)\b", re.I)


def bounded(history: list, turns: int = HISTORY_TURNS, chars: int = HISTORY_CHARS) -> list[tuple[str, str]]:
    out = []
    for turn in list(history or [])[-turns:]:
        if isinstance(turn, dict):
            u, a = turn.get("user", ""), turn.get("assistant", "")
        else:
            u, a = (list(turn) + ["", ""])[:2]
        out.append((str(u or "")[:chars], str(a or "")[:chars]))
    return out


def is_followup(question: str) -> bool:
    n = len({w for w in content_terms(question) if "_" not in w})
    q = question.strip()
    return n <= SHORT_TERMS or bool(_OPENER.search(q)) or (n <= 2 * SHORT_TERMS and bool(_BACKREF.search(q)))


def carry_terms(question: str, history: list) -> str:
    """Offline: append the previous question's key words the new one lacks."""
    hist = bounded(history)
    if not hist or not is_followup(question):
        return question
    have = set(words(question))
    prev = hist[-1][0]
    from assistant.textnorm import nfc_lower

    extra = []
    raw = re.findall(r"[^\W_]+", nfc_lower(prev))
    keep = {w for w in content_terms(prev) if "_" not in w}
    for w, f in zip(raw, words(prev)):
        if f in keep and f not in have and w not in extra:
            extra.append(w)
    return f"{question.strip()} {' '.join(extra)}".strip() if extra else question


def history_text(history: list, lang: str = "vi") -> str:
    u_label, a_label = ("Người dùng", "Trợ lý") if lang == "vi" else ("User", "Assistant")
    lines = []
    for u, a in bounded(history):
        lines.append(f"{u_label}: {u}")
        if a:
            lines.append(f"{a_label}: {a}")
    return "\n".join(lines)


def clean_rewrite(text: str, fallback: str) -> str:
    """The first non-empty line of the model's output, without quotes or a label; the fallback if unusable."""
    for line in (text or "").splitlines():
        line = re.sub(r"^\s*(câu hỏi độc lập|standalone question)\s*:\s*", "", line.strip(), flags=re.I)
        line = line.strip(" \"'“”`*")
        if len(line) >= 3:
            return line[:500]
    return fallback
