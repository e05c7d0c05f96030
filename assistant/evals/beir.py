"""BEIR-format retrieval sets: ``corpus.jsonl`` ({_id, title, text}), ``queries.jsonl`` ({_id, text}) and
``qrels/test.tsv`` (``query-id<TAB>corpus-id<TAB>score``, header line optional).

Each corpus entry becomes one document (``<_id>.txt``) in a temporary store, scored with the same metrics
as ``eval retrieval`` (R@k, MRR@10, nDCG@10): a hit is relevant when its source is a corpus id with score > 0.
Nothing is tuned on a BEIR set, so its figures are reported as one held-out (test) set.
"""
from __future__ import annotations

import re
import tempfile
from pathlib import Path

from assistant.evals.retrieval import MODES, evaluate, load_jsonl


def _safe(doc_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", str(doc_id)) + ".txt"


def load_beir(path: str | Path, split: str = "test") -> tuple[dict[str, dict], list[dict]]:
    """(corpus {id: {title, text}}, questions in the eval retrieval format with gold sources)."""
    base = Path(path)
    corpus = {str(r["_id"]): {"title": r.get("title") or "", "text": r.get("text") or ""} for r in load_jsonl(base / "corpus.jsonl")}
    queries = {str(r["_id"]): r["text"] for r in load_jsonl(base / "queries.jsonl")}
    qrels: dict[str, list[str]] = {}
    for n, line in enumerate((base / "qrels" / f"{split}.tsv").read_text(encoding="utf-8").splitlines()):
        parts = line.strip().split("\t") if "\t" in line else line.split()
        if len(parts) < 3:
            continue
        if n == 0 and not parts[2].lstrip("-").isdigit():
            continue  # header
        if int(parts[2]) > 0 and parts[1] in corpus:
            qrels.setdefault(parts[0], []).append(parts[1])
    questions = [{"id": qid, "question": queries[qid], "gold": [{"source": _safe(d), "article": ""} for d in docs]}
                 for qid, docs in qrels.items() if qid in queries]
    return corpus, questions


def run_beir(settings, path: str | Path, modes=MODES, limit: int | None = None, embedder=None, workdir=None) -> dict:
    """Index the BEIR corpus into a temporary store and score its queries."""
    from assistant.embeddings import get_embedder
    from assistant.indexer import run_index
    from assistant.retrieval import Retriever

    corpus, questions = load_beir(path)
    if limit:
        questions = questions[:limit]
    embedder = embedder or get_embedder(settings.embedding_model, settings.embedding_batch)
    tmp = None
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="beir-")
        workdir = tmp.name
    base = Path(workdir)
    docs = base / "corpus"
    docs.mkdir(parents=True, exist_ok=True)
    for doc_id, d in corpus.items():
        text = (d["title"] + "\n\n" + d["text"]).strip() if d["title"] else d["text"]
        (docs / _safe(doc_id)).write_text(text, encoding="utf-8")
    s = settings.with_(store_dir=str(base / "store"), corpus_dir=str(docs), chroma_host="", collection="beir", guards="off")
    try:
        run_index(s, embedder=embedder)
        retriever = Retriever(s, embedder=embedder)
        res = evaluate(retriever, questions, modes)
    finally:
        if tmp is not None:
            tmp.cleanup()
    return {"name": f"beir:{Path(path).name}", "documents": len(corpus), **res}

