"""The vector store: Chroma through langchain-chroma.

Embedded persistent store by default (``ASSISTANT_STORE_DIR``), a Chroma
server when ``ASSISTANT_CHROMA_HOST`` is set. The collection records the
embedding model it was built with; opening it with another model raises
:class:`ModelMismatch`, whose message tells the user to re-index.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from assistant.config import Settings
from assistant.embeddings import Embedder, describe_model
from assistant.messages import t

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


class StoreError(Exception):
    def __init__(self, code: str, **kw):
        self.code, self.kw = code, kw
        super().__init__(self.message("en"))

    def message(self, lang: str = "vi") -> str:
        return t(f"index.{self.code}", lang, **self.kw)


class ModelMismatch(StoreError):
    """The collection was built with another embedding model (``stored``) than the one in use (``current``)."""

    def __init__(self, **kw):
        super().__init__("model_mismatch", **kw)

    def labels(self, lang: str = "vi") -> dict:
        return {"stored_label": describe_model(self.kw.get("stored", ""), lang),
                "current_label": describe_model(self.kw.get("current", ""), lang)}

    def message(self, lang: str = "vi") -> str:
        return t("index.model_mismatch", lang, **self.labels(lang), **self.kw)


@dataclass
class DenseHit:
    id: str
    score: float  # cosine similarity, -1..1
    text: str
    metadata: dict


def make_client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    cs = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if settings.chroma_host:
        try:
            client = chromadb.HttpClient(host=settings.chroma_host, port=int(settings.chroma_port), settings=cs)
            client.heartbeat()
        except Exception as exc:  # noqa: BLE001 - connection errors come in many kinds
            raise StoreError("chroma_unreachable", host=settings.chroma_host, port=settings.chroma_port) from exc
        return client
    path = Path(settings.store_dir) / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=cs)


class VectorStore:
    def __init__(self, settings: Settings, embedder: Embedder, client=None):
        from langchain_chroma import Chroma

        self.settings = settings
        self.embedder = embedder
        self.client = client or make_client(settings)
        self.name = settings.collection
        existing = self._existing()
        if existing is not None:
            stored = (existing.metadata or {}).get("embedding_model")
            if stored and stored != embedder.name:
                raise ModelMismatch(collection=self.name, stored=stored, current=embedder.name)
        self.lc = Chroma(
            client=self.client,
            collection_name=self.name,
            embedding_function=embedder,
            collection_metadata={"embedding_model": embedder.name, "kind": "assistant-corpus"},
            collection_configuration={"hnsw": {"space": "cosine"}},
        )
        self.collection = self.lc._collection

    def _existing(self):
        try:
            names = [c if isinstance(c, str) else c.name for c in self.client.list_collections()]
        except Exception:  # noqa: BLE001
            names = []
        if self.name not in names:
            return None
        return self.client.get_collection(self.name)

    # ------------------------------------------------------------ writing
    def upsert(self, ids: list[str], texts: list[str], metadatas: list[dict], embeddings) -> None:
        step = 1000
        for i in range(0, len(ids), step):
            self.collection.upsert(
                ids=ids[i:i + step],
                documents=texts[i:i + step],
                metadatas=metadatas[i:i + step],
                embeddings=[list(map(float, v)) for v in embeddings[i:i + step]],
            )

    def delete_source(self, source: str) -> None:
        self.collection.delete(where={"source": source})

    def delete_ids(self, ids: list[str]) -> None:
        for i in range(0, len(ids), 1000):
            self.collection.delete(ids=ids[i:i + 1000])

    def reset(self) -> None:
        try:
            self.client.delete_collection(self.name)
        except Exception:  # noqa: BLE001 - absent is fine
            pass

    # ------------------------------------------------------------ reading
    def count(self) -> int:
        return self.collection.count()

    def all_metadata(self, include_documents: bool = False) -> tuple[list[str], list[dict], list[str]]:
        ids: list[str] = []
        metas: list[dict] = []
        docs: list[str] = []
        total = self.count()
        page = 5000
        include = ["metadatas", "documents"] if include_documents else ["metadatas"]
        for off in range(0, total, page):
            got = self.collection.get(include=include, limit=page, offset=off)
            ids.extend(got["ids"])
            metas.extend(got["metadatas"])
            if include_documents:
                docs.extend(got["documents"])
        return ids, metas, docs

    def all_ids(self) -> list[str]:
        ids: list[str] = []
        total = self.count()
        for off in range(0, total, 10000):
            ids.extend(self.collection.get(include=[], limit=10000, offset=off)["ids"])
        return ids

    def query(self, vector, k: int, where: dict | None = None) -> list[DenseHit]:
        res = self.collection.query(
            query_embeddings=[list(map(float, vector))],
            n_results=k,
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        hits = []
        for id_, doc, meta, dist in zip(res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0]):
            hits.append(DenseHit(id_, 1.0 - float(dist), doc, meta or {}))
        return hits
