"""Retrieval quality held in CI: thresholds on the shipped set and XQuAD-vi, and fusion never below its best part."""
from __future__ import annotations

import pytest

from assistant.evals import retrieval as R


@pytest.fixture(scope="module")
def corpus_report(corpus_index, retriever):
    qs = []
    for f in sorted(R.DATASETS.glob("retrieval_*.jsonl")):
        qs.extend(R.load_jsonl(f))
    assert len(qs) >= 80
    report = {"sets": {"corpus": R.evaluate(retriever, qs)}}
    for lang in ("vi", "en"):
        report["sets"][f"corpus-{lang}"] = R.evaluate(retriever, [q for q in qs if q["lang"] == lang])
    return report


def test_metrics_are_computed_right():
    gold = [{"source": "a.md", "article": "2"}]
    s = R.score_query([("a.md", "1"), ("a.md", "2"), ("b.md", "")], gold)
    assert s["R@1"] == 0 and s["R@3"] == 1 and s["MRR@10"] == 0.5
    assert abs(s["nDCG@10"] - 1 / __import__("math").log2(3)) < 1e-9
    assert R.score_query([("b.md", "")], [{"source": "b.md", "article": ""}])["R@1"] == 1
    assert R.score_query([], gold)["MRR@10"] == 0


def test_shipped_set_meets_thresholds(corpus_report):
    rows = R.check_thresholds(corpus_report)
    assert rows, "no retrieval thresholds for the shipped set"
    missed = [r for r in rows if not r["met"]]
    assert not missed, missed


def test_hybrid_never_below_its_best_part(corpus_report):
    assert R.fusion_regressions(corpus_report) == []


def test_a_planted_regression_fails_the_thresholds(corpus_report, retriever):
    """Dense-only fusion weights (the bundled model reads English only) must miss the thresholds."""
    qs = []
    for f in sorted(R.DATASETS.glob("retrieval_*.jsonl")):
        qs.extend(R.load_jsonl(f))
    saved = retriever.settings
    try:
        retriever.settings = saved.with_(dense_weight=1.0)
        bad = {"sets": {"corpus": R.evaluate(retriever, qs, modes=("hybrid",))}}
    finally:
        retriever.settings = saved
    assert any(not r["met"] for r in R.check_thresholds(bad))


@pytest.mark.slow
def test_xquad_vi(make_settings, embedder, tmp_path):
    if not (R.SHARED / "data" / "xquad").is_dir():
        pytest.skip("../shared/data/xquad is not present")
    settings = make_settings(data_dir=str(tmp_path / "data"))
    retr = R.xquad_retriever(settings, "vi", embedder)
    _, qs = R.xquad_questions("vi")
    assert len(qs) == 1190
    res = R.evaluate(retr, qs, modes=("lexical", "hybrid"))
    report = {"sets": {"xquad-vi": res}}
    missed = [r for r in R.check_thresholds(report) if not r["met"]]
    assert not missed, missed
    for metric in ("R@1", "R@5", "MRR@10"):
        assert res["modes"]["hybrid"]["metrics"][metric] >= res["modes"]["lexical"]["metrics"][metric]
