"""Tab "An toàn / Safety": a guardrail playground with highlighted findings, redaction and explanation."""
from __future__ import annotations

import gradio as gr

from assistant.guard.explain import finding_label
from assistant.ui.context import Ctx
from assistant.ui.i18n import tr

EXAMPLES = ("cccd", "injection", "secret", "email")


def highlighted(text: str, findings, lang: str = "vi") -> list[tuple[str, str | None]]:
    """Text split into (piece, label) for gr.HighlightedText; overlapping findings keep the first."""
    out, pos = [], 0
    for f in sorted(findings, key=lambda f: (f.start, -f.end)):
        if f.start < pos or f.end <= f.start:
            continue
        if f.start > pos:
            out.append((text[pos:f.start], None))
        out.append((text[f.start:f.end], finding_label(f.type, lang)))
        pos = f.end
    if pos < len(text):
        out.append((text[pos:], None))
    return out


def explain(g, lang: str) -> str:
    decision = tr(f"safe.decision_{g.decision}", lang) if g.decision in ("allow", "warn", "block") else g.decision
    lines = [f"**{tr('safe.decision', lang)}:** {decision}"]
    if not g.findings:
        lines.append(tr("safe.nothing", lang))
    for f in g.findings:
        msg = f.message.get(lang) or f.message.get("vi", "") if isinstance(f.message, dict) else str(f.message)
        lines.append(f"- **{finding_label(f.type, lang)}** — {msg}")
    reason = g.reason(lang)
    if reason:
        lines.append("\n" + reason)
    return "\n".join(lines)


def build(ctx: Ctx) -> None:
    reg = ctx.reg
    lang_in = ctx.c["lang"]
    reg.add(gr.Markdown(), lambda lang: {"value": tr("safe.intro", lang)})
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=300):
            example = reg.add(gr.Dropdown(elem_id="safe-examples", value=None), lambda lang: {
                "label": tr("safe.examples", lang), "choices": [(tr(f"safe.ex_{x}", lang), x) for x in EXAMPLES]})
            text = reg.add(gr.Textbox(lines=6, elem_id="safe-input"), label="safe.input")
            check = reg.add(gr.Button(variant="primary", elem_id="safe-check"), value="safe.check")
        with gr.Column(scale=1, min_width=300):
            found = reg.add(gr.HighlightedText(elem_id="safe-findings", show_legend=True, combine_adjacent=False),
                            label="safe.findings")
            redacted = reg.add(gr.Textbox(lines=4, interactive=False, elem_id="safe-redacted", buttons=["copy"]),
                               label="safe.redacted")
            explanation = gr.Markdown(elem_id="safe-explanation")

    example.change(lambda x, lang: tr(f"safe.ex_{x}_text", ctx.lang(lang)) if x else gr.update(),
                   [example, lang_in], text, api_visibility="private")

    def run(txt, lang, request: gr.Request):
        lang = ctx.lang(lang)
        txt = txt or ""
        g = ctx.services.guard(txt, lang)
        who = ctx.who(request)
        ctx.services.logs.log_event("guard", session=who["session"], user=who["user"], role=who["role"], lang=lang,
                                    question=txt, guard={"decision": g.decision, "findings": [f.type for f in g.findings]})
        red = g.redacted if g.redacted is not None else txt
        return highlighted(txt, g.findings, lang), red, explain(g, lang)

    check.click(run, [text, lang_in], [found, redacted, explanation], api_visibility="private")
    text.submit(run, [text, lang_in], [found, redacted, explanation], api_visibility="private")
