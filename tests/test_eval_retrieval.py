"""Retrieval quality held in CI: thresholds on the TEST split of the shipped set and of XQuAD-vi, and fusion never
below its best part on the dev split (the split the fusion weights may be tuned on)."""
from __future__ import annotations

import math

import pytest

from assistant.evals import retrieval as R


@pytest.fixture(scope="module")
def corpus_report(corpus_index, retriever):
    """``{split: {"sets": ...}}`` for the shipped questions, all three modes."""
    qs = R.load_questions()
    assert len(qs) >= 80
    ranked = R.rank(retriever, qs)
    return {s: {"sets": sets} for s, sets in R.by_split(ranked, ("dev", "test")).items()}


def test_metrics_are_computed_right():
    gold = [{"source": "a.md", "article": "2"}]
    s = R.score_query([("a.md", "1"), ("a.md", "2"), ("b.md", "")], gold)
    assert s["R@1"] == 0 and s["R@3"] == 1 and s["MRR@10"] == 0.5
    assert abs(s["nDCG@10"] - 1 / math.log2(3)) < 1e-9
    assert R.score_query([("b.md", "")], [{"source": "b.md", "article": ""}])["R@1"] == 1
    assert R.score_query([], gold)["MRR@10"] == 0


def test_aggregate_per_split():
    ranked = {"hybrid": [{"id": i, "question": "q", "gold": [], "rr": float(i % 2), "top": [], "lang": "vi", "ms": 1.0,
                          "split": "dev" if i < 2 else "test", "scores": {m: float(i % 2) for m in R.METRICS}} for i in range(4)]}
    out = R.by_split(ranked, ("dev", "test"))
    assert out["dev"]["corpus"]["n"] == 2 and out["test"]["corpus"]["modes"]["hybrid"]["metrics"]["R@1"] == 0.5
    assert "corpus-en" not in out["dev"] and out["dev"]["corpus-vi"]["n"] == 2


def test_both_splits_are_scored_and_the_test_split_meets_the_thresholds(corpus_report):
    assert corpus_report["dev"]["sets"]["corpus"]["n"] >= 40 and corpus_report["test"]["sets"]["corpus"]["n"] >= 40
    rows = R.check_thresholds(corpus_report["test"])
    assert len(rows) >= 6, "no retrieval thresholds for the shipped set"
    missed = [r for r in rows if not r["met"]]
    assert not missed, missed


def test_hybrid_never_below_its_best_part_on_dev(corpus_report):
    assert R.fusion_regressions(corpus_report["dev"]) == []


def test_a_planted_regression_fails_the_thresholds(corpus_report, retriever):
    """Dense-only fusion weights (the bundled model reads English only) must miss the test thresholds."""
    qs = [q for q in R.load_questions() if q["split"] == "test"]
    saved = retriever.settings
    try:
        retriever.settings = saved.with_(dense_weight=1.0)
        bad = {"sets": {"corpus": R.evaluate(retriever, qs, modes=("hybrid",))}}
    finally:
        retriever.settings = saved
    assert any(not r["met"] for r in R.check_thresholds(bad))


@pytest.mark.slow
def test_xquad_vi(make_settings, embedder, tmp_path):
    if not R.xquad_present():
        pytest.skip(f"{R.SHARED / 'data' / 'xquad'} is not present")
    settings = make_settings(data_dir=str(tmp_path / "data"))
    retr = R.xquad_retriever(settings, "vi", embedder)
    _, qs = R.xquad_questions("vi")
    assert len(qs) == 1190
    ranked = R.rank(retr, qs, modes=("lexical", "hybrid"))
    by = R.by_split(ranked, ("dev", "test"), langs=False, prefix="xquad-vi")
    assert by["dev"]["xquad-vi"]["n"] + by["test"]["xquad-vi"]["n"] == 1190
    rows = R.check_thresholds({"sets": by["test"]})
    assert rows and not [r for r in rows if not r["met"]], rows
    for metric in ("R@1", "R@5", "MRR@10"):
        test = by["test"]["xquad-vi"]["modes"]
        assert test["hybrid"]["metrics"][metric] >= test["lexical"]["metrics"][metric]
