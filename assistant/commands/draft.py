"""``assistant draft``: draft an official document in the national format (Decree 30/2020/NĐ-CP)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from assistant.commands._common import add_setting_args, fail, print_json, settings_from


def register(sub) -> None:
    p = sub.add_parser("draft", help="draft an official document (Decree 30/2020/NĐ-CP) as DOCX",
                       description="Draft a document of TYPE from a JSON file of fields and save it as DOCX "
                                   "(and optionally a Markdown preview). `draft --list` names the types. "
                                   "Exit 0: saved; 2: bad input (the message names the field); 1: could not write.")
    p.add_argument("doc_type", nargs="?", metavar="TYPE", help="document type, e.g. cong-van, quyet-dinh")
    p.add_argument("--list", action="store_true", help="list the document types (Vietnamese and English names)")
    p.add_argument("--input", "-i", help="JSON file of fields (agency, place, date, subject, points, ...); '-' for stdin")
    p.add_argument("--out", "-o", help="DOCX file to write")
    p.add_argument("--markdown", help="also write a Markdown preview to this file")
    add_setting_args(p, ["backend", "store_dir", "lang"])
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args) -> int:
    from assistant.drafting import DraftInputError, list_types, make_draft
    from assistant.messages import t

    settings = settings_from(args)
    lang = settings.lang
    if args.list:
        types = list_types(lang)
        if args.json:
            print_json(types)
        else:
            print(t("drafting.cli.types_header", lang))
            for ty in types:
                print(f"  {ty['id']:<12} {ty['name_vi']} / {ty['name_en']}")
        return 0
    if not args.doc_type:
        return fail(t("drafting.cli.need_type", lang), 2)
    if not args.input:
        return fail(t("drafting.cli.need_input", lang), 2)
    if not args.out:
        return fail(t("drafting.cli.need_out", lang), 2)
    try:
        raw = sys.stdin.read() if args.input == "-" else Path(args.input).read_text(encoding="utf-8-sig")
        fields = json.loads(raw)
    except FileNotFoundError:
        return fail(t("drafting.cli.no_file", lang, path=args.input), 2)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return fail(t("drafting.input.bad_json", lang, path=args.input, detail=exc), 2)
    try:
        draft = make_draft(args.doc_type, fields, settings, lang=lang)
    except DraftInputError as exc:  # every problem at once, each with its label and its JSON key
        if args.json:
            print_json({"error": exc.message(lang, keys=True), "field": exc.field, "code": exc.code,
                        "errors": exc.as_list(lang)})
        return fail(exc.message(lang, keys=True), 2)
    try:
        out = draft.save(args.out)
        md = None
        if args.markdown:
            md = Path(args.markdown)
            md.parent.mkdir(parents=True, exist_ok=True)
            md.write_text(draft.markdown, encoding="utf-8")
    except OSError as exc:
        return fail(t("drafting.cli.write_failed", lang, path=args.out, detail=exc), 1)
    if args.json:
        print_json({"out": str(out), "markdown": str(md) if md else None, "body_source": draft.body_source,
                    "citations": draft.citations, "notes": draft.notes})
    else:
        print(t("drafting.cli.saved", lang, path=out, source=draft.body_source))
        if md:
            print(t("drafting.cli.saved_markdown", lang, path=md))
        for n in draft.notes:
            print(t("drafting.cli.note", lang, text=n), file=sys.stderr)
    return 0
