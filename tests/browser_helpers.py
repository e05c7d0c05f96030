"""Helpers for the browser tests of the whole page (tests/test_browser_ui.py): open a tab by the tab bar
or its overflow menu, switch language, read what a person sees (visible text, placeholders, tooltips and
the names screen readers read), and the wording catalogue turned into phrases to look for.

Logging in, the terms and the answer's done state come from tests/test_browser.py (open_app, wait_loaded,
accept_terms, ask)."""
from __future__ import annotations

import contextlib
import re
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parent / "_artifacts"  # screenshots (git-ignored)


@contextlib.contextmanager
def chromium():
    """Debian's Chromium driven by Playwright, as every browser test launches it."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()

TABS = ("ask", "summarize", "exercises", "learn", "safety", "draft", "trainer", "help")  # the shell's tab ids

# What a person sees: the text of rendered elements, and the words in placeholders, tooltips, aria-labels and
# alt texts of elements that are displayed; text inside elements matching ``skip`` (a selector) left out.
VISIBLE_JS = """(skip) => {
  const shown = el => el.isConnected && !el.closest('.machine-state') && el.checkVisibility({visibilityProperty: true});
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode())) {
    const el = n.parentElement;
    if (!el || !n.nodeValue.trim() || ['SCRIPT', 'STYLE', 'TEXTAREA'].includes(el.tagName)) continue;
    if (skip && el.closest(skip)) continue;
    if (shown(el)) out.push(n.nodeValue);
  }
  for (const el of document.querySelectorAll('[placeholder], [title], [aria-label], img[alt]')) {
    if (!shown(el) || (skip && el.closest(skip))) continue;
    for (const a of ['placeholder', 'title', 'aria-label', 'alt']) {
      const v = el.getAttribute(a);
      if (v) out.push(v);
    }
  }
  return out.join('\\n');
}"""


def visible_text(page, skip: str = "") -> str:
    """Everything a person can read or hear on the page now (see VISIBLE_JS), whitespace collapsed."""
    return " ".join(page.evaluate(VISIBLE_JS, skip).split())


def tab_label(tab: str, lang: str) -> str:
    from assistant.ui.i18n import tr

    return tr(f"shell.tab_{tab}", lang)


def present_tabs(page, lang: str) -> list[str]:
    """The shell's tabs this page offers, in order (the trainer tab only for a trainer). Gradio keeps a hidden
    copy of the whole tab bar to measure it; the tabs it shows are the ones there (panels are only made
    when a tab is first opened)."""
    labels = [" ".join(x.split()) for x in page.locator("#tabs .tab-container.visually-hidden button").all_inner_texts()]
    return [t for t in TABS if tab_label(t, lang) in labels]


def found(needles, text: str) -> list[str]:
    """The needles that occur in ``text`` as whole words (case-sensitive)."""
    return [n for n in needles if re.search(r"(?<![^\W_])" + re.escape(n) + r"(?![^\W_])", text)]


def open_tab(page, tab: str, lang: str) -> str:
    """Open a top-level tab the way a person does: its button in the tab bar, or, when the bar is too narrow,
    the "more tabs" menu and the tab's entry there. Waits for the tab's panel to be shown.
    Returns "bar" or "menu" (how it was reached)."""
    button = page.locator(f'#tabs [role="tablist"] button[data-tab-id="{tab}"]')
    if button.count() and button.first.is_visible():
        how = "bar"
        button.first.click()
    else:
        how = "menu"
        more = page.locator("#tabs .overflow-menu > button")
        assert more.count() and more.first.is_visible(), f"tab {tab!r} is neither in the tab bar nor in a menu"
        more.first.click()
        entry = page.locator("#tabs .overflow-dropdown button", has_text=re.compile(
            r"^\s*" + re.escape(tab_label(tab, lang)) + r"\s*$"))
        entry.first.wait_for(state="visible")
        entry.first.click()
    page.wait_for_selector(f"#tab-{tab}", state="visible")
    return how


def switch_language(page, lang: str) -> None:
    """The app's language control (the radio at the top); waits until the tab bar is in that language."""
    name = {"vi": "Tiếng Việt", "en": "English"}[lang]
    if page.locator(f'#lang input[value="{lang}"]').is_checked():
        return
    page.locator("#lang label", has_text=name).click()
    page.wait_for_selector(f'#lang input[value="{lang}"]:checked', state="attached")
    page.locator('#tabs .tab-container.visually-hidden button', has_text=tab_label("help", lang)).first.wait_for(
        state="attached")


# ---------------------------------------------------------------- the wording catalogue as phrases
PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*(?:[:!][^{}]*)?\}")
MARKUP = re.compile(r"\*\*|__|`|^#{1,6}\s*|^\s*[-*>]\s+|^\s*\d+\.\s+|\[(?=[^\]]*\]\()|\]\([^)]*\)", re.M)
LETTERS = re.compile(r"[^\W\d_]{4,}")


def phrases(text: str) -> list[str]:
    """The pieces of a catalogue string that appear on the page word for word: Markdown marks dropped, cut at
    placeholders, line breaks and the sentence marks Markdown can move; pieces with a word of 4+ letters."""
    text = MARKUP.sub("", text or "")
    out = []
    for piece in re.split(r"\n|\{[^{}]*\}|\s[·|]\s|\|", text):
        piece = " ".join(piece.replace("_", " ").split()).strip(" :;,.()–—-→")
        if LETTERS.search(piece):
            out.append(piece)
    return out


def catalogue_strings() -> list[tuple[str, str, str]]:
    """(key, vi, en) of every UI label and every ``ui.*`` run-time message."""
    from assistant.messages import _catalogue
    from assistant.ui.i18n import catalogue

    rows = [(k, v.get("vi") or "", v.get("en") or "") for k, v in catalogue().items()]
    rows += [(k, v.get("vi") or "", v.get("en") or "") for k, v in _catalogue().items() if k.startswith("ui.")]
    return rows


def foreign_phrases(lang: str) -> dict[str, str]:
    """Phrases of the other language that must not show in ``lang``'s UI: phrase -> catalogue key. Only phrases
    that differ from the string in ``lang`` and are not part of it (a name such as "BM25" is the same in both)."""
    other = "en" if lang == "vi" else "vi"
    out: dict[str, str] = {}
    for key, vi, en in catalogue_strings():
        own, foreign = (vi, en) if lang == "vi" else (en, vi)
        own_flat = " ".join(MARKUP.sub("", own).split())
        own_phrases = set(phrases(own))
        for p in phrases(foreign):
            if p in own_flat or p in own_phrases or any(p in q for q in own_phrases):
                continue
            out.setdefault(p, f"{key} ({other})")
    return out


# Gradio's own English that our components can show (the frontend has no Vietnamese; tests/test_browser_ui.py
# checks none of it is left on the page in either language's UI, since a Vietnamese UI must not show it).
GRADIO_ENGLISH = ("More tabs", "Drop File Here", "Click to Upload", "Drop Image Here", "Upload file", "Copy message",
                  "Copy conversation", "Copied message", "Copied conversation", "Clear", "Like", "Dislike", "Retry",
                  "Undo", "Loading", "Error", "Close", "Download", "Copy", "Copied", "Share", "Settings",
                  "Use via API", "Built with Gradio", "Stop", "Select", "Submit", "Upload", "Remove", "Empty",
                  "Click to expand", "Sort", "Search", "Expand", "Collapse", "Edit")
