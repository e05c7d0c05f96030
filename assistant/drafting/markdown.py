"""A Markdown preview of a draft (same components, same order as the DOCX).

The two-column header and signature block are HTML tables of plain cells: a Markdown table would
make its first row a header row, printed bold, and the parent body and the recipients are not bold
(Phụ lục I, Mục II.2 and II.9). Text the user typed is escaped.
"""
from __future__ import annotations

from html import escape

TABLE = '<table style="width:100%;border:none;border-collapse:collapse"><tr>{cells}</tr></table>'
CELL = '<td style="border:none;vertical-align:top;text-align:{align};width:{width}">{body}</td>'


def _cell(*lines: str) -> str:
    return "<br>".join(x for x in lines if x)


def _b(x: str) -> str:
    return f"<b>{escape(x)}</b>" if x else ""


def _table(left: str, right: str, left_align: str = "center", widths=("42%", "58%")) -> str:
    return TABLE.format(cells=CELL.format(align=left_align, width=widths[0], body=left)
                        + CELL.format(align="center", width=widths[1], body=right))


def render_markdown(draft) -> str:
    d = draft
    left = _cell(escape(d.parent_agency), _b(d.agency), escape(d.number_line.replace("  ", " ")),
                 escape(d.summary) if d.doc_type.is_letter else "")
    right = _cell(_b("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), _b("Độc lập - Tự do - Hạnh phúc"),
                  f"<i>{escape(d.place_date)}</i>" if d.place_date else "")
    out = [_table(left, right), ""]
    if d.type_title and not d.doc_type.show_summary:
        out += [f"<p align=\"center\">{_b(d.type_title)}</p>", ""]
    elif d.type_title:
        out += [f"<p align=\"center\">{_b(d.type_title)}<br>{_b(d.summary)}</p>", ""]
    if d.addressees:
        if len(d.addressees) == 1:
            out += [f"<p align=\"center\">Kính gửi: {escape(d.addressees[0])}</p>", ""]
        else:
            out += ["Kính gửi:", ""] + [f"- {a}" for a in d.addressees] + [""]
    for b in d.body:
        if b.kind == "center_bold":
            out.append(f"<p align=\"center\">{_b(b.text)}</p>")
        elif b.kind == "heading":
            out.append(f"**{b.text}**")
        elif b.kind == "basis":
            out.append(f"*{b.text}*")
        elif b.kind == "article":
            out.append(f"**{b.label}** {b.text}")
        else:
            out.append(b.text)
        out.append("")
    # authority lines and title (TM. …, KT. …, Q. …, TL. …, TUQ. …), room to sign, the name (Phụ lục I, Mục II.7)
    sign = _cell(*(_b(x) for x in d.signer_lines), "<br><br>", _b(d.signer_name))
    recips = _cell("<b><i>Nơi nhận:</i></b>", *(escape(x) for x in d.recipients))
    if d.second_signer:
        left_sign = _cell(_b(d.second_signer[0]), "<br><br>", _b(d.second_signer[1] or ""))
        out += [_table(left_sign, sign, widths=("50%", "50%")), "", _cell(recips), ""]
    else:
        out += [_table(recips, sign, left_align="left", widths=("45%", "55%")), ""]
    if d.citations:
        out += ["---", "", "Nguồn căn cứ / Sources:", ""]
        for c in d.citations:
            a = str(c.get("article") or "")
            art = f", Điều {a}" if a.isdigit() else (f", {a}" if a else "")
            out.append(f"- {c.get('title') or c.get('source')}{art} ({c.get('source')})")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
