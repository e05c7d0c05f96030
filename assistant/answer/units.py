"""The legal units of a passage, as the offline engine quotes them.

A Vietnamese rule is built of clauses ("1.", "2.") and points ("a)", "b)"), often written inline
("... tại cấp phường: a) chứng thực ...; b) đăng ký khai sinh ...; c) xác nhận tình trạng hôn nhân:
03 ngày làm việc."). Quoting a sentence cut at a colon loses the fact ("c) xác nhận tình trạng hôn
nhân:" without "03 ngày làm việc"); quoting a point without its lead-in loses what the list is about.
So the offline engine quotes units:

- a clause (or a paragraph) whole;
- a list item (point, bullet) with its lead-in: "Thời hạn … tại cấp phường: … c) xác nhận tình trạng
  hôn nhân: 03 ngày làm việc";
- a table row.

A lead-in whose list is not in the passage (it continues in the next chunk) is not a unit: a quote
never ends on ":". A long unit is trimmed around the best piece (pieces end at ". " or "; ", never at
":"), with "…" where text was left out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

_HEAD = re.compile(r"^(?:#+\s*)?(Điều|ĐIỀU|Article|ARTICLE|Chương|CHƯƠNG|Chapter|Mục|MỤC|Phần|PHẦN|Section)\s+[\dIVXLC]+")
_CLAUSE = re.compile(r"^(\d{1,3})\.\s+(?=\S)")
_POINT = re.compile(r"^([a-zđ])\)\s+(?=\S)")
_BULLET = re.compile(r"^[-*•+]\s+(?=\S)")
_ROMAN = re.compile(r"^[IVXLC]+\.\s+\S")
# an inline point: "…: a) …; b) …" (after a colon, a semicolon or a comma, or at the start)
_INLINE_POINT = re.compile(r"(?:(?<=[:;,])\s+|^)([a-zđ])\)\s+(?=\S)")
_PIECE_END = re.compile(r"(?<=[.!?;])\s+(?=\S)")
_LETTERS = "abcdđeghiklmnopqrstuvxy"
MAX_QUOTE = 420  # characters of a quoted unit before it is trimmed around the match
MAX_LEAD = 220


@dataclass
class Unit:
    text: str  # the unit itself (a clause, a point with its marker, a paragraph, a table row)
    lead: str = ""  # the lead-in of a list item, ending with ":"
    gap: bool = False  # other items of the list stand between the lead-in and this item
    kind: str = "para"  # clause | point | para | row
    order: int = 0  # position in the passage
    group: int = -1  # the list this item belongs to (items of one list share a lead-in)
    last: bool = True  # the last item of its list (a quote ending on an earlier one shows "…": the list goes on)

    @property
    def full(self) -> str:
        return f"{self.lead} {self.text}".strip()


def is_heading(line: str) -> bool:
    """A heading (Điều / Chương … with a short title, Markdown #) or a short upper-case title line."""
    s = line.strip()
    if s.startswith("#") or (s.isupper() and len(s) <= 120 and not s.startswith("|")):
        return True
    if not _HEAD.match(s):
        return False
    rest = _HEAD.sub("", s).lstrip(".: ")
    return len(rest.split()) <= 14 and not rest.endswith((".", ";"))


def _marker(line: str) -> bool:
    return bool(_CLAUSE.match(line) or _POINT.match(line) or _BULLET.match(line) or line.startswith("|"))


def logical_lines(text: str, wrapped: bool = False) -> list[str]:
    """Lines of a passage with wrapped lines joined back.

    Always: a line starting in lower case continues the previous one (PDF wrapping). With ``wrapped``
    (PDF text, where every visual line breaks), a line continues the previous one unless it starts an
    item, a heading or a table row, or the previous one ended a sentence.
    """
    out: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        line = re.sub(r"^\*\*(.+?)\*\*$", r"\1", line)
        if out and not _marker(line) and not _HEAD.match(line) and not is_heading(out[-1]) and not _ROMAN.match(line):
            prev = out[-1]
            # in PDF text a colon at the end of a visual line is followed by its value on the next one
            ended = prev.endswith((".", "!", "?", ";") if wrapped else (".", "!", "?", ";", ":"))
            if not ended and (line[:1].islower() or (wrapped and not prev.startswith("|"))):
                out[-1] = prev + " " + line
                continue
        out.append(line)
    return out


def _inline_points(text: str) -> tuple[str, list[str]] | None:
    """("lead-in:", ["a) …", "b) …"]) when ``text`` holds an inline list a), b), … in order; else None."""
    marks = [m for m in _INLINE_POINT.finditer(text)]
    seq, expect = [], 0
    for m in marks:
        letter = m.group(1)
        if expect < len(_LETTERS) and letter == _LETTERS[expect]:
            seq.append(m)
            expect += 1
    if len(seq) < 2 or seq[0].group(1) != "a":
        return None
    lead = text[:seq[0].start()].strip()
    if not lead.endswith(":"):
        return None
    items = []
    for i, m in enumerate(seq):
        end = seq[i + 1].start() if i + 1 < len(seq) else len(text)
        items.append(text[m.start():end].strip())
    return lead, items


def legal_units(passage: str, wrapped: bool = False) -> list[Unit]:
    """The quotable units of a passage, in order (headings left out; see the module docstring)."""
    lines = [ln for ln in logical_lines(passage, wrapped) if not is_heading(ln)]
    units: list[Unit] = []
    lead: str | None = None
    lead_group = -1
    items_since_lead = 0
    groups = 0

    def add(text, kind, lead_text="", gap=False, group=-1):
        units.append(Unit(text.strip(), lead_text, gap, kind, len(units), group))

    for i, line in enumerate(lines):
        if line.startswith("|"):
            if not re.fullmatch(r"[|\-:\s]+", line):
                add(line, "row")
            continue
        is_item = bool(_POINT.match(line) or _BULLET.match(line))
        if is_item and lead is not None:
            add(line, "point", lead, items_since_lead > 0, lead_group)
            items_since_lead += 1
            continue
        lead, items_since_lead = None, 0
        kind = "clause" if _CLAUSE.match(line) else ("point" if is_item else "para")
        inline = _inline_points(line)
        if inline:
            groups += 1
            head, items = inline
            for j, item in enumerate(items):
                add(item, "point", head, j > 0, groups)
            continue
        if line.endswith(":"):
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if _POINT.match(nxt) or _BULLET.match(nxt) or nxt.startswith("|"):
                groups += 1
                lead, lead_group = line, groups
            # else what it introduces is not in this passage (or not a list): a lead-in alone is no answer
            continue
        add(line, kind)
    for a, b in zip(units, units[1:]):
        if a.group >= 0 and a.group == b.group:
            a.last = False
    return units


def pieces(text: str) -> list[str]:
    """A unit cut at sentence ends and semicolons (never at a colon: the value follows it)."""
    return [p for p in _PIECE_END.split(text.strip()) if p.strip()]


def trim(text: str, score: Callable[[str], float], budget: int = MAX_QUOTE) -> str:
    """``text`` whole if short; else the best-scoring piece and its neighbours within ``budget``, "…" where cut.

    The window never ends on a piece ending with ":" (the next piece, which holds the value, is added)."""
    if len(text) <= budget:
        return text
    ps = pieces(text)
    if len(ps) <= 1:
        return text
    scores = [score(p) for p in ps]
    best = max(range(len(ps)), key=lambda i: (scores[i], -i))
    lo = hi = best
    size = len(ps[best])
    while True:
        grew = False
        for cand in (hi + 1, lo - 1):
            if 0 <= cand < len(ps) and size + len(ps[cand]) + 1 <= budget:
                lo, hi = min(lo, cand), max(hi, cand)
                size += len(ps[cand]) + 1
                grew = True
                break
        if not grew:
            break
    while hi + 1 < len(ps) and ps[hi].rstrip().endswith(":"):
        hi += 1
    out = " ".join(ps[lo:hi + 1])
    if lo > 0:
        out = "… " + out
    if hi < len(ps) - 1:
        out = out.rstrip(" ;,") + " …"
    return out


def strip_number(text: str) -> str:
    """A clause's own number left out of a quote ("2. Thời hạn …" -> "Thời hạn …")."""
    return _CLAUSE.sub("", text.strip(), count=1)
