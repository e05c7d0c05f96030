"""``make bench``: indexing and search figures on this machine, printed (not asserted).

Prints, on the shipped corpus in one run:
- full indexing seconds beside the raw ``SentenceTransformer.encode`` seconds of the same chunks (the floor), and their ratio;
- re-index seconds of the unchanged corpus, and its share of a full index;
- search p50/p95 (hybrid, warm process) at the corpus size and at ~50k synthetic chunks;
- peak RSS.
Then runs the other benchmarks in this folder (bench_*.py), each in its own process.

Targets (issue 2): indexing <= 1.2 x raw encode; unchanged re-index <= 5 % of a full index; search p95 <= 100 ms at 50k chunks.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.config import load_settings  # noqa: E402
from assistant.embeddings import get_embedder  # noqa: E402
from assistant.indexer import run_index  # noqa: E402
from assistant.lexical import LexicalIndex  # noqa: E402
from assistant.retrieval import Retriever  # noqa: E402


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    if not v:
        return 0.0
    i = min(len(v) - 1, max(0, int(round(p / 100 * (len(v) - 1)))))
    return v[i]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def queries() -> list[str]:
    out = []
    for f in sorted((ROOT / "evals" / "datasets").glob("retrieval_*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["question"])
    if not out:
        out = ["thời hạn giải quyết hồ sơ", "phông chữ văn bản hành chính", "lệ phí đăng ký khai sinh",
               "what may be pasted into an AI tool", "bao ve du lieu ca nhan"] * 20
    return out[:200]


def time_search(retriever: Retriever, qs: list[str]) -> tuple[float, float]:
    for q in qs[:5]:
        retriever.search(q)  # warm
    times = []
    for q in qs:
        t0 = time.perf_counter()
        retriever.search(q)
        times.append((time.perf_counter() - t0) * 1000)
    return pct(times, 50), pct(times, 95)


def synthetic(settings, base: Retriever, n: int, embedder) -> Retriever:
    """A store of ~n chunks: sentences of the corpus recombined, embeddings near real ones (random mixes + noise)."""
    import numpy as np

    from assistant.store import VectorStore

    rng = random.Random(7)
    nprng = np.random.default_rng(7)
    texts0 = base.lexical.texts
    got = base.store.collection.get(ids=base.lexical.ids, include=["embeddings"])
    emb0 = {i: np.asarray(e, dtype=np.float32) for i, e in zip(got["ids"], got["embeddings"])}
    vecs0 = np.stack([emb0[i] for i in base.lexical.ids])
    sentences = [s.strip() for t in texts0 for s in t.replace("\n", " ").split(".") if len(s.strip()) > 20]
    ids, texts, metas, vecs = [], [], [], []
    for j in range(n):
        a, b = rng.randrange(len(texts0)), rng.randrange(len(texts0))
        text = f"Tài liệu tổng hợp {j} › Điều {j % 90 + 1}\n" + ". ".join(rng.sample(sentences, 4))
        v = 0.7 * vecs0[a] + 0.3 * vecs0[b] + nprng.normal(0, 0.02, vecs0.shape[1]).astype(np.float32)
        ids.append(f"syn:{j:06d}")
        texts.append(text)
        metas.append({"source": f"syn/{j // 20:05d}.md", "article": str(j % 90 + 1), "title": f"Tài liệu tổng hợp {j // 20}",
                      "doc_type": "", "page": 0, "breadcrumb": text.split("\n")[0], "file_hash": "syn", "n_chunks": 20})
        vecs.append(v / np.linalg.norm(v))
    store = VectorStore(settings, embedder)
    t0 = time.perf_counter()
    store.upsert(ids, texts, metas, vecs)
    t_upsert = time.perf_counter() - t0
    t0 = time.perf_counter()
    LexicalIndex.build(ids, texts, metas).save(settings.store_dir)
    t_lex = time.perf_counter() - t0
    print(f"  synthetic store: {n} chunks written in {t_upsert:.1f} s (Chroma) + {t_lex:.1f} s (lexical index)")
    return Retriever(settings, embedder=embedder, store=store)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--synthetic", type=int, default=50_000, help="chunks in the large synthetic store")
    ap.add_argument("--only-core", action="store_true", help="skip the other bench_*.py scripts")
    args = ap.parse_args()
    embedder = get_embedder()
    _ = embedder.model  # load before timing
    work = Path(tempfile.mkdtemp(prefix="assistant-bench-"))
    settings = load_settings(env={}, env_file=None, corpus_dir=str(ROOT / "corpus"), store_dir=str(work / "store"),
                             data_dir=str(work / "data"))
    print(f"== core benchmark ({os.cpu_count()} cores) ==")
    # warm-up: a one-file index loads every library once, so the timing below is indexing work, not imports
    warm = work / "warm"
    warm.mkdir()
    (warm / "a.md").write_text("Điều 1. Khởi động\nNội dung.\n", encoding="utf-8")
    run_index(settings.with_(corpus_dir=str(warm), store_dir=str(work / "warm-store")), embedder=embedder)
    rep = run_index(settings, embedder=embedder)
    lex = LexicalIndex.load(settings.store_dir)
    texts = lex.texts
    t0 = time.perf_counter()
    embedder.encode(texts)
    raw = time.perf_counter() - t0
    print(f"full index: {rep.seconds:.2f} s for {rep.indexed} files, {rep.chunks} chunks ({rep.failed} failed)")
    print(f"raw SentenceTransformer.encode of the same {len(texts)} chunks: {raw:.2f} s (encode inside indexing: {rep.encode_seconds:.2f} s)")
    print(f"ratio index/raw encode: {rep.seconds / raw:.2f}  (target <= 1.2)")
    rep2 = run_index(settings, embedder=embedder)
    print(f"unchanged re-index: {rep2.seconds:.3f} s = {100 * rep2.seconds / rep.seconds:.1f} % of a full index  (target <= 5 %)")
    retr = Retriever(settings, embedder=embedder)
    qs = queries()
    p50, p95 = time_search(retr, qs)
    print(f"search at {retr.size} chunks ({len(qs)} queries, hybrid): p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    if args.synthetic:
        s2 = settings.with_(store_dir=str(work / "store-syn"), collection="synthetic")
        big = synthetic(s2, retr, args.synthetic, embedder)
        p50, p95 = time_search(big, qs)
        print(f"search at {big.size} chunks ({len(qs)} queries, hybrid): p50 {p50:.1f} ms, p95 {p95:.1f} ms  (target p95 <= 100 ms)")
    print(f"peak RSS: {rss_mb():.0f} MB")
    if not args.only_core:
        for other in sorted(Path(__file__).parent.glob("bench_*.py")):
            print(f"\n== {other.name} ==", flush=True)
            subprocess.run([sys.executable, str(other)], cwd=ROOT, check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
