"""Retrieval metrics: R@1/3/5/10, MRR@10 and nDCG@10 for lexical, dense and hybrid side by side, per split.

Sets:
- ``evals/datasets/retrieval_*.jsonl`` over the shipped corpus: lines
  ``{"id", "question", "lang", "gold": [{"source", "article"}], "split"}``. A hit is
  relevant when its (source, article) is a gold entry (``article: ""`` = any
  chunk of that source). Chunks are collapsed to (source, article) units before
  scoring, so a long article split in pieces counts once. R@k is the share of
  questions with a relevant unit in the top k (any gold entry answers).
- XQuAD (``../shared/data/xquad``): 240 Wikipedia paragraphs, 1,190 questions
  per language; Vietnamese → Vietnamese, English → English, and Vietnamese
  questions → English paragraphs. Each paragraph is one document; its index is
  built once and kept under ``<data_dir>/eval-index``. Split by article
  (:func:`assistant.evals.splits.xquad_article_split`).

Every figure is computed per split (``dev``, ``test``); thresholds are checked on ``test``; the dense-weight
sweep (:mod:`assistant.evals.sweep`) chooses on ``dev`` only.
"""
from __future__ import annotations

import json
import math
import time
from pathlib import Path

from assistant.config import Settings
from assistant.evals import splits as S

ROOT = Path(__file__).resolve().parent.parent.parent
DATASETS = ROOT / "evals" / "datasets"
SHARED = ROOT.parent / "shared"
THRESHOLDS = ROOT / "evals" / "thresholds.yaml"
MODES = ("lexical", "dense", "hybrid")
KS = (1, 3, 5, 10)
METRICS = tuple(f"R@{k}" for k in KS) + ("MRR@10", "nDCG@10")


def load_jsonl(path: str | Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            line = line.strip()
            if line:
                try:
                    rows.append(json.loads(line))
                except ValueError as exc:
                    raise ValueError(f"{path}:{n}: not JSON ({exc})") from exc
    return rows


def load_questions(files: list[str | Path] | None = None, datasets: str | Path = DATASETS) -> list[dict]:
    """The retrieval questions of ``files`` (default ``<datasets>/retrieval_*.jsonl``), each with its split."""
    files = [Path(f) for f in files] if files else sorted(Path(datasets).glob("retrieval_*.jsonl"))
    out: list[dict] = []
    shared = S.Counter()
    for f in files:
        out.extend(S.ensure(load_jsonl(f), "retrieval", f.stem, shared))
    return out


def units(hits) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    for h in hits:
        u = (h.source, h.article)
        if u not in seen:
            seen.append(u)
    return seen


def relevant(unit: tuple[str, str], gold: list[dict]) -> bool:
    return any(unit[0] == g["source"] and (not g.get("article") or str(g["article"]) == unit[1]) for g in gold)


def score_query(ranked: list[tuple[str, str]], gold: list[dict]) -> dict:
    rel = [relevant(u, gold) for u in ranked[:10]]
    out = {f"R@{k}": float(any(rel[:k])) for k in KS}
    first = next((i for i, r in enumerate(rel) if r), None)
    out["MRR@10"] = 1.0 / (first + 1) if first is not None else 0.0
    dcg = sum(1.0 / math.log2(i + 2) for i, r in enumerate(rel) if r)
    n_gold = max(1, min(len({(g["source"], str(g.get("article", ""))) for g in gold}), 10))
    idcg = sum(1.0 / math.log2(i + 2) for i in range(n_gold))
    out["nDCG@10"] = dcg / idcg
    return out


def encode(retriever, questions: list[dict], modes=MODES) -> list:
    texts = [q["question"] for q in questions]
    return retriever.embedder.encode_query(texts) if any(m != "lexical" for m in modes) else [None] * len(texts)


def rank(retriever, questions: list[dict], modes=MODES, k_chunks: int = 30, qvecs=None) -> dict[str, list[dict]]:
    """Per mode, one record per question: its scores, rank of the first gold unit, top three, time."""
    qvecs = encode(retriever, questions, modes) if qvecs is None else qvecs
    out: dict[str, list[dict]] = {}
    for mode in modes:
        per = []
        for q, vec in zip(questions, qvecs):
            t0 = time.perf_counter()
            hits = retriever.search(q["question"], k=k_chunks, mode=mode, qvec=vec)
            ms = (time.perf_counter() - t0) * 1000
            ranked = units(hits)
            s = score_query(ranked, q["gold"])
            per.append({"id": q.get("id"), "question": q["question"], "gold": q["gold"], "lang": q.get("lang"),
                        "split": q.get("split"), "rr": s["MRR@10"], "scores": s, "ms": ms,
                        "top": [f"{src}#{art}" if art else src for src, art in ranked[:3]]})
        out[mode] = per
    return out


def aggregate(ranked: dict[str, list[dict]], keep=lambda q: True) -> dict:
    """``{"n", "modes": {mode: {"metrics", "queries"}}}`` over the questions ``keep`` accepts."""
    result: dict = {}
    n = 0
    for mode, per in ranked.items():
        sub = [q for q in per if keep(q)]
        n = len(sub)
        d = max(1, n)
        metrics = {m: round(sum(q["scores"][m] for q in sub) / d, 4) for m in METRICS}
        metrics["ms_per_query"] = round(sum(q["ms"] for q in sub) / d, 2)
        queries = [{k: q[k] for k in ("id", "question", "gold", "rr", "top")} for q in sub]
        result[mode] = {"metrics": metrics, "queries": queries}
    return {"n": n, "modes": result}


def evaluate(retriever, questions: list[dict], modes=MODES, k_chunks: int = 30) -> dict:
    """Metrics per mode over all ``questions`` (no split), and per-question ranks for failure lists."""
    return aggregate(rank(retriever, questions, modes, k_chunks))


def by_split(ranked: dict[str, list[dict]], split_names, langs: bool = True, prefix: str = "corpus") -> dict:
    """``{split: {set name: aggregate}}``: all questions of the split, and per language."""
    out: dict = {}
    for split in split_names:
        sets = {prefix: aggregate(ranked, lambda q, s=split: q["split"] == s)}
        if langs:
            for lang in ("vi", "en"):
                agg = aggregate(ranked, lambda q, s=split, lg=lang: q["split"] == s and (q.get("lang") or "vi") == lg)
                if agg["n"]:
                    sets[f"{prefix}-{lang}"] = agg
        out[split] = sets
    return out


# ---------------------------------------------------------------- XQuAD
def xquad_questions(lang: str) -> tuple[list[tuple[str, str]], list[dict]]:
    """(paragraph files [(name, text)], questions with their split) from ../shared/data/xquad/xquad.<lang>.json."""
    data = json.loads((SHARED / "data" / "xquad" / f"xquad.{lang}.json").read_text(encoding="utf-8"))
    paras, questions = [], []
    n_art = len(data["data"])
    for a_i, art in enumerate(data["data"]):
        split = S.xquad_article_split(a_i, n_art)
        for p_i, para in enumerate(art["paragraphs"]):
            name = f"a{a_i:02d}-p{p_i:02d}.txt"
            paras.append((name, para["context"]))
            for qa in para["qas"]:
                questions.append({"id": qa["id"], "question": qa["question"], "lang": lang, "split": split,
                                  "gold": [{"source": name, "article": ""}]})
    return paras, questions


def xquad_retriever(settings: Settings, lang: str, embedder):
    """Index the XQuAD paragraphs of ``lang`` once (incremental: re-runs are instant)."""
    from assistant.indexer import run_index
    from assistant.retrieval import Retriever

    base = Path(settings.data_dir) / "eval-index" / f"xquad-{lang}"
    corpus = base / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    paras, _ = xquad_questions(lang)
    for name, text in paras:
        f = corpus / name
        if not f.exists() or f.read_text(encoding="utf-8") != text:
            f.write_text(text, encoding="utf-8")
    s = settings.with_(store_dir=str(base / "store"), corpus_dir=str(corpus), chroma_host="", collection=f"xquad_{lang}", guards="off")
    run_index(s, embedder=embedder)
    return Retriever(s, embedder=embedder)


def xquad_present() -> bool:
    return (SHARED / "data" / "xquad").is_dir()


def run_retrieval(settings: Settings, datasets: list[str] | None = None, xquad: bool = True, modes=MODES,
                  limit: int | None = None, split: str | None = None, *, embedder=None, retriever=None,
                  folder: str | Path | None = None, xquad_langs=("vi", "en", "vi→en")) -> dict:
    """``{"embedding_model", "modes", "splits": {split: {"sets": {name: {"n", "modes"}}}}, "notes"}``.

    ``datasets``: JSONL files (default ``<folder or evals/datasets>/retrieval_*.jsonl``); ``split``: dev, test
    or both (None)."""
    from assistant.embeddings import get_embedder
    from assistant.retrieval import Retriever

    wanted = S.chosen(split)
    embedder = embedder or (retriever.embedder if retriever is not None else
                            get_embedder(settings.embedding_model, settings.embedding_batch))
    report: dict = {"embedding_model": embedder.name, "modes": list(modes), "splits": {s: {"sets": {}} for s in wanted},
                    "notes": []}
    questions = [q for q in load_questions(datasets, folder or DATASETS) if q["split"] in wanted]
    if limit:
        questions = questions[:limit]
    if questions:
        retriever = retriever or Retriever(settings, embedder=embedder)
        if retriever.size == 0:
            report["notes"].append("no index: run `python -m assistant index` first")
        else:
            for s, sets in by_split(rank(retriever, questions, modes), wanted).items():
                report["splits"][s]["sets"].update(sets)
    if xquad and xquad_present():
        want_vi = any(x in xquad_langs for x in ("vi", "vi→en"))
        want_en = any(x in xquad_langs for x in ("en", "vi→en"))
        q = {}
        for lang, want in (("vi", want_vi), ("en", want_en)):
            if want:
                q[lang] = [x for x in xquad_questions(lang)[1] if x["split"] in wanted]
                if limit:
                    q[lang] = q[lang][:limit]
        plan = []
        if "vi" in xquad_langs:
            plan.append(("xquad-vi", "vi", "vi"))
        if "en" in xquad_langs:
            plan.append(("xquad-en", "en", "en"))
        if "vi→en" in xquad_langs:
            plan.append(("xquad-vi→en", "en", "vi"))  # Vietnamese questions -> English paragraphs (same names)
        retrievers: dict = {}
        for name, para_lang, q_lang in plan:
            if para_lang not in retrievers:
                retrievers[para_lang] = xquad_retriever(settings, para_lang, embedder)
            ranked = rank(retrievers[para_lang], q[q_lang], modes)
            for s, sets in by_split(ranked, wanted, langs=False, prefix=name).items():
                report["splits"][s]["sets"].update(sets)
    elif xquad:
        report["notes"].append(f"XQuAD not found at {SHARED / 'data' / 'xquad'}: skipped")
    return report


# ---------------------------------------------------------------- thresholds
def thresholds(path: Path = THRESHOLDS) -> dict:
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return data.get("retrieval") or {}


def check_thresholds(result: dict, limits: dict | None = None, mode: str | None = None) -> list[dict]:
    """Each threshold met or missed on one split's result ``{"sets": ...}`` (pass the TEST split):
    ``[{"set","mode","metric","min","value","met"}]``; sets absent from the result are skipped.
    ``mode``: read this mode's figures instead of the mode the threshold names (a configuration's own mode)."""
    limits = thresholds() if limits is None else limits
    out = []
    for set_name, modes in limits.items():
        res = result["sets"].get(set_name)
        if res is None:
            continue
        for tmode, metrics in modes.items():
            got = res["modes"].get(mode or tmode, {}).get("metrics", {})
            for metric, minimum in metrics.items():
                value = got.get(metric)
                out.append({"set": set_name, "mode": tmode, "metric": metric, "min": minimum, "value": value,
                            "met": value is not None and value >= minimum})
    return out


def fusion_regressions(result: dict, eps: float = 1e-9) -> list[str]:
    """Where hybrid scores below the better of lexical and dense (the rule the default fusion must keep),
    on one split's result ``{"sets": ...}``."""
    bad = []
    for set_name, res in result["sets"].items():
        modes = res["modes"]
        if not {"hybrid", "lexical", "dense"} <= set(modes):
            continue
        for metric in METRICS:
            best = max(modes["lexical"]["metrics"][metric], modes["dense"]["metrics"][metric])
            if modes["hybrid"]["metrics"][metric] + eps < best:
                bad.append(f"{set_name}: hybrid {metric} {modes['hybrid']['metrics'][metric]:.3f} < {best:.3f}")
    return bad
