"""DOCX export with python-docx, following Decree 30/2020/NĐ-CP, Appendix I.

A4 portrait; margins top/bottom 20 mm, left 30 mm, right 15 mm; Times New Roman
everywhere (ASCII, high-ANSI, East-Asian and complex-script slots, so Word never
substitutes); the header as a borderless two-column table; page numbers (a PAGE
field) centred in the top margin from page 2 on.
"""
from __future__ import annotations

import io
import math

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, Twips

FONT = "Times New Roman"
PAGE_W, PAGE_H = Mm(210), Mm(297)


def mm_at_least(mm: float) -> Twips:
    """Word stores page measures in twips; round up so 15 mm never reads back as 14.99 mm."""
    return Twips(math.ceil(mm * 1440 / 25.4))


MARGINS = {"top": mm_at_least(20), "bottom": mm_at_least(20), "left": mm_at_least(30), "right": mm_at_least(15)}
TEXT_W_MM = 210 - 30 - 15
HEADER_COLS_MM = (68, TEXT_W_MM - 68)
SIGN_COLS_MM = (80, TEXT_W_MM - 80)
BODY_PT = 14
CENTER, JUSTIFY, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT


# ----------------------------------------------------------------- low-level helpers
def set_rfonts(rpr, name: str = FONT) -> None:
    """All four font slots to ``name``; theme fonts removed (they would override the names)."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rfonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{attr}"), name)


def _setup_styles(doc) -> None:
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    set_rfonts(rpr)
    for tag, val in (("w:sz", str(BODY_PT * 2)), ("w:szCs", str(BODY_PT * 2))):
        el = rpr.find(qn(tag))
        if el is None:
            el = OxmlElement(tag)
            rpr.append(el)
        el.set(qn("w:val"), val)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "vi-VN")
    for style in doc.styles:
        el = style.element
        r = el.find(qn("w:rPr"))
        if r is not None and r.find(qn("w:rFonts")) is not None:
            set_rfonts(r)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    set_rfonts(normal.element.get_or_add_rPr())
    pf = normal.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.line_spacing = 1.0


def _setup_section(doc) -> None:
    s = doc.sections[0]
    s.orientation = WD_ORIENT.PORTRAIT
    s.page_width, s.page_height = PAGE_W, PAGE_H
    s.top_margin, s.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    s.left_margin, s.right_margin = MARGINS["left"], MARGINS["right"]
    s.header_distance, s.footer_distance = Mm(10), Mm(10)
    s.different_first_page_header_footer = True  # no number on page 1
    p = s.header.paragraphs[0]
    p.alignment = CENTER
    _field(p, "PAGE", "2", size=13)
    s.first_page_header.paragraphs[0].text = ""


def _field(paragraph, instr: str, placeholder: str, size: float) -> None:
    def run_with(child):
        r = paragraph.add_run()
        _style_run(r, size)
        r._r.append(child)
        return r

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = f" {instr} "
    run_with(it)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    r = paragraph.add_run(placeholder)
    _style_run(r, size)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _style_run(run, size: float, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT
    set_rfonts(run._r.get_or_add_rPr())
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic


def _para(container, text: str = "", size: float = BODY_PT, bold: bool = False, italic: bool = False,
          align=CENTER, first_indent=None, after: float = 0, before: float = 0, line: float = 1.0, first: bool = False):
    """A paragraph in ``container`` (document or cell); ``first`` reuses the cell's empty first paragraph."""
    p = container.paragraphs[0] if first else container.add_paragraph()
    pf = p.paragraph_format
    p.alignment = align
    pf.space_before, pf.space_after, pf.line_spacing = Pt(before), Pt(after), line
    if first_indent is not None:
        pf.first_line_indent = first_indent
    if text:
        _style_run(p.add_run(text), size, bold, italic)
    else:  # empty paragraph: give its mark the size too, so the gap is predictable
        rpr = p._p.get_or_add_pPr()
        mark = OxmlElement("w:rPr")
        sz = OxmlElement("w:sz")
        sz.set(qn("w:val"), str(int(size * 2)))
        f = OxmlElement("w:rFonts")
        mark.append(f)
        mark.append(sz)
        set_rfonts(mark)
        rpr.append(mark)
    return p


def _rule_line(cell, text_mm: float, fraction: float, cell_mm: float) -> None:
    """A solid line under the paragraph above: a tiny paragraph with a top border, centred by indents."""
    length = max(10.0, min(cell_mm - 4, text_mm * fraction))
    indent = (cell_mm - length) / 2 - 1.9  # cell padding is about 1.9 mm each side
    p = _para(cell, "", size=2)
    pf = p.paragraph_format
    pf.left_indent = Mm(max(0, indent))
    pf.right_indent = Mm(max(0, indent))
    pf.space_before = Pt(2)
    pf.line_spacing = Pt(2)
    _top_border(p)


def _top_border(p) -> None:
    """A thin single line along the top of paragraph ``p`` (the rules under the motto and the body name)."""
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for k, v in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
        top.set(qn(f"w:{k}"), v)
    bdr.append(top)
    # pBdr must come right after pStyle (if any), before spacing/ind/jc in pPr
    style = ppr.find(qn("w:pStyle"))
    ppr.insert(0, bdr) if style is None else style.addnext(bdr)


def text_width_mm(text: str, size_pt: float, bold: bool = False) -> float:
    """Rough width of ``text`` in Times New Roman (enough to size the short lines)."""
    em = 0.0
    for ch in text:
        if ch == " ":
            em += 0.25
        elif ch.isupper():
            em += 0.72 if bold else 0.68
        elif ch in "il.,;:-'!|":
            em += 0.3
        else:
            em += 0.5
    return em * size_pt * 0.3528


def _borderless_table(doc, widths_mm: tuple[float, float]):
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl = table._tbl
    tblpr = tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    # schema order in tblPr: … tblInd, tblBorders, shd, tblLayout, tblCellMar, tblLook (Word rejects other orders)
    successor = next((tblpr.find(qn(f"w:{tag}")) for tag in ("shd", "tblLayout", "tblCellMar", "tblLook", "tblCaption")
                      if tblpr.find(qn(f"w:{tag}")) is not None), None)
    if successor is not None:
        successor.addprevious(borders)
    else:
        tblpr.append(borders)
    tblw = tblpr.find(qn("w:tblW"))
    if tblw is None:
        tblw = OxmlElement("w:tblW")
        tblpr.append(tblw)
    tblw.set(qn("w:type"), "dxa")
    tblw.set(qn("w:w"), str(int(sum(widths_mm) / 25.4 * 1440)))
    for col, w in zip(table.columns, widths_mm):
        col.width = Mm(w)
    for cell, w in zip(table.rows[0].cells, widths_mm):
        cell.width = Mm(w)
    return table


# ----------------------------------------------------------------- the document
def build_document(draft):
    doc = Document()
    _setup_styles(doc)
    _setup_section(doc)
    set_properties(doc, draft)
    body_p = doc.paragraphs[0]._p if doc.paragraphs else None
    if body_p is not None:  # the template's empty first paragraph
        body_p.getparent().remove(body_p)

    # 1. Header: issuing body | national title and motto (Appendix I: two columns)
    left_w, right_w = HEADER_COLS_MM
    head = _borderless_table(doc, HEADER_COLS_MM)
    left, right = head.rows[0].cells
    first = True
    if draft.parent_agency:
        _header_name(left, draft.parent_agency, left_w, bold=False, first=True)
        first = False
    lines = _header_name(left, draft.agency, left_w, bold=True, first=first)
    _rule_line(left, max(text_width_mm(x, 12, True) for x in lines), 0.4, left_w)
    _para(left, draft.number_line, size=13, before=4)
    if draft.doc_type.is_letter:
        _para(left, draft.summary, size=12, before=2)
    _para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True, first=True)
    motto = "Độc lập - Tự do - Hạnh phúc"
    _para(right, motto, size=13, bold=True)
    _rule_line(right, text_width_mm(motto, 13, True), 1.0, right_w)
    if draft.place_date:
        _para(right, draft.place_date, size=14, italic=True, before=6)

    # 2. Type name and summary
    if draft.type_title and not draft.doc_type.show_summary:
        _para(doc, draft.type_title, size=14, bold=True, before=18, after=6)
    elif draft.type_title:
        _para(doc, draft.type_title, size=14, bold=True, before=18)
        _para(doc, draft.summary, size=14, bold=True)
        sp = doc.add_paragraph()  # short line under the summary (1/3 to 1/2 of it)
        length = max(25.0, min(80.0, text_width_mm(draft.summary, 14, True) * 0.4))
        _line_para(sp, length)
    else:
        _para(doc, "", size=BODY_PT)

    # 3. Addressees ("Kính gửi:")
    if draft.addressees:
        if len(draft.addressees) == 1:
            _para(doc, f"Kính gửi: {draft.addressees[0]}", size=14, before=6, after=6)
        else:
            p = _para(doc, "Kính gửi:", size=14, before=6, align=LEFT)
            p.paragraph_format.left_indent = Cm(3.5)
            for i, a in enumerate(draft.addressees):
                mark = "." if i == len(draft.addressees) - 1 else ";"
                q = _para(doc, f"- {a.rstrip('.;')}{mark}", size=14, align=LEFT, after=6 if mark == "." else 0)
                q.paragraph_format.left_indent = Cm(5.5)

    # 4. Body (13-14 pt, justified, first-line indent 1.27 cm, 6 pt between paragraphs)
    for i, b in enumerate(draft.body):
        before = 6 if i == 0 else 0
        if b.kind == "center_bold":
            _para(doc, b.text, size=BODY_PT, bold=True, before=6, after=6)
        elif b.kind == "heading":
            _para(doc, b.text, size=BODY_PT, bold=True, align=JUSTIFY, first_indent=Cm(1.27), after=6, before=before, line=1.15)
        elif b.kind == "basis":
            _para(doc, b.text, size=BODY_PT, italic=True, align=JUSTIFY, first_indent=Cm(1.27), after=6, before=before, line=1.15)
        elif b.kind == "article":
            p = _para(doc, "", size=BODY_PT, align=JUSTIFY, first_indent=Cm(1.27), after=6, before=before, line=1.15)
            _style_run(p.add_run(b.label + " "), BODY_PT, bold=True)
            _style_run(p.add_run(b.text), BODY_PT)
        else:
            _para(doc, b.text, size=BODY_PT, align=JUSTIFY, first_indent=Cm(1.27), after=6, before=before, line=1.15)

    # 5. Signature block and recipients
    sig = _borderless_table(doc, SIGN_COLS_MM)
    left, right = sig.rows[0].cells
    _signer(right, draft.signer_lines, draft.signer_name)
    if draft.second_signer:  # minutes: the secretary signs on the left, recipients follow the table
        _signer(left, [draft.second_signer[0]], draft.second_signer[1] or "")
        _recipients(doc, draft.recipients, first=False)
    else:
        _recipients(left, draft.recipients, first=True)
    return doc


UNIT_WORDS = ("THỊ TRẤN", "THỊ XÃ", "THÀNH PHỐ", "PHƯỜNG", "HUYỆN", "QUẬN", "TỈNH", "XÃ")


def split_name(name: str, width_mm: float, size: float = 12, bold: bool = True) -> list[str]:
    """A long body name broken before its administrative unit, as agencies print it:
    "ỦY BAN NHÂN DÂN" / "XÃ AN BÌNH" rather than a break in the middle of the place name."""
    if text_width_mm(name, size, bold) <= width_mm:
        return [name]
    words = name.split()
    for i in range(1, len(words)):
        head, tail = " ".join(words[:i]), " ".join(words[i:])
        if tail.startswith(UNIT_WORDS) and text_width_mm(head, size, bold) <= width_mm \
                and text_width_mm(tail, size, bold) <= width_mm:
            return [head, tail]
    return [name]


def _header_name(cell, name: str, cell_mm: float, bold: bool, first: bool) -> list[str]:
    lines = split_name(name, cell_mm - 5, 12, bold)
    p = _para(cell, lines[0], size=12, bold=bold, first=first)
    for line in lines[1:]:
        r = p.add_run()
        _style_run(r, 12, bold)
        r.add_break()
        r2 = p.add_run(line)
        _style_run(r2, 12, bold)
    return lines


def _line_para(p, length_mm: float) -> None:
    p.alignment = CENTER
    pf = p.paragraph_format
    indent = (TEXT_W_MM - length_mm) / 2
    pf.left_indent = pf.right_indent = Mm(indent)
    pf.space_before = Pt(7)
    pf.space_after = Pt(6)
    pf.line_spacing = Pt(2)
    _top_border(p)


def _signer(cell, lines: list[str], name: str) -> None:
    """Authority and title lines ("KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH"), bold capitals 14 pt, room to sign, the name."""
    for i, line in enumerate(lines):
        _para(cell, line, size=14, bold=True, first=i == 0, before=6 if i == 0 else 0)
    for _ in range(4):
        _para(cell, "", size=14)
    if name:
        _para(cell, name, size=14, bold=True)


def _recipients(container, lines: list[str], first: bool) -> None:
    p = _para(container, "Nơi nhận:", size=12, bold=True, italic=True, align=LEFT, first=first, before=6)
    for line in lines:
        _para(container, line, size=11, align=LEFT)
    return p


def set_properties(doc, draft) -> None:
    """File properties name the agency and the document, not the library that wrote it: author and
    company = the issuing body, title = the summary line, subject = the type; python-docx's own
    creator, description, 2013 dates, "Microsoft Macintosh Word" and template thumbnail are replaced."""
    import datetime as dt

    from lxml import etree

    from assistant.drafting.compose import agency_in_text
    from assistant.messages import t

    agency = agency_in_text(draft.fields.get("agency") or draft.agency)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    cp = doc.core_properties
    cp.author = cp.last_modified_by = agency
    cp.title = draft.summary
    cp.subject = draft.doc_type.display_name("vi")
    cp.category = t("drafting.docx.category", "vi")
    cp.keywords = "Nghị định 30/2020/NĐ-CP"
    cp.comments = t("drafting.docx.comments", "vi")
    cp.created = cp.modified = now
    cp.revision = 1
    cp.language = "vi-VN"
    pkg = doc.part.package
    for rid, rel in list(pkg.rels.items()):
        if rel.reltype.endswith("/thumbnail"):
            del pkg.rels[rid]
        elif rel.reltype.endswith("/extended-properties"):
            app = rel.target_part
            root = etree.fromstring(app.blob)
            ns = root.nsmap.get(None)
            for tag, value in (("Company", agency), ("Application", t("drafting.docx.application", "vi")),
                               ("Template", None), ("AppVersion", None)):
                el = root.find(f"{{{ns}}}{tag}")
                if el is None and value is not None:
                    el = etree.SubElement(root, f"{{{ns}}}{tag}")
                if el is not None and value is None:
                    root.remove(el)
                elif el is not None:
                    el.text = value
            app._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def draft_to_docx_bytes(draft) -> bytes:
    buf = io.BytesIO()
    build_document(draft).save(buf)
    return buf.getvalue()
