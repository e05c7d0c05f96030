"""Build the PDF and DOCX documents of corpus/ from their Markdown sources in corpus-src/.

    .venv/bin/python scripts/build_corpus.py            # build every corpus-src/*.md
    .venv/bin/python scripts/build_corpus.py NAME ...   # build only corpus-src/NAME.md
    .venv/bin/python scripts/build_corpus.py --check    # build into a temp dir, verify articles

How to add a document
---------------------
1. Write ``corpus-src/<slug>.md``. It starts with a front-matter block::

       ---
       output: pdf                     # pdf or docx (or "pdf, docx" for both)
       slug: the-thuc-van-ban          # output name: corpus/<slug>.pdf|docx (default: source stem)
       title: Quy chế về thể thức ...  # document title (PDF/DOCX properties)
       issuer_top: ỦY BAN NHÂN DÂN     # header, left column (issuing body, 1-2 lines)
       issuer: THÀNH PHỐ LẠC HỒNG
       number: "Số: 15/2025/QĐ-UBND"
       place_date: Lạc Hồng, ngày 05 tháng 3 năm 2025
       mark: Tài liệu mẫu phục vụ thực hành — không phải văn bản chính thức   # optional, this is the default
       signer_role: TM. ỦY BAN NHÂN DÂN | KT. CHỦ TỊCH | PHÓ CHỦ TỊCH    # " | " separates lines
       signer_name: Nguyễn Văn A
       ---

   The national title (CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM / Độc lập - Tự do - Hạnh phúc) is
   added automatically in the right header column; the mark is printed above the header.

2. Body syntax (one paragraph per line; blank lines are ignored):

   ``# TEXT``            centred bold, large (the type name: QUY CHẾ, QUYẾT ĐỊNH...)
   ``## TEXT``           centred bold (the summary line, "Chương I", chapter titles)
   ``### TEXT``          left bold (articles: ``### Điều 1. Phạm vi điều chỉnh``)
   ``_TEXT_``            centred italic (e.g. "(Ban hành kèm theo Quyết định số ...)")
   ``| a | b |``         table rows; the first row is the header, a ``|---|---|`` row is skipped
   ``Nơi nhận:``         starts the closing block: the following ``- ...`` lines go in the
                         left column, the signature (signer_role / signer_name) in the right.
   any other line       a justified paragraph (clauses "1. ...", points "a) ...").

   Keep article titles short (one printed line) and never start a running sentence with
   "Điều N." so that text extraction finds exactly one heading per article.

3. Run the script, then ``python -m assistant index`` and check that every article was found
   (``--check`` does this). Commit both the source and the generated file.

Outputs are deterministic: fixed PDF creation date and fixed DOCX/ZIP timestamps.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import io
import re
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "corpus-src"
OUT = ROOT / "corpus"
FIXED_DATE = _dt.datetime(2025, 1, 1, tzinfo=_dt.timezone.utc)
DEFAULT_MARK = "Tài liệu mẫu phục vụ thực hành — không phải văn bản chính thức"
NATIONAL = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
FONT_DIRS = [
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
]
# (regular, bold, italic, bold-italic) font files, first complete set found is used
FONT_SETS = [
    ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSerif-BoldItalic.ttf"),
    ("LiberationSerif-Regular.ttf", "LiberationSerif-Bold.ttf", "LiberationSerif-Italic.ttf", "LiberationSerif-BoldItalic.ttf"),
    ("times.ttf", "timesbd.ttf", "timesi.ttf", "timesbi.ttf"),
]
RE_ARTICLE = re.compile(r"^(?:Điều|Article)\s+(\d+[a-z]?)\.\s")


class BuildError(Exception):
    pass


@dataclass
class Source:
    path: Path
    meta: dict
    lines: list[str] = field(default_factory=list)

    @property
    def outputs(self) -> list[str]:
        return [x.strip() for x in str(self.meta.get("output", "pdf")).split(",") if x.strip()]

    @property
    def slug(self) -> str:
        return self.meta.get("slug") or self.path.stem

    def articles(self) -> list[str]:
        out = []
        for ln in self.lines:
            m = RE_ARTICLE.match(ln.lstrip("# ").strip())
            if m:
                out.append(m.group(1))
        return out


def parse_source(path: Path) -> Source:
    text = path.read_text(encoding="utf-8")
    m = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    if not m:
        raise BuildError(f"{path}: missing front matter (--- ... ---) at the top")
    meta = {}
    for ln in m.group(1).split("\n"):
        if not ln.strip() or ln.lstrip().startswith("#"):
            continue
        k, sep, v = ln.partition(":")
        if not sep:
            raise BuildError(f"{path}: bad front-matter line: {ln!r}")
        v = v.strip()
        if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
            v = v[1:-1]
        meta[k.strip()] = v
    for out in str(meta.get("output", "pdf")).split(","):
        if out.strip() not in ("pdf", "docx"):
            raise BuildError(f"{path}: output must be pdf and/or docx, got {out.strip()!r}")
    lines = [ln.rstrip() for ln in text[m.end():].split("\n")]
    return Source(path, meta, [ln for ln in lines if ln.strip()])


def _split_roles(value: str) -> list[str]:
    return [x.strip() for x in value.split("|") if x.strip()] if value else []


def _table_row(line: str) -> list[str] | None:
    s = line.strip()
    if not (s.startswith("|") and s.endswith("|")):
        return None
    cells = [c.strip() for c in s[1:-1].split("|")]
    if all(re.fullmatch(r":?-{2,}:?", c) for c in cells):
        return []  # separator row
    return cells


def _blocks(src: Source):
    """Yield (kind, payload): heading1/2/3, italic, para, table(rows), closing(items)."""
    lines = src.lines
    i = 0
    while i < len(lines):
        ln = lines[i].strip()
        row = _table_row(ln)
        if row is not None:
            rows = []
            while i < len(lines) and _table_row(lines[i]) is not None:
                r = _table_row(lines[i])
                if r:
                    rows.append(r)
                i += 1
            yield "table", rows
            continue
        if ln.startswith("Nơi nhận:") or ln.startswith("Recipients:"):
            items = []
            i += 1
            while i < len(lines) and lines[i].strip().startswith("-"):
                items.append(lines[i].strip())
                i += 1
            yield "closing", (ln, items)
            continue
        if ln.startswith("### "):
            yield "heading3", ln[4:].strip()
        elif ln.startswith("## "):
            yield "heading2", ln[3:].strip()
        elif ln.startswith("# "):
            yield "heading1", ln[2:].strip()
        elif len(ln) > 2 and ln.startswith("_") and ln.endswith("_"):
            yield "italic", ln[1:-1].strip()
        else:
            yield "para", ln
        i += 1


# ---------------------------------------------------------------- PDF
def find_fonts() -> tuple[Path, Path, Path, Path]:
    for d in FONT_DIRS:
        for fs in FONT_SETS:
            paths = tuple(d / f for f in fs)
            if all(p.exists() for p in paths):
                return paths  # type: ignore[return-value]
    raise BuildError(
        "No Unicode serif TrueType font found for Vietnamese text. Install DejaVu fonts "
        "(Debian/Ubuntu: apt-get install fonts-dejavu-core) or Liberation fonts, then run again. "
        f"Looked in: {', '.join(str(d) for d in FONT_DIRS)}"
    )


def build_pdf(src: Source, dest: Path) -> None:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    regular, bold, italic, bold_italic = find_fonts()

    class Doc(FPDF):
        def header(self):
            # Decree 30/2020, Appendix I: page numbers centred in the top margin, not on page 1
            if self.page_no() > 1:
                self.set_font("Serif", "", 11)
                self.set_y(10)
                self.cell(0, 6, str(self.page_no()), align="C")
                self.set_y(25)

    pdf = Doc(format="A4", unit="mm")
    pdf.set_margins(left=30, top=20, right=20)
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("Serif", "", str(regular))
    pdf.add_font("Serif", "B", str(bold))
    pdf.add_font("Serif", "I", str(italic))
    pdf.add_font("Serif", "BI", str(bold_italic))
    pdf.set_title(src.meta.get("title", src.slug))
    pdf.set_author(src.meta.get("issuer", ""))
    pdf.set_creation_date(FIXED_DATE)
    pdf.add_page()
    W = pdf.w - pdf.l_margin - pdf.r_margin
    nl = dict(new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    # training-material mark
    pdf.set_font("Serif", "I", 10)
    pdf.multi_cell(W, 5, src.meta.get("mark", DEFAULT_MARK), align="C", **nl)
    pdf.ln(3)

    # two-column header: issuing body | national title; then number | place-date
    left_w, right_w = W * 0.40, W * 0.60
    y0 = pdf.get_y()
    x0 = pdf.l_margin
    pdf.set_font("Serif", "", 11)
    top = src.meta.get("issuer_top", "")
    y = y0
    if top:
        pdf.set_xy(x0, y)
        pdf.multi_cell(left_w, 5.5, top, align="C", **nl)
        y = pdf.get_y()
    pdf.set_font("Serif", "B", 11)
    pdf.set_xy(x0, y)
    pdf.multi_cell(left_w, 5.5, src.meta.get("issuer", ""), align="C", **nl)
    y_left = pdf.get_y()
    pdf.line(x0 + left_w * 0.35, y_left + 0.5, x0 + left_w * 0.65, y_left + 0.5)
    size = 11.0
    pdf.set_font("Serif", "B", size)
    while pdf.get_string_width(NATIONAL[0]) > right_w - 4 and size > 8:
        size -= 0.5
        pdf.set_font("Serif", "B", size)
    pdf.set_xy(x0 + left_w, y0)
    pdf.multi_cell(right_w, 5.5, NATIONAL[0], align="C", **nl)
    pdf.set_font("Serif", "B", 12)
    pdf.set_xy(x0 + left_w, pdf.get_y())
    pdf.multi_cell(right_w, 6, NATIONAL[1], align="C", **nl)
    y_right = pdf.get_y()
    pdf.line(x0 + left_w + right_w * 0.25, y_right + 0.5, x0 + left_w + right_w * 0.75, y_right + 0.5)
    y1 = max(y_left, y_right) + 3
    pdf.set_font("Serif", "", 11)
    pdf.set_xy(x0, y1)
    pdf.multi_cell(left_w, 6, src.meta.get("number", ""), align="C", **nl)
    pdf.set_font("Serif", "I", 11)
    pdf.set_xy(x0 + left_w, y1)
    pdf.multi_cell(right_w, 6, src.meta.get("place_date", ""), align="C", **nl)
    pdf.set_y(max(pdf.get_y(), y1 + 6) + 6)

    for kind, payload in _blocks(src):
        if kind == "heading1":
            pdf.set_font("Serif", "B", 14)
            pdf.multi_cell(W, 7, payload, align="C", **nl)
        elif kind == "heading2":
            is_chapter = bool(re.match(r"^(Chương|Chapter|Mục|Phần)\s", payload))
            if is_chapter:
                pdf.ln(3)
            pdf.set_font("Serif", "B", 12.5)
            pdf.multi_cell(W, 6.5, payload, align="C", **nl)
        elif kind == "heading3":
            pdf.ln(2)
            pdf.set_font("Serif", "B", 12.5)
            pdf.multi_cell(W, 6.5, payload, align="L", **nl)
        elif kind == "italic":
            pdf.set_font("Serif", "I", 12)
            pdf.multi_cell(W, 6, payload, align="C", **nl)
            pdf.ln(2)
        elif kind == "para":
            pdf.set_font("Serif", "", 12.5)
            # left-aligned: justified lines come out of text extraction with doubled spaces
            pdf.multi_cell(W, 6.5, payload, align="L", **nl)
            pdf.ln(1)
        elif kind == "table":
            pdf.ln(1)
            pdf.set_font("Serif", "", 11)
            ncols = max(len(r) for r in payload)
            with pdf.table(width=W, line_height=5.5, text_align="LEFT", first_row_as_headings=True,
                           headings_style=__import__("fpdf").FontFace(emphasis="BOLD")) as table:
                for r in payload:
                    row = table.row()
                    for c in r + [""] * (ncols - len(r)):
                        row.cell(c)
            pdf.ln(3)
        elif kind == "closing":
            head, items = payload
            if pdf.get_y() > pdf.h - 75:
                pdf.add_page()
            pdf.ln(6)
            y = pdf.get_y()
            pdf.set_font("Serif", "BI", 12)
            pdf.set_xy(x0, y)
            pdf.multi_cell(W * 0.5, 6, head, align="L", **nl)
            pdf.set_font("Serif", "", 11)
            for it in items:
                pdf.set_x(x0)
                pdf.multi_cell(W * 0.5, 5.5, it, align="L", **nl)
            y_end = pdf.get_y()
            pdf.set_xy(x0 + W * 0.5, y)
            pdf.set_font("Serif", "B", 12)
            for role in _split_roles(src.meta.get("signer_role", "")):
                pdf.set_x(x0 + W * 0.5)
                pdf.multi_cell(W * 0.5, 6, role, align="C", **nl)
            pdf.set_x(x0 + W * 0.5)
            pdf.set_font("Serif", "I", 11)
            pdf.multi_cell(W * 0.5, 6, "(Đã ký)", align="C", **nl)
            pdf.ln(14)
            pdf.set_x(x0 + W * 0.5)
            pdf.set_font("Serif", "B", 12)
            pdf.multi_cell(W * 0.5, 6, src.meta.get("signer_name", ""), align="C", **nl)
            pdf.set_y(max(y_end, pdf.get_y()))
    dest.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(dest))


# ---------------------------------------------------------------- DOCX
def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a DOCX (ZIP) with fixed timestamps and sorted-stable order, for reproducible output."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            out.writestr(zi, src.read(info.filename))
    return buf.getvalue()


def build_docx(src: Source, dest: Path) -> None:
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    d = docx.Document()
    sec = d.sections[0]
    sec.page_height, sec.page_width = Mm(297), Mm(210)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(20), Mm(20), Mm(30), Mm(20)
    normal = d.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    for name in ("Heading 1", "Heading 2", "Heading 3", "Title"):
        st = d.styles[name]
        st.font.name = "Times New Roman"
        st.font.color.rgb = None
    cp = d.core_properties
    cp.title = src.meta.get("title", src.slug)
    cp.author = src.meta.get("issuer", "")
    cp.created = cp.modified = FIXED_DATE.replace(tzinfo=None)
    cp.last_modified_by = "build_corpus.py"
    cp.revision = 1

    def para(text, bold=False, italic=False, align=None, size=None):
        p = d.add_paragraph()
        run = p.add_run(text)
        run.bold, run.italic = bold, italic
        if size:
            run.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        return p

    para(src.meta.get("mark", DEFAULT_MARK), italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=10)
    # two-column header as a borderless table
    hdr = d.add_table(rows=2, cols=2)
    hdr.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = hdr.rows[0].cells
    left.text = ""
    lp = left.paragraphs[0]
    lp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if src.meta.get("issuer_top"):
        lp.add_run(src.meta["issuer_top"] + "\n")
    lp.add_run(src.meta.get("issuer", "")).bold = True
    rp = right.paragraphs[0]
    rp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    rp.add_run(NATIONAL[0] + "\n").bold = True
    rp.add_run(NATIONAL[1]).bold = True
    n_cell, d_cell = hdr.rows[1].cells
    n_cell.paragraphs[0].add_run(src.meta.get("number", ""))
    n_cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    dr = d_cell.paragraphs[0].add_run(src.meta.get("place_date", ""))
    dr.italic = True
    d_cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER

    for kind, payload in _blocks(src):
        if kind == "heading1":
            h = d.add_heading(payload, level=1)
            h.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind == "heading2":
            h = d.add_heading(payload, level=2)
            h.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif kind == "heading3":
            d.add_heading(payload, level=3)
        elif kind == "italic":
            para(payload, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        elif kind == "para":
            para(payload, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        elif kind == "table":
            ncols = max(len(r) for r in payload)
            tb = d.add_table(rows=len(payload), cols=ncols)
            tb.style = "Table Grid"
            for r_i, r in enumerate(payload):
                for c_i in range(ncols):
                    cell = tb.rows[r_i].cells[c_i]
                    cell.text = ""
                    run = cell.paragraphs[0].add_run(r[c_i] if c_i < len(r) else "")
                    run.bold = r_i == 0
            d.add_paragraph()
        elif kind == "closing":
            head, items = payload
            tb = d.add_table(rows=1, cols=2)
            lc, rc = tb.rows[0].cells
            lpp = lc.paragraphs[0]
            r = lpp.add_run(head)
            r.bold, r.italic = True, True
            for it in items:
                lc.add_paragraph(it)
            rpp = rc.paragraphs[0]
            rpp.alignment = WD_ALIGN_PARAGRAPH.CENTER
            roles = _split_roles(src.meta.get("signer_role", ""))
            rpp.add_run("\n".join(roles)).bold = True
            sp = rc.add_paragraph()
            sp.alignment = WD_ALIGN_PARAGRAPH.CENTER
            sp.add_run("(Đã ký)\n\n\n").italic = True
            sp.add_run(src.meta.get("signer_name", "")).bold = True
    buf = io.BytesIO()
    d.save(buf)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(_normalise_zip(buf.getvalue()))


# ---------------------------------------------------------------- check
def extracted_articles(path: Path) -> list[str]:
    """Article numbers the project's own loader + chunker find in a built file."""
    sys.path.insert(0, str(ROOT))
    from assistant.chunking import _structure
    from assistant.loaders import load_file

    doc = load_file(path, root=path.parent)
    return [u.article for u in _structure(doc) if u.kind == "article"]


def build(src: Source, out_dir: Path, check: bool = True) -> list[Path]:
    written = []
    for fmt in src.outputs:
        dest = out_dir / f"{src.slug}.{fmt}"
        (build_pdf if fmt == "pdf" else build_docx)(src, dest)
        written.append(dest)
        if check:
            want, got = src.articles(), extracted_articles(dest)
            if want != got:
                raise BuildError(f"{dest.name}: articles in source {want} but the loader found {got}; "
                                 "shorten the article titles or reword lines starting with 'Điều N.'")
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("names", nargs="*", help="source names (stems of corpus-src/*.md); default: all")
    ap.add_argument("--check", action="store_true", help="build into a temporary folder only and verify")
    ap.add_argument("--no-verify", action="store_true", help="skip the article extraction check")
    args = ap.parse_args(argv)
    paths = sorted(SRC.glob("*.md")) if not args.names else [SRC / (n if n.endswith(".md") else n + ".md") for n in args.names]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out_dir = Path(tmp) if args.check else OUT
            for p in paths:
                if not p.exists():
                    raise BuildError(f"{p}: no such source")
                src = parse_source(p)
                for w in build(src, out_dir, check=not args.no_verify):
                    print(f"{'checked' if args.check else 'wrote'} {w.name if args.check else w.relative_to(ROOT)}"
                          f" ({len(src.articles())} articles)")
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
