"""``eval answers`` and ``eval guardrails``: flags, calls, printing (test and dev side by side)."""
from __future__ import annotations

import sys

from assistant.commands._common import add_setting_args, add_store_args, fail, print_json, settings_from
from assistant.commands._eval_common import fmt, order, split_arg


# ---------------------------------------------------------------- answers
def register_answers(esub) -> None:
    p = esub.add_parser("answers", help="citation precision/recall, abstention, must-include facts, groundedness",
                        description="Answer quality over evals/datasets/answers_*.jsonl on the shipped corpus "
                                    "(offline engine by default), test and dev side by side. Exit 1 when a threshold "
                                    "of evals/thresholds.yaml (answers:) is missed on test.")
    add_store_args(p)
    add_setting_args(p, ("corpus_dir", "backend"))
    split_arg(p)
    p.add_argument("--judge", action="store_true", help="also score faithfulness and relevance with the configured LLM")
    p.add_argument("--calibrate", action="store_true",
                   help="print the relevance score of every DEV question and the abstention threshold fitted on dev")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run_answers_cmd)


def run_answers_cmd(args) -> int:
    from assistant.evals.answers import run_answers
    from assistant.messages import t

    settings = settings_from(args)
    if args.judge:
        settings = settings.with_(backend="openai")
        if not settings.llm_base_url or not settings.llm_model:
            return fail(t("answers.llm_not_configured", settings.lang))
    res = run_answers(settings, judge=args.judge, split=args.split)
    missed = [k for k, v in res["thresholds"].items() if not v["met"]]
    if args.json:
        print_json(res)
        return 1 if missed else 0
    w = sys.stdout.write
    sp = order(res["splits"])
    counts = ", ".join(f"{s}: {b['questions']} ({b['in_corpus']} in corpus, {b['out_of_corpus']} out)"
                       for s, b in ((s, res["splits"][s]) for s in sp))
    w(f"answers: {counts}; backend {res['backend']}, {res['seconds']} s, p50 {res['p50_ms']} ms\n")
    w(f"  {'metric':24} " + " ".join(f"{s:>8}" for s in sp) + "\n")
    names = list(dict.fromkeys(k for s in sp for k in res["splits"][s]["metrics"]))
    for k in names:
        w(f"  {k:24} " + " ".join(f"{fmt(res['splits'][s]['metrics'].get(k)):>8}" for s in sp) + "\n")
    cal = res["calibration"]
    if cal.get("threshold") is not None:
        w("  " + t("evals.note.calibration", settings.lang, n_dev=cal["n_dev"], threshold=cal["threshold"],
                   accuracy=fmt(cal["accuracy"]), n_test=cal["n_test"], test_accuracy=fmt(cal.get("test_accuracy"))) + "\n")
        w(f"  (dev: lowest in-corpus {cal.get('min_in_corpus')}, highest out-of-corpus {cal.get('max_out_of_corpus')})\n")
    if "test" not in res["splits"]:
        w("  " + t("evals.cli.no_thresholds", settings.lang) + "\n")
    dev_metrics = (res["splits"].get("dev") or {}).get("metrics") or {}
    for name, v in res["thresholds"].items():
        w(f"  threshold {name:22} test {v['value']}  {v['rule']}  {'met' if v['met'] else 'MISSED'}; dev {dev_metrics.get(name)}\n")
    dev = [q for q in res["per_question"] if q["split"] == "dev"]
    if args.calibrate:
        w("  relevance of every dev question (the test questions are held out):\n")
        for q in sorted(dev, key=lambda q: (q["in_corpus"], q["relevance"] or 0)):
            w(f"    {q['id']:10} in={q['in_corpus']!s:5} rel={q['relevance']} abstained={q['abstained']} cited={q['cited']}\n")
    else:
        bad = [q for q in dev if (q["in_corpus"] and (q["abstained"] or q.get("precision") == 0))
               or (not q["in_corpus"] and not q["abstained"])]
        for q in bad:
            w(f"    check {q['id']} (dev): in={q['in_corpus']} abstained={q['abstained']} cited={q['cited']}\n")
    return 1 if missed else 0


# ---------------------------------------------------------------- guardrails
def register_guardrails(esub) -> None:
    p = esub.add_parser("guardrails", help="precision/recall of the guardrails on the shipped and shared sets",
                        description="Per-type precision, recall and F2 on evals/datasets/guard_*.jsonl and the hand-written "
                                    "sets (pii_handwritten, markings_prose, injection_vi_*); injection recall on "
                                    "../shared/data/redteam and the flag rate on the XQuAD-vi questions; test and dev side "
                                    "by side; thresholds from evals/thresholds.yaml (guardrails:) on test.")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--no-shared", action="store_true", help="only the sets in evals/datasets (fast)")
    p.add_argument("--off", default="", help="scanners to switch off (trainer demonstration), e.g. pii,injection")
    add_setting_args(p, ("lang",))
    split_arg(p)
    p.set_defaults(func=run_guardrails_cmd)


def run_guardrails_cmd(args) -> int:
    from assistant.evals.guardrails import run_guardrails
    from assistant.messages import t

    settings = settings_from(args)
    off = [x for x in args.off.split(",") if x.strip()] or None
    res = run_guardrails(settings, use_shared=not args.no_shared, off=off, split=args.split)
    missed = [k for k, v in res["thresholds"].items() if not v["met"]]
    if args.json:
        print_json(res)
        return 1 if missed else 0
    lang = settings.lang
    w = sys.stdout.write
    sp = order(res["splits"])
    blocks = {s: res["splits"][s] for s in sp}
    w("Guardrails — " + "; ".join(f"{s}: {b['shipped']['rows']} rows, decision accuracy {b['shipped']['decision_accuracy']:.3f}"
                                  for s, b in blocks.items()) + "\n")
    w(f"{'type':28} " + " | ".join(f"{s + ' prec':>9} {'recall':>6} {'F2':>6} {'tp/fp/fn':>10}" for s in sp) + "\n")

    def line(name, key):
        cells = []
        for s in sp:
            m = blocks[s]["shipped"][key].get(name)
            cells.append(f"{m['precision']:9.3f} {m['recall']:6.3f} {m['f2']:6.3f} {str(m['tp']) + '/' + str(m['fp']) + '/' + str(m['fn']):>10}"
                         if m else f"{'–':>9} {'–':>6} {'–':>6} {'–':>10}")
        return " | ".join(cells)

    for name in sorted({n for b in blocks.values() for n in b["shipped"]["per_type"]}):
        w(f"{name:28} {line(name, 'per_type')}\n")
    for name in sorted({n for b in blocks.values() for n in b["shipped"]["groups"]}):
        w(f"{'[' + name + ']':28} {line(name, 'groups')}\n")
    for s, b in blocks.items():
        for name, m in (b.get("redteam") or {}).items():
            w(f"red team {name:12} ({s}) recall {m['recall']:.3f} ({m['caught']}/{m['n']})\n")
        if b.get("xquad_vi"):
            x = b["xquad_vi"]
            w(f"XQuAD-vi benign ({s}): {x['flagged']}/{x['n']} flagged, {x['injection_fp']} as injection\n")
    if res.get("shared_missing"):
        w(t("evals.note.shared_missing", lang, path=res["shared_missing"]) + "\n")
    if "test" not in blocks:
        w(t("evals.cli.no_thresholds", lang) + "\n")
    dev_metrics = (blocks.get("dev") or {}).get("metrics") or {}
    for name, v in res["thresholds"].items():
        w(f"  {name:26} test {v['value']}  {v['rule']}  {t('evals.result.met' if v['met'] else 'evals.result.missed_plain', lang)}; "
          f"dev {dev_metrics.get(name)}\n")
    for e in ((blocks.get("dev") or {}).get("shipped") or {}).get("errors", [])[:10]:
        w(f"  ✗ {e['id']} (dev): expected {e['expected']}, got {e['got']} {e['types']} — {e['text']}\n")
    w(f"({res['seconds']} s)\n")
    return 1 if missed else 0
