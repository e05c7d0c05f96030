"""The Draft tab's "Kiểm tra thể thức / Check format" panel: the format checker's findings for a
trainee's own DOCX as HTML, each with the decree's article and how to fix it, in vi and en."""
from __future__ import annotations

import html
from pathlib import Path

from assistant.ui.i18n import LANGS, tr

MAX_CHECK_MB = 20
CHECK_CSS = """
.dc-summary { font-weight: 600; margin: 0 0 .5em; }
.dc-list { list-style: none; padding: 0; margin: 0 0 .75em; }
.dc-item { border-left: 4px solid #9ca3af; padding: .4em .7em; margin: 0 0 .5em; border-radius: 4px;
           background: rgba(127, 127, 127, .08); overflow-wrap: anywhere; }
.dc-fail { border-left-color: #c0392b; }
.dc-skip { border-left-color: #b7791f; }
.dc-pass { border-left-color: #2f855a; }
.dc-req { font-weight: 600; }
.dc-found, .dc-ref, .dc-fix { margin-top: .2em; }
.dc-ref { font-size: .92em; opacity: .85; }
.dc-error { border-left: 4px solid #c0392b; padding: .5em .8em; background: rgba(192, 57, 43, .08); border-radius: 4px; }
.dc-note { font-size: .92em; opacity: .85; }
.dc-result h4 { margin: .6em 0 .3em; }
"""


def render_check(results, data: bytes | None, name: str, lang: str) -> str:
    """The checker's findings as HTML: failures with the decree's article and how to fix them, then
    rules not checked, then (folded) the rules met; an unreadable file as one clear message."""
    from assistant.drafting.explain import (
        counts_line,
        file_problem,
        findings,
        unreadable,
    )

    esc = html.escape
    if unreadable(results):
        return (f'<div class="dc-result dc-error" data-state="unreadable"><p>⚠️ '
                f'{esc(file_problem(data, name, lang))}</p></div>')
    items = findings(results, lang)
    failed = [f for f in items if f.status == "fail"]
    out = [f'<div class="dc-result" data-state="checked" data-failed="{len(failed)}">',
           f'<p class="dc-summary">{esc(counts_line(results, name, lang))}</p>']
    if not failed:
        out.append(f"<p>{esc(tr('draft.check.all_ok', lang))}</p>")

    def card(f):
        mark = {"fail": "✗", "skip": "–", "pass": "✓"}[f.status]
        parts = [f'<li class="dc-item dc-{f.status}" data-rule="{esc(f.rule)}">',
                 f'<div class="dc-req">{mark} {esc(f.requirement)}</div>']
        if f.found and f.status != "pass":
            parts.append(f'<div class="dc-found">{esc(f.found)}</div>')
        if f.ref:
            parts.append(f'<div class="dc-ref"><b>{esc(tr("draft.check.source", lang))}:</b> {esc(f.ref)}</div>')
        if f.fix:
            parts.append(f'<div class="dc-fix"><b>{esc(tr("draft.check.fix", lang))}:</b> {esc(f.fix)}</div>')
        return "".join(parts) + "</li>"

    for status, head in (("fail", "draft.check.failed_head"), ("skip", "draft.check.skipped_head")):
        group = [f for f in items if f.status == status]
        if group:
            out.append(f"<h4>{esc(tr(head, lang))}</h4><ul class='dc-list'>{''.join(card(f) for f in group)}</ul>")
    passed = [f for f in items if f.status == "pass"]
    if passed:
        out.append(f"<details><summary>{esc(tr('draft.check.passed_head', lang, n=len(passed)))}</summary>"
                   f"<ul class='dc-list'>{''.join(card(f) for f in passed)}</ul></details>")
    out.append(f'<p class="dc-note">{esc(tr("draft.check.not_checked_note", lang))}</p></div>')
    return "".join(out)


def check_file(path: str | None, name: str | None = None) -> dict:
    """{lang: html} for the DOCX at ``path``; never raises on a bad file."""
    from assistant.drafting import check_docx

    name = name or Path(path or "").name or "?"
    data = None
    try:
        p = Path(path or "")
        if p.is_file() and p.stat().st_size <= MAX_CHECK_MB * 1024 * 1024:
            data = p.read_bytes()
    except OSError:
        data = None
    results = check_docx(data) if data else check_docx(b"")
    return {lg: render_check(results, data, name, lg) for lg in LANGS}
