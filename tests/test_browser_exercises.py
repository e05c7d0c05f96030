"""One exercise of each of the six modules walked in a real browser, as a trainee does it, over the shipped
corpus and the shipped exercises: Exercises tab → module → exercise → Start (the Ask tab runs it with the
exercise's task and documents) → the finished answer (the pipeline's done-state marker) holds what the
exercise says a correct run must show → tick the rubric → Done → the progress line counts it.

Six in Vietnamese, two in English. Screenshots of every finished answer go to tests/_artifacts/.
"""
from __future__ import annotations

import re

import pytest

from assistant import exercises as X
from test_browser import CHROMIUM, TRAINEE, accept_terms, browser, open_app, shot  # noqa: F401  (browser: a fixture)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CATALOGUE = X.load_exercises()
# (exercise, language): one per module in Vietnamese, two in English; each passes the API-level run test
# (tests/test_exercises_run.py), so a failure here is in the browser path, not in the engine
WALK = [("m1-01", "vi"), ("m2-03", "vi"), ("m3-01", "vi"), ("m4-01", "vi"), ("m5-01", "vi"), ("m6-01", "vi"),
        ("m1-05", "en"), ("m6-02", "en")]


@pytest.fixture(scope="module")
def app(tmp_path_factory, corpus_index):
    """The app over the shipped corpus (the session's index) and the shipped exercises, with one trainee."""
    from assistant.config import load_settings
    from assistant.ui import testing

    indexed, _ = corpus_index
    base = tmp_path_factory.mktemp("browser_exercises")
    users = testing.make_users(base / "users.txt", {TRAINEE[0]: ("trainee", TRAINEE[1])})
    settings = load_settings(env={}, env_file=None, store_dir=indexed.store_dir, data_dir=str(base / "data"),
                             corpus_dir=indexed.corpus_dir, users_file=str(users), port=testing.free_port())
    demo, url = testing.serve(settings)
    yield {"url": url, "settings": settings, "base": base}
    demo.close()


def tr(key: str, lang: str) -> str:
    from assistant.ui.i18n import tr as _tr

    return _tr(key, lang)


def turn(page) -> int:
    return int(page.get_attribute("#ask-state .answer-state", "data-turn") or 0)


def done_count(page) -> int:
    m = re.search(r"(\d+)\s*(?:/|of)\s*\d+", page.inner_text("#ex-progress"))
    return int(m.group(1)) if m else 0


def norm(s: str) -> str:
    return X._norm(s)


@pytest.fixture(scope="module")
def page(browser, app):
    ctx, page = open_app(browser, app, TRAINEE)
    accept_terms(page)
    yield page
    ctx.close()


@pytest.mark.parametrize("ex_id,lang", WALK, ids=[f"{e}-{lang}" for e, lang in WALK])
def test_walk_an_exercise(page, ex_id, lang):
    ex = X.by_id(CATALOGUE, ex_id)
    exp = X.expectation(ex, 0)
    if page.get_attribute("#page-state .page-state", "data-lang") != lang:
        page.locator("#lang label", has_text="English" if lang == "en" else "Tiếng Việt").click()
        page.wait_for_selector(f'#page-state .page-state[data-lang="{lang}"]', state="attached")
    page.get_by_role("tab", name=tr("shell.tab_exercises", lang)).click()
    # the module, then the exercise (its detail shows the task in the chosen language)
    page.locator("#ex-module input").click()
    page.get_by_role("option", name=re.compile(rf"^{re.escape(tr('ex.module', lang))} {ex['module']}\b")).click()
    title = X.text(ex, "title", lang)
    page.locator("#ex-list label", has_text=title).first.click()
    # the exercise is selected once its detail heading, its prompt and its rubric are all shown
    page.wait_for_function(
        "t => { const h = document.querySelector('#ex-detail h3');"
        " return h && h.innerText.trim() === t && document.querySelector('#ex-prompt input:checked')"
        " && document.querySelectorAll('#ex-rubric label').length > 0; }", arg=title.strip())
    rubric = page.locator("#ex-rubric label")
    assert rubric.count() >= 1
    before_turn, before_done = turn(page), done_count(page)

    page.click("#ex-start")
    page.wait_for_selector(f'#ask-state .answer-state[data-state="done"][data-turn="{before_turn + 1}"]',
                           state="attached")
    assert page.get_by_role("tab", name=tr("shell.tab_ask", lang)).get_attribute("aria-selected") == "true"
    answer = page.locator("#chat .message").last.inner_text()
    asked = page.locator("#chat .message").nth(-2).inner_text()
    shot(page, f"ex_walk_{ex_id}_{lang}")

    for fact in X._facts(exp.get("contains"), lang):
        alts = fact if isinstance(fact, list) else [fact]
        assert any(norm(a) in norm(answer) for a in alts), f"{ex_id} ({lang}): missing {alts}\n{answer[:1200]}"
    if exp.get("guard") == "warn":  # personal data: replaced in the trainee's own bubble, the answer still given
        assert re.search(r"\[(CCCD|PHONE)_1\]", asked), asked
        assert not re.search(r"\d{12}", page.inner_text("#chat")), "a raw ID number is on the page"
    if exp.get("guard") == "block":  # refused, and the answer says why (the marking it saw)
        assert re.search(r"MẬT|secret", answer, re.I), answer[:600]
    if exp.get("rows"):
        assert answer.count("\n") >= int(exp["rows"]), answer[:1200]
    sources = page.inner_text("#sources")
    for want in X._facts(exp.get("cites"), lang):  # the cited document and article, on the sources panel
        src, _, art = want.partition("#")
        assert src in sources, f"{ex_id}: {src} not among the sources:\n{sources[:800]}"
        if art:
            assert f"{tr('ask.article', lang)} {art}" in sources, f"{ex_id}: article {art} of {src} not cited"

    # back to the exercise: tick the rubric, mark it done, the progress line counts one more
    page.get_by_role("tab", name=tr("shell.tab_exercises", lang)).click()
    for i in range(rubric.count()):
        rubric.nth(i).click()
    page.click("#ex-done")
    page.wait_for_function(
        "n => { const m = document.querySelector('#ex-progress').innerText.match(/(\\d+)\\s*(?:\\/|of)\\s*\\d+/);"
        " return m && Number(m[1]) === n; }", arg=before_done + 1)
    shot(page, f"ex_walk_{ex_id}_{lang}_done")
