"""The class report as one HTML page that prints well (A4, charts as inline SVG, no scripts needed,
tables that do not break a row across pages). Open it in a browser and print, or "Save as PDF"."""
from __future__ import annotations

import html
import time

from assistant.messages import t
from assistant.progress import charts
from assistant.progress.report import module_name, pct

CSS = """
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans", "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: #111; margin: 0 auto;
       max-width: 1000px; padding: 16px; font-size: 14px; line-height: 1.4; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 22px 0 8px; border-bottom: 2px solid #1d4ed8; }
.meta { color: #444; margin: 2px 0; }
.kpi { display: flex; gap: 12px; flex-wrap: wrap; margin: 12px 0; }
.kpi div { border: 1px solid #ccc; border-radius: 6px; padding: 8px 12px; min-width: 180px; }
.kpi b { font-size: 22px; display: block; }
.ok { color: #15803d; } .low { color: #b45309; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid #bbb; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #eef2ff; }
td.n { text-align: right; white-space: nowrap; }
tr { break-inside: avoid; page-break-inside: avoid; }
thead { display: table-header-group; }
.chart { break-inside: avoid; page-break-inside: avoid; margin: 8px 0; }
.chart svg { max-width: 100%; height: auto; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
.noprint button { font-size: 15px; padding: 6px 14px; margin: 8px 0; cursor: pointer; }
@media print { .noprint { display: none; } body { padding: 0; max-width: none; font-size: 12px; }
  h2 { break-after: avoid; page-break-after: avoid; } }
"""


def _e(x) -> str:
    return html.escape(str(x))


def _lv(v) -> str:
    return "–" if v is None else f"{v:g}"


def report_html(rep: dict, lang: str = "vi") -> str:
    rule, course = rep["rule"], rep["course"]
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(rep["generated"]))
    cls = "ok" if course["meets_target"] else "low"
    out = [f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'>",
           f"<title>{_e(t('progress.report_title', lang, name=rep['class']))}</title><style>{CSS}</style></head><body>",
           f"<p class='noprint'><button onclick='window.print()'>{_e(t('progress.print', lang))}</button></p>",
           f"<h1>{_e(t('progress.report_title', lang, name=rep['class']))}</h1>",
           f"<p class='meta'>{_e(t('progress.report_when', lang, when=when))}</p>",
           f"<p class='meta'>{_e(t('progress.rule', lang, score=pct(rule['min_score']), n=rule['min_exercises']))}</p>",
           f"<p class='meta'>{_e(t('progress.target', lang, target=pct(rule['target'])))}</p>"]
    if rep["trainers"]:
        out.append(f"<p class='meta'>{_e(t('progress.trainers', lang, names=', '.join(rep['trainers'])))}</p>")
    out += ["<div class='kpi'>",
            f"<div>{_e(t('progress.trainees_label', lang))}<b>{course['trainees']}</b></div>",
            f"<div>{_e(t('progress.course_all', lang))}<b class='{cls}'>{pct(course['share'])}</b>"
            f"{_e(t('progress.meets' if course['meets_target'] else 'progress.below', lang))}</div>",
            "</div>"]
    # summary per module
    out += [f"<h2>{_e(t('progress.summary_heading', lang))}</h2><table><thead><tr>",
            *[f"<th>{_e(t(k, lang))}</th>" for k in ("progress.h_module", "progress.h_basic_n", "progress.h_share",
                                                      "progress.h_vs_target", "progress.h_kc_best_mean",
                                                      "progress.h_ex_mean", "progress.h_sa_before_mean", "progress.h_sa_after_mean")],
            "</tr></thead><tbody>"]
    for m in rep["modules"]:
        s = rep["summary"][m]
        mark = t("progress.meets" if s["meets_target"] else "progress.below", lang)
        out.append(f"<tr><td>{_e(module_name(rep, m, lang))}</td><td class='n'>{s['basic']}/{s['trainees']}</td>"
                   f"<td class='n {'ok' if s['meets_target'] else 'low'}'>{pct(s['share'])}</td><td>{_e(mark)}</td>"
                   f"<td class='n'>{pct(s['kc_best_mean'])}</td><td class='n'>{_lv(s['exercises_done_mean'])}</td>"
                   f"<td class='n'>{_lv(s['sa_before_mean'])}</td><td class='n'>{_lv(s['sa_after_mean'])}</td></tr>")
    mark = t("progress.meets" if course["meets_target"] else "progress.below", lang)
    out.append(f"<tr><td><b>{_e(t('progress.course_all', lang))}</b></td><td class='n'>{course['basic']}/{course['trainees']}</td>"
               f"<td class='n {cls}'>{pct(course['share'])}</td><td>{_e(mark)}</td><td></td><td></td>"
               f"<td class='n'>{_lv(course['sa_before_mean'])}</td><td class='n'>{_lv(course['sa_after_mean'])}</td></tr>")
    out.append("</tbody></table>")
    # charts
    out += [f"<h2>{_e(t('progress.charts_heading', lang))}</h2><div class='charts'>",
            f"<div class='chart'>{charts.svg(charts.shares(rep, lang))}</div>",
            f"<div class='chart'>{charts.svg(charts.before_after(rep, lang))}</div>",
            f"<div class='chart'>{charts.svg(charts.heatmap(rep, lang))}</div></div>"]
    # per trainee
    out += [f"<h2>{_e(t('progress.per_trainee', lang))}</h2><table><thead><tr><th>{_e(t('progress.h_trainee', lang))}</th>"]
    out += [f"<th>{_e(t('progress.module_short', lang, n=m))}</th>" for m in rep["modules"]]
    out += [f"<th>{_e(t('progress.h_course', lang))}</th></tr></thead><tbody>"]
    for r in rep["trainees"]:
        cells = [f"<td>{_e(r['learner'])}</td>"]
        for m in rep["modules"]:
            v = r["modules"][m]
            parts = [t("progress.cell_check", lang, first=pct(v["kc_first"]), best=pct(v["kc_best"])) if v["kc_attempts"]
                     else t("progress.cell_no_check", lang),
                     t("progress.cell_exercises", lang, done=v["exercises_done"], total=v["exercises_total"])]
            if v["sa_before"] is not None or v["sa_after"] is not None:
                parts.append(t("progress.cell_self", lang, before=_lv(v["sa_before"]), after=_lv(v["sa_after"])))
            cells.append(f"<td class='{'ok' if v['basic'] else ''}'>" + "<br>".join(_e(p) for p in parts) +
                         (f"<br><b>✓ {_e(t('progress.basic_short', lang))}</b>" if v["basic"] else "") + "</td>")
        cb, ca = r["sa_course_before"], r["sa_course_after"]
        course_cell = t("progress.cell_self", lang, before=_lv(cb), after=_lv(ca)) if cb is not None or ca is not None else "–"
        cells.append(f"<td>{_e(course_cell)}"
                     + (f"<br><b>✓ {_e(t('progress.basic_short', lang))}</b>" if r["basic_all"] else "") + "</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    if not rep["trainees"]:
        out.append(f"<tr><td colspan='{len(rep['modules']) + 2}'>{_e(t('progress.no_trainees', lang))}</td></tr>")
    out += ["</tbody></table>", f"<p class='meta'>{_e(t('progress.legend', lang))}</p>", "</body></html>"]
    return "\n".join(out)
