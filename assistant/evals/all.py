"""``eval all``: retrieval, answers, guardrails and speed for one or more configurations, one report, per split.

Each configuration is a .env-style file of ``ASSISTANT_*`` lines layered over the current environment
(and ``.env``); its name is the file stem. No config = the current settings, named ``default``.
The report (``report.md``, ``report.html``, ``report.json``) goes to ``out_dir``, in the report's language.
Every figure is given for dev and test side by side; thresholds are checked on test.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

# No telemetry from any evaluation or vector library we might touch.
for _k, _v in {"ANONYMIZED_TELEMETRY": "False", "DO_NOT_TRACK": "1", "RAGAS_DO_NOT_TRACK": "true",
               "DEEPEVAL_TELEMETRY_OPT_OUT": "YES", "HF_HUB_DISABLE_TELEMETRY": "1"}.items():
    os.environ.setdefault(_k, _v)

ROOT = Path(__file__).resolve().parent.parent.parent
TOLERANCE = 0.02  # a metric that moves the wrong way by more than this is a regression
LOWER_IS_BETTER = {"false_abstention_rate", "benign_false_alarms", "marking_false_positives", "injection_fp_rate",
                   "injection_fp_rate_vi", "xquad_flagged_rate", "judge_unparsed"}
COUNTS = {"benign_false_alarms", "marking_false_positives", "judge_unparsed"}


def config_settings(path: str | None, env_file: str | None = ".env", base_env: dict | None = None, **overrides):
    """(name, Settings): the file's ASSISTANT_* lines over the current environment."""
    from assistant.config import load_settings, read_env_file

    env = dict(os.environ if base_env is None else base_env)
    name = "default"
    if path:
        env.update(read_env_file(path))
        name = Path(path).stem
    return name, load_settings(env=env, env_file=env_file, **overrides)


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    return round(v[min(len(v) - 1, int(round(q * (len(v) - 1))))], 1)


def _rule_text(rule) -> str:
    items = rule.items() if isinstance(rule, dict) else [("min", rule)]
    return " ".join(f"{'>=' if op == 'min' else '<='} {v}" for op, v in items)


def retrieval_threshold_rows(report: dict, mode: str) -> list[dict]:
    """The retrieval thresholds (written for the default hybrid mode) applied to this configuration's own mode,
    on the TEST split, with the dev figure beside."""
    from assistant.evals.retrieval import check_thresholds

    splits = report.get("splits") or {}
    if "test" not in splits:
        return []
    dev = (splits.get("dev") or {}).get("sets", {})
    out = []
    for r in check_thresholds(splits["test"], mode=mode):
        d = dev.get(r["set"], {}).get("modes", {}).get(mode, {}).get("metrics", {}).get(r["metric"])
        out.append({"name": f"{r['set']} {r['metric']}", "rule": f">= {r['min']}", "value": r["value"], "dev": d,
                    "met": r["met"]})
    return out


def threshold_rows(res: dict) -> list[dict]:
    """Answers/guardrails thresholds (checked on test) as report rows, with the dev figure beside."""
    dev = ((res.get("splits") or {}).get("dev") or {}).get("metrics") or {}
    return [{"name": k, "rule": _rule_text(r["rule"]), "value": r["value"], "dev": dev.get(k), "met": r["met"]}
            for k, r in (res.get("thresholds") or {}).items()]


def run_config(name: str, settings, *, xquad: bool = False, judge: bool = False, quick: bool = False,
               limit: int | None = None, answers: bool = True, index: bool = True, datasets=None, split: str | None = None,
               lang: str = "en", log=print) -> dict:
    """Every area for one configuration, per split. An area that fails is reported as an error, not raised."""
    import dataclasses

    from assistant.embeddings import get_embedder
    from assistant.evals import splits as S
    from assistant.evals.retrieval import DATASETS, load_questions, run_retrieval
    from assistant.messages import t
    from assistant.retrieval import Retriever

    t0 = time.perf_counter()
    wanted = S.chosen(split)
    datasets = Path(datasets) if datasets else DATASETS
    out: dict = {"name": name, "splits": list(wanted),
                 "settings": {f.name: getattr(settings, f.name) for f in dataclasses.fields(settings)
                              if "key" not in f.name and f.name != "extra"},
                 "errors": {}}
    mode = settings.retrieval_mode
    embedder = get_embedder(settings.embedding_model, settings.embedding_batch)
    out["embedding_model"] = embedder.name
    if index:
        from assistant.indexer import run_index

        run_index(settings, embedder=embedder)
    retriever = Retriever(settings, embedder=embedder)

    # retrieval: the configuration's own mode
    log(t("evals.log.retrieval", lang, name=name, mode=mode))
    questions = load_questions(datasets=datasets)
    try:
        rep = run_retrieval(settings, xquad=xquad, modes=(mode,), limit=limit, split=split, embedder=embedder,
                            retriever=retriever, folder=datasets, xquad_langs=("vi",))
        rep["mode"] = mode
        out["retrieval"] = rep
        out["retrieval_thresholds"] = retrieval_threshold_rows(rep, mode)
    except Exception as exc:  # noqa: BLE001 - the report says which area failed
        out["errors"]["retrieval"] = f"{type(exc).__name__}: {exc}"

    # speed probe: retrieval per query
    probe = questions[: min(len(questions), 40)]
    ms = []
    for q in probe:
        t_q = time.perf_counter()
        retriever.search(q["question"], k=settings.top_k)
        ms.append((time.perf_counter() - t_q) * 1000)
    speed = {"retrieval_ms_p50": _pct(ms, 0.5), "retrieval_ms_p95": _pct(ms, 0.95), "retrieval_ms": [round(x, 1) for x in ms]}

    # answers
    if answers:
        log(t("evals.log.answers", lang, name=name))
        try:
            from assistant.engines import model_client
            from assistant.evals.answers import load_rows, run_answers

            rows = [r for r in load_rows(datasets) if r["split"] in wanted]
            if limit:
                rows = rows[:limit]
            stamps = [time.perf_counter()]
            has_model = model_client(settings) is not None
            res = run_answers(settings, index=False, judge=judge and has_model, embedder=embedder, retriever=retriever,
                              rows=rows, split=split, progress=lambda i, n: stamps.append(time.perf_counter()))
            ams = [(b - a) * 1000 for a, b in zip(stamps, stamps[1:])]
            speed.update({"answer_ms_p50": _pct(ams, 0.5), "answer_ms_p95": _pct(ams, 0.95), "answer_ms": [round(x, 1) for x in ams]})
            byid = {r.get("id"): r for r in rows}
            for item in res.get("per_question", []):
                item["question"] = byid.get(item.get("id"), {}).get("question", "")
                item["gold"] = [f"{g.get('source')}#{g.get('article', '')}" for g in byid.get(item.get("id"), {}).get("gold") or []]
            out["answers"] = res
            out["answers_thresholds"] = threshold_rows(res)
            if judge and not has_model:
                out["answers"]["judge_skipped"] = True
        except Exception as exc:  # noqa: BLE001
            out["errors"]["answers"] = f"{type(exc).__name__}: {exc}"

    # guardrails
    log(t("evals.log.guardrails_quick" if quick else "evals.log.guardrails", lang, name=name))
    try:
        from assistant.evals.guardrails import load_shipped, run_guardrails
        from assistant.guard import check_inputs

        g = run_guardrails(settings, datasets=datasets, use_shared=not quick, embedder=embedder, split=split)
        out["guardrails"] = g
        out["guardrails_thresholds"] = threshold_rows(g)
        texts = [r["text"] for r in load_shipped(datasets)][:40]
        gms = []
        for text in texts:
            t_q = time.perf_counter()
            check_inputs([text], settings, embedder=embedder)
            gms.append((time.perf_counter() - t_q) * 1000)
        speed.update({"guard_ms_p50": _pct(gms, 0.5), "guard_ms_p95": _pct(gms, 0.95)})
    except Exception as exc:  # noqa: BLE001
        out["errors"]["guardrails"] = f"{type(exc).__name__}: {exc}"
    out["speed"] = speed
    out["seconds"] = round(time.perf_counter() - t0, 1)
    return out


def flat_metrics(cfg: dict) -> dict[str, float]:
    """area.split.metric -> value, for comparisons."""
    out: dict[str, float] = {}
    for split, block in ((cfg.get("retrieval") or {}).get("splits") or {}).items():
        for set_name, res in block["sets"].items():
            for mode, r in res["modes"].items():
                for m, v in r["metrics"].items():
                    if m != "ms_per_query" and v is not None:
                        out[f"retrieval.{split}.{set_name}.{m}"] = v
    for area in ("answers", "guardrails"):
        for split, block in ((cfg.get(area) or {}).get("splits") or {}).items():
            for m, v in (block.get("metrics") or {}).items():
                if isinstance(v, (int, float)):
                    out[f"{area}.{split}.{m}"] = v
    return out


def regressions(new: dict, old: dict, tol: float = TOLERANCE) -> list[dict]:
    """Metrics of ``new`` worse than in ``old`` by more than ``tol`` (counts: by more than 0)."""
    a, b = flat_metrics(new), flat_metrics(old)
    out = []
    for k in sorted(set(a) & set(b)):
        metric = k.rsplit(".", 1)[-1]
        lower = metric in LOWER_IS_BETTER
        delta = a[k] - b[k]
        worse = delta if lower else -delta
        if worse > (0 if metric in COUNTS else tol):
            out.append({"metric": k, "before": b[k], "after": a[k], "delta": round(delta, 4)})
    return out


def previous_report(out_dir: Path) -> Path | None:
    parent = out_dir.resolve().parent
    if not parent.is_dir():
        return None
    cands = [p / "report.json" for p in parent.iterdir() if p.is_dir() and p.resolve() != out_dir.resolve() and (p / "report.json").is_file()]
    return max(cands, key=lambda p: p.stat().st_mtime) if cands else None


def run_all(configs: list[tuple[str, object]], out_dir: str | Path, *, xquad: bool = False, judge: bool = False,
            quick: bool = False, limit: int | None = None, beir: str | None = None, compare: str | None = None,
            index: bool = True, datasets=None, split: str | None = None, lang: str = "en", log=print) -> dict:
    from assistant.evals import report as render
    from assistant.evals import splits as S

    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    base_model = configs[0][1].embedding_model if configs else ""
    results = []
    indexed: set = set()
    for name, s in configs:
        if s.embedding_model != base_model:  # another model: its own store, never the shared one
            s = s.with_(store_dir=str(out_dir / "stores" / name), collection=f"eval_{name}".replace("-", "_"))
        key = (s.store_dir, s.collection, s.embedding_model, s.corpus_dir)
        results.append(run_config(name, s, xquad=xquad, judge=judge, quick=quick, limit=limit, split=split,
                                  index=index and key not in indexed, datasets=datasets, lang=lang, log=log))
        indexed.add(key)
    report: dict = {"created": time.strftime("%Y-%m-%d %H:%M:%S"), "lang": lang, "splits": list(S.chosen(split)),
                    "options": {"xquad": xquad, "judge": judge, "quick": quick, "limit": limit,
                                "datasets": str(datasets or "evals/datasets"), "split": split or "both"},
                    "configs": results, "tolerance": TOLERANCE}
    if beir:
        from assistant.evals.beir import run_beir

        try:
            report["beir"] = run_beir(configs[0][1], beir, limit=limit)
        except Exception as exc:  # noqa: BLE001
            report["beir"] = {"error": f"{type(exc).__name__}: {exc}"}
    # each configuration against the first one (the baseline) ...
    if len(results) > 1:
        report["vs_baseline"] = {c["name"]: regressions(c, results[0]) for c in results[1:]}
    # ... and against the previous report
    prev = Path(compare) if compare else previous_report(out_dir)
    if prev and prev.is_file():
        try:
            old = json.loads(prev.read_text(encoding="utf-8"))
            olds = {c["name"]: c for c in old.get("configs", [])}
            report["previous"] = {"path": str(prev), "regressions": {c["name"]: regressions(c, olds[c["name"]])
                                                                      for c in results if c["name"] in olds}}
        except (ValueError, KeyError, OSError, TypeError, AttributeError) as exc:
            report["previous"] = {"path": str(prev), "error": str(exc)}
    report["seconds"] = round(time.perf_counter() - t0, 1)
    (out_dir / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    (out_dir / "report.md").write_text(render.markdown(report, lang), encoding="utf-8")
    (out_dir / "report.html").write_text(render.html(report, lang), encoding="utf-8")
    return report


def all_met(cfg: dict) -> bool:
    rows = cfg.get("retrieval_thresholds", []) + cfg.get("answers_thresholds", []) + cfg.get("guardrails_thresholds", [])
    return all(r["met"] for r in rows) and not cfg.get("errors")
