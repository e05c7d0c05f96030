"""Tab "Bài tập / Exercises": catalogue by module, start in the chat, rubric, progress per browser."""
from __future__ import annotations

import gradio as gr

from assistant.ui import exercises as exlib
from assistant.ui.context import Ctx
from assistant.ui.i18n import tr


def _md(ex: dict | None, lang: str) -> str:
    if not ex:
        return ""
    parts = [f"### {exlib.text(ex, 'title', lang)}"]
    if ex.get("level"):
        try:
            level = tr(f"ex.level_{ex['level']}", lang)
        except KeyError:
            level = str(ex["level"])
        parts.append(f"_{tr('ex.level', lang)}: {level}_")
    parts.append(exlib.text(ex, "instructions", lang))
    docs = ex.get("documents") or []
    if docs:
        parts.append(f"**{tr('ex.documents', lang)}:** " + ", ".join(f"`{d}`" for d in docs))
    mistakes = exlib.items(ex, "mistakes", lang)
    if mistakes:
        parts.append(f"**{tr('ex.mistakes', lang)}**\n" + "\n".join(f"- {m}" for m in mistakes))
    return "\n\n".join(parts)


def build(ctx: Ctx) -> None:
    reg = ctx.reg
    lang_in = ctx.c["lang"]
    catalogue = exlib.load_exercises(ctx.exercises_dir)
    mods = exlib.modules(catalogue)
    progress = gr.BrowserState({}, storage_key="assistant_progress")

    def ex_choices(module, lang, done=None):
        done = done or {}
        return [(exlib.text(e, "title", lang) + (f"  {tr('ex.done_mark', lang)}" if done.get(e["id"]) else ""), e["id"])
                for e in exlib.in_module(catalogue, module)]

    reg.add(gr.Markdown(), lambda lang: {"value": tr("ex.intro", lang) if catalogue else tr("ex.none", lang)})
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=260):
            module = reg.add(gr.Dropdown(value=mods[0] if mods else None, choices=mods, elem_id="ex-module"), lambda lang: {
                "label": tr("ex.module", lang), "choices": [(tr("ex.module_n", lang, n=m), m) for m in mods]})
            exercise = reg.add(gr.Radio(elem_id="ex-list", choices=ex_choices(mods[0] if mods else None, "vi")),
                               label="ex.exercise")
            prog = gr.Markdown(elem_id="ex-progress")
        with gr.Column(scale=3, min_width=320):
            detail = gr.Markdown(elem_id="ex-detail")
            prompt = reg.add(gr.Radio(elem_id="ex-prompt", visible=bool(catalogue)), label="ex.prompt")
            with gr.Row():
                start = reg.add(gr.Button(variant="primary", elem_id="ex-start", visible=bool(catalogue)), value="ex.start")
                done_btn = reg.add(gr.Button(elem_id="ex-done", visible=bool(catalogue)), value="ex.done")
            rubric = reg.add(gr.CheckboxGroup(elem_id="ex-rubric", visible=bool(catalogue), interactive=True), label="ex.rubric")

    def progress_md(done, lang):
        total = len(catalogue)
        n = sum(1 for e in catalogue if (done or {}).get(e["id"]))
        return tr("ex.progress", lang, done=n, total=total) if total else ""

    def on_module(m, lang, done):
        lang = ctx.lang(lang)
        return gr.update(choices=ex_choices(m, lang, done), value=None), "", gr.update(choices=[], value=None), \
            gr.update(choices=[], value=[])

    module.change(on_module, [module, lang_in, progress], [exercise, detail, prompt, rubric], api_visibility="private")

    def on_exercise(ex_id, lang):
        lang = ctx.lang(lang)
        ex = exlib.by_id(catalogue, ex_id) if ex_id else None
        if not ex:
            return "", gr.update(choices=[], value=None), gr.update(choices=[], value=[])
        prompts = exlib.items(ex, "prompts", lang)
        return (_md(ex, lang), gr.update(choices=prompts, value=prompts[0] if prompts else None),
                gr.update(choices=exlib.items(ex, "rubric", lang), value=[]))

    exercise.change(on_exercise, [exercise, lang_in], [detail, prompt, rubric], api_visibility="private")

    def on_start(ex_id, p, lang):
        ex = exlib.by_id(catalogue, ex_id) if ex_id else None
        docs = [d for d in (ex or {}).get("documents") or [] if d in {s for _, s in ctx.services.documents()}]
        return p or "", gr.update(value=docs), gr.Tabs(selected="ask")

    start.click(on_start, [exercise, prompt, lang_in], [ctx.c["question"], ctx.c["docs"], ctx.c["tabs"]],
                api_visibility="private")

    def on_done(ex_id, done, m, lang):
        lang = ctx.lang(lang)
        done = dict(done or {})
        if ex_id:
            done[ex_id] = True
        return done, progress_md(done, lang), gr.update(choices=ex_choices(m, lang, done))

    done_btn.click(on_done, [exercise, progress, module, lang_in], [progress, prog, exercise], api_visibility="private")

    def refresh(lang, done, m, ex_id):
        """On load and on a language switch: titles, detail and progress in that language."""
        lang = ctx.lang(lang)
        ex_up = gr.update(choices=ex_choices(m, lang, done), value=ex_id)
        detail_v, prompt_u, rubric_u = on_exercise(ex_id, lang)
        return ex_up, progress_md(done, lang), detail_v, prompt_u, rubric_u

    ctx.c.setdefault("on_lang", []).append((refresh, [lang_in, progress, module, exercise],
                                            [exercise, prog, detail, prompt, rubric]))
