"""All exercises of the six modules run as a trainee runs them — through the app's ``Services.ask`` (the
pipeline, with the exercise's own task, documents and options) or, for a draft, the Draft tab's drafting
function — and each run meets what the exercise says a correct run must show (``expect`` in
``prompts/exercises/*.yaml``: facts, citations, the guard's decision, abstention, table rows)."""
from __future__ import annotations

import copy
import re

import pytest

from assistant import exercises as X

CATALOGUE = X.load_exercises()
RUNS = [(ex["id"], i) for ex in CATALOGUE for i, _ in enumerate(ex.get("prompts") or [])]
# Runs the offline engine does not get right yet, and why (strict: a fixed one fails here until it is removed).
KNOWN_GAPS: dict[tuple[str, int], str] = {}


@pytest.fixture(scope="module")
def services(corpus_index):
    from assistant.ui.services import Services

    settings, _ = corpus_index
    return Services(settings)


def run(services, ex: dict, lang: str, i: int) -> dict:
    if X.is_draft(ex):
        doc_type, fields = X.draft_fields(ex, lang)
        return services.draft(doc_type, fields, lang)
    return services.ask(X.exercise_request(ex, lang, i))


def test_the_catalogue_has_thirty_exercises_each_checkable():
    assert len(CATALOGUE) == 30
    for ex in CATALOGUE:
        for i, _ in enumerate(ex["prompts"]):
            exp = X.expectation(ex, i)
            assert exp, f"{ex['id']} prompt {i + 1}: no 'expect' (what a correct run must show)"
            assert set(exp) <= {"contains", "guard", "types", "abstain", "cites", "rows"}, (ex["id"], set(exp))
        if ex["task"] == "draft":
            doc_type, fields = X.draft_fields(ex, "vi")
            assert fields.get("subject") and fields.get("points"), f"{ex['id']}: a draft exercise needs its fields"
        if ex["module"] == 6 and ex["task"] == "guard":
            assert X.expectation(ex, 0).get("guard"), f"{ex['id']}: a module-6 guard exercise states the guard decision"


@pytest.mark.parametrize("ex_id,i", [pytest.param(e, i, marks=pytest.mark.xfail(reason=KNOWN_GAPS[(e, i)], strict=True))
                                      if (e, i) in KNOWN_GAPS else (e, i) for e, i in RUNS],
                         ids=[f"{e}-p{i + 1}" for e, i in RUNS])
def test_exercise_run_meets_its_expectations(services, ex_id, i):
    ex = X.by_id(CATALOGUE, ex_id)
    res = run(services, ex, "vi", i)
    failed = X.check_run(ex, res, "vi", i)
    assert not failed, f"{ex_id} prompt {i + 1}: {failed}\n--- answer ---\n{(res.get('answer') or res.get('markdown') or '')[:1500]}"


GUARD_RUNS = [(e, i) for e, i in RUNS if X.expectation(X.by_id(CATALOGUE, e), i).get("guard")]


@pytest.mark.parametrize("ex_id,i", GUARD_RUNS, ids=[f"{e}-p{i + 1}-en" for e, i in GUARD_RUNS])
def test_the_guard_decides_the_same_when_the_exercise_is_run_in_english(services, ex_id, i):
    """What the guard must do (its decision, the personal data it must name) does not depend on the language:
    each exercise prompt that states it is also run in English ("ID number …", "phone …")."""
    ex = copy.deepcopy(X.by_id(CATALOGUE, ex_id))
    exp = X.expectation(ex, i)
    ex["prompts"][i]["expect"] = {k: exp[k] for k in ("guard", "types") if k in exp}
    res = run(services, ex, "en", i)
    failed = X.check_run(ex, res, "en", i)
    assert not failed, f"{ex_id} prompt {i + 1} in English: {failed}"


def test_the_request_carries_the_exercise_task_documents_and_options():
    ex = X.by_id(CATALOGUE, "m2-04")
    req = X.exercise_request(ex, "en", 0)
    assert req.task == "plain_language" and req.sources == ex["documents"] and req.options == {"articles": ["10", "11"]}
    assert req.question == ex["prompts"][0]["en"] and req.lang == "en"
    assert X.exercise_request(X.by_id(CATALOGUE, "m3-01"), "vi").task == "extract"
    assert X.exercise_request(X.by_id(CATALOGUE, "m6-01"), "vi").task == "qa"
    with pytest.raises(ValueError):
        X.exercise_request(X.by_id(CATALOGUE, "m3-03"), "vi")
    assert X.prompt_index_of(X.by_id(CATALOGUE, "m1-03"), ex_prompt := X.prompt_of(X.by_id(CATALOGUE, "m1-03"), "en", 1), "en") == 1
    assert ex_prompt


def test_check_run_reports_what_is_missing():
    ex = {"id": "t", "prompts": [{"vi": "q", "en": "q", "expect": {
        "contains": ["03 ngày làm việc", ["A05", "Bộ Công an"]], "guard": "warn", "types": ["cccd"], "abstain": False,
        "cites": ["a.md#3"], "rows": 2}}]}
    ok = {"answer": "| x | 03 ngày làm việc | Bộ Công an | Điều 3 | [1] |\n| y | — | — | — | [1] |", "abstained": False,
          "citations": [{"source": "a.md", "article": "3"}],
          "guard": {"decision": "warn", "stages": [{"decision": "warn", "findings": [{"type": "pii.cccd"}]}]}}
    assert X.check_run(ex, ok) == []
    bad = {"answer": "Không có.", "abstained": True, "citations": [], "guard": {"decision": "allow", "stages": []}}
    failed = X.check_run(ex, bad)
    assert len(failed) == 7 and any("03 ngày làm việc" in f for f in failed) and any("guard decision allow" in f for f in failed)


# ---------------------------------------------------------------- the Start button
def _fn(demo, name):
    return next(f.fn for f in demo.fns.values() if f.name == name)


@pytest.fixture(scope="module")
def app(corpus_index):
    from assistant.ui.shell import build_app

    settings, _ = corpus_index
    return build_app(settings)


def _start_and_run(app, ex_id: str, lang: str = "vi"):
    """What the browser does on Start: on_start fills the Ask tab, then the Ask tab's respond runs."""
    ex = X.by_id(CATALOGUE, ex_id)
    prompt = X.prompt_of(ex, lang, 0)
    q, docs, run_state, _tabs = _fn(app, "on_start")(ex_id, prompt, lang)
    assert q == prompt and run_state["id"] == ex_id and run_state["prompt"] == 0
    last = None
    from assistant.ui.learner import learner

    bid = "exercise-test-browser"
    app.ctx.services.accept_terms(learner(app.ctx, None, bid))  # as the trainee did on the terms notice
    for last in _fn(app, "respond")(q, [], [], lang, None, "corpus", docs["value"], run_state, bid):
        pass
    chat = last[0]
    state = next(x for x in last if isinstance(x, str) and "answer-state" in x)  # the done-state marker
    _start_and_run.chat = chat  # the whole conversation, for the trainee's own bubble
    return chat[-1]["content"], state


def test_start_runs_the_exercise_with_its_own_task(app):
    answer, state = _start_and_run(app, "m3-01")  # an extraction: a table, not a refused question
    assert 'data-state="done"' in state
    assert "| Nội dung |" in answer and len(re.findall(r"^\|.*\[\d+\]", answer, re.M)) >= 8


def test_start_shows_the_guard_warning(app):
    answer, state = _start_and_run(app, "m6-01")  # "watch how the assistant warns you"
    assert 'data-state="done"' in state
    asked = str(_start_and_run.chat[-2]["content"])  # the warning sits with the question it is about
    assert "[CCCD_1]" in asked and "⚠️" in asked and not re.search(r"\d{12}", asked)
    assert "người làm chứng" in answer


def test_start_runs_a_draft_exercise_with_the_drafting_function(app):
    answer, state = _start_and_run(app, "m3-03")
    assert 'data-state="done"' in state and "V/v" in answer and "10 tháng 12 năm 2025" in answer
