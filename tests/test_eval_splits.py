"""Dev/test splits of every eval set, the figures record (evals/figures.json), the evals→commands import rule,
and the eval report in both languages."""
from __future__ import annotations

import ast
import json
from collections import Counter
from pathlib import Path

import pytest

from assistant.evals import figures as F
from assistant.evals import splits as S

ROOT = Path(__file__).resolve().parent.parent
DATASETS = ROOT / "evals" / "datasets"
SHARED = ROOT.parent / "shared"
HANDWRITTEN = ("injection_vi_attacks.jsonl", "injection_vi_benign.jsonl", "pii_handwritten.jsonl", "markings_prose.jsonl")


def _rows(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


# ---------------------------------------------------------------- the shipped splits
def test_every_shipped_row_has_a_split_and_strata_are_balanced():
    files = [f for f in sorted(DATASETS.glob("*.jsonl")) if S.kind_of(f)]
    assert {S.kind_of(f) for f in files} == {"retrieval", "answers", "guard"}
    problems = [p for f in files for p in S.check_file(f)]
    assert not problems, problems
    for name in HANDWRITTEN:
        rows = _rows(DATASETS / name)
        assert rows and all(r.get("split") in S.SPLITS for r in rows), name
        c = Counter(r["split"] for r in rows)
        assert abs(c["dev"] - c["test"]) <= 2, (name, c)


def test_the_generated_personal_data_set_is_gone():
    """guard/datagen.py built its positives from the recogniser's own tables: neither it nor its output ships."""
    assert not (DATASETS / "guard_pii.jsonl").exists()
    assert not (ROOT / "assistant" / "guard" / "datagen.py").exists()


def test_out_of_corpus_questions_are_in_both_splits():
    from assistant.evals.answers import load_rows

    c = Counter((r["split"], r["in_corpus"]) for r in load_rows())
    for inside in (True, False):
        assert abs(c[("dev", inside)] - c[("test", inside)]) <= 1, c
        assert c[("test", inside)] >= 5


def test_assign_is_stratified_deterministic_and_keeps_old_rows():
    rows = [{"id": f"q{i:02d}", "lang": "vi" if i % 3 else "en", "in_corpus": i % 4 != 0} for i in range(40)]
    a = S.assign(rows, "answers", "x")
    assert a == S.assign([dict(r) for r in reversed(rows)], "answers", "x")[::-1]  # by id, not by order
    for key, c in S.balance([dict(r, split=s) for r, s in zip(rows, a)], "answers", "x").items():
        assert abs(c["dev"] - c["test"]) <= 1, key
    # a new row never moves an old one
    fixed = [dict(r, split=s) for r, s in zip(rows, a)]
    more = fixed + [{"id": "q99", "lang": "vi", "in_corpus": True}]
    assert S.assign(more, "answers", "x")[:40] == a
    with pytest.raises(ValueError, match="dev or test"):
        S.assign([{"id": "z", "split": "train"}], "answers", "x")


def test_write_folder_fills_only_missing_splits(tmp_path):
    (tmp_path / "guard_x.jsonl").write_text(
        "".join(json.dumps({"id": f"g{i}", "text": "t", "expected": "allow", "types": [], **({"split": "test"} if i == 0 else {})}) + "\n"
                for i in range(5)), encoding="utf-8")
    (tmp_path / "notes.jsonl").write_text('{"id": 1}\n', encoding="utf-8")
    assert S.write_folder(tmp_path) == {"guard_x.jsonl": 4}
    rows = _rows(tmp_path / "guard_x.jsonl")
    assert rows[0]["split"] == "test" and Counter(r["split"] for r in rows) in (Counter(dev=3, test=2), Counter(dev=2, test=3))
    assert _rows(tmp_path / "notes.jsonl") == [{"id": 1}]
    assert S.write_folder(tmp_path) == {"guard_x.jsonl": 0}


def test_loaders_give_rows_without_a_split_the_same_split_as_write(tmp_path):
    from assistant.evals.guardrails import load_shipped

    lines = [{"id": f"g{i}", "text": f"t{i}", "expected": "warn" if i % 2 else "allow", "types": ["pii.phone"] if i % 2 else []}
             for i in range(9)]
    (tmp_path / "guard_city.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    loaded = {r["id"]: r["split"] for r in load_shipped(tmp_path)}
    S.write_folder(tmp_path)
    assert loaded == {r["id"]: r["split"] for r in _rows(tmp_path / "guard_city.jsonl")}


def test_xquad_is_split_by_article():
    if not (SHARED / "data" / "xquad").is_dir():
        pytest.skip(f"{SHARED / 'data' / 'xquad'} is not present")
    from assistant.evals.retrieval import xquad_questions

    paras, qs = xquad_questions("vi")
    assert len(qs) == 1190
    article = {q["gold"][0]["source"][:3]: set() for q in qs}
    for q in qs:
        article[q["gold"][0]["source"][:3]].add(q["split"])
    assert all(len(v) == 1 for v in article.values())  # an article is never in both splits
    c = Counter(q["split"] for q in qs)
    assert c["dev"] > 500 and c["test"] > 500
    _, en = xquad_questions("en")
    assert [q["split"] for q in en] == [q["split"] for q in qs]  # aligned across languages


def test_shared_red_team_sets_are_split():
    from assistant.evals.guardrails import load_shared_splits

    if not (SHARED / "data" / "redteam").is_dir():
        pytest.skip(f"{SHARED / 'data' / 'redteam'} is not present")
    attacks, benign = load_shared_splits(SHARED)
    for name, items in attacks.items():
        c = Counter(s for _, s in items)
        assert c["dev"] and c["test"], name
    assert {s for _, s in benign} == {"dev", "test"}


# ---------------------------------------------------------------- calibration fits on dev only
def test_abstention_calibration_is_fitted_on_dev_only():
    from assistant.evals.answers import calibrate

    per = ([{"split": "dev", "relevance": r, "in_corpus": i} for r, i in ((0.2, False), (0.3, False), (0.6, True), (0.7, True))]
           + [{"split": "test", "relevance": r, "in_corpus": i} for r, i in ((0.5, False), (0.55, False), (0.9, True))])
    cal = calibrate(per)
    assert cal["fitted_on"] == "dev" and cal["n_dev"] == 4 and cal["n_test"] == 3
    assert 0.3 < cal["threshold"] < 0.6 and cal["accuracy"] == 1.0  # the test scores would have put it above 0.55
    assert cal["test_accuracy"] == round(sum((s >= cal["threshold"]) == i for s, i in ((0.5, False), (0.55, False), (0.9, True))) / 3, 4)


class _Hit:
    def __init__(self, source):
        self.source, self.article = source, ""


class _FakeRetriever:
    """Dense weight 1 finds the gold document of 'd' questions, weight 0 that of 't' questions."""

    class embedder:  # noqa: N801 - stands in for an Embedder
        queries: list = []

        @staticmethod
        def encode_query(texts):  # only the query side: the eval must encode questions as the app does
            _FakeRetriever.embedder.queries.extend(texts)
            return [None] * len(texts)

    def __init__(self):
        from assistant.config import load_settings

        self.settings = load_settings(env={}, env_file=None)

    def search(self, q, k=10, mode=None, qvec=None):
        w = self.settings.dense_weight
        right = (q.startswith("d") and w >= 0.5) or (q.startswith("t") and 0 <= w < 0.5)
        return [_Hit("gold.md")] if right else [_Hit("other.md")]


def test_dense_weight_sweep_chooses_on_dev_only():
    from assistant.evals.sweep import sweep_dense_weight

    gold = [{"source": "gold.md", "article": ""}]
    qs = ([{"id": f"d{i}", "question": f"d{i}", "split": "dev", "gold": gold} for i in range(4)]
          + [{"id": f"t{i}", "question": f"t{i}", "split": "test", "gold": gold} for i in range(4)])
    retr = _FakeRetriever()
    res = sweep_dense_weight(retr, qs, weights=(0.0, 0.25, 1.0))
    assert res["fitted_on"] == "dev" and res["n_dev"] == 4 and res["n_test"] == 4
    assert res["best"]["weight"] == 1.0 and res["best"]["dev"]["R@1"] == 1.0 and res["best"]["test"]["R@1"] == 0.0
    assert retr.settings.dense_weight == -1.0  # restored


def test_retrieval_eval_encodes_questions_as_queries():
    """e5 reads a question with "query: " and a passage with "passage: "; the app searches with the query
    side, so the eval must too (it once used the passage side and measured something the app never does)."""
    from assistant.evals.retrieval import encode

    _FakeRetriever.embedder.queries.clear()
    encode(_FakeRetriever(), [{"question": "Lệ phí là bao nhiêu?"}])
    assert _FakeRetriever.embedder.queries == ["Lệ phí là bao nhiêu?"]


# ---------------------------------------------------------------- the figures record
def test_figures_record_matches_the_thresholds_file():
    record = F.load_record()
    assert record is not None, "evals/figures.json is missing: run `python -m assistant eval all --record`"
    assert record["thresholds_sha256"] == F.thresholds_hash(), (
        "evals/thresholds.yaml changed since evals/figures.json was recorded: re-measure with "
        "`python -m assistant eval all --record` (and commit both)")
    c = record["configuration"]
    assert c.get("embedding_model") and c.get("backend") and record.get("recorded")


def test_every_threshold_is_met_by_its_recorded_test_figure():
    record = F.load_record()
    assert record is not None
    checks = F.threshold_checks(record)
    assert len(checks) >= 20
    missed = [(c["key"], c["rule"], c["test"]) for c in checks if not c["met"]]
    assert not missed, f"thresholds above the recorded TEST figure (lower them, or fix and re-record): {missed}"
    for key, fig in record["figures"].items():
        assert "test" in fig and "dev" in fig, key


def test_docs_figures_table_is_the_record():
    record = F.load_record()
    assert F.docs_in_sync(record), "docs/evals.md's figures table differs from evals/figures.json: re-record"


def test_threshold_checks_catch_a_threshold_above_the_figure_and_a_changed_file(tmp_path):
    cfg = {"name": "default", "embedding_model": "m", "settings": {"backend": "offline", "retrieval_mode": "hybrid"},
           "retrieval": {"splits": {s: {"sets": {"corpus": {"n": 10, "modes": {"hybrid": {"metrics": {
               "R@1": 0.5, "R@3": 0.6, "R@5": v, "R@10": 0.9, "MRR@10": 0.6, "nDCG@10": 0.6}}}}}} for s, v in (("dev", 0.95), ("test", 0.8))}},
           "answers": {"backend": "offline", "splits": {s: {"questions": 5, "metrics": {"false_abstention_rate": v}} for s, v in (("dev", 0.0), ("test", 0.2))}},
           "guardrails": {"splits": {s: {"metrics": {"pii_recall": v}} for s, v in (("dev", 1.0), ("test", 0.7))}}}
    th = tmp_path / "thresholds.yaml"
    th.write_text("retrieval:\n  corpus:\n    hybrid: {\"R@5\": 0.85}\nanswers:\n  false_abstention_rate: {max: 0.1}\n"
                  "guardrails:\n  pii_recall: {min: 0.6}\n", encoding="utf-8")
    record = F.build_record(cfg, thresholds_path=th)
    assert record["figures"]["retrieval.corpus.hybrid.R@5"] == {"dev": 0.95, "test": 0.8, "n_dev": 10, "n_test": 10}
    assert record["configuration"]["embedding_model"] == "m" and record["configuration"]["backend"] == "offline"
    checks = {c["key"]: c["met"] for c in F.threshold_checks(record, F.load_all_thresholds(th))}
    # the dev figures (0.95, 0.0) would meet both; the test figures do not
    assert checks == {"retrieval.corpus.hybrid.R@5": False, "answers.false_abstention_rate": False, "guardrails.pii_recall": True}
    F.write_record(record, tmp_path / "figures.json")
    assert F.load_record(tmp_path / "figures.json")["thresholds_sha256"] == F.thresholds_hash(th)
    th.write_text(th.read_text(encoding="utf-8").replace("0.85", "0.75"), encoding="utf-8")
    assert F.load_record(tmp_path / "figures.json")["thresholds_sha256"] != F.thresholds_hash(th)
    docs = tmp_path / "evals.md"
    docs.write_text(f"# x\n\n{F.DOCS_START}\nSTALE TABLE\n{F.DOCS_END}\n\nafter\n", encoding="utf-8")
    assert F.update_docs(record, docs, F.load_all_thresholds(th)) and F.docs_in_sync(record, docs, F.load_all_thresholds(th))
    text = docs.read_text(encoding="utf-8")
    assert "STALE TABLE" not in text and text.endswith("after\n") and "| `retrieval.corpus.hybrid.R@5` | **0.800** | 0.950 |" in text


# ---------------------------------------------------------------- evals never import commands
def test_evals_never_import_the_commands():
    bad = []
    for path in sorted((ROOT / "assistant" / "evals").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            bad += [f"{path.name}:{node.lineno} {n}" for n in names if n == "assistant.commands" or n.startswith("assistant.commands.")
                    or n in ("argparse",)]
            if isinstance(node, ast.FunctionDef) and node.name in ("register", "run", "settings_from", "print_json", "fail"):
                bad.append(f"{path.name}:{node.lineno} def {node.name}")
    assert not bad, bad


def test_eval_commands_and_flags():
    from assistant.cli import build_parser

    p = build_parser()
    a = p.parse_args(["eval", "answers", "--backend", "fake", "--split", "dev", "--calibrate", "--corpus", "c", "--store", "s"])
    assert (a.backend, a.split, a.calibrate, a.corpus_dir, a.store_dir) == ("fake", "dev", True, "c", "s")
    for backend in ("offline", "openai"):
        assert p.parse_args(["eval", "answers", "--backend", backend]).backend == backend
    a = p.parse_args(["eval", "retrieval", "--sweep-dense-weight", "--dense-weight", "0.3", "--no-xquad", "--failures", "3"])
    assert a.sweep_dense_weight and a.dense_weight == 0.3 and a.split == "both"
    a = p.parse_args(["eval", "all", "--lang", "vi", "--record", "--quick", "--config", "x.env"])
    assert a.lang == "vi" and a.record and a.quick and a.config == ["x.env"]
    a = p.parse_args(["eval", "guardrails", "--no-shared", "--off", "pii", "--lang", "en", "--split", "test"])
    assert a.no_shared and a.off == "pii" and a.lang == "en"
    assert p.parse_args(["eval", "beir", "path", "--limit", "2"]).limit == 2
    assert p.parse_args(["eval", "splits", "--write"]).write
    with pytest.raises(SystemExit):
        p.parse_args(["eval", "answers", "--split", "train"])


def test_record_refuses_a_partial_run(capsys):
    from assistant.cli import main

    assert main(["--env-file", "/nonexistent", "eval", "all", "--record", "--quick", "--lang", "en"]) == 1
    assert "--quick" in capsys.readouterr().err


def test_splits_command_reports_the_shipped_sets(capsys):
    from assistant.cli import main

    assert main(["--env-file", "/nonexistent", "eval", "splits"]) == 0
    out = capsys.readouterr().out
    assert "retrieval_corpus_a.jsonl" in out and "guard_policy.jsonl" in out and "✗" not in out


# ---------------------------------------------------------------- the report in Vietnamese and English
def _report():
    cfg = {"name": "default", "seconds": 1.0, "embedding_model": "m", "errors": {}, "splits": ["dev", "test"],
           "retrieval": {"mode": "hybrid", "splits": {s: {"sets": {"corpus": {"n": 3, "modes": {"hybrid": {
               "metrics": {"R@1": 0.5, "R@3": 0.6, "R@5": v, "R@10": 0.9, "MRR@10": 0.6, "nDCG@10": 0.6, "ms_per_query": 1.0},
               "queries": [{"id": "q1", "question": f"câu {s}", "gold": [{"source": "a.md", "article": "1"}], "rr": 0.0, "top": ["b.md"]}]}}}}}
               for s, v in (("dev", 0.91), ("test", 0.82))}},
           "retrieval_thresholds": [{"name": "corpus R@5", "rule": ">= 0.85", "value": 0.82, "dev": 0.91, "met": False}],
           "answers": {"backend": "offline", "calibration": {"fitted_on": "dev", "n_dev": 2, "n_test": 2, "threshold": 0.4, "accuracy": 1.0,
                                                              "test_accuracy": 0.5},
                       "splits": {s: {"questions": 2, "metrics": {"citation_precision": v}} for s, v in (("dev", 1.0), ("test", 0.5))},
                       "per_question": [{"id": "a1", "split": "dev", "in_corpus": True, "abstained": True, "cited": []},
                                        {"id": "a2", "split": "test", "in_corpus": True, "abstained": True, "cited": []}]},
           "answers_thresholds": [], "guardrails_thresholds": [],
           "guardrails": {"splits": {s: {"metrics": {"pii_recall": 0.9}, "shipped": {"rows": 2, "decision_accuracy": 1.0, "false_alarms_on_allow": 0,
                                                                                    "groups": {}, "errors": [], "sets": {"guard_x": 2}}}
                                     for s in ("dev", "test")}, "shared_missing": "/nowhere"},
           "speed": {}}
    return {"created": "2026-01-01 00:00:00", "splits": ["dev", "test"], "options": {}, "configs": [cfg], "seconds": 1.0, "tolerance": 0.02}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_report_wording_comes_from_prompts_in_both_languages(lang):
    from assistant.evals import report as R
    from assistant.messages import t

    rep = _report()
    md, html, summ = R.markdown(rep, lang), R.html(rep, lang), R.summary(rep, lang)
    for key in ("h.summary", "h.retrieval", "h.answers", "h.guardrails", "h.speed", "h.thresholds", "h.regressions", "h.improve"):
        assert f"## {t('evals.' + key, lang)}" in md, key
        assert t("evals." + key, lang) in html, key
    assert t("evals.label.test_dev", lang) in md and t("evals.note.shared_missing", lang, path="/nowhere") in md
    assert "0.820 / 0.910" in md and "0.820 / 0.910" in summ  # test first, dev beside
    assert t("evals.result.missed", lang) in md
    assert t("evals.note.calibration", lang, n_dev=2, threshold=0.4, accuracy="1.000", n_test=2, test_accuracy="0.500") in md
    # failure lists show dev rows only
    assert "câu dev" in md and "câu test" not in md and "a1" in md and "a2:" not in md
    assert f"lang='{lang}'" in html


def test_report_languages_differ_and_every_key_has_both():
    import yaml

    from assistant.evals import report as R

    data = yaml.safe_load((ROOT / "prompts" / "messages_evals.yaml").read_text(encoding="utf-8"))
    assert all(set(v) == {"vi", "en"} and v["vi"] and v["en"] for v in data.values())
    vi, en = R.markdown(_report(), "vi"), R.markdown(_report(), "en")
    assert "Tóm tắt" in vi and "Summary" not in vi and "## Summary" in en


def test_the_splits_command_writes_what_the_loaders_assign_across_files(tmp_path):
    # a new file after an existing one: ties go by the counts in the files before it, in the loader as in --write
    from assistant.cli import main
    from assistant.evals.answers import load_rows

    old = [{"id": f"a{i}", "question": "q", "in_corpus": True, "split": "dev" if i < 3 else "test"} for i in range(5)]
    new = [{"id": f"b{i}", "question": "q", "in_corpus": i % 3 != 0, "lang": "en" if i % 2 else "vi"} for i in range(7)]
    (tmp_path / "answers_a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in old), encoding="utf-8")
    (tmp_path / "answers_b.jsonl").write_text("".join(json.dumps(r) + "\n" for r in new), encoding="utf-8")
    loaded = {r["id"]: r["split"] for r in load_rows(tmp_path) if r["id"].startswith("b")}
    assert main(["--env-file", "/nonexistent", "eval", "splits", "--datasets", str(tmp_path), "--write"]) == 0
    assert loaded == {r["id"]: r["split"] for r in _rows(tmp_path / "answers_b.jsonl")}
