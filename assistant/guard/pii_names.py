"""Person names in Vietnamese and English text (``pii.name``): the name only, never the honorific.

Found after honorifics (ông / bà / anh / chị / em / cô / chú / cháu / bác / đồng chí, Mr / Mrs / Ms / Dr), after
form fields ("Họ và tên:", "Người nộp:", "Người liên hệ:", "chủ tài khoản" …), as a vocative ("Minh ơi"), and as
a bare full name of three or more capitalised syllables starting with a common surname ("Nguyễn Văn An"; in
capitals only as a line of its own, a signature). Not names: officials' titles ("Phó Chủ tịch"), agency names
("Sở Nội vụ", "Phòng Tư pháp"), places named after people ("phố Trần Hưng Đạo", "Trường THPT Nguyễn Thị Minh
Khai", "phường Lý Thái Tổ", "số 10 Tôn Thất Thuyết"), historical figures named alone ("Hồ Chí Minh").
A lone given name after an honorific counts when the sentence runs on ("chị Huyền gọi …"), not when a comma
sets it off ("Ông An, CCCD …").
"""
from __future__ import annotations

import re
import unicodedata

from assistant.guard.pii import Match


def fold(s: str) -> str:
    """Lower case without diacritics ("Nguyễn" -> "nguyen", "Đ" -> "d")."""
    s = s.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn").lower()


# ------------------------------------------------------------------------------------------------ names
# Common Vietnamese surnames (compared without diacritics, so "Nguyen", "NGUYỄN" and "Nguyễn" are one).
_SURNAME_WORDS = """
Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Lã Lại Lâm Lương Lưu Lục Lò Ma Mai
Nông Phí Phùng Quách Tạ Tô Tăng Thân Trương Trịnh Vi Hà Hứa Giang Đinh Đoàn Đào Đồng Cao Châu Chu Cù Diệp
Doãn Đàm Kiều Khổng Khúc Kim La Lạc Lều Mạc Mẫn Nghiêm Ninh Phó Quan Sầm Thái Thạch Tiêu Tống Triệu Từ Ứng
Vương Âu Bạch Bế Cấn Cung Hầu Khương Khuất Lỗ Mông Nhữ Quản Tôn Trình Vưu Xa Hàn Hoa Viên Văn Yên
Lạng Mã Thiều Thi Trang Tất Hán Hồng Ông Phương Lư Lộc
""".split()
# compared as written (lower case) when a word has diacritics, without them when it has none: "Nguyen" is
# "Nguyễn", but "Nguyên" is not
_SURNAMES = {fold(x) for x in _SURNAME_WORDS} | {x.lower() for x in _SURNAME_WORDS}
# Syllables that commonly stand second in a name: a bare run in capitals ("NGUYEN VAN AN") needs one.
_MIDDLE_WORDS = """
Văn Thị Hữu Đức Công Quang Minh Thanh Ngọc Hoàng Xuân Đình Trọng Quốc Thu Kim Hồng Bảo Gia Anh Tiến Mạnh Duy
Hải Thế Như Phương Tuấn Thành Hoài Diệu Bích Mỹ Khánh Nhật Tấn Trung Vĩnh Viết Bá Huy Đăng Thùy Thúy Lan
Hà Hoa Mai Tuyết Kiều Quỳnh Cẩm Ánh Thái Phúc Khắc Tường Sỹ Sĩ Chí Đại Hùng Tiểu Nữ Long Sơn Tú Hạnh Hương
""".split()
_MIDDLE = {fold(x) for x in _MIDDLE_WORDS} | {x.lower() for x in _MIDDLE_WORDS}
# Places and historical figures that streets, schools and wards are named after (not a person in the text).
_FIGURES = {fold(x) for x in [
    "Hồ Chí Minh", "Võ Nguyên Giáp", "Trần Hưng Đạo", "Lê Lợi", "Nguyễn Huệ", "Lý Thái Tổ", "Lý Thường Kiệt",
    "Nguyễn Trãi", "Nguyễn Du", "Lê Duẩn", "Phạm Văn Đồng", "Võ Văn Kiệt", "Tôn Đức Thắng", "Nguyễn Thị Minh Khai",
    "Trần Phú", "Lê Hồng Phong", "Phan Bội Châu", "Phan Chu Trinh", "Phan Châu Trinh", "Nguyễn Văn Cừ",
    "Hoàng Hoa Thám", "Hoàng Văn Thụ", "Lê Thánh Tông", "Trần Quốc Toản", "Nguyễn Đình Chiểu", "Lê Văn Sỹ",
    "Nguyễn Văn Linh", "Nguyễn Văn Trỗi", "Võ Thị Sáu", "Lê Thị Riêng", "Nguyễn Chí Thanh", "Phạm Ngũ Lão",
    "Trần Quang Khải", "Trần Nhân Tông", "Lê Quý Đôn", "Chu Văn An", "Nguyễn Bỉnh Khiêm", "Lạc Long Quân",
    "Hai Bà Trưng", "Bà Triệu", "Đinh Tiên Hoàng", "Ngô Quyền", "Lý Tự Trọng", "Hoàng Diệu", "Trần Khánh Dư",
    "Nguyễn Thái Học", "Phan Đình Phùng", "Phan Đình Giót", "Tô Hiến Thành", "Lê Văn Lương", "Phạm Hùng",
    "Trường Chinh", "Nguyễn Tất Thành", "Hồ Tùng Mậu", "Hoàng Quốc Việt", "Nguyễn Khánh Toàn", "Trần Duy Hưng",
    "Nguyễn Văn Huyên", "Lê Đức Thọ", "Võ Chí Công", "Nguyễn Hữu Thọ", "Huỳnh Tấn Phát", "Nguyễn Lương Bằng",
]}
_HONORIFICS = ("ông", "bà", "anh", "chị", "em", "cô", "chú", "cháu", "bác", "cụ", "dì", "thím", "mợ", "đồng chí",
               "mr", "mrs", "ms", "miss", "dr", "mister", "madam")
# typed without diacritics ("sdt cua co Lan"): only in a text that has none ("Ba Lan" is Poland)
_HONORIFICS_ASCII = ("ong", "ba", "anh", "chi", "em", "co", "chu", "chau", "bac", "dong chi")
_HONORIFIC_SET = set(_HONORIFICS)
# Words before a capitalised run that make it a place, a school, an agency (compared in lower case).
_PLACE_NOUNS = {x for x in [
    "phố", "đường", "quận", "huyện", "phường", "xã", "thị trấn", "thị xã", "tỉnh", "thành phố", "tp", "tp.",
    "trường", "thpt", "thcs", "tiểu học", "mầm non", "đại học", "học viện", "công viên", "vườn hoa", "chợ",
    "cầu", "nút giao", "ngã tư", "ngã ba", "vòng xoay", "ngõ", "ngách", "hẻm", "kiệt", "tuyến", "đại lộ",
    "khu đô thị", "kđt", "tòa", "tòa nhà", "chung cư", "bệnh viện", "làng", "thôn", "ấp", "xóm", "bản", "khu",
    "khu phố", "nhà văn hóa", "sân vận động", "quảng trường", "bến xe", "ga", "đền", "chùa", "lăng", "bảo tàng",
    "tượng đài", "nhà thi đấu", "thư viện", "hồ", "sông", "núi", "đảo", "cảng", "sân bay", "tư tưởng", "giải",
    "huân chương", "street", "road", "avenue", "district", "ward", "city", "province", "quảng", "khu vực",
    "trạm", "ubnd", "ủy ban", "công an", "đội", "trung tâm", "đoàn", "hội", "quỹ", "mang tên",
    "tên đường", "tên phố", "đặt tên", "tập đoàn", "công ty",
]}
# Capitalised words that start titles, agencies and documents, never a person's given name.
_NOT_NAME_START = {x.lower() for x in """
Phó Chủ Giám Trưởng Chánh Bí Thủ Tổng Thứ Cục Vụ Sở Bộ Phòng Ban Ủy Văn Trung Hội Đoàn Đảng Công Ngân Kho
Tòa Viện Chi Trạm Đội Quận Huyện Phường Xã Tỉnh Thành Ấp Thôn Bản Khu Luật Nghị Quyết Thông Chỉ Kế Điều
Khoản Chương Mục Phụ Quy Tờ Đơn Giấy Biên Báo Công Hướng Danh Hồ Mẫu Phiếu Số Ngày Tháng Năm Kính Căn Nơi
Lưu Nhà Nước Cộng Độc Hạnh Tự Việt Nam Hà Nội Hạn Mã Tên Họ Người Cán Chuyên Kỹ Kiểm Thanh Tra Đại Cơ Sổ
Ông Bà Anh Chị Em Cô Chú Cháu Bác Cụ Mr Mrs Ms Dr Tôi Chúng Các Những Mọi Theo Tại Về Với Đã Đang Sẽ Xin
Đề Đồng Sáng Chiều Tối Thứ Chủ Nhật Hôm Kỳ Đợt Lần Giai Dự Tiểu Hợp Liên Bảo Hỗ Trợ Quốc Toà Vì Nếu Khi Vậy
""".split()}
# Capitalised words that cannot be a given name standing alone after an honorific ("đồng chí Phó …").
_STOP_GIVEN = {x.lower() for x in """
Phó Chủ Giám Trưởng Chánh Bí Thủ Tổng Thứ Cục Vụ Sở Bộ Phòng Ban Ủy Văn Trung Hội Đoàn Đảng Công Ngân Kho
Tòa Viện Chi Trạm Đội Quận Huyện Phường Xã Tỉnh Ấp Thôn Luật Nghị Quyết Thông Chỉ Kế Điều Khoản Chương
Mục Phụ Quy Tờ Đơn Giấy Biên Báo Hướng Danh Hồ Mẫu Phiếu Số Ngày Tháng Kính Căn Nơi Lưu Nhà Nước Việt Nam
Hạn Mã Tên Họ Người Cán Chuyên Kỹ Kiểm Tra Đại Cơ Sổ Tôi Chúng Các Những Mọi Theo Tại Về Với Đã Đang Sẽ Xin
Đề Sáng Chiều Tối Thứ Chủ Nhật Hôm Kỳ Đợt Lần Giai Dự Hợp Liên Bảo Hỗ Trợ Quốc Vì Nếu Khi Vậy Ơi Ạ Nhé Nha
Ông Bà Anh Chị Em Cô Chú Cháu Bác Cụ Mr Mrs Ms Dr Hai Ba Bốn Sáu Bảy Tám Chín Mười
""".split()} - {"hai", "ba", "sáu", "bảy", "tám", "chín", "mười"}  # nicknames by birth order: "chú Năm", "anh Hai"
_FIELD_BEFORE = re.compile(
    r"(?:họ\s*(?:và|,)?\s*tên(?:\s+(?:người|chủ\s+hộ|khai\s+sinh)[\w\s]{0,20}?)?|(?<!\w)tên(?:\s+là)?|tôi\s+tên(?:\s+là)?|"
    r"(?<!\w)(?:tôi|em|mình|con|cháu)\s+(?:là|tên(?:\s+là)?)|"
    r"người\s+(?:nộp(?:\s+hồ\s+sơ|\s+thuế|\s+hộ)?|liên\s+hệ|khiếu\s+nại|tố\s+cáo|phản\s+ánh|kiến\s+nghị|viết\s+đơn|"
    r"đề\s+nghị|yêu\s+cầu|(?:được\s+)?ủy\s+quyền|kê\s+khai|soạn(?:\s+thảo)?|ký|mang|nhận|bệnh|đại\s+diện|"
    r"giám\s+hộ|thuê|bán|mua|lao\s+động|thừa\s+kế|làm\s+đơn|báo\s+tin|điều\s+khiển|vi\s+phạm|tham\s+gia)|"
    r"chủ\s+(?:hộ|tài\s+khoản|tk|sở\s+hữu|xe|phương\s+tiện)|tên\s+(?:chủ\s+tài\s+khoản|người\s+nộp\s+thuế|tài\s+khoản|tk)|"
    r"cán\s+bộ\s+(?:thụ\s+lý|tiếp\s+nhận|phụ\s+trách)|thư\s+ký(?:\s+cuộc\s+họp)?|chủ\s+trì|khách\s+hàng|cử\s+tri|"
    r"công\s+dân|bệnh\s+nhân|học\s+sinh|sinh\s+viên|bên\s+(?:được\s+)?ủy\s+quyền(?:\s+là)?|thông\s+tin\s+người\s+bệnh|"
    r"beneficiary|account\s+(?:holder|name)|full\s+name|(?<!\w)name(?:\s+is)?|applicant|contact\s+person|holder|"
    r"(?<!\w)(?:resident|tenant|foreigner|guest|host|recipient|patient|complainant|petitioner)|"
    r"ho\s+(?:va\s+)?ten|(?<!\w)ten(?:\s+la)?|nguoi\s+nop|chu\s+tai\s+khoan)"
    r"\s*[:：]?\s*(?:là\s+|la\s+)?$", re.I)
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def _is_cap(tok: str) -> bool:
    return tok[:1].isupper() and (tok[1:].islower() or tok.isupper() or len(tok) == 1)


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _runs(text: str, toks) -> list[list[int]]:
    """Maximal runs of capitalised tokens separated by exactly one space."""
    runs, cur = [], []
    for i, (tok, s, _e) in enumerate(toks):
        if _is_cap(tok) and cur and text[toks[cur[-1]][2]:s] in (" ", "\u00a0"):
            cur.append(i)
        elif _is_cap(tok):
            if cur:
                runs.append(cur)
            cur = [i]
        else:
            if cur:
                runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


def _prefix_words(text: str, toks, i: int, n: int = 3) -> list[str]:
    """The up-to-``n`` lower-cased words right before token ``i`` (stopping at punctuation)."""
    out = []
    j = i - 1
    end = toks[i][1]
    while j >= 0 and len(out) < n:
        gap = text[toks[j][2]:end]
        if gap.strip(" \u00a0"):
            break
        out.insert(0, toks[j][0].lower())
        end = toks[j][1]
        j -= 1
    return out


def _ends_with(words: list[str], phrases: set[str]) -> int:
    """Length (in words) of the longest phrase of ``phrases`` that ``words`` end with, 0 if none."""
    for k in range(min(3, len(words)), 0, -1):
        if " ".join(words[-k:]) in phrases:
            return k
    return 0


def _starts_with(words: list[str], phrases: set[str]) -> int:
    for k in range(min(3, len(words)), 0, -1):
        if " ".join(words[:k]) in phrases:
            return k
    return 0


# Words of titles and agency names: "Phó Chủ tịch", "Sở Nội vụ", "Phòng Tư pháp" hold one, names do not.
_TITLE_WORDS = {x.lower() for x in """
Phó Chủ Giám Trưởng Chánh Bí Thủ Tổng Cục Vụ Sở Bộ Phòng Ban Ủy Viện Hội Đảng Ngân Kho Tòa Trạm Đội Quận
Huyện Phường Xã Tỉnh Luật Nghị Điều Khoản Chương Mục Nội Pháp Dục Tế Xây Thương Lịch Nghiệp UBND HĐND
""".split()}
# a place word that is also a surname: "Hồ Tây", "Đoàn thanh niên" are no persons, "Hồ Thị Kim Liên" is
_AMBIGUOUS_PLACE = {x.lower() for x in _SURNAME_WORDS} & _PLACE_NOUNS
_EN_PLACE_AFTER = {"street", "road", "avenue", "boulevard", "district", "ward", "city", "province", "bridge", "park",
                   "school", "university", "hospital", "market", "lake", "square", "st", "rd", "commune", "village",
                   "hamlet", "quarter", "alley", "lane", "town"}
_EN_NOT_NAME = {"smart", "people", "council", "committee", "group", "bank", "center", "centre", "tower", "plaza",
                "hotel", "company", "office", "department", "app", "portal", "online", "digital", "news", "post",
                "bakery", "restaurant", "cafe", "café", "shop", "store", "mart", "pharmacy", "clinic"}
_PLACE_ABBR = re.compile(r"(?<![^\W\d_])(?:TP|Tp|tp|TX|TT|Q|P|H|X)\.[ \u00a0]*$")
_HOUSE_NUMBER_BEFORE = re.compile(r"(?<![\w/.,])(?:số\s+)?\d+[A-Za-z]?(?:/\d+[A-Za-z]?)*[ \u00a0]+$", re.I)


def _key(word: str) -> str:
    return fold(word) if word.isascii() else word.lower()


def find_names(text: str) -> list[Match]:
    toks = _tokens(text)
    honorifics = _HONORIFIC_SET | (set(_HONORIFICS_ASCII) if not re.search(r"[À-ỹĐđ]", text) else set())
    out: list[Match] = []
    place_end = -10
    for run in _runs(text, toks):
        lw = [toks[i][0].lower() for i in run]
        s0 = toks[run[0]][1]
        before = _prefix_words(text, toks, run[0])
        # a run joined to a place by a dash, "và" or a comma is a place too: "Nút giao Phạm Văn Đồng – Võ Văn Kiệt"
        joined = place_end >= 0 and re.fullmatch(r"\s*(?:[–—\-/,&]|và|and)\s*", text[place_end:s0]) is not None
        k = _starts_with(lw, _PLACE_NOUNS)
        if k and lw[0] in _AMBIGUOUS_PLACE and len(run) > 2:
            k = 0
        nxt_word = re.match(r"[ \u00a0]+([^\W\d_]+)", text[toks[run[-1]][2]:toks[run[-1]][2] + 14])
        if nxt_word and nxt_word.group(1).lower() in _EN_PLACE_AFTER:
            joined = True  # "Phạm Ngọc Thạch Street"
        if any(w in _EN_PLACE_AFTER or w in _EN_NOT_NAME for w in lw[1:]) and len(run) > 1:
            joined = True  # "Lac Hong City People's Council", "Lạc Hồng Smart"
        if _PLACE_ABBR.search(text[max(0, s0 - 6):s0]):
            joined = True  # "TP. Hồ Chí Minh", "Q. Hoàng Mai"
        if _HOUSE_NUMBER_BEFORE.search(text[max(0, s0 - 14):s0]) and not _ends_with(before, honorifics):
            joined = True  # "số 10 Tôn Thất Thuyết": a street after a house number
        if k or (_ends_with(before, _PLACE_NOUNS) and not _ends_with(before, honorifics)) or joined:
            place_end = toks[run[-1]][2]
            continue
        honor = english_title = False
        k = _starts_with(lw, honorifics)
        if k and len(run) > k:
            honor, run = True, run[k:]
        elif re.search(r"(?<!\w)(?:Mr|Mrs|Ms|Dr|Mister|Miss)\.?\s*$", text[:s0]):
            honor = english_title = True  # "Mr. Hung?", "Ms. Lan (0977 …)": a lone name after an English title is a name
        elif (k := _ends_with(before, honorifics)) and not (len(before) > k and before[-k - 1] in honorifics):
            honor = True  # "bà Lan"; but "anh em Hồi giáo", "ông bà Tổ tiên": two kin words are no honorific
        run = run[:5]
        body = [toks[i][0] for i in run]
        lw = [w.lower() for w in body]
        fw = [_key(w) for w in body]
        start, end = toks[run[0]][1], toks[run[-1]][2]
        field = bool(_FIELD_BEFORE.search(text[max(0, start - 45):start]))
        if (not honor and not field and len(body) >= 4 and lw[0] in _NOT_NAME_START and fw[0] not in _SURNAMES
                and fw[1] in _SURNAMES and lw[0] not in _TITLE_WORDS):
            # a capitalised sentence opener before a full name: "Nhà Trần Thị Lụa bị dột"
            run, body, lw, fw = run[1:], body[1:], lw[1:], fw[1:]
            start = toks[run[0]][1]
        if len(body) > 1 and lw[0] in _NOT_NAME_START and not (
                fw[0] in _SURNAMES and not any(w in _TITLE_WORDS for w in lw[1:])):
            continue  # "Phó Chủ tịch", "Sở Nội vụ"; but "Hồ Thị Kim Liên"
        if not honor and any(" ".join(fold(w) for w in body[:j]) in _FIGURES for j in range(2, len(body) + 1)):
            continue  # "Hồ Chí Minh City", "Lê Lợi"
        if any(len(w) > 8 for w in body):
            continue
        if any(w.isupper() and len(w) > 1 for w in body) and not all(w.isupper() for w in body):
            continue  # "THPT Lê Lợi", "UBND Nguyễn …": an acronym inside is no name
        allcaps = all(w.isupper() for w in body) and any(len(w) > 1 for w in body)
        if len(body) == 1:
            vocative = re.match(r"[ \u00a0]+(?:ơi|oi)(?!\w)", text[end:end + 5]) is not None
            if len(body[0]) < 2 or lw[0] in _STOP_GIVEN or allcaps or not (honor or vocative):
                continue
            # a lone given name must run on into the sentence ("chị Huyền gọi …", "Anh Sơn bên …");
            # one set off by punctuation ("Ông An, CCCD …") is left alone
            if not vocative and not english_title and not re.match(r"[ \u00a0]+[^\W\d_]", text[end:end + 3]):
                continue
            out.append(Match("pii.name", start, end, 0.7, text[start:end]))
            continue
        if honor or field:
            out.append(Match("pii.name", start, end, 0.9, text[start:end]))
            continue
        # a bare full name: a surname and two or more capitalised syllables; in capitals only as a line of its
        # own (a signature: "NGUYỄN VĂN HÙNG"), never inside a heading ("LƯU GIỮ, TIÊU HỦY VÀ SỰ CỐ")
        if allcaps:
            ls = text.rfind("\n", 0, start) + 1
            le = text.find("\n", end)
            line = text[ls:le if le >= 0 else len(text)].strip(" \t*_#|")
            if line != text[start:end] or fw[1] not in _MIDDLE:
                continue
        if len(body) >= 3 and fw[0] in _SURNAMES:
            out.append(Match("pii.name", start, end, 0.8, text[start:end]))
    out += _lowercase_field_names(text, out)
    return out


def _lowercase_field_names(text: str, found: list[Match]) -> list[Match]:
    """Names typed in lower case after an explicit field ("tên tran thi thu", "chủ TK: nguyen van an")."""
    out = []
    for m in re.finditer(r"(?<!\w)(?:tên|ten|chủ\s+(?:tài\s+khoản|tk)|chu\s+(?:tai\s+khoan|tk)|người\s+nộp|nguoi\s+nop|"
                         r"họ\s+(?:và\s+)?tên|ho\s+(?:va\s+)?ten|nguoi\s+lien\s+he)"
                         r"\s*[:：]?\s*(?:là\s+|la\s+)?((?:[^\W\d_]{1,7})(?:[ \u00a0][^\W\d_]{1,7}){1,3})(?![^\W\d_])",
                         text, re.I):
        s, e = m.start(1), m.end(1)
        if any(not (e <= f.start or s >= f.end) for f in found):
            continue
        words = m.group(1).split()
        # typed without diacritics and in lower case: "tran thi thu", "nguyen van an" (a surname, then a middle name)
        if not all(w.islower() and w.isascii() for w in words) or fold(words[0]) not in _SURNAMES \
                or fold(words[1]) not in _MIDDLE:
            continue
        if any(fold(w) in {"la", "gi", "cua", "toi", "em", "va", "nhe", "nha", "ok", "duoc"} for w in words[1:]):
            words = words[:next(i for i, w in enumerate(words) if fold(w) in
                                {"la", "gi", "cua", "toi", "em", "va", "nhe", "nha", "ok", "duoc"})]
            if len(words) < 2:
                continue
        val = " ".join(words)
        out.append(Match("pii.name", s, s + len(val), 0.75, text[s:s + len(val)]))
    return out
