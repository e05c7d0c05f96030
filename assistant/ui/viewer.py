"""The document viewer: a corpus document as readable HTML, opened at the cited article.

A Markdown file is rendered as Markdown (no raw ``**`` or ``###``), a DOCX by its paragraphs and heading
styles, a TXT or HTML file by its lines; every article ("Điều 5." / "Article 5.") gets an anchor, so the
viewer opens where the citation points. PDFs keep opening in the browser's PDF viewer at the cited page.
Only files inside the corpus folder are shown; private uploads are never served by this path.

The sources panels call :func:`view_document` from the browser (a gradio ``server_functions`` call), and
show the returned HTML in an overlay over the page, which works at phone width too.
"""
from __future__ import annotations

import html
import re
from pathlib import Path

from assistant.ui.i18n import tr

ARTICLE = re.compile(r"^\s*(?:#{1,6}\s*)?(?:\*\*)?\s*(?:Điều|ĐIỀU|Article|ARTICLE)\s+(\d+[a-z]?)\b", re.M)
VIEWABLE = {".md", ".markdown", ".txt", ".docx", ".html", ".htm"}

# the browser side: clicks on "open the document" links inside a sources panel open the overlay
JS = """
element.addEventListener('click', async (e) => {
  const a = e.target.closest('a.src-open');
  if (!a) return;
  e.preventDefault();
  let box = document.getElementById('doc-viewer');
  if (!box) {
    box = document.createElement('div');
    box.id = 'doc-viewer';
    box.setAttribute('role', 'dialog');
    box.setAttribute('aria-modal', 'true');
    document.body.appendChild(box);
    box.addEventListener('click', (ev) => {
      if (ev.target === box || ev.target.closest('.dv-close')) { box.style.display = 'none'; box.dataset.state = 'closed'; }
    });
    document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape') { box.style.display = 'none'; box.dataset.state = 'closed'; } });
  }
  box.dataset.state = 'loading';
  box.innerHTML = '<div class="dv-panel"><p>…</p></div>';
  box.style.display = 'block';
  const out = await server.view_document(a.dataset.source || '', a.dataset.article || '', a.dataset.lang || 'vi');
  box.innerHTML = out;
  const target = a.dataset.article ? box.querySelector('#dv-art-' + CSS.escape(a.dataset.article)) : null;
  if (target) { target.classList.add('dv-target'); target.scrollIntoView({block: 'start'}); }
  const close = box.querySelector('.dv-close');
  if (close) close.focus();
  box.dataset.state = 'open';
});
"""

CSS = """
#doc-viewer { display: none; position: fixed; inset: 0; z-index: 1000; background: rgba(0, 0, 0, 0.45); overflow: auto; }
#doc-viewer .dv-panel { background: var(--background-fill-primary, #fff); color: var(--body-text-color, #111);
  max-width: 860px; margin: 3vh auto; padding: 16px 22px 28px; border-radius: 10px; line-height: 1.55; }
#doc-viewer .dv-bar { display: flex; justify-content: space-between; align-items: center; gap: 8px;
  position: sticky; top: 0; background: inherit; padding: 6px 0; border-bottom: 1px solid var(--border-color-primary, #ddd); }
#doc-viewer .dv-title { font-weight: 700; }
#doc-viewer .dv-close { font-size: 1em; padding: 6px 12px; border-radius: 6px; cursor: pointer; }
#doc-viewer .dv-target { background: #fef3c7; outline: 3px solid #f59e0b; border-radius: 4px; padding: 2px 4px; }
#doc-viewer .dv-body { overflow-wrap: anywhere; }
@media (max-width: 640px) { #doc-viewer .dv-panel { margin: 0; border-radius: 0; padding: 10px 12px; min-height: 100%; } }
"""


def _anchor(article: str) -> str:
    return f"dv-art-{html.escape(article)}"


_BARE_ARTICLE = re.compile(r"^(?:Điều|ĐIỀU|Article|ARTICLE)\s+\d+[a-z]?\s*[.:][^\n]{0,120}$")


def _headings(text: str) -> str:
    """A bare "Điều 3. Lệ phí" line (a heading written without #) stands as a heading, not glued to the text."""
    out = []
    for line in text.splitlines():
        bare = line.strip()
        if _BARE_ARTICLE.match(bare) and (not bare.endswith((".", ";")) or len(bare.split()) <= 12):
            out += ["", "### " + bare, ""]
        else:
            out.append(line)
    return "\n".join(out)


def _markdown_html(text: str) -> str:
    from markdown_it import MarkdownIt

    text = _headings(text)
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = md.parse(text)
    for i, tok in enumerate(tokens):  # an article heading or paragraph gets its anchor
        if tok.type in ("heading_open", "paragraph_open") and i + 1 < len(tokens):
            m = ARTICLE.match(tokens[i + 1].content or "")
            if m:
                tok.attrSet("id", _anchor(m.group(1)))
    return md.renderer.render(tokens, md.options, {})


def _lines_html(lines: list[tuple[str, str]]) -> str:
    """(kind, text) lines — kind "h" for headings, "p" for paragraphs — as HTML with article anchors."""
    out = []
    for kind, text in lines:
        text = text.strip()
        if not text:
            continue
        m = ARTICLE.match(text)
        attr = f' id="{_anchor(m.group(1))}"' if m else ""
        tag = "h3" if kind == "h" or m else "p"
        out.append(f"<{tag}{attr}>{html.escape(text)}</{tag}>")
    return "\n".join(out)


def _docx_lines(path: Path) -> list[tuple[str, str]]:
    import docx

    d = docx.Document(str(path))
    lines = []
    for p in d.paragraphs:
        style = (p.style.name if p.style is not None else "") or ""
        lines.append(("h" if style.lower().startswith(("heading", "title")) else "p", p.text))
    for table in d.tables:
        for row in table.rows:
            lines.append(("p", " | ".join(c.text.strip() for c in row.cells)))
    return lines


def render(path: Path) -> str:
    """The document's body as HTML (article anchors ``dv-art-<n>``)."""
    ext = path.suffix.lower()
    if ext == ".docx":
        return _lines_html(_docx_lines(path))
    if ext in (".html", ".htm"):
        from assistant.loaders import load_file

        doc = load_file(path, path.parent)
        return _lines_html([("p", line) for line in doc.text.splitlines()])
    text = path.read_text(encoding="utf-8", errors="replace")
    if ext in (".md", ".markdown"):
        return _markdown_html(text)
    return _lines_html([("p", line) for line in text.splitlines()])


def corpus_path(corpus_dir: str, source: str) -> Path | None:
    """The file of a corpus source, only if it lies inside the corpus folder and can be viewed."""
    if not source or source.startswith("upload:"):
        return None
    root = Path(corpus_dir).resolve()
    path = (root / source).resolve()
    if root not in path.parents or not path.is_file() or path.suffix.lower() not in VIEWABLE:
        return None
    return path


def make_view_document(settings):
    """The server function the sources panels call: (source, article, lang) -> the overlay's HTML."""

    def view_document(source, article: str = "", lang: str = "vi") -> str:
        if isinstance(source, (list, tuple)):  # gradio hands a server function's arguments over as one list
            source, article, lang = (list(source) + ["", "vi"])[:3]
        lang = lang if lang in ("vi", "en") else "vi"
        close = html.escape(tr("ask.viewer_close", lang))
        path = corpus_path(settings.corpus_dir, str(source or ""))
        if path is None:
            body = f"<p>{html.escape(tr('ask.viewer_missing', lang))}</p>"
            title = html.escape(str(source or ""))
        else:
            try:
                body = render(path)
            except Exception:  # noqa: BLE001 - a broken file: say so, never a stack trace
                body = f"<p>{html.escape(tr('ask.viewer_failed', lang, name=path.name))}</p>"
            title = html.escape(path.name)
        where = ""
        if article:
            where = f" · {html.escape(tr('ask.article', lang))} {html.escape(str(article))}"
        return (f'<div class="dv-panel"><div class="dv-bar"><span class="dv-title">{title}{where}</span>'
                f'<button class="dv-close" type="button">{close}</button></div>'
                f'<div class="dv-body">{body}</div></div>')

    return view_document


def link(source: str, article: str, lang: str, label: str) -> str:
    """The "open the document" link of a source card (opens the overlay at the article)."""
    return (f'<a class="src-link src-open" href="#" data-source="{html.escape(source)}" '
            f'data-article="{html.escape(str(article or ""))}" data-lang="{lang}">{html.escape(label)} ↗</a>')


def viewable(source: str) -> bool:
    return bool(source) and not source.startswith("upload:") and Path(source).suffix.lower() in VIEWABLE
