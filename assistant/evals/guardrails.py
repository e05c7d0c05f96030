"""``assistant eval guardrails``: precision/recall/F2 of the guardrails, per finding type.

Shipped sets: ``evals/datasets/guard_*.jsonl`` (lines ``{"id","text","expected","types"}``; regenerate
with ``python -m assistant.guard.datagen``). Real outside sets, read by path from ``../shared/data``
next to the repository root (skipped with a note when absent):
- ``redteam/inthewild_jailbreak_llms.json``, ``redteam/sysprompt_extraction_attacks.json``,
  ``redteam/dan/*.json``: attacks (injection recall);
- ``xquad/xquad.vi.json``: the 1,190 Vietnamese questions as benign text (flag rate).
Thresholds: the ``guardrails:`` section of ``evals/thresholds.yaml`` (``{min: x}`` or ``{max: x}``).
"""
from __future__ import annotations

import glob
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DATASETS = ROOT / "evals" / "datasets"
THRESHOLDS = ROOT / "evals" / "thresholds.yaml"


def shared_dir(repo_root: Path = ROOT) -> Path:
    return Path(repo_root).parent / "shared"


def load_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_shipped(datasets: Path = DATASETS) -> list[dict]:
    rows = []
    for p in sorted(Path(datasets).glob("guard_*.jsonl")):
        for r in load_jsonl(p):
            r["set"] = p.stem
            rows.append(r)
    return rows


def load_shared(shared: Path) -> tuple[dict[str, list[str]], list[str]]:
    """(attack sets by name, benign XQuAD-vi questions); empty when the folder is absent."""
    attacks: dict[str, list[str]] = {}
    benign: list[str] = []
    rt = shared / "data" / "redteam"
    if (rt / "inthewild_jailbreak_llms.json").is_file():
        attacks["inthewild"] = [str(x) for x in json.loads((rt / "inthewild_jailbreak_llms.json").read_text(encoding="utf-8"))]
    if (rt / "sysprompt_extraction_attacks.json").is_file():
        data = json.loads((rt / "sysprompt_extraction_attacks.json").read_text(encoding="utf-8"))
        attacks["sysprompt"] = [str(x) for v in data.values() for x in v]
    dan = []
    for f in sorted(glob.glob(str(rt / "dan" / "*.json"))):
        data = json.loads(Path(f).read_text(encoding="utf-8"))
        dan.extend(str(x) for x in (data if isinstance(data, list) else [data]))
    if dan:
        attacks["dan"] = dan
    xq = shared / "data" / "xquad" / "xquad.vi.json"
    if xq.is_file():
        data = json.loads(xq.read_text(encoding="utf-8"))
        benign = [q["question"] for a in data["data"] for p in a["paragraphs"] for q in p["qas"]]
    return attacks, benign


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f2 = 5 * p * r / (4 * p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f2": round(f2, 4), "tp": tp, "fp": fp, "fn": fn}


def _group(t: str) -> str:
    if t.startswith("pii."):
        return "pii"
    if t.startswith("policy."):
        return "policy"
    return t


def score_rows(rows: list[dict], results) -> dict:
    types = sorted({t for r in rows for t in r.get("types", [])} | {t for res in results for t in res.types})
    per_type, groups = {}, {}
    counts = {t: [0, 0, 0] for t in types}
    gcounts: dict[str, list[int]] = {}
    decision_ok = 0
    errors = []
    for r, res in zip(rows, results):
        exp, got = set(r.get("types", [])), set(res.types)
        for t in types:
            c = counts[t]
            c[0] += t in exp and t in got
            c[1] += t not in exp and t in got
            c[2] += t in exp and t not in got
        for g in {_group(t) for t in exp | got}:
            gc = gcounts.setdefault(g, [0, 0, 0])
            ge, gg = {t for t in exp if _group(t) == g}, {t for t in got if _group(t) == g}
            gc[0] += len(ge & gg)
            gc[1] += len(gg - ge)
            gc[2] += len(ge - gg)
        if res.decision == r["expected"]:
            decision_ok += 1
        elif len(errors) < 30:
            errors.append({"id": r["id"], "expected": r["expected"], "got": res.decision, "types": sorted(got),
                           "text": r["text"][:120]})
    for t, c in counts.items():
        per_type[t] = _prf(*c)
    for g, c in gcounts.items():
        groups[g] = _prf(*c)
    neg = [(r, res) for r, res in zip(rows, results) if r["expected"] == "allow"]
    mark_neg = [(r, res) for r, res in neg if r.get("set") == "guard_markings"]
    return {"per_type": per_type, "groups": groups, "decision_accuracy": round(decision_ok / max(1, len(rows)), 4),
            "rows": len(rows), "false_alarms_on_allow": sum(res.decision != "allow" for _, res in neg),
            "marking_false_positives": sum("secret_marking" in res.types for _, res in mark_neg),
            "errors": errors}


def run_guardrails(settings=None, datasets: Path = DATASETS, shared: Path | None = None, use_shared: bool = True,
                   off=None, embedder=None) -> dict:
    """All metrics as a dict (shipped sets, and the shared red-team and XQuAD sets when present)."""
    from assistant.guard import check_inputs

    t0 = time.perf_counter()
    rows = load_shipped(datasets)
    results = check_inputs([r["text"] for r in rows], settings, off=off, embedder=embedder)
    out = {"shipped": score_rows(rows, results)}
    g = out["shipped"]["groups"]
    metrics = {
        "pii_recall": g.get("pii", {}).get("recall", 0.0),
        "pii_precision": g.get("pii", {}).get("precision", 0.0),
        "marking_recall": g.get("secret_marking", {}).get("recall", 0.0),
        "marking_false_positives": out["shipped"]["marking_false_positives"],
        "injection_recall_vi": g.get("prompt_injection", {}).get("recall", 0.0),
        "policy_recall": g.get("policy", {}).get("recall", 0.0),
        "policy_precision": g.get("policy", {}).get("precision", 0.0),
        "benign_false_alarms": out["shipped"]["false_alarms_on_allow"],
    }
    shared = shared if shared is not None else shared_dir()
    out["shared_note"] = ""
    if use_shared and shared.is_dir():
        attacks, benign = load_shared(shared)
        per_set = {}
        caught_all = total_all = 0
        for name, texts in attacks.items():
            res = check_inputs(texts, settings, off=off, embedder=embedder)
            caught = sum("prompt_injection" in r.types for r in res)
            per_set[name] = {"n": len(texts), "caught": caught, "recall": round(caught / max(1, len(texts)), 4)}
            caught_all += caught
            total_all += len(texts)
        out["redteam"] = per_set
        metrics["injection_recall_shared"] = round(caught_all / max(1, total_all), 4)
        if benign:
            res = check_inputs(benign, settings, off=off, embedder=embedder)
            flagged = [b for b, r in zip(benign, res) if r.decision != "allow"]
            inj_fp = sum("prompt_injection" in r.types for r in res)
            out["xquad_vi"] = {"n": len(benign), "flagged": len(flagged), "injection_fp": inj_fp, "examples": flagged[:10]}
            metrics["xquad_flagged_rate"] = round(len(flagged) / len(benign), 4)
            metrics["injection_fp_rate"] = round(inj_fp / len(benign), 4)
    elif use_shared:
        from assistant.messages import t

        lang = getattr(settings, "lang", "vi") if settings is not None else "vi"
        out["shared_note"] = t("guard.eval.shared_missing", lang, path=str(shared))
    out["metrics"] = metrics
    out["thresholds"] = check_thresholds(metrics)
    out["seconds"] = round(time.perf_counter() - t0, 2)
    return out


def load_thresholds(path: Path = THRESHOLDS) -> dict:
    import yaml

    if not Path(path).is_file():
        return {}
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return data.get("guardrails") or {}


def check_thresholds(metrics: dict, thresholds: dict | None = None) -> dict:
    thresholds = load_thresholds() if thresholds is None else thresholds
    out = {}
    for name, rule in thresholds.items():
        if name not in metrics:
            continue
        v = metrics[name]
        if isinstance(rule, dict):
            ok = ("min" not in rule or v >= rule["min"]) and ("max" not in rule or v <= rule["max"])
        else:
            ok = v >= rule
        out[name] = {"value": v, "rule": rule, "met": bool(ok)}
    return out


def register(esub) -> None:
    p = esub.add_parser("guardrails", help="precision/recall of the guardrails on the shipped and shared sets",
                        description="Per-type precision, recall and F2 on evals/datasets/guard_*.jsonl; injection recall "
                                    "on ../shared/data/redteam and the flag rate on the XQuAD-vi questions; thresholds "
                                    "from evals/thresholds.yaml (guardrails:).")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--no-shared", action="store_true", help="only the shipped sets (fast)")
    p.add_argument("--off", default="", help="scanners to switch off (trainer demonstration), e.g. pii,injection")
    p.add_argument("--lang", choices=["vi", "en"], help="language of messages (ASSISTANT_LANG)")
    p.set_defaults(func=run)


def run(args) -> int:
    from assistant.commands._common import print_json, settings_from
    from assistant.messages import t

    settings = settings_from(args)
    off = [x for x in args.off.split(",") if x.strip()] or None
    res = run_guardrails(settings, use_shared=not args.no_shared, off=off)
    missed = [k for k, v in res["thresholds"].items() if not v["met"]]
    if args.json:
        print_json(res)
        return 1 if missed else 0
    lang = settings.lang
    w = sys.stdout.write
    w(f"Guardrails — {res['shipped']['rows']} rows, decision accuracy {res['shipped']['decision_accuracy']:.3f}\n")
    w(f"{'type':28} {'prec':>6} {'recall':>6} {'F2':>6}  tp/fp/fn\n")
    for name, m in sorted(res["shipped"]["per_type"].items()):
        w(f"{name:28} {m['precision']:6.3f} {m['recall']:6.3f} {m['f2']:6.3f}  {m['tp']}/{m['fp']}/{m['fn']}\n")
    for name, m in sorted(res["shipped"]["groups"].items()):
        w(f"[{name}]{'':{max(0, 26 - len(name))}} {m['precision']:6.3f} {m['recall']:6.3f} {m['f2']:6.3f}  {m['tp']}/{m['fp']}/{m['fn']}\n")
    if res.get("redteam"):
        for name, m in res["redteam"].items():
            w(f"red team {name:12} recall {m['recall']:.3f} ({m['caught']}/{m['n']})\n")
    if res.get("xquad_vi"):
        x = res["xquad_vi"]
        w(f"XQuAD-vi benign: {x['flagged']}/{x['n']} flagged, {x['injection_fp']} as injection\n")
    if res["shared_note"]:
        w(res["shared_note"] + "\n")
    for name, v in res["thresholds"].items():
        rule = v["rule"]
        w(f"  {name:26} {v['value']}  {rule}  {t('guard.eval.met' if v['met'] else 'guard.eval.missed', lang)}\n")
    for e in res["shipped"]["errors"][:10]:
        w(f"  ✗ {e['id']}: expected {e['expected']}, got {e['got']} {e['types']} — {e['text']}\n")
    w(f"({res['seconds']} s)\n")
    return 1 if missed else 0
