"""Checking and formatting the user's fields (Decree 30/2020/NĐ-CP, Appendix I).

Every problem is a :class:`DraftInputError` naming the field, so the CLI (exit 2)
and the app can tell a non-engineer exactly what to fix, in Vietnamese or English.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from assistant.messages import t

REQUIRED = ("agency", "place", "date", "subject", "points", "signer_title", "signer_name")
LISTS = ("points", "recipients", "addressees", "legal_bases")
TEXTS = ("agency", "parent_agency", "place", "date", "subject", "signer_title", "signer_name", "signer_authority",
         "code", "proposer", "executors", "invitees", "attendees", "secretary_name", "issuer", "unit")
KNOWN = set(LISTS) | set(TEXTS) | {"number"}
CODE_RE = re.compile(r"^[A-Za-zĐđ0-9]+(?:-[A-Za-zĐđ0-9]+)*$")
# Common agency names and their abbreviations (Decree 30/2020, Appendix III style)
AGENCY_ABBR = [("ỦY BAN NHÂN DÂN", "UBND"), ("UỶ BAN NHÂN DÂN", "UBND"), ("HỘI ĐỒNG NHÂN DÂN", "HĐND"),
               ("VĂN PHÒNG", "VP"), ("BAN CHỈ ĐẠO", "BCĐ")]
ADMIN_WORDS = {"TỈNH", "THÀNH", "HUYỆN", "QUẬN", "THỊ", "XÃ", "PHƯỜNG"}


class DraftInputError(ValueError):
    """A missing or malformed field; ``message(lang)`` says which and how to fix it."""

    def __init__(self, code: str, field: str = "", **kw):
        self.code, self.field, self.kw = code, field, kw
        super().__init__(self.message("en"))

    def message(self, lang: str = "vi") -> str:
        label = t(f"drafting.field.{self.field}", lang) if self.field in KNOWN else self.field
        return t(f"drafting.input.{self.code}", lang, field=self.field, label=label, **self.kw)


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def _text(fields: dict, name: str) -> str:
    v = fields.get(name)
    if v is None:
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        v = str(v)
    if not isinstance(v, str):
        raise DraftInputError("not_text", name)
    return " ".join(nfc(v).split())


def _list(fields: dict, name: str) -> list[str]:
    v = fields.get(name)
    if v is None or v == "":
        return []
    if isinstance(v, str):  # a text box in the app: one item per line
        v = v.splitlines()
    if not isinstance(v, (list, tuple)) or not all(isinstance(x, (str, int, float)) for x in v):
        raise DraftInputError("not_list", name)
    items = [" ".join(nfc(str(x)).split()) for x in v]
    return [re.sub(r"^[-–•+*]\s*", "", x).rstrip(";.").strip() if name != "points" else re.sub(r"^[-–•+*]\s*", "", x)
            for x in items if x.strip()]


def parse_date(raw: str) -> dt.date:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", raw or "")
    if not m:
        raise DraftInputError("bad_date", "date", value=raw)
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise DraftInputError("bad_date", "date", value=raw) from None


def day_str(day: int) -> str:
    return f"{day:02d}"


def month_str(month: int) -> str:
    """Months 1 and 2 take a leading zero (so "tháng 01" cannot be read as "tháng 10"), others not."""
    return f"{month:02d}" if month <= 2 else str(month)


def date_line(place: str, date: dt.date) -> str:
    """``Place, ngày 05 tháng 01 năm 2026`` (Appendix I: zero before days below 10 and months 1, 2)."""
    return f"{place}, ngày {day_str(date.day)} tháng {month_str(date.month)} năm {date.year}"


def date_words(date: dt.date) -> str:
    return f"ngày {day_str(date.day)} tháng {month_str(date.month)} năm {date.year}"


def parse_number(raw) -> str:
    """"" (left blank for the records office), or the number with a zero before numbers below 10."""
    if raw is None or raw == "":
        return ""
    if isinstance(raw, bool):
        raise DraftInputError("bad_number", "number", value=raw)
    s = str(raw).strip()
    if not s.isdigit() or int(s) <= 0:
        raise DraftInputError("bad_number", "number", value=raw)
    return f"{int(s):02d}"


def agency_abbr(agency: str) -> str:
    up = agency.upper()
    for prefix, abbr in AGENCY_ABBR:
        if up.startswith(prefix):
            return abbr
    words = []
    for w in re.findall(r"\w+", up):
        if w in ADMIN_WORDS and words:  # "SỞ NỘI VỤ TỈNH AN GIANG" -> "SNV"
            break
        if w not in {"VÀ", "CỦA"}:
            words.append(w)
    return "".join(w[0] for w in words[:6]) or "CQ"


def number_code(doc_type, code: str, agency: str) -> str:
    """The part after "Số: …/": ``QĐ-UBND`` (type-agency), or ``UBND-VP`` for a công văn (agency-unit)."""
    code = code.strip()
    if code and not CODE_RE.match(code):
        raise DraftInputError("bad_code", "code", value=code)
    if not code:
        code = agency_abbr(agency)
    if doc_type.abbr and not code.upper().startswith(doc_type.abbr.upper() + "-"):
        # other types: "<type>-<agency>" (a công văn code "UBND-VP" keeps only its agency part)
        code = f"{doc_type.abbr}-{code.split('-')[0]}"
    return code


def number_line(number: str, code: str) -> str:
    return f"Số: {number}/{code}" if number else f"Số:        /{code}"


def clean_fields(fields: dict) -> dict:
    """Normalised fields, or :class:`DraftInputError` for the first problem found."""
    if not isinstance(fields, dict):
        raise DraftInputError("not_object", "")
    out: dict = {}
    for name in TEXTS:
        out[name] = _text(fields, name)
    for name in LISTS:
        out[name] = _list(fields, name)
    for name in REQUIRED:
        if not out[name]:
            raise DraftInputError("missing", name)
    out["date_obj"] = parse_date(out["date"])
    out["number"] = parse_number(fields.get("number"))
    out["extra_keys"] = sorted(k for k in fields if k not in KNOWN)
    return out
