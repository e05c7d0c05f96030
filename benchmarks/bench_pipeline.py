"""Pipeline overhead over retrieval alone: p50/p95 in ms (target: p95 <= 100 ms).

    .venv/bin/python benchmarks/bench_pipeline.py [--store DIR] [--corpus DIR] [--rounds N] [--json]

Runs every question of evals/datasets/answers_*.jsonl through the pipeline
twice: with the offline engine and with a fake LLM (instant, streaming word
by word), so LLM time is excluded. Overhead = the pipeline's total time
minus the retrieval time measured inside it: input/output guards,
follow-up handling, the abstention check, prompt assembly and the token
budget, generation (offline engine or fake LLM), and the citation check.
The index is built (incrementally) under --store from --corpus first.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    k = max(0, min(len(v) - 1, int(round(p / 100 * (len(v) - 1)))))
    return v[k]


def fake_llm(n: int):
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    reply = "Theo quy định, nội dung được nêu tại đoạn trích [1]. Thông tin bổ sung ở đoạn [2]."
    return GenericFakeChatModel(messages=iter([AIMessage(content=reply)] * n))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", default=str(ROOT / ".assistant" / "bench-answers"), help="index folder")
    ap.add_argument("--corpus", default=str(ROOT / "corpus"), help="corpus folder")
    ap.add_argument("--rounds", type=int, default=2, help="passes over the questions (the first warms caches)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    from assistant.config import load_settings
    from assistant.evals.answers import load_rows
    from assistant.indexer import run_index
    from assistant.pipeline import Pipeline, Request
    from assistant.retrieval import Retriever

    settings = load_settings(env={}, env_file=None, store_dir=args.store, corpus_dir=args.corpus,
                             data_dir=str(Path(args.store) / "data"))
    run_index(settings)
    retriever = Retriever(settings)
    questions = [r["question"] for r in load_rows()]
    if not questions:
        print("no questions in evals/datasets/answers_*.jsonl", file=sys.stderr)
        return 1
    n_calls = len(questions) * (args.rounds + 1) * 2
    offline = Pipeline(settings, retriever=retriever)
    with_llm = Pipeline(settings.with_(backend="openai", redact_outbound=False), retriever=retriever, llm=fake_llm(n_calls))

    # warm-up: models, document frequencies, caches
    for q in questions[:3]:
        retriever.search(q)
        offline.run(Request(q))
        with_llm.run(Request(q))

    retrieval_alone: list[float] = []
    results: dict[str, dict[str, list[float]]] = {"offline": {}, "fake_llm": {}}
    for _ in range(args.rounds):
        for q in questions:
            t0 = time.perf_counter()
            retriever.search(q)
            retrieval_alone.append((time.perf_counter() - t0) * 1000)
            for name, pipe in (("offline", offline), ("fake_llm", with_llm)):
                res = pipe.run(Request(q))
                tm = res.timings
                r = results[name]
                r.setdefault("overhead", []).append(tm["total_ms"] - tm.get("retrieve_ms", 0.0))
                r.setdefault("guards", []).append(tm.get("guard_in_ms", 0.0) + tm.get("guard_out_ms", 0.0))
                r.setdefault("answer", []).append(tm.get("generate_ms", 0.0) + tm.get("check_ms", 0.0))
                r.setdefault("total", []).append(tm["total_ms"])
    out = {
        "questions": len(questions), "rounds": args.rounds,
        "retrieval_alone_ms": {"p50": round(pct(retrieval_alone, 50), 1), "p95": round(pct(retrieval_alone, 95), 1)},
    }
    for name, r in results.items():
        out[name] = {k: {"p50": round(statistics.median(v), 1), "p95": round(pct(v, 95), 1)} for k, v in r.items()}
    out["target_p95_overhead_ms"] = 100
    out["met"] = all(out[n]["overhead"]["p95"] <= 100 for n in results)
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(f"{len(questions)} questions x {args.rounds} rounds; retrieval alone p50 {out['retrieval_alone_ms']['p50']} ms, "
              f"p95 {out['retrieval_alone_ms']['p95']} ms")
        for name in results:
            o = out[name]
            print(f"  {name:9} overhead over retrieval p50 {o['overhead']['p50']:7.1f} ms  p95 {o['overhead']['p95']:7.1f} ms"
                  f"   (guards p95 {o['guards']['p95']} ms; answer+citations p95 {o['answer']['p95']} ms)")
        print(f"  target p95 <= 100 ms: {'met' if out['met'] else 'MISSED'}")
    return 0 if out["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
