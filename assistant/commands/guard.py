"""``assistant guard``: run the guardrails on a text, stdin or a JSONL batch.

    python -m assistant guard "CCCD của tôi là 001203000123"
    echo "..." | python -m assistant guard -
    python -m assistant guard --batch texts.jsonl --json      # lines {"id","text"}

``--json`` prints one object per text: ``{"id", "decision", "findings": [...], "redacted"}``.
``--explain`` prints the teaching explanation (rule, why it matters, the law, what to do instead).
``--off pii,injection`` switches scanners off for a trainer's demonstration (never off by default).
"""
from __future__ import annotations

import sys

from assistant.commands._common import add_setting_args, fail, print_json, read_batch, settings_from


def register(sub) -> None:
    p = sub.add_parser("guard", help="check a text with the guardrails",
                       description="Check a text for personal data, state-secret markings, prompt injection and "
                                   "requests to refuse. Exit code 0 = allow, 1 = warn, 2 = block (single text).")
    p.add_argument("text", nargs="?", help="the text; '-' reads stdin")
    p.add_argument("--batch", help="JSONL file (lines {\"id\",\"text\"}), '-' for stdin")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--explain", action="store_true", help="print the teaching explanation of each decision")
    p.add_argument("--off", default="", help="trainer only: scanners to switch off, e.g. pii,injection "
                                             "(pii, markings, injection, similarity, judge, policy)")
    add_setting_args(p, ["lang"])
    p.set_defaults(func=run)


def _as_row(rid, res, lang) -> dict:
    d = res.as_json(lang)
    return {"id": rid, "decision": d["decision"], "findings": d["findings"], "redacted": d["redacted"]}


def _human(res, lang: str, explain: bool, rid=None) -> None:
    from assistant.messages import t

    head = f"[{rid}] " if rid is not None else ""
    print(f"{head}{t('guard.decision.label', lang)}: {res.decision.upper()} — {t('guard.decision.' + res.decision, lang)}")
    if res.findings:
        print(f"{t('guard.findings.label', lang)}:")
        for f in res.findings:
            snippet = res.text[f.start:f.end].replace("\n", " ")
            if len(snippet) > 60:
                snippet = snippet[:57] + "…"
            print(f"  - {f.type} [{f.start}:{f.end}] {f.score:.2f} «{snippet}» {f.message.get(lang) or f.message.get('vi', '')}")
    if res.decision == "warn" and res.redacted is not None and res.redacted != res.text:
        print(f"{t('guard.redacted.label', lang)}: {res.redacted}")
    if explain and res.decision != "allow":
        print()
        print(res.reason(lang))


def run(args) -> int:
    from assistant.guard import check_inputs, disabled
    from assistant.messages import t

    settings = settings_from(args)
    lang = settings.lang
    off = [x.strip() for x in args.off.split(",") if x.strip()] or None
    dis = disabled(settings, off)
    if dis and not args.json:
        sys.stderr.write(t("guard.off_notice", lang, names=", ".join(sorted(dis))) + "\n")
    if args.batch:
        got, bad = read_batch(args.batch)
        rows = [(rid, row["text"]) for rid, row in got]
        results = check_inputs([text for _, text in rows], settings, lang, off=off)
        for (rid, _), res in zip(rows, results):
            if args.json:
                print_json(_as_row(rid, res, lang))
            else:
                _human(res, lang, args.explain, rid)
        for n in bad:
            print_json({"id": None, "line": n, "error": t("guard.cli.bad_line", lang)})
        return 0
    if args.text is None:
        return fail(t("guard.cli.usage", lang))
    text = sys.stdin.read() if args.text == "-" else args.text
    res = check_inputs([text], settings, lang, off=off)[0]
    if args.json:
        row = _as_row(None, res, lang)
        if args.explain:
            row["explanation"] = res.reason(lang)
        print_json(row)
    else:
        _human(res, lang, args.explain)
    return {"allow": 0, "warn": 1, "block": 2}[res.decision]
