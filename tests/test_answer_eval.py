"""``eval answers``: the runner on a small fixture (figures per split, a planted regression that fails), and the
thresholds of evals/thresholds.yaml (answers:) on the TEST split of the shipped questions."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.evals import answers as ev
from assistant.evals import splits as S

FIX = Path(__file__).resolve().parent / "fixtures" / "answers"
# what the offline engine must reach on the fixture's test split (12 in-corpus and 14 out-of-corpus questions)
FIXTURE_LIMITS = {"citation_precision": {"min": 0.8}, "citation_recall": {"min": 0.8}, "abstention_accuracy": {"min": 0.8},
                  "false_abstention_rate": {"max": 0.2}, "must_include_recall": {"min": 0.6}}


def test_check_thresholds_flags_a_miss():
    th = {"citation_precision": {"min": 0.9}, "false_abstention_rate": {"max": 0.1}}
    res = ev.check_thresholds({"citation_precision": 0.8, "false_abstention_rate": 0.0}, th)
    assert res["citation_precision"]["met"] is False and res["false_abstention_rate"]["met"] is True
    assert ev.check_thresholds({}, th)["citation_precision"]["met"] is False  # a missing figure is a miss


def test_best_threshold_separates_scores():
    cal = ev.best_threshold([(0.1, False), (0.3, False), (0.5, True), (0.9, True)])
    assert 0.3 < cal["threshold"] < 0.5 and cal["accuracy"] == 1.0


def test_gold_matching():
    gold = [{"source": "a.md", "article": "3"}, {"source": "b.pdf", "article": ""}]
    assert ev.is_gold("a.md", "3", gold) and not ev.is_gold("a.md", "4", gold)
    assert ev.is_gold("b.pdf", "", gold) and ev.is_gold("b.pdf", "7", gold)


def test_metrics_of_counts_right():
    per = [{"in_corpus": True, "abstained": False, "cited_gold": 1, "cited_total": 2, "groundedness": 1.0, "facts": 2, "missing_facts": ["x"]},
           {"in_corpus": True, "abstained": True, "facts": 1, "missing_facts": ["y"]},
           {"in_corpus": False, "abstained": True}, {"in_corpus": False, "abstained": False}]
    m = ev.metrics_of(per)
    assert m == {"citation_precision": 0.5, "citation_recall": 1.0, "abstention_accuracy": 0.5, "false_abstention_rate": 0.5,
                 "must_include_recall": round(1 / 3, 4), "groundedness": 1.0}


@pytest.fixture(scope="module")
def fixture_setup(tmp_path_factory, embedder):
    from assistant.config import load_settings
    from assistant.indexer import run_index
    from assistant.retrieval import Retriever

    base = tmp_path_factory.mktemp("answer_eval")
    s = load_settings(env={}, env_file=None, store_dir=str(base / "store"), data_dir=str(base / "data"), corpus_dir=str(FIX / "corpus"))
    assert run_index(s, embedder=embedder).indexed == 3
    rows = [json.loads(x) for x in (FIX / "questions.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    return s, Retriever(s, embedder=embedder), S.ensure(rows, "answers", "fixture")


@pytest.mark.slow
def test_run_answers_on_the_fixture_per_split(fixture_setup):
    s, retr, rows = fixture_setup
    res = ev.run_answers(s, retriever=retr, index=False, rows=rows)
    assert set(res["splits"]) == {"dev", "test"}
    for split in ("dev", "test"):
        b = res["splits"][split]
        assert b["questions"] == sum(r["split"] == split for r in rows) and b["in_corpus"] >= 5 and b["out_of_corpus"] >= 6
    test = res["splits"]["test"]["metrics"]
    missed = {k: v for k, v in ev.check_thresholds(test, FIXTURE_LIMITS).items() if not v["met"]}
    assert not missed, (missed, test)
    cal = res["calibration"]
    assert cal["fitted_on"] == "dev" and cal["n_dev"] == res["splits"]["dev"]["questions"] and cal["threshold"] is not None
    assert {q["split"] for q in res["per_question"]} == {"dev", "test"}
    # --split test computes the test split only, with the same figures
    only = ev.run_answers(s, retriever=retr, index=False, rows=rows, split="test")
    assert set(only["splits"]) == {"test"} and only["splits"]["test"]["metrics"] == test


@pytest.mark.slow
def test_a_planted_regression_fails_on_the_fixture(fixture_setup):
    """An abstention threshold no passage reaches: every question abstains, the limits are missed."""
    s, retr, rows = fixture_setup
    res = ev.run_answers(s.with_(abstain_threshold=50.0), retriever=retr, index=False, rows=rows, split="test")
    m = res["splits"]["test"]["metrics"]
    assert m["false_abstention_rate"] == 1.0 and m["citation_precision"] is None
    checks = ev.check_thresholds(m, FIXTURE_LIMITS)
    assert not checks["false_abstention_rate"]["met"] and not checks["citation_precision"]["met"]


@pytest.mark.slow
def test_offline_answers_meet_the_thresholds_on_the_test_split(corpus_index, retriever):
    settings, _ = corpus_index
    rows = ev.load_rows()
    assert len(rows) >= 50, "evals/datasets/answers_*.jsonl"
    res = ev.run_answers(settings, retriever=retriever, index=False, rows=rows, split="test")
    assert res["splits"]["test"]["out_of_corpus"] >= 5
    assert set(res["thresholds"]) == set(ev.load_thresholds()) and len(res["thresholds"]) >= 5
    missed = {k: v for k, v in res["thresholds"].items() if not v["met"]}
    assert not missed, missed
