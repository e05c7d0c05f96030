"""Tab "Tóm tắt / Summarise": a corpus document or an upload; summary with citations; extract-to-table."""
from __future__ import annotations

import gradio as gr

from assistant.messages import t
from assistant.ui.context import Ctx
from assistant.ui.i18n import tr
from assistant.ui.tab_ask import format_answer, sources_html, sources_panel
from assistant.ui.uploads import add_upload, release


def build(ctx: Ctx) -> None:
    s, reg = ctx.settings, ctx.reg
    lang_in = ctx.c["lang"]
    reg.add(gr.Markdown(), lambda lang: {"value": tr("sum.intro", lang)})
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=280):
            doc = reg.add(gr.Dropdown(choices=ctx.services.documents(), elem_id="sum-doc"), label="sum.document")
            upload = reg.add(gr.UploadButton(file_count="single", elem_id="sum-upload"), label="sum.upload")
            up_status = gr.Markdown()
            length = reg.add(gr.Radio(value="short", elem_id="sum-length"), lambda lang: {
                "label": tr("sum.length", lang),
                "choices": [(tr(f"sum.length_{x}", lang), x) for x in ("short", "medium", "long")]})
            with gr.Row():
                run = reg.add(gr.Button(variant="primary", elem_id="sum-run"), value="sum.run")
                table = reg.add(gr.Button(elem_id="sum-table"), value="sum.table")
        with gr.Column(scale=3, min_width=320):
            out = reg.add(gr.Markdown(elem_id="sum-output", container=True, min_height=120),
                          lambda lang: {"label": tr("sum.output", lang)})
            reg.add(gr.Markdown(), lambda lang: {"value": f"### {tr('sum.sources', lang)}"})
            srcs = sources_panel(ctx, "sum-sources")
    ctx.c["sum_doc"] = doc
    ctx.c.setdefault("on_lang", []).append(
        (lambda lang: (gr.update(choices=ctx.services.documents()),), [lang_in], [doc]))
    own = gr.State(None, time_to_live=max(60, s.upload_ttl_min * 60), delete_callback=release)
    chosen = gr.State("")

    def on_upload(f, lang, request: gr.Request):
        lang = ctx.lang(lang)
        if not f:
            return None, "", "", gr.update()
        ix = ctx.services.new_private(getattr(request, "session_hash", "") or "")
        res = add_upload(ix, f if isinstance(f, str) else f.name, s, lang)
        if not res.ok:
            return None, "", res.message, gr.update(value=None)
        return ix, "upload:" + res.name, res.message, gr.update(value=None)

    upload.upload(on_upload, [upload, lang_in], [own, chosen, up_status, doc], api_visibility="private")
    doc.change(lambda d: "" if d else gr.update(), doc, chosen, api_visibility="private")

    def go(table_mode):
        def _fn(doc_v, chosen_v, ix, length_v, lang, request: gr.Request):
            lang = ctx.lang(lang)
            source = doc_v or chosen_v
            if not source:
                return t("ui.choose_document", lang), ""
            try:
                res = ctx.services.summarize(source, length_v or "short", lang, private=ix, table=table_mode,
                                             who=ctx.who(request))
            except Exception as exc:  # noqa: BLE001
                return t("ui.error", lang, detail=type(exc).__name__), ""
            return format_answer(res, lang), sources_html(res.get("citations", []), lang)
        return _fn

    run.click(go(False), [doc, chosen, own, length, lang_in], [out, srcs], api_visibility="private")
    table.click(go(True), [doc, chosen, own, length, lang_in], [out, srcs], api_visibility="private")
