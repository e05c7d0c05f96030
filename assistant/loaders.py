"""Load one file into text pages plus document metadata.

Formats: PDF (pypdf, page numbers kept), DOCX (python-docx: headings,
paragraphs and tables, in order), Markdown, TXT, HTML. Text is normalised to
Unicode NFC. Failures raise :class:`LoadError` with a reason a trainer
understands (wording in ``prompts/messages.yaml``).
"""
from __future__ import annotations

import hashlib
import html.parser
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from assistant.messages import t

SUPPORTED = {".pdf": "pdf", ".docx": "docx", ".md": "markdown", ".markdown": "markdown", ".txt": "text", ".html": "html", ".htm": "html"}


class LoadError(Exception):
    """A file that cannot be read; ``code`` names the reason, ``message(lang)`` explains it."""

    def __init__(self, path: str, code: str, **kw):
        self.path, self.code, self.kw = str(path), code, kw
        super().__init__(f"{path}: {self.message('en')}")

    def message(self, lang: str = "vi") -> str:
        return t(f"load.{self.code}", lang, **self.kw)


@dataclass
class Page:
    number: int | None  # 1-based page for PDFs, None otherwise
    text: str


@dataclass
class LoadedDoc:
    source: str  # path relative to the corpus root, with forward slashes
    path: str
    format: str
    pages: list[Page]
    title: str = ""
    doc_number: str = ""
    doc_date: str = ""  # ISO YYYY-MM-DD when recognised
    doc_type: str = ""  # e.g. "Nghị định", "Quyết định", "Decree"
    issuer: str = ""
    lang: str = "vi"
    file_hash: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.pages)

    @property
    def short_name(self) -> str:
        """Name used at the head of breadcrumbs: "Nghị định 30/2020/NĐ-CP" or the title."""
        if self.doc_type and self.doc_number:
            return f"{self.doc_type} {self.doc_number}"
        return self.title or Path(self.source).stem


# bumped when loading or chunking changes what a file's chunks hold (v2: page furniture removed, page maps)
PROCESSING_VERSION = "3"  # 3: a document's language by its share of marked words (document_lang)


def file_hash(data: bytes) -> str:
    """The key of a file's chunks in the index: its content and the version of the way it is read and
    chunked, so a store built by an older version re-indexes the file instead of keeping stale chunks."""
    return hashlib.sha256(f"assistant-processing-v{PROCESSING_VERSION}\n".encode() + data).hexdigest()


def nfc(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    # drop zero-width and soft-hyphen characters that break matching
    return re.sub("[\u200b\u200c\u200d\u2060\ufeff\u00ad]", "", text)


# ---------------------------------------------------------------- decoding text
def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return ctrl / len(sample) > 0.02


def decode_text(data: bytes, path: str) -> str:
    """Bytes of a text file -> str: UTF-8 (with or without BOM), UTF-16, Windows-1258."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    # UTF-16 without BOM: every other byte is NUL for Latin text
    if len(data) >= 4 and data.count(b"\x00") > len(data) // 4:
        even, odd = data[0::2].count(0), data[1::2].count(0)
        enc = "utf-16-le" if odd > even else "utf-16-be"
        try:
            text = data.decode(enc)
            if not _looks_binary(text.encode("utf-8")):
                return text
        except UnicodeDecodeError:
            pass
    if _looks_binary(data):
        raise LoadError(path, "binary")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Windows-1258 (Vietnamese): combining tone marks, made precomposed by NFC later
    try:
        return data.decode("cp1258")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# ---------------------------------------------------------------- formats
def _load_pdf(data: bytes, path: str) -> list[Page]:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception:  # noqa: BLE001 - any failure means we cannot open it
                ok = 0
            if not ok:
                raise LoadError(path, "pdf_encrypted")
        pages = []
        for i, page in enumerate(reader.pages, start=1):
            try:
                txt = page.extract_text() or ""
            except Exception as exc:  # noqa: BLE001
                raise LoadError(path, "pdf_corrupt", detail=str(exc)[:120]) from exc
            pages.append(Page(i, txt))
    except LoadError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AssertionError) as exc:
        raise LoadError(path, "pdf_corrupt", detail=str(exc)[:120]) from exc
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on broken files
        raise LoadError(path, "pdf_corrupt", detail=str(exc)[:120]) from exc
    if not pages:
        raise LoadError(path, "pdf_corrupt", detail="0 pages")
    if not any(p.text.strip() for p in pages):
        raise LoadError(path, "pdf_scanned", pages=len(pages))
    return strip_page_furniture(pages)


# ---------------------------------------------------------------- page furniture (PDF)
# "3", "- 3 -", "Trang 3", "Trang 3/7", "Page 3 of 7", "3/7": a page number alone on its line
_PAGE_NO = re.compile(r"^[\-–—(\[\s]*(?:(?:Trang|trang|TRANG|Page|page|PAGE)\s*)?(\d{1,4})"
                      r"(?:\s*(?:/|of|trên)\s*\d{1,4})?[\-–—)\]\s]*$")
FURNITURE_LINES = 2  # lines looked at, at the top and at the bottom of each page


def _edge_indexes(lines: list[str], n: int = FURNITURE_LINES) -> list[int]:
    """Indexes of the first and last ``n`` non-empty lines."""
    idx = [i for i, ln in enumerate(lines) if ln.strip()]
    return list(dict.fromkeys(idx[:n] + idx[-n:]))


def _furniture_key(line: str) -> str:
    """A line with its digits masked: a running header "Quy chế 21/2025 — trang 3" repeats as one key."""
    return re.sub(r"\d+", "#", " ".join(line.split())).lower()


def strip_page_furniture(pages: list[Page]) -> list[Page]:
    """Remove printed page numbers and running headers/footers from PDF pages.

    A page number is a line at the top or bottom of a page holding only a number (optionally "Trang",
    "Page", "- n -", "n/m") that matches the page's position: equal to the page's number plus one offset
    shared by the document (a document whose numbering starts later). A running header or footer is a
    line at the top or bottom that repeats, digits aside, on at least half of the pages (three or more).
    Both would otherwise land inside the text ("tin nhắn. 3 4. Hồ sơ") and in quotes.
    """
    split = [p.text.split("\n") for p in pages]
    # page numbers: the offset (printed - position) most pages agree on
    offsets: dict[int, int] = {}
    for p, lines in zip(pages, split):
        for i in _edge_indexes(lines):
            m = _PAGE_NO.match(lines[i].strip())
            if m and p.number is not None:
                off = int(m.group(1)) - p.number
                offsets[off] = offsets.get(off, 0) + 1
    offset = None
    if offsets:
        off, count = max(offsets.items(), key=lambda kv: (kv[1], -abs(kv[0])))
        if count >= 2 or len(pages) == 1 or off == 0:
            offset = off
    # running headers/footers
    counts: dict[str, int] = {}
    for lines in split:
        for key in {_furniture_key(lines[i]) for i in _edge_indexes(lines)}:
            if len(key) >= 4 and not _PAGE_NO.match(key.replace("#", "1")):
                counts[key] = counts.get(key, 0) + 1
    running = {k for k, c in counts.items() if len(pages) >= 3 and c >= max(3, (len(pages) + 1) // 2)}
    out = []
    for p, lines in zip(pages, split):
        drop = set()
        for i in _edge_indexes(lines):
            s = lines[i].strip()
            m = _PAGE_NO.match(s)
            if m and offset is not None and p.number is not None and int(m.group(1)) - p.number == offset:
                drop.add(i)
            elif _furniture_key(s) in running:
                drop.add(i)
        out.append(Page(p.number, "\n".join(ln for i, ln in enumerate(lines) if i not in drop)))
    return out


def _docx_blocks(doc):
    """Paragraphs and tables of a python-docx document, in body order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    body = doc.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            yield Paragraph(child, doc)
        elif tag == "tbl":
            yield Table(child, doc)


def _load_docx(data: bytes, path: str) -> tuple[list[Page], str]:
    import io
    import zipfile

    try:
        import docx
        from docx.table import Table

        doc = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError(path, "docx_corrupt", detail=str(exc)[:120]) from exc
    except Exception as exc:  # noqa: BLE001
        raise LoadError(path, "docx_corrupt", detail=str(exc)[:120]) from exc
    lines: list[str] = []
    title = (doc.core_properties.title or "").strip()
    style_names: dict[str, str] = {}  # style id -> name (python-docx looks styles up slowly)
    for st in doc.styles:
        try:
            style_names[st.style_id] = st.name or ""
        except (AttributeError, ValueError):
            pass
    for block in _docx_blocks(doc):
        if isinstance(block, Table):
            for row in block.rows:
                cells = []
                for cell in row.cells:
                    txt = " ".join(cell.text.split())
                    if txt and (not cells or cells[-1] != txt):  # merged cells repeat
                        cells.append(txt)
                if cells:
                    lines.append(" | ".join(cells))
            lines.append("")
            continue
        txt = block.text.strip()
        ppr = block._p.pPr
        sid = ppr.pStyle.val if ppr is not None and ppr.pStyle is not None else None
        style = style_names.get(sid, "") if sid else ""
        if not txt:
            lines.append("")
            continue
        if style.lower().startswith("heading") or style.lower() == "title":
            level = 1
            m = re.search(r"(\d)", style)
            if m:
                level = int(m.group(1))
            if style.lower() == "title" and not title:
                title = txt
            lines.append("#" * level + " " + txt)
        else:
            lines.append(txt)
    return [Page(None, "\n".join(lines))], title


class _HTMLText(html.parser.HTMLParser):
    BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table", "ul", "ol", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.title = ""
        self._in_title = False
        self._heading = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "noscript", "template"):
            self.skip += 1
        if tag == "title":
            self._in_title = True
        if tag in self.BLOCK:
            self.out.append("\n")
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = int(tag[1])
            self.out.append("#" * self._heading + " ")
        if tag in ("td", "th"):
            self.out.append(" | ")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "noscript", "template") and self.skip:
            self.skip -= 1
        if tag == "title":
            self._in_title = False
        if tag in self.BLOCK:
            self.out.append("\n")

    def handle_data(self, data):
        if self.skip:
            return
        if self._in_title:
            self.title += data
            return
        self.out.append(data)


def _load_html(text: str) -> tuple[str, str]:
    p = _HTMLText()
    p.feed(text)
    body = "".join(p.out)
    body = re.sub(r"[ \t]+", " ", body)
    body = "\n".join(line.strip(" |") if line.strip(" |") else "" for line in body.split("\n"))
    body = re.sub(r"\n{3,}", "\n\n", body)
    return body.strip(), " ".join(p.title.split())


# ---------------------------------------------------------------- metadata
DOC_TYPES = [
    "Nghị định", "Quyết định", "Thông tư", "Luật", "Nghị quyết", "Chỉ thị", "Quy chế", "Quy định",
    "Kế hoạch", "Báo cáo", "Công văn", "Thông báo", "Tờ trình", "Biên bản", "Hướng dẫn", "Giấy mời",
    "Decree", "Decision", "Circular", "Law", "Resolution", "Directive", "Regulation", "Regulations",
    "Plan", "Report", "Official Letter", "Notice", "Minutes", "Guidance", "Guidelines", "Checklist",
]
_RE_NUMBER = re.compile(r"(?:Số|So|No\.?|Number)\s*[:.]?\s*([0-9]{1,5}(?:/[0-9]{4})?/[A-ZĐa-zđ0-9\-]+(?:-[A-ZĐ]+)*)")
_RE_NUMBER_BARE = re.compile(r"\b([0-9]{1,5}/[0-9]{4}/[A-ZĐ]{1,6}(?:-[A-ZĐ]{1,6})+)\b")
_RE_DATE_VI = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.I)
_RE_DATE_EN = re.compile(
    r"\b(\d{1,2})\s+(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{4})\b"
    r"|\b(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{1,2}),\s+(\d{4})\b"
)
_MONTHS = {m: i for i, m in enumerate(
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"], 1)}
_VI_CHARS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
_NOISE = re.compile(r"^(CỘNG HÒA|CỘNG HOÀ|Độc lập|SOCIALIST REPUBLIC|Independence|Tài liệu mẫu|Sample document|-{3,}|—|\*)", re.I)


def detect_lang(text: str) -> str:
    """The language of a short text (a question): Vietnamese when more than 1 % of its letters carry
    Vietnamese marks."""
    sample = text[:4000]
    letters = sum(ch.isalpha() for ch in sample) or 1
    return "vi" if len(_VI_CHARS.findall(sample)) / letters > 0.01 else "en"


_WORD = re.compile(r"[^\W\d_]+")
DOC_MARKED_WORDS = 0.1


def document_lang(text: str) -> str:
    """The language of a document: Vietnamese when more than 10 % of its words carry Vietnamese marks.

    By words, not letters: an English text that names Vietnamese people and places ("Đại Việt", "Trần") has
    many marked letters in few words. XQuAD's parallel paragraphs: at most 4.9 % of an English paragraph's
    words are marked, at least 16 % of a Vietnamese one's; the corpus' Vietnamese documents 62–76 %, its
    English ones at most 1.3 %. (The letter rule took an English XQuAD paragraph on the Yuan dynasty for
    Vietnamese, which switched the cross-language fusion weight off for every pool it was in.)"""
    words = _WORD.findall(text[:4000])
    if not words:
        return detect_lang(text)
    marked = sum(1 for w in words if _VI_CHARS.search(w))
    return "vi" if marked / len(words) > DOC_MARKED_WORDS else "en"


def extract_metadata(text: str) -> dict[str, str]:
    head = text[:3000]
    meta = {"doc_number": "", "doc_date": "", "doc_type": "", "title": ""}
    m = _RE_NUMBER.search(head) or _RE_NUMBER_BARE.search(head)
    if m:
        meta["doc_number"] = m.group(1).rstrip(".,;")
    m = _RE_DATE_VI.search(head)
    if m:
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= d <= 31 and 1 <= mo <= 12:
            meta["doc_date"] = f"{y:04d}-{mo:02d}-{d:02d}"
    else:
        m = _RE_DATE_EN.search(head)
        if m:
            if m.group(1):
                d, mo, y = int(m.group(1)), _MONTHS[m.group(2)], int(m.group(3))
            else:
                d, mo, y = int(m.group(5)), _MONTHS[m.group(4)], int(m.group(6))
            meta["doc_date"] = f"{y:04d}-{mo:02d}-{d:02d}"
    # title: a line naming the document type, plus the line after it (summary)
    lines = [re.sub(r"^#+\s*|\*\*", "", ln).strip() for ln in head.split("\n")]
    lines = [ln for ln in lines if ln]
    for i, ln in enumerate(lines):
        for dt in DOC_TYPES:
            if ln.upper() == dt.upper() or ln.upper().startswith(dt.upper() + " "):
                if len(ln) > 120 or _NOISE.match(ln):
                    continue
                meta["doc_type"] = dt
                rest = ln[len(dt):].strip(" :-–")
                if not rest and i + 1 < len(lines) and not re.match(r"^(Căn cứ|Based on|Pursuant|Chương|Chapter|Điều|Article)", lines[i + 1]):
                    rest = lines[i + 1]
                if rest[:1].isupper() and rest[1:2].islower():
                    rest = rest[0].lower() + rest[1:]  # "Quyết định Ban hành ..." -> "Quyết định ban hành ..."
                meta["title"] = (dt + " " + rest).strip() if rest else dt
                break
        if meta["doc_type"]:
            break
    if not meta["doc_type"]:
        # an official letter has no type-name line: its summary starts with "V/v"
        for ln in lines:
            m = re.match(r"^V/v\.?\s*(.+)$", ln)
            if m:
                meta["doc_type"], meta["title"] = "Công văn", "Công văn về " + m.group(1).strip()
                break
    if not meta["title"]:
        for ln in lines:
            if not _NOISE.match(ln) and not _RE_NUMBER.search(ln) and not _RE_DATE_VI.search(ln):
                meta["title"] = ln[:160]
                break
    return meta


# ---------------------------------------------------------------- entry point
def load_file(path: str | Path, root: str | Path | None = None, max_mb: float = 50.0) -> LoadedDoc:
    path = Path(path)
    root = Path(root) if root else path.parent
    try:
        source = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        source = path.name
    ext = path.suffix.lower()
    fmt = SUPPORTED.get(ext)
    if fmt is None:
        raise LoadError(source, "unsupported", ext=ext or "(none)", supported=", ".join(sorted(SUPPORTED)))
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LoadError(source, "unreadable", detail=str(exc)) from exc
    if size > max_mb * 1024 * 1024:
        raise LoadError(source, "too_large", size_mb=f"{size / 1024 / 1024:.1f}", max_mb=f"{max_mb:g}")
    data = path.read_bytes()
    if not data.strip():
        raise LoadError(source, "empty")
    return load_bytes(data, source, fmt, path=str(path))


def load_bytes(data: bytes, source: str, fmt: str | None = None, path: str = "") -> LoadedDoc:
    fmt = fmt or SUPPORTED.get(Path(source).suffix.lower())
    if fmt is None:
        raise LoadError(source, "unsupported", ext=Path(source).suffix or "(none)", supported=", ".join(sorted(SUPPORTED)))
    if not data.strip():
        raise LoadError(source, "empty")
    title = ""
    if fmt == "pdf":
        if not data.lstrip().startswith(b"%PDF"):
            raise LoadError(source, "pdf_corrupt", detail="not a PDF file")
        pages = _load_pdf(data, source)
    elif fmt == "docx":
        pages, title = _load_docx(data, source)
    elif fmt == "html":
        body, title = _load_html(decode_text(data, source))
        pages = [Page(None, body)]
    else:
        pages = [Page(None, decode_text(data, source))]
    pages = [Page(p.number, nfc(p.text)) for p in pages]
    full = "\n".join(p.text for p in pages)
    if not full.strip():
        raise LoadError(source, "no_text")
    meta = extract_metadata(full)
    if fmt == "markdown":
        m = re.search(r"^#\s+(.+)$", full, re.M)
        if m and not meta["doc_type"]:
            meta["title"] = m.group(1).strip()
    if title and not meta["doc_type"]:
        meta["title"] = nfc(title)
    return LoadedDoc(
        source=source,
        path=path or source,
        format=fmt,
        pages=pages,
        title=meta["title"] or Path(source).stem,
        doc_number=meta["doc_number"],
        doc_date=meta["doc_date"],
        doc_type=meta["doc_type"],
        lang=document_lang(full),
        file_hash=file_hash(data),
    )
