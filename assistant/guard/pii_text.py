"""Personal data written in words: names, addresses, dates of birth, BHYT numbers, plates, secrets.

Decree 13/2023/NĐ-CP (Article 2) lists a person's name, date of birth, address, vehicle plate and
health-insurance card number among basic personal data. Passwords, keys, tokens and OTP codes are not
personal data in the Decree's sense, but they must never leave the agency or be quoted back either.

- ``pii.name``: in :mod:`assistant.guard.pii_names`.
- ``pii.address``: a chain of address parts (số nhà, ngõ / ngách / hẻm / kiệt, đường / phố, tổ / khu phố /
  thôn / xóm / ấp / bản, phường / xã, quận / huyện, tỉnh / thành phố) with at least one part that points to
  a house or a neighbourhood; an agency's seat ("trụ sở … tại số 1 đường Lê Lợi") is not personal.
- ``pii.dob``: a date after "sinh ngày", "ngày sinh", "DOB", "born on" … (dates in headers are not).
- ``pii.bhyt``: 2 letters (beneficiary group) + 1 digit (benefit level) + 2 digits (province) + 10 digits.
- ``pii.plate``: "29A-123.45", "51F1-234.56", "30E 567.89" (older 4- and 5-digit plates with a context word).
- ``pii.secret``: the value after "mật khẩu", "pass", "password", "mã OTP", "token", "API key" … and keys
  with a known shape (``sk-…``, ``ghp_…``, ``AKIA…``) anywhere.
"""
from __future__ import annotations

import re

from assistant.guard.pii import Match
from assistant.guard.pii_names import find_names, fold

# ---------------------------------------------------------------------------------------------- address
_NAMEW = r"(?:[A-ZĐÀ-Ỹ][^\W_]*|\d+[A-Z]?)"  # a capitalised word or a number ("Bình Hưng Hòa A", "phường 7")
_PLACE_NAME = rf"{_NAMEW}(?:[ \u00a0]{_NAMEW}){{0,4}}"
_PLACE_WORDS = rf"[A-ZĐÀ-Ỹ][^\W_]*(?:[ \u00a0]{_NAMEW}){{0,4}}"  # a name that starts with a word, not a number
_NUM = r"\d+[A-Za-z]?(?:/\d+[A-Za-z]?)*"
_COMPONENTS = [
    ("house", rf"(?i:nhà\s+số|số\s+nhà|căn\s+hộ(?:\s+số)?|ki[- ]?ốt(?:\s+số)?|lô(?:\s+số)?)\s*{_NUM}(?![\w/])"),
    ("numstreet", rf"(?:(?i:số)\s*)?{_NUM}[ \u00a0]+(?!(?i:ngõ|ngách|hẻm|kiệt|đường|phố|tổ|khu|thôn|xóm|ấp|bản|phường|xã|"
                  rf"quận|huyện|thị|tỉnh|thành|tp|tòa|chợ|làng|lô)(?!\w)){_PLACE_WORDS}"),
    ("num", rf"(?i:số)\s*{_NUM}(?![\w/]|[.,]\d)"),
    ("lane", rf"(?i:ngõ|ngách|hẻm|kiệt)(?:\s+(?i:số))?\s*(?:{_NUM}(?![\w/])|{_PLACE_NAME})"),
    ("street", rf"(?i:đường|phố|đại\s+lộ)\s+(?:(?i:số)\s*\d+(?!\w)|{_PLACE_NAME})"),
    ("group", rf"(?i:tổ\s+dân\s+phố|tổ|khu\s+phố|khu\s+đô\s+thị|khu\s+tập\s+thể|khu\s+dân\s+cư|thôn|xóm|ấp|bản|làng|"
              rf"khóm|buôn|chợ|tòa\s+nhà|tòa|toà|chung\s+cư|block)(?:\s+(?i:số))?\s*(?:{_NUM}(?![\w/])|[A-Z]{{1,3}}\d+\w*|{_PLACE_NAME})"),
    ("ward", rf"(?i:phường|xã|thị\s+trấn)\s+(?:{_NUM}(?![\w/])|{_PLACE_NAME})"),
    ("district", rf"(?i:quận|huyện|thị\s+xã)\s+(?:{_NUM}(?![\w/])|{_PLACE_NAME})"),
    ("city", rf"(?i:thành\s+phố|tp\.?|tỉnh)\s*{_PLACE_NAME}"),
]
# English (and unaccented Vietnamese) forms, as trainees write a Vietnamese address in English: the kind word
# follows the name ("Hang Bong Street", "Tan My Ward", "Go Vap District", "Binh Loi Hamlet") or precedes a
# number ("Ward 5", "District 7", "Alley 34", "Group 6", "No. 9", "Room 5"); kinds as above, marked "_en"
_S = r"[ \u00a0]+"
_NUM_EN = r"[A-Z]?\d+[A-Za-z]?(?:/\d+[A-Za-z]?)*"
_STREET_EN = r"(?i:street|st\.?|road|rd\.?|avenue|ave\.?|boulevard|blvd\.?|highway)(?!\w)"
_COMPONENTS_EN = [
    ("house_en", rf"(?i:no\.?|number|house|flat|apartment|apt\.?|room|unit|lot|kiosk){_S}?{_NUM}(?:\.\d+)?(?![\w/])"
                 rf"|\d+(?i:st|nd|rd|th){_S}(?i:floor)(?!\w)|(?i:floor){_S}\d+(?!\w)"),
    ("numstreet_en", rf"{_NUM_EN}{_S}(?:{_PLACE_WORDS}{_S}{_STREET_EN}|(?:[^\W\d_]+{_S}){{1,5}}?{_STREET_EN})"),
    ("street_en", rf"{_PLACE_NAME}{_S}{_STREET_EN}"),
    ("lane_en", rf"(?i:alley|lane|hem|ngo|ngach|kiet){_S}{_NUM}(?![\w/])|{_PLACE_NAME}{_S}(?i:alley|lane)(?!\w)"),
    ("group_en", rf"(?i:residential{_S}group|group|quarter|hamlet|village|block|building|tower|xom|ap|thon|khu{_S}pho)"
                 rf"{_S}(?:{_NUM}(?![\w/])|[A-Z]{{1,3}}\d+\w*|{_PLACE_NAME})"
                 rf"|{_PLACE_NAME}{_S}(?i:hamlet|village|quarter|tower|residence|apartments)(?!\w)"),
    ("ward_en", rf"(?i:ward|commune){_S}{_NUM}(?![\w/])|(?i:phuong|xa|thi{_S}tran){_S}{_PLACE_NAME}"
                rf"|{_PLACE_NAME}{_S}(?i:ward|commune|township|town)(?!\w)"),
    ("district_en", rf"(?i:district|dist\.){_S}?{_NUM}(?![\w/])|(?i:quan|huyen){_S}{_PLACE_NAME}"
                    rf"|{_PLACE_NAME}{_S}(?i:district)(?!\w)"),
    ("city_en", rf"{_PLACE_NAME}{_S}(?i:city|province)(?!\w)|(?i:hcmc|hanoi|saigon)(?!\w)"),
]
# after a separator, a part may be written in lower case ("12A nguyen van troi st, ward 8, phu nhuan district")
_COMPONENTS_EN_LOWER = [
    ("ward_en", rf"(?:[^\W\d_]+{_S}){{1,4}}?(?i:ward|commune)(?!\w)"),
    ("district_en", rf"(?:[^\W\d_]+{_S}){{1,4}}?(?i:district)(?!\w)"),
    ("city_en", rf"(?:[^\W\d_]+{_S}){{1,4}}?(?i:city|province)(?!\w)"),
]
_COMP = [(kind, re.compile(rx)) for kind, rx in _COMPONENTS + _COMPONENTS_EN]
_COMP_NEXT = _COMP + [(kind, re.compile(rx)) for kind, rx in _COMPONENTS_EN_LOWER]
_ANY_COMP = re.compile("|".join(f"(?:{rx})" for _k, rx in _COMPONENTS + _COMPONENTS_EN))
_ADDR_SEP = re.compile(r"[ \u00a0]*,[ \u00a0]*|[ \u00a0]*[–-][ \u00a0]*(?=\S)|[ \u00a0]+in[ \u00a0]+(?=[A-Z])|[ \u00a0]+")
_CITIES = [fold(x) for x in (
    "Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế", "TP. Hồ Chí Minh", "TP.HCM", "TP HCM", "Hồ Chí Minh",
    "Sài Gòn", "An Giang", "Bà Rịa - Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre",
    "Bình Định", "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Đắk Lắk", "Đắk Nông",
    "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Tĩnh", "Hải Dương", "Hậu Giang",
    "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai",
    "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam",
    "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên",
    "Thanh Hóa", "Thừa Thiên Huế", "Tiền Giang", "Trà Vinh", "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
    "Hanoi", "HCMC", "HCM", "Saigon", "Ho Chi Minh City")]
# The address of an agency's office: said as its seat, in the same clause.
_AGENCY_SEAT = re.compile(r"(?:ủy\s+ban\s+nhân\s+dân|ubnd|hđnd|bộ\s+phận\s+(?:một\s+cửa|tiếp\s+nhận)|(?<!\w)sở\s+[A-ZĐ]|"
                          r"phòng\s+[A-ZĐ]|(?<!\w)cục|kho\s+bạc|bệnh\s+viện|trạm\s+y\s+tế|trung\s+tâm|cơ\s+quan|"
                          r"ban\s+quản\s+lý|đảng\s+ủy|mặt\s+trận)(?![^.;\n]*(?:ở|ngụ|cư\s+trú|trú|nhà)\s)|trụ\s+sở|đặt\s+tại|đóng\s+tại|có\s+địa\s+chỉ\s+tại|địa\s+chỉ\s+(?:cơ\s+quan|trụ\s+sở)|"
                          r"nơi\s+tiếp\s+(?:công\s+dân|nhận)|địa\s+điểm\s+tiếp|làm\s+việc\s+tại|head\s*office|"
                          r"(?:ubnd|ủy\s+ban|sở|phòng|cục|chi\s+cục|công\s+an|trung\s+tâm|bộ\s+phận\s+một\s+cửa|"
                          r"cơ\s+quan|bệnh\s+viện|trạm\s+y\s+tế|kho\s+bạc|chi\s+nhánh|văn\s+phòng)\b[^.;\n]{0,40}?"
                          r"\b(?:tại|ở|địa\s+chỉ)\s*:?\s*$", re.I)
_PERSONAL_CUE = re.compile(r"(?<!\w)(?:nhà|hộ|ông|bà|anh|chị|em|cháu|tôi|mình|gia\s+đình|ngụ|cư\s+trú|thường\s+trú|"
                           r"tạm\s+trú|trú\s+tại|chỗ\s+ở|nơi\s+ở|quê|sống|quán|cửa\s+hàng|kinh\s+doanh)(?!\w)", re.I)
_RESIDENCE = re.compile(r"(?:(?:ở|ngụ|cư\s+trú|thường\s+trú|tạm\s+trú|trú|sống|nơi\s+ở|chỗ\s+ở|địa\s+chỉ|quê\s+quán)"
                        r"(?:\s+(?:tại|hiện\s+nay|hiện\s+tại))?"
                        r"|(?<!\w)(?:live[sd]?|living|reside[sd]?|residing|resident\s+of|stay(?:s|ed|ing)?|moved|address(?:\s+is)?|"
                        r"residence|home|grew\s+up|renting\s+a\s+room)(?:\s+(?:at|in|on|to))?)\s*[:：]?\s*$", re.I)
# English: an agency's or a business's place said in the clause before the address
_AGENCY_SEAT_EN = re.compile(r"(?<!\w)(?:people'?s\s+committee|committee|one-stop|desk|office|police|station|hospital|clinic|"
                             r"school|university|market|supermarket|mart|bakery|pharmacy|shop|store|restaurant|caf[eé]|hotel|salon|garage|company|bank|branch|"
                             r"cent(?:re|er)|cultural\s+house|library|museum|headquarters|located\s+at|based\s+at)(?!\w)", re.I)
_PERSONAL_CUE_EN = re.compile(r"(?<!\w)(?:my|his|her|our|their|i|i'm|we|live[sd]?|living|reside[sd]?|residing|resident|"
                              r"stay(?:s|ed|ing)?|home|family|mr|mrs|ms|miss|tenant|applicant|citizen)(?!\w)", re.I)
_STRONG = {"house", "lane", "group", "numstreet"}


def _clause_before(text: str, start: int) -> str:
    """The clause before ``start``; a single line break (a PDF's wrapped line) does not end it."""
    seg = text[max(0, start - 120):start]
    cut = max([seg.rfind(c) for c in ".;!?"] + [seg.rfind("\n\n")])
    return (seg[cut + 1:] if cut >= 0 else seg).replace("\n", " ")


def find_addresses(text: str) -> list[Match]:
    out: list[Match] = []
    pos = 0
    n = len(text)
    while pos < n:
        m = _ANY_COMP.search(text, pos)
        if not m:
            break
        start = m.start()
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            pos = start + 1
            continue
        parts: list[tuple[str, int, int]] = []
        cur = start
        after_comma = False
        while True:
            got = None
            for kind, rx in (_COMP_NEXT if after_comma else _COMP):
                mm = rx.match(text, cur)
                if mm and (got is None or mm.end() > got[2]):
                    got = (kind, mm.start(), mm.end())
            if got is None:
                break
            parts.append(got)
            sep = _ADDR_SEP.match(text, got[2])
            if not sep:
                break
            after_comma = "," in sep.group()
            cur = sep.end()
        if not parts:
            pos = start + 1
            continue
        english = all(p[0].endswith("_en") for p in parts)
        parts = [(p[0].removesuffix("_en"), p[1], p[2]) for p in parts]
        # "12 Lê Lợi" / "số 10 Tôn Thất Thuyết" is a house on a street only at the head of a chain that names the
        # ward or the district, or after "ở", "địa chỉ:" …; elsewhere it is a number and a name
        parts = [p for i, p in enumerate(parts) if p[0] != "numstreet" or (
            i == 0 and (any(q[0] in ("ward", "district") for q in parts[1:])
                        or _RESIDENCE.search(text[max(0, p[1] - 30):p[1]])))]
        if parts and parts[0][0] == "numstreet" and len(parts) == 1:
            parts = parts + [("street", parts[0][2], parts[0][2])]
        # "số 12" counts only when a lane or a street follows ("số 12 ngõ 45", "số 1 đường Lê Lợi")
        while parts and parts[0][0] == "num" and (len(parts) < 2 or parts[1][0] not in ("lane", "street")):
            parts = parts[1:]
        parts = [p for i, p in enumerate(parts) if not (p[0] == "num" and i > 0 and parts[i - 1][0] != "house"
                                                         and (i + 1 >= len(parts) or parts[i + 1][0] not in ("lane", "street")))] \
            if parts else parts
        end = parts[-1][2] if parts else m.end()
        if len(parts) >= 2:
            kinds = {p[0] for p in parts}
            s = parts[0][1]
            ok = bool(kinds & (_STRONG | {"num"}))
            if not ok and kinds & {"ward", "district"} and _RESIDENCE.search(text[max(0, s - 30):s]):
                ok = True
            if ok and english and not kinds & {"numstreet", "street", "lane", "ward", "district"}:
                ok = False  # "Room 5, Building A2": a room in a building, not yet a home address
            if ok:
                e = _trailing_city(text, parts[-1][2])
                clause = _clause_before(text, s)
                seat = _AGENCY_SEAT.search(clause)
                if seat:
                    after = clause[seat.end():]
                    if not _PERSONAL_CUE.search(after):
                        pos = e
                        continue
                seat = None
                for seat in _AGENCY_SEAT_EN.finditer(clause):
                    pass
                if seat and not _PERSONAL_CUE_EN.search(clause[seat.end():]):
                    pos = e
                    continue
                # a place name's capitalised tail must not swallow the next sentence's first word
                out.append(Match("pii.address", s, e, 0.85, text[s:e]))
                pos = e
                continue
        pos = max(end, start + 1)
    return out


def _trailing_city(text: str, end: int) -> int:
    m = re.match(r"[ \u00a0]*,[ \u00a0]*((?:(?:TP\.?|[Tt]hành phố|[Tt]ỉnh)[ \u00a0]*)?[^\W\d_][^,.;\n]{1,30})", text[end:end + 40])
    if m:
        cand = fold(m.group(1))
        for c in sorted(_CITIES, key=len, reverse=True):
            if re.sub(r"^(?:tp\.?|thanh pho|tinh)\s*", "", cand).startswith(c):
                stripped = re.sub(r"^(?:tp\.?|thanh pho|tinh)\s*", "", cand)
                tail = len(m.group(1)) - (len(stripped) - len(c))
                nxt = m.group(1)[tail:tail + 1]
                if not nxt or not nxt.isalnum():
                    return end + m.start(1) + tail
    return end


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
