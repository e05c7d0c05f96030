"""Tab "Giảng viên / Trainer" (trainers only): corpus status and re-index, shared uploads,
glass-box view of recent answers, feedback and usage charts, log export, latest eval report."""
from __future__ import annotations

import html
import shutil
import tempfile
import time
from pathlib import Path

import gradio as gr

from assistant.loaders import SUPPORTED
from assistant.messages import t
from assistant.ui.context import Ctx
from assistant.ui.i18n import tr

CSV_DIR = Path(tempfile.gettempdir()) / "assistant-logs"
REASONS = ("wrong", "source", "unclear", "other")


def status_md(ctx: Ctx, lang: str) -> str:
    st = ctx.services.corpus_status()
    last = st.get("last") or {}
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(last["finished"])) if last.get("finished") else tr("tr.never", lang)
    return tr("tr.status", lang, docs=st["documents"], chunks=st["chunks"], last=when)


TIMING_KEYS = ("guard_in_ms", "rewrite_ms", "retrieve_ms", "generate_ms", "check_ms", "guard_out_ms", "total_ms")
KINDS = ("ask", "summarize", "extract", "plain_language", "draft", "search", "guard")


def _cell(text) -> str:
    return " ".join(str(text or "").split()).replace("|", "/")


def guard_table(guard: dict | None, lang: str) -> list[str]:
    """The guard's decisions as a readable table: which part, what was decided, what was found and why."""
    stages = (guard or {}).get("stages") or []
    if not stages:
        return [tr("tr.guard_none", lang)]
    rows = [f"| {tr('tr.guard_part', lang)} | {tr('tr.guard_decision', lang)} | {tr('tr.guard_found', lang)} |",
            "|---|---|---|"]
    for st in stages:
        part = tr(f"tr.guard_part_{st.get('part') or st.get('stage') or 'question'}", lang)
        decision = tr(f"tr.guard_{st.get('decision', 'allow')}", lang)
        found = "; ".join(dict.fromkeys(_cell(f.get("message")) for f in st.get("findings") or [] if f.get("message")))
        rows.append(f"| {part} | {decision} | {found or '—'} |")
    expl = [x.get("explanation") for x in stages if x.get("explanation")]
    if expl:
        rows += ["", "\n".join(f"> {_cell(e)}" for e in dict.fromkeys(expl))]
    return rows


def engine_name(backend, lang: str) -> str:
    """The answer engine as logged, in words: the offline engine is logged as "offline"."""
    return tr("tr.g_offline", lang) if not backend or str(backend).lower() == "offline" else str(backend)


def glass_md(ev: dict | None, lang: str) -> str:
    """One logged answer seen from inside: retrieval, guard decisions, timings, the answer and the prompt."""
    if not ev:
        return t("ui.no_events", lang)
    kind = ev.get("kind") or ""
    out = [f"**{tr('tr.g_question', lang)}:** {ev.get('question', '')}",
           f"**{tr('tr.g_task', lang)}:** {tr('tr.kind_' + kind, lang) if kind in KINDS else kind} · "
           f"**{tr('tr.g_engine', lang)}:** {engine_name(ev.get('backend'), lang)} · "
           f"**{tr('tr.g_time', lang)}:** {ev.get('ms', 0):.0f} ms · "
           f"**{tr('tr.g_abstained', lang)}:** {tr('tr.yes' if ev.get('abstained') else 'tr.no', lang)}"]
    hits = ev.get("hits") or []
    if hits:
        out += ["", f"**{tr('tr.g_passages', lang)}**", "",
                f"| # | {tr('tr.g_score', lang)} | BM25 | {tr('tr.g_dense', lang)} | {tr('tr.g_source', lang)} |",
                "|---|---|---|---|---|"]
        for h in hits:
            label = h.get("breadcrumb") or h.get("source", "")
            page = f" ({tr('tr.g_page', lang)} {h['page']})" if h.get("page") else ""
            out.append(f"| {h.get('rank')} | {h.get('score', 0):.3f} | {h.get('lexical', 0):.2f} | "
                       f"{h.get('dense', 0):.3f} | {_cell(label)}{page} |")
    out += ["", f"**{tr('tr.g_guard', lang)}**", "", *guard_table(ev.get("guard"), lang)]
    tm = ev.get("timings") or {}
    steps = [f"{tr('tr.t_' + k, lang)} {float(tm[k]):.0f} ms" for k in TIMING_KEYS if isinstance(tm.get(k), (int, float))]
    if steps:
        out += ["", f"**{tr('tr.g_timings', lang)}:** " + " · ".join(steps)]
    out += ["", f"**{tr('tr.g_answer', lang)}**", "", ev.get("answer", "")]
    out += ["", f"**{tr('tr.g_prompt', lang)}**", ""]
    if ev.get("prompt"):
        out.append("```text\n" + ev["prompt"].replace("```", "ʼʼʼ") + "\n```")
    else:
        out.append(tr("tr.g_no_prompt", lang))
    return "\n".join(out)


def latest_eval(ctx: Ctx, lang: str = "vi") -> str | None:
    """The newest eval report: a run's ``report.json`` is rendered in the page's language (decisions and
    findings in words); a Markdown report without its JSON is shown as written."""
    cands = []
    for d in (Path("reports"), Path(ctx.settings.data_dir) / "reports", Path(ctx.settings.data_dir).parent / "reports"):
        if d.is_dir():
            cands += [p for p in d.rglob("*") if p.suffix in (".md", ".json") and p.is_file()]
    if not cands:
        return None
    p = max(cands, key=lambda p: (p.stat().st_mtime, p.suffix == ".json"))
    js = p if p.suffix == ".json" else p.with_suffix(".json")
    if js.is_file():
        try:
            import json

            from assistant.evals.report import markdown

            return markdown(json.loads(js.read_text(encoding="utf-8")), lang)
        except (ValueError, KeyError, TypeError):  # not a report of ours: shown as a file below
            pass
    if p.suffix == ".json":
        return None
    return p.read_text(encoding="utf-8", errors="replace")[:20000]


def build(ctx: Ctx) -> None:
    import pandas as pd

    reg = ctx.reg
    lang_in = ctx.c["lang"]
    s = ctx.settings

    def refused(request) -> bool:
        return not ctx.is_trainer(request)

    reg.add(gr.Markdown(), value="tr.corpus")
    status = gr.Markdown(elem_id="tr-status")
    with gr.Row():
        reindex = reg.add(gr.Button(variant="primary", elem_id="tr-reindex"), value="tr.reindex")
        refresh = reg.add(gr.Button(elem_id="tr-refresh"), value="tr.refresh")
    reindex_out = gr.Markdown(elem_id="tr-reindex-out")
    shared = reg.add(gr.UploadButton(file_count="multiple", elem_id="tr-upload"), label="tr.upload")
    shared_out = gr.Markdown(elem_id="tr-upload-out")
    reg.add(gr.Markdown(), value="tr.glass")
    recent = reg.add(gr.Dropdown(elem_id="tr-recent", choices=[]), label="tr.recent")
    glass = gr.Markdown(elem_id="tr-glass")
    reg.add(gr.Markdown(), value="tr.charts")
    with gr.Row():
        usage = reg.add(gr.BarPlot(x="kind", y="n", elem_id="tr-usage", height=240), lambda lang: {
            "label": tr("tr.usage_plot", lang), "x_title": tr("tr.axis_task", lang), "y_title": tr("tr.axis_count", lang)})
        fb = reg.add(gr.BarPlot(x="reason", y="n", color="rating", elem_id="tr-feedback", height=240), lambda lang: {
            "label": tr("tr.feedback_plot", lang), "x_title": tr("tr.axis_reason", lang), "y_title": tr("tr.axis_count", lang),
            "color_title": tr("tr.axis_rating", lang)})
    export = reg.add(gr.Button(size="sm", elem_id="tr-export"), value="tr.export_csv")
    export_files = gr.File(interactive=False, file_count="multiple", elem_id="tr-export-files", height=80, visible=False)
    reg.add(gr.Markdown(), value="tr.eval")
    eval_md = gr.Markdown(elem_id="tr-eval")
    from assistant.ui import tab_class

    tab_class.build(ctx)  # classes and their learning results

    def load_all(lang, request: gr.Request):
        lang = ctx.lang(lang)
        if refused(request):
            return (tr("tr.refused", lang), gr.update(choices=[]), "", None, None, "")
        evs = ctx.services.logs.recent(30)
        choices = [(f"#{e['id']} · {time.strftime('%H:%M', time.localtime(e['ts']))} · {(e['question'] or '')[:70]}",
                    e["id"]) for e in evs]
        u = pd.DataFrame(ctx.services.logs.usage() or [], columns=["kind", "n", "ms"])
        u["kind"] = [tr("tr.kind_" + k, lang) if k in KINDS else k for k in u["kind"]]
        f = pd.DataFrame(ctx.services.logs.feedback_counts() or [], columns=["rating", "reason", "n"])
        f["reason"] = [tr("tr.reason_" + r, lang) if r in REASONS else (r or "—") for r in f["reason"]]
        f["rating"] = [tr("tr.rating_" + r, lang) for r in f["rating"]]
        u_lim = [0, int(u["n"].max()) + 1] if len(u) else None
        f_lim = [0, int(f["n"].max()) + 1] if len(f) else None
        return (status_md(ctx, lang), gr.update(choices=choices, value=choices[0][1] if choices else None),
                glass_md(evs[0] if evs else None, lang), gr.update(value=u, y_lim=u_lim),
                gr.update(value=f, y_lim=f_lim), latest_eval(ctx, lang) or tr("tr.no_eval", lang))

    outs = [status, recent, glass, usage, fb, eval_md]
    refresh.click(load_all, [lang_in], outs, api_visibility="private")
    ctx.c["trainer_load"] = (load_all, [lang_in], outs)

    def show(ev_id, lang, request: gr.Request):
        lang = ctx.lang(lang)
        if refused(request):
            return tr("tr.refused", lang)
        return glass_md(ctx.services.logs.event(int(ev_id)) if ev_id else None, lang)

    recent.change(show, [recent, lang_in], glass, api_visibility="private")

    def do_reindex(lang, request: gr.Request, progress=gr.Progress()):
        lang = ctx.lang(lang)
        if refused(request):
            return tr("tr.refused", lang), gr.update()

        def cb(n, total, path):
            progress((n, total), desc=t("ui.reindex_progress", lang, n=n, total=total, path=path))

        progress(0, desc=t("ui.reindex_progress", lang, n=0, total="?", path=""))
        try:
            rep = ctx.services.reindex(progress=cb, lang=lang)
        except Exception as exc:  # noqa: BLE001
            msg = exc.message(lang) if hasattr(exc, "message") else t("ui.error", lang, detail=str(exc)[:200])
            return "✗ " + msg, status_md(ctx, lang)
        if rep.get("busy"):
            return t("ui.reindex_busy", lang), gr.update()
        lines = [t("ui.reindex_done", lang, summary=rep["summary"])]
        for e in rep.get("errors", []):
            lines.append("- " + t("index.failed_file", lang, path=e["path"], reason=e["error"]))
        return "\n".join(lines), status_md(ctx, lang)

    reindex.click(do_reindex, [lang_in], [reindex_out, status], api_visibility="private",
                  concurrency_limit=1, concurrency_id="reindex")

    def add_shared(files, lang, request: gr.Request):
        lang = ctx.lang(lang)
        if refused(request):
            return tr("tr.refused", lang)
        if not files:
            return ""
        corpus = Path(s.corpus_dir)
        corpus.mkdir(parents=True, exist_ok=True)
        added, errors = [], []
        for f in files:
            p = Path(f if isinstance(f, str) else f.name)
            if p.suffix.lower() not in SUPPORTED:
                errors.append(t("ui.upload_bad_type", lang, name=p.name, ext=p.suffix or "?",
                                supported=", ".join(sorted(SUPPORTED))))
                continue
            size = p.stat().st_size
            if size > s.max_file_mb * 1024 * 1024:
                errors.append(t("ui.upload_too_large", lang, name=p.name, size_mb=f"{size / 1048576:.1f}",
                                max_mb=f"{s.max_file_mb:g}"))
                continue
            dest = corpus / "uploads" / p.name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(p, dest)
            added.append(html.escape(p.name))
        msg = [tr("tr.upload_done", lang, names=", ".join(added))] if added else []
        return "\n\n".join(msg + ["✗ " + e for e in errors])

    shared.upload(add_shared, [shared, lang_in], [shared_out], api_visibility="private")

    def do_export(request: gr.Request):
        if refused(request):
            raise gr.Error(tr("tr.refused", "vi") + " / " + tr("tr.refused", "en"))
        CSV_DIR.mkdir(parents=True, exist_ok=True)
        d = Path(tempfile.mkdtemp(dir=CSV_DIR))
        paths = []
        for table in ("events", "feedback"):
            p = d / f"{table}.csv"
            p.write_text("\ufeff" + ctx.services.logs.to_csv(table), encoding="utf-8")
            paths.append(str(p))
        return gr.update(value=paths, visible=True)

    export.click(do_export, None, export_files, api_visibility="private")
