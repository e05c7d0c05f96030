"""eval all: report files for two configurations, thresholds marked, a planted regression named, BEIR loader."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BEIR = ROOT / "tests" / "fixtures" / "beir"


def test_config_file_layered_over_environment(tmp_path):
    from assistant.evals.all import config_settings

    f = tmp_path / "dense-only.env"
    f.write_text("# planted\nASSISTANT_DENSE_WEIGHT=1.0\n", encoding="utf-8")
    name, s = config_settings(str(f), env_file=None, base_env={"ASSISTANT_TOP_K": "7"})
    assert name == "dense-only"
    assert s.dense_weight == 1.0 and s.top_k == 7
    name, s = config_settings(None, env_file=None, base_env={})
    assert name == "default" and s.dense_weight == -1.0


def test_shipped_configs_parse():
    from assistant.evals.all import config_settings

    got = {config_settings(str(p), env_file=None, base_env={})[0]: config_settings(str(p), env_file=None, base_env={})[1]
           for p in sorted((ROOT / "evals" / "configs").glob("*.env"))}
    assert got["lexical-only"].retrieval_mode == "lexical"
    assert got["guards-off"].guards == "off"
    assert got["dense-only"].dense_weight == 1.0
    assert got["default"].retrieval_mode == "hybrid"


def test_regressions_direction():
    from assistant.evals.all import regressions

    old = {"answers": {"splits": {"test": {"metrics": {"citation_precision": 0.9, "false_abstention_rate": 0.05}}}}}
    new = {"answers": {"splits": {"test": {"metrics": {"citation_precision": 0.89, "false_abstention_rate": 0.2}}}}}
    regs = {r["metric"] for r in regressions(new, old)}
    assert regs == {"answers.test.false_abstention_rate"}  # 0.01 drop is within the tolerance
    # a report of the old shape (no splits) is compared with nothing rather than failing
    assert regressions(new, {"answers": {"metrics": {"citation_precision": 0.1}}}) == []


def test_beir_loader():
    from assistant.evals.beir import load_beir

    corpus, questions = load_beir(BEIR)
    assert set(corpus) == {"d1", "d2", "d3", "d4"}
    assert len(questions) == 4
    q1 = next(q for q in questions if q["id"] == "q1")
    assert q1["gold"] == [{"source": "d1.txt", "article": ""}]


@pytest.mark.slow
def test_beir_scored(make_settings, embedder, tmp_path):
    from assistant.evals.beir import run_beir

    res = run_beir(make_settings(), BEIR, modes=("lexical",), embedder=embedder, workdir=tmp_path / "beir")
    assert res["documents"] == 4 and res["n"] == 4
    assert res["modes"]["lexical"]["metrics"]["R@5"] == 1.0


@pytest.mark.slow
def test_eval_all_two_configs_and_planted_regression(corpus_index, tmp_path):
    from assistant.evals import report as render
    from assistant.evals.all import run_all
    from assistant.messages import t

    settings, _ = corpus_index
    configs = [("default", settings), ("dense-only", settings.with_(dense_weight=1.0))]
    (tmp_path / "reports" / "old").mkdir(parents=True)
    out = tmp_path / "reports" / "new"
    report = run_all(configs, out, quick=True, limit=None, index=False, log=lambda m: None, beir=str(BEIR), lang="en")
    for name in ("report.md", "report.html", "report.json"):
        assert (out / name).is_file()
    md = (out / "report.md").read_text(encoding="utf-8")
    for section in ("## Summary", "## Retrieval", "## Answers", "## Guardrails", "## Speed", "## Thresholds", "## Regressions",
                    "## Where to start improving", "## BEIR set"):
        assert section in md, section
    assert "test / dev" in md and t("evals.note.splits", "en") in md
    html = (out / "report.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") >= 3 and "<style>" in html and "MISSED" in html
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    default, dense = data["configs"]
    assert data["splits"] == ["dev", "test"]
    for area in ("retrieval", "answers", "guardrails"):
        assert set(default[area]["splits"]) == {"dev", "test"}, area
    assert default["speed"]["retrieval_ms_p50"] is not None and default["speed"]["guard_ms_p50"] is not None
    # thresholds are checked on the test split, the dev figure beside
    rows = default["retrieval_thresholds"]
    test_r5 = default["retrieval"]["splits"]["test"]["sets"]["corpus"]["modes"]["hybrid"]["metrics"]["R@5"]
    assert next(r for r in rows if r["name"] == "corpus R@5")["value"] == test_r5 and all("dev" in r for r in rows)
    # the default offline configuration meets its retrieval thresholds; the planted one misses some
    assert all(r["met"] for r in rows)
    assert any(not r["met"] for r in dense["retrieval_thresholds"])
    assert any(r["metric"].startswith("retrieval.test.corpus") for r in report["vs_baseline"]["dense-only"])
    assert "dense-only vs default: retrieval.test.corpus" in md
    # the same report in Vietnamese: every heading from prompts/messages_evals.yaml
    vi = render.markdown(data, "vi")
    for key in ("h.summary", "h.retrieval", "h.answers", "h.guardrails", "h.thresholds", "h.improve"):
        assert f"## {t('evals.' + key, 'vi')}" in vi
    assert "## Summary" not in vi and t("evals.label.test_dev", "vi") in vi
    # a later run finds this report as the previous one in the same parent folder
    from assistant.evals.all import previous_report

    assert previous_report(tmp_path / "reports" / "second") == (out / "report.json").resolve()
    assert regressions_against_self(data["configs"][1]) == []


@pytest.mark.slow
def test_eval_all_dev_only_checks_no_threshold(corpus_index, tmp_path):
    """--split dev: dev figures only, no threshold checked (thresholds are for test), the report says so."""
    from assistant.evals.all import all_met, run_all
    from assistant.messages import t

    settings, _ = corpus_index
    report = run_all([("default", settings)], tmp_path / "r", quick=True, limit=6, index=False, log=lambda m: None, split="dev")
    cfg = report["configs"][0]
    assert report["splits"] == ["dev"] and set(cfg["retrieval"]["splits"]) == {"dev"}
    assert cfg["retrieval_thresholds"] == [] and cfg["answers_thresholds"] == [] and cfg["guardrails_thresholds"] == []
    assert all_met(cfg)
    md = (tmp_path / "r" / "report.md").read_text(encoding="utf-8")
    assert t("evals.note.no_test", "en") in md and t("evals.note.one_split", "en", split="dev") in md


def regressions_against_self(cfg):
    from assistant.evals.all import regressions

    return regressions(cfg, cfg)
