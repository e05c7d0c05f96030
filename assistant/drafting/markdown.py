"""A Markdown preview of a draft (same components, same order as the DOCX)."""
from __future__ import annotations


def _cell(*lines: str) -> str:
    return "<br>".join(x for x in lines if x)


def render_markdown(draft) -> str:
    d = draft
    left = _cell(d.parent_agency, f"**{d.agency}**", d.number_line.replace("  ", " "),
                 d.summary if d.doc_type.is_letter else "")
    right = _cell("**CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**", "**Độc lập - Tự do - Hạnh phúc**",
                  f"*{d.place_date}*" if d.place_date else "")
    out = [f"| {left} | {right} |", "|:---:|:---:|", ""]
    if d.type_title and not d.doc_type.show_summary:
        out += [f"<p align=\"center\"><b>{d.type_title}</b></p>", ""]
    elif d.type_title:
        out += [f"<p align=\"center\"><b>{d.type_title}</b><br><b>{d.summary}</b></p>", ""]
    if d.addressees:
        if len(d.addressees) == 1:
            out += [f"<p align=\"center\">Kính gửi: {d.addressees[0]}</p>", ""]
        else:
            out += ["Kính gửi:", ""] + [f"- {a}" for a in d.addressees] + [""]
    for b in d.body:
        if b.kind == "center_bold":
            out.append(f"<p align=\"center\"><b>{b.text}</b></p>")
        elif b.kind == "heading":
            out.append(f"**{b.text}**")
        elif b.kind == "basis":
            out.append(f"*{b.text}*")
        elif b.kind == "article":
            out.append(f"**{b.label}** {b.text}")
        else:
            out.append(b.text)
        out.append("")
    sign = _cell(f"**{d.signer_authority}**" if d.signer_authority else "", f"**{d.signer_title}**", "<br><br>",
                 f"**{d.signer_name}**")
    recips = _cell("***Nơi nhận:***", *d.recipients)
    if d.second_signer:
        left_sign = _cell(f"**{d.second_signer[0]}**", "<br><br>", f"**{d.second_signer[1]}**" if d.second_signer[1] else "")
        out += [f"| {left_sign} | {sign} |", "|:---|:---:|", "", recips.replace("<br>", "  \n"), ""]
    else:
        out += [f"| {recips} | {sign} |", "|:---|:---:|", ""]
    if d.citations:
        out += ["---", "", "Nguồn căn cứ / Sources:", ""]
        for c in d.citations:
            a = str(c.get("article") or "")
            art = f", Điều {a}" if a.isdigit() else (f", {a}" if a else "")
            out.append(f"- {c.get('title') or c.get('source')}{art} ({c.get('source')})")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
