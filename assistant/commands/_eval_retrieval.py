"""``eval retrieval`` (with ``--sweep-dense-weight``) and ``eval beir``: flags, calls, printing."""
from __future__ import annotations

import sys

from assistant.commands._common import add_setting_args, add_store_args, fail, print_json, settings_from
from assistant.commands._eval_common import fmt, order, split_arg


# ---------------------------------------------------------------- retrieval
def register_retrieval(esub) -> None:
    from assistant.evals.retrieval import MODES

    p = esub.add_parser("retrieval", help="retrieval metrics: lexical vs dense vs hybrid",
                        description="R@1/3/5/10, MRR@10, nDCG@10 on evals/datasets/retrieval_*.jsonl (over the current "
                                    "index) and on XQuAD (../shared/data/xquad), test and dev side by side.")
    p.add_argument("--dataset", action="append", help="JSONL file(s); default evals/datasets/retrieval_*.jsonl")
    p.add_argument("--no-xquad", action="store_true", help="skip XQuAD")
    p.add_argument("--modes", default=",".join(MODES), help="comma-separated: lexical,dense,hybrid")
    p.add_argument("--limit", type=int, help="first N questions of each set (quick look)")
    add_store_args(p)
    add_setting_args(p, ("dense_weight", "data_dir"))
    split_arg(p)
    p.add_argument("--json", action="store_true", help="print the full report as JSON")
    p.add_argument("--failures", type=int, default=0, help="print the N worst DEV questions of each set (hybrid)")
    p.add_argument("--sweep-dense-weight", action="store_true",
                   help="hybrid retrieval for dense weights 0, 0.05 … 1 on the shipped questions; the best weight is "
                        "chosen on dev only, its test figure printed beside")
    p.set_defaults(func=run_retrieval_cmd)


def retrieval_table(report: dict) -> str:
    from assistant.evals.retrieval import METRICS

    sp = order(report["splits"])
    label = " / ".join(sp)
    lines = [f"embedding model: {report['embedding_model']}   (cells: {label}; test is held out, dev is for tuning)", ""]
    names = list(dict.fromkeys(n for s in sp for n in report["splits"][s]["sets"]))
    cols = list(METRICS) + ["ms_per_query"]
    for name in names:
        res = {s: report["splits"][s]["sets"].get(name) for s in sp}
        n = " / ".join(str((res[s] or {}).get("n", 0)) for s in sp)
        lines.append(f"## {name} ({n} questions, {label})")
        lines.append("| mode | " + " | ".join(cols) + " |")
        lines.append("|---|" + "---|" * len(cols))
        modes = list(dict.fromkeys(m for s in sp if res[s] for m in res[s]["modes"]))
        for mode in modes:
            cells = []
            for c in cols:
                vals = [((res[s] or {}).get("modes", {}).get(mode, {}).get("metrics", {})).get(c) for s in sp]
                cells.append(" / ".join(fmt(x, ms=c == "ms_per_query") for x in vals))
            lines.append(f"| {mode} | " + " | ".join(cells) + " |")
        lines.append("")
    for note in report.get("notes", []):
        lines.append(f"note: {note}")
    return "\n".join(lines)


def _sweep(settings, args) -> int:
    from assistant.evals.retrieval import load_questions
    from assistant.evals.sweep import sweep_dense_weight
    from assistant.messages import t
    from assistant.retrieval import Retriever

    retriever = Retriever(settings)
    if retriever.size == 0:
        return fail("no index: run `python -m assistant index` first")
    res = sweep_dense_weight(retriever, load_questions(args.dataset))
    if args.json:
        print_json(res)
        return 0
    w = sys.stdout.write
    w(t("evals.cli.fitted_dev", settings.lang, n_dev=res["n_dev"], n_test=res["n_test"]) + "\n")
    w(f"hybrid, dense weight → dev {res['metric']} / R@5 / nDCG@10\n")
    for r in res["rows"]:
        mark = "  ← best on dev" if r["weight"] == res["best"]["weight"] else ""
        w(f"  {r['weight']:.2f}  {r['dev'][res['metric']]:.3f} / {r['dev']['R@5']:.3f} / {r['dev']['nDCG@10']:.3f}{mark}\n")
    for key, label in (("best", "best on dev"), ("current", "current setting")):
        b = res[key]
        w(f"{label} (weight {b['weight']}): {res['metric']} test {b['test'][res['metric']]:.3f} / dev {b['dev'][res['metric']]:.3f}; "
          f"R@5 test {b['test']['R@5']:.3f} / dev {b['dev']['R@5']:.3f}\n")
    return 0


def run_retrieval_cmd(args) -> int:
    from assistant.evals.retrieval import check_thresholds, fusion_regressions, run_retrieval
    from assistant.messages import t

    settings = settings_from(args)
    if args.sweep_dense_weight:
        return _sweep(settings, args)
    report = run_retrieval(settings, args.dataset, xquad=not args.no_xquad, modes=tuple(args.modes.split(",")),
                           limit=args.limit, split=args.split)
    rows = check_thresholds(report["splits"]["test"]) if "test" in report["splits"] else []
    if args.json:
        print_json(report)
        return 0 if all(r["met"] for r in rows) else 4
    print(retrieval_table(report))
    if "test" not in report["splits"]:
        print(t("evals.cli.no_thresholds", settings.lang))
    dev_sets = (report["splits"].get("dev") or {}).get("sets", {})
    for row in rows:
        mark = "met" if row["met"] else "MISSED"
        dev = dev_sets.get(row["set"], {}).get("modes", {}).get(row["mode"], {}).get("metrics", {}).get(row["metric"])
        print(f"threshold {row['set']} {row['mode']} {row['metric']} >= {row['min']}: test {row['value']} ({mark}); dev {dev}")
    for split in order(report["splits"]):
        for line in fusion_regressions(report["splits"][split]):
            print(f"fusion below its best part ({split}): {line}")
    if args.failures:
        dev = report["splits"].get("dev")
        if dev is None:
            print("failures are listed from the dev split only: run with --split dev or both")
        for name, res in (dev or {}).get("sets", {}).items():
            worst = sorted(res["modes"].get("hybrid", next(iter(res["modes"].values())))["queries"], key=lambda q: q["rr"])[: args.failures]
            print(f"\n### worst in {name} (dev)")
            for q in worst:
                gold = ", ".join(f"{g['source']}#{g.get('article', '')}" for g in q["gold"])
                print(f"- [{q['rr']:.2f}] {q['question']}  gold: {gold}  got: {', '.join(q['top'])}")
    return 0 if all(r["met"] for r in rows) else 4


# ---------------------------------------------------------------- BEIR
def register_beir(esub) -> None:
    p = esub.add_parser("beir", help="retrieval metrics on a BEIR-format set (corpus.jsonl, queries.jsonl, qrels/test.tsv)")
    p.add_argument("path", help="folder of the BEIR set")
    p.add_argument("--limit", type=int, help="first N queries")
    add_setting_args(p, ("embedding_model",))
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_beir_cmd)


def run_beir_cmd(args) -> int:
    from assistant.evals.beir import run_beir

    settings = settings_from(args)
    res = run_beir(settings, args.path, limit=args.limit)
    if args.json:
        print_json(res)
    else:
        print(retrieval_table({"embedding_model": settings.embedding_model or "default",
                               "splits": {"test": {"sets": {res["name"]: res}}}}))
    return 0
