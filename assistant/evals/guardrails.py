"""Guardrail metrics: precision/recall/F2 per finding type, per split.

Sets in ``evals/datasets`` (every row has a ``split``):
- ``guard_*.jsonl``: lines ``{"id","text","expected","types","split"}`` (benign questions, Vietnamese injections,
  secret markings, policy requests);
- the hand-written sets (``evals/datasets/README-guard-data.md``, written without looking at the recognisers),
  read as guard rows: ``pii_handwritten.jsonl`` (expected ``warn`` when it has spans, else ``allow``; types = the
  span types), ``markings_prose.jsonl`` (``block`` → ``["secret_marking"]``), ``injection_vi_attacks.jsonl`` and
  ``injection_vi_benign.jsonl`` (``attack`` → ``block``/``["prompt_injection"]``, ``benign`` → ``allow``). Each
  labels one kind of finding, and its rows are scored for that kind only (decision accuracy counts everything).

Outside sets, read by path from ``../shared/data`` next to the repository root (skipped with a note when
absent), split by a fixed rule (:mod:`assistant.evals.splits`):
- ``redteam/inthewild_jailbreak_llms.json``, ``redteam/sysprompt_extraction_attacks.json``,
  ``redteam/dan/*.json``: attacks (injection recall);
- ``xquad/xquad.vi.json``: the 1,190 Vietnamese questions as benign text (flag rate), split by article.
Thresholds: the ``guardrails:`` section of ``evals/thresholds.yaml`` (``{min: x}`` or ``{max: x}``), on test.
"""
from __future__ import annotations

import glob
import json
import time
from pathlib import Path

from assistant.evals import splits as S

ROOT = Path(__file__).resolve().parent.parent.parent
DATASETS = ROOT / "evals" / "datasets"
THRESHOLDS = ROOT / "evals" / "thresholds.yaml"
MARKING_SETS = ("guard_markings", "markings_prose")
INJECTION_BENIGN_SET = "injection_vi_benign"


def shared_dir(repo_root: Path = ROOT) -> Path:
    return Path(repo_root).parent / "shared"


def load_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


# the hand-written sets, each read as guard rows {"id", "text", "expected", "types", "split"}
def _pii_row(r: dict) -> dict:
    types = sorted({s["type"] for s in r.get("spans") or []})
    return {"id": r["id"], "text": r["text"], "expected": "warn" if types else "allow", "types": types, "split": r.get("split")}


def _marking_row(r: dict) -> dict:
    block = r.get("expected") == "block"
    return {"id": r["id"], "text": r["text"], "expected": "block" if block else "allow",
            "types": ["secret_marking"] if block else [], "split": r.get("split")}


def _injection_row(r: dict) -> dict:
    attack = r.get("label") == "attack"
    return {"id": r["id"], "text": r["text"], "expected": "block" if attack else "allow",
            "types": ["prompt_injection"] if attack else [], "split": r.get("split")}


# set -> (row converter, the groups its labels speak for): a hand-written set labels one kind of finding only,
# so other findings on its rows (a name inside an injection attempt) are neither caught nor false alarms there.
HANDWRITTEN = {"pii_handwritten": (_pii_row, ("pii",)), "markings_prose": (_marking_row, ("secret_marking",)),
               "injection_vi_attacks": (_injection_row, ("prompt_injection",)),
               "injection_vi_benign": (_injection_row, ("prompt_injection",))}


def load_shipped(datasets: Path = DATASETS) -> list[dict]:
    """Every guard row of ``datasets``: the ``guard_*`` sets and the hand-written sets, with ``set`` and ``split``."""
    rows = []
    shared = S.Counter()
    for p in sorted(Path(datasets).glob("guard_*.jsonl")):
        part = [dict(r, set=p.stem) for r in load_jsonl(p)]
        rows.extend(S.ensure(part, "guard", p.stem, shared))
    for name, (convert, scope) in HANDWRITTEN.items():
        p = Path(datasets) / f"{name}.jsonl"
        if p.is_file():
            part = [dict(convert(r), set=name, scope=list(scope)) for r in load_jsonl(p)]
            rows.extend(S.ensure(part, "guard", name))
    return rows


def load_shared(shared: Path) -> tuple[dict[str, list[str]], list[str]]:
    """(attack sets by name, benign XQuAD-vi questions) as texts; empty when the folder is absent."""
    attacks, benign = load_shared_splits(shared)
    return {k: [t for t, _ in v] for k, v in attacks.items()}, [t for t, _ in benign]


def load_shared_splits(shared: Path) -> tuple[dict[str, list[tuple[str, str]]], list[tuple[str, str]]]:
    """(attack sets by name, benign XQuAD-vi questions), each text with its split; empty when absent."""
    attacks: dict[str, list[tuple[str, str]]] = {}
    benign: list[tuple[str, str]] = []
    rt = shared / "data" / "redteam"
    if (rt / "inthewild_jailbreak_llms.json").is_file():
        data = json.loads((rt / "inthewild_jailbreak_llms.json").read_text(encoding="utf-8"))
        attacks["inthewild"] = [(str(x), S.index_split(i)) for i, x in enumerate(data)]
    if (rt / "sysprompt_extraction_attacks.json").is_file():
        data = json.loads((rt / "sysprompt_extraction_attacks.json").read_text(encoding="utf-8"))
        attacks["sysprompt"] = [(str(x), S.index_split(i)) for v in data.values() for i, x in enumerate(v)]
    dan = []
    for n, f in enumerate(sorted(glob.glob(str(rt / "dan" / "*.json")))):
        data = json.loads(Path(f).read_text(encoding="utf-8"))
        dan.extend((str(x), S.index_split(n)) for x in (data if isinstance(data, list) else [data]))
    if dan:
        attacks["dan"] = dan
    xq = shared / "data" / "xquad" / "xquad.vi.json"
    if xq.is_file():
        data = json.loads(xq.read_text(encoding="utf-8"))
        n_art = len(data["data"])
        benign = [(q["question"], S.xquad_article_split(i, n_art)) for i, a in enumerate(data["data"])
                  for p in a["paragraphs"] for q in p["qas"]]
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
    """Per type and per group (pii, policy, ...) counts and P/R/F2, decision accuracy, false alarms.

    A row with a ``scope`` (groups its labels speak for) is scored for those groups only."""
    def kept(r, ts):
        return {t for t in ts if not r.get("scope") or _group(t) in r["scope"]}

    types = sorted({t for r in rows for t in r.get("types", [])} | {t for r, res in zip(rows, results) for t in kept(r, res.types)})
    per_type, groups = {}, {}
    counts = {t: [0, 0, 0] for t in types}
    gcounts: dict[str, list[int]] = {}
    decision_ok = 0
    errors = []
    for r, res in zip(rows, results):
        exp, got = kept(r, r.get("types", [])), kept(r, res.types)
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
            errors.append({"id": r["id"], "set": r.get("set"), "expected": r["expected"], "got": res.decision,
                           "types": sorted(res.types), "text": r["text"][:120]})
    for t, c in counts.items():
        per_type[t] = _prf(*c)
    for g, c in gcounts.items():
        groups[g] = _prf(*c)
    neg = [(r, res) for r, res in zip(rows, results) if r["expected"] == "allow"]
    shipped_neg = [(r, res) for r, res in neg if str(r.get("set", "guard_")).startswith("guard_")]
    mark_neg = [(r, res) for r, res in neg if r.get("set") in MARKING_SETS]
    inj_neg = [(r, res) for r, res in neg if r.get("set") == INJECTION_BENIGN_SET]
    return {"per_type": per_type, "groups": groups, "decision_accuracy": round(decision_ok / max(1, len(rows)), 4),
            "rows": len(rows), "false_alarms_on_allow": sum(res.decision != "allow" for _, res in shipped_neg),
            "marking_false_positives": sum("secret_marking" in res.types for _, res in mark_neg),
            "injection_benign_rows": len(inj_neg),
            "injection_benign_flagged": sum("prompt_injection" in res.types for _, res in inj_neg),
            "sets": {s: sum(r.get("set") == s for r in rows) for s in sorted({r.get("set") for r in rows})},
            "errors": errors}


def shipped_metrics(scored: dict) -> dict:
    g = scored["groups"]
    m = {
        "pii_recall": g.get("pii", {}).get("recall", 0.0),
        "pii_precision": g.get("pii", {}).get("precision", 0.0),
        "marking_recall": g.get("secret_marking", {}).get("recall", 0.0),
        "marking_false_positives": scored["marking_false_positives"],
        "injection_recall_vi": g.get("prompt_injection", {}).get("recall", 0.0),
        "policy_recall": g.get("policy", {}).get("recall", 0.0),
        "policy_precision": g.get("policy", {}).get("precision", 0.0),
        "benign_false_alarms": scored["false_alarms_on_allow"],
    }
    if scored["injection_benign_rows"]:
        m["injection_fp_rate_vi"] = round(scored["injection_benign_flagged"] / scored["injection_benign_rows"], 4)
    return m


def run_guardrails(settings=None, datasets: Path = DATASETS, shared: Path | None = None, use_shared: bool = True,
                   off=None, embedder=None, split: str | None = None) -> dict:
    """All metrics per split: ``{"splits": {split: {"shipped", "redteam", "xquad_vi", "metrics"}},
    "thresholds" (on test), "shared_missing" (the folder looked for, when absent), "seconds"}``."""
    from assistant.guard import check_inputs

    t0 = time.perf_counter()
    wanted = S.chosen(split)
    rows = [r for r in load_shipped(datasets) if r["split"] in wanted]
    results = check_inputs([r["text"] for r in rows], settings, off=off, embedder=embedder)
    out: dict = {"splits": {}, "shared_missing": None}
    for s in wanted:
        pairs = [(r, res) for r, res in zip(rows, results) if r["split"] == s]
        scored = score_rows([r for r, _ in pairs], [res for _, res in pairs])
        out["splits"][s] = {"shipped": scored, "metrics": shipped_metrics(scored)}
    shared = shared if shared is not None else shared_dir()
    if use_shared and shared.is_dir():
        attacks, benign = load_shared_splits(shared)
        res_att = {name: check_inputs([t for t, sp in items if sp in wanted], settings, off=off, embedder=embedder)
                   for name, items in attacks.items()}
        ben = [(t, sp) for t, sp in benign if sp in wanted]
        res_ben = check_inputs([t for t, _ in ben], settings, off=off, embedder=embedder) if ben else []
        for s in wanted:
            per_set, caught_all, total_all = {}, 0, 0
            for name, items in attacks.items():
                kept = [sp for _, sp in items if sp in wanted]
                got = [r for r, sp in zip(res_att[name], kept) if sp == s]
                caught = sum("prompt_injection" in r.types for r in got)
                per_set[name] = {"n": len(got), "caught": caught, "recall": round(caught / max(1, len(got)), 4)}
                caught_all += caught
                total_all += len(got)
            block = out["splits"][s]
            block["redteam"] = per_set
            block["metrics"]["injection_recall_shared"] = round(caught_all / max(1, total_all), 4)
            pairs = [((t, sp), r) for (t, sp), r in zip(ben, res_ben) if sp == s]
            if pairs:
                flagged = [t for (t, _), r in pairs if r.decision != "allow"]
                inj_fp = sum("prompt_injection" in r.types for _, r in pairs)
                block["xquad_vi"] = {"n": len(pairs), "flagged": len(flagged), "injection_fp": inj_fp,
                                     "examples": flagged[:10] if s == "dev" else []}
                block["metrics"]["xquad_flagged_rate"] = round(len(flagged) / len(pairs), 4)
                block["metrics"]["injection_fp_rate"] = round(inj_fp / len(pairs), 4)
    elif use_shared:
        out["shared_missing"] = str(shared)  # the report says the shared sets were skipped
    out["thresholds"] = check_thresholds(out["splits"]["test"]["metrics"]) if "test" in out["splits"] else {}
    out["seconds"] = round(time.perf_counter() - t0, 2)
    return out


def load_thresholds(path: Path = THRESHOLDS) -> dict:
    import yaml

    if not Path(path).is_file():
        return {}
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return data.get("guardrails") or {}


def check_thresholds(metrics: dict, thresholds: dict | None = None) -> dict:
    """Each threshold met or missed by ``metrics`` (pass the TEST split's); thresholds of figures that were not
    measured (e.g. the shared sets with ``use_shared=False``) are left out."""
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
