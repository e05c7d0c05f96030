"""Answer metrics: citation precision/recall, abstention, must-include facts, groundedness, per split.

Sets: ``evals/datasets/answers_*.jsonl``, lines
``{"id","question","lang","gold":[{"source","article"}],"must_include":[...],"in_corpus":bool,"split"}``,
over the shipped corpus (indexed incrementally into the configured store first).

- citation_precision: cited (source, article) units that are gold / all cited units (in-corpus questions, micro);
  ``article: ""`` in gold = any chunk of that source.
- citation_recall: share of answered in-corpus questions whose answer cites at least one gold unit.
- abstention_accuracy: share of out-of-corpus questions where the assistant abstained.
- false_abstention_rate: share of in-corpus questions where it abstained.
- must_include_recall: share of must-include facts found in the answers of in-corpus questions.
- groundedness: mean share of answer sentences supported by the chunk they cite.
- with ``judge`` and an LLM configured: LLM-judge faithfulness and relevance (1-5, prompts/tasks/judge.yaml).
- calibration: the abstention threshold that separates the relevance scores best, fitted on the DEV questions
  only, and the accuracy that threshold gives on test.
Every metric is computed per split; thresholds (the ``answers:`` section of ``evals/thresholds.yaml``,
``{min: x}`` / ``{max: x}``) are checked on ``test``.
"""
from __future__ import annotations

import json
import re
import time
import unicodedata
from pathlib import Path

from assistant.evals import splits as S

ROOT = Path(__file__).resolve().parent.parent.parent
DATASETS = ROOT / "evals" / "datasets"
THRESHOLDS = ROOT / "evals" / "thresholds.yaml"


def load_rows(datasets: Path = DATASETS, pattern: str = "answers_*.jsonl") -> list[dict]:
    """Every row of the answer sets in ``datasets``, with ``set`` (file stem) and ``split``."""
    rows = []
    shared = S.Counter()
    for p in sorted(Path(datasets).glob(pattern)):
        part = []
        with open(p, encoding="utf-8") as f:
            for n, line in enumerate(f, start=1):
                if line.strip():
                    try:
                        r = json.loads(line)
                    except ValueError as exc:
                        raise ValueError(f"{p}:{n}: not JSON ({exc})") from exc
                    r["set"] = p.stem
                    part.append(r)
        rows.extend(S.ensure(part, "answers", p.stem, shared))
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


def threshold_accuracy(scores: list[tuple[float, bool]], threshold: float | None) -> float | None:
    """Share of correct abstain/answer decisions with ``threshold`` (abstain below it)."""
    if threshold is None or not scores:
        return None
    return round(sum((s >= threshold) == inside for s, inside in scores) / len(scores), 4)


def calibrate(per: list[dict]) -> dict:
    """The abstention threshold fitted on DEV relevance scores only, and how it does on test."""
    def scores(split):
        return [(q["relevance"], q["in_corpus"]) for q in per if q["split"] == split and q["relevance"] is not None]

    dev, test = scores("dev"), scores("test")
    fit = best_threshold(dev)
    return {"fitted_on": "dev", "n_dev": len(dev), "n_test": len(test), **fit,
            "test_accuracy": threshold_accuracy(test, fit.get("threshold"))}


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


def score_one(pipe, row: dict, judge: bool = False) -> dict:
    """Ask one question; the record every metric is computed from."""
    from assistant.pipeline import Request

    res = pipe.run(Request(row["question"], lang=row.get("lang")))
    inside = bool(row.get("in_corpus", True))
    cited: list[tuple[str, str]] = []
    for c in res.citations:
        u = (c["source"], str(c.get("article") or ""))
        if u not in cited:
            cited.append(u)
    rel = (res.relevance or {}).get("score")
    item = {"id": row.get("id"), "set": row.get("set"), "split": row.get("split"), "in_corpus": inside,
            "abstained": bool(res.abstained), "cited": [f"{s}#{a}" for s, a in cited],
            "relevance": float(rel) if rel is not None else None, "ms": res.ms}
    if inside:
        if not res.abstained:
            ok = [is_gold(s, a, row.get("gold") or []) for s, a in cited]
            item["cited_gold"] = sum(ok)
            item["cited_total"] = len(ok)
            item["precision"] = (sum(ok) / len(ok)) if ok else None
            item["groundedness"] = res.groundedness
        answer = _norm(res.answer)
        must = row.get("must_include") or []
        item["missing_facts"] = [f for f in must if _norm(f) not in answer]
        item["facts"] = len(must)
        if judge and not res.abstained and res.error is None and pipe.uses_llm:
            item["judge"] = _judge(pipe, row, res, res.lang) or "unparsed"
    return item


def metrics_of(per: list[dict], judge: bool = False) -> dict:
    """The answer metrics over the records ``per`` (one split)."""
    ins = [q for q in per if q["in_corpus"]]
    outs = [q for q in per if not q["in_corpus"]]
    answered = [q for q in ins if not q["abstained"]]
    cited_total = sum(q.get("cited_total", 0) for q in answered)
    cited_gold = sum(q.get("cited_gold", 0) for q in answered)
    facts = sum(q.get("facts", 0) for q in ins)
    found = facts - sum(len(q.get("missing_facts") or []) for q in ins)
    grounded = [q["groundedness"] for q in answered if q.get("groundedness") is not None]

    def r(a, b):
        return round(a / b, 4) if b else None

    m = {
        "citation_precision": r(cited_gold, cited_total),
        "citation_recall": r(sum(q.get("cited_gold", 0) > 0 for q in answered), len(answered)),
        "abstention_accuracy": r(sum(q["abstained"] for q in outs), len(outs)),
        "false_abstention_rate": r(sum(q["abstained"] for q in ins), len(ins)),
        "must_include_recall": r(found, facts),
        "groundedness": r(sum(grounded), len(grounded)),
    }
    if judge:
        judged = [q["judge"] for q in per if isinstance(q.get("judge"), dict)]
        m["judge_faithfulness"] = round(sum(j["faithfulness"] for j in judged) / len(judged), 3) if judged else None
        m["judge_relevance"] = round(sum(j["relevance"] for j in judged) / len(judged), 3) if judged else None
        m["judge_unparsed"] = sum(q.get("judge") == "unparsed" for q in per)
    return m


def run_answers(settings, datasets: Path = DATASETS, index: bool = True, judge: bool = False, embedder=None,
                retriever=None, rows: list[dict] | None = None, progress=None, llm=None, split: str | None = None) -> dict:
    """Metrics over the answer sets, per split: ``{"splits": {split: {"questions", "in_corpus", "out_of_corpus",
    "metrics"}}, "thresholds" (on test), "calibration" (fitted on dev), "per_question", ...}``; ``metrics`` (and
    ``in_corpus``, ``out_of_corpus``) are over every question asked, both splits together (for ``rows`` a caller
    passes in; reports and thresholds read ``splits``).

    ``rows``: questions to use instead of the files (each with a ``split``, or one is given by the rule);
    ``llm``: a chat model to use instead of the configured server (tests); ``split``: dev, test or both."""
    from assistant.pipeline import Pipeline

    t0 = time.perf_counter()
    wanted = S.chosen(split)
    if index and retriever is None:
        from assistant.indexer import run_index

        run_index(settings, embedder=embedder)
    if retriever is None:
        from assistant.retrieval import Retriever

        retriever = Retriever(settings, embedder=embedder)
    pipe = Pipeline(settings, retriever=retriever, llm=llm)
    rows = load_rows(datasets) if rows is None else S.ensure([dict(r) for r in rows], "answers", "rows")
    rows = [r for r in rows if r["split"] in wanted]
    per = []
    for i, row in enumerate(rows):
        per.append(score_one(pipe, row, judge))
        if progress:
            progress(i + 1, len(rows))
    by = {}
    for s in wanted:
        sub = [q for q in per if q["split"] == s]
        by[s] = {"questions": len(sub), "in_corpus": sum(q["in_corpus"] for q in sub),
                 "out_of_corpus": sum(not q["in_corpus"] for q in sub), "metrics": metrics_of(sub, judge)}
    ms = sorted(q["ms"] for q in per if q.get("ms") is not None)
    out = {
        "backend": pipe.client.engine if pipe.uses_llm else "offline",
        "questions": len(rows),
        "splits": by,
        # every question asked, both splits together: for rows a caller passes in; reports use "splits"
        "in_corpus": sum(q["in_corpus"] for q in per), "out_of_corpus": sum(not q["in_corpus"] for q in per),
        "metrics": metrics_of(per, judge),
        "calibration": calibrate(per),
        "p50_ms": round(ms[len(ms) // 2], 1) if ms else None,
        "seconds": round(time.perf_counter() - t0, 1),
        "per_question": per,
    }
    out["thresholds"] = check_thresholds(by["test"]["metrics"]) if "test" in by else {}
    return out


def load_thresholds(path: Path = THRESHOLDS) -> dict:
    import yaml

    if not Path(path).is_file():
        return {}
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return data.get("answers") or {}


def check_thresholds(metrics: dict, thresholds: dict | None = None) -> dict:
    """Each threshold met or missed by ``metrics`` (pass the TEST split's); a missing figure is a miss."""
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
