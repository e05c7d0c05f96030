"""Format checker: does a DOCX follow Decree 30/2020/NĐ-CP (Appendix I)?

``check_docx(path_or_bytes)`` returns one :class:`RuleResult` per rule, each with
the article or appendix item it comes from and a message in Vietnamese and
English. It reads any DOCX (a trainee's own draft written in Word): text in
tables, missing styles, sizes and fonts inherited from styles, document defaults
or the theme. It never raises on a document; an unreadable file is one failed rule.
"""
from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from docx.oxml.ns import qn

from assistant.messages import t

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_OK = re.compile(r"^Độc lập - Tự do - Hạnh phúc$")
TYPE_NAMES = {
    "NGHỊ QUYẾT", "QUYẾT ĐỊNH", "CHỈ THỊ", "QUY CHẾ", "QUY ĐỊNH", "THÔNG CÁO", "THÔNG BÁO", "HƯỚNG DẪN",
    "CHƯƠNG TRÌNH", "KẾ HOẠCH", "PHƯƠNG ÁN", "ĐỀ ÁN", "DỰ ÁN", "BÁO CÁO", "BIÊN BẢN", "TỜ TRÌNH", "HỢP ĐỒNG",
    "CÔNG ĐIỆN", "BẢN GHI NHỚ", "BẢN THỎA THUẬN", "GIẤY ỦY QUYỀN", "GIẤY MỜI", "GIẤY GIỚI THIỆU",
    "GIẤY NGHỈ PHÉP", "PHIẾU GỬI", "PHIẾU CHUYỂN", "PHIẾU BÁO", "THƯ CÔNG",
}
NUMBER_START = re.compile(r"^s[ốố]\s*(?::|\d|\.{2,}|…|_|/)", re.I)
NUMBER_OK = re.compile(r"^Số: ?(?:(?P<n>\d+)|[ .…_]*)/(?:\d{4}/)?(?P<code>[A-ZĐa-zđ0-9]+(?:-[A-ZĐa-zđ0-9]+)+|[A-ZĐ][A-ZĐa-zđ0-9]*)$")
DATE_RE = re.compile(r"ngày\s*(?P<d>[\d.…_ ]*?)\s*tháng\s*(?P<m>[\d.…_ ]*?)\s*năm\s*(?P<y>\d{4}|[.…_ ]*)", re.I)
SIGNER_PREFIX = re.compile(r"^(TM|KT|TL|TUQ|Q)\.\s")
MM_PER_EMU = 1 / 36000

# rule id -> the article / appendix item it comes from (Decree 30/2020/NĐ-CP)
RULES: dict[str, str] = {
    "file.readable": "",
    "page.size": "Điều 9; Phụ lục I, Mục I.1",
    "margin.top": "Phụ lục I, Mục I.3",
    "margin.bottom": "Phụ lục I, Mục I.3",
    "margin.left": "Phụ lục I, Mục I.3",
    "margin.right": "Phụ lục I, Mục I.3",
    "font.family": "Điều 9; Phụ lục I, Mục I.4",
    "national_title.present": "Điều 8; Phụ lục I, Mục II.1.a",
    "national_title.upper": "Phụ lục I, Mục II.1.a",
    "national_title.bold": "Phụ lục I, Mục II.1.a",
    "national_title.size": "Phụ lục I, Mục II.1.a",
    "motto.present": "Điều 8; Phụ lục I, Mục II.1.b",
    "motto.hyphens": "Phụ lục I, Mục II.1.b",
    "motto.bold": "Phụ lục I, Mục II.1.b",
    "motto.size": "Phụ lục I, Mục II.1.b",
    "agency.present": "Điều 8; Phụ lục I, Mục II.2",
    "agency.style": "Phụ lục I, Mục II.2",
    "number.format": "Điều 8; Phụ lục I, Mục II.3; Phụ lục III",
    "number.size": "Phụ lục I, Mục II.3",
    "place_date.present": "Điều 8; Phụ lục I, Mục II.4",
    "place_date.italic": "Phụ lục I, Mục II.4",
    "place_date.padding": "Phụ lục I, Mục II.4",
    "place_date.size": "Phụ lục I, Mục II.4",
    "type_summary.present": "Điều 8; Phụ lục I, Mục II.5",
    "body.size": "Phụ lục I, Mục II.6",
    "body.justified": "Phụ lục I, Mục II.6",
    "signer.present": "Điều 8; Phụ lục I, Mục II.7",
    "signer.bold": "Phụ lục I, Mục II.7",
    "recipients.present": "Điều 8; Phụ lục I, Mục II.9",
    "recipients.style": "Phụ lục I, Mục II.9",
}


@dataclass
class RuleResult:
    rule: str
    status: str  # pass | fail | skip (skip: the component it looks at is missing, reported by another rule)
    ref: str
    message_vi: str
    message_en: str
    found: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status != "fail"

    def message(self, lang: str = "vi") -> str:
        return self.message_en if lang == "en" else self.message_vi

    def as_json(self, lang: str | None = None) -> dict:
        d = {"rule": self.rule, "ok": self.ok, "status": self.status, "ref": self.ref}
        if lang:
            d["message"] = self.message(lang)
        else:
            d["message"] = {"vi": self.message_vi, "en": self.message_en}
        return d


def _result(rule: str, status: str, detail_key: str = "", **kw) -> RuleResult:
    msgs = {}
    for lang in ("vi", "en"):
        req = t(f"drafting.rule.{rule}", lang)
        if status == "skip":
            extra = t("drafting.found.skip", lang)
        elif detail_key:
            extra = t(f"drafting.found.{detail_key}", lang, **{k: _loc(v, lang) for k, v in kw.items()})
        else:
            extra = ""
        mark = {"pass": "✓", "fail": "✗", "skip": "–"}[status]
        msgs[lang] = f"{mark} {req}" + (f" {extra}" if extra else "")
    return RuleResult(rule, status, RULES.get(rule, ""), msgs["vi"], msgs["en"], found=kw)


def _loc(v, lang):
    if isinstance(v, float):
        s = f"{v:.1f}".rstrip("0").rstrip(".")
        return s.replace(".", ",") if lang == "vi" else s
    return v


# ----------------------------------------------------------------- effective run properties
def _on(el) -> bool | None:
    if el is None:
        return None
    v = el.get(qn("w:val"))
    return v is None or v.lower() not in ("0", "false", "off", "none")


class Props:
    """Resolves a run's effective size, bold, italic, caps and font: run -> character style ->
    paragraph style chain -> document defaults (-> theme fonts)."""

    def __init__(self, doc):
        self.styles: dict[str, object] = {}
        self.default_para_style = None
        self.doc_rpr = None
        self.doc_ppr = None
        self.theme = {"major": None, "minor": None}
        try:
            root = doc.styles.element
            for st in root.findall(qn("w:style")):
                sid = st.get(qn("w:styleId"))
                if sid:
                    self.styles[sid] = st
                if st.get(qn("w:type")) == "paragraph" and _on_attr(st.get(qn("w:default"))):
                    self.default_para_style = st
            dd = root.find(qn("w:docDefaults"))
            if dd is not None:
                r = dd.find(qn("w:rPrDefault"))
                self.doc_rpr = r.find(qn("w:rPr")) if r is not None else None
                p = dd.find(qn("w:pPrDefault"))
                self.doc_ppr = p.find(qn("w:pPr")) if p is not None else None
        except Exception:  # noqa: BLE001 - a document without styles part: defaults only
            pass
        self._load_theme(doc)

    def _load_theme(self, doc) -> None:
        try:
            from lxml import etree

            for rel in doc.part.rels.values():
                if rel.reltype.endswith("/theme") and not rel.is_external:
                    root = etree.fromstring(rel.target_part.blob)
                    ns = {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
                    for kind in ("major", "minor"):
                        el = root.find(f".//a:{kind}Font/a:latin", ns)
                        if el is not None:
                            self.theme[kind] = el.get("typeface")
        except Exception:  # noqa: BLE001
            pass

    def _chain(self, style_el, limit: int = 20) -> list:
        out, seen = [], set()
        while style_el is not None and len(out) < limit:
            sid = style_el.get(qn("w:styleId"))
            if sid in seen:
                break
            seen.add(sid)
            out.append(style_el)
            based = style_el.find(qn("w:basedOn"))
            style_el = self.styles.get(based.get(qn("w:val"))) if based is not None else None
        return out

    def para_styles(self, p_el) -> list:
        ppr = p_el.find(qn("w:pPr"))
        ps = ppr.find(qn("w:pStyle")) if ppr is not None else None
        st = self.styles.get(ps.get(qn("w:val"))) if ps is not None else None
        return self._chain(st if st is not None else self.default_para_style)

    def rpr_levels(self, r_el, p_el) -> list:
        levels = []
        rpr = r_el.find(qn("w:rPr"))
        if rpr is not None:
            levels.append(rpr)
            rs = rpr.find(qn("w:rStyle"))
            if rs is not None:
                levels += [s.find(qn("w:rPr")) for s in self._chain(self.styles.get(rs.get(qn("w:val"))))]
        levels += [s.find(qn("w:rPr")) for s in self.para_styles(p_el)]
        levels.append(self.doc_rpr)
        return [x for x in levels if x is not None]

    def size(self, r_el, p_el) -> float:
        for rpr in self.rpr_levels(r_el, p_el):
            sz = rpr.find(qn("w:sz"))
            if sz is not None and sz.get(qn("w:val")):
                try:
                    return int(sz.get(qn("w:val"))) / 2
                except ValueError:
                    continue
        return 10.0  # the format's default when nothing sets it

    def flag(self, r_el, p_el, tag: str) -> bool:
        for rpr in self.rpr_levels(r_el, p_el):
            v = _on(rpr.find(qn(f"w:{tag}")))
            if v is not None:
                return v
        return False

    def font(self, r_el, p_el) -> str:
        for rpr in self.rpr_levels(r_el, p_el):
            rf = rpr.find(qn("w:rFonts"))
            if rf is None:
                continue
            theme = rf.get(qn("w:hAnsiTheme")) or rf.get(qn("w:asciiTheme"))
            if theme:
                kind = "major" if theme.startswith("major") else "minor"
                return self.theme.get(kind) or f"({theme})"
            name = rf.get(qn("w:hAnsi")) or rf.get(qn("w:ascii"))
            if name:
                return name
        return self.theme.get("minor") or "(default)"

    def alignment(self, p_el) -> str:
        levels = [p_el.find(qn("w:pPr"))] + [s.find(qn("w:pPr")) for s in self.para_styles(p_el)] + [self.doc_ppr]
        for ppr in levels:
            if ppr is None:
                continue
            jc = ppr.find(qn("w:jc"))
            if jc is not None:
                return jc.get(qn("w:val")) or "left"
        return "left"


def _on_attr(v) -> bool:
    return v is not None and v.lower() in ("1", "true", "on")


# ----------------------------------------------------------------- paragraphs
@dataclass
class Para:
    index: int
    el: object
    text: str
    runs: list  # [(text, r_el)]
    cell: object  # the w:tc it sits in, or None

    @property
    def in_table(self) -> bool:
        return self.cell is not None


def _norm(s: str) -> str:
    s = unicodedata.normalize("NFC", s).replace("\u00a0", " ")
    return " ".join(s.split())


BREAK, TAB = object(), object()


def _run_pieces(r_el) -> list:
    """The run's text, with BREAK for line breaks (Shift+Enter) and TAB for tabs."""
    parts: list = []
    for ch in r_el:
        if ch.tag == qn("w:t"):
            parts.append(ch.text or "")
        elif ch.tag == qn("w:tab"):
            parts.append(TAB)
        elif ch.tag in (qn("w:br"), qn("w:cr")):
            if ch.get(qn("w:type")) in (None, "textWrapping"):
                parts.append(BREAK)
    return parts


def _paragraphs(doc) -> list[Para]:
    """Every piece of text in body order, tables included, one Para per line and per tab-separated
    column: Word users often put the national title and the motto in one paragraph split by a line
    break, or lay out the header and the signature in two columns with tabs instead of a table."""
    out = []
    body = doc.element.body
    if body is None:  # a package without a document body
        return out
    for p_el in body.iter(qn("w:p")):
        segments: list[list] = [[]]
        for r_el in p_el.iter(qn("w:r")):
            # runs of a nested paragraph (text box) belong to that paragraph
            if _closest(r_el, qn("w:p")) is not p_el:
                continue
            for piece in _run_pieces(r_el):
                if piece is BREAK or piece is TAB:
                    segments.append([])
                elif piece:
                    segments[-1].append((piece, r_el))
        cell = _closest(p_el, qn("w:tc"))
        texts = [(_norm("".join(x for x, _ in runs)), runs) for runs in segments]
        kept = [(text, runs) for text, runs in texts if text]
        for text, runs in kept or [("", [])]:
            out.append(Para(len(out), p_el, text, runs, cell))
    return out


def _closest(el, tag):
    el = el.getparent()
    while el is not None:
        if el.tag == tag:
            return el
        el = el.getparent()
    return None


def _letters(s: str) -> str:
    return "".join(ch for ch in s if ch.isalpha())


def _is_upper(s: str) -> bool:
    letters = _letters(s)
    return bool(letters) and letters == letters.upper()


def _fold(s: str) -> str:
    """Upper case, "HOÀ" and "HÒA" alike (old and new tone placement)."""
    s = _norm(s).upper()
    return s.replace("HOÀ", "HÒA").replace("HOÁ", "HÓA").replace("THOẢ", "THỎA").replace("UỶ", "ỦY")


# ----------------------------------------------------------------- the checker
class _Doc:
    def __init__(self, doc):
        self.doc = doc
        self.props = Props(doc)
        self.paras = _paragraphs(doc)
        self.nonempty = [p for p in self.paras if p.text]

    def text_runs(self, p: Para):
        return [(x, r) for x, r in p.runs if x.strip()]

    def all_bold(self, p: Para) -> bool:
        runs = self.text_runs(p)
        return bool(runs) and all(self.props.flag(r, p.el, "b") for _, r in runs)

    def all_italic(self, p: Para) -> bool:
        runs = self.text_runs(p)
        return bool(runs) and all(self.props.flag(r, p.el, "i") for _, r in runs)

    def looks_upper(self, p: Para) -> bool:
        if _is_upper(p.text):
            return True
        runs = self.text_runs(p)
        return bool(runs) and all(self.props.flag(r, p.el, "caps") or _is_upper(x) or not _letters(x) for x, r in runs)

    def sizes(self, p: Para) -> list[float]:
        return [self.props.size(r, p.el) for _, r in self.text_runs(p)]


def _size_rule(rule: str, d: _Doc, p: Para | None, lo: float, hi: float) -> RuleResult:
    if p is None:
        return _result(rule, "skip")
    sizes = d.sizes(p)
    bad = [s for s in sizes if not lo <= s <= hi]
    shown = float(bad[0] if bad else (sizes[0] if sizes else 0))
    return _result(rule, "fail" if bad or not sizes else "pass", "size", size=shown)


def _find(d: _Doc, pred, start: int = 0, stop: int | None = None) -> Para | None:
    for p in d.nonempty:
        if p.index < start or (stop is not None and p.index >= stop):
            continue
        if pred(p):
            return p
    return None


def check_document(doc) -> list[RuleResult]:
    d = _Doc(doc)
    res: list[RuleResult] = []
    res += _page_rules(doc)
    res.append(_font_rule(d))

    head_limit = d.nonempty[min(len(d.nonempty) - 1, 30)].index + 1 if d.nonempty else 0
    title = _find(d, lambda p: _fold(p.text) == NATIONAL_TITLE, stop=head_limit)
    if title is None:  # a near miss: the words are there but with extra characters
        near = _find(d, lambda p: NATIONAL_TITLE in _fold(p.text) and len(p.text) < 60, stop=head_limit)
        title = near
    res.append(_result("national_title.present", "pass" if title else "fail", "" if title else "missing"))
    if title is not None:
        res.append(_result("national_title.upper", "pass" if d.looks_upper(title) else "fail",
                           "" if d.looks_upper(title) else "text", text=title.text))
        res.append(_result("national_title.bold", "pass" if d.all_bold(title) else "fail", "" if d.all_bold(title) else "not_bold"))
        res.append(_size_rule("national_title.size", d, title, 12, 13))
    else:
        res += [_result(r, "skip") for r in ("national_title.upper", "national_title.bold", "national_title.size")]

    def motto_like(p: Para) -> bool:
        f = _fold(p.text)
        return "ĐỘC LẬP" in f and "TỰ DO" in f and "HẠNH PHÚC" in f and len(p.text) < 60
    motto = _find(d, motto_like, stop=head_limit)
    res.append(_result("motto.present", "pass" if motto else "fail", "" if motto else "missing"))
    if motto is not None:
        txt = motto.text.replace("–", "-")
        ok = bool(MOTTO_OK.match(txt))
        res.append(_result("motto.hyphens", "pass" if ok else "fail", "" if ok else "text", text=motto.text))
        res.append(_result("motto.bold", "pass" if d.all_bold(motto) else "fail", "" if d.all_bold(motto) else "not_bold"))
        res.append(_size_rule("motto.size", d, motto, 13, 14))
    else:
        res += [_result(r, "skip") for r in ("motto.hyphens", "motto.bold", "motto.size")]

    number = _find(d, lambda p: bool(NUMBER_START.match(p.text)), stop=head_limit)
    date = _find(d, lambda p: bool(DATE_RE.search(p.text)) and len(p.text) < 90, stop=head_limit)
    vv = _find(d, lambda p: p.text.lower().startswith("v/v"), stop=head_limit)
    type_p = _find(d, lambda p: _fold(p.text).rstrip() in TYPE_NAMES, stop=head_limit + 10)

    # issuing body: the last upper-case paragraph above the number line (same cell when in a table)
    special = {x.index for x in (title, motto, date) if x is not None}
    limit = number.index if number else (type_p.index if type_p else head_limit)
    candidates = [p for p in d.nonempty if p.index < limit and p.index not in special
                  and (_is_upper(p.text) or d.looks_upper(p))]
    same_cell = [p for p in candidates if number is not None and number.cell is not None and p.cell is number.cell]
    agency = (same_cell or candidates or [None])[-1]
    res.append(_result("agency.present", "pass" if agency else "fail", "" if agency else "missing"))
    if agency is not None:
        ok = d.all_bold(agency) and d.looks_upper(agency)
        res.append(_result("agency.style", "pass" if ok else "fail", "" if ok else "text", text=agency.text))
    else:
        res.append(_result("agency.style", "skip"))

    if number is None:
        res.append(_result("number.format", "fail", "missing"))
        res.append(_result("number.size", "skip"))
    else:
        m = NUMBER_OK.match(number.text)
        bad_pad = bool(m and m.group("n") and len(m.group("n")) < 2)
        ok = bool(m) and not bad_pad
        res.append(_result("number.format", "pass" if ok else "fail", "" if ok else "text", text=number.text))
        res.append(_size_rule("number.size", d, number, 13, 13))

    is_minutes = type_p is not None and _fold(type_p.text) == "BIÊN BẢN"
    if date is None:
        res.append(_result("place_date.present", "pass" if is_minutes else "fail", "minutes" if is_minutes else "missing"))
        res += [_result(r, "skip") for r in ("place_date.italic", "place_date.padding", "place_date.size")]
    else:
        m = DATE_RE.search(date.text)
        place = date.text[:m.start()].strip().rstrip(",").strip()
        has_place = bool(place) and date.text[:m.start()].strip().endswith(",")
        res.append(_result("place_date.present", "pass" if has_place else "fail", "" if has_place else "text", text=date.text))
        res.append(_result("place_date.italic", "pass" if d.all_italic(date) else "fail", "" if d.all_italic(date) else "not_italic"))
        day, month = m.group("d").strip(), m.group("m").strip()
        pad_ok = True
        if day.isdigit():
            pad_ok &= not (int(day) < 10 and len(day) < 2)
        if month.isdigit():
            mo = int(month)
            pad_ok &= (len(month) == 2) if mo <= 2 else (month == str(mo))
        res.append(_result("place_date.padding", "pass" if pad_ok else "fail", "" if pad_ok else "text", text=date.text))
        res.append(_size_rule("place_date.size", d, date, 13, 14))

    summary = None
    if type_p is not None:
        summary = _find(d, lambda p: True, start=type_p.index + 1)
    ok_ts = vv is not None or (type_p is not None and summary is not None)
    res.append(_result("type_summary.present", "pass" if ok_ts else "fail", "" if ok_ts else "missing"))

    # signature block and recipients (from the end)
    recip = None
    for p in d.nonempty:
        if re.match(r"^nơi nhận\b", _norm(p.text).lower()) and p.index > limit:
            recip = p
    skip = set()
    if recip is not None:
        skip.add(recip.index)
        for p in d.nonempty:
            if p.index > recip.index and re.match(r"^[-–+•]", p.text):
                skip.add(p.index)
    body_start = (summary.index + 1) if summary is not None else (max(x.index for x in (title, motto, number, date, vv, agency) if x is not None) + 1
                                                                  if any(x is not None for x in (title, motto, number, date, vv, agency)) else 0)
    signer, name = None, None
    trailing = 0
    for p in reversed(d.nonempty):
        if p.index < body_start:
            break
        if p.index in skip:
            continue
        txt = p.text
        if _is_upper(txt) and len(txt) <= 90 and not re.match(r"^([IVXLC]+|\d+)[.)]", txt) and not txt.endswith(":"):
            signer = p
            # the title line may be preceded by the authority line (TM., KT., ...)
            prev = [q for q in d.nonempty if q.index < p.index and q.index >= body_start and q.index not in skip]
            if prev and SIGNER_PREFIX.match(prev[-1].text):
                signer = prev[-1]
            break
        trailing += 1
        if trailing == 1:
            name = p
        if trailing > 3 or txt.endswith((".", ";", "./.")) and len(txt) > 40:
            break
    res.append(_result("signer.present", "pass" if signer else "fail", "" if signer else "missing"))
    if signer is not None:
        block = [q for q in d.nonempty if signer.index <= q.index and q.index not in skip
                 and (name is None or q.index <= name.index)]
        ok = all(d.all_bold(q) for q in block if not q.text.startswith("("))
        res.append(_result("signer.bold", "pass" if ok else "fail", "" if ok else "not_bold"))
    else:
        res.append(_result("signer.bold", "skip"))

    res.append(_result("recipients.present", "pass" if recip else "fail", "" if recip else "missing"))
    if recip is not None:
        label_sizes = d.sizes(recip)
        ok = d.all_bold(recip) and d.all_italic(recip) and all(s == 12 for s in label_sizes)
        items = [p for p in d.nonempty if p.index in skip and p is not recip]
        item_sizes = [s for p in items for s in d.sizes(p)]
        ok_items = all(s == 11 for s in item_sizes)
        detail = "" if ok and ok_items else "recipients"
        res.append(_result("recipients.style", "pass" if ok and ok_items else "fail", detail,
                           size=float(label_sizes[0] if label_sizes else 0), item=float(item_sizes[0] if item_sizes else 0)))
    else:
        res.append(_result("recipients.style", "skip"))

    # body: paragraphs outside tables between the summary and the signature/recipients
    ends = [x.index for x in (signer, recip) if x is not None and x.index >= body_start]
    body_end = min(ends) if ends else len(d.paras)
    if signer is not None and signer.cell is not None:
        first_in_table = min((p.index for p in d.paras if p.cell is not None and p.index >= body_start
                              and _closest(p.cell, qn("w:tbl")) is _closest(signer.cell, qn("w:tbl"))), default=body_end)
        body_end = min(body_end, first_in_table)
    body = [p for p in d.nonempty if body_start <= p.index < body_end and not p.in_table
            and p.index not in special and p is not type_p and p is not summary]
    if not body:
        res.append(_result("body.size", "skip"))
        res.append(_result("body.justified", "skip"))
    else:
        bad = [(p, s) for p in body for s in d.sizes(p) if not 13 <= s <= 14]
        if bad:
            res.append(_result("body.size", "fail", "body_size", size=float(bad[0][1]), n=len({id(p) for p, _ in bad}),
                               sample=bad[0][0].text[:60]))
        else:
            res.append(_result("body.size", "pass"))
        long_paras = [p for p in body if len(p.text) > 120]
        not_just = [p for p in long_paras if d.props.alignment(p.el) not in ("both", "distribute")]
        if not_just:
            res.append(_result("body.justified", "fail", "not_justified", n=len(not_just), sample=not_just[0].text[:60]))
        else:
            res.append(_result("body.justified", "pass"))
    return res


def _page_rules(doc) -> list[RuleResult]:
    out = []
    try:
        secs = list(doc.sections)
    except Exception:  # noqa: BLE001 - no body, no section properties
        secs = []
    if not secs:
        return [_result(r, "fail", "missing") for r in ("page.size", "margin.top", "margin.bottom", "margin.left", "margin.right")]
    bad_size = None
    for i, s in enumerate(secs):
        w, h = s.page_width, s.page_height
        if w is None or h is None:
            bad_size = (0.0, 0.0)
            break
        wm, hm = w * MM_PER_EMU, h * MM_PER_EMU
        portrait = abs(wm - 210) <= 1 and abs(hm - 297) <= 1
        landscape = abs(wm - 297) <= 1 and abs(hm - 210) <= 1
        if not (portrait or (landscape and i > 0)):
            bad_size = (wm, hm)
            break
    if bad_size:
        out.append(_result("page.size", "fail", "page", w=float(bad_size[0]), h=float(bad_size[1])))
    else:
        out.append(_result("page.size", "pass"))
    limits = {"top": (20, 25), "bottom": (20, 25), "left": (30, 35), "right": (15, 20)}
    for side, (lo, hi) in limits.items():
        vals = []
        for s in secs:
            v = getattr(s, f"{side}_margin")
            vals.append(None if v is None else v * MM_PER_EMU)
        bad = next((v for v in vals if v is None or not lo - 0.2 <= v <= hi + 0.2), "ok")
        if bad == "ok":
            out.append(_result(f"margin.{side}", "pass", "mm", mm=float(vals[0])))
        elif bad is None:
            out.append(_result(f"margin.{side}", "fail", "missing"))
        else:
            out.append(_result(f"margin.{side}", "fail", "mm", mm=float(bad)))
    return out


def _font_rule(d: _Doc) -> RuleResult:
    bad = []
    for p in d.paras:
        for x, r in d.text_runs(p):
            f = d.props.font(r, p.el)
            if f.strip().lower() != "times new roman":
                bad.append((f, x))
    if bad:
        fonts = ", ".join(sorted({f for f, _ in bad})[:3])
        return _result("font.family", "fail", "font", font=fonts, n=len(bad), sample=bad[0][1].strip()[:40])
    return _result("font.family", "pass")


def check_docx(path_or_bytes) -> list[RuleResult]:
    """Check a DOCX (path, bytes or file object) against Decree 30/2020/NĐ-CP; never raises on bad content."""
    from docx import Document

    try:
        if isinstance(path_or_bytes, (bytes, bytearray)):
            src = io.BytesIO(path_or_bytes)
        elif isinstance(path_or_bytes, (str, Path)):
            src = str(path_or_bytes)
        else:
            src = path_or_bytes
        doc = Document(src)
    except Exception as exc:  # noqa: BLE001 - not a DOCX, damaged, missing: one failed rule
        return [_result("file.readable", "fail", "unreadable", detail=f"{type(exc).__name__}: {str(exc)[:120]}")]
    try:
        return check_document(doc)
    except Exception as exc:  # noqa: BLE001 - a document shape we did not foresee: say so, do not crash
        return [_result("file.readable", "fail", "unexpected", detail=f"{type(exc).__name__}: {str(exc)[:120]}")]


def summary(results: list[RuleResult]) -> dict:
    return {"passed": sum(r.status == "pass" for r in results), "failed": sum(r.status == "fail" for r in results),
            "skipped": sum(r.status == "skip" for r in results), "total": len(results)}
