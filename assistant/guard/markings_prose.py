"""State-secret markings said or quoted in running text (Law on Protection of State Secrets 2018, Article 8:
Tuyệt mật, Tối mật, Mật).

Stamp forms inside a sentence are markings whatever the sentence says: "(TỐI MẬT.)", "[MẬT]", the fields
"độ mật: Mật" / "Phân loại: Tuyệt mật" / "DO MAT: TOI MAT", a file name "KH_TOI_MAT.docx", letters spaced by
a scanner ("T Ố I  M Ậ T"), a line that starts with the level ("tuyet mat – bao cao …"), the level in capitals
in a lower-case sentence ("đóng dấu TỐI MẬT"). A level named in ordinary case ("tài liệu mật", "dấu Tối mật",
"độ Mật") counts only when the passage around it (its sentence, the one before and the one after) ties it to
a document the user holds: "này" / "dưới đây", "Đây là …", "tôi dán / trích / gõ lại", a colon or a quote that
brings the content, "của Sở", "sếp gửi", or a request to the assistant ("bạn tóm tắt giúp"). Talking *about*
the law ("thế nào là tài liệu tối mật?", "Luật Bảo vệ bí mật nhà nước quy định gì?"), several levels named
together (a definition), hypotheticals ("Nếu tôi dán nhầm …") and other senses of "mật" (mật khẩu, mật độ,
mật ong, mật thiết, bí mật, bảo mật) are not markings.
"""
from __future__ import annotations

import re
import unicodedata

from assistant.guard.markings import Marking

def _fold(s: str) -> str:
    """Lower case without diacritics, same length as ``s`` (NFC Vietnamese: one base letter per character)."""
    s = s.replace("Đ", "D").replace("đ", "d")
    out = []
    for c in s:
        base = "".join(x for x in unicodedata.normalize("NFD", c) if unicodedata.category(x) != "Mn")
        out.append((base or c)[:1].lower() if len(base) <= 1 else c.lower())
    return "".join(out)


_W = r"[^\W\d_]+"
# "mật" that is not a level: bí mật, bảo mật, thân mật, cơ mật, túi mật, giải mật; mật khẩu, mật độ, mật ong …
_NOT_LEVEL_BEFORE = re.compile(r"(?:bí|bảo|thân|cơ|túi|giải|tuyệt|tối|giữ|kín|mật|ngọt|đắng|mắt|bật|chống|"
                               r"BÍ|BẢO|THÂN|CƠ|GIẢI)[ \u00a0]+$", re.I)
_NOT_LEVEL_AFTER = re.compile(r"[ \u00a0]*(?:khẩu|độ|ong|thiết|mã|thám|danh|ước|báo|lệnh|rỉ|hoa|mía|vụ|đàm|nghị|"
                              r"viện|thư|gấu|cật|tập|phục|hiệu|tín|key|code)(?!\w)", re.I)
_LEVEL_WORD = re.compile(r"(?<![^\W_])(tuyệt[ \u00a0]+mật|tối[ \u00a0]+mật|mật)(?![^\W_])", re.I)
_LEVEL_UPPER = re.compile(r"(?<![^\W_])(TUYỆT[ \u00a0]+MẬT|TỐI[ \u00a0]+MẬT|MẬT)(?![^\W_])")
_QUOTES = "'\"‘’“”«»`"
_DOCNOUN = (r"(?:tài[ \u00a0]+liệu|văn[ \u00a0]+bản|báo[ \u00a0]+cáo|kế[ \u00a0]+hoạch|công[ \u00a0]+văn|biên[ \u00a0]+bản|"
            r"phương[ \u00a0]+án|(?<!\w)bản|file|tệp|hồ[ \u00a0]+sơ|thư|quyết[ \u00a0]+định|tờ[ \u00a0]+trình|thông[ \u00a0]+báo|"
            r"dự[ \u00a0]+thảo|phụ[ \u00a0]+lục|đề[ \u00a0]+án|chỉ[ \u00a0]+thị|danh[ \u00a0]+sách|điện|bức[ \u00a0]+điện|"
            r"nội[ \u00a0]+dung|thông[ \u00a0]+tin|document|doc|memo|report|plan)")
# a level tied to a document or a stamp
_STAMP_PHRASE = re.compile(r"(?:đóng|có|mang|gắn|in|ghi|đề)[ \u00a0]+dấu(?:[ \u00a0]+chỉ[ \u00a0]+độ[ \u00a0]+mật)?[ \u00a0]*$", re.I)
_DOC_BEFORE = re.compile(_DOCNOUN + r"(?:[ \u00a0]+" + _W + r"){0,2}?[ \u00a0]+(?:độ[ \u00a0]+)?[" + _QUOTES + r"]?$", re.I)
_DO_BEFORE = re.compile(r"(?<!\w)(?:độ|mức)[ \u00a0]+$", re.I)
# framing that makes the text talk ABOUT markings
_HYPOTHETICAL = re.compile(r"(?<![^\W_])(?:nếu|giả[ \u00a0]+sử|giả[ \u00a0]+dụ|trường[ \u00a0]+hợp|khi|lỡ|if|when|suppose|neu|gia[ \u00a0]+su)(?![^\W_])", re.I)
_ABOUT = re.compile(r"(?<![^\W_])(?:gì|nào|thế[ \u00a0]+nào|ra[ \u00a0]+sao|bao[ \u00a0]+lâu|bao[ \u00a0]+nhiêu|mấy|ai|khi[ \u00a0]+nào|"
                    r"ở[ \u00a0]+đâu|vì[ \u00a0]+sao|tại[ \u00a0]+sao|làm[ \u00a0]+sao|có[ \u00a0]+phải|có[ \u00a0]+được|quy[ \u00a0]+định|"
                    r"theo[ \u00a0]+(?:luật|nghị[ \u00a0]+định|quy[ \u00a0]+chế)|khác[ \u00a0]+nhau|la[ \u00a0]+gi|the[ \u00a0]+nao|"
                    r"nhu[ \u00a0]+the[ \u00a0]+nao|bao[ \u00a0]+lau|cho[ \u00a0]+nao|khac|what|how|who|when|why|which|whether|"
                    r"under|means?|definition|về[ \u00a0]+(?:cách|quy[ \u00a0]+(?:định|chế|trình)|thủ[ \u00a0]+tục|nguyên[ \u00a0]+tắc)|"
                    r"cách[ \u00a0]+(?:xử[ \u00a0]+lý|quản[ \u00a0]+lý|bảo[ \u00a0]+quản|lưu[ \u00a0]+giữ|nhận[ \u00a0]+biết)|"
                    r"quy[ \u00a0]+trình|thủ[ \u00a0]+tục|nguyên[ \u00a0]+tắc)(?![^\W_])", re.I)
# anchors: the text is, holds or quotes a particular document
_DECLARED = re.compile(r"(?<![^\W_])(?:đây[ \u00a0]+là|dưới[ \u00a0]+đây[ \u00a0]+là|sau[ \u00a0]+đây[ \u00a0]+là|this[ \u00a0]+is|"
                       r"here[ \u00a0]+is|here's|attached|day[ \u00a0]+la)(?![^\W_])", re.I)
_DEICTIC_DOC = re.compile(_DOCNOUN + r"(?:[ \u00a0]+" + _W + r"){0,3}?[ \u00a0]+(?:này|dưới[ \u00a0]+đây|sau[ \u00a0]+đây|"
                          r"bên[ \u00a0]+dưới|ở[ \u00a0]+dưới|kèm[ \u00a0]+theo|đính[ \u00a0]+kèm|gửi[ \u00a0]+kèm|trên[ \u00a0]+đây)(?![^\W_])"
                          r"|(?<![^\W_])(?:dưới[ \u00a0]+đây|bên[ \u00a0]+dưới|ở[ \u00a0]+dưới|o[ \u00a0]+duoi|duoi[ \u00a0]+day|"
                          r"below|following)(?![^\W_])", re.I)
_LINKED = re.compile(r"^[^.;!?\n]{0,60}?(?:đóng[ \u00a0]+dấu|có[ \u00a0]+dấu|mang[ \u00a0]+dấu|thuộc(?:[ \u00a0]+độ)?|"
                     r"là|được[ \u00a0]+xác[ \u00a0]+định|độ|có[ \u00a0]+độ[ \u00a0]+mật)[^.;!?\n]{0,40}$", re.I)
_PASTED = re.compile(r"(?<![^\W_])(?:(?:tôi|mình|em|anh|chị|t|mk|con|tớ|tui|minh|toi)[ \u00a0]+(?:" + _W + r"[ \u00a0]+){0,2}?"
                     r"(?:dán|gõ|chép|copy|trích|tải|paste|upload|dan|go|chep|scan|chụp|nhập|đánh[ \u00a0]+máy)|"
                     r"(?:^|[.;:\n]\s*)(?:trích|copy|chép|dán|paste|quote)[ \u00a0]+(?:nguyên[ \u00a0]+văn[ \u00a0]+)?(?:từ|tu|from))(?![^\W_])",
                     re.I | re.M)
_REQUEST = re.compile(r"(?<![^\W_])(?:tóm[ \u00a0]+tắt|tom[ \u00a0]+tat|viết[ \u00a0]+lại|viet[ \u00a0]+lai|rút[ \u00a0]+gọn|dịch|"
                      r"rà[ \u00a0]+soát|kiểm[ \u00a0]+tra|soạn|sắp[ \u00a0]+xếp|liệt[ \u00a0]+kê|trích[ \u00a0]+xuất|gõ[ \u00a0]+lại|"
                      r"rút[ \u00a0]+ra|nêu|lập|sửa|biên[ \u00a0]+tập|chuyển[ \u00a0]+thành|phân[ \u00a0]+tích|đọc|"
                      r"summari[sz]e|rewrite|translate|extract|proofread|draft|check|edit)(?![^\W_])", re.I)
_ASSISTANT = re.compile(r"(?<![^\W_])(?:bạn|b|ban|ai|trợ[ \u00a0]+lý|giúp|giùm|dùm|hộ|nhờ|hãy|please|pls|can[ \u00a0]+you|"
                        r"nhé|nha|nhe|với|lẹ|giup|gium)(?![^\W_])", re.I)
_HOLDS = re.compile(r"(?<![^\W_])(?:(?:tôi|mình|em|sếp|lãnh[ \u00a0]+đạo|cấp[ \u00a0]+trên|anh|chị|t|mk|tui)[ \u00a0]+"
                    r"(?:" + _W + r"[ \u00a0]+){0,2}?(?:nhận|gửi|đưa|giao|chuyển|đang[ \u00a0]+giữ|được[ \u00a0]+giao)|"
                    r"của[ \u00a0]+(?:sở|ubnd|bộ|ban|công[ \u00a0]+an|cục|phòng|tỉnh[ \u00a0]+ủy|thành[ \u00a0]+ủy|quận[ \u00a0]+ủy|"
                    r"huyện[ \u00a0]+ủy|đảng[ \u00a0]+ủy|bch|bộ[ \u00a0]+chỉ[ \u00a0]+huy|ủy[ \u00a0]+ban|văn[ \u00a0]+phòng|"
                    r"trung[ \u00a0]+tâm|chi[ \u00a0]+cục|đơn[ \u00a0]+vị|cơ[ \u00a0]+quan)|bên[ \u00a0]+công[ \u00a0]+an)(?![^\W_])",
                    re.I)
# stamp forms in running text
_BRACKETED = re.compile(r"[\[(【〔<《]\s*(TUYỆT\s+MẬT|TỐI\s+MẬT|MẬT|[Tt]uyệt\s+mật|[Tt]ối\s+mật|Mật|TOP\s+SECRET|SECRET|CONFIDENTIAL)"
                        r"\s*[.!]?\s*[\])】〕>》]")
_FIELD_PROSE = re.compile(r"(?<![^\W_])(?:phân[ \u00a0]+loại|mức[ \u00a0]+độ[ \u00a0]+mật|cấp[ \u00a0]+độ[ \u00a0]+mật|"
                          r"độ[ \u00a0]+bảo[ \u00a0]+mật)\s*[:：]\s*[\"'«“]?\s*(tuyệt\s+mật|tối\s+mật|mật)(?![^\W_])", re.I)
_FIELD_ASCII = re.compile(r"(?<![a-z])(?:do[ \u00a0]+mat|phan[ \u00a0]+loai|muc[ \u00a0]+do[ \u00a0]+mat)\s*[:：]\s*[\"'«“]?\s*"
                          r"(tuyet\s+mat|toi\s+mat|mat)(?![a-z])")
_FILENAME = re.compile(r"(?<![\w.])[\w\-.]*?(?:(?:^|[_\-.])(?:toi|tuyet)[_\-]?mat|(?:^|[_\-])mat(?=[_\-.]))[\w\-.]*?"
                       r"\.(?:docx?|pdf|xlsx?|pptx?|txt|odt|rtf|zip|rar|7z|png|jpe?g|tiff?|msg|eml)(?![\w])")
_SPACED = re.compile(r"(?<![^\W_])(T[ .]U[ .]Y[ .]Ệ[ .]T[ .]{1,3}M[ .]Ậ[ .]T|T[ .]Ố[ .]I[ .]{1,3}M[ .]Ậ[ .]T|M[ .]Ậ[ .]T)(?![^\W_])")
_LINE_HEAD = re.compile(r"^[\s\W_]*(tuyệt[ \u00a0]+mật|tối[ \u00a0]+mật|mật|tuyet[ \u00a0]+mat|toi[ \u00a0]+mat)"
                        r"(?:[ \u00a0]*[–—\-|:][ \u00a0]*|[ \u00a0]{2,}|\t)(?=\S)", re.I)
_ASCII_LEVEL = re.compile(r"(?<![a-z])(tuyet[ \u00a0]+mat|toi[ \u00a0]+mat)(?![a-z])")
_ASCII_DOC = re.compile(r"(?:tai[ \u00a0]+lieu|van[ \u00a0]+ban|bien[ \u00a0]+ban|bao[ \u00a0]+cao|ke[ \u00a0]+hoach|cong[ \u00a0]+van|"
                        r"phuong[ \u00a0]+an|file|ban|thong[ \u00a0]+bao|du[ \u00a0]+thao|ho[ \u00a0]+so)(?:[ \u00a0]+[a-z]+){0,2}?[ \u00a0]+$")
_ASCII_DEICTIC = re.compile(r"(?<![a-z])(?:nay|duoi[ \u00a0]+day|o[ \u00a0]+duoi|ben[ \u00a0]+duoi|sau[ \u00a0]+day|dan)(?![a-z])")
_EN_LEVEL = re.compile(r"(?<![\w-])(TOP[ \u00a0]+SECRET|SECRET|CONFIDENTIAL|STRICTLY[ \u00a0]+CONFIDENTIAL)(?![\w-])|"
                       r"(?<![\w-])(?:state[- ]secret|classified)[ \u00a0]+(?:document|file|report|plan|material)", re.I)


def _sentence(text: str, i: int, j: int) -> tuple[int, int]:
    a = max(text.rfind(c, 0, i) for c in ".!?\n;") + 1
    ends = [k for k in (text.find(c, j) for c in ".!?\n") if k >= 0]
    return a, (min(ends) + 1 if ends else len(text))


def _quoted_alone(text: str, s: int, e: int) -> bool:
    """«Mật», 'MẬT', "Tối mật": the stamp's name in quotes is a mention of the stamp, not the stamp."""
    before, after = text[max(0, s - 2):s].strip(), text[e:e + 2].strip()
    return bool(before) and bool(after) and before[-1] in _QUOTES and after[0] in _QUOTES


def _all_caps_line(text: str, s: int, e: int) -> bool:
    a = text.rfind("\n", 0, s) + 1
    b = text.find("\n", e)
    line = text[a:b if b >= 0 else len(text)]
    letters = [c for c in line if c.isalpha()]
    return len(letters) > 12 and all(c.isupper() for c in letters)


def _window(text: str, s: int, e: int) -> tuple[int, int]:
    """The sentence holding ``text[s:e]`` with the sentence before and the one after: anchors and framing are
    read there, so a long document's other paragraphs say nothing about this one."""
    a, b = _sentence(text, s, e)
    a0, _ = _sentence(text, max(0, a - 2), max(0, a - 2)) if a > 1 else (a, b)
    _, b1 = _sentence(text, b, b) if b < len(text) else (a, b)
    return a0, b1


def _anchors(text: str, s: int, e: int) -> tuple[bool, bool]:
    """(strong, weak) anchors tying the level at ``text[s:e]`` to a document the user holds."""
    a, _b = _sentence(text, s, e)
    wa, wb = _window(text, s, e)
    win = text[wa:wb]
    request = bool(_REQUEST.search(win) and _ASSISTANT.search(win))
    strong = bool(_DECLARED.search(text[a:s])) or bool(_PASTED.search(win))
    strong = strong or bool(_DEICTIC_DOC.search(win) and (request or _PASTED.search(win)))
    # the level said of a document right there: "Báo cáo này được đóng dấu Mật", "Văn bản này thuộc độ Mật"
    for m in _DEICTIC_DOC.finditer(text[a:s]):
        if _LINKED.match(text[a + m.end():s]):
            strong = True
    # the content follows the level: "… tài liệu Tuyệt mật: 'Mục tiêu …'", "văn bản mật của UBND, tóm tắt giúp tôi: …"
    tail = text[e:e + 160]
    colon = re.search(r"[:：]\s*(\S.{14,})", tail)
    if colon and not _ABOUT.search(tail[:colon.start()]) and request:
        strong = True
    if re.match(r"[^.?!\n]{0,60}?[" + _QUOTES + r"][^" + _QUOTES + r"]{15,}", tail) and _REQUEST.search(win):
        strong = True
    weak = bool(_HOLDS.search(win)) or request
    return strong, weak


def _framed_as_about(text: str, s: int, e: int) -> tuple[bool, bool]:
    """(a hypothetical before the level in its sentence, the passage asks or tells about the rules: a question
    word, or several levels named together as in a definition)."""
    a, _b = _sentence(text, s, e)
    wa, wb = _window(text, s, e)
    win = text[wa:wb]
    levels = {_level_of(m.group(1)) for m in _LEVEL_WORD.finditer(win)
              if not _NOT_LEVEL_BEFORE.search(win[max(0, m.start(1) - 8):m.start(1)])
              and not _NOT_LEVEL_AFTER.match(win, m.end(1))}
    return bool(_HYPOTHETICAL.search(text[a:s])), bool(_ABOUT.search(win)) or len(levels) > 1


def _level_of(s: str) -> str:
    f = _fold(s)
    if "tuyet" in f:
        return "TUYỆT MẬT"
    if "toi" in f:
        return "TỐI MẬT"
    if "top" in f:
        return "TOP SECRET"
    if "confidential" in f:
        return "CONFIDENTIAL"
    if "secret" in f or "classified" in f:
        return "SECRET"
    return "MẬT"


def find_prose_markings(text: str) -> list[Marking]:
    """Markings said or quoted in running text (see the module's docstring)."""
    text = unicodedata.normalize("NFC", text)
    folded = _fold(text)
    out: list[Marking] = []

    def add(s, e, level, score=0.9):
        if not any(k.start < e and s < k.end for k in out):
            out.append(Marking(s, e, _level_of(level), score))

    # stamp forms, whatever the sentence says around them
    for m in _BRACKETED.finditer(text):
        add(m.start(), m.end(), m.group(1), 0.95)
    for m in _FIELD_PROSE.finditer(text):
        add(m.start(), m.end(), m.group(1), 0.95)
    for m in _FIELD_ASCII.finditer(folded):
        add(m.start(), m.end(), m.group(1), 0.95)
    for m in _FILENAME.finditer(folded):
        add(m.start(), m.end(), m.group(0), 0.9)
    for m in _SPACED.finditer(text):
        add(m.start(), m.end(), m.group(1).replace(" ", "").replace(".", ""), 0.9)
    pos = 0
    for line in text.split("\n"):
        m = _LINE_HEAD.match(line)
        if m and not _NOT_LEVEL_AFTER.match(line, m.end(1)):
            ab = _framed_as_about(text, pos + m.start(1), pos + m.end(1))
            if not (ab[1] and len({_level_of(x.group(0)) for x in _LEVEL_WORD.finditer(line)}) > 1):
                add(pos + m.start(1), pos + m.end(1), m.group(1), 0.9)
        pos += len(line) + 1

    # levels named in the prose
    for m in _LEVEL_WORD.finditer(text):
        s, e, word = m.start(1), m.end(1), m.group(1)
        if _NOT_LEVEL_BEFORE.search(text[max(0, s - 8):s]) or _NOT_LEVEL_AFTER.match(text, e):
            continue
        upper = _LEVEL_UPPER.fullmatch(word) is not None
        lower_mat = word == "mật"
        before = text[max(0, s - 60):s]
        tied = bool(_STAMP_PHRASE.search(before) or _DOC_BEFORE.search(before)
                    or (_DO_BEFORE.search(before) and not lower_mat))
        plain = " " not in word and not upper  # "mật" / "Mật" alone
        if plain and not tied:
            continue  # "lấy mật", "thư mật"? only a level when it is said of a document or a stamp
        hypo, about = _framed_as_about(text, s, e)
        strong, weak = _anchors(text, s, e)
        if hypo:
            continue
        if upper and not _quoted_alone(text, s, e) and not (word == "MẬT" and _all_caps_line(text, s, e)):
            if strong or weak or not about:
                add(s, e, word, 0.9)
            continue
        if strong or (weak and not about):
            add(s, e, word, 0.85)

    # without diacritics: "bien ban hop toi mat nay", "file toi mat sep gui"
    for m in _ASCII_LEVEL.finditer(folded):
        s, e = m.start(1), m.end(1)
        if not text[s:e].isascii() or any(k.start <= s < k.end for k in out):
            continue
        if _ASCII_DOC.search(folded[max(0, s - 40):s]):
            hypo, about = _framed_as_about(folded, s, e)
            deictic = _ASCII_DEICTIC.search(folded[e:e + 40]) or _ASCII_DEICTIC.search(folded[max(0, s - 40):s])
            wa, wb = _window(folded, s, e)
            request = _REQUEST.search(folded[wa:wb]) and _ASSISTANT.search(folded[wa:wb])
            if not hypo and (deictic or (request and not about)):
                add(s, e, m.group(1), 0.8)

    # English: "This is a CONFIDENTIAL state-secret document", "Here is a TOP SECRET plan, summarise it"
    for m in _EN_LEVEL.finditer(text):
        s, e = m.start(), m.end()
        a, _b = _sentence(text, s, e)
        upper = m.group(1) is not None
        if upper and (_LINE_HEAD.match(text[a:]) or _all_caps_line(text, s, e)):
            continue
        wa, wb = _window(text, s, e)
        win = text[wa:wb]
        if _DECLARED.search(text[a:s]) or (_REQUEST.search(win) and re.search(r"(?<!\w)(?:please|this|attached|below)(?!\w)", win, re.I)
                                           and not _framed_as_about(text, s, e)[1]):
            add(s, e, m.group(1) or "SECRET", 0.8)
    out.sort(key=lambda k: k.start)
    return out
