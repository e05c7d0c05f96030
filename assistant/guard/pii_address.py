"""A person's address, in Vietnamese or in English (``pii.address``).

Decree 13/2023/NĐ-CP (Article 2) lists a person's address among basic personal data. An address is a chain
of address parts (số nhà, ngõ / ngách / hẻm / kiệt, đường / phố, tổ / khu phố / thôn / xóm / ấp / bản,
phường / xã, quận / huyện, tỉnh / thành phố; "No. 9", "Lane 12", "Ward 5, District 7") with at least one part
that points to a house or a neighbourhood; an agency's seat ("trụ sở … tại số 1 đường Lê Lợi", "the ward
People's Committee at 1 Le Loi street") or a shop's is not personal.
"""
from __future__ import annotations

import re

from assistant.guard.pii import Match
from assistant.guard.pii_names import fold

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
