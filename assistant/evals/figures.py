"""The figures record ``evals/figures.json``: every headline figure with its split, the configuration it was
measured with, the date, and the hash of ``evals/thresholds.yaml`` it was recorded against.

Written by ``python -m assistant eval all --record`` (the default configuration, every set, both splits), which
also rewrites the figures table of ``docs/evals.md``. ``tests/test_eval_splits.py`` fails when the thresholds file
changed since the record (hash mismatch: re-record) and when a threshold is not met by the recorded TEST figure.
"""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
FIGURES = ROOT / "evals" / "figures.json"
THRESHOLDS = ROOT / "evals" / "thresholds.yaml"
DOCS = ROOT / "docs" / "evals.md"
DOCS_START = "<!-- figures:start (written by `python -m assistant eval all --record`; do not edit by hand) -->"
DOCS_END = "<!-- figures:end -->"
COMMAND = "python -m assistant eval all --record"
CONFIG_KEYS = ("embedding_model", "backend", "retrieval_mode", "dense_weight", "abstain_threshold", "guards", "top_k",
               "chunk_tokens")


def thresholds_hash(path: Path = THRESHOLDS) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_all_thresholds(path: Path = THRESHOLDS) -> dict:
    import yaml

    return yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}


def figures_of(cfg: dict) -> dict[str, dict]:
    """``{key: {"dev", "test", "n_dev", "n_test"}}`` from one configuration of an ``eval all`` report.
    Keys: ``retrieval.<set>.<mode>.<metric>``, ``answers.<metric>``, ``guardrails.<metric>``."""
    from assistant.evals.retrieval import METRICS

    out: dict[str, dict] = {}
    for split, block in ((cfg.get("retrieval") or {}).get("splits") or {}).items():
        for set_name, res in block["sets"].items():
            for mode, r in res["modes"].items():
                for metric in METRICS:
                    f = out.setdefault(f"retrieval.{set_name}.{mode}.{metric}", {})
                    f[split] = r["metrics"].get(metric)
                    f[f"n_{split}"] = res["n"]
    for split, block in ((cfg.get("answers") or {}).get("splits") or {}).items():
        for metric, v in block["metrics"].items():
            f = out.setdefault(f"answers.{metric}", {})
            f[split] = v
            f[f"n_{split}"] = block["questions"]
    for split, block in ((cfg.get("guardrails") or {}).get("splits") or {}).items():
        for metric, v in block["metrics"].items():
            out.setdefault(f"guardrails.{metric}", {})[split] = v
    return dict(sorted(out.items()))


def build_record(cfg: dict, thresholds_path: Path = THRESHOLDS, command: str = COMMAND) -> dict:
    settings = cfg.get("settings") or {}
    config = {k: settings.get(k) for k in CONFIG_KEYS if k in settings}
    config["embedding_model"] = cfg.get("embedding_model") or settings.get("embedding_model")
    config["backend"] = (cfg.get("answers") or {}).get("backend") or settings.get("backend")
    return {"recorded": time.strftime("%Y-%m-%d"), "command": command, "configuration_name": cfg.get("name"),
            "configuration": config, "thresholds_file": "evals/thresholds.yaml",
            "thresholds_sha256": thresholds_hash(thresholds_path),
            "note": "test = the held-out split (reported, thresholds are checked on it); dev = the split tuning may "
                    "look at. Figures over every question together are not recorded.",
            "figures": figures_of(cfg)}


def write_record(record: dict, path: Path = FIGURES) -> Path:
    Path(path).write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return Path(path)


def load_record(path: Path = FIGURES) -> dict | None:
    p = Path(path)
    return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else None


def threshold_rules(thresholds: dict) -> list[tuple[str, dict]]:
    """``[(figure key, {"min": x} | {"max": x})]`` for every threshold of ``thresholds.yaml``."""
    out = []
    for set_name, modes in (thresholds.get("retrieval") or {}).items():
        for mode, metrics in modes.items():
            for metric, minimum in metrics.items():
                out.append((f"retrieval.{set_name}.{mode}.{metric}", {"min": minimum}))
    for area in ("answers", "guardrails"):
        for name, rule in (thresholds.get(area) or {}).items():
            out.append((f"{area}.{name}", rule if isinstance(rule, dict) else {"min": rule}))
    return out


def meets(value, rule: dict) -> bool:
    if value is None:
        return False
    return ("min" not in rule or value >= rule["min"]) and ("max" not in rule or value <= rule["max"])


def threshold_checks(record: dict, thresholds: dict | None = None) -> list[dict]:
    """Each threshold against the recorded TEST figure: ``[{"key", "rule", "test", "dev", "met"}]``."""
    thresholds = load_all_thresholds() if thresholds is None else thresholds
    figs = record.get("figures") or {}
    out = []
    for key, rule in threshold_rules(thresholds):
        f = figs.get(key) or {}
        out.append({"key": key, "rule": rule, "test": f.get("test"), "dev": f.get("dev"), "met": meets(f.get("test"), rule)})
    return out


def _rule(rule: dict) -> str:
    return " ".join(f"{'≥' if k == 'min' else '≤'} {v}" for k, v in rule.items())


def _v(v) -> str:
    if v is None:
        return "–"
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def docs_block(record: dict, thresholds: dict | None = None) -> str:
    """The figures table of docs/evals.md (English), from the record."""
    thresholds = load_all_thresholds() if thresholds is None else thresholds
    rules = dict(threshold_rules(thresholds))
    c = record.get("configuration") or {}
    figs = record.get("figures") or {}
    lines = [f"Recorded {record.get('recorded')} with `{record.get('command')}`; embedding model "
             f"`{c.get('embedding_model')}`, backend `{c.get('backend')}`, retrieval `{c.get('retrieval_mode')}`. "
             "**test** is the held-out split (the figure to quote; thresholds are checked on it), **dev** the split "
             "tuning may look at.", "",
             "| figure | test | dev | n test / dev | threshold (on test) |", "|---|---|---|---|---|"]
    shown = [k for k in figs if k in rules or k.startswith(("answers.", "guardrails."))
             or (k.startswith("retrieval.") and k.rsplit(".", 1)[-1] in ("R@1", "R@5", "MRR@10", "nDCG@10"))]
    for k in shown:
        f = figs[k]
        n = f"{f.get('n_test', '')} / {f.get('n_dev', '')}" if "n_test" in f else ""
        lines.append(f"| `{k}` | **{_v(f.get('test'))}** | {_v(f.get('dev'))} | {n} | {_rule(rules[k]) if k in rules else ''} |")
    return "\n".join(lines)


def update_docs(record: dict, path: Path = DOCS, thresholds: dict | None = None) -> bool:
    """Rewrite the block between the figure markers of ``path``; False when the markers are absent."""
    text = Path(path).read_text(encoding="utf-8")
    a, b = text.find(DOCS_START), text.find(DOCS_END)
    if a < 0 or b < a:
        return False
    new = text[: a + len(DOCS_START)] + "\n" + docs_block(record, thresholds) + "\n" + text[b:]
    Path(path).write_text(new, encoding="utf-8")
    return True


def docs_in_sync(record: dict, path: Path = DOCS, thresholds: dict | None = None) -> bool:
    text = Path(path).read_text(encoding="utf-8")
    a, b = text.find(DOCS_START), text.find(DOCS_END)
    return a >= 0 and b > a and text[a + len(DOCS_START): b].strip() == docs_block(record, thresholds).strip()
