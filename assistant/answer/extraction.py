"""Offline extraction to a table: one row per legal unit that states a deadline, an amount or a responsible unit.

Rows follow the document's structure (``assistant.answer.units``): a clause, or a point with its
lead-in, is one row; its article and clause ("Điều 11, khoản 2" / "Article 11(2)") have their own
column, and the [n] of the passage the last one. Deadlines, amounts and units are found by rules
(DEADLINE, MONEY, UNIT_HEAD below); the responsible-unit column names bodies ("Sở Nội vụ", "Ủy ban
nhân dân quận Bến Sông"), never a place alone. Boilerplate is not a row: the training-material
notice, the national motto, the number and date lines, "Căn cứ …" and the recipients.

With a question (an exercise: "Lập bảng so sánh thời hạn báo cáo sự cố …"), rows are ranked by how
much of the question they (and their article heading) cover and the best kept, in document order.
"""
from __future__ import annotations

import re

from assistant.answer.text import content_terms, coverage, topic
from assistant.answer.units import legal_units, strip_number, trim
from assistant.messages import t

_NUM = r"(?:\d+|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)"
# a number of days, hours, months…, not a date part ("tháng 11 năm 2025", "tuần 40 năm 2025", "Điều 3 ngày")
_NOT_DATE = r"(?<!tháng\s)(?<!tuần\s)(?<!quý\s)(?<!số\s)(?<!Điều\s)(?<!khoản\s)(?<!\d[/.])"
DEADLINE = re.compile(
    r"(?:(?:trong\s+(?:thời\s+hạn|vòng)|chậm\s+nhất|không\s+quá|tối\s+đa|trước|sau)\s+)?" + _NOT_DATE + r"\b" + _NUM
    + r"\s+(?:ngày\s+làm\s+việc|ngày(?!\s+\d)|giờ\s+làm\s+việc|giờ(?!\s+\d)|phút|tháng(?!\s+\d)|năm(?!\s+\d{4})|tuần)"
    + r"(?:\s+(?:kể\s+từ|trước|sau)[^,.;:]{0,60})?"
    r"|ngày\s+\d{1,2}(?:\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?|/\d{1,2}/\d{4})(?:\s+hằng\s+tháng)?"
    r"|ngày\s+\d{1,2}\s+hằng\s+(?:tháng|quý|năm)"
    r"|(?:sáng|chiều)?\s*thứ\s+(?:Hai|Ba|Tư|Năm|Sáu|Bảy)(?:\s+và\s+(?:sáng|chiều)?\s*thứ\s+(?:Hai|Ba|Tư|Năm|Sáu|Bảy))?(?:\s+hằng\s+tuần)?"
    r"|từ\s+\d{1,2}\s+giờ(?:\s+\d{1,2})?\s+đến\s+\d{1,2}\s+giờ(?:\s+\d{1,2})?"
    r"|\b(?:ngay|trong\s+ngày)\b"
    r"|within\s+\d+\s+(?:working\s+)?(?:days|hours|months|years)|\b(?:for|after)\s+\d+\s+(?:minutes|hours|days|weeks|months|years)\b|no\s+later\s+than\s+[^,.;]{1,40}"
    r"|\b(?:at\s+once|immediately|the\s+same\s+day)\b",
    re.I,
)
MONEY = re.compile(r"\d[\d.,]*\s*(?:đồng|VND|VNĐ|vnđ|triệu|nghìn|tỷ)|miễn\s+(?:phí|lệ\s+phí)|free of charge|no fee|"
                   r"\bVND\b", re.I)
PERCENT = re.compile(r"\d[\d.,]*\s*%")
UNIT_HEAD = re.compile(
    r"\b(Ủy ban nhân dân|UBND|Sở|Phòng|Ban|Văn phòng|Chủ tịch|Công ty|Trung tâm|Bộ phận|Thanh tra|Công an|Hội đồng|Cục|Chi cục|Bộ"
    r"|Lưu trữ cơ quan|Văn thư|Trưởng phòng|Người đứng đầu|người đứng đầu)\s+(?=\S)"
)
UNIT_EN = re.compile(r"\b(?:(?:the\s+)?(?:[A-Z][a-z]+\s+){0,4}(?:People's Committee|Department|Office|Division|Committee|"
                     r"Centre|Center|Police|Inspectorate|Ministry)(?:\s+of(?:\s+[A-Z][a-z]+|\s+and){1,5})?)")
_UNIT_STOP = set("""phải có là được thực chủ trong theo về tại cho để trả ghi bố hướng tiếp nhận báo quy thông xem
    giải kiểm tổ cấp ban chịu và hoặc khi nếu từ đến với các những này đó nào mỗi giao xử lập rà gửi đôn làm phối
    thẩm tham cử duy hỗ tuần năm quý tháng ngày""".split())
OBLIGATION = re.compile(r"\b(phải|có trách nhiệm|chịu trách nhiệm|không được|nghiêm cấm|bị cấm|cấm|must|shall|is responsible)\b", re.I)
BOILERPLATE = re.compile(
    r"^\W*(?:Tài liệu mẫu|Sample document|Training material|Căn cứ|Pursuant|Based on|Nơi nhận|Recipients|CỘNG HÒA|"
    r"CỘNG HOÀ|Độc lập|SOCIALIST|Independence|Số\s*:|No\.\s*\d|Lưu\s*:|Archive|\(Đã ký\)|\(Signed\)|TM\.|KT\.)", re.I)
_PLACE_DATE = re.compile(r"^\W*[\w\s]{2,40},\s+ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}\W*$", re.I)
CELL = 240  # characters of the content cell
MAX_ROWS = 60
FOCUSED_ROWS = 30  # rows kept when a question narrows the table
FOCUS_SHARE = 0.5  # ... those covering at least this share of the best row's coverage


def units_in(sentence: str) -> list[str]:
    """Responsible bodies named in a sentence ("Sở Văn hóa và Thể thao", "Phòng Tư pháp quận")."""
    out = []
    for m in UNIT_HEAD.finditer(sentence):
        ws = [m.group(1)]
        for w in re.split(r"\s+", sentence[m.end():]):
            bare = w.strip(",.;:()")
            if not bare or (bare.lower() in _UNIT_STOP and bare[:1].islower()) or bare[:1].isdigit() or len(ws) >= 7:
                break
            ws.append(bare)
            if bare != w:
                break
        if len(ws) > 1 and " ".join(ws) not in out:
            out.append(" ".join(ws))
    for m in UNIT_EN.finditer(sentence):
        u = re.sub(r"^the\s+", "", m.group(0).strip())
        if u not in out:
            out.append(u)
    # drop units contained in a longer one
    return [u for u in out if not any(u != v and u in v for v in out)]


def deadlines_in(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(0).strip() for m in DEADLINE.finditer(text) if m.group(0).strip()))


def amounts_in(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(0).strip() for p in (MONEY, PERCENT) for m in p.finditer(text)))


def is_boilerplate(text: str) -> bool:
    s = text.strip().strip("*_> ")
    return bool(BOILERPLATE.match(s) or _PLACE_DATE.match(s))


def where(hit, unit, lang: str) -> str:
    """"Điều 11, khoản 2, điểm a" / "Article 11(2)(a)" (or the section's heading for a plan or a report)."""
    clause = re.match(r"^(\d{1,3})\.\s", unit.lead or unit.text)
    point = re.match(r"^([a-zđ])\)\s", unit.text) if unit.kind == "point" else None
    article = str((hit.metadata or {}).get("article") or "")
    if article:
        if lang == "vi":
            parts = [f"Điều {article}"] + ([f"khoản {clause.group(1)}"] if clause else []) + \
                    ([f"điểm {point.group(1)}"] if point else [])
            return ", ".join(parts)
        return f"Article {article}" + (f"({clause.group(1)})" if clause else "") + (f"({point.group(1)})" if point else "")
    crumbs = str((hit.metadata or {}).get("breadcrumb") or "").split(" › ")
    section = crumbs[-1].strip() if len(crumbs) > 1 else ""
    word = "khoản" if lang == "vi" else "item"
    return ", ".join([x for x in (section, f"{word} {clause.group(1)}" if clause else "") if x])


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "/")


def rows_of(hits: list, lang: str, every_unit: bool = False) -> list[dict]:
    """Every row the passages give, in document order (``every_unit``: also units with no deadline, amount or
    unit, for a question to choose from: "Đăng ký hộ kinh doanh cần những giấy tờ gì?")."""
    rows = []
    many = len(hits) > 1
    for i, h in enumerate(hits):
        if many and (h.metadata or {}).get("kind") in ("preamble", "closing"):
            continue
        wrapped = (h.metadata or {}).get("format") == "pdf"
        for u in legal_units(h.passage, wrapped):
            if is_boilerplate(u.text) or (u.lead and is_boilerplate(u.lead)):
                continue
            own = u.text if u.kind == "point" else u.full
            dl, money, bodies = deadlines_in(own), amounts_in(own), units_in(u.full)
            if not (dl or money or bodies or every_unit):
                continue
            body = strip_number(u.text) if u.kind != "point" else u.text
            lead = strip_number(u.lead) if u.lead else ""
            content = trim(f"{lead} {body}".strip() if lead else body, lambda p: float(bool(DEADLINE.search(p))), CELL)
            rows.append({"hit": i, "unit": u, "content": content, "deadline": "; ".join(dl + money),
                         "who": "; ".join(bodies), "where": where(h, u, lang),
                         "focus_text": f"{(h.metadata or {}).get('article_title', '')} {u.full}"})
    return rows


def focus(rows: list[dict], question: str) -> list[dict]:
    """The rows a question asks about: the best-covering ones (and those close to them), in document order."""
    terms = content_terms(topic(question))
    if not terms or not rows:
        return rows
    scored = [(coverage(terms, r["focus_text"], None) + (0.2 if r["deadline"] else 0.0), n) for n, r in enumerate(rows)]
    best = max(s for s, _ in scored)
    if best <= 0:
        return rows[:FOCUSED_ROWS]
    keep = sorted(sorted(((s, n) for s, n in scored if s >= FOCUS_SHARE * best), reverse=True)[:FOCUSED_ROWS], key=lambda x: x[1])
    return [rows[n] for _, n in keep]


def extract(hits: list, lang: str, question: str = "") -> tuple[str, list]:
    rows = rows_of(hits, lang, every_unit=bool(question))
    if question:
        rows = focus(rows, question)
    rows = rows[:MAX_ROWS]
    if not rows:
        return t("answers.offline_extract_none", lang), hits
    header = t("answers.extract_header", lang)
    sep = "|" + "|".join("---" for _ in range(header.count("|") - 1)) + "|"
    lines = [f"| {_cell(r['content'])} | {_cell(r['deadline']) or '—'} | {_cell(r['who']) or '—'} | "
             f"{_cell(r['where']) or '—'} | [{r['hit'] + 1}] |" for r in rows]
    return "\n".join([t("answers.offline_extract_intro", lang), "", header, sep, *lines]), hits
