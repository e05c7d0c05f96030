"""Named API endpoints for learning records, with the UI's roles: /progress, /knowledge_check,
/knowledge_answer, /knowledge_submit, /self_assessment, /exercise_progress, /classes, /class_report.

The learner is the logged-in account (``local`` without accounts). A trainee reads and writes only their
own results; a trainer may also read the trainees of the classes they teach; class figures are for the
class's trainers only. A knowledge check's questions are sent without their answers; each answer is
graded at once, stored once (a repeated call returns the stored grade) and the attempt is finished when
its last question is answered.
"""
from __future__ import annotations

import gradio as gr

from assistant.progress import NotYours
from assistant.progress.knowledge import load_checks
from assistant.progress.report import Rule, as_json, class_report, learner_json, learner_report
from assistant.ui import exercises as exlib
from assistant.ui import learner as L
from assistant.ui.context import Ctx
from assistant.ui.i18n import tr


def register(ctx: Ctx) -> None:
    checks = load_checks()
    rule = Rule.from_settings(ctx.settings)

    def me(request, lang) -> str:
        who = L.learner(ctx, request, api=True)
        if not who:
            raise gr.Error(tr("learn.sa_login", lang))
        return who

    def check_of(module, lang):
        try:
            c = checks.get(int(module))
        except (TypeError, ValueError):
            c = None
        if c is None:
            raise gr.Error(tr("learn.err_module", lang, module=module, modules=", ".join(map(str, sorted(checks)))))
        return c

    def graded(q, ok: bool, lang: str) -> dict:
        return {"question_id": q.id, "correct": ok, "correct_answer": q.correct_text(lang),
                "explanation": q.explanation(lang), "source": q.source(lang)}

    def progress(learner: str = "", lang: str = "vi", request: gr.Request = None) -> dict:
        """Results per module (exercises, knowledge checks first/best, self-assessment before/after, basic
        understanding) of yourself, or (trainers) of a trainee in one of your classes."""
        lang = ctx.lang(lang)
        who = (learner or "").strip() or me(request, lang)
        if ctx.accounts.enabled and not L.can_read(ctx, request, who):
            raise gr.Error(tr("learn.err_not_yours", lang))
        return learner_json(learner_report(L.store(ctx), who, L.catalogue(ctx), rule, checks))

    def knowledge_check(module: int, lang: str = "vi", request: gr.Request = None) -> dict:
        """A module's knowledge check: its questions (without answers), your open attempt and your scores."""
        lang = ctx.lang(lang)
        who, c = me(request, lang), check_of(module, lang)
        store = L.store(ctx)
        open_ = store.kc_open(who, c.module)
        return {"module": c.module, "title": c.title(lang),
                "questions": [{"id": q.id, "kind": q.kind, "question": q.text(lang),
                               "choices": [{"id": v, "text": k} for k, v in q.choices(lang)]} for q in c.questions],
                "open_attempt": {"id": open_["id"], "answered": sorted(open_["answers"])} if open_ else None,
                "scores": store.kc_scores([who])[who].get(c.module)}

    def _answer(who, c, q, answer, attempt_id, lang) -> tuple[str, dict]:
        store = L.store(ctx)
        if not attempt_id:
            open_ = store.kc_open(who, c.module)
            attempt_id = open_["id"] if open_ else store.kc_begin(who, c.module, len(c.questions))
        elif store.kc_owner(str(attempt_id)) != (who, c.module):
            try:  # a new attempt under the id the client chose (or someone else's: refused)
                store.kc_begin(who, c.module, len(c.questions), attempt_id=str(attempt_id)[:40])
            except NotYours:
                raise gr.Error(tr("learn.err_not_yours", lang)) from None
        value = q.normalise(answer)
        if value in (None, "", []):
            raise gr.Error(tr("learn.err_empty", lang, question=q.id))
        try:
            got = store.kc_answer(attempt_id, who, q.id, value, q.grade(answer))
        except NotYours:
            raise gr.Error(tr("learn.err_not_yours", lang)) from None
        return attempt_id, got

    def knowledge_answer(module: int, question_id: str, answer: str | list[str] | bool | None = None,
                         attempt_id: str = "", lang: str = "vi", request: gr.Request = None) -> dict:
        """Answer one question, graded at once: right or not, the right answer, the explanation and the source.
        answer: a choice id (single), a list of ids (multi), true/false, or text (short). Without attempt_id
        your open attempt is continued (or a new one begun); the attempt ends with its last question."""
        lang = ctx.lang(lang)
        who, c = me(request, lang), check_of(module, lang)
        q = c.question(str(question_id))
        if q is None:
            raise gr.Error(tr("learn.err_question", lang, question=question_id, module=c.module))
        attempt_id, got = _answer(who, c, q, answer, attempt_id, lang)
        store = L.store(ctx)
        answers = store.kc_answers(attempt_id, who)
        att = store.kc_finish(attempt_id, who) if len(answers) >= len(c.questions) else None
        return dict(graded(q, got["correct"], lang), attempt_id=attempt_id, stored_answer=got["answer"], new=got["new"],
                    answered=len(answers), total=len(c.questions), finished=att is not None,
                    score=att["score"] if att else None)

    def knowledge_submit(module: int, answers: dict, attempt_id: str = "", lang: str = "vi",
                         request: gr.Request = None) -> dict:
        """Submit a whole check at once ({question id: answer}); each answer is saved as it is graded, then the
        attempt is finished (questions left out count as wrong). Sending the same attempt_id again (after a
        lost connection) adds nothing twice."""
        lang = ctx.lang(lang)
        who, c = me(request, lang), check_of(module, lang)
        results = []
        for qid, answer in (answers or {}).items():
            q = c.question(str(qid))
            if q is None:
                raise gr.Error(tr("learn.err_question", lang, question=qid, module=c.module))
            attempt_id, got = _answer(who, c, q, answer, attempt_id, lang)
            results.append(graded(q, got["correct"], lang))
        if not attempt_id:
            raise gr.Error(tr("learn.err_empty", lang, question="-"))
        store = L.store(ctx)
        att = store.kc_finish(attempt_id, who)
        k = store.kc_scores([who])[who].get(c.module) or {}
        return {"attempt_id": attempt_id, "score": att["score"], "n_correct": att["n_correct"], "n_total": att["n_total"],
                "first": k.get("first"), "best": k.get("best"), "results": results}

    def self_assessment(module: int, phase: str, level: int, can_do: dict | None = None, lang: str = "vi",
                        request: gr.Request = None) -> dict:
        """Save a self-assessment: module 0 = the whole course; phase start or end; level 1–5; can_do
        {statement id: 1–5}."""
        lang = ctx.lang(lang)
        who = me(request, lang)
        try:
            L.store(ctx).self_assess(who, int(module), str(phase), int(level), can_do or {})
        except (TypeError, ValueError):
            raise gr.Error(tr("learn.err_self", lang)) from None
        return {"ok": True, "module": int(module), "phase": phase, "level": int(level)}

    def exercise_progress(exercise_id: str, action: str = "done", ticked: list[int] | None = None,
                          request: gr.Request = None) -> dict:
        """Record an exercise: action start, rubric (ticked = numbers of the rubric items ticked) or done."""
        lang = "vi"
        who = me(request, lang)
        ex = exlib.by_id(L.catalogue(ctx), str(exercise_id))
        if ex is None or action not in ("start", "rubric", "done"):
            raise gr.Error(tr("learn.err_exercise", lang, exercise=exercise_id))
        store, mod = L.store(ctx), int(ex.get("module") or 0)
        if action == "start":
            store.exercise_start(who, ex["id"], mod)
        elif action == "rubric":
            store.exercise_rubric(who, ex["id"], mod, ticked or [])
        else:
            store.exercise_done(who, ex["id"], mod, ticked)
        return store.exercises(who)[ex["id"]]

    def classes(request: gr.Request = None) -> list[str]:
        """The classes you teach (trainers)."""
        return L.trainer_classes(ctx, request)

    def class_report_api(class_name: str, lang: str = "vi", request: gr.Request = None) -> dict:
        """One class's figures (trainers of that class only): per trainee and module, and the share at basic
        understanding per module against the target — the same figures as `assistant report --json`."""
        lang = ctx.lang(lang)
        if not ctx.is_trainer(request) or class_name not in L.trainer_classes(ctx, request):
            raise gr.Error(tr("tr.refused", lang))
        return as_json(class_report(L.store(ctx), class_name, L.catalogue(ctx), rule, checks))

    gr.api(progress, api_name="progress")
    gr.api(knowledge_check, api_name="knowledge_check")
    gr.api(knowledge_answer, api_name="knowledge_answer", concurrency_limit=None)
    gr.api(knowledge_submit, api_name="knowledge_submit", concurrency_limit=None)
    gr.api(self_assessment, api_name="self_assessment", concurrency_limit=None)
    gr.api(exercise_progress, api_name="exercise_progress", concurrency_limit=None)
    gr.api(classes, api_name="classes")
    gr.api(class_report_api, api_name="class_report")
