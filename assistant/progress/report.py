"""The class report: per trainee and module — exercises done, knowledge-check scores (first, best),
self-assessment before/after — and per module the share of trainees at "basic understanding",
against the city's target.

The rule is a setting: a trainee is at basic understanding of a module when their best knowledge-check
score is at least ``ASSISTANT_BASIC_MIN_SCORE`` and they finished at least ``ASSISTANT_BASIC_MIN_EXERCISES``
of its exercises (all of them, if the module has fewer). The course line counts trainees at basic
understanding of every module. The target share is ``ASSISTANT_TARGET_SHARE``.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from assistant.messages import t
from assistant.progress.knowledge import load_checks
from assistant.progress.store import ProgressStore


@dataclass(frozen=True)
class Rule:
    min_score: float = 0.7
    min_exercises: int = 2
    target: float = 0.8

    @classmethod
    def from_settings(cls, settings) -> "Rule":
        return cls(settings.basic_min_score, settings.basic_min_exercises, settings.target_share)


def _mean(values):
    values = [v for v in values if v is not None]
    return round(sum(values) / len(values), 2) if values else None


def _ex_totals(catalogue: list[dict]) -> dict[int, int]:
    totals: dict[int, int] = {}
    for e in catalogue:
        m = int(e.get("module") or 0)
        totals[m] = totals.get(m, 0) + 1
    return totals


def _modules(ex_total: dict[int, int], checks: dict) -> list[int]:
    return sorted((set(ex_total) | set(checks)) - {0})


def _row(learner: str, ex: dict, kc: dict, sa: dict, modules: list[int], ex_total: dict[int, int], rule: Rule) -> dict:
    per = {}
    for m in modules:
        done = sum(1 for r in ex.values() if r["done"] and int(r["module"]) == m)
        total = ex_total.get(m, 0)
        needed = min(rule.min_exercises, total) if m in ex_total else rule.min_exercises
        k = kc.get(m) or {}
        best = k.get("best")
        per[m] = {
            "exercises_done": done, "exercises_total": total,
            "seconds": round(sum(r["seconds"] or 0 for r in ex.values() if int(r["module"]) == m)),
            "kc_first": k.get("first"), "kc_best": best, "kc_attempts": k.get("attempts", 0),
            "sa_before": (sa.get((m, "start")) or {}).get("level"),
            "sa_after": (sa.get((m, "end")) or {}).get("level"),
            "basic": best is not None and best >= rule.min_score and done >= needed,
        }
    return {"learner": learner, "modules": per, "basic_all": bool(per) and all(v["basic"] for v in per.values()),
            "sa_course_before": (sa.get((0, "start")) or {}).get("level"),
            "sa_course_after": (sa.get((0, "end")) or {}).get("level")}


def _titles(modules, checks) -> dict:
    return {m: {lg: checks[m].title(lg) for lg in ("vi", "en")} for m in modules if m in checks}


def learner_report(store: ProgressStore, learner: str, catalogue: list[dict], rule: Rule,
                   checks: dict | None = None) -> dict:
    """One learner's figures per module (the trainee's own "my results")."""
    checks = load_checks() if checks is None else checks
    ex_total = _ex_totals(catalogue)
    modules = _modules(ex_total, checks)
    row = _row(learner, store.exercises(learner), store.kc_scores([learner])[learner],
               store.self_assessments([learner])[learner], modules, ex_total, rule)
    return dict(row, modules_list=modules, module_titles=_titles(modules, checks), rule=asdict(rule))


def class_report(store: ProgressStore, class_name: str, catalogue: list[dict], rule: Rule,
                 checks: dict | None = None) -> dict:
    """The figures of one class (a plain dict: JSON as it is)."""
    checks = load_checks() if checks is None else checks
    trainees = [m for m, _ in store.members(class_name, "trainee")]
    trainers = [m for m, _ in store.members(class_name, "trainer")]
    ex_total = _ex_totals(catalogue)
    modules = _modules(ex_total, checks)
    ex = store.exercises_of(trainees)
    kc = store.kc_scores(trainees)
    sa = store.self_assessments(trainees)
    rows = [_row(x, ex[x], kc[x], sa[x], modules, ex_total, rule) for x in trainees]
    n = len(rows)
    summary = {}
    for m in modules:
        cells = [r["modules"][m] for r in rows]
        n_basic = sum(1 for c in cells if c["basic"])
        share = n_basic / n if n else 0.0
        summary[m] = {"trainees": n, "basic": n_basic, "share": round(share, 4), "meets_target": n > 0 and share >= rule.target,
                      "kc_best_mean": _mean([c["kc_best"] for c in cells]),
                      "exercises_done_mean": _mean([c["exercises_done"] for c in cells]),
                      "sa_before_mean": _mean([c["sa_before"] for c in cells]),
                      "sa_after_mean": _mean([c["sa_after"] for c in cells])}
    n_all = sum(1 for r in rows if r["basic_all"])
    course = {"trainees": n, "basic": n_all, "share": round(n_all / n, 4) if n else 0.0,
              "meets_target": n > 0 and n_all / n >= rule.target,
              "sa_before_mean": _mean([r["sa_course_before"] for r in rows]),
              "sa_after_mean": _mean([r["sa_course_after"] for r in rows])}
    return {"class": class_name, "generated": time.time(), "rule": asdict(rule), "trainers": trainers,
            "modules": modules, "module_titles": _titles(modules, checks),
            "trainees": rows, "summary": summary, "course": course}


def as_json(rep: dict) -> dict:
    """The report with string keys (module numbers as text), for ``json.dumps``."""
    out = dict(rep)
    out["summary"] = {str(m): v for m, v in rep["summary"].items()}
    out["module_titles"] = {str(m): v for m, v in rep["module_titles"].items()}
    out["trainees"] = [dict(r, modules={str(m): v for m, v in r["modules"].items()}) for r in rep["trainees"]]
    return out


def pct(x) -> str:
    return "–" if x is None else f"{round(100 * x):d} %"


def module_name(rep: dict, m: int, lang: str) -> str:
    title = (rep.get("module_titles", {}).get(m) or {}).get(lang)
    return t("progress.module_n", lang, n=m) + (f": {title}" if title else "")


def report_text(rep: dict, lang: str = "vi") -> str:
    """The report as plain text (the CLI's default output)."""
    rule = rep["rule"]
    lines = [t("progress.report_title", lang, name=rep["class"]),
             t("progress.report_when", lang, when=time.strftime("%Y-%m-%d %H:%M", time.localtime(rep["generated"]))),
             t("progress.rule", lang, score=pct(rule["min_score"]), n=rule["min_exercises"]),
             t("progress.target", lang, target=pct(rule["target"])),
             t("progress.trainees_n", lang, n=rep["course"]["trainees"]), ""]
    for m in rep["modules"]:
        s = rep["summary"][m]
        mark = t("progress.meets" if s["meets_target"] else "progress.below", lang)
        lines.append(f"{module_name(rep, m, lang)}: " + t("progress.share_line", lang, basic=s["basic"], n=s["trainees"],
                                                            share=pct(s["share"]), mark=mark))
    c = rep["course"]
    mark = t("progress.meets" if c["meets_target"] else "progress.below", lang)
    lines += ["", t("progress.course_all", lang) + ": " + t("progress.share_line", lang, basic=c["basic"], n=c["trainees"],
                                                            share=pct(c["share"]), mark=mark)]
    if rep["trainees"]:
        lines += ["", t("progress.per_trainee", lang)]
        for r in rep["trainees"]:
            cells = []
            for m in rep["modules"]:
                v = r["modules"][m]
                cells.append(t("progress.cell", lang, m=m, best=pct(v["kc_best"]), done=v["exercises_done"],
                               basic="✓" if v["basic"] else "·"))
            lines.append(f"- {r['learner']}: " + "; ".join(cells))
    return "\n".join(lines) + "\n"


def learner_json(rep: dict) -> dict:
    """A learner report with string keys, for ``json.dumps``."""
    out = dict(rep)
    out["modules"] = {str(m): v for m, v in rep["modules"].items()}
    out["module_titles"] = {str(m): v for m, v in rep["module_titles"].items()}
    return out
