"""Tab "Soạn thảo / Draft": official documents in the national format (assistant.drafting)."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import gradio as gr

from assistant.messages import t
from assistant.ui.context import Ctx
from assistant.ui.i18n import tr

DRAFT_DIR = Path(tempfile.gettempdir()) / "assistant-drafts"
FORM = [("agency", 1), ("place", 1), ("date", 1), ("subject", 1), ("points", 5), ("recipients", 3),
        ("signer_title", 1), ("signer_name", 1)]
LISTS = {"points", "recipients"}


def build(ctx: Ctx) -> None:
    from assistant.drafting import list_types

    reg = ctx.reg
    lang_in = ctx.c["lang"]
    reg.add(gr.Markdown(), lambda lang: {"value": t("ui.draft_intro", lang)})
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=300):
            dtype = reg.add(gr.Dropdown(value="cong-van", choices=[(x["name"], x["id"]) for x in list_types("vi")],
                                        elem_id="draft-type"), lambda lang: {
                "label": tr("draft.type", lang), "choices": [(x["name"], x["id"]) for x in list_types(lang)]})
            boxes = []
            for name, lines in FORM:
                def props(lang, name=name):
                    label = t(f"drafting.field.{name}", lang)
                    label = label[:1].upper() + label[1:]
                    if name in LISTS:
                        label += f" ({tr('draft.lines_hint', lang)})"
                    return {"label": label}
                boxes.append(reg.add(gr.Textbox(lines=lines, elem_id=f"draft-{name}"), props))
            extra = reg.add(gr.Textbox(lines=2, elem_id="draft-extra"), label="draft.extra")
            run = reg.add(gr.Button(variant="primary", elem_id="draft-run"), value="draft.run")
        with gr.Column(scale=3, min_width=320):
            status = gr.Markdown(elem_id="draft-status")
            out = reg.add(gr.Markdown(elem_id="draft-output", container=True, min_height=160), label="draft.output")
            file = reg.add(gr.File(interactive=False, elem_id="draft-file", height=80), label="draft.file")

    def go(request: gr.Request, dt, *vals):
        *fields_v, extra_v, lang = vals
        lang = ctx.lang(lang)
        fields = {name: v for (name, _), v in zip(FORM, fields_v) if (v or "").strip()}
        if (extra_v or "").strip():
            try:
                more = json.loads(extra_v)
                if not isinstance(more, dict):
                    raise ValueError
                fields.update(more)
            except ValueError:
                return "⚠️ " + tr("draft.bad_json", lang), "", None
        res = ctx.services.draft(dt, fields, lang, who=ctx.who(request))
        if not res["ok"]:
            return "⚠️ " + res["error"], "", None
        DRAFT_DIR.mkdir(parents=True, exist_ok=True)
        path = Path(tempfile.mkdtemp(dir=DRAFT_DIR)) / f"{dt}.docx"
        path.write_bytes(res["docx"])
        notes = "\n".join(f"- {n}" for n in res.get("notes") or [])
        return notes, res["markdown"], str(path)

    run.click(go, [dtype, *boxes, extra, lang_in], [status, out, file], api_visibility="private")
