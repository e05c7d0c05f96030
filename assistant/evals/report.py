"""Rendering of ``eval all`` reports: Markdown and a self-contained HTML page (inline CSS, charts as base64 PNG)."""
from __future__ import annotations

import base64
import html as _html
import io

RET_METRICS = ("R@1", "R@5", "MRR@10", "nDCG@10")
ANS_METRICS = ("citation_precision", "citation_recall", "abstention_accuracy", "must_include_recall", "groundedness")


def _f(v, ms: bool = False) -> str:
    if v is None:
        return "–"
    if ms:
        return f"{v:.1f}"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def _threshold_rows(cfg: dict) -> list[tuple[str, dict]]:
    return ([("retrieval", r) for r in cfg.get("retrieval_thresholds", [])] + [("answers", r) for r in cfg.get("answers_thresholds", [])]
            + [("guardrails", r) for r in cfg.get("guardrails_thresholds", [])])


def _ret(cfg: dict, set_name: str = "corpus") -> dict:
    ret = cfg.get("retrieval") or {}
    res = ret.get("sets", {}).get(set_name)
    if not res:
        return {}
    return next(iter(res["modes"].values()))["metrics"]


def worst_retrieval(cfg: dict, n: int = 8) -> list[dict]:
    res = (cfg.get("retrieval") or {}).get("sets", {}).get("corpus")
    if not res:
        return []
    qs = next(iter(res["modes"].values()))["queries"]
    return sorted(qs, key=lambda q: q["rr"])[:n] if qs else []


def worst_answers(cfg: dict, n: int = 8) -> list[dict]:
    per = (cfg.get("answers") or {}).get("per_question") or []
    bad = []
    for p in per:
        why = []
        if p.get("in_corpus") and p.get("abstained"):
            why.append("abstained on an answerable question")
        if not p.get("in_corpus") and not p.get("abstained"):
            why.append("answered a question the documents do not cover")
        if p.get("precision") is not None and p["precision"] < 1:
            why.append(f"citation precision {p['precision']:.2f}")
        if p.get("missing_facts"):
            why.append("missing: " + "; ".join(p["missing_facts"]))
        if why:
            bad.append({**p, "why": why})
    return bad[:n]


def summary(report: dict) -> str:
    lines = []
    for c in report["configs"]:
        r = _ret(c)
        a = (c.get("answers") or {}).get("metrics") or {}
        rows = [r2 for _, r2 in _threshold_rows(c)]
        met = sum(x["met"] for x in rows)
        lines.append(f"{c['name']}: R@5 {_f(r.get('R@5'))} MRR@10 {_f(r.get('MRR@10'))} | citation precision "
                     f"{_f(a.get('citation_precision'))} | thresholds {met}/{len(rows)} met | {c['seconds']} s"
                     + (f" | errors: {', '.join(c['errors'])}" if c.get("errors") else ""))
    for name, regs in (report.get("vs_baseline") or {}).items():
        if regs:
            lines.append(f"{name} regresses against {report['configs'][0]['name']}: " + ", ".join(r["metric"] for r in regs))
    for name, regs in ((report.get("previous") or {}).get("regressions") or {}).items():
        if regs:
            lines.append(f"{name} regresses against the previous report: " + ", ".join(r["metric"] for r in regs))
    lines.append(f"total {report['seconds']} s")
    return "\n".join(lines)


def markdown(report: dict) -> str:
    cfgs = report["configs"]
    L = [f"# Evaluation report — {report['created']}", "", f"Configurations: {', '.join(c['name'] for c in cfgs)}. "
         f"Total time {report['seconds']} s. Options: {report['options']}.", ""]
    L += ["## Summary", "", "| configuration | mode | model | " + " | ".join(RET_METRICS) + " | cit. precision | cit. recall | abstention acc. | thresholds met |",
          "|---|---|---|" + "---|" * (len(RET_METRICS) + 4)]
    for c in cfgs:
        r, a = _ret(c), (c.get("answers") or {}).get("metrics") or {}
        rows = [x for _, x in _threshold_rows(c)]
        L.append(f"| {c['name']} | {(c.get('retrieval') or {}).get('mode', '?')} | {c.get('embedding_model', '')} | "
                 + " | ".join(_f(r.get(m)) for m in RET_METRICS)
                 + f" | {_f(a.get('citation_precision'))} | {_f(a.get('citation_recall'))} | {_f(a.get('abstention_accuracy'))} | "
                 f"{sum(x['met'] for x in rows)}/{len(rows)} |")
    L += ["", "## Retrieval", ""]
    for c in cfgs:
        L.append(f"### {c['name']}")
        for set_name, res in ((c.get("retrieval") or {}).get("sets") or {}).items():
            m = next(iter(res["modes"].values()))["metrics"]
            L.append(f"- {set_name} ({res['n']} questions): " + ", ".join(f"{k} {_f(v)}" for k, v in m.items()))
        L.append("")
    L += ["## Answers", ""]
    for c in cfgs:
        a = c.get("answers")
        if a is None:
            L.append(f"- {c['name']}: not measured ({c['errors'].get('answers', 'skipped')})")
            continue
        L.append(f"- {c['name']} ({a.get('backend')}, {a.get('questions')} questions): "
                 + ", ".join(f"{k} {_f(v)}" for k, v in a["metrics"].items()) + (f" — {a['judge_note']}" if a.get("judge_note") else ""))
    L += ["", "## Guardrails", ""]
    for c in cfgs:
        g = c.get("guardrails")
        if g is None:
            L.append(f"- {c['name']}: not measured ({c['errors'].get('guardrails', 'skipped')})")
            continue
        L.append(f"- {c['name']}: " + ", ".join(f"{k} {_f(v)}" for k, v in g["metrics"].items())
                 + (f" — {g['shared_note']}" if g.get("shared_note") else ""))
    L += ["", "## Speed", "", "| configuration | retrieval p50 ms | retrieval p95 ms | answer p50 ms | answer p95 ms | guard p50 ms | guard p95 ms | run s |",
          "|---|---|---|---|---|---|---|---|"]
    for c in cfgs:
        s = c.get("speed") or {}
        L.append(f"| {c['name']} | " + " | ".join(_f(s.get(k), ms=True) for k in ("retrieval_ms_p50", "retrieval_ms_p95", "answer_ms_p50",
                                                                          "answer_ms_p95", "guard_ms_p50", "guard_ms_p95")) + f" | {c['seconds']} |")
    L += ["", "## Thresholds (evals/thresholds.yaml)", "", "CI enforces only the default offline configuration; the others are shown for comparison.", ""]
    for c in cfgs:
        L.append(f"### {c['name']}")
        L += ["| area | threshold | rule | value | result |", "|---|---|---|---|---|"]
        for area, r in _threshold_rows(c):
            L.append(f"| {area} | {r['name']} | {r['rule']} | {_f(r['value'])} | {'met' if r['met'] else '**MISSED**'} |")
        L.append("")
    L += ["## Regressions", ""]
    base = cfgs[0]["name"] if cfgs else ""
    any_reg = False
    for name, regs in (report.get("vs_baseline") or {}).items():
        for r in regs:
            any_reg = True
            L.append(f"- {name} vs {base}: {r['metric']} {_f(r['before'])} → {_f(r['after'])}")
    prev = report.get("previous") or {}
    for name, regs in (prev.get("regressions") or {}).items():
        for r in regs:
            any_reg = True
            L.append(f"- {name} vs previous report ({prev['path']}): {r['metric']} {_f(r['before'])} → {_f(r['after'])}")
    if not prev:
        L.append("- no previous report to compare with")
    elif not any((prev.get("regressions") or {}).values()):
        L.append(f"- none against the previous report ({prev.get('path')}; tolerance {report['tolerance']})")
    L += ["", "## Where to start improving", ""]
    for c in cfgs:
        L.append(f"### {c['name']}: worst retrieval questions")
        for q in worst_retrieval(c):
            gold = ", ".join(f"{g['source']}#{g.get('article', '')}" for g in q["gold"])
            L.append(f"- [{q['rr']:.2f}] {q['question']} — gold: {gold} — retrieved: {', '.join(q['top'])}")
        L.append(f"### {c['name']}: answers that missed")
        for p in worst_answers(c):
            L.append(f"- {p.get('id')}: {p.get('question', '')} — {'; '.join(p['why'])} — cited: {', '.join(p.get('cited') or []) or 'nothing'}")
        g = c.get("guardrails") or {}
        errs = (g.get("shipped") or {}).get("errors") or []
        if errs:
            L.append(f"### {c['name']}: guard decisions that differ")
            for e in errs[:8]:
                L.append(f"- {e['id']}: expected {e['expected']}, got {e['got']} {e['types']} — {e['text']}")
        L.append("")
    if report.get("beir"):
        b = report["beir"]
        L += ["## BEIR set", ""]
        if "error" in b:
            L.append(f"- error: {b['error']}")
        else:
            for mode, r in b["modes"].items():
                L.append(f"- {b['name']} ({b['documents']} documents, {b['n']} queries) {mode}: "
                         + ", ".join(f"{k} {_f(v)}" for k, v in r["metrics"].items()))
    errors = [(c["name"], a, e) for c in cfgs for a, e in (c.get("errors") or {}).items()]
    if errors:
        L += ["", "## Areas not measured", ""] + [f"- {n} / {a}: {e}" for n, a, e in errors]
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
    w = 0.8 / max(1, len(cfgs))
    for i, c in enumerate(cfgs):
        vals = [getter(c).get(m) or 0.0 for m in metrics]
        bars = ax.bar([x + i * w for x in range(len(metrics))], vals, w, label=c["name"])
        ax.bar_label(bars, labels=[f"{v:.2f}" for v in vals], fontsize=7)
    ax.set_xticks([x + w * (len(cfgs) - 1) / 2 for x in range(len(metrics))], metrics, fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=max(1, len(cfgs)), frameon=False)
    return _png(fig)


def _latency(cfgs):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from matplotlib.ticker import NullFormatter, ScalarFormatter

    fig, axes = plt.subplots(1, 2, figsize=(12, 2.2 + 0.4 * len(cfgs)))
    for ax, key, title in ((axes[0], "retrieval_ms", "retrieval ms per query"), (axes[1], "answer_ms", "answer ms per question")):
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
        ax.set_title(title + " (log scale)", fontsize=9)
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


def html(report: dict) -> str:
    e = _html.escape
    cfgs = report["configs"]
    parts = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Evaluation report</title><style>{CSS}</style></head><body>",
             f"<h1>Evaluation report — {e(report['created'])}</h1>",
             f"<p class='small'>Configurations: {e(', '.join(c['name'] for c in cfgs))}. Total time {report['seconds']} s. "
             f"Options: {e(str(report['options']))}.</p>"]
    # summary
    rows = []
    for c in cfgs:
        r, a = _ret(c), (c.get("answers") or {}).get("metrics") or {}
        th = [x for _, x in _threshold_rows(c)]
        missed = len(th) - sum(x["met"] for x in th)
        rows.append([e(c["name"]), e((c.get("retrieval") or {}).get("mode", "?")), e(c.get("embedding_model", ""))]
                    + [_f(r.get(m)) for m in RET_METRICS] + [_f(a.get("citation_precision")), _f(a.get("abstention_accuracy"))]
                    + [f"<span class='{'missed' if missed else 'met'}'>{len(th) - missed}/{len(th)} met</span>"])
    parts += ["<h2>Summary</h2>", _table(["configuration", "mode", "model", *RET_METRICS, "cit. precision", "abstention acc.", "thresholds"], rows)]
    # charts
    try:
        ret_img = _bars(cfgs, list(RET_METRICS), lambda c: _ret(c), "Retrieval (shipped corpus questions)")
        ans_img = _bars(cfgs, list(ANS_METRICS), lambda c: (c.get("answers") or {}).get("metrics") or {}, "Answers")
        lat_img = _latency(cfgs)
        parts += ["<h2>Metrics per configuration</h2><div class='cols'>",
                  f"<div><img alt='retrieval metrics' src='{ret_img}'></div><div><img alt='answer metrics' src='{ans_img}'></div></div>",
                  "<h2>Speed</h2>", f"<img alt='latency' src='{lat_img}'>"]
    except Exception as exc:  # noqa: BLE001 - a report without charts is still a report
        parts.append(f"<p class='missed'>charts not drawn: {e(str(exc))}</p><h2>Speed</h2>")
    srows = []
    for c in cfgs:
        s = c.get("speed") or {}
        srows.append([e(c["name"])] + [_f(s.get(k), ms=True) for k in ("retrieval_ms_p50", "retrieval_ms_p95", "answer_ms_p50", "answer_ms_p95",
                                                              "guard_ms_p50", "guard_ms_p95")] + [str(c["seconds"])])
    parts.append(_table(["configuration", "retrieval p50 ms", "p95", "answer p50 ms", "p95", "guard p50 ms", "p95", "run s"], srows))
    # retrieval sets
    parts.append("<h2>Retrieval by set</h2>")
    rrows = []
    for c in cfgs:
        for set_name, res in ((c.get("retrieval") or {}).get("sets") or {}).items():
            m = next(iter(res["modes"].values()))["metrics"]
            rrows.append([e(c["name"]), e(set_name), str(res["n"])] + [_f(m.get(k), ms=k == "ms_per_query") for k in ("R@1", "R@3", "R@5", "R@10", "MRR@10", "nDCG@10", "ms_per_query")])
    parts.append(_table(["configuration", "set", "n", "R@1", "R@3", "R@5", "R@10", "MRR@10", "nDCG@10", "ms/query"], rrows))
    # guardrails: confusion per guard type
    parts.append("<h2>Guardrails: confusion per guard type (shipped sets)</h2><div class='cols'>")
    for c in cfgs:
        g = c.get("guardrails")
        if g is None:
            parts.append(f"<div><h3>{e(c['name'])}</h3><p class='missed'>not measured: {e(c['errors'].get('guardrails', ''))}</p></div>")
            continue
        grows = [[e(t), str(v.get("tp", "")), str(v.get("fp", "")), str(v.get("fn", "")), _f(v.get("precision")), _f(v.get("recall"))]
                 for t, v in sorted(g["shipped"]["groups"].items())]
        extra = ""
        if g.get("redteam"):
            extra = "<p class='small'>shared red-team: " + e(", ".join(f"{k} {v['caught']}/{v['n']}" for k, v in g["redteam"].items())) + "</p>"
        if g.get("shared_note"):
            extra += f"<p class='small'>{e(g['shared_note'])}</p>"
        parts.append(f"<div><h3>{e(c['name'])}</h3>" + _table(["type", "caught (TP)", "false alarm (FP)", "missed (FN)", "precision", "recall"], grows)
                     + f"<p class='small'>decision accuracy {_f(g['shipped']['decision_accuracy'])} on {g['shipped']['rows']} texts; "
                     f"false alarms on allowed texts: {g['shipped']['false_alarms_on_allow']}</p>{extra}</div>")
    parts.append("</div>")
    # thresholds
    parts.append("<h2>Thresholds (evals/thresholds.yaml)</h2><p class='small'>CI enforces only the default offline configuration; "
                 "the others are shown for comparison.</p><div class='cols'>")
    for c in cfgs:
        trows = [[area, e(r["name"]), e(r["rule"]), _f(r["value"]), "<span class='met'>met</span>" if r["met"] else "<span class='missed'>MISSED</span>"]
                 for area, r in _threshold_rows(c)]
        parts.append(f"<div><h3>{e(c['name'])}</h3>" + _table(["area", "threshold", "rule", "value", "result"], trows) + "</div>")
    parts.append("</div>")
    # regressions
    parts.append("<h2>Regressions</h2><ul>")
    base = cfgs[0]["name"] if cfgs else ""
    n = 0
    for name, regs in (report.get("vs_baseline") or {}).items():
        for r in regs:
            n += 1
            parts.append(f"<li class='missed'>{e(name)} vs {e(base)}: {e(r['metric'])} {_f(r['before'])} → {_f(r['after'])}</li>")
    prev = report.get("previous") or {}
    for name, regs in (prev.get("regressions") or {}).items():
        for r in regs:
            n += 1
            parts.append(f"<li class='missed'>{e(name)} vs previous report: {e(r['metric'])} {_f(r['before'])} → {_f(r['after'])}</li>")
    if prev.get("path") and not any((prev.get("regressions") or {}).values()):
        parts.append(f"<li>none against the previous report ({e(prev['path'])}); tolerance {report['tolerance']}</li>")
    if not n and not prev:
        parts.append(f"<li>none; tolerance {report['tolerance']}</li>")
    if not prev:
        parts.append("<li class='small'>no previous report to compare with</li>")
    parts.append("</ul>")
    # failures
    parts.append("<h2>Where to start improving</h2>")
    for c in cfgs:
        parts.append(f"<h3>{e(c['name'])}</h3><div class='cols'><div><b>Worst retrieval questions</b><ul>")
        for q in worst_retrieval(c):
            gold = ", ".join(f"{g['source']}#{g.get('article', '')}" for g in q["gold"])
            parts.append(f"<li>[{q['rr']:.2f}] {e(q['question'])}<br><span class='small'>gold: {e(gold)}; retrieved: {e(', '.join(q['top']))}</span></li>")
        parts.append("</ul></div><div><b>Answers that missed</b><ul>")
        for p in worst_answers(c):
            parts.append(f"<li>{e(str(p.get('id')))}: {e(p.get('question', ''))}<br><span class='small'>{e('; '.join(p['why']))}; cited: "
                         f"{e(', '.join(p.get('cited') or []) or 'nothing')}</span></li>")
        parts.append("</ul></div></div>")
        errs = ((c.get("guardrails") or {}).get("shipped") or {}).get("errors") or []
        if errs:
            parts.append("<b>Guard decisions that differ</b><ul>" + "".join(
                f"<li>{e(x['id'])}: expected {e(x['expected'])}, got {e(x['got'])} {e(str(x['types']))}<br><span class='small'>{e(x['text'])}</span></li>"
                for x in errs[:8]) + "</ul>")
    if report.get("beir"):
        b = report["beir"]
        parts.append("<h2>BEIR set</h2>")
        if "error" in b:
            parts.append(f"<p class='missed'>{e(b['error'])}</p>")
        else:
            parts.append(_table(["set", "mode", "R@1", "R@5", "MRR@10", "nDCG@10"],
                                [[e(b["name"]), e(m)] + [_f(r["metrics"].get(k)) for k in ("R@1", "R@5", "MRR@10", "nDCG@10")] for m, r in b["modes"].items()]))
    errors = [(c["name"], a, x) for c in cfgs for a, x in (c.get("errors") or {}).items()]
    if errors:
        parts.append("<h2>Areas not measured</h2><ul>" + "".join(f"<li class='missed'>{e(n)} / {e(a)}: {e(x)}</li>" for n, a, x in errors) + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)
