"""Checking and formatting the user's fields (Decree 30/2020/NĐ-CP, Appendix I).

One validation pass (``clean_fields``) finds every missing or malformed field at once and raises one
:class:`DraftInputError` listing them all (``errors.py``); dates are read as people type them
(``dates.py``); the signer's authority lines are built in ``signing.py``.
"""
from __future__ import annotations

import re
import unicodedata

from assistant.drafting.dates import (  # noqa: F401
    DATE_FORMS,
    date_line,
    date_words,
    day_str,
    month_str,
    parse_date,
)
from assistant.drafting.errors import (  # noqa: F401
    KNOWN,
    ORDER,
    DraftInputError,
    Wording,
    label,
    worded,
)
from assistant.drafting.signing import AUTHORITY, parse_authority, signature_lines  # noqa: F401

REQUIRED = ("agency", "place", "date", "subject", "points", "signer_title", "signer_name")
LISTS = ("points", "recipients", "addressees", "legal_bases")
TEXTS = ("agency", "parent_agency", "place", "date", "subject", "signer_title", "signer_name", "signer_authority",
         "signer_body", "signer_head", "code", "proposer", "executors", "invitees", "attendees", "secretary_name",
         "issuer", "unit")
CODE_RE = re.compile(r"^[A-Za-zĐđ0-9]+(?:-[A-Za-zĐđ0-9]+)*$")
# Common agency names and their abbreviations (Decree 30/2020, Appendix III style)
AGENCY_ABBR = [("ỦY BAN NHÂN DÂN", "UBND"), ("UỶ BAN NHÂN DÂN", "UBND"), ("HỘI ĐỒNG NHÂN DÂN", "HĐND"),
               ("VĂN PHÒNG", "VP"), ("BAN CHỈ ĐẠO", "BCĐ")]
ADMIN_WORDS = {"TỈNH", "THÀNH", "HUYỆN", "QUẬN", "THỊ", "XÃ", "PHƯỜNG"}

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


def parse_number(raw) -> str:
    """"" (left blank for the records office), or the number with a zero before numbers below 10."""
    if raw is None or raw == "":
        return ""
    if isinstance(raw, bool):
        raise DraftInputError("bad_number", "number", value=raw)
    s = str(raw).strip()
    if not s:
        return ""
    if not s.isdigit() or int(s) <= 0:
        raise DraftInputError("bad_number", "number", value=raw)
    return f"{int(s):02d}"


def required_fields(form: str, doc_type=None) -> list[str]:
    """The fields a draft of ``doc_type`` signed in ``form`` cannot do without."""
    _, need_body, need_head = AUTHORITY.get(form, ((), False, False))
    req = [f for f in REQUIRED if not (f == "signer_title" and form == "Q")]
    if need_body:
        req.append("signer_body")
    if need_head:
        req.append("signer_head")
    return req


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


def clean_fields(fields: dict, doc_type=None) -> dict:
    """Normalised fields, or one :class:`DraftInputError` listing every problem found (in form order)."""
    if not isinstance(fields, dict):
        raise DraftInputError("not_object", "")
    errors: list[DraftInputError] = []

    def check(fn, *args, default=None):
        try:
            return fn(*args)
        except DraftInputError as exc:
            errors.append(exc)
            return default

    out: dict = {}
    for name in TEXTS:
        out[name] = check(_text, fields, name, default="")
    for name in LISTS:
        out[name] = check(_list, fields, name, default=[])
    form, body, head = check(parse_authority, out["signer_authority"], out["signer_body"], out["signer_head"],
                             default=("", out["signer_body"], out["signer_head"]))
    out["authority_form"], out["signer_body"], out["signer_head"] = form, body, head
    bad = {e.field for e in errors}
    for name in required_fields(form, doc_type):
        if not out[name] and name not in bad:
            errors.append(DraftInputError("missing", name))
    if doc_type is not None and doc_type.salutation and not out["addressees"] and not out["recipients"] \
            and "recipients" not in bad:
        errors.append(DraftInputError("missing_recipients", "recipients",
                                      addressees=Wording.label("addressees"), recipients=Wording.label("recipients")))
    out["date_obj"] = check(parse_date, out["date"]) if out["date"] and "date" not in bad else None
    out["number"] = check(parse_number, fields.get("number"), default="")
    if out["code"] and not CODE_RE.match(out["code"]):
        errors.append(DraftInputError("bad_code", "code", value=out["code"]))
    out["extra_keys"] = sorted(k for k in fields if k not in KNOWN)
    if errors:
        rank = {n: i for i, n in enumerate(ORDER)}
        errors.sort(key=lambda e: rank.get(e.field, len(rank)))
        raise DraftInputError.of(errors)
    return out
