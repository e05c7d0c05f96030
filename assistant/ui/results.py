"""Answers as the app keeps them: plain dicts (for the UI, the API and the log) and a cache of first questions."""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import asdict, is_dataclass
from typing import Any


def to_dict(obj: Any) -> Any:
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    if isinstance(obj, dict):
        return {k: to_dict(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_dict(v) for v in obj]
    if hasattr(obj, "as_json"):
        try:
            return obj.as_json()
        except TypeError:
            pass
    if is_dataclass(obj):
        return to_dict(asdict(obj))
    return str(obj)


def hit_row(hit) -> dict:
    return {"rank": hit.rank, "score": round(float(hit.score), 4), "lexical": round(float(hit.lexical_score), 4),
            "dense": round(float(hit.dense_score), 4), "source": hit.source, "article": hit.article, "page": hit.page,
            "chunk_id": hit.chunk_id, "breadcrumb": hit.breadcrumb, "private": bool(hit.metadata.get("private"))}


class AnswerCache:
    """Answers to identical first questions (same words, language, documents, task, index version).

    A class working on the same exercise sends the same starting prompt dozens of times; the answer is
    deterministic for a given index, so it is computed once. Every request is still logged."""

    def __init__(self, size: int):
        self.size = size
        self._d: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            v = self._d.get(key)
            if v is not None:
                self._d.move_to_end(key)
            return v

    def put(self, key, value) -> None:
        with self._lock:
            self._d[key] = value
            self._d.move_to_end(key)
            while len(self._d) > self.size:
                self._d.popitem(last=False)
