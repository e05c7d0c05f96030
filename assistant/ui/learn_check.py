"""The knowledge check of the "Học tập / Learning" tab: one question at a time, graded at once with the
right answer, the explanation and the source; each answer saved on the server as it is given (an open
attempt is continued after a reload, another browser or a restart); retakes start a new attempt, and the
first and the best score are kept."""
from __future__ import annotations

import html

import gradio as gr

from assistant.progress import NotYours
from assistant.ui import learner as L
from assistant.ui.context import Ctx
from assistant.ui.i18n import tr


def pct(x) -> str:
    return "–" if x is None else f"{round(100 * x)} %"


def module_label(checks, m: int, lang: str) -> str:
    c = checks.get(int(m)) if m is not None else None
    base = tr("ex.module_n", lang, n=m)
    return f"{base}: {c.title(lang)}" if c else base


def kc_marker(state: str, answered: int = 0, total: int = 0, score=None) -> str:
    """Hidden machine-readable state of the check (tests and assistive tools wait for it)."""
    sc = "" if score is None else f"{score:.4f}"
    return (f'<span class="kc-state" data-state="{state}" data-answered="{int(answered)}" data-total="{int(total)}" '
            f'data-score="{sc}"></span>')


def build(ctx: Ctx, checks: dict, rule) -> None:
    """The check's components and events, inside the current tab."""
    reg = ctx.reg
    lang_in = ctx.c["lang"]
    bid_state = L.browser_state(ctx)
    mods = sorted(checks)

    def who(request, bid):
        return L.learner(ctx, request, bid)

    kc_st = gr.State({})
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=260):
            kc_module = reg.add(gr.Dropdown(value=mods[0] if mods else None, elem_id="kc-module",
                                            choices=[(module_label(checks, m, "vi"), m) for m in mods]), lambda lang: {
                "label": tr("learn.module", lang), "choices": [(module_label(checks, m, lang), m) for m in mods]})
            kc_info = gr.Markdown(elem_id="kc-info")
            kc_start = reg.add(gr.Button(variant="primary", elem_id="kc-start"), value="learn.kc_start")
        with gr.Column(scale=3, min_width=320):
            kc_q = gr.Markdown(elem_id="kc-question")
            kc_single = reg.add(gr.Radio(visible=False, elem_id="kc-single"), label="learn.kc_choose_one")
            kc_multi = reg.add(gr.CheckboxGroup(visible=False, elem_id="kc-multi"), label="learn.kc_choose_all")
            kc_short = reg.add(gr.Textbox(visible=False, elem_id="kc-short", lines=1), label="learn.kc_type")
            with gr.Row():
                kc_submit = reg.add(gr.Button(variant="primary", visible=False, elem_id="kc-submit"),
                                    value="learn.kc_submit")
                kc_next = reg.add(gr.Button(visible=False, elem_id="kc-next"), value="learn.kc_next")
            kc_fb = gr.Markdown(elem_id="kc-feedback")
            kc_state = gr.HTML(kc_marker("idle"), elem_id="kc-state", elem_classes=["machine-state"])

    def info(learner: str, m, lang: str) -> str:
        check = checks.get(int(m)) if m is not None else None
        if not check:
            return tr("learn.kc_none", lang)
        k = L.store(ctx).kc_scores([learner])[learner].get(int(m)) if learner else None
        scores = tr("learn.kc_scores", lang, first=pct(k["first"]), best=pct(k["best"]), n=k["attempts"]) if k \
            else tr("learn.kc_never", lang)
        open_ = L.store(ctx).kc_open(learner, int(m)) if learner else None
        if open_:
            scores += "\n\n" + tr("learn.kc_open", lang, n=len(open_["answers"]), total=len(check.questions))
        return tr("learn.kc_info", lang, n=len(check.questions)) + "\n\n" + scores

    def hidden_widgets():
        return (gr.update(visible=False, value=None), gr.update(visible=False, value=[]),
                gr.update(visible=False, value=""))

    def show_question(st: dict, lang: str, learner: str):
        """The first unanswered question of the attempt in ``st``; finishes the attempt when none is left."""
        check = checks[st["module"]]
        answers = L.store(ctx).kc_answers(st["attempt"], learner)
        todo = [q for q in check.questions if q.id not in answers]
        total = len(check.questions)
        if not todo:
            return finish(st, lang, learner, answers)
        q = todo[0]
        st = {"attempt": st["attempt"], "module": st["module"], "qid": q.id}
        n = total - len(todo) + 1
        head = f"**{tr('learn.kc_q_of', lang, n=n, total=total)}**\n\n{q.text(lang)}"
        single, multi, short = hidden_widgets()
        if q.kind in ("single", "truefalse"):
            single = gr.update(visible=True, value=None, choices=q.choices(lang), interactive=True)
        elif q.kind == "multi":
            multi = gr.update(visible=True, value=[], choices=q.choices(lang), interactive=True)
        else:
            short = gr.update(visible=True, value="", interactive=True)
        return (st, head, single, multi, short, gr.update(visible=True, interactive=True), gr.update(visible=False), "",
                kc_marker("question", n - 1, total), gr.update())

    def finish(st: dict, lang: str, learner: str, answers: dict | None = None):
        att = L.store(ctx).kc_finish(st["attempt"], learner)
        k = L.store(ctx).kc_scores([learner])[learner].get(st["module"]) or {}
        msg = tr("learn.kc_done", lang, right=att["n_correct"], total=att["n_total"], score=pct(att["score"]),
                 first=pct(k.get("first")), best=pct(k.get("best")))
        passed = (att["score"] or 0) >= rule.min_score
        msg += "\n\n" + tr("learn.kc_pass" if passed else "learn.kc_retry", lang, score=pct(rule.min_score))
        single, multi, short = hidden_widgets()
        return (dict(st, qid=None, finished=True), msg, single, multi, short, gr.update(visible=False),
                gr.update(visible=False), "", kc_marker("finished", att["n_answered"], att["n_total"], att["score"]),
                info(learner, st["module"], lang))

    kc_outs = [kc_st, kc_q, kc_single, kc_multi, kc_short, kc_submit, kc_next, kc_fb, kc_state, kc_info]

    def on_start(m, lang, bid, request: gr.Request):
        lang = ctx.lang(lang)
        learner = who(request, bid)
        check = checks.get(int(m)) if m is not None else None
        if not learner or not check:
            return ({}, tr("learn.kc_none", lang), *hidden_widgets(), gr.update(visible=False), gr.update(visible=False),
                    "", kc_marker("idle"), gr.update())
        store = L.store(ctx)
        open_ = store.kc_open(learner, check.module)
        attempt = open_["id"] if open_ else store.kc_begin(learner, check.module, len(check.questions))
        return show_question({"attempt": attempt, "module": check.module}, lang, learner)

    kc_start.click(on_start, [kc_module, lang_in, bid_state], kc_outs, api_visibility="private")

    def feedback_md(q, ok: bool, lang: str) -> str:
        mark = tr("learn.kc_right", lang) if ok else tr("learn.kc_wrong", lang)
        parts = [f"### {mark}"]
        if not ok:
            parts.append(f"**{tr('learn.kc_answer_is', lang)}** {html.escape(q.correct_text(lang))}")
        parts += [f"**{tr('learn.kc_why', lang)}** {q.explanation(lang)}", f"**{tr('learn.kc_source', lang)}** {q.source(lang)}"]
        return "\n\n".join(parts)

    def on_submit(st, single, multi, short, lang, bid, request: gr.Request):
        lang = ctx.lang(lang)
        learner = who(request, bid)
        st = st or {}
        check = checks.get(st.get("module")) if st.get("module") is not None else None
        q = check.question(st.get("qid") or "") if check else None
        if not q or not learner:
            return (st, gr.update(), gr.update(), gr.update(), gr.update(), gr.update(), gr.update(),
                    tr("learn.kc_press_start", lang), gr.update(), gr.update())
        given = {"single": single, "truefalse": single, "multi": multi}.get(q.kind, short)
        value = q.normalise(given)
        if value in (None, "", []):
            return (st, gr.update(), gr.update(), gr.update(), gr.update(), gr.update(), gr.update(),
                    tr("learn.kc_empty", lang), gr.update(), gr.update())
        try:
            got = L.store(ctx).kc_answer(st["attempt"], learner, q.id, value, q.grade(given))
        except NotYours:
            return ({}, gr.update(), *hidden_widgets(), gr.update(visible=False), gr.update(visible=False),
                    tr("learn.kc_press_start", lang), kc_marker("idle"), gr.update())
        answers = L.store(ctx).kc_answers(st["attempt"], learner)
        total = len(check.questions)
        fb = feedback_md(q, got["correct"], lang)
        last = len(answers) >= total
        lock = gr.update(interactive=False)
        if last:
            fin = finish(st, lang, learner)
            return (fin[0], gr.update(), lock, lock, lock, gr.update(visible=False), gr.update(visible=False),
                    fb + "\n\n---\n\n" + fin[1], fin[8], fin[9])
        return (dict(st, answered=q.id), gr.update(), lock, lock, lock, gr.update(visible=False),
                gr.update(visible=True), fb, kc_marker("answered", len(answers), total), gr.update())

    kc_submit.click(on_submit, [kc_st, kc_single, kc_multi, kc_short, lang_in, bid_state], kc_outs,
                    api_visibility="private", concurrency_limit=None)

    def on_next(st, lang, bid, request: gr.Request):
        lang = ctx.lang(lang)
        learner = who(request, bid)
        if not (st or {}).get("attempt") or not learner:
            return ({}, "", *hidden_widgets(), gr.update(visible=False), gr.update(visible=False), "", kc_marker("idle"),
                    gr.update())
        return show_question(st, lang, learner)

    kc_next.click(on_next, [kc_st, lang_in, bid_state], kc_outs, api_visibility="private")

    def on_kc_module(m, lang, bid, request: gr.Request):
        lang = ctx.lang(lang)
        return ({}, "", *hidden_widgets(), gr.update(visible=False), gr.update(visible=False), "", kc_marker("idle"),
                info(who(request, bid), m, lang))

    kc_module.change(on_kc_module, [kc_module, lang_in, bid_state], kc_outs, api_visibility="private")

    def refresh(lang, bid, m, st, request=None):
        """Page load and language switch: scores, and the open question in that language."""
        lang = ctx.lang(lang)
        learner = who(request, bid)
        out = [info(learner, m, lang)]
        st = st or {}
        if st.get("attempt") and st.get("qid") and not st.get("answered") and learner:
            q_out = show_question(st, lang, learner)
            out += [q_out[1], q_out[2], q_out[3], q_out[4]]
        else:
            out += [gr.update()] * 4
        return out

    ctx.c.setdefault("on_lang", []).append((refresh, [lang_in, bid_state, kc_module, kc_st],
                                            [kc_info, kc_q, kc_single, kc_multi, kc_short]))
