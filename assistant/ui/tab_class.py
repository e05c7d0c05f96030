"""Class view (inside the Trainer tab): the trainer's classes, per trainee and module — exercises done,
knowledge-check scores, self-assessment before/after — a heat map trainee × module, before/after bars,
the share at basic understanding against the target, and the export (printable HTML report, CSV, XLSX).

A trainer sees only the classes they are a trainer of (without accounts, the local user sees all).
"""
from __future__ import annotations

import html
import re
import secrets
from pathlib import Path
from urllib.parse import quote

import gradio as gr

from assistant.progress import charts
from assistant.progress.export import write_csv, write_xlsx
from assistant.progress.knowledge import load_checks
from assistant.progress.page import report_html
from assistant.progress.report import Rule, class_report, pct
from assistant.ui import learner as L
from assistant.ui.context import Ctx
from assistant.ui.i18n import tr


def reports_dir(settings) -> Path:
    """Where exported class reports are written (served to logged-in users under unguessable names)."""
    d = (Path(settings.data_dir) / "reports" / "classes").resolve()
    d.mkdir(parents=True, exist_ok=True)
    return d


def cls_marker(name: str = "", trainees: int = 0, state: str = "idle") -> str:
    return (f'<span class="cls-state" data-state="{state}" data-class="{html.escape(name)}" '
            f'data-trainees="{int(trainees)}"></span>')


def summary_md(rep: dict, lang: str) -> str:
    rule = rep["rule"]
    head = [tr("cls.h_module", lang), tr("cls.h_basic", lang), tr("cls.h_share", lang),
            tr("cls.h_target", lang, target=pct(rule["target"]))]
    lines = [tr("cls.rule", lang, score=pct(rule["min_score"]), n=rule["min_exercises"]), "",
             "| " + " | ".join(head) + " |", "|---|---|---|---|"]

    def row(label, s):
        mark = tr("cls.meets" if s["meets_target"] else "cls.below", lang)
        return f"| {label} | {s['basic']}/{s['trainees']} | **{pct(s['share'])}** | {mark} |"

    for m in rep["modules"]:
        title = (rep["module_titles"].get(m) or {}).get(lang) or ""
        lines.append(row(f"{tr('ex.module_n', lang, n=m)}: {title}", rep["summary"][m]))
    lines.append(row(f"**{tr('cls.all_modules', lang)}**", rep["course"]))
    return "\n".join(lines)


def _lv(v) -> str:
    return "–" if v is None else str(v)


def table(rep: dict, lang: str):
    import pandas as pd

    cols = [tr("cls.h_trainee", lang)] + [tr("cls.module_short", lang, n=m) for m in rep["modules"]] + [tr("cls.h_course", lang)]
    rows = []
    for r in rep["trainees"]:
        cells = [r["learner"]]
        for m in rep["modules"]:
            v = r["modules"][m]
            cell = tr("cls.cell", lang, best=pct(v["kc_best"]), done=v["exercises_done"], total=v["exercises_total"])
            if v["sa_before"] is not None or v["sa_after"] is not None:
                cell += " · " + tr("cls.self_cell", lang, before=_lv(v["sa_before"]), after=_lv(v["sa_after"]))
            cells.append(cell + (" ✓" if v["basic"] else ""))
        cb, ca = r["sa_course_before"], r["sa_course_after"]
        course = tr("cls.self_cell", lang, before=_lv(cb), after=_lv(ca)) if cb is not None or ca is not None else "–"
        cells.append(course + (" ✓" if r["basic_all"] else ""))
        rows.append(cells)
    return pd.DataFrame(rows, columns=cols)


def export(ctx: Ctx, rep: dict, lang: str) -> list[Path]:
    """The printable HTML report, the CSV and the XLSX of one class, in a fresh unguessable folder."""
    folder = reports_dir(ctx.settings) / secrets.token_hex(16)
    folder.mkdir(parents=True)
    stem = re.sub(r"[^\w.-]+", "-", rep["class"], flags=re.UNICODE).strip("-") or "lop"
    page = folder / f"{tr('cls.file_report', lang)}-{stem}-{lang}.html"
    page.write_text(report_html(rep, lang), encoding="utf-8")
    return [page, write_csv(rep, folder / f"{tr('cls.file_table', lang)}-{stem}-{lang}.csv", lang),
            write_xlsx(rep, folder / f"{tr('cls.file_table', lang)}-{stem}-{lang}.xlsx", lang)]


def build(ctx: Ctx) -> None:
    reg = ctx.reg
    lang_in = ctx.c["lang"]
    rule = Rule.from_settings(ctx.settings)
    checks = load_checks()

    reg.add(gr.Markdown(elem_id="cls-heading"), value="cls.heading")
    with gr.Row():
        cls = reg.add(gr.Dropdown(choices=[], elem_id="cls-class", scale=3), label="cls.class")
        refresh = reg.add(gr.Button(elem_id="cls-refresh", scale=1), value="cls.refresh")
    summary = gr.Markdown(elem_id="cls-summary")
    grid = reg.add(gr.Dataframe(elem_id="cls-table", interactive=False, wrap=True), label="cls.table")
    reg.add(gr.Markdown(elem_id="cls-legend"), value="cls.legend")
    # the figures carry their own translated titles and axis labels
    heat = gr.Plot(elem_id="cls-heatmap", format="png", show_label=False)
    with gr.Row(equal_height=False):
        shares = gr.Plot(elem_id="cls-shares", format="png", show_label=False)
        bars = gr.Plot(elem_id="cls-before-after", format="png", show_label=False)
    export_btn = reg.add(gr.Button(elem_id="cls-export", variant="primary"), value="cls.export")
    link = gr.HTML(elem_id="cls-report-link")
    files = reg.add(gr.File(interactive=False, file_count="multiple", elem_id="cls-files", visible=False), label="cls.files")
    state = gr.HTML(cls_marker(), elem_id="cls-state", elem_classes=["machine-state"])

    def allowed(request) -> list[str]:
        return L.trainer_classes(ctx, request)

    def report_for(name, request):
        if not name or name not in allowed(request):
            return None
        return class_report(L.store(ctx), name, L.catalogue(ctx), rule, checks)

    def empty(lang, request, msg_key):
        return (tr(msg_key, lang), None, None, None, None, cls_marker(state="empty"))

    def show(name, lang, request: gr.Request):
        lang = ctx.lang(lang)
        if not ctx.is_trainer(request):
            return empty(lang, request, "tr.refused")
        rep = report_for(name, request)
        if rep is None:
            return empty(lang, request, "cls.pick" if allowed(request) else "cls.no_classes")
        return (summary_md(rep, lang), table(rep, lang), charts.heatmap(rep, lang), charts.before_after(rep, lang),
                charts.shares(rep, lang), cls_marker(name, len(rep["trainees"]), "shown"))

    outs = [summary, grid, heat, bars, shares, state]
    cls.input(show, [cls, lang_in], outs, api_visibility="private")
    refresh.click(show, [cls, lang_in], outs, api_visibility="private")

    def do_export(name, lang, request: gr.Request):
        lang = ctx.lang(lang)
        rep = report_for(name, request) if ctx.is_trainer(request) else None
        if rep is None:
            return tr("cls.pick", lang), gr.update(value=None, visible=False)
        paths = export(ctx, rep, lang)
        url = "/gradio_api/file=" + quote(str(paths[0]))
        a = (f'<a id="cls-report-open" href="{html.escape(url)}" target="_blank" rel="noopener">'
             f'{html.escape(tr("cls.open_report", lang))} ↗</a> · {html.escape(tr("cls.print_hint", lang))}')
        return a, gr.update(value=[str(p) for p in paths], visible=True)

    export_btn.click(do_export, [cls, lang_in], [link, files], api_visibility="private")

    def on_load(lang, name, request=None):
        """Page load and language switch: the trainer's classes, and the chosen class in that language."""
        lang = ctx.lang(lang)
        cleared = ("", gr.update(value=None, visible=False))  # an export made in the other language is put away
        if request is None or not ctx.is_trainer(request):
            return (gr.update(choices=[], value=None), "", None, None, None, None, cls_marker(), *cleared)
        names = allowed(request)
        name = name if name in names else (names[0] if names else None)
        return (gr.update(choices=names, value=name), *show(name, lang, request), *cleared)

    ctx.c.setdefault("on_lang", []).append((on_load, [lang_in, cls], [cls, *outs, link, files]))
