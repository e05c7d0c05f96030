"""The app in a real browser (Playwright driving Debian's Chromium), one app per module.

Walks a fresh app with a small indexed fixture corpus and class accounts through: ask and open
a cited source; switch language; run an exercise; paste personal data and see it redacted;
log in as trainer and re-index; a second browser that cannot see the first one's upload.
Screenshots of each step go to tests/_artifacts/ (git-ignored).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser_helpers import chromium

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "_artifacts"
TRAINER = ("lan", "giangvien1")
TRAINEE = ("minh", "hocvien1")
TRAINEE2 = ("hoa", "hocvien2")
TRAINEE3 = ("thu", "hocvien3")  # never accepts the terms
T = 90_000  # ms: the machine is shared, answers can be slow

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing (install it: apt-get install -y chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def app(tmp_path_factory, embedder):
    from assistant.config import load_settings
    from assistant.indexer import run_index
    from assistant.ui import testing

    base = tmp_path_factory.mktemp("browser_app")
    users = testing.make_users(base / "users.txt", {TRAINER[0]: ("trainer", TRAINER[1]),
                                                   TRAINEE[0]: ("trainee", TRAINEE[1]),
                                                   TRAINEE2[0]: ("trainee", TRAINEE2[1]),
                                                   TRAINEE3[0]: ("trainee", TRAINEE3[1])})
    settings = load_settings(env={}, env_file=None, store_dir=str(base / "store"), data_dir=str(base / "data"),
                             corpus_dir=str(testing.make_corpus(base / "corpus")), users_file=str(users),
                             port=testing.free_port())
    assert run_index(settings, embedder=embedder).chunks > 0
    demo, url = testing.serve(settings, str(testing.make_exercises(base / "ex")))
    yield {"url": url, "settings": settings, "base": base}
    demo.close()


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_app(browser, app, user, width=1366, height=768, locale="en-US"):
    """A fresh browser context, logged in; the terms notice accepted. Returns (context, page)."""
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    ctx.set_default_timeout(T)
    page = ctx.new_page()
    page.goto(app["url"], wait_until="load")
    page.wait_for_selector("input[type=password]")
    page.locator("input:not([type=password])").first.fill(user[0])
    page.locator("input[type=password]").fill(user[1])
    page.locator("input[type=password]").press("Enter")
    page.wait_for_selector("#question textarea")
    wait_loaded(page)
    return ctx, page


def wait_loaded(page):
    """The page's load event has run (the app marks it done in the same update that shows or hides the terms)."""
    page.wait_for_function("!!document.querySelector('#page-state .page-state[data-state=\"loaded\"]')")


def accept_terms(page):
    """Accept the terms if the server has not recorded them for this account yet (it remembers them)."""
    if page.get_attribute("#page-state .page-state", "data-terms") == "required":
        page.click("#terms-accept")
        page.wait_for_selector("#terms", state="hidden")


def answer_turn(page) -> int:
    """How many answers of this conversation are final (the app's done-state marker)."""
    el = page.locator("#ask-state .answer-state")
    return int(el.get_attribute("data-turn") or 0) if el.get_attribute("data-state") == "done" else -1


def wait_answer(page, turn: int) -> None:
    """Wait for the pipeline's done state of answer number ``turn`` (never for text to appear)."""
    page.wait_for_selector(f'#ask-state .answer-state[data-state="done"][data-turn="{turn}"]', state="attached")


def ask(page, question: str):
    n = page.locator("#chat .message").count() // 2
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    wait_answer(page, n + 1)


def last_answer(page) -> str:
    return page.locator("#chat .message").last.inner_text()


def test_ask_and_open_cited_source(browser, app):
    ctx, page = open_app(browser, app, TRAINEE)
    shot(page, "01_terms")
    assert "Không dán" in page.inner_text("#terms")
    accept_terms(page)
    # keyboard only: Tab from the question box reaches the send button
    page.focus("#question textarea")
    ask(page, "Trong bao lâu công chức phải kiểm tra hồ sơ trực tuyến?")
    page.wait_for_selector("#sources .src-card")
    shot(page, "02_answer_with_sources")
    answer = last_answer(page)
    assert "[1]" in answer and "04 giờ" in answer
    card = page.locator("#sources .src-card").first
    assert "quyet-dinh.pdf" in card.inner_text() and "trang 2" in card.inner_text()
    link = card.locator("a.src-link")
    href = link.get_attribute("href")
    assert href and href.endswith("#page=2")
    resp = page.request.get(app["url"] + href.split("#")[0])
    assert resp.status == 200 and resp.body()[:4] == b"%PDF"
    with ctx.expect_page() as new:
        link.click()
    pdf = new.value
    pdf.wait_for_load_state("load")
    assert pdf.url.endswith("#page=2")
    # the terms stay accepted: the server remembers them for this account
    page.reload(wait_until="load")
    page.wait_for_selector("#question textarea")
    wait_loaded(page)
    assert page.get_attribute("#page-state .page-state", "data-terms") == "accepted"
    page.wait_for_selector("#terms", state="hidden")
    ctx.close()


def test_switch_language(browser, app):
    ctx, page = open_app(browser, app, TRAINEE, locale="en-US")
    assert page.get_by_role("tab", name="Hỏi đáp").is_visible()  # Vietnamese by default, even on an English browser
    accept_terms(page)
    page.locator("#lang label", has_text="English").click()
    page.get_by_role("tab", name="Summarise").wait_for()
    shot(page, "03_english")
    assert "AI practice assistant for public officials" in page.inner_text("#title")
    assert page.get_by_role("button", name="Send").is_visible()
    assert "Answer engine" in page.inner_text("#badge")
    page.get_by_role("tab", name="Help").click()
    assert "How to use" in page.inner_text("#help")
    page.reload(wait_until="load")  # remembered per browser
    page.get_by_role("tab", name="Summarise").wait_for()
    page.locator("#lang label", has_text="Tiếng Việt").click()
    page.get_by_role("tab", name="Tóm tắt").wait_for()
    ctx.close()


def test_run_an_exercise(browser, app):
    ctx, page = open_app(browser, app, TRAINEE)
    accept_terms(page)
    page.get_by_role("tab", name="Bài tập").click()
    page.locator("#ex-list label", has_text="Hỏi về thời hạn khai sinh").click()
    page.wait_for_function("document.querySelector('#ex-detail').innerText.includes('mở nguồn')")
    assert page.locator("#ex-rubric label").count() == 2
    shot(page, "04_exercise")
    page.click("#ex-start")
    page.wait_for_function("document.querySelector('#question textarea').value.includes('khai sinh')")
    assert page.get_by_role("tab", name="Hỏi đáp").get_attribute("aria-selected") == "true"
    page.click("#send")
    wait_answer(page, 1)
    assert "60" in last_answer(page)
    shot(page, "05_exercise_answer")
    page.get_by_role("tab", name="Bài tập").click()
    page.locator("#ex-rubric label").first.click()
    page.click("#ex-done")
    page.wait_for_function("document.querySelector('#ex-progress').innerText.includes('1/1')")
    ctx.close()


def test_personal_data_is_redacted_with_explanation(browser, app):
    ctx, page = open_app(browser, app, TRAINEE)
    accept_terms(page)
    page.get_by_role("tab", name="An toàn").click()
    page.fill("#safe-input textarea", "Công dân Trần Văn Bình, số CCCD 001203004567, điện thoại 0912 345 678.")
    page.click("#safe-check")
    page.wait_for_function("document.querySelector('#safe-redacted textarea').value.includes('[CCCD_1]')")
    red = page.input_value("#safe-redacted textarea")
    assert "001203004567" not in red and "[PHONE_1]" in red
    expl = page.inner_text("#safe-explanation")
    assert "13/2023" in expl and "Cảnh báo" in expl and "pii." not in expl and "số căn cước" in expl
    assert "số căn cước" in page.inner_text("#safe-findings") and "pii." not in page.inner_text("#safe-findings")
    shot(page, "06_safety_redacted")
    # an example attack from the list
    page.locator("#safe-examples input").click()
    page.get_by_role("option", name=re.compile("Câu lệnh chèn")).click()
    page.wait_for_function("document.querySelector('#safe-input textarea').value.includes('Bỏ qua')")
    page.click("#safe-check")
    page.wait_for_function("document.querySelector('#safe-explanation').innerText.includes('Chặn')")
    shot(page, "07_safety_injection")
    ctx.close()


def test_trainer_reindexes_and_trainee_cannot(browser, app):
    ctx, page = open_app(browser, app, TRAINEE)  # loaded: the role's tabs are settled
    assert page.get_by_role("tab", name="Giảng viên").count() == 0
    ctx.close()
    ctx, page = open_app(browser, app, TRAINER)
    accept_terms(page)
    assert "giảng viên" in page.inner_text("#badge")
    page.get_by_role("tab", name="Giảng viên").click()
    page.wait_for_function("document.querySelector('#tr-status').innerText.includes('văn bản')")
    page.click("#tr-reindex")
    page.wait_for_function("document.querySelector('#tr-reindex-out').innerText.includes('✓')")
    assert "0 tệp lỗi" in page.inner_text("#tr-reindex-out")
    page.click("#tr-refresh")
    page.wait_for_function("document.querySelector('#tr-glass').innerText.includes('BM25')")
    shot(page, "08_trainer_reindexed")
    ctx.close()


def test_private_upload_is_invisible_to_another_browser(browser, app, tmp_path):
    secret = tmp_path / "du-an-rieng.md"
    secret.write_text("# Dự án riêng\n\nĐiều 1. Ngân sách\nDự án Hoa Sen Xanh có ngân sách 7 tỷ đồng cho năm 2025.\n",
                      encoding="utf-8")
    question = "Ngân sách dự án Hoa Sen Xanh là bao nhiêu?"
    ctx_a, a = open_app(browser, app, TRAINEE)
    accept_terms(a)
    a.click("#ask-options button") if a.locator("#ask-options button").count() else a.click("#ask-options")
    a.locator("#upload input[type=file]").set_input_files(str(secret))
    a.wait_for_function("document.querySelector('#upload-status').innerText.includes('✓')")
    ask(a, question)
    a.wait_for_selector("#sources .src-card")
    assert "tệp riêng" in a.inner_text("#sources")
    assert "7 tỷ" in last_answer(a)
    shot(a, "09_private_upload_owner")
    bad = tmp_path / "virus.exe"
    bad.write_bytes(b"MZ\x00\x00")
    a.locator("#upload input[type=file]").set_input_files(str(bad))
    a.wait_for_function("document.querySelector('#upload-status').innerText.includes('.exe')")
    ctx_b, b = open_app(browser, app, TRAINEE2, width=390, height=844)  # and a phone-width screen
    accept_terms(b)
    ask(b, question)  # waits for the final answer
    assert "7 tỷ" not in last_answer(b)
    assert "tệp riêng" not in b.inner_text("#sources")
    shot(b, "10_other_browser_phone")
    ctx_a.close()
    ctx_b.close()


def test_one_answer_from_cli_api_and_ask_tab(browser, app):
    """The same question gives the same answer and citations from `assistant ask --json`, /ask and the Ask tab."""
    import json
    import os
    import subprocess
    import sys

    from gradio_client import Client

    from assistant.ui.logs import get_logstore

    q = "Lệ phí đăng ký khai sinh đúng hạn là bao nhiêu?"
    s = app["settings"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(ASSISTANT_STORE_DIR=s.store_dir, ASSISTANT_CORPUS_DIR=s.corpus_dir, ASSISTANT_DATA_DIR=s.data_dir,
               HF_HUB_OFFLINE="1")
    run = subprocess.run([sys.executable, "-m", "assistant", "ask", q, "--json"], capture_output=True, text=True,
                         env=env, timeout=300, cwd=app["base"])
    assert run.returncode == 0, run.stderr[-1500:]
    cli = json.loads(run.stdout)
    api_client = Client(app["url"], auth=TRAINEE, verbose=False)
    api_client.predict("vi", api_name="/accept_terms")
    api = api_client.predict(question=q, lang="vi", api_name="/ask")
    ctx, page = open_app(browser, app, TRAINEE)
    accept_terms(page)
    ask(page, q)
    event = get_logstore(s).event(int(page.locator("#ask-state .answer-state").get_attribute("data-event")))
    ctx.close()

    def cites(items):
        return [(c["n"], c["source"], str(c.get("article") or ""), c.get("page")) for c in items]

    assert not cli["abstained"] and cli["citations"]
    assert api["answer"] == cli["answer"] == event["answer"]
    assert cites(api["citations"]) == cites(cli["citations"]) == cites(event["sources"])


def test_markdown_source_opens_readable_at_the_article(browser, app):
    """"Mở văn bản" on a Markdown source shows it rendered (no ** or ###) in the app, at the cited article."""
    ctx, page = open_app(browser, app, TRAINEE)
    accept_terms(page)
    ask(page, "Lệ phí đăng ký khai sinh đúng hạn là bao nhiêu?")
    card = page.locator("#sources .src-card", has_text="ho-tich.md").first
    card.locator("a.src-open").click()
    page.wait_for_selector('#doc-viewer[data-state="open"]')
    text = page.inner_text("#doc-viewer")
    assert "Điều 3" in text and "Lệ phí" in text
    assert "**" not in text and "###" not in text and "# Quy định" not in text
    target = page.locator("#doc-viewer .dv-target")
    assert target.count() == 1 and target.first.inner_text().startswith("Điều 3")
    shot(page, "11_document_viewer")
    page.click("#doc-viewer .dv-close")
    page.wait_for_selector('#doc-viewer[data-state="closed"]', state="attached")
    ctx.close()


def test_no_answer_before_the_terms_are_accepted(browser, app):
    """A question asked with the terms notice still open is refused by the server, and the notice stays."""
    ctx, page = open_app(browser, app, TRAINEE3)
    assert page.get_attribute("#page-state .page-state", "data-terms") == "required"
    page.wait_for_selector("#terms-accept", state="visible")
    ask(page, "Thời hạn đăng ký khai sinh là bao nhiêu ngày?")
    answer = last_answer(page)
    assert "điều khoản" in answer and "60 ngày" not in answer
    page.wait_for_selector("#terms-accept", state="visible")
    shot(page, "12_terms_required")
    ctx.close()


def test_personal_data_in_a_question_is_shown_replaced_with_the_reason(browser, app):
    """The trainee's bubble shows the question as the assistant got it — labels instead of the numbers —
    with what was found, why (Decree 13/2023) and how to ask without it; no raw number stays on the page."""
    for lang, user, width in (("vi", TRAINEE, 1366), ("en", TRAINEE2, 390)):
        ctx, page = open_app(browser, app, user, width=width, height=844)
        accept_terms(page)
        if lang == "en":
            page.get_by_text("English", exact=True).click()
            page.get_by_role("tab", name="Ask").wait_for()
        ask(page, "Công dân có CCCD 031189035801, số điện thoại 0912 345 678 hỏi lệ phí đăng ký khai sinh đúng hạn?")
        bubble = page.locator("#chat .message").nth(-2).inner_text()
        assert "[CCCD_1]" in bubble and "[PHONE_1]" in bubble and "13/2023" in bubble
        body = page.inner_text("body")
        for raw in ("031189035801", "0912 345 678", "0912345678"):
            assert raw not in body
        assert ("Lần sau" in bubble) if lang == "vi" else ("labels" in bubble)
        shot(page, f"13_pii_bubble_{lang}")
        ctx.close()
