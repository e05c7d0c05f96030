"""Take it home: a conversation with its answers and cited sources as Markdown or DOCX."""
from __future__ import annotations

import io
import re
import time
from pathlib import Path

from assistant.messages import t


def _cite_line(c: dict, lang: str) -> str:
    parts = [c.get("title") or c.get("source", "")]
    if c.get("article"):
        parts.append(("Điều " if lang == "vi" else "Article ") + str(c["article"]))
    if c.get("page"):
        parts.append(("trang " if lang == "vi" else "page ") + str(c["page"]))
    src = c.get("source", "")
    if src.startswith("upload:"):
        src = src[len("upload:"):]
    return f"[{c.get('n')}] " + ", ".join(p for p in parts if p) + (f" — {src}" if src else "")


def _plain(text: str) -> str:
    text = re.sub(r"<[^>]+>", "", text or "")
    return text.replace("**", "")


def to_markdown(turns: list[dict], lang: str = "vi") -> str:
    out = [f"# {t('ui.export_title', lang)}", "", f"_{time.strftime('%Y-%m-%d %H:%M')}_", "",
           f"> {t('ui.export_note', lang)}", ""]
    for i, turn in enumerate(turns, start=1):
        out += [f"## {i}. {t('ui.export_question', lang)}", "", turn.get("question", ""), "",
                f"**{t('ui.export_answer', lang)}**", "", _plain(turn.get("answer", "")), ""]
        cits = turn.get("citations") or []
        if cits:
            out += [f"**{t('ui.export_sources', lang)}**", ""]
            for c in cits:
                out.append(f"- {_cite_line(c, lang)}")
                if c.get("passage"):
                    out.append(f"  > {' '.join(c['passage'].split())[:600]}")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def to_docx_bytes(turns: list[dict], lang: str = "vi") -> bytes:
    import docx
    from docx.shared import Pt

    d = docx.Document()
    style = d.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    d.add_heading(t("ui.export_title", lang), level=1)
    d.add_paragraph(time.strftime("%Y-%m-%d %H:%M"))
    note = d.add_paragraph(t("ui.export_note", lang))
    note.runs[0].italic = True
    for i, turn in enumerate(turns, start=1):
        d.add_heading(f"{i}. {t('ui.export_question', lang)}", level=2)
        d.add_paragraph(turn.get("question", ""))
        p = d.add_paragraph()
        p.add_run(t("ui.export_answer", lang)).bold = True
        for line in _plain(turn.get("answer", "")).split("\n"):
            if line.strip():
                d.add_paragraph(line.lstrip("- ").strip(), style="List Bullet" if line.lstrip().startswith("- ") else None)
        cits = turn.get("citations") or []
        if cits:
            p = d.add_paragraph()
            p.add_run(t("ui.export_sources", lang)).bold = True
            for c in cits:
                d.add_paragraph(_cite_line(c, lang), style="List Number")
                if c.get("passage"):
                    q = d.add_paragraph(" ".join(c["passage"].split())[:600])
                    q.paragraph_format.left_indent = Pt(24)
                    q.runs[0].italic = True
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def write_export(turns: list[dict], lang: str, fmt: str, folder: str | Path) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = ("hoi-dap" if lang == "vi" else "conversation") + f"-{stamp}"
    if fmt == "docx":
        path = folder / f"{name}.docx"
        path.write_bytes(to_docx_bytes(turns, lang))
    else:
        path = folder / f"{name}.md"
        path.write_text(to_markdown(turns, lang), encoding="utf-8")
    return path
