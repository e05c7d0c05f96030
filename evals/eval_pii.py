"""Score the personal-data recognisers and the secret-marking detector on the hand-written sets.

    python evals/eval_pii.py                 # dev and test, table
    python evals/eval_pii.py --split dev     # one split
    python evals/eval_pii.py --json out.json # also write the figures as JSON
    python evals/eval_pii.py --errors        # dev only: list the misses and false alarms (texts of dev rows)

Data (written by hand, independently of the recognisers; see evals/datasets/README-guard-data.md):
``pii_handwritten.jsonl`` (span-labelled, 120 look-alike rows) and ``markings_prose.jsonl`` (block / allow).
This script is the scorer, so it imports the guard; the data is never generated from it.

PII scoring is span-level: a predicted span matches a gold span of the same type when they overlap by at
least half of the gold span's length; each gold and each predicted span is matched at most once.
Markings: a row is blocked when the detector finds a marking; recall on ``block`` rows, false positives on
``allow`` rows.

Only rows of the ``dev`` split may be looked at while rules are tuned: ``--errors`` refuses the test split, and
for test only aggregate figures are printed.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
DATASETS = ROOT / "evals" / "datasets"
PII_FILE = DATASETS / "pii_handwritten.jsonl"
MARKINGS_FILE = DATASETS / "markings_prose.jsonl"
OVERLAP = 0.5


def load(path: Path, split: str | None = None) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r for r in rows if split is None or r["split"] == split]


def gold_spans(row: dict) -> list[tuple[str, int, int]]:
    """(type, start, end) of each labelled value; repeated values take successive occurrences."""
    out, used = [], set()
    for s in row["spans"]:
        text, val, start = row["text"], s["value"], 0
        while True:
            i = text.find(val, start)
            if i < 0:
                i = text.find(val)  # the checker guarantees the value is there
                break
            if (i, s["type"]) not in used:
                break
            start = i + 1
        used.add((i, s["type"]))
        out.append((s["type"], i, i + len(val)))
    return out


def match(gold: list[tuple[str, int, int]], pred: list[tuple[str, int, int]]) -> tuple[set[int], set[int]]:
    """Indices of matched gold and matched predicted spans (greedy on the largest overlap)."""
    pairs = []
    for gi, (gt, gs, ge) in enumerate(gold):
        for pi, (pt, ps, pe) in enumerate(pred):
            if gt != pt:
                continue
            ov = min(ge, pe) - max(gs, ps)
            if ov > 0 and ov >= OVERLAP * (ge - gs):
                pairs.append((ov, gi, pi))
    mg, mp = set(), set()
    for _ov, gi, pi in sorted(pairs, reverse=True):
        if gi not in mg and pi not in mp:
            mg.add(gi)
            mp.add(pi)
    return mg, mp


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(p, 4), "recall": round(r, 4), "tp": tp, "fp": fp, "fn": fn}


def score_pii(rows: list[dict], find=None, keep_errors: bool = False) -> dict:
    if find is None:
        from assistant.guard.pii import find_pii as find
    counts: dict[str, list[int]] = {}
    lookalike_rows = lookalike_fp = 0
    errors = []
    for r in rows:
        gold = gold_spans(r)
        pred = [(m.type, m.start, m.end) for m in find(r["text"])]
        mg, mp = match(gold, pred)
        for i, (t, _s, _e) in enumerate(gold):
            c = counts.setdefault(t, [0, 0, 0])
            c[0 if i in mg else 2] += 1
        for i, (t, _s, _e) in enumerate(pred):
            if i not in mp:
                counts.setdefault(t, [0, 0, 0])[1] += 1
        if not r["spans"]:
            lookalike_rows += 1
            lookalike_fp += len(pred)
        if keep_errors and (len(mg) < len(gold) or len(mp) < len(pred)):
            errors.append({"id": r["id"], "text": r["text"],
                           "missed": [(t, r["text"][s:e]) for i, (t, s, e) in enumerate(gold) if i not in mg],
                           "false": [(t, r["text"][s:e]) for i, (t, s, e) in enumerate(pred) if i not in mp]})
    per_type = {t: _prf(*c) for t, c in sorted(counts.items())}
    tot = [sum(c[i] for c in counts.values()) for i in range(3)]
    out = {"rows": len(rows), "per_type": per_type, "micro": _prf(*tot),
           "lookalike_rows": lookalike_rows, "lookalike_false_positives": lookalike_fp}
    if keep_errors:
        out["errors"] = errors
    return out


def score_markings(rows: list[dict], keep_errors: bool = False) -> dict:
    from assistant.guard.markings import find_markings

    block = [r for r in rows if r["expected"] == "block"]
    allow = [r for r in rows if r["expected"] == "allow"]
    caught = [r for r in block if find_markings(r["text"])]
    false = [r for r in allow if find_markings(r["text"])]
    out = {"block_rows": len(block), "allow_rows": len(allow), "caught": len(caught),
           "recall": round(len(caught) / max(1, len(block)), 4), "false_positives": len(false),
           "false_positive_rate": round(len(false) / max(1, len(allow)), 4)}
    if keep_errors:
        ids = {r["id"] for r in caught}
        out["errors"] = ([{"id": r["id"], "expected": "block", "form": r["form"], "text": r["text"]}
                          for r in block if r["id"] not in ids]
                         + [{"id": r["id"], "expected": "allow", "form": r["form"], "text": r["text"]} for r in false])
    return out


def evaluate(splits=("dev", "test"), keep_errors: bool = False) -> dict:
    if keep_errors and "test" in splits:
        raise ValueError("errors are listed for the dev split only (the test split is held out)")
    res = {}
    for sp in splits:
        res[sp] = {"pii": score_pii(load(PII_FILE, sp), keep_errors=keep_errors),
                   "markings": score_markings(load(MARKINGS_FILE, sp), keep_errors=keep_errors)}
    return res


def table(res: dict) -> str:
    splits = list(res)
    types = sorted({t for sp in splits for t in res[sp]["pii"]["per_type"]})
    head = f"{'type':<18}" + "".join(f"{sp + ' P':>9}{sp + ' R':>9}{'n':>5}" for sp in splits)
    lines = ["Personal data (span level, overlap >= 50 % of the gold span)", head, "-" * len(head)]
    for t in types + ["micro"]:
        row = f"{t:<18}"
        for sp in splits:
            pii = res[sp]["pii"]
            m = pii["micro"] if t == "micro" else pii["per_type"].get(t)
            row += (f"{m['precision']:>9.3f}{m['recall']:>9.3f}{m['tp'] + m['fn']:>5}" if m else f"{'':>23}")
        lines.append(row)
    for sp in splits:
        pii = res[sp]["pii"]
        lines.append(f"{sp}: {pii['lookalike_false_positives']} false positive span(s) on "
                     f"{pii['lookalike_rows']} look-alike rows")
    lines += ["", "Secret markings in prose"]
    for sp in splits:
        m = res[sp]["markings"]
        lines.append(f"{sp}: recall {m['recall']:.3f} ({m['caught']}/{m['block_rows']}), "
                     f"false positives {m['false_positives']}/{m['allow_rows']}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=["dev", "test", "both"], default="both")
    ap.add_argument("--json", metavar="PATH", help="write the figures as JSON")
    ap.add_argument("--errors", action="store_true", help="list dev misses and false alarms (dev split only)")
    a = ap.parse_args(argv)
    splits = ("dev", "test") if a.split == "both" else (a.split,)
    if a.errors and "test" in splits:
        if a.split == "test":
            print("--errors lists rows of the dev split only: the test split is held out.", file=sys.stderr)
            return 2
        splits = ("dev",)
    res = evaluate(splits, keep_errors=a.errors)
    print(table(res))
    if a.errors:
        for e in res["dev"]["pii"]["errors"]:
            print(f"\n{e['id']}: {e['text']}\n   missed {e['missed']}\n   false  {e['false']}")
        for e in res["dev"]["markings"]["errors"]:
            print(f"\n{e['id']} [{e['expected']} / {e['form']}]: {e['text']}")
    if a.json:
        for sp in res.values():
            for part in sp.values():
                part.pop("errors", None)
        Path(a.json).write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
