"""Vietnamese personal-data recognisers (offline, regular expressions + validators + context).

Types: ``pii.cccd`` (12-digit citizen ID, province prefix 001–096 per Circular 07/2016/TT-BCA,
amended by Circular 59/2021/TT-BCA), ``pii.cmnd`` (9-digit old ID, needs a context word),
``pii.phone`` (mobile 03x/05x/07x/08x/09x, landline 02xx, with ``+84``/``84``/``0``),
``pii.email``, ``pii.tax_code`` (MST: 10 digits or 10-3; the check digit raises confidence,
never suppresses), ``pii.bank_account`` (digits after "STK", "số tài khoản", a bank name),
``pii.passport`` (letter + 7 digits after "hộ chiếu"/"passport").

Look-alikes that are *not* personal data: document numbers (``12/2024/NĐ-CP``), dates,
amounts of money (``1.500.000 đồng``), article numbers, case codes, years. Every number
glued to ``/`` or to letters, or followed by a currency word, is left alone.

The personal data people write in words (Decree 13/2023/NĐ-CP, Article 2: name, date of birth, address,
vehicle plate and health-insurance number are basic personal data) are in :mod:`assistant.guard.pii_text`:
``pii.name``, ``pii.address``, ``pii.dob``, ``pii.bhyt``, ``pii.plate`` and ``pii.secret`` (passwords, keys,
tokens, OTPs: not personal data in the Decree's sense, but never to be sent out or quoted back).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# Province/city codes of the 12-digit citizen ID (Circular 07/2016/TT-BCA, Annex; Circular 59/2021/TT-BCA).
CCCD_PROVINCES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 037 038 "
    "040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 077 079 080 082 "
    "083 084 086 087 089 091 092 093 094 095 096".split()
)
# Mobile prefixes after the 2018 renumbering (0 + two digits).
MOBILE_PREFIXES = frozenset(
    ["032", "033", "034", "035", "036", "037", "038", "039", "052", "055", "056", "058", "059",
     "070", "076", "077", "078", "079", "081", "082", "083", "084", "085", "086", "087", "088", "089",
     "090", "091", "092", "093", "094", "096", "097", "098", "099"]
)
MST_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)

PII_TYPES = ("pii.cccd", "pii.cmnd", "pii.phone", "pii.email", "pii.tax_code", "pii.bank_account", "pii.passport",
             "pii.name", "pii.address", "pii.dob", "pii.bhyt", "pii.plate", "pii.secret")
PLACEHOLDER = {"pii.cccd": "CCCD", "pii.cmnd": "CMND", "pii.phone": "PHONE", "pii.email": "EMAIL",
               "pii.tax_code": "MST", "pii.bank_account": "STK", "pii.passport": "PASSPORT",
               "pii.name": "NAME", "pii.address": "ADDRESS", "pii.dob": "DOB", "pii.bhyt": "BHYT",
               "pii.plate": "PLATE", "pii.secret": "SECRET"}
# Personal data written in words rather than digits: the user's own value is recognised by its text.
TEXT_TYPES = frozenset({"pii.name", "pii.address", "pii.secret", "pii.plate"})

_L = r"(?<![\w/.,+\-])"  # left edge: not glued to a word, a slash, a decimal point or a sign
_R = r"(?![\w/]|[.,\-]\d)"  # right edge: same
_SEP = r"[ .\-]?"

_CCCD = re.compile(_L + r"(\d{3}" + _SEP + r"\d{3}" + _SEP + r"\d{3}" + _SEP + r"\d{3}|\d{4}[ .\-]\d{4}[ .\-]\d{4})" + _R)
_NINE = re.compile(_L + r"(\d{3}" + _SEP + r"\d{3}" + _SEP + r"\d{3})" + _R)
_MOBILE = re.compile(r"(?<![\w/.,\-+])((?:\+84|\(\+84\)|84|0)[ .\-]?[35789]\d(?:[ .\-]?\d){7})" + _R)
_LANDLINE = re.compile(r"(?<![\w/.,\-+])((?:\+84|84|0)[ .\-]?\(?2\d{1,2}\)?(?:[ .\-]?\d){7,8}|\(0?2\d{1,2}\)[ .\-]?(?:\d[ .\-]?){6,7}\d)" + _R)
_EMAIL = re.compile(r"(?<![\w.+\-])([A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})")
_MST = re.compile(_L + r"(\d{10}(?:[ ]?-[ ]?\d{3})?)" + r"(?![\w/]|[.,]\d|-\d)")
_ACCOUNT = re.compile(_L + r"(\d(?:[ .\-]?\d){5,18})" + _R)
_PASSPORT = re.compile(r"(?<![\w/])([A-Z] ?\d{7})(?![\w/])")
_PHONE_PAIR = re.compile(r"(?<![\w/.,])(0\d{9})\s*/\s*(0\d{9})(?![\w/])")  # "0912345678/0987654321"

_MONEY_AFTER = re.compile(r"\s*(?:đồng|đ\b|vnđ|vnd|usd|triệu|tỷ|nghìn|ngàn|%|m2|m²|km|kg|ha)", re.I)

_CTX = {
    "pii.cccd": ["cccd", "căn cước", "can cuoc", "định danh", "citizen id", "citizen identity", "id card", "số cc",
                 "id number", "id no", "national id", "identity number", "identification number"],
    "pii.cmnd": ["cmnd", "cmtnd", "chứng minh", "chung minh", "số cm", "identity card", "id card"],
    "pii.phone": ["điện thoại", "đt", "sđt", "số máy", "di động", "liên hệ", "zalo", "phone", "tel", "hotline", "mobile", "gọi"],
    "pii.tax_code": ["mst", "mã số thuế", "ma so thue", "mã thuế", "tax code", "tax id", "taxpayer id", "mã số doanh nghiệp"],
    "pii.bank_account": ["stk", "số tài khoản", "so tai khoan", "tài khoản số", "số tk", "tk số", "tài khoản ngân hàng",
                         "tài khoản", "tai khoan", "mb",
                         "chuyển khoản", "account", "vietcombank", "vietinbank", "bidv", "agribank", "techcombank",
                         "mbbank", "mb bank", "ngân hàng", "acb", "vpbank", "sacombank", "tpbank", "vib", "shb",
                         "hdbank", "ocb", "seabank", "msb", "eximbank", "lpbank", "kienlongbank", "nam a bank"],
    "pii.passport": ["hộ chiếu", "ho chieu", "passport", "số hc"],
}
# Words in front of a number that make it something else (a document, an article, a case, a code).
_NOT_PII_BEFORE = re.compile(r"(?:điều|khoản|số hiệu|mã hồ sơ|mã vụ|bản án|mã số hồ sơ|năm|article|mã bưu chính|mã ngành|"
                             r"biên nhận|biên lai|hóa đơn|mã giao dịch|mã tra cứu|số phiếu|mã vận đơn|mã đơn hàng|"
                             r"invoice|receipt|transaction)\s*(?:số)?\s*[:.]?\s*$", re.I)


@dataclass
class Match:
    type: str
    start: int
    end: int
    score: float
    value: str


def digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def valid_cccd(value: str) -> bool:
    d = digits(value)
    return len(d) == 12 and d[:3] in CCCD_PROVINCES


def mst_check_ok(value: str) -> bool:
    d = digits(value)[:10]
    if len(d) != 10:
        return False
    s = sum(int(c) * w for c, w in zip(d[:9], MST_WEIGHTS))
    check = 10 - s % 11
    return check < 10 and check == int(d[9])


def normalise_phone(value: str) -> str:
    d = digits(value)
    if d.startswith("84") and len(d) in (11, 12) and not value.lstrip().startswith("0"):
        d = "0" + d[2:]
    return d


def valid_phone(value: str) -> bool:
    d = normalise_phone(value)
    if len(d) == 10 and d[:3] in MOBILE_PREFIXES:
        return True
    return len(d) == 11 and d.startswith("02")


def _context(text: str, start: int, end: int, kind: str, before: int = 45, after: int = 25) -> bool:
    window = (text[max(0, start - before):start] + " " + text[end:end + after]).lower()
    return any(re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", window) for w in _CTX[kind])


def _context_before(text: str, start: int, kind: str, before: int = 45) -> bool:
    window = text[max(0, start - before):start].lower()
    last = None
    for last in re.finditer(r"\d{3,}", window):
        pass
    if last is not None:  # the label must belong to this number, not to an earlier one
        window = window[last.end():]
    return any(re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", window) for w in _CTX[kind])


# An agency's functional mailbox (README of the data: not personal): "gopy@…", "vanthu@…", "info@…".
_FUNCTIONAL_LOCAL = frozenset("gopy info contact lienhe vanthu tiepdan tiepcongdan hotro support admin webmaster noreply "
                              "no-reply phananh motcua bbt banbientap toasoan cskh hoidap dichvucong hopthu office "
                              "vanphong ubnd mail news tintuc kiennghi baochi".split())


def functional_mailbox(addr: str) -> bool:
    local, _, domain = addr.lower().partition("@")
    webmail = domain.split(".")[0] in ("gmail", "yahoo", "hotmail", "outlook", "icloud", "live")
    return not webmail and re.sub(r"[\d._]", "", local) in _FUNCTIONAL_LOCAL


def _money_after(text: str, end: int) -> bool:
    return bool(_MONEY_AFTER.match(text, end))


def _not_pii_before(text: str, start: int) -> bool:
    return bool(_NOT_PII_BEFORE.search(text[max(0, start - 25):start]))


def pii_labels(types) -> dict:
    """The human words for personal-data types, both languages: ``{"vi": "họ tên, số căn cước", "en": …}``."""
    from assistant.messages import t

    order = {t_: i for i, t_ in enumerate(PII_TYPES)}
    ts = sorted({x if x.startswith("pii.") else "pii." + x for x in types}, key=lambda x: order.get(x, 99))
    return {lang: ", ".join(t(f"guard.label.{x}", lang) if x in PLACEHOLDER else x.split(".", 1)[1] for x in ts)
            for lang in ("vi", "en")}


def pii_message(key: str, types, **kw) -> dict:
    """The message ``key`` in both languages, its ``{types}`` filled with the human words of ``types``."""
    from assistant.messages import t

    labels = pii_labels(types)
    return {lang: t(key, lang, types=labels[lang], **kw) for lang in ("vi", "en")}


def find_pii(text: str, types: set[str] | None = None) -> list[Match]:
    """All personal data in ``text``, non-overlapping, sorted by position."""
    out: list[Match] = []
    want = (lambda t: True) if types is None else (lambda t: t in types)

    if want("pii.email"):
        for m in _EMAIL.finditer(text):
            if not functional_mailbox(m.group(1)):
                out.append(Match("pii.email", m.start(1), m.end(1), 0.95, m.group(1)))

    for m in _MOBILE.finditer(text):
        v = m.group(1)
        if valid_phone(v) and not _money_after(text, m.end(1)):
            score = 0.95 if _context(text, m.start(1), m.end(1), "pii.phone") else 0.85
            out.append(Match("pii.phone", m.start(1), m.end(1), score, v))
    for m in _LANDLINE.finditer(text):
        v = m.group(1)
        if valid_phone(v) and not _money_after(text, m.end(1)):
            score = 0.95 if _context(text, m.start(1), m.end(1), "pii.phone") else 0.8
            out.append(Match("pii.phone", m.start(1), m.end(1), score, v))

    for m in _PHONE_PAIR.finditer(text):
        for g in (1, 2):
            if valid_phone(m.group(g)):
                out.append(Match("pii.phone", m.start(g), m.end(g), 0.9, m.group(g)))

    for m in _CCCD.finditer(text):
        v = m.group(1)
        if _money_after(text, m.end(1)) or _not_pii_before(text, m.start(1)):
            continue
        ctx = _context(text, m.start(1), m.end(1), "pii.cccd")
        if not ctx and _context_before(text, m.start(1), "pii.cmnd"):
            out.append(Match("pii.cmnd", m.start(1), m.end(1), 0.9, v))  # 12-digit CMND (2012-2016)
        elif valid_cccd(v):
            out.append(Match("pii.cccd", m.start(1), m.end(1), 0.97 if ctx else 0.85, v))
        elif ctx and len(digits(v)) == 12:
            out.append(Match("pii.cccd", m.start(1), m.end(1), 0.6, v))  # named as an ID but the province code is unknown
        elif _context_before(text, m.start(1), "pii.cmnd"):
            out.append(Match("pii.cmnd", m.start(1), m.end(1), 0.8, v))  # 12-digit CMND (2012-2016)

    for m in _NINE.finditer(text):
        if _context_before(text, m.start(1), "pii.cmnd") and not _money_after(text, m.end(1)):
            out.append(Match("pii.cmnd", m.start(1), m.end(1), 0.9, m.group(1)))

    for m in _MST.finditer(text):
        v = m.group(1)
        if _money_after(text, m.end(1)) or _not_pii_before(text, m.start(1)):
            continue
        ctx = _context_before(text, m.start(1), "pii.tax_code", before=60)
        ok = mst_check_ok(v)
        if ctx:
            out.append(Match("pii.tax_code", m.start(1), m.end(1), 0.97 if ok else 0.85, v))
        elif "-" in v and (ok or not valid_phone(v[:10])):
            # 10-3: a dependent unit or an extra business location (the shape itself is the tax code's)
            out.append(Match("pii.tax_code", m.start(1), m.end(1), 0.8 if ok else 0.7, v))
        elif ok and not valid_phone(v) and not _context(text, m.start(1), m.end(1), "pii.bank_account"):
            out.append(Match("pii.tax_code", m.start(1), m.end(1), 0.55, v))

    for m in _ACCOUNT.finditer(text):
        v = m.group(1)
        nd = len(digits(v))
        if nd < 6 or nd > 19 or _money_after(text, m.end(1)):
            continue
        if _context_before(text, m.start(1), "pii.bank_account", before=40) or (
                nd >= 8 and _context(text, m.start(1), m.end(1), "pii.bank_account", before=0, after=20)):
            if _context_before(text, m.start(1), "pii.tax_code", before=15) or _context_before(text, m.start(1), "pii.cccd", before=15):
                continue
            out.append(Match("pii.bank_account", m.start(1), m.end(1), 0.96, v))

    for m in _PASSPORT.finditer(text):
        if _context(text, m.start(1), m.end(1), "pii.passport", before=45, after=10):
            out.append(Match("pii.passport", m.start(1), m.end(1), 0.95, m.group(1)))

    from assistant.guard import pii_text

    out += pii_text.find_text_pii(text, want)
    out = [m for m in out if want(m.type)]
    return _resolve(out)


def _resolve(matches: list[Match]) -> list[Match]:
    """Keep the best match where several overlap (higher score, then longer)."""
    matches.sort(key=lambda m: (-m.score, -(m.end - m.start), m.start))
    kept: list[Match] = []
    for m in matches:
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    kept.sort(key=lambda m: m.start)
    return kept
