"""The signer's authority and title lines (Decree 30/2020/NĐ-CP, Điều 13; Phụ lục I, Mục II.7)."""
from __future__ import annotations

import re

from assistant.drafting.errors import DraftInputError

# Signing authority (Decree 30/2020, Điều 13; Phụ lục I, Mục II.7.a): the abbreviation goes before the
# collective body (TM.) or before the head's title (KT., Q., TL., TUQ.); TM. + KT. is a deputy signing
# for the head of a collective body. form id -> (prefixes, needs the body, needs the head's title)
AUTHORITY = {
    "": ((), False, False),
    "TM": (("TM.",), True, False),
    "KT": (("KT.",), False, True),
    "TM_KT": (("TM.", "KT."), True, True),
    "Q": (("Q.",), False, True),
    "TL": (("TL.",), False, True),
    "TUQ": (("TUQ.",), False, True),
}
_AUTH_WORDS = {"tm": "TM", "thay mặt": "TM", "kt": "KT", "ký thay": "KT", "q": "Q", "quyền": "Q", "tl": "TL",
               "thừa lệnh": "TL", "tuq": "TUQ", "thừa ủy quyền": "TUQ", "thừa uỷ quyền": "TUQ",
               "tm_kt": "TM_KT", "tm+kt": "TM_KT", "tm.+kt.": "TM_KT", "tm. + kt.": "TM_KT", "tm. kt.": "TM_KT",
               "none": "", "-": ""}
_AUTH_TEXT = re.compile(r"^(TM|KT|Q|TL|TUQ)\.\s*(.*?)(?:\s*\bKT\.\s*(.*))?$", re.IGNORECASE)


def parse_authority(raw: str, body: str = "", head: str = "") -> tuple[str, str, str]:
    """(form id, body, head's title) from the form's id ("TM", "KT", ...), or from a line as people
    write it ("TM. Ủy ban nhân dân", "KT. Chủ tịch", "TM. Ủy ban nhân dân KT. Chủ tịch")."""
    s = " ".join((raw or "").split())
    if s in AUTHORITY:
        return s, body, head
    low = s.lower()
    for key in (low, low.rstrip(".")):
        if key in _AUTH_WORDS:
            return _AUTH_WORDS[key], body, head
    m = _AUTH_TEXT.match(s)
    if not m or (m[3] is not None and m[1].upper() != "TM"):
        raise DraftInputError("bad_authority", "signer_authority", value=s)
    first, rest = m[1].upper(), m[2].strip()
    if m[3] is not None:  # "TM. <body> KT. <head>"
        return "TM_KT", body or rest, head or m[3].strip()
    if first == "TM":
        return "TM", body or rest, head
    return first, body, head or rest


def signature_lines(form: str, body: str, head: str, title: str) -> list[str]:
    """The authority and title lines of the signature block, in capitals (Phụ lục I, Mục II.7):
    "TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH"; "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH"; "Q. GIÁM ĐỐC"."""
    prefixes, _, _ = AUTHORITY.get(form, ((), False, False))
    lines = []
    for p in prefixes:
        lines.append(f"{p} {(body if p == 'TM.' else head).upper()}".strip())
    if form != "Q" and title:
        lines.append(title.upper())
    return lines
