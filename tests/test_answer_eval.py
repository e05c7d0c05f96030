"""``assistant eval answers`` on the shipped corpus: the figures of evals/thresholds.yaml (answers:) must hold."""
from __future__ import annotations

import pytest

from assistant.evals import answers as ev


def test_thresholds_file_has_the_answer_targets():
    th = ev.load_thresholds()
    assert th["citation_precision"]["min"] >= 0.85
    assert th["abstention_accuracy"]["min"] >= 0.9


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


@pytest.mark.slow
def test_offline_answers_meet_the_thresholds(corpus_index, retriever):
    settings, _ = corpus_index
    rows = ev.load_rows()
    if not rows:
        pytest.skip("no evals/datasets/answers_*.jsonl yet")
    res = ev.run_answers(settings, retriever=retriever, index=False, rows=rows)
    assert res["out_of_corpus"] >= 10
    missed = {k: v for k, v in res["thresholds"].items() if not v["met"]}
    assert not missed, missed
