"""The lexical index: BM25 (bm25s) over Vietnamese-aware tokens.

Built at index time from every chunk in the vector store and persisted beside
it (``<store>/lexical``); loaded once per process, never rebuilt per query.
It also keeps each chunk's text and metadata, so a lexical hit needs no
round trip to the vector store. A fingerprint of the chunk ids tells whether
it matches the vector store.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from assistant.textnorm import TOKENS_VERSION, tokens

DIRNAME = "lexical"


def fingerprint(ids: list[str]) -> str:
    h = hashlib.sha1(f"tokens-v{TOKENS_VERSION}\n".encode())
    for i in sorted(ids):
        h.update(i.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


class LexicalIndex:
    def __init__(self, ids: list[str], texts: list[str], metadatas: list[dict], bm25=None, fp: str | None = None):
        self.ids = ids
        self.texts = texts
        self.metadatas = metadatas
        self.fp = fp or fingerprint(ids)
        self.bm25 = bm25
        self._pos = {id_: i for i, id_ in enumerate(ids)}
        self._sources = np.array([m.get("source", "") for m in metadatas], dtype=object)
        self._types = np.array([m.get("doc_type", "") for m in metadatas], dtype=object)
        self.english = np.array([m.get("lang") == "en" for m in metadatas], dtype=bool)

    # ------------------------------------------------------------ build / save / load
    @classmethod
    def build(cls, ids: list[str], texts: list[str], metadatas: list[dict]) -> "LexicalIndex":
        import bm25s

        bm25 = None
        if ids:
            bm25 = bm25s.BM25(k1=1.2, b=0.75)
            bm25.index([tokens(t, english=m.get("lang") == "en") or ["\u2205"] for t, m in zip(texts, metadatas)],
                       show_progress=False)
        return cls(ids, texts, metadatas, bm25)

    def save(self, store_dir: str | Path) -> Path:
        """Write atomically: a temporary folder renamed over the old one."""
        store_dir = Path(store_dir)
        store_dir.mkdir(parents=True, exist_ok=True)
        final = store_dir / DIRNAME
        tmp = Path(tempfile.mkdtemp(prefix=".lexical-", dir=store_dir))
        if self.bm25 is not None:
            self.bm25.save(str(tmp / "bm25"), show_progress=False)
        with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as f:
            for id_, text, meta in zip(self.ids, self.texts, self.metadatas):
                f.write(json.dumps({"id": id_, "text": text, "meta": meta}, ensure_ascii=False) + "\n")
        (tmp / "fingerprint.json").write_text(json.dumps({"fingerprint": self.fp, "n": len(self.ids)}))
        old = store_dir / (".lexical-old-" + os.urandom(4).hex())
        if final.exists():
            final.rename(old)
        tmp.rename(final)
        shutil.rmtree(old, ignore_errors=True)
        return final

    @staticmethod
    def stored_fingerprint(store_dir: str | Path) -> str | None:
        p = Path(store_dir) / DIRNAME / "fingerprint.json"
        if not p.is_file():
            return None
        try:
            return json.loads(p.read_text())["fingerprint"]
        except (ValueError, KeyError):
            return None

    @classmethod
    def load(cls, store_dir: str | Path) -> "LexicalIndex | None":
        import bm25s

        d = Path(store_dir) / DIRNAME
        if not (d / "fingerprint.json").is_file():
            return None
        ids, texts, metas = [], [], []
        with open(d / "chunks.jsonl", encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                ids.append(row["id"])
                texts.append(row["text"])
                metas.append(row["meta"])
        bm25 = bm25s.BM25.load(str(d / "bm25"), load_vocab=True, show_progress=False) if (d / "bm25").exists() else None
        return cls(ids, texts, metas, bm25, json.loads((d / "fingerprint.json").read_text())["fingerprint"])

    # ------------------------------------------------------------ search
    def mask(self, sources: list[str] | None = None, doc_types: list[str] | None = None) -> np.ndarray | None:
        if not sources and not doc_types:
            return None
        m = np.ones(len(self.ids), dtype=bool)
        if sources:
            m &= np.isin(self._sources, list(sources))
        if doc_types:
            m &= np.isin(self._types, list(doc_types))
        return m

    def scores(self, query: str, english: bool = False) -> np.ndarray:
        """BM25 of every chunk; ``english``: the query's words are stemmed, as English chunks' are."""
        if self.bm25 is None:
            return np.zeros(0, dtype=np.float32)
        toks = [tok for tok in tokens(query, english) if tok in self.bm25.vocab_dict]
        if not toks:
            return np.zeros(len(self.ids), dtype=np.float32)
        # weight each distinct token once (queries repeat syllables rarely; duplicates would double-count)
        toks = list(dict.fromkeys(toks))
        return np.asarray(self.bm25.get_scores(toks), dtype=np.float32)

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        s = self.scores(query)
        if s.size == 0:
            return []
        if mask is not None:
            s = np.where(mask, s, 0.0)
        k = min(k, s.size)
        top = np.argpartition(-s, k - 1)[:k]
        top = top[np.argsort(-s[top], kind="stable")]
        return [(int(i), float(s[i])) for i in top if s[i] > 0]

    def position(self, id_: str) -> int | None:
        return self._pos.get(id_)


# ---------------------------------------------------------------- a question's scores
def lexical_scores(lex: LexicalIndex, query: str, mask: np.ndarray | None = None) -> np.ndarray:
    """BM25 of every chunk for this question (0 outside ``mask``).

    An English question is matched in two ways: English passages by its own words, stemmed as theirs are;
    Vietnamese passages by the question widened with the glossary's Vietnamese terms. The two scores come from
    different words (a glossary term adds several syllable tokens), so each language's scores are scaled to
    the same best; otherwise the translation's extra tokens ranked any Vietnamese passage above the English
    one that answers (dev: English R@5 0.812 -> 0.875, MRR@10 0.629 -> 0.678; docs/retrieval.md)."""
    from assistant.retrieval import query_lang

    if query_lang(query) != "en":
        got = lex.scores(query)
    else:
        got = lex.scores(lexical_query(query))
        en = lex.english
        if got.size and en.any():
            got = np.where(en, lex.scores(query, english=True), got)
            inside = np.ones(got.size, dtype=bool) if mask is None else mask
            best_en = float(got[en & inside].max(initial=0.0))
            best_vi = float(got[~en & inside].max(initial=0.0))
            top = max(best_en, best_vi)
            if best_en > 0 and best_vi > 0:
                got = np.where(en, got * (top / best_en), got * (top / best_vi)).astype(np.float32)
    if mask is not None and got.size:
        got = np.where(mask, got, 0.0)
    return got


def lexical_query(query: str) -> str:
    """An English question over Vietnamese documents: widened with the glossary's Vietnamese terms."""
    from assistant.glossary import expand_en
    from assistant.retrieval import query_lang

    return f"{query} {expand_en(query)}" if query_lang(query) == "en" else query
