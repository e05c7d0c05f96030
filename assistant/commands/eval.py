"""``assistant eval <area>``: the command-line face of the evaluation runners in ``assistant/evals/``.

The runners compute (and never import this module); this module parses flags, calls them, and prints.
Every area is computed per split (``--split dev|test|both``, default both) and printed test and dev side by
side; thresholds are checked on test; calibration helpers (``eval answers --calibrate``,
``eval retrieval --sweep-dense-weight``) fit on dev only and say so.

    eval retrieval   R@k, MRR@10, nDCG@10: lexical, dense and hybrid (shipped sets and XQuAD)
    eval answers     citation precision/recall, abstention, must-include facts, groundedness
    eval guardrails  precision/recall per guard type (shipped, hand-written and shared sets)
    eval beir        retrieval metrics on a BEIR-format folder
    eval all         every area for one or more configurations, one report (md, html, json); --record
    eval splits      check (or fill in) the dev/test split of every row of the eval sets
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from assistant.commands._common import add_setting_args, fail, settings_from
from assistant.commands._eval_areas import register_answers, register_guardrails
from assistant.commands._eval_common import split_arg
from assistant.commands._eval_retrieval import register_beir, register_retrieval


def register(sub) -> None:
    p = sub.add_parser("eval", help="measure retrieval, answers, guardrails (dev and test splits)",
                       description="Evaluation runners. Each prints its figures for the test split (held out; "
                                   "thresholds are checked on it) and the dev split (tuning may look at it) side by "
                                   "side; --json for machine-readable output.")
    esub = p.add_subparsers(dest="eval_command", metavar="AREA")
    for reg in (_register_all, register_answers, register_beir, register_guardrails, register_retrieval, _register_splits):
        reg(esub)
    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])


# ---------------------------------------------------------------- all
def _register_all(esub) -> None:
    p = esub.add_parser("all", help="every area for one or more configurations, one report (md, html, json)",
                        description="Retrieval, answers, guardrails and speed for each --config (.env-style file of "
                                    "ASSISTANT_* lines over the current settings); report in --out, test and dev side by "
                                    "side, in --lang. --record writes evals/figures.json and the figures table of "
                                    "docs/evals.md from the first configuration.")
    p.add_argument("--config", action="append", default=[], help="configuration file (repeatable); name = file stem")
    p.add_argument("--out", help="report folder (default reports/eval-<timestamp>)")
    p.add_argument("--xquad", action="store_true", help="also XQuAD-vi in retrieval (slow)")
    p.add_argument("--judge", action="store_true", help="LLM-judge metrics (needs ASSISTANT_BACKEND=openai)")
    p.add_argument("--quick", action="store_true", help="skip the shared red-team and XQuAD guard sets")
    p.add_argument("--limit", type=int, help="first N questions of each set")
    p.add_argument("--datasets", help="folder of retrieval_*.jsonl, answers_*.jsonl, guard_*.jsonl (default evals/datasets)")
    p.add_argument("--beir", help="BEIR-format folder to score as well (first configuration)")
    p.add_argument("--compare", help="report.json to compare with (default: newest in --out's parent)")
    p.add_argument("--record", action="store_true",
                   help="record the first configuration's figures (both splits, every set, XQuAD included) in "
                        "evals/figures.json with the configuration, the date and the hash of evals/thresholds.yaml")
    add_setting_args(p, ("lang",))
    split_arg(p)
    p.set_defaults(func=run_all_cmd)


def run_all_cmd(args) -> int:
    from assistant.evals import figures as F
    from assistant.evals.all import ROOT, all_met, config_settings, run_all
    from assistant.evals.report import summary
    from assistant.messages import t

    lang = settings_from(args).lang
    xquad = args.xquad
    if args.record:
        bad = [flag for flag, on in (("--quick", args.quick), ("--limit", args.limit), ("--datasets", args.datasets),
                                     (f"--split {args.split}", args.split != "both")) if on]
        if bad:
            return fail(t("evals.record.refused", lang, options=", ".join(bad)))
        xquad = True
    configs = [config_settings(c) for c in args.config] or [config_settings(None)]
    out = Path(args.out or ROOT / "reports" / time.strftime("eval-%Y%m%d-%H%M%S"))
    report = run_all(configs, out, xquad=xquad, judge=args.judge, quick=args.quick, limit=args.limit, beir=args.beir,
                     compare=args.compare, datasets=args.datasets, split=args.split, lang=lang,
                     log=lambda m: print(m, file=sys.stderr, flush=True))
    print(summary(report, lang))
    print(t("evals.summary.report", lang, path=out / "report.html"))
    code = 0 if all_met(report["configs"][0]) else 4
    if args.record:
        record = F.build_record(report["configs"][0])
        path = F.write_record(record)
        docs_ok = F.update_docs(record)
        print(t("evals.record.written", lang, path=path, name=record["configuration_name"], sha=record["thresholds_sha256"][:12],
                docs=F.DOCS))
        if not docs_ok:
            print(t("evals.record.docs_missing", lang, docs=F.DOCS))
        missed = [c["key"] for c in F.threshold_checks(record) if not c["met"]]
        if missed:
            print(t("evals.record.missed", lang, names=", ".join(missed)))
            code = 4
    return code


# ---------------------------------------------------------------- splits
def _register_splits(esub) -> None:
    p = esub.add_parser("splits", help="check the dev/test split of every eval row (or fill in missing ones)",
                        description="Counts per split of every retrieval_*, answers_* and guard_* set, and the problems: "
                                    "rows without a split, strata off by more than one. --write gives rows without a split "
                                    "one by the stratified rule (docs/evals.md), keeping every other row as it is.")
    p.add_argument("--datasets", help="folder of the sets (default evals/datasets)")
    p.add_argument("--write", action="store_true", help="fill in missing splits in the files")
    p.set_defaults(func=run_splits_cmd)


def run_splits_cmd(args) -> int:
    import json

    from assistant.evals import splits as S
    from assistant.evals.retrieval import DATASETS

    folder = Path(args.datasets or DATASETS)
    problems = []
    shared = {k: S.Counter() for k in S.KINDS}  # counts across the files of a kind, as the eval loaders keep them
    for f in sorted(folder.glob("*.jsonl")):
        if S.kind_of(f) is None:
            continue
        if args.write:
            n = S.write_file(f, shared[S.kind_of(f)])
            if n:
                print(f"{f.name}: {n} rows given a split")
        rows = [json.loads(x) for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
        counts = {s: sum(r.get("split") == s for r in rows) for s in S.SPLITS}
        print(f"{f.name:34} dev {counts['dev']:4}  test {counts['test']:4}")
        problems += S.check_file(f)
    for p in problems:
        print(f"  ✗ {p}")
    return 1 if problems else 0

