"""``assistant eval retrieval``: R@1/3/5/10, MRR@10 and nDCG@10 for lexical, dense and hybrid side by side.

Sets:
- ``evals/datasets/retrieval_*.jsonl`` over the shipped corpus: lines
  ``{"id", "question", "lang", "gold": [{"source", "article"}]}``. A hit is
  relevant when its (source, article) is a gold entry (``article: ""`` = any
  chunk of that source). Chunks are collapsed to (source, article) units before
  scoring, so a long article split in pieces counts once. R@k is the share of
  questions with a relevant unit in the top k (any gold entry answers).
- XQuAD (``../shared/data/xquad``): 240 Wikipedia paragraphs, 1,190 questions
  per language; Vietnamese → Vietnamese, English → English, and Vietnamese
  questions → English paragraphs. Each paragraph is one document; its index is
  built once and kept under ``<data_dir>/eval-index``.
"""
from __future__ import annotations

import json
import math
import time
from pathlib import Path

from assistant.config import Settings

ROOT = Path(__file__).resolve().parent.parent.parent
DATASETS = ROOT / "evals" / "datasets"
SHARED = ROOT.parent / "shared"
MODES = ("lexical", "dense", "hybrid")
KS = (1, 3, 5, 10)


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


def evaluate(retriever, questions: list[dict], modes=MODES, k_chunks: int = 30) -> dict:
    """Metrics per mode, and per-question ranks for failure lists."""
    texts = [q["question"] for q in questions]
    qvecs = retriever.embedder.encode(texts) if any(m != "lexical" for m in modes) else [None] * len(texts)
    result: dict = {}
    for mode in modes:
        sums: dict[str, float] = {}
        per_query = []
        t0 = time.perf_counter()
        for q, vec in zip(questions, qvecs):
            hits = retriever.search(q["question"], k=k_chunks, mode=mode, qvec=vec)
            ranked = units(hits)
            s = score_query(ranked, q["gold"])
            for key, val in s.items():
                sums[key] = sums.get(key, 0.0) + val
            per_query.append({"id": q.get("id"), "question": q["question"], "gold": q["gold"], "rr": s["MRR@10"],
                              "top": [f"{src}#{art}" if art else src for src, art in ranked[:3]]})
        n = max(1, len(questions))
        metrics = {k: round(v / n, 4) for k, v in sums.items()}
        metrics["ms_per_query"] = round((time.perf_counter() - t0) * 1000 / n, 2)
        result[mode] = {"metrics": metrics, "queries": per_query}
    return {"n": len(questions), "modes": result}


# ---------------------------------------------------------------- XQuAD
def xquad_questions(lang: str) -> tuple[list[tuple[str, str]], list[dict]]:
    """(paragraph files [(name, text)], questions) from ../shared/data/xquad/xquad.<lang>.json."""
    data = json.loads((SHARED / "data" / "xquad" / f"xquad.{lang}.json").read_text(encoding="utf-8"))
    paras, questions = [], []
    for a_i, art in enumerate(data["data"]):
        for p_i, para in enumerate(art["paragraphs"]):
            name = f"a{a_i:02d}-p{p_i:02d}.txt"
            paras.append((name, para["context"]))
            for qa in para["qas"]:
                questions.append({"id": qa["id"], "question": qa["question"], "lang": lang, "gold": [{"source": name, "article": ""}]})
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


def run_retrieval(settings: Settings, datasets: list[str] | None = None, xquad: bool = True, modes=MODES,
                  limit: int | None = None) -> dict:
    from assistant.embeddings import get_embedder
    from assistant.retrieval import Retriever

    embedder = get_embedder(settings.embedding_model, settings.embedding_batch)
    report: dict = {"embedding_model": embedder.name, "sets": {}}
    files = [Path(d) for d in datasets] if datasets else sorted(DATASETS.glob("retrieval_*.jsonl"))
    questions: list[dict] = []
    for f in files:
        questions.extend(load_jsonl(f))
    if limit:
        questions = questions[:limit]
    if questions:
        retriever = Retriever(settings, embedder=embedder)
        if retriever.size == 0:
            report.setdefault("notes", []).append("no index: run `python -m assistant index` first")
        else:
            report["sets"]["corpus"] = evaluate(retriever, questions, modes)
            for lang in ("vi", "en"):
                sub = [q for q in questions if q.get("lang", "vi") == lang]
                if sub:
                    report["sets"][f"corpus-{lang}"] = evaluate(retriever, sub, modes)
    if xquad and (SHARED / "data" / "xquad").is_dir():
        r_vi = xquad_retriever(settings, "vi", embedder)
        r_en = xquad_retriever(settings, "en", embedder)
        _, q_vi = xquad_questions("vi")
        _, q_en = xquad_questions("en")
        if limit:
            q_vi, q_en = q_vi[:limit], q_en[:limit]
        report["sets"]["xquad-vi"] = evaluate(r_vi, q_vi, modes)
        report["sets"]["xquad-en"] = evaluate(r_en, q_en, modes)
        # Vietnamese questions -> English paragraphs (same ids, same paragraph names)
        report["sets"]["xquad-vi→en"] = evaluate(r_en, q_vi, modes)
    elif xquad:
        report["notes"] = [f"XQuAD not found at {SHARED / 'data' / 'xquad'}: skipped"]
    return report


def format_table(report: dict) -> str:
    cols = [f"R@{k}" for k in KS] + ["MRR@10", "nDCG@10", "ms_per_query"]
    lines = [f"embedding model: {report['embedding_model']}", ""]
    for name, res in report["sets"].items():
        lines.append(f"## {name} ({res['n']} questions)")
        lines.append("| mode | " + " | ".join(cols) + " |")
        lines.append("|---|" + "---|" * len(cols))
        for mode, r in res["modes"].items():
            m = r["metrics"]
            lines.append(f"| {mode} | " + " | ".join(f"{m.get(c, 0):.3f}" if c != "ms_per_query" else f"{m.get(c, 0):.1f}" for c in cols) + " |")
        lines.append("")
    for n in report.get("notes", []):
        lines.append(f"note: {n}")
    return "\n".join(lines)


def register(sub) -> None:
    p = sub.add_parser("retrieval", help="retrieval metrics: lexical vs dense vs hybrid",
                       description="R@1/3/5/10, MRR@10, nDCG@10 on evals/datasets/retrieval_*.jsonl (over the current index) "
                                   "and on XQuAD (../shared/data/xquad).")
    p.add_argument("--dataset", action="append", help="JSONL file(s); default evals/datasets/retrieval_*.jsonl")
    p.add_argument("--no-xquad", action="store_true", help="skip XQuAD")
    p.add_argument("--modes", default=",".join(MODES), help="comma-separated: lexical,dense,hybrid")
    p.add_argument("--limit", type=int, help="first N questions of each set (quick look)")
    p.add_argument("--store", "--store-dir", dest="store_dir")
    p.add_argument("--dense-weight", dest="dense_weight", type=float, help="(ASSISTANT_DENSE_WEIGHT)")
    p.add_argument("--embedding-model", dest="embedding_model")
    p.add_argument("--json", action="store_true", help="print the full report as JSON")
    p.add_argument("--failures", type=int, default=0, help="print the N worst questions of each set (hybrid)")
    p.set_defaults(func=_run)


def _run(args) -> int:
    from assistant.commands._common import print_json, settings_from

    settings = settings_from(args)
    report = run_retrieval(settings, args.dataset, xquad=not args.no_xquad, modes=tuple(args.modes.split(",")), limit=args.limit)
    if args.json:
        print_json(report)
        return 0
    print(format_table(report))
    for row in check_thresholds(report):
        mark = "met" if row["met"] else "MISSED"
        print(f"threshold {row['set']} {row['mode']} {row['metric']} >= {row['min']}: {row['value']} ({mark})")
    for line in fusion_regressions(report):
        print(f"fusion below its best part: {line}")
    if args.failures:
        for name, res in report["sets"].items():
            worst = sorted(res["modes"].get("hybrid", next(iter(res["modes"].values())))["queries"], key=lambda q: q["rr"])[: args.failures]
            print(f"\n### worst in {name}")
            for q in worst:
                gold = ", ".join(f"{g['source']}#{g.get('article', '')}" for g in q["gold"])
                print(f"- [{q['rr']:.2f}] {q['question']}  gold: {gold}  got: {', '.join(q['top'])}")
    return 0 if all(r["met"] for r in check_thresholds(report)) else 4


def thresholds() -> dict:
    import yaml

    data = yaml.safe_load((ROOT / "evals" / "thresholds.yaml").read_text(encoding="utf-8")) or {}
    return data.get("retrieval") or {}


def check_thresholds(report: dict, limits: dict | None = None) -> list[dict]:
    """Each threshold met or missed: [{"set","mode","metric","min","value","met"}] (sets absent from the report are skipped)."""
    limits = thresholds() if limits is None else limits
    out = []
    for set_name, modes in limits.items():
        res = report["sets"].get(set_name)
        if res is None:
            continue
        for mode, metrics in modes.items():
            got = res["modes"].get(mode, {}).get("metrics", {})
            for metric, minimum in metrics.items():
                value = got.get(metric)
                out.append({"set": set_name, "mode": mode, "metric": metric, "min": minimum, "value": value,
                            "met": value is not None and value >= minimum})
    return out


def fusion_regressions(report: dict, eps: float = 1e-9) -> list[str]:
    """Where hybrid scores below the better of lexical and dense (the rule the default fusion must keep)."""
    bad = []
    for set_name, res in report["sets"].items():
        modes = res["modes"]
        if not {"hybrid", "lexical", "dense"} <= set(modes):
            continue
        for metric in [f"R@{k}" for k in KS] + ["MRR@10", "nDCG@10"]:
            best = max(modes["lexical"]["metrics"][metric], modes["dense"]["metrics"][metric])
            if modes["hybrid"]["metrics"][metric] + eps < best:
                bad.append(f"{set_name}: hybrid {metric} {modes['hybrid']['metrics'][metric]:.3f} < {best:.3f}")
    return bad
