"""Personal data written in words: names, addresses, dates of birth, BHYT numbers, plates, secrets.

Decree 13/2023/NĐ-CP (Article 2) lists a person's name, date of birth, address, vehicle plate and
health-insurance card number among basic personal data. Passwords, keys, tokens and OTP codes are not
personal data in the Decree's sense, but they must never leave the agency or be quoted back either.

- ``pii.name``: in :mod:`assistant.guard.pii_names`.
- ``pii.address``: in :mod:`assistant.guard.pii_address`.
- ``pii.dob``: a date after "sinh ngày", "ngày sinh", "DOB", "born on" … (dates in headers are not).
- ``pii.bhyt``: 2 letters (beneficiary group) + 1 digit (benefit level) + 2 digits (province) + 10 digits.
- ``pii.plate``: "29A-123.45", "51F1-234.56", "30E 567.89" (older 4- and 5-digit plates with a context word).
- ``pii.secret``: the value after "mật khẩu", "pass", "password", "mã OTP", "token", "API key" … and keys
  with a known shape (``sk-…``, ``ghp_…``, ``AKIA…``) anywhere.
"""
from __future__ import annotations

import re

from assistant.guard.pii import Match
from assistant.guard.pii_address import find_addresses
from assistant.guard.pii_names import find_names, fold

# ------------------------------------------------------------------------------------------ date of birth
_MONTHS_EN = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_DATE = re.compile(r"(?<![\w/.\-])(\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)\d{2}|(?:19|20)\d{2}-\d{1,2}-\d{1,2}|"
                   r"\d{1,2}\s+tháng\s+\d{1,2}(?:\s*,)?\s+năm\s+(?:19|20)\d{2}|"
                   rf"\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS_EN}\.?,?\s+(?:19|20)\d{{2}}|{_MONTHS_EN}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}})"
                   r"(?![\w/]|[.\-]\d)", re.I)
_DOB_BEFORE = re.compile(r"(?:sinh\s+ngày|ngày\s*,?\s*tháng\s*,?\s*năm\s+sinh|ngày\s+sinh|sinh\s+nhật|(?<!\w)sinh|"
                         r"(?<!\w)dob|d\.o\.b\.?|date\s+of\s+birth|birth\s*date|born(?:\s+on)?|birthday|"
                         r"sinh\s+ngay|ngay\s+sinh|ngay\s+thang\s+nam\s+sinh)"
                         r"(?:[^\d\n.;]{0,22}?)[:：]?\s*$", re.I)


def find_dobs(text: str) -> list[Match]:
    out = []
    for m in _DATE.finditer(text):
        if _DOB_BEFORE.search(text[max(0, m.start() - 40):m.start()]):
            out.append(Match("pii.dob", m.start(1), m.end(1), 0.9, m.group(1)))
    return out


# --------------------------------------------------------------------------------------------- BHYT card
# Beneficiary-group codes printed on health-insurance cards (Vietnam Social Security).
_BHYT_GROUPS = set("DN HX CH NN TK HC XK CA HT TB NO CT XB TN CS XN MS HD TE CC CK CB KC HN DT DK XD BT TS TC "
                   "TQ TA TY HG LS PV CN OK HS SV GB GD QN CY NO ND TD TV TL".split())
_BHYT = re.compile(r"(?<![\w/])([A-Z]{2})[ .\-]?([1-5])[ .\-]?(\d{2})[ .\-]?(\d(?:[ .]?\d){9})(?![\w/]|[.,]\d)")
_BHYT_CTX = re.compile(r"bhyt|bảo\s+hiểm|bao\s+hiem|(?<!\w)thẻ|(?<!\w)the(?!\w)|health|insurance|kcb", re.I)


def find_bhyt(text: str) -> list[Match]:
    out = []
    for m in _BHYT.finditer(text):
        ctx = _BHYT_CTX.search(text[max(0, m.start() - 40):m.start()])
        if ctx or m.group(1) in _BHYT_GROUPS:
            out.append(Match("pii.bhyt", m.start(), m.end(), 0.97 if ctx else 0.85, m.group(0)))
    return out


# ------------------------------------------------------------------------------------------ vehicle plate
_PLATE = re.compile(r"(?<![\w/.\-])(?:[1-9]\d)[A-Z][A-Z0-9]?[ \-.]?(?:\d{3}\.\d{2}|\d{4,5})(?![\w/]|[.,\-]\d)")
_PLATE_CTX = re.compile(r"biển|bien\s+so|bks|bsx|(?<!\w)xe(?!\w)|ô\s+tô|mô\s+tô|plate|vehicle|car|motorbike", re.I)


def find_plates(text: str) -> list[Match]:
    out = []
    for m in _PLATE.finditer(text):
        v = m.group(0)
        dotted = re.search(r"\d{3}\.\d{2}$", v) is not None
        if dotted or _PLATE_CTX.search(text[max(0, m.start() - 40):m.start()]):
            out.append(Match("pii.plate", m.start(), m.end(), 0.95 if dotted else 0.8, v))
    return out


# ------------------------------------------------------------------------------------------------ secrets
_KEY_SHAPES = re.compile(r"(?<![\w\-])(sk-(?:proj-|ant-)?[A-Za-z0-9_\-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|"
                         r"AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_\-]{30,}|xox[abprs]-[A-Za-z0-9\-]{10,}|glpat-[A-Za-z0-9_\-]{16,}|"
                         r"eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,})")
_SECRET_KW = (r"mật\s+khẩu|mat\s+khau|(?<!\w)mk(?!\w)|(?<!\w)pass(?:word|code|wd)?(?!\w)|(?<!\w)pwd(?!\w)|(?<!\w)pw(?!\w)|"
              r"mã\s+(?:otp|pin|xác\s+thực|xác\s+nhận|bảo\s+mật|kích\s+hoạt)|ma\s+(?:otp|pin|xac\s+thuc|xac\s+nhan)|(?<!\w)otp(?!\w)|"
              r"(?<!\w)pin(?!\w)|(?<!\w)token(?!\w)|api[\s_\-]?key|khóa\s+(?:api|bí\s+mật)|secret(?:\s+key)?|"
              r"access\s+key|private\s+key|passphrase")
_SECRET = re.compile(rf"(?:{_SECRET_KW})(?P<mid>[^\n:=]{{0,40}}?)(?:\s*[:=：]\s*|\s+(?:là|la|is|:)\s+)(?P<val>\S+)", re.I)
_SECRET_STOP = {fold(x) for x in """
gì gi nào nao không khong có co được duoc phải phai của cua cho và va là la thì thi mới moi cũ cu mạnh yếu
đủ bao nhiêu mấy ký tự chữ số như the what how a an the of for to is yes no gì? nhé nha ạ đã
""".split()}
_TRAIL = ".,;:!?)\"'»”’"


def _clean_value(v: str) -> str:
    while v and v[-1] in _TRAIL:
        if v[-1] in "!?" and len(v) > 1 and not v[-2].isalnum():  # "Hn!Ward#77" keeps its "!" inside
            v = v[:-1]
            continue
        v = v[:-1]
    while v and v[0] in "\"'«“‘(":
        v = v[1:]
    return v


def find_secrets(text: str) -> list[Match]:
    out: list[Match] = []
    for m in _KEY_SHAPES.finditer(text):
        out.append(Match("pii.secret", m.start(1), m.end(1), 0.95, m.group(1)))
    for m in _SECRET.finditer(text):
        mid = m.group("mid")
        if re.search(r"\d{3,}|https?://", mid):
            continue
        s = m.start("val")
        raw = text[s:]
        # an OTP written in groups: "771 204", "306 118"
        otp = re.match(r"(\d{3,4}(?:[ \-]\d{2,4}){1,2})(?![\w])", raw)
        val = otp.group(1) if otp else _clean_value(m.group("val"))
        if not val or fold(val) in _SECRET_STOP or set(val) <= set(".…-_*x"):
            continue
        if not otp and len(val) < 4:
            continue
        if not otp and not re.search(r"\d|[^\w]|_", val) and (val.islower() or val.istitle()) and len(val) < 8:
            continue  # an ordinary word ("mật khẩu là gì", "password is required")
        out.append(Match("pii.secret", s, s + len(val), 0.97, val))  # the keyword names it: beats "ngân hàng"
    return out


def find_text_pii(text: str, want=lambda t: True) -> list[Match]:
    out: list[Match] = []
    for typ, fn in (("pii.bhyt", find_bhyt), ("pii.plate", find_plates), ("pii.secret", find_secrets),
                    ("pii.dob", find_dobs), ("pii.address", find_addresses), ("pii.name", find_names)):
        if want(typ):
            out += fn(text)
    return out
