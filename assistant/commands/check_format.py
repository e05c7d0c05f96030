"""``assistant check-format``: check a DOCX against the national format (Decree 30/2020/NĐ-CP)."""
from __future__ import annotations

from pathlib import Path

from assistant.commands._common import add_setting_args, fail, print_json, settings_from


def register(sub) -> None:
    p = sub.add_parser("check-format", help="check a DOCX against Decree 30/2020/NĐ-CP",
                       description="Check an official document (DOCX) rule by rule against Decree 30/2020/NĐ-CP, "
                                   "Appendix I: paper, margins, font, national title, motto, number, date, "
                                   "type and summary, body, signature, recipients. Exit 0: every rule passed; "
                                   "1: some rules failed; 2: the file is missing or not a DOCX.")
    p.add_argument("file", metavar="FILE.docx", help="the document to check")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_setting_args(p, ["lang"])
    p.add_argument("--failed-only", action="store_true", help="show only the rules that failed")
    p.set_defaults(func=run)


def run(args) -> int:
    from assistant.drafting import check_docx, summary
    from assistant.messages import t

    settings = settings_from(args)
    lang = settings.lang
    path = Path(args.file)
    if not path.is_file():
        if args.json:
            print_json({"error": t("drafting.cli.no_file", lang, path=path)})
        return fail(t("drafting.cli.no_file", lang, path=path), 2)
    results = check_docx(path)
    counts = summary(results)
    unreadable = any(r.rule == "file.readable" for r in results)
    if args.json:
        print_json({"file": str(path), **counts, "ok": counts["failed"] == 0,
                    "rules": [r.as_json(lang) for r in results]})
    else:
        for r in results:
            if args.failed_only and r.ok:
                continue
            ref = f"  [{r.ref}]" if r.ref else ""
            print(f"{r.message(lang)}{ref}")
        print(t("drafting.cli.check_summary", lang, **counts))
    if unreadable:
        return 2
    return 0 if counts["failed"] == 0 else 1
