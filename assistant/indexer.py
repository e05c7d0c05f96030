"""Index a corpus folder: load -> chunk -> embed -> store, incrementally and crash-safe.

Files are keyed by content hash. Every chunk records its file's hash and the
number of chunks the file has (``n_chunks``): a file is up to date only when
the store holds exactly that many chunks of that hash. Anything else (a new,
changed, half-written or deleted file) is cleared by source and written again,
so a run killed at any point (kill -9) and re-run leaves no duplicate and no
orphan chunk. The lexical index is rebuilt from the store whenever the set of
chunk ids changed, and written atomically.
"""
from __future__ import annotations

import json
import os
import signal
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from assistant.chunking import Chunk, Chunker
from assistant.config import Settings
from assistant.embeddings import Embedder, get_embedder
from assistant.lexical import LexicalIndex, fingerprint
from assistant.loaders import LoadError, file_hash, load_bytes, SUPPORTED
from assistant.store import VectorStore

IGNORED_NAMES = {"README.md", "README.txt", "LICENSE", ".gitkeep", ".DS_Store", "Thumbs.db"}


@dataclass
class IndexReport:
    indexed: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: int = 0
    chunks: int = 0
    seconds: float = 0.0
    errors: list[dict] = field(default_factory=list)
    encode_seconds: float = 0.0

    def as_json(self) -> dict:
        d = asdict(self)
        d["seconds"] = round(self.seconds, 3)
        d.pop("encode_seconds")
        return d

    @property
    def exit_code(self) -> int:
        return 3 if self.failed else 0


def scan(corpus: Path) -> list[Path]:
    """Every file under ``corpus`` except hidden ones and the folder's own README/LICENSE."""
    out = []
    for p in sorted(corpus.rglob("*")):
        rel = p.relative_to(corpus)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if p.is_file() and not (len(rel.parts) == 1 and p.name in IGNORED_NAMES):
            out.append(p)
    return out


def make_chunker(embedder: Embedder, settings: Settings) -> Chunker:
    limit = embedder.max_tokens
    max_tokens = min(settings.chunk_tokens, limit) if settings.chunk_tokens > 0 else limit
    return Chunker(embedder.count_tokens_batch, max_tokens=max_tokens)


def _crash(point: str) -> None:
    """Test hook: ``ASSISTANT_CRASH_AT=<point>`` kills this process with SIGKILL there (as kill -9 would)."""
    if os.environ.get("ASSISTANT_CRASH_AT") == point:
        os.kill(os.getpid(), signal.SIGKILL)


UPSERT_BATCH = 64


def _doc_guards(settings: Settings):
    """Document guards applied at index time (assistant.guard), unless switched off."""
    if settings.guards == "off":
        return None, None
    from assistant.guard import flag_chunks, scan_document

    return scan_document, flag_chunks


def prepare(data: bytes, source: str, fmt: str, settings: Settings, chunker: Chunker, path: str = "",
            lang: str | None = None) -> list[Chunk]:
    """load -> document guard -> chunk -> flag: the same steps for the corpus and for a private upload.

    Raises LoadError (unreadable, empty, scanned, encrypted …, or refused by the document guard)."""
    doc = load_bytes(data, source, fmt, path=path or source)
    scan_document, flag_chunks = _doc_guards(settings)
    if scan_document is not None:
        verdict = scan_document(doc, settings)
        if verdict is not None and verdict.refuse:
            raise LoadError(source, "refused", reason=verdict.reason(lang or settings.lang))
    chunks = chunker.chunk(doc)
    if flag_chunks is not None:
        flag_chunks(chunks, settings)
    return chunks


def run_index(
    settings: Settings,
    corpus: str | Path | None = None,
    rebuild: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
    embedder: Embedder | None = None,
) -> IndexReport:
    t0 = time.perf_counter()
    corpus = Path(corpus or settings.corpus_dir)
    report = IndexReport()
    if not corpus.is_dir():
        from assistant.store import StoreError

        raise StoreError("no_corpus", corpus=str(corpus))
    embedder = embedder or get_embedder(settings.embedding_model, settings.embedding_batch)
    if rebuild:
        from assistant.store import make_client

        client = make_client(settings)
        try:
            client.delete_collection(settings.collection)
        except Exception:  # noqa: BLE001
            pass
        store = VectorStore(settings, embedder, client=client)
    else:
        store = VectorStore(settings, embedder)
    chunker = make_chunker(embedder, settings)

    ids, metas, _ = store.all_metadata()
    have: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))  # source -> hash -> count
    expected: dict[tuple[str, str], int] = {}
    for m in metas:
        have[m["source"]][m["file_hash"]] += 1
        expected[(m["source"], m["file_hash"])] = int(m.get("n_chunks", -1))

    files = scan(corpus)
    on_disk = {p.relative_to(corpus).as_posix(): p for p in files}
    changed = False

    # deleted files
    for source in list(have):
        if source not in on_disk:
            store.delete_source(source)
            report.removed += 1
            changed = True

    pending: list[tuple[str, list[Chunk]]] = []
    pending_n = 0

    def flush():
        nonlocal pending, pending_n
        if not pending:
            return
        texts = [c.text for _, chunks in pending for c in chunks]
        te = time.perf_counter()
        vectors = embedder.encode_passage(texts)
        report.encode_seconds += time.perf_counter() - te
        # clear every pending file's old chunks, then write all new chunks in large batches;
        # a file counts as complete only when all its n_chunks are stored, so a kill anywhere is safe
        for source, _ in pending:
            store.delete_source(source)
        _crash("after_delete")
        all_chunks = [c for _, chunks in pending for c in chunks]
        for b in range(0, len(all_chunks), UPSERT_BATCH):
            part = all_chunks[b:b + UPSERT_BATCH]
            store.upsert([c.id for c in part], [c.text for c in part], [c.metadata for c in part], vectors[b:b + UPSERT_BATCH])
            _crash("mid_upsert")
        report.indexed += len(pending)
        _crash("after_file")
        pending, pending_n = [], 0

    total = len(files)
    for n, (source, path) in enumerate(on_disk.items(), start=1):
        if progress:
            progress(n, total, source)
        try:
            data = path.read_bytes() if path.stat().st_size <= settings.max_file_mb * 1024 * 1024 else None
        except OSError as exc:
            report.failed += 1
            report.errors.append({"path": source, "error": str(exc), "code": "unreadable"})
            continue
        h = file_hash(data) if data is not None else None
        hashes = have.get(source, {})
        if h is not None and set(hashes) == {h} and hashes[h] == expected.get((source, h)):
            report.unchanged += 1
            continue
        try:
            from assistant.loaders import load_file

            if data is None:
                load_file(path, corpus, max_mb=settings.max_file_mb)  # raises too_large
            fmt = SUPPORTED.get(path.suffix.lower())
            if fmt is None:
                load_file(path, corpus, max_mb=settings.max_file_mb)  # raises unsupported
            chunks = prepare(data, source, fmt, settings, chunker, path=str(path))
        except LoadError as exc:
            report.failed += 1
            report.errors.append({"path": source, "error": exc.message(settings.lang), "code": exc.code})
            if hashes:
                store.delete_source(source)
                changed = True
            continue
        pending.append((source, chunks))
        pending_n += len(chunks)
        changed = True
        if pending_n >= 1024:
            flush()
    flush()

    _crash("before_lexical")
    report.chunks = store.count()
    # lexical index: rebuild when the chunk set differs from what is on disk
    ids, metas, docs = store.all_metadata(include_documents=True)
    if changed or LexicalIndex.stored_fingerprint(settings.store_dir) != fingerprint(ids):
        LexicalIndex.build(ids, docs, metas).save(settings.store_dir)
    report.seconds = time.perf_counter() - t0
    try:
        status = Path(settings.store_dir) / "last_index.json"
        status.parent.mkdir(parents=True, exist_ok=True)
        status.write_text(json.dumps(dict(report.as_json(), finished=time.time()), ensure_ascii=False, indent=1))
    except OSError:
        pass
    return report
