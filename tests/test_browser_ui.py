"""The whole page in a real browser (Playwright driving Debian's Chromium), in Vietnamese and in English:

- no internal code on any tab (guard codes, Python values, stack traces, unfilled {placeholders}, Gradio's
  own untranslated keys), also after a question with a CCCD and a phone number;
- no word of the other language: no English label (ours, or Gradio's own words) in the Vietnamese UI and no
  Vietnamese label in the English UI;
- at 390×844 every tab can be opened (tab bar or its "more tabs" menu), nothing is wider than the screen, and
  the question box of the Ask tab is on the first screen;
- progress recorded in the Exercises tab is what the page shows after a reload;
- screenshots of every tab at 1366×900 and 390×844 in both languages, in /tmp/ui_shots/ (outside the repo).

The app, the browser and logging in come from tests/test_browser.py; tabs, language and what is on the page
from tests/browser_helpers.py. Every wait is for a state (a selector, a data attribute), never for a text.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser_helpers import (GRADIO_ENGLISH, foreign_phrases, found, open_tab, present_tabs, switch_language,
                             visible_text)
from test_browser import T, TRAINEE, TRAINER, accept_terms, ask, open_app, wait_loaded
from test_browser import app, browser  # noqa: F401 - the fixtures: one app and one Chromium for this module

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SHOTS = Path("/tmp/ui_shots")
DESKTOP, PHONE = (1366, 900), (390, 844)
LEARN_TABS = ("learn-tab-check", "learn-tab-self", "learn-tab-results")  # the Learning tab's own tabs

# internal code a person must never read: guard finding codes, Python values and stack traces, Gradio keys
INTERNAL_WORDS = ("True", "False", "None", "Traceback", "prompt_injection")
INTERNAL_BITS = ("pii.", "_vi)", "_en)", "common.", "status.", "Error:", 'File "')
PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*\}")

QUESTION = {"vi": "Công dân có CCCD 031189035801, số điện thoại 0912 345 678 hỏi lệ phí đăng ký khai sinh đúng hạn?",
            "en": "A citizen with ID card 031189035801 and phone 0912 345 678 asks: what is the fee for registering "
                  "a birth on time?"}

# what is the documents' own text, not the app's words: the corpus is Vietnamese whatever the UI language
# (cited passages, document titles and file names, the document viewer, quotes in an offline answer, the
# question as asked, the trainer's view of a logged answer, which is in the language it was asked in) — and commands and file names in `code`, which are the same in both languages
CONTENT = ".src-passage, .src-head, .src-meta, #doc-viewer, code, #chat .message li, #chat .user-row, " \
          "#sources .src-card, #sum-doc, #documents, #tr-glass, #tr-recent, #tr-eval li"
# (#tr-eval li: the eval report lists the dataset questions it missed, in the language they were written in)

# the language names of the language switch are each written in their own language, on purpose
OWN_NAMES = ("English", "Tiếng Việt")


def page_text(page, skip_content: bool = False) -> str:
    """What a person reads or hears on the page; without the documents' own text when ``skip_content``."""
    text = visible_text(page, CONTENT if skip_content else "")
    if skip_content:
        for name in OWN_NAMES:
            text = text.replace(name, " ")
    return text


@pytest.fixture(scope="module", autouse=True)
def eval_report(app):  # noqa: F811
    """An eval report on disk, as after `make figures`: the Trainer tab shows it (wide tables and all), so the
    width, language and internal-code checks read it too. A trimmed report.json of a real run."""
    import shutil

    dest = Path(app["settings"].data_dir) / "reports" / "sample"
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(__file__).parent / "fixtures" / "eval_report_sample.json", dest / "report.json")
    return dest / "report.json"


def login(browser, app, user, lang, size=DESKTOP):  # noqa: F811 - the fixtures are passed in
    ctx, page = open_app(browser, app, user, width=size[0], height=size[1])
    accept_terms(page)
    switch_language(page, lang)
    return ctx, page


def each_view(page, lang):
    """Open every tab (and every tab of the Learning tab) in turn; yields a name for each view."""
    for tab in present_tabs(page, lang):
        open_tab(page, tab, lang)
        if tab == "learn":
            for sub in LEARN_TABS:
                page.click(f"#{sub}-button")
                page.wait_for_selector(f"#{sub}", state="visible")
                yield f"learn/{sub.removeprefix('learn-tab-')}"
        else:
            yield tab


def open_ask_panels(page):
    """The Ask tab's closed panels (search options, export) opened, so what is inside is read too."""
    open_tab(page, "ask", "vi" if page.locator('#lang input[value="vi"]').is_checked() else "en")
    for acc in ("#ask-options", "#export"):
        if page.locator(f"{acc} > .label-wrap.open, {acc} .label-wrap.open").count() == 0:
            page.locator(f"{acc} .label-wrap").first.click()
        page.wait_for_selector(f"{acc} .label-wrap.open", state="attached")


def walk(browser, app, lang) -> dict[str, str]:  # noqa: F811
    """As the trainer (who has every tab): the text of each view, before and after a question with personal
    data on the Ask tab (its panels open); {"<when>:<view>": (text, text without document content)}."""
    ctx, page = login(browser, app, TRAINER, lang)
    seen = {}
    try:
        for when in ("start", "asked"):
            if when == "asked":
                open_tab(page, "ask", lang)
                ask(page, QUESTION[lang])  # waits for the answer's done state
                page.locator("#chat .message").last.hover()  # the message's own buttons show
                open_ask_panels(page)
                seen["asked:ask-answer"] = (page_text(page), page_text(page, skip_content=True))
            for view in each_view(page, lang):
                seen[f"{when}:{view}"] = (page_text(page), page_text(page, skip_content=True))
    finally:
        ctx.close()
    return seen


@pytest.fixture(scope="module")
def walks(browser, app):  # noqa: F811
    return {lang: walk(browser, app, lang) for lang in ("vi", "en")}


# ---------------------------------------------------------------- 1. no internal code
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_internal_code_on_any_tab(walks, lang):
    seen = walks[lang]
    assert "asked:ask-answer" in seen and any(k.startswith("asked:trainer") for k in seen), sorted(seen)
    # the guard's explanation is on the page: the question as sent, with the labels instead of the numbers
    assert "[CCCD_1]" in seen["asked:ask-answer"][0] and "[PHONE_1]" in seen["asked:ask-answer"][0]
    bad = {}
    for view, (text, _) in seen.items():
        hits = found(INTERNAL_WORDS, text) + [b for b in INTERNAL_BITS if b in text] + PLACEHOLDER.findall(text)
        if hits:
            bad[view] = [(h, text[max(0, text.find(h) - 60):text.find(h) + 60]) for h in hits]
    assert not bad, bad


# ---------------------------------------------------------------- 2. one language at a time
def corpus_pieces(app) -> list[str]:  # noqa: F811
    """The documents' own words (their titles, and each line of their text): an answer listing or quoting them is
    not the app's wording, so they are taken out of the page's text before looking for the other language."""
    from assistant.ui import testing
    from assistant.ui.services import get_services

    titles = [label for label, _src in get_services(app["settings"]).documents()]
    pieces = titles + [re.sub(r"\s*\([^()]*\)$", "", t) for t in titles]
    pieces += [" ".join(line.lstrip("# ").split()) for doc in testing.DOCS.values() for line in doc.splitlines()]
    return sorted({p for p in pieces if len(p) > 3}, key=len, reverse=True)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_words_of_the_other_language(walks, app, lang):  # noqa: F811
    corpus = corpus_pieces(app)
    foreign = foreign_phrases(lang)
    assert len(foreign) > 200 and ("More tabs" in foreign) == (lang == "vi")  # Gradio's own words are there too
    bad = {}
    for view, (_, text) in walks[lang].items():
        for piece in corpus:
            text = text.replace(piece, " ")
        hits = found(foreign, text)
        if lang == "vi":
            hits += [g for g in found(GRADIO_ENGLISH, text) if g not in hits]
        if hits:
            bad[view] = [(h, foreign.get(h, "gradio"), text[max(0, text.find(h) - 50):text.find(h) + 50]) for h in hits]
    assert not bad, bad


def test_the_check_finds_words_of_the_other_language(browser, app):  # noqa: F811
    """The check above can fail: the English UI read as if it were Vietnamese is full of English labels."""
    ctx, page = login(browser, app, TRAINEE, "en")
    text = page_text(page, skip_content=True)
    ctx.close()
    hits = found(foreign_phrases("vi"), text)
    assert {"Send", "New conversation", "Your question"} <= set(hits), hits


# ---------------------------------------------------------------- 3. a phone
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_phone_every_tab_reachable_and_the_question_on_the_first_screen(browser, app, lang):  # noqa: F811
    ctx, page = login(browser, app, TRAINER, lang, size=PHONE)
    try:
        page.evaluate("window.scrollTo(0, 0)")
        box = page.locator("#question textarea").bounding_box()
        assert page.evaluate("window.scrollY") == 0
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= PHONE[1], box
        tabs = present_tabs(page, lang)
        assert set(tabs) >= {"ask", "summarize", "exercises", "learn", "safety", "trainer", "help"}, tabs
        how = {}
        for tab in tabs:
            how[tab] = open_tab(page, tab, lang)  # asserts the tab's panel is shown
            if tab == "trainer":  # the report's wide tables are on the page (they once made it 540 px wide)
                page.wait_for_selector("#tr-eval table", state="attached")
            assert page.get_attribute(f"#tab-{tab}", "style") is None or "none" not in page.get_attribute(
                f"#tab-{tab}", "style")
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= PHONE[0], (tab, wide)
        assert "menu" in how.values(), how  # a phone is too narrow for the whole bar: the menu was used
    finally:
        ctx.close()


# ---------------------------------------------------------------- 4. progress after a reload
def ex_state(**attrs) -> str:
    return "#ex-state .ex-state" + "".join(f'[data-{k}="{v}"]' for k, v in attrs.items())


def test_exercise_progress_is_shown_again_after_a_reload(browser, app):  # noqa: F811
    from assistant.progress import get_store
    from assistant.ui.i18n import tr

    ctx, page = login(browser, app, TRAINEE, "vi")
    open_tab(page, "exercises", "vi")
    page.wait_for_selector(ex_state(state="loaded", done=""), state="attached")
    page.locator("#ex-list label").first.click()
    page.wait_for_function("document.querySelectorAll('#ex-rubric label').length === 2")
    page.click("#ex-start")
    page.wait_for_selector(ex_state(state="started", started="t-01", done=""), state="attached")
    page.wait_for_selector('#ask-state .answer-state[data-state="done"][data-turn="1"]', state="attached")
    open_tab(page, "exercises", "vi")
    page.locator("#ex-rubric label").nth(1).click()
    page.wait_for_selector(ex_state(state="ticked", ticked="t-01:1"), state="attached")
    page.click("#ex-done")
    page.wait_for_selector(ex_state(state="done", done="t-01", ticked="t-01:1"), state="attached")
    before = page.inner_text("#ex-progress")
    assert "1/1" in before

    page.reload(wait_until="load")
    wait_loaded(page)  # the load event filled the progress in the same update
    open_tab(page, "exercises", "vi")  # its panel is made when it is opened
    page.wait_for_selector(ex_state(state="loaded", started="t-01", done="t-01", ticked="t-01:1"), state="attached")
    assert page.inner_text("#ex-progress") == before
    item = page.locator("#ex-list label").first
    assert tr("ex.done_mark", "vi") in item.inner_text()
    item.click()
    page.wait_for_function("document.querySelectorAll('#ex-rubric label').length === 2")
    page.wait_for_selector("#ex-rubric input:checked", state="attached")
    checked = page.locator("#ex-rubric input").evaluate_all("els => els.map(e => e.checked)")
    assert checked == [False, True]
    open_tab(page, "learn", "vi")
    page.click("#learn-tab-results-button")
    page.wait_for_selector("#learn-tab-results", state="visible")
    row = next(r for r in page.locator("#learn-results tr").all_inner_texts() if r.startswith(tr("ex.module_n", "vi", n=1)))
    assert "1/1" in row, row
    ctx.close()
    rows = get_store(app["settings"]).exercises(TRAINEE[0])
    assert rows["t-01"]["done"] and rows["t-01"]["rubric"] == [1]


# ---------------------------------------------------------------- 5. screenshots
@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_screenshots_of_every_tab(browser, app, lang, size):  # noqa: F811
    """Every tab, as the trainer, into /tmp/ui_shots/ (looked at by a person); each one fits the screen's width."""
    SHOTS.mkdir(exist_ok=True)
    ctx, page = login(browser, app, TRAINER, lang, size=size)
    name = "desktop" if size == DESKTOP else "phone"
    try:
        for view in each_view(page, lang):
            path = SHOTS / f"{lang}_{name}_{view.replace('/', '-')}.png"
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(path), full_page=True)
            assert path.stat().st_size > 10_000
            assert page.evaluate("document.documentElement.scrollWidth") <= size[0], view
    finally:
        ctx.close()
