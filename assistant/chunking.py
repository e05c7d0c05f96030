"""Split a loaded document into chunks that follow legal structure.

Vietnamese legal and administrative texts are built of Phần / Chương / Mục /
Điều / Khoản / điểm (English: Part / Chapter / Section / Article / clause /
point). One chunk per article where it fits the embedding model; a long
article is split by clause (then by point, then by sentence), its heading
carried into every piece. Documents without articles fall back to packing
paragraphs under their headings. Every chunk's text, breadcrumb line
included, fits the embedding model's token limit: nothing is cut by it.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Callable

from assistant.loaders import LoadedDoc

_ROMAN = r"[IVXLCDM]+"
_STRIP = re.compile(r"^\s*(?:#{1,6}\s*)?(?:\*\*|__)?\s*|(?:\*\*|__)\s*$")
RE_PART = re.compile(rf"^(Phần|PHẦN|Part|PART)\s+(thứ\s+\S+|THỨ\s+\S+|{_ROMAN}|\d+)\b\s*[.:\-–]?\s*(.*)$")
RE_CHAPTER = re.compile(rf"^(Chương|CHƯƠNG|Chapter|CHAPTER)\s+({_ROMAN}|\d+)\b\s*[.:\-–]?\s*(.*)$")
RE_SECTION = re.compile(rf"^(Mục|MỤC|Section|SECTION)\s+(\d+|{_ROMAN})\b\s*[.:\-–]?\s*(.*)$")
RE_ARTICLE = re.compile(r"^(Điều|ĐIỀU|Article|ARTICLE)\s+(\d+[a-z]?)\s*([.:])\s*(.*)$")
RE_ARTICLE_LOOSE = re.compile(r"^(Điều|ĐIỀU|Article|ARTICLE)\s+(\d+[a-z]?)\s*[.:]?\s*(.*)$")
RE_CLAUSE = re.compile(r"^(\d{1,3})\.\s+\S")
RE_POINT = re.compile(r"^([a-zđ])\)\s+\S")
RE_CLOSING = re.compile(r"^(Nơi nhận|Recipients)\s*:?", re.I)
RE_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
# "I. MỤC ĐÍCH, YÊU CẦU" — the Roman-numbered parts of plans and reports (upper case, short)
RE_ROMAN_PART = re.compile(rf"^({_ROMAN})\.\s+(\S.*)$")


@dataclass
class Chunk:
    text: str
    metadata: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.metadata["chunk_id"]


@dataclass
class _Line:
    text: str
    page: int | None


@dataclass
class _Unit:
    kind: str  # "preamble" | "article" | "closing" | "section"
    heading: str = ""
    lines: list[_Line] = field(default_factory=list)
    part: str = ""
    chapter: str = ""
    chapter_title: str = ""
    section: str = ""
    article: str = ""
    article_title: str = ""
    crumbs: list[str] = field(default_factory=list)


def _clean(line: str) -> str:
    line = _STRIP.sub("", line.strip())
    return _STRIP.sub("", line).strip()


def _lines(doc: LoadedDoc) -> list[_Line]:
    out = []
    for page in doc.pages:
        for raw in page.text.split("\n"):
            out.append(_Line(raw.rstrip(), page.number))
    return out


def has_articles(doc: LoadedDoc) -> bool:
    """Two or more article headings, or a single "Điều 1." / "Article 1." (one article is structure too)."""
    found = []
    for ln in _lines(doc):
        m = RE_ARTICLE.match(_clean(ln.text))
        if m:
            found.append(m.group(2))
            if len(found) >= 2:
                return True
    return found == ["1"]


# ---------------------------------------------------------------- pages inside a chunk
def page_map_text(entries: list[tuple[int, int]]) -> str:
    """``[(offset, page), ...]`` (offsets into the passage) as chunk metadata: "0:3;412:4"; "" for one page."""
    out: list[tuple[int, int]] = []
    for off, page in entries:
        if page is None:
            continue
        if not out or out[-1][1] != page:
            out.append((off, page))
    if out:
        out[0] = (0, out[0][1])  # text before the first located line (a continuation heading) is on its page
    return ";".join(f"{o}:{p}" for o, p in out) if len(out) > 1 else ""


def page_map(metadata: dict) -> list[tuple[int, int]]:
    """The ``page_map`` of a chunk's metadata as ``[(offset, page), ...]`` (empty when it has one page)."""
    out = []
    for part in str((metadata or {}).get("page_map") or "").split(";"):
        o, _, p = part.partition(":")
        if o.strip().isdigit() and p.strip().isdigit():
            out.append((int(o), int(p)))
    return out


def page_at(metadata: dict, offset: int) -> int | None:
    """The printed page of the character at ``offset`` of a chunk's passage (None when unknown)."""
    page = int((metadata or {}).get("page") or 0) or None
    for o, p in page_map(metadata):
        if o <= offset:
            page = p
        else:
            break
    return page


def _locate(lines: list[tuple[str, int | None]], text: str, base: int = 0) -> list[tuple[int, int]]:
    """Offsets in ``text`` where each non-empty line (in order) starts, with its page."""
    entries, cur = [], 0
    for line, page in lines:
        s = line.strip()
        if not s:
            continue
        i = text.find(s, cur)
        if i < 0:
            continue
        entries.append((base + i, page))
        cur = i + len(s)
    return entries


def _label(word: str) -> str:
    w = word.lower()
    return {"phần": "Phần", "chương": "Chương", "mục": "Mục", "part": "Part", "chapter": "Chapter", "section": "Section"}.get(w, word.title())


def _structure(doc: LoadedDoc) -> list[_Unit]:
    """Group lines into preamble, articles and closing, tracking Phần/Chương/Mục."""
    units: list[_Unit] = [_Unit("preamble")]
    part = chapter = chapter_title = section = ""
    crumbs_ctx: list[str] = []
    pending_title_for: str | None = None  # "chapter"/"section"/"part" awaiting its title on the next line
    is_md = doc.format == "markdown"
    for ln in _lines(doc):
        c = _clean(ln.text)
        if not c:
            if units[-1].lines and units[-1].lines[-1].text:
                units[-1].lines.append(_Line("", ln.page))
            continue
        if pending_title_for and not any(r.match(c) for r in (RE_ARTICLE, RE_CHAPTER, RE_SECTION, RE_PART)):
            if len(c) <= 160:
                if pending_title_for == "chapter":
                    chapter_title = c
                pending_title_for = None
                continue
            pending_title_for = None
        m = RE_PART.match(c)
        if m and (c.isupper() or len(c) < 120):
            part, chapter, chapter_title, section = m.group(2), "", "", ""
            crumbs_ctx = [f"{_label(m.group(1))} {m.group(2)}"]
            pending_title_for = None if m.group(3) else "part"
            continue
        m = RE_CHAPTER.match(c)
        if m and len(c) < 200:
            chapter, section = m.group(2), ""
            chapter_title = m.group(3)
            crumbs_ctx = [x for x in crumbs_ctx if x.startswith(("Phần", "Part"))] + [f"{_label(m.group(1))} {m.group(2)}"]
            pending_title_for = None if m.group(3) else "chapter"
            continue
        m = RE_SECTION.match(c)
        if m and len(c) < 200:
            section = m.group(2)
            crumbs_ctx = [x for x in crumbs_ctx if x.startswith(("Phần", "Part", "Chương", "Chapter"))] + [f"{_label(m.group(1))} {m.group(2)}"]
            pending_title_for = None if m.group(3) else "section"
            continue
        m = RE_ARTICLE.match(c)
        if not m and is_md and RE_MD_HEADING.match(ln.text.strip()):
            m2 = RE_ARTICLE_LOOSE.match(c)
            if m2:
                m = m2
        if m:
            num = m.group(2)
            title = m.group(m.lastindex).strip() if m.lastindex and m.lastindex >= 3 else ""
            if title in (".", ":"):
                title = ""
            word = "Điều" if m.group(1).lower().startswith("đ") else "Article"
            heading = f"{word} {num}. {title}".strip() if title else f"{word} {num}."
            units.append(_Unit("article", heading=heading, part=part, chapter=chapter, chapter_title=chapter_title,
                               section=section, article=num, article_title=title, crumbs=list(crumbs_ctx),
                               lines=[_Line(heading, ln.page)]))
            continue
        if RE_CLOSING.match(c) and len(units) > 1:
            units.append(_Unit("closing", heading=c, lines=[_Line(c, ln.page)], crumbs=[]))
            continue
        units[-1].lines.append(_Line(c if not is_md else ln.text.strip(), ln.page))
    return [u for u in units if any(x.text.strip() for x in u.lines)]


def _sections(doc: LoadedDoc) -> list[_Unit]:
    """Fallback: group lines under Markdown/DOCX headings (path kept as breadcrumbs)."""
    units: list[_Unit] = [_Unit("section")]
    path: list[tuple[int, str]] = []
    for ln in _lines(doc):
        s = ln.text.strip()
        m = RE_MD_HEADING.match(s)
        r = RE_ROMAN_PART.match(_clean(s)) if not m else None
        if r and len(s) <= 120 and r.group(2).upper() == r.group(2):
            level, title = 2, _clean(s)
            path = [(lv, t) for lv, t in path if lv < level] + [(level, title)]
            units.append(_Unit("section", heading=title, crumbs=[t for _, t in path][-2:], lines=[_Line(s, ln.page)]))
            continue
        if m:
            level, title = len(m.group(1)), _clean(m.group(2))
            path = [(lv, t) for lv, t in path if lv < level] + [(level, title)]
            crumbs = [t for lv, t in path if lv > 1 or len(path) == 1][-2:]
            units.append(_Unit("section", heading=title, crumbs=crumbs, lines=[_Line(s, ln.page)]))
            continue
        if not s:
            if units[-1].lines and units[-1].lines[-1].text:
                units[-1].lines.append(_Line("", ln.page))
            continue
        units[-1].lines.append(_Line(s, ln.page))
    return [u for u in units if any(x.text.strip() for x in u.lines)]


# ---------------------------------------------------------------- packing
def _blocks(lines: list[_Line], start_re: re.Pattern | None) -> list[list[_Line]]:
    """Split lines into blocks: each starts at a line matching ``start_re`` (or a blank line if None)."""
    blocks: list[list[_Line]] = [[]]
    for ln in lines:
        if start_re is None:
            if not ln.text.strip():
                if blocks[-1]:
                    blocks.append([])
                continue
        elif start_re.match(ln.text.strip()) and blocks[-1]:
            blocks.append([])
        blocks[-1].append(ln)
    return [b for b in blocks if any(x.text.strip() for x in b)]


class Chunker:
    def __init__(self, count_tokens: Callable[[list[str]], list[int]], max_tokens: int = 254, overlap_sentences: int = 0):
        self.count_batch = count_tokens
        self.max_tokens = max_tokens

    def _count(self, text: str) -> int:
        return self.count_batch([text])[0]

    def _split_text(self, text: str, budget: int) -> list[str]:
        """Last resort: split a too-long block on sentences, then words, by tokens."""
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        splitter = RecursiveCharacterTextSplitter(
            chunk_size=budget,
            chunk_overlap=0,
            length_function=self._count,
            separators=["\n", ". ", "; ", ", ", " ", ""],
            keep_separator="end",
        )
        return [p.strip() for p in splitter.split_text(text) if p.strip()]

    def _pack(self, lines: list[_Line], budget: int) -> list[list[_Line]]:
        """Greedy packing of clause blocks (then point blocks, then sentences) into pieces within budget."""
        text = "\n".join(x.text for x in lines)
        if self._count(text) <= budget:
            return [lines]
        for start_re in (RE_CLAUSE, RE_POINT, None):
            blocks = _blocks(lines, start_re)
            if len(blocks) > 1:
                break
        else:
            blocks = [lines]
        if len(blocks) == 1:
            # one indivisible block: split its text
            page = lines[0].page
            return [[_Line(p, page)] for p in self._split_text(text, budget)]
        sizes = self.count_batch(["\n".join(x.text for x in b) for b in blocks])
        pieces: list[list[_Line]] = []
        cur: list[_Line] = []
        cur_size = 0
        for block, size in zip(blocks, sizes):
            if size > budget:
                if cur:
                    pieces.append(cur)
                    cur, cur_size = [], 0
                pieces.extend(self._pack(block, budget))
                continue
            if cur and cur_size + size + 1 > budget:
                pieces.append(cur)
                cur, cur_size = [], 0
            cur.extend(block)
            cur_size += size + 1
        if cur:
            pieces.append(cur)
        return pieces

    def chunk(self, doc: LoadedDoc) -> list[Chunk]:
        structured = has_articles(doc)
        units = _structure(doc) if structured else _sections(doc)
        name = doc.short_name
        chunks: list[Chunk] = []
        src_key = hashlib.sha1(doc.source.encode("utf-8")).hexdigest()[:12]
        for unit in units:
            if unit.kind == "article":
                crumbs = [name, *unit.crumbs, unit.heading.split(".")[0]]
            elif unit.kind == "preamble":
                crumbs = [name]
            elif unit.kind == "closing":
                crumbs = [name, unit.heading.rstrip(":")]
            else:
                crumbs = [name, *unit.crumbs] if unit.crumbs and unit.crumbs[-1] != name else [name]
            breadcrumb = " › ".join(c for c in crumbs if c)
            body = [x for x in unit.lines]
            head_line = unit.heading if unit.kind == "article" else ""
            # budget for the body, the breadcrumb line (and the article heading in continuation pieces) included
            overhead = self._count(breadcrumb) + (self._count(head_line) + 4 if head_line else 0) + 2
            budget = max(32, self.max_tokens - overhead)
            pieces = self._pack(body, budget)
            for i, piece in enumerate(pieces):
                lines_txt = [x.text for x in piece]
                if head_line and i > 0:
                    lines_txt = [f"{head_line} (tiếp theo)" if unit.heading.startswith("Điều") else f"{head_line} (continued)"] + lines_txt
                body_txt = re.sub(r"\n{3,}", "\n\n", "\n".join(lines_txt)).strip()
                text = breadcrumb + "\n" + body_txt
                pages = [x.page for x in piece if x.page is not None]
                pmap = page_map_text(_locate([(x.text, x.page) for x in piece], body_txt)) if len(set(pages)) > 1 else ""
                clauses = [RE_CLAUSE.match(x.text.strip()).group(1) for x in piece if RE_CLAUSE.match(x.text.strip())]
                meta = {
                    "source": doc.source,
                    "title": doc.title,
                    "doc_number": doc.doc_number,
                    "doc_date": doc.doc_date,
                    "doc_type": doc.doc_type,
                    "lang": doc.lang,
                    "format": doc.format,
                    "kind": unit.kind,
                    "part": unit.part,
                    "chapter": unit.chapter,
                    "chapter_title": unit.chapter_title,
                    "section": unit.section,
                    "article": unit.article,
                    "article_title": unit.article_title,
                    "clause": f"{clauses[0]}-{clauses[-1]}" if len(clauses) > 1 else (clauses[0] if clauses else ""),
                    "piece": i + 1,
                    "pieces": len(pieces),
                    "page": pages[0] if pages else 0,
                    "page_end": pages[-1] if pages else 0,
                    "page_map": pmap,
                    "breadcrumb": breadcrumb,
                    "file_hash": doc.file_hash,
                }
                chunks.append(Chunk(text, meta))
        # final guarantee: nothing over the limit (split anything that still is)
        sizes = self.count_batch([c.text for c in chunks])
        out: list[Chunk] = []
        for c, size in zip(chunks, sizes):
            if size <= self.max_tokens:
                out.append(c)
                continue
            head, _, rest = c.text.partition("\n")
            budget = max(16, self.max_tokens - self._count(head) - 2)
            cur = 0
            for j, part in enumerate(self._split_text(rest, budget)):
                start = rest.find(part, cur)
                start = cur if start < 0 else start
                cur = start + len(part)
                first = page_at(c.metadata, start) or 0
                inside = [(o - start, p) for o, p in page_map(c.metadata) if start < o < cur]
                meta = dict(c.metadata, piece=f"{c.metadata['piece']}.{j + 1}", page=first,
                            page_end=inside[-1][1] if inside else first,
                            page_map=page_map_text([(0, first)] + inside) if first else "")
                out.append(Chunk(head + "\n" + part, meta))
        n = len(out)
        for i, c in enumerate(out):
            c.metadata["chunk_id"] = f"{src_key}:{doc.file_hash[:16]}:{i:04d}"
            c.metadata["chunk_index"] = i
            c.metadata["n_chunks"] = n
        return out


def passage(text: str) -> str:
    """The chunk text without its breadcrumb line (for display)."""
    return text.split("\n", 1)[1] if "\n" in text else text
