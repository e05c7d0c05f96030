"""The Draft tab in a real browser (Playwright driving Debian's Chromium), in Vietnamese and English.

A trainee types the date as people do ("20/11/2025"), leaves two required fields empty and sees both
listed by their labels at once; fills them and gets the DOCX; uploads their own DOCX with a planted
format error and sees the finding with the decree's article; uploads a PDF and is told why it cannot
be checked. Screenshots at desktop (1366×768) and phone width (390×844) go to tests/_artifacts/.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from browser_helpers import chromium

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "_artifacts"
TRAINEE = ("minh", "hocvien1")
T = 90_000  # ms: the machine is shared

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing (install it: apt-get install -y chromium)", allow_module_level=True)

# What the form shows, by language (labels from prompts/messages_drafting.yaml, drafting.field.*)
UI = {
    "vi": {"tab": "Soạn thảo", "subject": "Trích yếu nội dung", "signer_name": "Họ tên người ký",
           "date": "Ngày ban hành", "ref": "Phụ lục I, Mục I.3", "fail_head": "Chưa đạt", "done": "Đã soạn xong",
           "cannot": "Không kiểm tra được tệp «bao-cao.pdf»: đây là tệp PDF",
           "longest_auth": "TM. + KT. — cấp phó, thay mặt tập thể"},
    "en": {"tab": "Draft", "subject": "Subject (summary line)", "signer_name": "Signer's name",
           "date": "Date of issue", "ref": "Appendix I, Section I.3", "fail_head": "Not met", "done": "Drafted",
           "cannot": "The file «bao-cao.pdf» could not be checked: it is a PDF",
           "longest_auth": "TM. + KT. — a deputy, for a collective"},
}


@pytest.fixture(scope="module")
def app(tmp_path_factory, embedder):
    from assistant.config import load_settings
    from assistant.indexer import run_index
    from assistant.ui import testing

    base = tmp_path_factory.mktemp("browser_draft")
    users = testing.make_users(base / "users.txt", {TRAINEE[0]: ("trainee", TRAINEE[1])})
    settings = load_settings(env={}, env_file=None, store_dir=str(base / "store"), data_dir=str(base / "data"),
                             corpus_dir=str(testing.make_corpus(base / "corpus")), users_file=str(users),
                             port=testing.free_port())
    assert run_index(settings, embedder=embedder).chunks > 0
    demo, url = testing.serve(settings, str(testing.make_exercises(base / "ex")))
    from gradio_client import Client

    # the trainee accepted the terms of use once (the server remembers it per account): no notice on the page
    assert Client(url, auth=TRAINEE, verbose=False).predict("vi", api_name="/accept_terms")["accepted"]
    yield {"url": url, "settings": settings, "base": base}
    demo.close()


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """A trainee's own DOCX with one format error: a 20 mm left margin (the decree asks 30–35 mm)."""
    from docx import Document
    from docx.shared import Mm

    from assistant.config import load_settings
    from assistant.drafting import make_draft

    fields = {"agency": "Ủy ban nhân dân phường Tân Mỹ", "place": "Tân Mỹ", "date": "05/01/2026",
              "subject": "Báo cáo kết quả tập huấn", "points": ["Đã tổ chức 02 buổi tập huấn."],
              "recipients": ["Ủy ban nhân dân quận Bến Sông"], "signer_title": "Chủ tịch",
              "signer_name": "Trần Văn Bình"}
    s = load_settings(env={}, env_file=None, store_dir="/nonexistent-store")
    doc = Document(io.BytesIO(make_draft("bao-cao", fields, s).to_docx_bytes()))
    doc.sections[0].left_margin = Mm(20)
    folder = tmp_path_factory.mktemp("planted")
    bad = folder / "bao-cao-cua-toi.docx"
    doc.save(bad)
    pdf = folder / "bao-cao.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% not a Word file\n")
    return {"docx": bad, "pdf": pdf}


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_app(browser, app, width=1366, height=768):
    """A fresh browser context of that size, logged in as the trainee (who accepted the terms)."""
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    ctx.set_default_timeout(T)
    page = ctx.new_page()
    page.goto(app["url"], wait_until="load")
    page.wait_for_selector("input[type=password]")
    page.locator("input:not([type=password])").first.fill(TRAINEE[0])
    page.locator("input[type=password]").fill(TRAINEE[1])
    page.locator("input[type=password]").press("Enter")
    page.wait_for_selector("#question textarea")
    page.wait_for_function("() => (document.querySelector('#badge')?.innerText || '').trim().length > 0")
    return ctx, page


def set_lang(page, lang):
    if lang == "en":
        page.locator("#lang label", has_text="English").click()
        page.get_by_role("tab", name="Summarise").wait_for()


def open_draft_tab(page, lang):
    tab = page.get_by_role("tab", name=UI[lang]["tab"], exact=True)
    if tab.count() and tab.is_visible():
        tab.click()
    else:  # a narrow screen folds some tabs into Gradio's overflow menu
        page.locator("#tabs .overflow-menu > button").first.click()
        page.locator("#tabs .overflow-dropdown button", has_text=UI[lang]["tab"]).first.click()
    page.wait_for_selector("#draft-agency textarea, #draft-agency input", state="visible")


def fill(page, name, text):
    page.locator(f"#draft-{name} textarea, #draft-{name} input").first.fill(text)


def status(page) -> str:
    return page.inner_text("#draft-status")


def wait_status(page, text):
    page.wait_for_function("t => (document.querySelector('#draft-status')?.innerText || '').includes(t)", arg=text)


def check_result(page, state):
    page.wait_for_selector(f'#draft-check-result .dc-result[data-state="{state}"]', state="attached")
    return page.inner_text("#draft-check-result")


def upload(page, path):
    page.locator("#draft-check input[type=file]").first.set_input_files(str(path))  # the UploadButton's input


def visible_text(page) -> str:
    return page.inner_text("#tab-draft")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_draft_form_lists_missing_fields_then_drafts_and_checks(browser, app, planted, lang):
    from assistant.drafting import check_docx

    ctx, page = open_app(browser, app)
    set_lang(page, lang)
    open_draft_tab(page, lang)
    ui = UI[lang]
    # a công văn, dated as people type it; the subject and the signer's name left empty
    fill(page, "agency", "Ủy ban nhân dân phường Tân Mỹ")
    fill(page, "place", "Tân Mỹ")
    fill(page, "date", "20/11/2025")
    fill(page, "points", "Các bộ phận gửi báo cáo trước ngày 25 hằng tháng\nBáo cáo ghi rõ số hồ sơ trễ hạn")
    fill(page, "recipients", "Các bộ phận chuyên môn thuộc UBND phường")
    fill(page, "signer_title", "Chủ tịch")
    page.locator("#draft-date textarea, #draft-date input").first.press("Enter")  # the live preview of the date line
    page.wait_for_function("() => (document.querySelector('#draft-date-preview')?.innerText || '')"
                           ".includes('ngày 20 tháng 11 năm 2025')")
    page.click("#draft-run")
    wait_status(page, "⚠️")
    text = status(page)
    # both missing fields at once, each by its visible label; the date was understood
    assert f"«{ui['subject']}»" in text and f"«{ui['signer_name']}»" in text, text
    assert f"«{ui['date']}»" not in text
    assert not any(k in text for k in ("'subject'", "signer_name", "'agency'", "'date'"))
    shot(page, f"draft_{lang}_01_missing_fields")

    fill(page, "subject", "Đôn đốc gửi báo cáo tình hình giải quyết hồ sơ")
    fill(page, "signer_name", "Trần Văn Bình")
    page.click("#draft-run")
    wait_status(page, ui["done"])
    link = page.locator("#draft-file a").first
    link.wait_for()
    href = link.get_attribute("href")
    data = page.request.get(href if href.startswith("http") else app["url"] + href).body()
    assert data[:2] == b"PK" and all(r.ok for r in check_docx(data))
    assert "Tân Mỹ, ngày 20 tháng 11 năm 2025" in page.inner_text("#draft-output")
    shot(page, f"draft_{lang}_03_drafted")

    # the trainee's own DOCX with a planted error: the finding, its article and how to fix it
    upload(page, planted["docx"])
    result = check_result(page, "checked")
    card = page.locator('#draft-check-result .dc-item[data-rule="margin.left"]')
    assert card.is_visible() and ui["ref"] in card.inner_text() and ui["fail_head"] in result
    assert "bao-cao-cua-toi.docx" in result
    page.locator("#draft-check-result").scroll_into_view_if_needed()
    shot(page, f"draft_{lang}_04_check_planted")

    # not a DOCX: the file named, the reason given, nothing lost from the form
    upload(page, planted["pdf"])
    result = check_result(page, "unreadable")
    assert ui["cannot"] in result, result
    assert page.locator("#draft-subject textarea, #draft-subject input").first.input_value().startswith("Đôn đốc")
    # the draft just made can be checked too, and passes
    page.click("#draft-check-own")
    page.wait_for_selector('#draft-check-result .dc-result[data-failed="0"]', state="attached")
    ctx.close()


def test_signing_authority_and_language_switch(browser, app):
    ctx, page = open_app(browser, app)
    open_draft_tab(page, "vi")
    # fields appear by type and authority: a decision shows the legal bases; KT. asks for the head's title
    assert not page.locator("#draft-legal_bases").is_visible()
    page.locator("#draft-type input").first.click()
    page.get_by_role("option", name="Quyết định (cá biệt)").click()
    page.wait_for_selector("#draft-legal_bases", state="visible")
    page.locator("#draft-signer_authority input").first.click()
    page.get_by_role("option", name="KT. — cấp phó ký thay").click()
    page.wait_for_selector("#draft-signer_head", state="visible")
    chosen = page.locator("#draft-signer_authority input").first
    assert chosen.evaluate("el => el.scrollWidth <= el.clientWidth"), "the authority choice is cut off"
    fill(page, "signer_head", "Chủ tịch")
    fill(page, "signer_title", "Phó Chủ tịch")
    fill(page, "signer_name", "Lê Văn Cường")
    page.locator("#draft-signer_name textarea, #draft-signer_name input").first.blur()
    page.wait_for_function("() => (document.querySelector('#draft-sign-preview')?.innerText || '')"
                           ".includes('KT. CHỦ TỊCH / PHÓ CHỦ TỊCH')")
    fill(page, "date", "31/02/2026")
    page.click("#draft-run")
    wait_status(page, "⚠️")
    assert "«31/02/2026»" in status(page) and "«Cơ quan ban hành»" in status(page)
    shot(page, "draft_vi_06_decision_kt")
    # switching the language rewords the form and the message already on screen
    set_lang(page, "en")
    wait_status(page, "«Issuing body»")
    assert "«31/02/2026»" in status(page) and "only 28 days" in status(page)
    assert page.locator("#draft-signer_head").get_by_text("Head's title").first.is_visible()
    text = visible_text(page)
    for vi in ("Cơ quan ban hành", "Chưa soạn được", "Kiểm tra thể thức", "Điền ví dụ"):
        assert vi not in text, vi
    shot(page, "draft_en_06_decision_kt")
    # the example fills every field of the type; it drafts at once
    page.click("#draft-example")
    page.wait_for_function("() => document.querySelector('#draft-agency textarea, #draft-agency input').value"
                           ".includes('Tân Mỹ')")
    page.click("#draft-run")
    wait_status(page, "Drafted")
    assert "QUYẾT ĐỊNH" in page.inner_text("#draft-output")
    shot(page, "draft_en_07_example")
    ctx.close()


def no_sideways_scroll(page) -> None:
    wide = page.evaluate("""() => { const W = document.documentElement.clientWidth, out = [];
        for (const el of document.querySelectorAll('#tab-draft *')) { const r = el.getBoundingClientRect();
          if (r.width > 0 && r.right > W + 1) out.push(el.tagName + '#' + el.id + '.' + el.className); }
        return out; }""")
    assert wide == [], wide


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_draft_tab_at_phone_width(browser, app, planted, lang):
    ctx, page = open_app(browser, app, width=390, height=844)
    set_lang(page, lang)
    open_draft_tab(page, lang)
    ui = UI[lang]
    fill(page, "date", "20/11/2025")
    page.locator("#draft-signer_authority input").first.click()  # the longest choice fits a phone's width
    page.get_by_role("option", name=ui["longest_auth"]).click()
    page.wait_for_selector("#draft-signer_body", state="visible")
    assert page.locator("#draft-signer_authority input").first.evaluate("el => el.scrollWidth <= el.clientWidth")
    page.click("#draft-run")
    wait_status(page, "⚠️")
    assert f"«{ui['subject']}»" in status(page) and f"«{ui['date']}»" not in status(page)
    page.locator("#draft-status").scroll_into_view_if_needed()
    no_sideways_scroll(page)
    shot(page, f"draft_{lang}_phone_01_missing_fields")
    page.click("#draft-example")
    page.wait_for_function("() => document.querySelector('#draft-agency textarea, #draft-agency input').value"
                           ".includes('Tân Mỹ')")
    page.click("#draft-run")
    wait_status(page, ui["done"])
    page.locator("#draft-file a").first.wait_for()
    upload(page, planted["docx"])
    check_result(page, "checked")
    card = page.locator('#draft-check-result .dc-item[data-rule="margin.left"]')
    assert card.is_visible() and ui["ref"] in card.inner_text()
    card.scroll_into_view_if_needed()
    no_sideways_scroll(page)
    shot(page, f"draft_{lang}_phone_02_drafted_and_checked")
    ctx.close()
