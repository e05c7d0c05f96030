"""Tab "Học tập / Learning": knowledge checks graded at once (retakes allowed, first and best score
kept), self-assessment at the start and end of the course and of each module, and "my results".

Everything is saved on the server for the learner (the account, or this browser without login), one
answer per row as soon as it is given, so another browser or another app instance shows the same.
"""
from __future__ import annotations

import gradio as gr

from assistant.progress.knowledge import can_do, load_checks, scale_for, scale_levels, scale_prompt
from assistant.progress.report import Rule, learner_report
from assistant.ui import learn_check
from assistant.ui import learner as L
from assistant.ui.learn_check import module_label, pct
from assistant.ui.context import Ctx
from assistant.ui.i18n import tr

N_CANDO = 3  # can-do statements shown at most per scale


def results_md(rep: dict, lang: str) -> str:
    head = [tr("learn.h_module", lang), tr("learn.h_exercises", lang), tr("learn.h_check", lang),
            tr("learn.h_self", lang), tr("learn.h_basic", lang)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for m in rep["modules_list"]:
        v = rep["modules"][m]
        title = (rep["module_titles"].get(m) or {}).get(lang) or ""
        check = tr("learn.check_cell", lang, first=pct(v["kc_first"]), best=pct(v["kc_best"]), n=v["kc_attempts"]) \
            if v["kc_attempts"] else "–"
        before = "–" if v["sa_before"] is None else v["sa_before"]
        after = "–" if v["sa_after"] is None else v["sa_after"]
        minutes = round((v.get("seconds") or 0) / 60)
        ex = f"{v['exercises_done']}/{v['exercises_total']}" + (f" ({tr('learn.minutes', lang, n=minutes)})" if minutes else "")
        lines.append(f"| {tr('ex.module_n', lang, n=m)}: {title} | {ex} | {check} | {before} → {after} | "
                     f"{'✓ ' + tr('learn.yes', lang) if v['basic'] else tr('learn.not_yet', lang)} |")
    rule = rep["rule"]
    cb, ca = rep["sa_course_before"], rep["sa_course_after"]
    lines += ["", tr("learn.course_self", lang, before="–" if cb is None else cb, after="–" if ca is None else ca),
              "", tr("learn.rule", lang, score=pct(rule["min_score"]), n=rule["min_exercises"])]
    return "\n".join(lines)


def build(ctx: Ctx) -> None:
    reg = ctx.reg
    lang_in = ctx.c["lang"]
    bid_state = L.browser_state(ctx)
    checks = load_checks()
    mods = sorted(checks)
    rule = Rule.from_settings(ctx.settings)

    def who(request, bid):
        return L.learner(ctx, request, bid)

    reg.add(gr.Markdown(elem_id="learn-intro"), value="learn.intro")
    # three names wider than a phone: on two lines (a "more" menu hid them, or Gradio measured too early and
    # the page grew wider than the screen)
    with gr.Tabs(elem_id="learn-tabs", selected="learn-check", overflow_behavior="wrap"):
        # ------------------------------------------------------------ knowledge check
        with reg.add(gr.Tab(id="learn-check", elem_id="learn-tab-check"), label="learn.tab_check"):
            learn_check.build(ctx, checks, rule)
        # ------------------------------------------------------------ self-assessment
        with reg.add(gr.Tab(id="learn-self", elem_id="learn-tab-self"), label="learn.tab_self"):
            reg.add(gr.Markdown(), value="learn.sa_intro")
            with gr.Row():
                sa_scope = reg.add(gr.Dropdown(value=0, elem_id="sa-scope", choices=[("", 0)] + [("", m) for m in mods]),
                                   lambda lang: {
                    "label": tr("learn.sa_scope", lang),
                    "choices": [(tr("learn.course", lang), 0)] + [(module_label(checks, m, lang), m) for m in mods]})
                sa_phase = reg.add(gr.Radio(value="start", elem_id="sa-phase"), lambda lang: {
                    "label": tr("learn.sa_phase", lang),
                    "choices": [(tr("learn.phase_start", lang), "start"), (tr("learn.phase_end", lang), "end")]})
            sa_level = gr.Radio(elem_id="sa-level")
            sa_cando = [gr.Radio(visible=False, elem_id=f"sa-cando-{i}") for i in range(N_CANDO)]
            sa_save = reg.add(gr.Button(variant="primary", elem_id="sa-save"), value="learn.sa_save")
            sa_out = gr.Markdown(elem_id="sa-out")
        # ------------------------------------------------------------ my results
        with reg.add(gr.Tab(id="learn-results", elem_id="learn-tab-results"), label="learn.tab_results"):
            res_md = gr.Markdown(elem_id="learn-results")
            res_refresh = reg.add(gr.Button(size="sm", elem_id="learn-refresh"), value="learn.refresh")

    # ---------------------------------------------------------------- self-assessment: handlers
    def sa_view(m, phase, lang, learner):
        scale = scale_for(int(m or 0))
        stored = L.store(ctx).self_assessments([learner])[learner].get((int(m or 0), phase or "start")) if learner else None
        levels = scale_levels(scale, lang)
        level_up = gr.update(choices=levels, value=(stored or {}).get("level"), label=scale_prompt(scale, lang))
        statements = can_do(scale, lang)
        ticks = (stored or {}).get("can_do") or {}
        scale5 = [(tr(f"learn.cando_{i}", lang) if i % 2 else str(i), i) for i in range(1, 6)]
        cando_up = []
        for i in range(N_CANDO):
            if i < len(statements):
                sid, text = statements[i]
                cando_up.append(gr.update(visible=True, label=text, choices=scale5, value=ticks.get(sid)))
            else:
                cando_up.append(gr.update(visible=False, value=None))
        return [level_up, *cando_up]

    def on_sa_change(m, phase, lang, bid, request: gr.Request):
        lang = ctx.lang(lang)
        return [*sa_view(m, phase, lang, who(request, bid)), ""]

    sa_outs = [sa_level, *sa_cando, sa_out]
    for comp in (sa_scope, sa_phase):
        comp.change(on_sa_change, [sa_scope, sa_phase, lang_in, bid_state], sa_outs, api_visibility="private")

    def on_sa_save(m, phase, level, c0, c1, c2, lang, bid, request: gr.Request):  # one argument per can-do (N_CANDO)
        ticks = [c0, c1, c2]
        lang = ctx.lang(lang)
        learner = who(request, bid)
        if not learner:
            return tr("learn.sa_login", lang)
        if level is None:
            return tr("learn.sa_pick", lang)
        statements = can_do(scale_for(int(m or 0)), lang)
        answers = {sid: v for (sid, _), v in zip(statements, ticks) if v is not None}
        L.store(ctx).self_assess(learner, int(m or 0), phase or "start", int(level), answers)
        where = tr("learn.course", lang) if not m else module_label(checks, m, lang)
        return tr("learn.sa_saved", lang, where=where, phase=tr(f"learn.phase_{phase or 'start'}", lang), level=level)

    sa_save.click(on_sa_save, [sa_scope, sa_phase, sa_level, *sa_cando, lang_in, bid_state], sa_out, api_visibility="private")

    # ---------------------------------------------------------------- my results
    def on_results(lang, bid, request: gr.Request):
        lang = ctx.lang(lang)
        learner = who(request, bid)
        if not learner:
            return tr("learn.sa_login", lang)
        return results_md(learner_report(L.store(ctx), learner, L.catalogue(ctx), rule, checks), lang)

    res_refresh.click(on_results, [lang_in, bid_state], res_md, api_visibility="private")

    # ---------------------------------------------------------------- load and language switch
    def refresh(lang, bid, scope, phase, request=None):
        lang = ctx.lang(lang)
        learner = who(request, bid)
        res = results_md(learner_report(L.store(ctx), learner, L.catalogue(ctx), rule, checks), lang) if learner else ""
        # without login, the browser keeps the id made for it on its first visit
        bid_out = gr.update() if ctx.accounts.enabled else L.browser_id(request, bid)
        return [*sa_view(scope, phase, lang, learner), res, bid_out]

    ctx.c.setdefault("on_lang", []).append((refresh, [lang_in, bid_state, sa_scope, sa_phase],
                                            [sa_level, *sa_cando, res_md, bid_state]))
