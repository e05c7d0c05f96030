"""Typed placeholders for personal data: ``[CCCD_1]``, ``[PHONE_2]`` … and the way back.

One :class:`Redactor` per request keeps the numbering stable (the same value always gets the
same placeholder), so the input guard, the follow-up rewrite and the answer share placeholders.
``restore`` puts the user's own values back; :class:`StreamRestorer` does it for a stream of
pieces, where a placeholder may arrive split in two ("[CC" + "CD_1]").
"""
from __future__ import annotations

import re

_PLACEHOLDER_TEXT = re.compile(r"\[[A-Z][A-Z_]*_\d+\]")
_TAIL = re.compile(r"\[[^\]\s]{0,22}$|(?<!\w)[A-Z][A-Z_]*_?\d*$")


class Redactor:
    def __init__(self, types: set[str] | None = None):
        self.types = types
        self.mapping: dict[str, str] = {}  # placeholder -> value
        self._by_value: dict[tuple[str, str], str] = {}
        self._count: dict[str, int] = {}

    def _placeholder(self, typ: str, value: str) -> str:
        from assistant.guard.pii import PLACEHOLDER

        key = (typ, re.sub(r"[\s.\-()]", "", value).lower())
        ph = self._by_value.get(key)
        if ph is None:
            label = PLACEHOLDER.get(typ, typ.split(".")[-1].upper())
            self._count[label] = self._count.get(label, 0) + 1
            ph = f"[{label}_{self._count[label]}]"
            while ph in self.mapping:  # a placeholder the text already carried
                self._count[label] += 1
                ph = f"[{label}_{self._count[label]}]"
            self._by_value[key] = ph
            self.mapping[ph] = value
        return ph

    def redact(self, text: str, matches=None) -> tuple[str, dict]:
        """``(text with placeholders, {placeholder: value} used in this text)``."""
        if matches is None:
            from assistant.guard.pii import find_pii

            matches = find_pii(text, self.types)
        out = text
        used: dict[str, str] = {}
        spans = sorted(((m.start, m.end, m.type) for m in matches if m.type.startswith("pii.")), reverse=True)
        last = len(text) + 1
        for s, e, typ in spans:
            if e > last:  # overlapping matches: the first one wins
                continue
            ph = self._placeholder(typ, text[s:e])
            used[ph] = text[s:e]
            out = out[:s] + ph + out[e:]
            last = s
        return out, dict(sorted(used.items()))

    def restore(self, text: str, mapping: dict | None = None) -> str:
        return restore(text, self.mapping if mapping is None else mapping)


def restore(text: str, mapping: dict) -> str:
    """Put the values back: ``[PHONE_1]`` (and a bare ``PHONE_1`` a model may write) -> the value."""
    for ph in sorted(mapping, key=len, reverse=True):  # [PHONE_10] before [PHONE_1]
        text = text.replace(ph, mapping[ph])
        bare = ph.strip("[]")
        text = re.sub(r"(?<![\w\[])" + re.escape(bare) + r"(?![\w\]])", lambda _m, v=mapping[ph]: v, text)
    return text


class StreamRestorer:
    """Restores placeholders in streamed pieces; holds back a trailing piece that may be a placeholder's start."""

    HOLD = 24  # longest placeholder we expect, e.g. "[BANK_ACCOUNT_12]"

    def __init__(self, mapping: dict):
        self.mapping = mapping
        self._buf = ""

    def feed(self, piece: str) -> str:
        if not self.mapping:
            return piece
        self._buf += piece
        cut = len(self._buf)
        m = _TAIL.search(self._buf)  # "[CC" or a bare "PHONE_" at the end may be half a placeholder
        if m and len(self._buf) - m.start() <= self.HOLD:
            cut = m.start()
        out, self._buf = self._buf[:cut], self._buf[cut:]
        return restore(out, self.mapping) if out else ""

    def flush(self) -> str:
        out, self._buf = self._buf, ""
        return restore(out, self.mapping) if out else ""


def has_placeholder(text: str) -> bool:
    return bool(_PLACEHOLDER_TEXT.search(text))
