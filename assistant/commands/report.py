"""``assistant report``: a class's learning results and the share at "basic understanding" per module.

    python -m assistant report --list                       # the classes
    python -m assistant report --class "K01-2025"           # text, in ASSISTANT_LANG
    python -m assistant report --class "K01-2025" --json    # the same figures as JSON
    python -m assistant report --class "K01-2025" --html report.html --xlsx report.xlsx --csv report.csv

The figures are those of the class view in the app's Trainer tab (same database, same rule:
ASSISTANT_BASIC_MIN_SCORE, ASSISTANT_BASIC_MIN_EXERCISES, target ASSISTANT_TARGET_SHARE).
"""
from __future__ import annotations

import json
import sys

from assistant.commands._common import add_setting_args, fail, settings_from


def register(sub) -> None:
    p = sub.add_parser("report", help="a class's learning results and the share at basic understanding",
                       description="Per class and module: exercises done, knowledge-check scores, self-assessment "
                                   "before/after, and the share of trainees at basic understanding against the target.")
    p.add_argument("--class", dest="class_name", metavar="NAME", help="the class (see --list)")
    p.add_argument("--list", action="store_true", help="list the classes and their sizes")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--html", metavar="PATH", help="also write the printable HTML report")
    p.add_argument("--xlsx", metavar="PATH", help="also write the table as XLSX")
    p.add_argument("--csv", metavar="PATH", help="also write the table as CSV")
    p.add_argument("--exercises", metavar="DIR", help="exercise catalogue folder (default: the bundled one)")
    add_setting_args(p, ["data_dir", "database_url", "lang", "basic_min_score", "basic_min_exercises", "target_share"])
    p.set_defaults(func=run)


def run(args) -> int:
    from assistant.messages import t
    from assistant.progress import get_store
    from assistant.progress.export import write_csv, write_xlsx
    from assistant.progress.page import report_html
    from assistant.progress.report import Rule, as_json, class_report, report_text
    from assistant.ui.exercises import load_exercises

    settings = settings_from(args)
    lang = settings.lang
    store = get_store(settings)
    if args.list:
        names = store.classes()
        if args.json:
            print(json.dumps([{"class": n, "trainees": len(store.members(n, "trainee")),
                               "trainers": [m for m, _ in store.members(n, "trainer")]} for n in names], ensure_ascii=False))
        else:
            for n in names:
                print(f"{n}\t{len(store.members(n, 'trainee'))}")
        return 0
    if not args.class_name:
        return fail(t("progress.cli_need_class", lang), 2)
    if not store.class_exists(args.class_name):
        known = ", ".join(store.classes()) or "-"
        return fail(t("progress.cli_no_class", lang, name=args.class_name, known=known), 1)
    rep = class_report(store, args.class_name, load_exercises(args.exercises), Rule.from_settings(settings))
    if args.html:
        with open(args.html, "w", encoding="utf-8") as f:
            f.write(report_html(rep, lang))
    if args.xlsx:
        write_xlsx(rep, args.xlsx, lang)
    if args.csv:
        write_csv(rep, args.csv, lang)
    if args.json:
        sys.stdout.write(json.dumps(as_json(rep), ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(report_text(rep, lang))
    return 0
