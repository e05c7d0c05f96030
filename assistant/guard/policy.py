"""Requests the course teaches to refuse (type ``policy.<name>``).

- ``forgery``: forging signatures, seals/stamps or official documents;
- ``automated_decision``: letting the AI alone decide a named citizen's case;
- ``discrimination``: criteria by ethnicity, religion, gender, hometown...
- ``state_secret``: asking the assistant to summarise, translate, rewrite ... a document the request itself
  says is a state secret ("Tóm tắt giúp tôi tài liệu bí mật nhà nước …"; Law 29/2018/QH14, Article 5), even
  before any marked text is pasted (a pasted text with a secrecy marking is caught by ``markings``).

Questions *about* these topics (penalties, what the law says) are allowed: a request is
refused only when it asks the assistant to do the thing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_F = re.I | re.S

# A question about the law, not a request to act.
_ABOUT_LAW = re.compile(
    r"(?:bị\s*(?:xử\s*lý|xử\s*phạt|phạt|truy\s*cứu|cấm)|hình\s*phạt|mức\s*phạt|tội\s*gì|là\s*tội|có\s*phạm\s*tội|có\s*vi\s*phạm|vi\s*phạm\s*(?:pháp\s*luật|điều)|"
    r"quy\s*định\s*(?:thế\s*nào|ra\s*sao|gì|về)|pháp\s*luật\s*(?:quy\s*định|cấm)|luật\s*(?:quy\s*định|cấm)|điều\s*\d+|có\s*được\s*phép\s*không|có\s*hợp\s*pháp|"
    r"phát\s*hiện|nhận\s*biết|phòng\s*(?:chống|ngừa)|chống\s*(?:làm\s*giả|phân\s*biệt)|xác\s*minh|kiểm\s*tra\s*(?:tính\s*)?(?:xác\s*thực|thật)|"
    r"penalt|punish|illegal\s*\?|is\s+it\s+(?:legal|illegal|a\s+crime)|what\s+does\s+the\s+law|how\s+to\s+(?:detect|spot|prevent))", _F)

_REQUEST = re.compile(
    r"(?:hãy|giúp|chèn|dán|ghép|đóng\s*dấu|ký\s*(?:thay|hộ|giùm)|làm\s*(?:sao|thế\s*nào|cách\s*nào)\s*để|cách|hướng\s*dẫn|bạn\s*(?:có\s*thể|hãy)|tôi\s*(?:cần|muốn)|cho\s*tôi|tạo|soạn|viết|thiết\s*kế|vẽ|khắc|làm|"
    r"please|help|how\s+(?:do|can|to)|can\s+you|create|make|draw|design|generate|write)", _F)

_FORGERY = [
    re.compile(r"(?:làm\s*giả|giả\s*mạo|giả|nhái|fake|forge|forged|forging|counterfeit|bắt\s*chước|sao\s*chép|copy|scan)\s*(?:\S+\s+){0,4}?(?:chữ\s*ký|chữ\s*kí|con\s*dấu|dấu\s*(?:đỏ|tròn|mộc|giáp\s*lai|của)|signature|seal|stamp)(?!\w)", _F),
    re.compile(r"(?:chữ\s*ký|chữ\s*kí|con\s*dấu|dấu\s*đỏ|dấu\s*mộc)\s*(?:\S+\s+){0,4}?(?:giả|giống\s*(?:hệt|y\s*hệt|như\s*thật)|như\s*thật|y\s*như)(?!\w)", _F),
    re.compile(r"(?:làm\s*giả|giả\s*mạo|làm\s*(?:một|1)?\s*(?:bản|tờ)?\s*(?:giả)|forge|fake|counterfeit)\s*(?:\S+\s+){0,4}?(?:văn\s*bản|quyết\s*định|công\s*văn|giấy\s*(?:tờ|phép|khai\s*sinh|chứng\s*nhận|xác\s*nhận|ủy\s*quyền)|bằng\s*(?:cấp|đại\s*học|tốt\s*nghiệp|lái)|chứng\s*chỉ|sổ\s*đỏ|căn\s*cước|hồ\s*sơ|official\s+document|certificate|diploma|licen[cs]e|permit|decision)", _F),
    re.compile(r"(?:văn\s*bản|quyết\s*định|công\s*văn|giấy\s*(?:tờ|phép|khai\s*sinh|chứng\s*nhận|xác\s*nhận)|bằng\s*(?:cấp|đại\s*học|tốt\s*nghiệp|lái)|chứng\s*chỉ|sổ\s*đỏ|căn\s*cước|con\s*dấu)\s*(?:\S+\s+){0,4}?giả(?!\s*(?:định|thuyết|sử|vờ))(?!\w)", _F),
    re.compile(r"(?:chèn|dán|ghép|đóng)\s*(?:\S+\s+){0,3}?(?:chữ\s*ký|con\s*dấu|dấu\s*đỏ)\s*(?:\S+\s+){0,10}?(?:mà\s*không|không\s*cần|khi\s*chưa|chưa\s*được)\s*(?:\S+\s+){0,3}?(?:ký|đồng\s*ý|cho\s*phép|duyệt)", _F),
    re.compile(r"(?:ký\s*(?:thay|hộ|giùm)|giả\s*chữ\s*ký)\s*(?:\S+\s+){0,4}?(?:giám\s*đốc|chủ\s*tịch|thủ\s*trưởng|lãnh\s*đạo|trưởng|ông|bà)", _F),
]

_PERSON = r"(?:ông|bà|anh|chị|em|cô|chú|hộ\s*(?:gia\s*đình)?\s*(?:ông|bà)?|công\s*dân|người\s*dân|Mr\.?|Mrs\.?|Ms\.?)\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*(?:\s+[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){0,3}"
_DECIDE = [
    re.compile(r"(?:hãy|bạn|AI|trợ\s*lý)?\s*(?:tự\s*)?(?:quyết\s*định|phán\s*quyết|kết\s*luận|chốt|xét\s*duyệt|phê\s*duyệt|duyệt|chấm|định\s*đoạt)\s*(?:\S+\s+){0,3}?(?:có\s*(?:nên\s*)?|nên\s*)?(?:cấp|cho\s*phép|chấp\s*(?:thuận|nhận)|từ\s*chối|bác|xử\s*phạt|phạt|kỷ\s*luật|thu\s*hồi|duyệt|đồng\s*ý|giải\s*quyết|công\s*nhận|trợ\s*cấp|hỗ\s*trợ|bồi\s*thường|đền\s*bù)\s*(?:\S+\s+){0,8}?" + _PERSON, _F),
    re.compile(r"(?:có\s*(?:nên\s*)?|nên\s*)(?:cấp|cho\s*phép|chấp\s*thuận|từ\s*chối|bác|xử\s*phạt|kỷ\s*luật|thu\s*hồi|duyệt|công\s*nhận)\s*(?:\S+\s+){0,8}?" + _PERSON + r"(?:\s+\S+){0,8}?\s*(?:hay\s*không|không)\s*[?.]?\s*(?:bạn\s*)?(?:quyết\s*định|trả\s*lời\s*(?:có|dứt\s*khoát)|chỉ\s*(?:cần\s*)?(?:trả\s*lời|nói)\s*(?:có|đồng\s*ý))", _F),
    re.compile(r"(?:decide|determine|rule\s+on|make\s+the\s+(?:final\s+)?decision)\s+(?:\S+\s+){0,4}?(?:whether|if)\s+(?:\S+\s+){0,4}?(?:grant|approve|reject|deny|fine|punish|issue|refuse)\s+(?:\S+\s+){0,6}?" + _PERSON, _F),
    re.compile(r"(?:thay\s*(?:tôi|cán\s*bộ|hội\s*đồng)|không\s*cần\s*(?:cán\s*bộ|người)\s*(?:xem|duyệt))\s*(?:\S+\s+){0,4}?(?:quyết\s*định|duyệt|xét)\s*(?:\S+\s+){0,8}?(?:hồ\s*sơ\s*(?:của)?\s*)?" + _PERSON, _F),
]

_GROUP = (r"(?:người\s*)?(?:dân\s*tộc(?:\s*thiểu\s*số|\s*\w+)?|(?:người\s*)?(?:Hmông|H'Mông|Mông|Khmer|Tày|Thái|Mường|Hoa|Chăm|Ê\s*đê|Gia\s*rai)|tôn\s*giáo|theo\s*đạo(?!\s*(?:luật|đức|lý))|đạo\s*(?:Công\s*giáo|Tin\s*lành|Phật|Hồi|Cao\s*Đài|Hòa\s*Hảo)|(?:người\s*)?(?:Công\s*giáo|Tin\s*lành)|giới\s*tính|phụ\s*nữ|nữ\s*giới|nam\s*giới|người\s*nữ|ứng\s*viên\s*nữ|ứng\s*viên\s*nam|(?:là\s*)?nữ(?!\s*\w*\s*(?:hộ\s*sinh))|"
          r"quê\s*(?:quán|ở|gốc)?|người\s*(?:miền\s*(?:Bắc|Trung|Nam)|gốc|vùng)|vùng\s*miền|nguyên\s*quán|đồng\s*tính|LGBT|khuyết\s*tật|"
          r"ethnic(?:ity)?|religio(?:n|us)|gender|women|female|male|hometown|muslims?|christians?|buddhists?)")
_DISCRIMINATE = [
    re.compile(r"(?:loại(?:\s*bỏ|\s*(?=(?:những|các|hết|người|ứng\s*viên|hồ\s*sơ|ai)\b))|gạch\s*tên|không\s*(?:tuyển|nhận|chọn|cấp|duyệt|xét|ưu\s*tiên)|từ\s*chối|chỉ\s*(?:tuyển|nhận|chọn|cấp|duyệt|xét|ưu\s*tiên)|ưu\s*tiên|lọc(?:\s*bỏ|\s*ra)?|trừ\s*điểm|cộng\s*điểm|chấm\s*(?:điểm\s*)?thấp|hạ\s*điểm|xếp\s*(?:cuối|sau)|sàng\s*lọc|gạt|exclude|reject|filter\s+out|screen\s+out|only\s+(?:hire|accept|select)|do\s+not\s+hire|deprioriti[sz]e|penali[sz]e|rank\s+lower|prefer)\s+(?:\S+\s+){0,8}?" + _GROUP, _F),
    re.compile(r"(?:tiêu\s*chí|điều\s*kiện|yêu\s*cầu|criteria|requirement)\s*(?:\S+\s+){0,6}?(?:chỉ\s*(?:nhận|tuyển|dành\s*cho)|không\s*(?:nhận|tuyển)|must\s+(?:be|not\s+be)|only)\s*(?:\S+\s+){0,3}?" + _GROUP, _F),
]
_ANTI = re.compile(r"(?:phân\s*biệt\s*đối\s*xử|bình\s*đẳng|chính\s*sách\s*(?:dân\s*tộc|ưu\s*tiên|hỗ\s*trợ)|đối\s*tượng\s*ưu\s*tiên|theo\s*quy\s*định|cộng\s*điểm\s*ưu\s*tiên|discriminat|equal)", _F)


# the assistant asked to work on a document the request calls a state secret
_SECRET_DOC = (r"(?:bí\s*mật\s*nhà\s*nước|tuyệt\s*mật|tối\s*mật|(?:có\s*)?độ\s*mật|(?<=\s)mật(?!\s*(?:khẩu|mã))(?!\w)|"
               r"state[\s-]*secrets?|classified|top[\s-]*secret|(?<=\s)secret(?=\s+(?:document|file|report|plan|material|text|dossier)))")
_SECRET_WORK = [
    re.compile(r"(?:tóm\s*tắt|tóm\s*lược|dịch|soạn(?:\s*lại)?|viết\s*lại|sửa|chỉnh\s*sửa|biên\s*tập|phân\s*tích|rút\s*gọn|trích|"
               r"lập\s*bảng|chuyển\s*(?:thành|sang)|rà\s*soát|đọc|xử\s*lý)\s*(?:giúp|hộ|giùm|cho)?\s*(?:tôi|em|mình|anh|chị)?\s*"
               r"(?:\S+\s+){0,2}?(?:tài\s*liệu|văn\s*bản|hồ\s*sơ|báo\s*cáo|công\s*văn|kế\s*hoạch|phương\s*án|biên\s*bản|nội\s*dung)"
               r"\s*(?:này\s*|đó\s*)?(?:(?:thuộc|có\s*nội\s*dung|chứa|mang|đóng\s*dấu|có\s*dấu|là)\s*)?" + _SECRET_DOC, _F),
    re.compile(r"(?:summari[sz]e|translate|rewrite|re-?word|edit|polish|analy[sz]e|shorten|condense|extract|process|proofread)\s+"
               r"(?:\S+\s+){0,3}?(?:the|this|a|an|our|my)?\s*" + _SECRET_DOC + r"(?:\s+\S+){0,2}?\s*(?:document|file|report|plan|"
               r"material|text|dossier|memo)", _F),
]
_IMPERATIVE_LEAD = re.compile(r"^\s*(?:(?:hãy|please|pls)\s*)?", re.I)
# a question about the rule, not a request to act on a document
_ASKS_RULE = re.compile(r"(?:có\s*được|được\s*không|được\s*phép|theo\s*quy\s*(?:chế|định)|quy\s*(?:chế|định)\s*(?:nói|thế|ra)|"
                        r"phải\s*làm\s*(?:gì|sao|thế\s*nào)|nên\s*làm|làm\s*thế\s*nào|thay\s*thế|bị\s*cấm|có\s*cấm|"
                        r"may\s+i|am\s+i\s+allowed|can\s+i|should\s+i|is\s+it\s+allowed|allowed\s+to|what\s+(?:should|must|does)|"
                        r"under\s+the\s+(?:city'?s\s+)?(?:rules?|regulation))", re.I)


@dataclass
class PolicyHit:
    name: str
    start: int
    end: int
    score: float


MAX_CHARS = 3000  # requests are short; long pasted documents are scanned on their head only


def find_policy(text: str) -> list[PolicyHit]:
    out: list[PolicyHit] = []
    text = text[:MAX_CHARS]
    about_law = bool(_ABOUT_LAW.search(text))
    request = bool(_REQUEST.search(text))
    for pat in _FORGERY:
        m = pat.search(text)
        if m and request and not about_law:
            out.append(PolicyHit("forgery", m.start(), m.end(), 0.9))
            break
    for pat in _DECIDE:
        m = pat.search(text)
        if m and not about_law:
            out.append(PolicyHit("automated_decision", m.start(), m.end(), 0.9))
            break
    for pat in _DISCRIMINATE:
        m = pat.search(text)
        if m and not about_law:
            # statutory priority policies (e.g. bonus points for ethnic minorities set by law) are not discrimination
            if _ANTI.search(text) and not re.search(r"(?:loại|không\s*(?:tuyển|nhận)|chỉ\s*(?:tuyển|nhận)|trừ\s*điểm|exclude|reject)", m.group(0), _F):
                continue
            out.append(PolicyHit("discrimination", m.start(), m.end(), 0.85))
            break
    if not _ASKS_RULE.search(text) and not about_law:
        for pat in _SECRET_WORK:
            m = pat.search(text)
            # addressed to the assistant: a request word ("giúp", "hãy", "please") or the verb opening the message
            if m and (request or not _IMPERATIVE_LEAD.sub("", text[:m.start()])):
                out.append(PolicyHit("state_secret", m.start(), m.end(), 0.9))
                break
    return out
