"""Fit the relevance rule's constants on the DEV split of the answer sets; report them on TEST.

    .venv/bin/python scripts/calibrate_relevance.py [--model NAME] [--store DIR]

Every question of ``evals/datasets/answers_*.jsonl`` is asked once through the pipeline with abstention
switched off (so every question gets its passages and its relevance parts: term coverage and the best dense
cosine). Then, on the dev questions only, a grid over the dense constants (DENSE_FLOOR, DENSE_BONUS) and the
threshold picks the rule with the most correct answer/abstain decisions (ties: the widest margin between the
two sides, then the smallest dense bonus). The same constants are then scored on test. Nothing here is fitted
on test; the printout says which split each figure comes from.

The figures depend on the embedding model (its cosines, and whether it reads Vietnamese): re-run this when
``assistant.embeddings.DEFAULT_MODEL`` changes, and copy the constants into ``assistant/answer/relevance.py``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

FLOORS = [round(0.50 + 0.025 * i, 3) for i in range(15)]  # 0.50 .. 0.85
BONUSES = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0]


def load_rows() -> list[dict]:
    rows = []
    for p in sorted((ROOT / "evals" / "datasets").glob("answers_*.jsonl")):
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                if r.get("split") in ("dev", "test"):
                    rows.append(r)
    return rows


def measure(rows: list[dict], model: str, store: str) -> list[dict]:
    """Each question's relevance parts, from the pipeline itself (abstention off)."""
    from assistant.answer.types import Request
    from assistant.config import load_settings
    from assistant.embeddings import get_embedder
    from assistant.indexer import run_index
    from assistant.pipeline import Pipeline
    from assistant.retrieval import Retriever, query_lang

    settings = load_settings(env={}, env_file=None, store_dir=str(Path(store) / "store"),
                             data_dir=str(Path(store) / "data"), corpus_dir=str(ROOT / "corpus"),
                             embedding_model=model, abstain_threshold=0.0)
    emb = get_embedder(settings.embedding_model)
    run_index(settings, embedder=emb)
    pipe = Pipeline(settings, retriever=Retriever(settings, embedder=emb))
    out = []
    for r in rows:
        res = pipe.run(Request(r["question"], lang=r.get("lang")))
        rel = res.relevance or {}
        if not rel:  # blocked by the guard, or no passages: not a relevance decision
            continue
        reads = bool(getattr(emb, "multilingual", False)) or query_lang(res.query) == "en"
        out.append({"id": r["id"], "split": r["split"], "inside": bool(r.get("in_corpus", True)),
                    "coverage": rel["coverage"], "dense": rel["dense"], "reads": reads, "query": res.query,
                    "hits": [[h.text, float(h.dense_score)] for h in res.hits]})
    return out, emb.name


def score(q: dict, floor: float, bonus: float) -> float:
    return q["coverage"] + (bonus * max(0.0, q["dense"] - floor) if q["reads"] else 0.0)


def fit(dev: list[dict]) -> dict:
    from assistant.evals.answers import best_threshold

    best = None
    for floor in FLOORS:
        for bonus in BONUSES:
            scores = [(score(q, floor, bonus), q["inside"]) for q in dev]
            b = best_threshold(scores)
            th = b["threshold"]
            correct = sum((s >= th) == inside for s, inside in scores)
            margin = min(abs(s - th) for s, _ in scores)
            key = (correct, round(margin, 4), -bonus, floor)
            if best is None or key > best[0]:
                best = (key, {"floor": floor, "bonus": bonus, "threshold": th})
            if bonus == 0.0:
                break  # the floor does not matter without a bonus
    return best[1]


def report(qs: list[dict], c: dict, ids: bool = True) -> dict:
    """Figures for ``qs``; the questions it gets wrong by id only when ``ids`` (dev: test rows are scored in
    aggregate only, never listed)."""
    ins = [q for q in qs if q["inside"]]
    outs = [q for q in qs if not q["inside"]]
    answered = [q for q in qs if score(q, c["floor"], c["bonus"]) >= c["threshold"]]
    wrong_in = [q["id"] for q in ins if q not in answered]
    wrong_out = [q["id"] for q in outs if q in answered]
    return {"questions": len(qs), "accuracy": round(1 - (len(wrong_in) + len(wrong_out)) / max(len(qs), 1), 4),
            "false_abstentions": f"{len(wrong_in)}/{len(ins)}", "out_of_corpus_refused": f"{len(outs) - len(wrong_out)}/{len(outs)}",
            **({"refused_answerable": wrong_in, "answered_out_of_corpus": wrong_out} if ids else {})}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="", help="embedding model (default: the repository's DEFAULT_MODEL)")
    ap.add_argument("--store", default="", help="index folder to (re)use (default: a temporary one)")
    ap.add_argument("--dump", default="", help="also write each dev question's relevance parts to this JSON file")
    args = ap.parse_args(argv)
    store = args.store or tempfile.mkdtemp(prefix="calibrate-relevance-")
    qs, model = measure(load_rows(), args.model, store)
    dev = [q for q in qs if q["split"] == "dev"]
    test = [q for q in qs if q["split"] == "test"]
    if args.dump:  # dev only: what the fit may look at
        Path(args.dump).write_text(json.dumps(dev, ensure_ascii=False, indent=1), encoding="utf-8")
    c = fit(dev)
    print(json.dumps({"model": model, "fitted_on": "dev", "constants": c, "dev": report(dev, c), "test": report(test, c, ids=False)},
                     ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
