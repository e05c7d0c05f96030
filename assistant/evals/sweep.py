"""Sweeps of tuned constants, fitted on the DEV split only; the test figure is reported beside, never used to choose.

- :func:`sweep_dense_weight`: the fusion's dense weight (``ASSISTANT_DENSE_WEIGHT``) for hybrid retrieval.
"""
from __future__ import annotations

from assistant.evals import splits as S
from assistant.evals.retrieval import aggregate, encode, rank

SWEEP_WEIGHTS = tuple(round(0.05 * i, 2) for i in range(21))


def sweep_dense_weight(retriever, questions: list[dict], weights=SWEEP_WEIGHTS, metric: str = "MRR@10") -> dict:
    """Hybrid retrieval for each fixed dense weight, fitted on the DEV questions only.

    Returns ``{"fitted_on": "dev", "metric", "n_dev", "n_test", "rows": [{"weight", "dev": {...}}],
    "best": {"weight", "dev", "test"}, "current": {"weight": "auto"|w, "dev", "test"}}``: the best weight is
    chosen on dev; the test figure beside it is only reported, never used to choose."""
    dev = S.pick(questions, "dev")
    test = S.pick(questions, "test")
    saved = retriever.settings
    vec_dev, vec_test = encode(retriever, dev), encode(retriever, test)

    def at(weight, qs, vecs):
        retriever.settings = saved.with_(dense_weight=weight)
        try:
            return aggregate(rank(retriever, qs, ("hybrid",), qvecs=vecs))["modes"]["hybrid"]["metrics"]
        finally:
            retriever.settings = saved

    rows = [{"weight": w, "dev": at(w, dev, vec_dev)} for w in weights]
    best = max(rows, key=lambda r: (r["dev"][metric], r["dev"]["R@5"], -abs(r["weight"] - 0.5)))
    current = saved.dense_weight
    return {"fitted_on": "dev", "metric": metric, "n_dev": len(dev), "n_test": len(test), "rows": rows,
            "best": {"weight": best["weight"], "dev": best["dev"], "test": at(best["weight"], test, vec_test)},
            "current": {"weight": "auto" if current < 0 else current, "dev": at(current, dev, vec_dev),
                        "test": at(current, test, vec_test)}}
