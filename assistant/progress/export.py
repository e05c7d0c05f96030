"""The class table as CSV (UTF-8 with BOM, so Excel shows Vietnamese) and XLSX (openpyxl): one row per
trainee and module, headers in the chosen language, plus a summary sheet."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from assistant.messages import t
from assistant.progress.report import module_name

HEAD = ("progress.h_class", "progress.h_trainee", "progress.h_module", "progress.h_ex_done", "progress.h_ex_total",
        "progress.h_kc_first", "progress.h_kc_best", "progress.h_kc_attempts", "progress.h_sa_before",
        "progress.h_sa_after", "progress.h_basic")
SUMMARY_HEAD = ("progress.h_class", "progress.h_module", "progress.h_trainees", "progress.h_basic_n", "progress.h_share",
                "progress.h_target", "progress.h_vs_target")


def _pct(x):
    return None if x is None else round(100 * x, 1)


def rows(rep: dict, lang: str = "vi") -> list[list]:
    out = [[t(k, lang) for k in HEAD]]
    yes, no = t("progress.yes", lang), t("progress.no", lang)
    for r in rep["trainees"]:
        for m in rep["modules"]:
            v = r["modules"][m]
            out.append([rep["class"], r["learner"], module_name(rep, m, lang), v["exercises_done"], v["exercises_total"],
                        _pct(v["kc_first"]), _pct(v["kc_best"]), v["kc_attempts"], v["sa_before"], v["sa_after"],
                        yes if v["basic"] else no])
    return out


def summary_rows(rep: dict, lang: str = "vi") -> list[list]:
    out = [[t(k, lang) for k in SUMMARY_HEAD]]
    target = _pct(rep["rule"]["target"])
    for m in rep["modules"]:
        s = rep["summary"][m]
        out.append([rep["class"], module_name(rep, m, lang), s["trainees"], s["basic"], _pct(s["share"]), target,
                    t("progress.meets" if s["meets_target"] else "progress.below", lang)])
    c = rep["course"]
    out.append([rep["class"], t("progress.course_all", lang), c["trainees"], c["basic"], _pct(c["share"]), target,
                t("progress.meets" if c["meets_target"] else "progress.below", lang)])
    return out


def to_csv(rep: dict, lang: str = "vi") -> str:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows(rep, lang))
    return "\ufeff" + buf.getvalue()


def write_csv(rep: dict, path: str | Path, lang: str = "vi") -> Path:
    path = Path(path)
    path.write_text(to_csv(rep, lang), encoding="utf-8")
    return path


def write_xlsx(rep: dict, path: str | Path, lang: str = "vi") -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    path = Path(path)
    wb = Workbook()
    for i, (title, data) in enumerate(((t("progress.sheet_trainees", lang), rows(rep, lang)),
                                       (t("progress.sheet_summary", lang), summary_rows(rep, lang)))):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = title[:31]
        for row in data:
            ws.append(row)
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="EEF2FF")
        ws.freeze_panes = "A2"
        for col in ws.columns:
            width = max(len(str(c.value or "")) for c in col)
            ws.column_dimensions[col[0].column_letter].width = min(48, max(8, width + 2))
    wb.save(path)
    return path
