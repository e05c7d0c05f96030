"""Dev and test splits of every eval set: which rows may be looked at while tuning, which are reported.

Every row of a shipped set carries ``"split": "dev"`` or ``"split": "test"``, fixed in the file by id. The rule
that wrote them (and that fills a row that has none, e.g. in a city's own set) is *stratified alternation*:

- rows are grouped into strata: retrieval ``(file, lang, first gold document)``, answers
  ``(file, in_corpus, lang)``, guard ``(file, expected, types)``;
- inside a stratum, rows sorted by id alternate between the two splits; where the stratum is even so far, the
  next row goes to the split with fewer rows of the same stratum in the files before (name order), then of
  coarser groups (answers: in/out of corpus; retrieval: language; guard: expected decision), then of the whole
  kind (ties: ``dev``). So every stratum is half and half (±1), and so is each coarser group;
- a row that already has a split keeps it: adding rows never moves old ones.

Outside sets are split by a fixed rule on their own ids: XQuAD by article (the first half of the 48 articles is
dev, the second half test: the 240 paragraphs of an article never straddle the two), the red-team sets by position
(even index dev, odd test; the DAN family by template file, alternating in name order).

Fit thresholds, weights and rules on ``dev``; report ``test``.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

SPLITS = ("dev", "test")
KINDS = ("retrieval", "answers", "guard")


def kind_of(path: str | Path) -> str | None:
    """The kind of a set from its file name (``retrieval_*``, ``answers_*``, ``guard_*``)."""
    name = Path(path).name
    for kind in KINDS:
        if name.startswith(kind + "_") and name.endswith(".jsonl"):
            return kind
    return None


def stratum(row: dict, kind: str, file: str = "") -> tuple:
    """The group a row is balanced within."""
    if kind == "retrieval":
        gold = row.get("gold") or [{}]
        return (file, row.get("lang", "vi"), str(gold[0].get("source", "")))
    if kind == "answers":
        return (file, bool(row.get("in_corpus", True)), row.get("lang", "vi"))
    if kind == "guard":
        return (file, row.get("expected", ""), tuple(sorted(row.get("types") or [])))
    raise ValueError(f"unknown kind of eval set: {kind!r} (one of {', '.join(KINDS)})")


def _levels(key: tuple) -> list[tuple]:
    """The stratum without its file, then coarser and coarser prefixes of it, down to ``()`` (the whole kind)."""
    rest = key[1:]
    return [rest[:j] for j in range(len(rest), -1, -1)]


def assign(rows: list[dict], kind: str, file: str = "", shared: Counter | None = None) -> list[str]:
    """The split of every row: its own when it has one, else by the stratified rule above.

    Ties inside a stratum go to the split with fewer rows of the same stratum in the other files, then of coarser
    groups (answers: in/out of corpus; retrieval: language; guard: expected decision), then of the whole kind.
    ``shared`` carries those counts across the files of one kind (in name order); without it they are this file's."""
    for n, r in enumerate(rows, start=1):
        if r.get("split") not in (None, *SPLITS):
            raise ValueError(f"{file or 'row'} {r.get('id', n)}: split must be dev or test, not {r.get('split')!r}")
    out: list[str | None] = [r.get("split") for r in rows]
    across = shared if shared is not None else Counter()
    groups: dict[tuple, list[int]] = {}
    for i, r in enumerate(rows):
        key = stratum(r, kind, file)
        groups.setdefault(key, []).append(i)
        if out[i]:
            for lv in _levels(key):
                across[(lv, out[i])] += 1
    for key in sorted(groups, key=repr):
        idx = groups[key]
        have = Counter(out[i] for i in idx if out[i])
        levels = _levels(key)
        for i in sorted((i for i in idx if not out[i]), key=lambda i: str(rows[i].get("id", i))):
            pick = min(SPLITS, key=lambda s: (have[s], *[across[(lv, s)] for lv in levels], SPLITS.index(s)))
            out[i] = pick
            have[pick] += 1
            for lv in levels:
                across[(lv, pick)] += 1
    return [str(s) for s in out]


def ensure(rows: list[dict], kind: str, file: str = "", shared: Counter | None = None) -> list[dict]:
    """Fill ``row["split"]`` in place where it is missing (by the rule); returns ``rows``. Loaders pass one
    ``shared`` counter for the files of a kind in name order, as :func:`write_folder` does."""
    for r, s in zip(rows, assign(rows, kind, file, shared)):
        r["split"] = s
    return rows


def pick(rows: list[dict], split: str) -> list[dict]:
    return [r for r in rows if r.get("split") == split]


def chosen(split: str | None) -> tuple[str, ...]:
    """``dev``/``test``/``both`` (or None) → the splits to compute."""
    if split in (None, "", "both"):
        return SPLITS
    if split not in SPLITS:
        raise ValueError(f"split must be dev, test or both, not {split!r}")
    return (split,)


def balance(rows: list[dict], kind: str, file: str = "") -> dict[tuple, dict[str, int]]:
    """Rows per split in each stratum (for the check and the README)."""
    out: dict[tuple, dict[str, int]] = {}
    for r in rows:
        c = out.setdefault(stratum(r, kind, file), {s: 0 for s in SPLITS})
        if r.get("split") in SPLITS:
            c[r["split"]] += 1
    return out


def check_file(path: str | Path) -> list[str]:
    """Problems of one shipped set: rows without a split, a stratum off by more than one."""
    path = Path(path)
    kind = kind_of(path)
    if kind is None:
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    bad = [f"{path.name}: {r.get('id', n)} has no split (dev or test)" for n, r in enumerate(rows, start=1)
           if r.get("split") not in SPLITS]
    for key, c in balance(rows, kind, path.stem).items():
        if abs(c["dev"] - c["test"]) > 1:
            bad.append(f"{path.name}: stratum {key[1:]} has {c['dev']} dev and {c['test']} test rows")
    totals = Counter(r.get("split") for r in rows)
    strata = len(balance(rows, kind, path.stem))
    if abs(totals["dev"] - totals["test"]) > max(1, strata // 2):
        bad.append(f"{path.name}: {totals['dev']} dev and {totals['test']} test rows")
    return bad


def write_file(path: str | Path, shared: Counter | None = None) -> int:
    """Give every row of ``path`` without a split one (by the rule), keeping the order and the other fields.
    Returns the number of rows that got one."""
    path = Path(path)
    kind = kind_of(path)
    if kind is None:
        raise ValueError(f"{path.name}: not a retrieval_*, answers_* or guard_* set")
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    missing = sum(r.get("split") is None for r in rows)
    splits = assign(rows, kind, path.stem, shared)
    if missing:
        for r, s in zip(rows, splits):
            r["split"] = s
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return missing


def write_folder(folder: str | Path) -> dict[str, int]:
    """:func:`write_file` for every set of ``folder``, files of one kind in name order sharing their counts."""
    shared: dict[str, Counter] = {k: Counter() for k in KINDS}
    out = {}
    for f in sorted(Path(folder).glob("*.jsonl")):
        kind = kind_of(f)
        if kind:
            out[f.name] = write_file(f, shared[kind])
    return out


# ---------------------------------------------------------------- outside sets
def xquad_article_split(article_index: int, n_articles: int) -> str:
    """XQuAD: the first half of the articles is dev, the second half test."""
    return "dev" if article_index < (n_articles + 1) // 2 else "test"


def index_split(i: int) -> str:
    """Red-team lists: even positions dev, odd test."""
    return "dev" if i % 2 == 0 else "test"
