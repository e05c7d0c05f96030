"""Tab "Bài tập / Exercises": catalogue by module, start in the chat, rubric, progress on the server
(per account, or per browser without login: started, finished, rubric items ticked, time spent)."""
from __future__ import annotations

import html

import gradio as gr

from assistant.progress.knowledge import load_checks
from assistant.ui import exercises as exlib
from assistant.ui import learner as L
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


def ex_marker(state: str, rows: dict | None = None) -> str:
    """Hidden machine-readable state of this learner's exercise progress as the server has it (tests and
    assistive tools wait for it): which exercises are started and done, and the rubric items ticked."""
    rows = rows or {}
    ids = sorted(rows)
    done = ",".join(i for i in ids if rows[i].get("done"))
    ticked = ";".join(f"{i}:" + ",".join(str(n) for n in rows[i].get("rubric") or []) for i in ids if rows[i].get("rubric"))
    return (f'<span class="ex-state" data-state="{html.escape(state)}" data-started="{html.escape(",".join(ids))}" '
            f'data-done="{html.escape(done)}" data-ticked="{html.escape(ticked)}"></span>')


def build(ctx: Ctx) -> None:
    reg = ctx.reg
    lang_in = ctx.c["lang"]
    catalogue = exlib.load_exercises(ctx.exercises_dir)
    mods = exlib.modules(catalogue)
    progress = gr.BrowserState({}, storage_key="assistant_progress")  # before server progress: imported once
    bid_state = L.browser_state(ctx)
    checks = load_checks()

    def module_name(m, lang):
        c = checks.get(int(m))
        return tr("ex.module_n", lang, n=m) + (f": {c.title(lang)}" if c else "")

    def server_done(learner) -> dict:
        if not learner:
            return {}
        return {k: v["done"] for k, v in L.store(ctx).exercises(learner).items()}

    def ex_choices(module, lang, done=None):
        done = done or {}
        return [(exlib.text(e, "title", lang) + (f"  {tr('ex.done_mark', lang)}" if done.get(e["id"]) else ""), e["id"])
                for e in exlib.in_module(catalogue, module)]

    reg.add(gr.Markdown(), lambda lang: {"value": tr("ex.intro", lang) if catalogue else tr("ex.none", lang)})
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=260):
            module = reg.add(gr.Dropdown(value=mods[0] if mods else None, choices=mods, elem_id="ex-module"), lambda lang: {
                "label": tr("ex.module", lang), "choices": [(module_name(m, lang), m) for m in mods]})
            exercise = reg.add(gr.Radio(elem_id="ex-list", choices=ex_choices(mods[0] if mods else None, "vi")),
                               label="ex.exercise")
            prog = gr.Markdown(elem_id="ex-progress")
            ex_state = gr.HTML(ex_marker("idle"), elem_id="ex-state", elem_classes=["machine-state"])
        with gr.Column(scale=3, min_width=320):
            detail = gr.Markdown(elem_id="ex-detail")
            prompt = reg.add(gr.Radio(elem_id="ex-prompt", visible=bool(catalogue)), label="ex.prompt")
            with gr.Row():
                start = reg.add(gr.Button(variant="primary", elem_id="ex-start", visible=bool(catalogue)), value="ex.start")
                done_btn = reg.add(gr.Button(elem_id="ex-done", visible=bool(catalogue)), value="ex.done")
            rubric = reg.add(gr.CheckboxGroup(elem_id="ex-rubric", visible=bool(catalogue), interactive=True), label="ex.rubric")

    def progress_md(done, lang, learner=""):
        total = len(catalogue)
        n = sum(1 for e in catalogue if (done or {}).get(e["id"]))
        if not total:
            return ""
        rows = L.store(ctx).exercises(learner).values() if learner else []
        minutes = round(sum(r["seconds"] or 0 for r in rows) / 60)
        where = tr("ex.kept_account" if ctx.accounts.enabled else "ex.kept_browser", lang)
        out = tr("ex.progress", lang, done=n, total=total, where=where)
        return out + (" " + tr("ex.time_spent", lang, minutes=minutes) if minutes else "")

    def on_module(m, lang, bid, request: gr.Request):
        lang = ctx.lang(lang)
        done = server_done(L.learner(ctx, request, bid))
        return gr.update(choices=ex_choices(m, lang, done), value=None), "", gr.update(choices=[], value=None), \
            gr.update(choices=[], value=[])

    module.change(on_module, [module, lang_in, bid_state], [exercise, detail, prompt, rubric], api_visibility="private")

    def on_exercise(ex_id, lang, bid=None, request: gr.Request = None):
        lang = ctx.lang(lang)
        ex = exlib.by_id(catalogue, ex_id) if ex_id else None
        if not ex:
            return "", gr.update(choices=[], value=None), gr.update(choices=[], value=[])
        prompts = exlib.items(ex, "prompts", lang)
        items = exlib.items(ex, "rubric", lang)
        learner = L.learner(ctx, request, bid) if request is not None else ""
        ticked = (L.store(ctx).exercises(learner).get(ex_id) or {}).get("rubric", []) if learner else []
        return (_md(ex, lang), gr.update(choices=prompts, value=prompts[0] if prompts else None),
                gr.update(choices=items, value=[items[i] for i in ticked if 0 <= i < len(items)]))

    exercise.change(on_exercise, [exercise, lang_in, bid_state], [detail, prompt, rubric], api_visibility="private")

    def ticks_of(ex, values, lang) -> list[int]:
        items = exlib.items(ex, "rubric", lang) if ex else []
        return [i for i, item in enumerate(items) if item in (values or [])]

    def marker(state, learner):
        return ex_marker(state, L.store(ctx).exercises(learner) if learner else {})

    def on_rubric(ex_id, values, lang, bid, request: gr.Request):
        ex = exlib.by_id(catalogue, ex_id) if ex_id else None
        learner = L.learner(ctx, request, bid)
        if ex and learner:
            L.store(ctx).exercise_rubric(learner, ex_id, int(ex.get("module") or 0), ticks_of(ex, values, ctx.lang(lang)))
        return marker("ticked", learner)

    rubric.input(on_rubric, [exercise, rubric, lang_in, bid_state], ex_state, api_visibility="private")

    def record_start(ex_id, bid, request: gr.Request):
        ex = exlib.by_id(catalogue, ex_id) if ex_id else None
        learner = L.learner(ctx, request, bid)
        if ex and learner:
            L.store(ctx).exercise_start(learner, ex_id, int(ex.get("module") or 0))
        return marker("started", learner)

    def on_start(ex_id, p, lang):
        """Start: the Ask tab gets the prompt and the exercise's documents, then runs it with the exercise's task."""
        ex = exlib.by_id(catalogue, ex_id) if ex_id else None
        docs = [d for d in (ex or {}).get("documents") or [] if d in {s for _, s in ctx.services.documents()}]
        run = {"id": ex["id"], "prompt": exlib.prompt_index_of(ex, p, ctx.lang(lang)), "text": p} if ex and p else None
        return p or "", gr.update(value=docs), run, gr.Tabs(selected="ask")

    ask_respond, ask_ins, ask_outs = ctx.c["ask_respond"]
    start.click(on_start, [exercise, prompt, lang_in], [ctx.c["question"], ctx.c["docs"], ctx.c["exercise_run"], ctx.c["tabs"]],
                api_visibility="private").then(ask_respond, ask_ins, ask_outs, api_visibility="private")
    start.click(record_start, [exercise, bid_state], ex_state, api_visibility="private")  # progress: started

    def on_done(ex_id, ticked, m, lang, bid, request: gr.Request):
        lang = ctx.lang(lang)
        learner = L.learner(ctx, request, bid)
        ex = exlib.by_id(catalogue, ex_id) if ex_id else None
        if ex and learner:
            L.store(ctx).exercise_done(learner, ex_id, int(ex.get("module") or 0), ticks_of(ex, ticked, lang))
        done = server_done(learner)
        return progress_md(done, lang, learner), gr.update(choices=ex_choices(m, lang, done)), marker("done", learner)

    done_btn.click(on_done, [exercise, rubric, module, lang_in, bid_state], [prog, exercise, ex_state],
                   api_visibility="private")

    def refresh(lang, legacy, m, ex_id, bid, request=None):
        """On load and on a language switch: titles, detail and progress (from the server) in that language.
        Without login, exercises this browser marked done before progress moved to the server are imported."""
        lang = ctx.lang(lang)
        learner = L.learner(ctx, request, bid)
        done = server_done(learner)
        if legacy and learner and not ctx.accounts.enabled:
            for old_id in [k for k, v in dict(legacy).items() if v and not done.get(k)]:
                ex = exlib.by_id(catalogue, old_id)
                if ex:
                    L.store(ctx).exercise_done(learner, old_id, int(ex.get("module") or 0))
            done = server_done(learner)
        ex_up = gr.update(choices=ex_choices(m, lang, done), value=ex_id)
        detail_v, prompt_u, rubric_u = on_exercise(ex_id, lang, bid, request)
        return (ex_up, progress_md(done, lang, learner), detail_v, prompt_u, rubric_u, {} if legacy else gr.update(),
                marker("loaded", learner))

    ctx.c.setdefault("on_lang", []).append((refresh, [lang_in, progress, module, exercise, bid_state],
                                            [exercise, prog, detail, prompt, rubric, progress, ex_state]))
