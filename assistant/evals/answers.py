"""``assistant eval answers``: citation precision/recall, abstention, must-include facts, groundedness.

Sets: ``evals/datasets/answers_*.jsonl``, lines
``{"id","question","lang","gold":[{"source","article"}],"must_include":[...],"in_corpus":bool}``,
over the shipped corpus (indexed incrementally into the configured store first).

- citation_precision: cited (source, article) units that are gold / all cited units (in-corpus questions, micro);
  ``article: ""`` in gold = any chunk of that source.
- citation_recall: share of in-corpus questions whose answer cites at least one gold unit.
- abstention_accuracy: share of out-of-corpus questions where the assistant abstained.
- false_abstention_rate: share of in-corpus questions where it abstained.
- must_include_recall: share of must-include facts found in the answers of in-corpus questions.
- groundedness: mean share of answer sentences supported by the chunk they cite.
- with ``--judge`` and an LLM configured: LLM-judge faithfulness and relevance (1-5, prompts/tasks/judge.yaml).
- ``--calibrate``: the relevance score of every question and the abstention threshold that separates them best.
Thresholds: the ``answers:`` section of ``evals/thresholds.yaml`` (``{min: x}`` / ``{max: x}``).
"""
from __future__ import annotations

import json
import re
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DATASETS = ROOT / "evals" / "datasets"
THRESHOLDS = ROOT / "evals" / "thresholds.yaml"


def load_rows(datasets: Path = DATASETS, pattern: str = "answers_*.jsonl") -> list[dict]:
    rows = []
    for p in sorted(Path(datasets).glob(pattern)):
        with open(p, encoding="utf-8") as f:
            for n, line in enumerate(f, start=1):
                if line.strip():
                    try:
                        r = json.loads(line)
                    except ValueError as exc:
                        raise ValueError(f"{p}:{n}: not JSON ({exc})") from exc
                    r["set"] = p.stem
                    rows.append(r)
    return rows


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", s)).strip().lower()


def is_gold(source: str, article: str, gold: list[dict]) -> bool:
    return any(source == g.get("source") and (not g.get("article") or str(g["article"]) == str(article or "")) for g in gold)


def best_threshold(scores: list[tuple[float, bool]]) -> dict:
    """The threshold (abstain below it) with the most correct decisions; ties: the widest gap's midpoint."""
    if not scores:
        return {"threshold": None, "accuracy": None}
    values = sorted({s for s, _ in scores})
    cands = [values[0] - 0.01] + [(a + b) / 2 for a, b in zip(values, values[1:])] + [values[-1] + 0.01]
    best = None
    for th in cands:
        correct = sum((s >= th) == inside for s, inside in scores)
        gap = min((abs(s - th) for s, _ in scores), default=0)
        key = (correct, gap)
        if best is None or key > best[0]:
            best = (key, th)
    (correct, _), th = best
    ins = [s for s, i in scores if i]
    outs = [s for s, i in scores if not i]
    return {"threshold": round(th, 4), "accuracy": round(correct / len(scores), 4),
            "min_in_corpus": round(min(ins), 4) if ins else None, "max_out_of_corpus": round(max(outs), 4) if outs else None}


def _judge(pipe, row, res, lang) -> dict | None:
    from assistant.answer.prompting import load_template, passage_block

    tpl = load_template("judge")
    passages = "\n\n".join(passage_block(i, h, lang) for i, h in enumerate(res.hits, start=1)) or "—"
    system, user = tpl.render(lang, question=row["question"], answer=res.answer, passages=passages)
    try:
        out = pipe.client.complete(system, user)
        m = re.search(r"\{.*?\}", out, re.S)
        data = json.loads(m.group(0)) if m else {}
        return {"faithfulness": float(data["faithfulness"]), "relevance": float(data["relevance"])}
    except Exception:  # noqa: BLE001 - an unparsable verdict is skipped and counted
        return None


def run_answers(settings, datasets: Path = DATASETS, index: bool = True, judge: bool = False, embedder=None,
                retriever=None, rows: list[dict] | None = None, progress=None, llm=None) -> dict:
    """Metrics over the answer sets. ``llm``: a chat model to use instead of the configured server (tests)."""
    from assistant.pipeline import Pipeline, Request

    t0 = time.perf_counter()
    if index and retriever is None:
        from assistant.indexer import run_index

        run_index(settings, embedder=embedder)
    if retriever is None:
        from assistant.retrieval import Retriever

        retriever = Retriever(settings, embedder=embedder)
    pipe = Pipeline(settings, retriever=retriever, llm=llm)
    rows = load_rows(datasets) if rows is None else rows
    cited_total = cited_gold = 0
    recall_hits = in_n = out_n = out_abstained = in_abstained = 0
    facts = facts_found = 0
    grounded: list[float] = []
    judged: list[dict] = []
    judge_failed = 0
    scores: list[tuple[float, bool]] = []
    per: list[dict] = []
    ms: list[float] = []
    for i, row in enumerate(rows):
        res = pipe.run(Request(row["question"], lang=row.get("lang")))
        ms.append(res.ms)
        inside = bool(row.get("in_corpus", True))
        if res.relevance:
            scores.append((float(res.relevance["score"]), inside))
        cited = []
        for c in res.citations:
            u = (c["source"], str(c.get("article") or ""))
            if u not in cited:
                cited.append(u)
        item = {"id": row.get("id"), "set": row.get("set"), "in_corpus": inside, "abstained": res.abstained,
                "cited": [f"{s}#{a}" for s, a in cited], "relevance": res.relevance.get("score")}
        if inside:
            in_n += 1
            if res.abstained:
                in_abstained += 1
            else:
                gold = row.get("gold") or []
                ok = [is_gold(s, a, gold) for s, a in cited]
                cited_total += len(ok)
                cited_gold += sum(ok)
                recall_hits += int(any(ok))
                grounded.append(res.groundedness)
                item["precision"] = (sum(ok) / len(ok)) if ok else None
            answer = _norm(res.answer)
            missing = [f for f in row.get("must_include") or [] if _norm(f) not in answer]
            facts += len(row.get("must_include") or [])
            facts_found += len(row.get("must_include") or []) - len(missing)
            item["missing_facts"] = missing
            if judge and not res.abstained and res.error is None and pipe.uses_llm:
                v = _judge(pipe, row, res, res.lang)
                if v is None:
                    judge_failed += 1
                else:
                    judged.append(v)
        else:
            out_n += 1
            out_abstained += int(res.abstained)
        per.append(item)
        if progress:
            progress(i + 1, len(rows))
    metrics = {
        "citation_precision": round(cited_gold / cited_total, 4) if cited_total else None,
        "citation_recall": round(recall_hits / (in_n - in_abstained), 4) if in_n - in_abstained else None,
        "abstention_accuracy": round(out_abstained / out_n, 4) if out_n else None,
        "false_abstention_rate": round(in_abstained / in_n, 4) if in_n else None,
        "must_include_recall": round(facts_found / facts, 4) if facts else None,
        "groundedness": round(sum(grounded) / len(grounded), 4) if grounded else None,
    }
    if judge:
        metrics["judge_faithfulness"] = round(sum(j["faithfulness"] for j in judged) / len(judged), 3) if judged else None
        metrics["judge_relevance"] = round(sum(j["relevance"] for j in judged) / len(judged), 3) if judged else None
        metrics["judge_unparsed"] = judge_failed
    ms_sorted = sorted(ms)
    out = {
        "backend": pipe.client.engine if pipe.uses_llm else "offline",
        "questions": len(rows), "in_corpus": in_n, "out_of_corpus": out_n,
        "metrics": metrics,
        "calibration": best_threshold(scores),
        "p50_ms": round(ms_sorted[len(ms) // 2], 1) if ms else None,
        "seconds": round(time.perf_counter() - t0, 1),
        "per_question": per,
    }
    out["thresholds"] = check_thresholds(metrics)
    return out


def load_thresholds(path: Path = THRESHOLDS) -> dict:
    import yaml

    if not Path(path).is_file():
        return {}
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return data.get("answers") or {}


def check_thresholds(metrics: dict, thresholds: dict | None = None) -> dict:
    thresholds = load_thresholds() if thresholds is None else thresholds
    out = {}
    for name, rule in thresholds.items():
        v = metrics.get(name)
        ok = v is not None
        if ok and "min" in rule:
            ok = v >= rule["min"]
        if ok and "max" in rule:
            ok = v <= rule["max"]
        out[name] = {"value": v, "rule": rule, "met": bool(ok)}
    return out


def register(esub) -> None:
    p = esub.add_parser("answers", help="citation precision/recall, abstention, must-include facts, groundedness",
                        description="Answer quality over evals/datasets/answers_*.jsonl on the shipped corpus "
                                    "(offline engine by default). Exit 1 when a threshold of evals/thresholds.yaml "
                                    "(answers:) is missed.")
    from assistant.commands._common import add_store_args

    add_store_args(p)
    p.add_argument("--corpus", dest="corpus_dir", help="corpus folder (ASSISTANT_CORPUS_DIR)")
    p.add_argument("--backend", choices=["offline", "openai"], help="(ASSISTANT_BACKEND)")
    p.add_argument("--judge", action="store_true", help="also score faithfulness and relevance with the configured LLM")
    p.add_argument("--calibrate", action="store_true", help="print every question's relevance score")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args) -> int:
    from assistant.commands._common import fail, print_json, settings_from

    settings = settings_from(args)
    if args.judge:
        settings = settings.with_(backend="openai")
        if not settings.llm_base_url or not settings.llm_model:
            from assistant.messages import t

            return fail(t("answers.llm_not_configured", settings.lang))
    res = run_answers(settings, judge=args.judge)
    missed = [k for k, v in res["thresholds"].items() if not v["met"]]
    if args.json:
        print_json(res)
        return 1 if missed else 0
    w = sys.stdout.write
    w(f"answers: {res['questions']} questions ({res['in_corpus']} in corpus, {res['out_of_corpus']} out), "
      f"backend {res['backend']}, {res['seconds']} s, p50 {res['p50_ms']} ms\n")
    for k, v in res["metrics"].items():
        w(f"  {k:24} {v}\n")
    cal = res["calibration"]
    w(f"  calibration: best threshold {cal['threshold']} (accuracy {cal['accuracy']}; lowest in-corpus "
      f"{cal.get('min_in_corpus')}, highest out-of-corpus {cal.get('max_out_of_corpus')})\n")
    for name, v in res["thresholds"].items():
        w(f"  threshold {name:22} {v['value']}  {v['rule']}  {'met' if v['met'] else 'MISSED'}\n")
    if args.calibrate:
        for q in sorted(res["per_question"], key=lambda q: (q["in_corpus"], q["relevance"] or 0)):
            w(f"    {q['id']:10} in={q['in_corpus']!s:5} rel={q['relevance']} abstained={q['abstained']} cited={q['cited']}\n")
    else:
        bad = [q for q in res["per_question"] if (q["in_corpus"] and (q["abstained"] or q.get("precision") == 0))
               or (not q["in_corpus"] and not q["abstained"])]
        for q in bad:
            w(f"    check {q['id']}: in={q['in_corpus']} abstained={q['abstained']} cited={q['cited']}\n")
    return 1 if missed else 0
