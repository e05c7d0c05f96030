"""Rendering of ``eval all`` reports: Markdown and a self-contained HTML page (inline CSS, charts as base64 PNG).

Every heading, label and note comes from ``prompts/messages_evals.yaml`` (``evals.*``), in Vietnamese or English.
Figures are shown as ``test / dev`` (test first: the held-out figure to quote); failure lists come from dev only.
"""
from __future__ import annotations

import base64
import html as _html
import io

from assistant.messages import t

RET_METRICS = ("R@1", "R@5", "MRR@10", "nDCG@10")
RET_ALL = ("R@1", "R@3", "R@5", "R@10", "MRR@10", "nDCG@10")
ANS_METRICS = ("citation_precision", "citation_recall", "abstention_accuracy", "must_include_recall", "groundedness")
ORDER = ("test", "dev")


def _w(lang: str):
    return lambda key, **kw: t("evals." + key, lang, **kw)


def _options(options: dict, lang: str) -> str:
    """The run's options as a reader reads them ("xquad: có, limit: —"), not as Python prints a dict."""
    def word(v):
        if isinstance(v, bool):
            return t("evals.word.yes" if v else "evals.word.no", lang)
        return "–" if v is None or v == "" else str(v)
    return ", ".join(f"{k}: {word(v)}" for k, v in (options or {}).items())


def _guard_item(w, x: dict, lang: str) -> str:
    """A guard decision that differs from the expected one, in words (decisions and finding types named)."""
    from assistant.guard.explain import finding_label

    def decision(d):
        return t(f"evals.word.decision_{d}", lang) if d in ("allow", "warn", "block") else str(d)
    types = x.get("types") or []
    names = ", ".join(dict.fromkeys(finding_label(k, lang) for k in types)) if isinstance(types, (list, tuple)) else str(types)
    return w("improve.guard_item", id=x["id"], expected=decision(x["expected"]), got=decision(x["got"]),
             types=f"({names})" if names else "", text=x["text"])


def _f(v, ms: bool = False) -> str:
    if v is None:
        return "–"
    if ms:
        return f"{v:.1f}"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def _splits(report: dict) -> list[str]:
    have = report.get("splits") or list(ORDER)
    return [s for s in ORDER if s in have]


def _pair(values: dict, splits: list[str], ms: bool = False) -> str:
    """``test / dev`` (or the one split computed)."""
    return " / ".join(_f(values.get(s), ms) for s in splits)


def _metric_name(w, key: str) -> str:
    try:
        return f"{w('metric.' + key)} (`{key}`)"
    except KeyError:
        return f"`{key}`"


def _ret(cfg: dict, split: str, set_name: str = "corpus") -> dict:
    res = (((cfg.get("retrieval") or {}).get("splits") or {}).get(split) or {}).get("sets", {}).get(set_name)
    if not res:
        return {}
    return next(iter(res["modes"].values()))["metrics"]


def _ret_n(cfg: dict, split: str, set_name: str) -> int | None:
    res = (((cfg.get("retrieval") or {}).get("splits") or {}).get(split) or {}).get("sets", {}).get(set_name)
    return res["n"] if res else None


def _area(cfg: dict, area: str, split: str) -> dict:
    return (((cfg.get(area) or {}).get("splits") or {}).get(split) or {})


def _by_split(cfg: dict, getter, splits) -> dict:
    return {s: getter(cfg, s) for s in splits}


def _threshold_rows(cfg: dict) -> list[tuple[str, dict]]:
    return ([("retrieval", r) for r in cfg.get("retrieval_thresholds", [])] + [("answers", r) for r in cfg.get("answers_thresholds", [])]
            + [("guardrails", r) for r in cfg.get("guardrails_thresholds", [])])


def worst_retrieval(cfg: dict, n: int = 8) -> list[dict]:
    """The worst retrieval questions of the DEV split (the test split is never listed)."""
    res = (((cfg.get("retrieval") or {}).get("splits") or {}).get("dev") or {}).get("sets", {}).get("corpus")
    if not res:
        return []
    qs = next(iter(res["modes"].values()))["queries"]
    return sorted(qs, key=lambda q: q["rr"])[:n] if qs else []


def worst_answers(cfg: dict, n: int = 8, lang: str = "en") -> list[dict]:
    """Answers of the DEV split that missed, each with why."""
    w = _w(lang)
    per = [p for p in (cfg.get("answers") or {}).get("per_question") or [] if p.get("split") == "dev"]
    bad = []
    for p in per:
        why = []
        if p.get("in_corpus") and p.get("abstained"):
            why.append(w("why.abstained"))
        if not p.get("in_corpus") and not p.get("abstained"):
            why.append(w("why.answered_out"))
        if p.get("precision") is not None and p["precision"] < 1:
            why.append(w("why.precision", value=f"{p['precision']:.2f}"))
        if p.get("missing_facts"):
            why.append(w("why.missing", facts="; ".join(p["missing_facts"])))
        if why:
            bad.append({**p, "why": why})
    return bad[:n]


def guard_errors(cfg: dict) -> list[dict]:
    return (_area(cfg, "guardrails", "dev").get("shipped") or {}).get("errors") or []


def _met_count(cfg: dict) -> tuple[int, int]:
    rows = [r for _, r in _threshold_rows(cfg)]
    return sum(bool(x["met"]) for x in rows), len(rows)


def summary(report: dict, lang: str = "en") -> str:
    w = _w(lang)
    sp = _splits(report)
    lines = [w("summary.values", labels=" / ".join(w("label." + s) for s in sp))]
    for c in report["configs"]:
        r = _by_split(c, _ret, sp)
        a = {s: _area(c, "answers", s).get("metrics") or {} for s in sp}
        met, n = _met_count(c)
        line = w("summary.line", name=c["name"], r5=_pair({s: r[s].get("R@5") for s in sp}, sp),
                 mrr=_pair({s: r[s].get("MRR@10") for s in sp}, sp),
                 cp=_pair({s: a[s].get("citation_precision") for s in sp}, sp), met=met, n=n, seconds=c["seconds"])
        if c.get("errors"):
            line += " | " + w("summary.errors", areas=", ".join(c["errors"]))
        lines.append(line)
    for name, regs in (report.get("vs_baseline") or {}).items():
        if regs:
            lines.append(w("summary.regress_base", name=name, base=report["configs"][0]["name"],
                           metrics=", ".join(r["metric"] for r in regs)))
    for name, regs in ((report.get("previous") or {}).get("regressions") or {}).items():
        if regs:
            lines.append(w("summary.regress_prev", name=name, metrics=", ".join(r["metric"] for r in regs)))
    lines.append(w("summary.total", seconds=report["seconds"]))
    return "\n".join(lines)


def _split_note(w, sp) -> str:
    return w("note.splits") if len(sp) == 2 else w("note.one_split", split=w("label." + sp[0]))


def _result(w, r) -> str:
    return w("result.met") if r["met"] else w("result.missed")


def markdown(report: dict, lang: str = "en") -> str:
    w = _w(lang)
    sp = _splits(report)
    td = " / ".join(w("label." + s) for s in sp)
    cfgs = report["configs"]
    L = [f"# {w('report.title')} — {report['created']}", "",
         w("report.intro", names=", ".join(c["name"] for c in cfgs), seconds=report["seconds"], options=_options(report["options"], lang)), "",
         _split_note(w, sp), ""]
    # summary
    head = ([w("col.configuration"), w("col.mode"), w("col.model")] + [f"{m} ({td})" for m in RET_METRICS]
            + [f"{w('metric.' + m)} ({td})" for m in ("citation_precision", "citation_recall", "abstention_accuracy")]
            + [w("col.thresholds_met")])
    L += [f"## {w('h.summary')}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for c in cfgs:
        r = _by_split(c, _ret, sp)
        a = {s: _area(c, "answers", s).get("metrics") or {} for s in sp}
        met, n = _met_count(c)
        L.append(f"| {c['name']} | {(c.get('retrieval') or {}).get('mode', '?')} | {c.get('embedding_model', '')} | "
                 + " | ".join(_pair({s: r[s].get(m) for s in sp}, sp) for m in RET_METRICS) + " | "
                 + " | ".join(_pair({s: a[s].get(m) for s in sp}, sp) for m in ("citation_precision", "citation_recall", "abstention_accuracy"))
                 + f" | {met}/{n} |")
    # retrieval
    L += ["", f"## {w('h.retrieval')}", ""]
    for c in cfgs:
        L.append(f"### {c['name']}")
        sets = []
        for s in sp:
            for name in (((c.get("retrieval") or {}).get("splits") or {}).get(s) or {}).get("sets", {}):
                if name not in sets:
                    sets.append(name)
        if sets:
            head = [w("col.set"), f"{w('col.questions')} ({td})"] + [f"{m} ({td})" for m in RET_ALL]
            L += ["", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
            for name in sets:
                m = {s: _ret(c, s, name) for s in sp}
                L.append(f"| {name} | " + " / ".join(str(_ret_n(c, s, name) or 0) for s in sp) + " | "
                         + " | ".join(_pair({s: m[s].get(k) for s in sp}, sp) for k in RET_ALL) + " |")
        elif "retrieval" in c.get("errors", {}):
            L.append("- " + w("note.not_measured", reason=c["errors"]["retrieval"]))
        L.append("")
    # answers
    L += [f"## {w('h.answers')}", ""]
    for c in cfgs:
        a = c.get("answers")
        L.append(f"### {c['name']}")
        if a is None:
            L += ["", "- " + w("note.not_measured", reason=c["errors"].get("answers", w("note.skipped"))), ""]
            continue
        counts = " / ".join(str(_area(c, "answers", s).get("questions", 0)) for s in sp)
        L += ["", f"{a.get('backend')}; {w('col.questions')} ({td}): {counts}", "",
              f"| {w('col.metric')} | " + " | ".join(w("label." + s) for s in sp) + " |", "|---|" + "---|" * len(sp)]
        names = list(dict.fromkeys(k for s in sp for k in (_area(c, "answers", s).get("metrics") or {})))
        for k in names:
            L.append(f"| {_metric_name(w, k)} | " + " | ".join(_f((_area(c, "answers", s).get("metrics") or {}).get(k)) for s in sp) + " |")
        cal = a.get("calibration") or {}
        if cal.get("threshold") is not None:
            L += ["", w("note.calibration", n_dev=cal.get("n_dev"), threshold=cal.get("threshold"), accuracy=_f(cal.get("accuracy")),
                        n_test=cal.get("n_test"), test_accuracy=_f(cal.get("test_accuracy")))]
        if a.get("judge_skipped"):
            L += ["", w("note.judge_skipped")]
        L.append("")
    # guardrails
    L += [f"## {w('h.guardrails')}", ""]
    for c in cfgs:
        g = c.get("guardrails")
        L.append(f"### {c['name']}")
        if g is None:
            L += ["", "- " + w("note.not_measured", reason=c["errors"].get("guardrails", w("note.skipped"))), ""]
            continue
        L += ["", f"| {w('col.metric')} | " + " | ".join(w("label." + s) for s in sp) + " |", "|---|" + "---|" * len(sp)]
        names = list(dict.fromkeys(k for s in sp for k in (_area(c, "guardrails", s).get("metrics") or {})))
        for k in names:
            L.append(f"| {_metric_name(w, k)} | " + " | ".join(_f((_area(c, "guardrails", s).get("metrics") or {}).get(k)) for s in sp) + " |")
        L.append("")
        for s in sp:
            blk = _area(c, "guardrails", s)
            sh = blk.get("shipped") or {}
            if sh:
                L.append("- " + w("note.decisions", accuracy=_f(sh.get("decision_accuracy")), rows=sh.get("rows"),
                                  split=w("label." + s), false_alarms=sh.get("false_alarms_on_allow")))
            if blk.get("redteam"):
                L.append("- " + w("note.redteam", split=w("label." + s),
                                  items=", ".join(f"{k} {v['caught']}/{v['n']}" for k, v in blk["redteam"].items())))
            if blk.get("xquad_vi"):
                x = blk["xquad_vi"]
                L.append("- " + w("note.xquad_benign", split=w("label." + s), flagged=x["flagged"], n=x["n"], injection=x["injection_fp"]))
        first = _area(c, "guardrails", sp[0]).get("shipped") or {}
        if first.get("sets"):
            L.append("- " + w("note.sets", sets=", ".join(f"{k} {v}" for k, v in first["sets"].items())) + f" ({w('label.' + sp[0])})")
        if g.get("shared_missing"):
            L.append("- " + w("note.shared_missing", path=g["shared_missing"]))
        L.append("")
    # speed
    cols = ("retrieval_p50", "retrieval_p95", "answer_p50", "answer_p95", "guard_p50", "guard_p95")
    keys = ("retrieval_ms_p50", "retrieval_ms_p95", "answer_ms_p50", "answer_ms_p95", "guard_ms_p50", "guard_ms_p95")
    L += [f"## {w('h.speed')}", "", f"| {w('col.configuration')} | " + " | ".join(w("col." + k) for k in cols) + f" | {w('col.run_s')} |",
          "|---|" + "---|" * (len(cols) + 1)]
    for c in cfgs:
        s = c.get("speed") or {}
        L.append(f"| {c['name']} | " + " | ".join(_f(s.get(k), ms=True) for k in keys) + f" | {c['seconds']} |")
    # thresholds
    L += ["", f"## {w('h.thresholds')}", "", w("note.thresholds") if "test" in sp else w("note.no_test"), ""]
    for c in cfgs:
        L.append(f"### {c['name']}")
        L += ["", f"| {w('col.area')} | {w('col.threshold')} | {w('col.rule')} | {w('label.test')} | {w('label.dev')} | {w('col.result')} |",
              "|---|---|---|---|---|---|"]
        for area, r in _threshold_rows(c):
            L.append(f"| {area} | {r['name']} | {r['rule']} | {_f(r['value'])} | {_f(r.get('dev'))} | {_result(w, r)} |")
        L.append("")
    # regressions
    L += [f"## {w('h.regressions')}", ""]
    base = cfgs[0]["name"] if cfgs else ""
    for name, regs in (report.get("vs_baseline") or {}).items():
        for r in regs:
            L.append("- " + w("regress.vs_base", name=name, base=base, metric=r["metric"], before=_f(r["before"]), after=_f(r["after"])))
    prev = report.get("previous") or {}
    for name, regs in (prev.get("regressions") or {}).items():
        for r in regs:
            L.append("- " + w("regress.vs_prev", name=name, path=prev["path"], metric=r["metric"], before=_f(r["before"]), after=_f(r["after"])))
    if not prev:
        L.append("- " + w("regress.no_prev"))
    elif not any((prev.get("regressions") or {}).values()):
        L.append("- " + w("regress.none_prev", path=prev.get("path"), tolerance=report["tolerance"]))
    # where to start improving (dev only)
    L += ["", f"## {w('h.improve')}", "", w("note.improve_dev"), ""]
    for c in cfgs:
        L.append(f"### {w('improve.retrieval', name=c['name'])}")
        for q in worst_retrieval(c):
            gold = ", ".join(f"{g['source']}#{g.get('article', '')}" for g in q["gold"])
            L.append("- " + w("improve.retrieval_item", rr=f"{q['rr']:.2f}", question=q["question"], gold=gold, top=", ".join(q["top"])))
        L.append(f"### {w('improve.answers', name=c['name'])}")
        for p in worst_answers(c, lang=lang):
            L.append("- " + w("improve.answer_item", id=p.get("id"), question=p.get("question", ""), why="; ".join(p["why"]),
                              cited=", ".join(p.get("cited") or []) or w("word.nothing")))
        errs = guard_errors(c)
        if errs:
            L.append(f"### {w('improve.guard', name=c['name'])}")
            for e in errs[:8]:
                L.append("- " + _guard_item(w, e, lang))
        L.append("")
    if report.get("beir"):
        b = report["beir"]
        L += [f"## {w('h.beir')}", ""]
        if "error" in b:
            L.append("- " + w("note.error", error=b["error"]))
        else:
            for mode, r in b["modes"].items():
                L.append("- " + w("note.beir", name=b["name"], documents=b["documents"], n=b["n"], mode=mode,
                                  metrics=", ".join(f"{k} {_f(v)}" for k, v in r["metrics"].items())))
    errors = [(c["name"], a, e) for c in cfgs for a, e in (c.get("errors") or {}).items()]
    if errors:
        L += ["", f"## {w('h.not_measured')}", ""] + [f"- {n} / {a}: {e}" for n, a, e in errors]
    return "\n".join(L) + "\n"


# ------------------------------------------------------------------ charts
def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _bars(cfgs, metrics, getter, title):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.2))
    width = 0.8 / max(1, len(cfgs))
    for i, c in enumerate(cfgs):
        vals = [getter(c).get(m) or 0.0 for m in metrics]
        bars = ax.bar([x + i * width for x in range(len(metrics))], vals, width, label=c["name"])
        ax.bar_label(bars, labels=[f"{v:.2f}" for v in vals], fontsize=7)
    ax.set_xticks([x + width * (len(cfgs) - 1) / 2 for x in range(len(metrics))], metrics, fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=max(1, len(cfgs)), frameon=False)
    return _png(fig)


def _latency(cfgs, w):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    fig, axes = plt.subplots(1, 2, figsize=(12, 2.2 + 0.4 * len(cfgs)))
    for ax, key, title in ((axes[0], "retrieval_ms", w("chart.retrieval_ms")), (axes[1], "answer_ms", w("chart.answer_ms"))):
        data = [(c["name"], (c.get("speed") or {}).get(key) or []) for c in cfgs]
        data = [(n, d) for n, d in data if d]
        if data:
            values = [[max(x, 0.1) for x in d] for _, d in data]
            try:
                ax.boxplot(values, orientation="horizontal")
            except TypeError:  # matplotlib < 3.10
                ax.boxplot(values, vert=False)
            ax.set_xscale("log")
            ax.xaxis.set_major_formatter(ScalarFormatter())
            ax.xaxis.set_minor_formatter(NullFormatter())
            ax.set_yticks(range(1, len(data) + 1), [n for n, _ in data], fontsize=8)
        ax.set_title(title, fontsize=9)
    return _png(fig)


CSS = """body{font-family:system-ui,sans-serif;margin:24px;max-width:1250px;color:#222}
h1{font-size:1.5em}h2{border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:1.6em}
table{border-collapse:collapse;margin:8px 0;font-size:.9em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
th{background:#f2f2f2}.met{color:#176b2c}.missed{color:#b00020;font-weight:bold}.small{font-size:.85em;color:#555}
.cols{display:flex;flex-wrap:wrap;gap:18px}.cols>div{flex:1 1 360px}li{margin:2px 0}img{max-width:100%}"""


def _table(head, rows) -> str:
    e = _html.escape
    return ("<table><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows) + "</table>")


def _md_bold(text: str) -> str:
    """The note texts carry **bold** for Markdown; in HTML, <b>."""
    import re

    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", _html.escape(text))


def html(report: dict, lang: str = "en") -> str:
    e = _html.escape
    w = _w(lang)
    sp = _splits(report)
    td = " / ".join(w("label." + s) for s in sp)
    cfgs = report["configs"]
    main = "test" if "test" in sp else sp[0]
    met_html = f"<span class='met'>{e(w('result.met'))}</span>"
    missed_html = f"<span class='missed'>{e(w('result.missed_plain'))}</span>"
    parts = [f"<!doctype html><html lang='{e(lang)}'><head><meta charset='utf-8'><title>{e(w('report.title'))}</title>"
             f"<style>{CSS}</style></head><body>",
             f"<h1>{e(w('report.title'))} — {e(report['created'])}</h1>",
             f"<p class='small'>{e(w('report.intro', names=', '.join(c['name'] for c in cfgs), seconds=report['seconds'], options=_options(report['options'], lang)))}</p>",
             f"<p>{_md_bold(_split_note(w, sp))}</p>"]
    # summary
    rows = []
    for c in cfgs:
        r = _by_split(c, _ret, sp)
        a = {s: _area(c, "answers", s).get("metrics") or {} for s in sp}
        met, n = _met_count(c)
        rows.append([e(c["name"]), e((c.get("retrieval") or {}).get("mode", "?")), e(c.get("embedding_model", ""))]
                    + [_pair({s: r[s].get(m) for s in sp}, sp) for m in RET_METRICS]
                    + [_pair({s: a[s].get(m) for s in sp}, sp) for m in ("citation_precision", "abstention_accuracy")]
                    + [f"<span class='{'missed' if met < n else 'met'}'>{met}/{n}</span>"])
    parts += [f"<h2>{e(w('h.summary'))}</h2>",
              _table([w("col.configuration"), w("col.mode"), w("col.model"), *[f"{m} ({td})" for m in RET_METRICS],
                      f"{w('metric.citation_precision')} ({td})", f"{w('metric.abstention_accuracy')} ({td})", w("col.thresholds_met")], rows)]
    # charts (the test split, or the one computed)
    try:
        ret_img = _bars(cfgs, list(RET_METRICS), lambda c: _ret(c, main), w("chart.retrieval"))
        ans_img = _bars(cfgs, list(ANS_METRICS), lambda c: _area(c, "answers", main).get("metrics") or {}, w("chart.answers"))
        lat_img = _latency(cfgs, w)
        parts += [f"<h2>{e(w('h.charts'))}</h2><div class='cols'>",
                  f"<div><img alt='retrieval' src='{ret_img}'></div><div><img alt='answers' src='{ans_img}'></div></div>",
                  f"<h2>{e(w('h.speed'))}</h2>", f"<img alt='latency' src='{lat_img}'>"]
    except Exception as exc:  # noqa: BLE001 - a report without charts is still a report
        parts.append(f"<p class='missed'>{e(w('note.charts_failed', error=str(exc)))}</p><h2>{e(w('h.speed'))}</h2>")
    srows = []
    for c in cfgs:
        s = c.get("speed") or {}
        srows.append([e(c["name"])] + [_f(s.get(k), ms=True) for k in ("retrieval_ms_p50", "retrieval_ms_p95", "answer_ms_p50", "answer_ms_p95",
                                                              "guard_ms_p50", "guard_ms_p95")] + [str(c["seconds"])])
    parts.append(_table([w("col.configuration"), w("col.retrieval_p50"), w("col.retrieval_p95"), w("col.answer_p50"), w("col.answer_p95"),
                         w("col.guard_p50"), w("col.guard_p95"), w("col.run_s")], srows))
    # retrieval sets
    parts.append(f"<h2>{e(w('h.retrieval'))}</h2>")
    rrows = []
    for c in cfgs:
        names = list(dict.fromkeys(n for s in sp for n in (((c.get("retrieval") or {}).get("splits") or {}).get(s) or {}).get("sets", {})))
        for name in names:
            m = {s: _ret(c, s, name) for s in sp}
            rrows.append([e(c["name"]), e(name), " / ".join(str(_ret_n(c, s, name) or 0) for s in sp)]
                         + [_pair({s: m[s].get(k) for s in sp}, sp) for k in RET_ALL]
                         + [_pair({s: m[s].get("ms_per_query") for s in sp}, sp, ms=True)])
    parts.append(_table([w("col.configuration"), w("col.set"), f"{w('col.questions')} ({td})", *[f"{k} ({td})" for k in RET_ALL],
                         f"{w('col.ms_query')} ({td})"], rrows))
    # answers
    parts.append(f"<h2>{e(w('h.answers'))}</h2><div class='cols'>")
    for c in cfgs:
        a = c.get("answers")
        if a is None:
            parts.append(f"<div><h3>{e(c['name'])}</h3><p class='missed'>{e(w('note.not_measured', reason=c['errors'].get('answers', w('note.skipped'))))}</p></div>")
            continue
        names = list(dict.fromkeys(k for s in sp for k in (_area(c, "answers", s).get("metrics") or {})))
        arows = [[e(_metric_name(w, k).replace("`", ""))] + [_f((_area(c, "answers", s).get("metrics") or {}).get(k)) for s in sp] for k in names]
        cal = a.get("calibration") or {}
        note = ""
        if cal.get("threshold") is not None:
            note = "<p class='small'>" + e(w("note.calibration", n_dev=cal.get("n_dev"), threshold=cal.get("threshold"),
                                              accuracy=_f(cal.get("accuracy")), n_test=cal.get("n_test"),
                                              test_accuracy=_f(cal.get("test_accuracy")))) + "</p>"
        if a.get("judge_skipped"):
            note += f"<p class='small'>{e(w('note.judge_skipped'))}</p>"
        parts.append(f"<div><h3>{e(c['name'])}</h3>" + _table([w("col.metric"), *[w("label." + s) for s in sp]], arows) + note + "</div>")
    parts.append("</div>")
    # guardrails: metrics and confusion per guard type
    parts.append(f"<h2>{e(w('h.guardrails'))}</h2><div class='cols'>")
    for c in cfgs:
        g = c.get("guardrails")
        if g is None:
            parts.append(f"<div><h3>{e(c['name'])}</h3><p class='missed'>{e(w('note.not_measured', reason=c['errors'].get('guardrails', '')))}</p></div>")
            continue
        names = list(dict.fromkeys(k for s in sp for k in (_area(c, "guardrails", s).get("metrics") or {})))
        grows = [[e(_metric_name(w, k).replace("`", ""))] + [_f((_area(c, "guardrails", s).get("metrics") or {}).get(k)) for s in sp] for k in names]
        extra = ""
        for s in sp:
            blk = _area(c, "guardrails", s)
            if blk.get("redteam"):
                extra += "<p class='small'>" + e(w("note.redteam", split=w("label." + s),
                                                  items=", ".join(f"{k} {v['caught']}/{v['n']}" for k, v in blk["redteam"].items()))) + "</p>"
        if g.get("shared_missing"):
            extra += f"<p class='small'>{e(w('note.shared_missing', path=g['shared_missing']))}</p>"
        parts.append(f"<div><h3>{e(c['name'])}</h3>" + _table([w("col.metric"), *[w("label." + s) for s in sp]], grows) + extra + "</div>")
    parts.append(f"</div><h3>{e(w('h.confusion'))} ({e(w('label.' + main))})</h3><div class='cols'>")
    for c in cfgs:
        sh = _area(c, "guardrails", main).get("shipped")
        if not sh:
            continue
        crows = [[e(tp), str(v.get("tp", "")), str(v.get("fp", "")), str(v.get("fn", "")), _f(v.get("precision")), _f(v.get("recall"))]
                 for tp, v in sorted(sh["groups"].items())]
        parts.append(f"<div><h3>{e(c['name'])}</h3>" + _table([w("col.type"), w("col.tp"), w("col.fp"), w("col.fn"), w("col.precision"),
                                                               w("col.recall")], crows)
                     + "<p class='small'>" + e(w("note.decisions", accuracy=_f(sh["decision_accuracy"]), rows=sh["rows"], split=w("label." + main),
                                                 false_alarms=sh["false_alarms_on_allow"])) + "</p></div>")
    parts.append("</div>")
    # thresholds
    parts.append(f"<h2>{e(w('h.thresholds'))}</h2><p class='small'>{e(w('note.thresholds') if 'test' in sp else w('note.no_test'))}</p><div class='cols'>")
    for c in cfgs:
        trows = [[area, e(r["name"]), e(r["rule"]), _f(r["value"]), _f(r.get("dev")), met_html if r["met"] else missed_html]
                 for area, r in _threshold_rows(c)]
        parts.append(f"<div><h3>{e(c['name'])}</h3>" + _table([w("col.area"), w("col.threshold"), w("col.rule"), w("label.test"), w("label.dev"),
                                                               w("col.result")], trows) + "</div>")
    parts.append("</div>")
    # regressions
    parts.append(f"<h2>{e(w('h.regressions'))}</h2><ul>")
    base = cfgs[0]["name"] if cfgs else ""
    n = 0
    for name, regs in (report.get("vs_baseline") or {}).items():
        for r in regs:
            n += 1
            parts.append(f"<li class='missed'>{e(w('regress.vs_base', name=name, base=base, metric=r['metric'], before=_f(r['before']), after=_f(r['after'])))}</li>")
    prev = report.get("previous") or {}
    for name, regs in (prev.get("regressions") or {}).items():
        for r in regs:
            n += 1
            parts.append(f"<li class='missed'>{e(w('regress.vs_prev', name=name, path=prev['path'], metric=r['metric'], before=_f(r['before']), after=_f(r['after'])))}</li>")
    if prev.get("path") and not any((prev.get("regressions") or {}).values()):
        parts.append(f"<li>{e(w('regress.none_prev', path=prev['path'], tolerance=report['tolerance']))}</li>")
    if not n and not prev:
        parts.append(f"<li>{e(w('regress.none', tolerance=report['tolerance']))}</li>")
    if not prev:
        parts.append(f"<li class='small'>{e(w('regress.no_prev'))}</li>")
    parts.append("</ul>")
    # failures (dev only)
    parts.append(f"<h2>{e(w('h.improve'))}</h2><p class='small'>{e(w('note.improve_dev'))}</p>")
    for c in cfgs:
        parts.append(f"<h3>{e(c['name'])}</h3><div class='cols'><div><b>{e(w('improve.retrieval', name=c['name']))}</b><ul>")
        for q in worst_retrieval(c):
            gold = ", ".join(f"{g['source']}#{g.get('article', '')}" for g in q["gold"])
            item = w("improve.retrieval_item", rr=f"{q['rr']:.2f}", question=q["question"], gold=gold, top=", ".join(q["top"]))
            parts.append(f"<li>{e(item)}</li>")
        parts.append(f"</ul></div><div><b>{e(w('improve.answers', name=c['name']))}</b><ul>")
        for p in worst_answers(c, lang=lang):
            parts.append(f"<li>{e(w('improve.answer_item', id=p.get('id'), question=p.get('question', ''), why='; '.join(p['why']), cited=', '.join(p.get('cited') or []) or w('word.nothing')))}</li>")
        parts.append("</ul></div></div>")
        errs = guard_errors(c)
        if errs:
            parts.append(f"<b>{e(w('improve.guard', name=c['name']))}</b><ul>" + "".join(
                f"<li>{e(_guard_item(w, x, lang))}</li>"
                for x in errs[:8]) + "</ul>")
    if report.get("beir"):
        b = report["beir"]
        parts.append(f"<h2>{e(w('h.beir'))}</h2>")
        if "error" in b:
            parts.append(f"<p class='missed'>{e(w('note.error', error=b['error']))}</p>")
        else:
            parts.append(_table([w("col.set"), w("col.mode"), "R@1", "R@5", "MRR@10", "nDCG@10"],
                                [[e(b["name"]), e(m)] + [_f(r["metrics"].get(k)) for k in ("R@1", "R@5", "MRR@10", "nDCG@10")] for m, r in b["modes"].items()]))
    errors = [(c["name"], a, x) for c in cfgs for a, x in (c.get("errors") or {}).items()]
    if errors:
        parts.append(f"<h2>{e(w('h.not_measured'))}</h2><ul>" + "".join(f"<li class='missed'>{e(n)} / {e(a)}: {e(x)}</li>" for n, a, x in errors) + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)
