"""Throughput of ``assistant guard --batch``: 1,000 texts through ``check_inputs`` (target <= 10 s).

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/bench_guard.py [--n 1000] [--json]

Texts: the shipped guard sets (evals/datasets/guard_*.jsonl) plus, when ../shared is present, XQuAD-vi
questions and red-team prompts, cycled to N. The embedding model is loaded first and timed separately
(one-off per process); the figure to compare with the target is the batch time.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def texts(n: int, attacks_per_set: int = 0) -> list[str]:
    """Shipped sets + XQuAD-vi questions (typical user input); with ``attacks_per_set`` > 0 also
    that many long red-team prompts from each shared set."""
    from assistant.evals.guardrails import load_shared, load_shipped, shared_dir

    pool = [r["text"] for r in load_shipped()]
    attacks, benign = load_shared(shared_dir())
    pool += benign
    for xs in attacks.values():
        pool += xs[:attacks_per_set]
    import random

    random.Random(7).shuffle(pool)
    out = []
    while len(out) < n:
        out.extend(pool)
    return out[:n]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from assistant.embeddings import get_embedder
    from assistant.guard import check_inputs

    ap_mixes = {"questions": texts(args.n), "with_redteam": texts(args.n, attacks_per_set=50)}
    t0 = time.perf_counter()
    emb = get_embedder()
    from assistant.guard.injection import _bank_vectors

    _bank_vectors(emb)  # the attack bank is encoded once per process
    load_s = time.perf_counter() - t0
    out = {"model_load_seconds": round(load_s, 2), "target_seconds": 10.0}
    for name, batch in ap_mixes.items():
        t1 = time.perf_counter()
        res = check_inputs(batch, None, embedder=emb)
        batch_s = time.perf_counter() - t1
        counts = {d: sum(r.decision == d for r in res) for d in ("allow", "warn", "block")}
        out[name] = {"texts": len(batch), "batch_seconds": round(batch_s, 2), "met": batch_s <= 10.0,
                     "texts_per_second": round(len(batch) / batch_s, 1), "decisions": counts}
    if args.json:
        print(json.dumps(out))
    else:
        for name in ap_mixes:
            m = out[name]
            print(f"guard --batch [{name}]: {m['texts']} texts in {m['batch_seconds']:.2f} s ({m['texts_per_second']}/s; "
                  f"target <= 10 s: {'met' if m['met'] else 'MISSED'}); {m['decisions']}")
        print(f"model load {load_s:.1f} s (once per process, not counted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
