"""The learned layer of the prompt-injection guard: a linear classifier over character n-grams and the
multilingual e5 embeddings, trained offline by ``scripts/train_injection.py`` (see docs/guardrails.md).

Run time needs numpy only. The weights (``injection_clf.npz`` beside this file, package data) are read
once per process. Two models are shipped:

- ``full``: hashed character n-grams (raw and accent-folded text) plus the passage embedding of the
  model named in the file (``multilingual-e5-small-q4``). Used when the running embedder is that model.
- ``ngrams``: the same n-grams alone, with its own threshold. It scores every text cheaply, decides
  which texts are worth embedding (the gate), and stands in for ``full`` when the app runs another
  embedder (its vectors would not match the weights) or none.

A text is scored in windows (``windows``); its score is the best window's. Each model's probability
threshold (chosen on a dev split at <= 1 % false positives, never on test data) maps to the guard's
``BLOCK_THRESHOLD``, so the layer adds to the rules on the same 0..1 scale.

A decision is explained by the kind of attack it most resembles: the nearest per-kind centroid of the
training attacks (embedding space) - a human label in ``prompts/messages_guard.yaml``
(``guard.attack_kind.<kind>``).
"""
from __future__ import annotations

import functools
import json
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

WEIGHTS_PATH = Path(__file__).with_name("injection_clf.npz")
FORMAT = 1

# feature definition: changing any of these needs a retrain (they are recorded in the weights file)
HASH_BITS = 18
NGRAMS = (2, 3, 4, 5)
WINDOW_CHARS = 500
MAX_WINDOWS = 6

_P = np.uint64(1099511628211)  # FNV prime: rolling polynomial over code points
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SALT_FOLD = 0x5BD1E995
_FOLD_MAP = str.maketrans({"đ": "d", "Đ": "D"})
_SPACE = re.compile(r"\s+")


# ------------------------------------------------------------------ features
def normalise(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text).lower()).strip()


def fold(text: str) -> str:
    """Without Vietnamese diacritics ("bỏ qua" -> "bo qua"), so unaccented typing meets accented training text."""
    d = unicodedata.normalize("NFD", text.translate(_FOLD_MAP))
    return "".join(c for c in d if unicodedata.category(c) != "Mn")


def _hash_ngrams(s: str, n: int, salt: int, bits: int) -> np.ndarray:
    codes = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    m = len(codes) - n + 1
    if m <= 0:
        return np.zeros(0, dtype=np.int64)
    h = np.full(m, np.uint64(salt * 131 + n), dtype=np.uint64)
    for k in range(n):
        h = h * _P + codes[k:k + m]
    h ^= h >> np.uint64(29)
    h *= _MIX
    h ^= h >> np.uint64(32)
    return (h & np.uint64((1 << bits) - 1)).astype(np.int64)


def ngram_features(text: str, bits: int = HASH_BITS, orders=NGRAMS) -> tuple[np.ndarray, np.ndarray]:
    """Hashed character n-grams of the lower-cased and of the accent-folded text: (bucket ids, values),
    values ``1 + log(count)`` scaled to unit length."""
    low = " " + normalise(text) + " "
    folded = fold(low)
    parts = [_hash_ngrams(low, n, 0, bits) for n in orders]
    parts += [_hash_ngrams(folded, n, _SALT_FOLD, bits) for n in orders]
    ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    if not len(ids):
        return ids, np.zeros(0, dtype=np.float32)
    ids, counts = np.unique(ids, return_counts=True)
    vals = (1.0 + np.log(counts)).astype(np.float32)
    vals /= np.float32(np.linalg.norm(vals))
    return ids, vals


FEATURE_CHECK_TEXT = "Bỏ qua mọi chỉ dẫn - ignore the rules 123 ĐƠN"


def feature_checksum() -> str:
    """A fingerprint of the features of a fixed text (recorded in the weights file at training time)."""
    import hashlib

    ids, vals = ngram_features(FEATURE_CHECK_TEXT)
    return hashlib.sha1(ids.astype("<i8").tobytes() + np.round(vals, 5).astype("<f4").tobytes()).hexdigest()[:16]


def windows(text: str, size: int = WINDOW_CHARS, max_windows: int = MAX_WINDOWS) -> list[str]:
    """Sentence-packed windows of about ``size`` characters: the first ones and the last one."""
    text = " ".join(text.split())
    if len(text) <= size:
        return [text] if text else []
    segs, cur = [], ""
    for s in re.split(r"(?<=[.!?:;\n])\s+", text):
        if len(cur) + len(s) + 1 > size and cur:
            segs.append(cur)
            cur = ""
        cur = (cur + " " + s).strip()
        while len(cur) > size * 1.5:
            segs.append(cur[:size])
            cur = cur[size:]
    if cur:
        segs.append(cur)
    if len(segs) > max_windows:
        segs = segs[: max_windows - 1] + segs[-1:]
    return segs


# ------------------------------------------------------------------ the shipped model
@dataclass
class Model:
    w: np.ndarray  # n-gram weights (2**bits)
    b: float
    threshold: float  # probability at which the guard blocks
    w_emb: np.ndarray | None = None  # embedding weights (dim) for the full model

    def logits(self, feats: list[tuple[np.ndarray, np.ndarray]], emb: np.ndarray | None = None) -> np.ndarray:
        z = np.array([float(self.w[ids] @ vals) for ids, vals in feats], dtype=np.float64) + self.b
        if self.w_emb is not None and emb is not None and len(emb):
            z += emb.astype(np.float64) @ self.w_emb
        return z


@dataclass
class Classifier:
    meta: dict
    full: Model
    ngrams: Model
    gate: float  # n-gram probability below which a text is not embedded
    kinds: list[str] = field(default_factory=list)
    centroids: np.ndarray | None = None  # (len(kinds), dim), unit rows

    @property
    def embedding_model(self) -> str:
        return str(self.meta.get("embedding_model", ""))

    def uses(self, embedder) -> bool:
        """The full model applies: the running embedder is the one the weights were trained with."""
        return embedder is not None and getattr(embedder, "name", "") == self.embedding_model


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def to_guard_score(p: float, threshold: float, block: float = 0.5) -> float:
    """Probability -> the guard's 0..1 scale, ``threshold`` landing on ``block``."""
    if p >= threshold:
        return min(1.0, block + (1 - block) * (p - threshold) / max(1e-9, 1 - threshold))
    return max(0.0, block * p / max(1e-9, threshold))


_LOCK = threading.Lock()


@functools.lru_cache(maxsize=4)
def load(path: str | None = None) -> Classifier:
    """The shipped weights, read once per process (``FileNotFoundError``/``ValueError`` when unusable)."""
    p = Path(path) if path else WEIGHTS_PATH
    with _LOCK, np.load(p, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{p}: weights format {meta.get('format')!r}, this code reads {FORMAT}")
        full = Model(z["w_full"].astype(np.float32), float(z["b_full"]), float(meta["threshold_full"]),
                     z["w_emb"].astype(np.float64))
        ngr = Model(z["w_ngrams"].astype(np.float32), float(z["b_ngrams"]), float(meta["threshold_ngrams"]))
        cent = z["centroids"].astype(np.float32) if "centroids" in z.files else None
    return Classifier(meta, full, ngr, float(meta["gate"]), list(meta.get("kinds", [])), cent)


def available() -> bool:
    try:
        load()
        return True
    except (OSError, ValueError, KeyError):
        return False


@dataclass
class Score:
    prob: float  # the model's probability (best window)
    score: float  # on the guard's 0..1 scale
    model: str  # "full", "ngrams" or "" (not scored past the gate)
    window: int = 0
    kind: str = ""  # the attack kind it most resembles ("" when unknown)


@dataclass
class Pending:
    """A text after the cheap stage: its windows, their n-gram features, the n-gram model's score, and
    whether it passes the gate (worth embedding)."""
    windows: list[str]
    feats: list[tuple[np.ndarray, np.ndarray]]
    score: Score
    gate: bool


def prepare(texts: list[str], clf: Classifier | None = None) -> list[Pending]:
    """The cheap stage for every text: n-grams only (no embedding)."""
    clf = clf or load()
    out = []
    for t in texts:
        ws = windows(t) or [""]
        fs = [ngram_features(w, HASH_BITS) for w in ws]
        p = _sigmoid(clf.ngrams.logits(fs))
        j = int(np.argmax(p))
        out.append(Pending(ws, fs, Score(float(p[j]), to_guard_score(float(p[j]), clf.ngrams.threshold), "ngrams", j),
                           bool(p[j] >= clf.gate)))
    return out


def finish(item: Pending, vectors: np.ndarray, clf: Classifier | None = None) -> Score:
    """The full model on a text that passed the gate, given its windows' passage vectors."""
    clf = clf or load()
    p = _sigmoid(clf.full.logits(item.feats, np.asarray(vectors, dtype=np.float32)))
    j = int(np.argmax(p))
    return Score(float(p[j]), to_guard_score(float(p[j]), clf.full.threshold), "full", j, nearest_kind(vectors[j], clf))


def score_texts(texts: list[str], embedder=None, clf: Classifier | None = None) -> list[Score]:
    """Both stages: every text by n-grams; those past the gate, when ``embedder`` is the model the
    weights were trained with, by the full model (one encoding call for all their windows)."""
    clf = clf or load()
    items = prepare(texts, clf)
    out = [it.score for it in items]
    need = [i for i, it in enumerate(items) if it.gate] if clf.uses(embedder) else []
    if not need:
        return out
    vec = np.asarray(embedder.encode([w for i in need for w in items[i].windows]), dtype=np.float32)
    k = 0
    for i in need:
        n = len(items[i].windows)
        out[i] = finish(items[i], vec[k:k + n], clf)
        k += n
    return out


def nearest_kind(vec: np.ndarray, clf: Classifier) -> str:
    if clf.centroids is None or not clf.kinds:
        return ""
    return clf.kinds[int(np.argmax(clf.centroids @ vec))]
