"""The functions behind both the UI and the named API: ask, search, guard, summarise, draft.

Loaded once per process (retriever, embedder, pipeline). The answer engine is
``assistant.pipeline`` when it is installed; until then (and for questions over
a trainee's private files, which the shared pipeline does not see) a small
extractive engine quotes the best passages with [n] citations, never inventing.
"""
from __future__ import annotations

import copy
import importlib.util
from collections import OrderedDict
import re
import threading
import time
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

from assistant.config import Settings
from assistant.messages import t
from assistant.ui.logs import get_logstore

_SENT = re.compile(r"(?<=[.!?;:])\s+(?=[A-ZĐÀ-Ỹ0-9\"“(])")


def has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


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


def sentences(text: str) -> list[str]:
    out = []
    for para in text.split("\n"):
        para = para.strip()
        if para:
            out += [s.strip() for s in _SENT.split(para) if s.strip()]
    return out


_HEADING = re.compile(r"^(#+\s|(Điều|Article|Chương|Chapter|Mục|Section)\s+\w+\.?\s*[^.]{0,80}$)", re.I)


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def best_sentences(passage: str, query: str, n: int = 2, limit: int = 500) -> str:
    """The ``n`` sentences of a passage sharing most words with the query, in passage order (headings skipped)."""
    sents = [x for x in sentences(passage) if not _HEADING.match(x) and len(x.split()) >= 4]
    if not sents:  # a heading-only passage has nothing to quote
        return ""
    q = _words(query)
    ranked = sorted(range(len(sents)), key=lambda i: (-len(q & _words(sents[i])), i))[:n]
    return " ".join(sents[i] for i in sorted(ranked))[:limit]


def citation(n: int, hit) -> dict:
    return {"n": n, "source": hit.source, "title": hit.title, "article": hit.article, "page": hit.page,
            "chunk_id": hit.chunk_id, "breadcrumb": hit.breadcrumb, "passage": hit.passage,
            "private": bool(hit.metadata.get("private"))}


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


class Services:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.logs = get_logstore(settings)
        self._index_lock = threading.Lock()
        self._pipeline = None
        self._cache = AnswerCache(256)

    # ------------------------------------------------------------ resources (once per process)
    @property
    def embedder(self):
        from assistant.embeddings import get_embedder

        return get_embedder(self.settings.embedding_model, self.settings.embedding_batch)

    def retriever(self):
        from assistant.retrieval import get_retriever

        return get_retriever(self.settings)

    def pipeline(self):
        if self._pipeline is None and has_module("assistant.pipeline"):
            from assistant.pipeline import get_pipeline

            self._pipeline = get_pipeline(self.settings)
        return self._pipeline

    def warm_up(self) -> None:
        """Load the models before the first trainee arrives."""
        try:
            self.retriever().search("khởi động", 1)
        except Exception:  # noqa: BLE001 - an empty store is reported in the UI
            self.embedder.encode(["khởi động"])
        try:
            self.pipeline()
        except Exception:  # noqa: BLE001
            self._pipeline = None
        for lang, text in (("vi", "Xin chào, đây là câu hỏi thử."), ("en", "Hello, this is a test question.")):
            try:  # the guard loads its rules lazily, per language
                self.guard(text, lang)
                self.ask(text, lang=lang, log=False)
            except Exception:  # noqa: BLE001
                pass

    @property
    def backend_name(self) -> str:
        s = self.settings
        if s.backend == "offline":
            return ""
        return s.llm_model or s.backend

    # ------------------------------------------------------------ corpus
    def documents(self) -> list[tuple[str, str]]:
        """(label, source) of every indexed document, sorted by label."""
        try:
            lex = self.retriever().lexical
        except Exception:  # noqa: BLE001
            return []
        seen: dict[str, str] = {}
        for m in lex.metadatas:
            src = m.get("source", "")
            if src and src not in seen:
                title = m.get("title") or Path(src).stem
                seen[src] = f"{title} ({src})" if title != src else src
        return sorted(((label, src) for src, label in seen.items()), key=lambda x: x[0].lower())

    def corpus_status(self) -> dict:
        import json

        try:
            r = self.retriever()
            chunks, docs = r.size, len({m.get("source") for m in r.lexical.metadatas})
        except Exception:  # noqa: BLE001
            chunks, docs = 0, 0
        last = None
        p = Path(self.settings.store_dir) / "last_index.json"
        if p.is_file():
            try:
                last = json.loads(p.read_text(encoding="utf-8"))
            except ValueError:
                last = None
        return {"documents": docs, "chunks": chunks, "last": last}

    def source_url(self, source: str, page: int | None = None) -> str | None:
        """Link that opens a corpus file (served through gradio's allowed_paths), at ``page`` for PDFs."""
        if not source or source.startswith("upload:"):
            return None
        path = (Path(self.settings.corpus_dir) / source).resolve()
        if not path.is_file():
            return None
        url = "/gradio_api/file=" + quote(str(path))
        if page and path.suffix.lower() == ".pdf":
            url += f"#page={int(page)}"
        return url

    # ------------------------------------------------------------ search
    def search(self, query: str, k: int | None = None, sources: list[str] | None = None, private=None,
               scope: str = "corpus") -> list:
        k = k or self.settings.top_k
        hits = []
        if scope in ("corpus", "both"):
            try:
                hits = list(self.retriever().search(query, k, sources=sources or None))
            except Exception:  # noqa: BLE001 - no index yet: private files may still answer
                if scope == "corpus":
                    raise
        if scope in ("both", "private") and private is not None and not private.empty:
            hits += private.search(query, k, embedder=self.embedder)
        hits.sort(key=lambda h: -h.score)
        hits = hits[:k]
        for r, h in enumerate(hits, start=1):
            h.rank = r
        return hits

    # ------------------------------------------------------------ guard
    def guard(self, text: str, lang: str = "vi"):
        from assistant.guard import check_input

        return check_input(text, self.settings, lang)

    def guard_json(self, text: str, lang: str = "vi") -> dict:
        g = self.guard(text, lang)
        d = g.as_json(lang)
        d["explanation"] = g.reason(lang)
        d["findings_detail"] = [dict(f.as_json(lang), text=text[f.start:f.end]) for f in g.findings]
        return d

    # ------------------------------------------------------------ ask (streaming)
    def ask_stream(self, question: str, lang: str = "vi", history: list | None = None, sources: list[str] | None = None,
                   private=None, scope: str = "corpus", task: str = "qa", options: dict | None = None,
                   who: dict | None = None, log: bool = True) -> Iterator[tuple[str, Any]]:
        """Yields (type, data): "status" text, "token" text, "sources" citations, "guard" dict, "done" result dict.

        The result dict: answer, citations, abstained, unsupported, backend, ms, hits, prompt, guard, timings, event_id.
        """
        t0 = time.perf_counter()
        who = who or {}
        key = None
        if scope != "private" and not history and not options and (private is None or private.empty or scope == "corpus"):
            key = (question.strip(), lang, tuple(sorted(sources or [])), task, self._corpus_version())
            cached = self._cache.get(key)
            if cached is not None:
                result = copy.deepcopy(cached)
                yield "sources", result.get("citations", [])
                yield "token", result.get("answer", "")
                result["ms"] = (time.perf_counter() - t0) * 1000
                result["timings"] = dict(result.get("timings") or {}, cached=1)
                if log:
                    result["event_id"] = self._log(task, question, lang, result, who)
                yield "done", result
                return
        use_private = scope == "private" or (scope == "both" and private is not None and not private.empty)
        pipe = None
        if not use_private:
            try:
                pipe = self.pipeline()
            except Exception:  # noqa: BLE001 - fall back to the extractive engine
                pipe = None
        result: dict | None = None
        if pipe is not None:
            from assistant.pipeline import Request

            req = Request(question, task=task, lang=lang, history=history or [], sources=sources or None,
                          options=options or {})
            for ev in pipe.stream(req):
                if ev.type == "done":
                    result = self._result_dict(ev.data)
                else:
                    yield ev.type, to_dict(ev.data)
        else:
            yield "status", t("ui.searching", lang)
            result = self._extractive(question, lang, sources, private, scope)
            if result.get("citations"):
                yield "sources", result["citations"]
            if result.get("answer"):
                yield "token", result["answer"]
        result["ms"] = result.get("ms") or (time.perf_counter() - t0) * 1000
        for c in result.get("citations", []):
            c.setdefault("url", self.source_url(c.get("source", ""), c.get("page")))
        if key is not None and not result.get("error"):
            self._cache.put(key, copy.deepcopy(result))
        if log:
            result["event_id"] = self._log(task, question, lang, result, who)
        yield "done", result

    def _log(self, task: str, question: str, lang: str, result: dict, who: dict) -> int:
        return self.logs.log_event(
            task if task != "qa" else "ask", session=who.get("session", ""), user=who.get("user", ""),
            role=who.get("role", ""), lang=lang, question=question, answer=result.get("answer", ""),
            sources=[{k: c.get(k) for k in ("n", "source", "article", "page")} for c in result.get("citations", [])],
            hits=result.get("hits", []), prompt=result.get("prompt", ""), guard=result.get("guard") or {},
            backend=result.get("backend", ""), ms=result["ms"], timings=result.get("timings") or {},
            abstained=bool(result.get("abstained")))

    def _corpus_version(self) -> str:
        try:
            return self.retriever().lexical.fp
        except Exception:  # noqa: BLE001
            return ""

    def ask(self, question: str, **kw) -> dict:
        result: dict = {}
        for typ, data in self.ask_stream(question, **kw):
            if typ == "done":
                result = data
        return result

    def _result_dict(self, res: Any) -> dict:
        """The pipeline's Result as a plain dict, internals (hits, prompt, guard) included."""
        if isinstance(res, dict):
            d = dict(res)
        else:
            d = dict(res.as_json()) if hasattr(res, "as_json") else {"answer": str(res)}
            for k in ("prompt", "timings", "query"):
                if hasattr(res, k):
                    d[k] = getattr(res, k)
            d["guard"] = to_dict(getattr(res, "guard", []))
        hits = getattr(res, "hits", None) or d.get("hits") or []
        d["hits"] = [hit_row(h) if hasattr(h, "chunk_id") else h for h in hits]
        by_id = {h.chunk_id: h for h in hits if hasattr(h, "chunk_id")}
        d.setdefault("answer", "")
        d["citations"] = [dict(c) for c in d.get("citations") or []]
        d.setdefault("unsupported", [])
        for c in d["citations"]:
            h = by_id.get(c.get("chunk_id"))
            if "passage" not in c and h is not None:
                c["passage"] = h.passage
        g = d.get("guard")
        if isinstance(g, list):  # one entry per guard stage: keep the strictest decision
            order = {"allow": 0, "warn": 1, "block": 2}
            decision = max((x.get("decision", "allow") for x in g), key=lambda x: order.get(x, 0), default="allow")
            d["guard"] = {"decision": decision, "stages": g,
                          "findings": [f.get("type") for x in g for f in x.get("findings", [])]}
        return d

    def _extractive(self, question: str, lang: str, sources, private, scope: str) -> dict:
        """Offline answer: the best passages quoted with [n]; abstains when nothing matches."""
        base = {"answer": "", "citations": [], "abstained": False, "unsupported": [], "backend": "offline",
                "hits": [], "prompt": "", "guard": {}, "timings": {}}
        if not question.strip():
            return dict(base, answer=t("ui.empty_question", lang), abstained=True)
        g = None
        if self.settings.guards != "off":
            g = self.guard(question, lang)
            base["guard"] = {"decision": g.decision, "findings": [f.type for f in g.findings]}
            if g.blocked:
                return dict(base, answer=t("ui.blocked", lang, reason=g.reason(lang)), abstained=True)
        query = g.redacted if g is not None and g.redacted else question
        if scope == "private" and (private is None or private.empty):
            return dict(base, answer=t("ui.no_private", lang), abstained=True)
        t1 = time.perf_counter()
        try:
            hits = self.search(query, self.settings.top_k, sources, private, scope)
        except Exception:  # noqa: BLE001 - StoreError and friends
            return dict(base, answer=t("ui.no_index", lang), abstained=True)
        base["timings"] = {"retrieval_ms": round((time.perf_counter() - t1) * 1000, 1)}
        base["hits"] = [hit_row(h) for h in hits]
        good = [h for h in hits if h.lexical_score > 0 or h.dense_score > 0.35]
        if not good:
            return dict(base, answer=t("ui.no_answer", lang), abstained=True)
        quotes = [(h, best_sentences(h.passage, query)) for h in good]
        top = [(h, q) for h, q in quotes if q][:3]
        if not top:
            return dict(base, answer=t("ui.no_answer", lang), abstained=True)
        lines = [t("ui.offline_intro", lang)]
        cits = []
        for n, (h, quote_) in enumerate(top, start=1):
            lines.append(f"- **{h.breadcrumb}**: {quote_} [{n}]")
            cits.append(citation(n, h))
        if g is not None and g.decision == "warn":
            lines.insert(0, t("ui.warned", lang, reason=g.reason(lang)))
        base["prompt"] = "\n\n".join(f"[{c['n']}] {c['breadcrumb']}\n{c['passage']}" for c in cits) + "\n\n" + query
        return dict(base, answer="\n".join(lines), citations=cits)

    # ------------------------------------------------------------ summarise / extract
    def doc_chunks(self, source: str, private=None) -> list[tuple[str, dict]]:
        if source.startswith("upload:") and private is not None:
            return private.chunks_of(source[len("upload:"):])
        lex = self.retriever().lexical
        rows = [(tx, m) for tx, m in zip(lex.texts, lex.metadatas) if m.get("source") == source]
        rows.sort(key=lambda r: int(r[1].get("chunk_index", 0)))
        return rows

    def summarize(self, source: str, length: str = "short", lang: str = "vi", private=None, table: bool = False,
                  who: dict | None = None) -> dict:
        """Summary (or extraction table) of one document, each point cited [n]."""
        from assistant.chunking import passage

        t0 = time.perf_counter()
        n_points = {"short": 3, "medium": 6, "long": 10}.get(length, 3)
        rows = self.doc_chunks(source, private) if source else []
        if not rows:
            return {"answer": t("ui.choose_document", lang), "citations": [], "abstained": True}
        pipe = self.pipeline()
        if pipe is not None:
            opts = {"length": length}
            private_doc = source.startswith("upload:")
            if private_doc:
                opts["text"] = "\n\n".join(passage(tx) for tx, _ in rows)
            return self.ask(t("ui.followup_doc", lang, doc=rows[0][1].get("title") or source), lang=lang,
                            sources=None if private_doc else [source], task="extract" if table else "summarize",
                            options=opts, who=who)
        articles = [r for r in rows if r[1].get("article")] or rows
        step = max(1, len(articles) // n_points) if len(articles) > n_points else 1
        picked = articles[::step][:n_points]
        title = rows[0][1].get("title") or source
        cits, lines = [], []
        if table:
            lines = [t("ui.table_head", lang), "|---|---|---|---|"]
        else:
            lines = [t("ui.summary_head", lang, title=title)]
        for n, (text, meta) in enumerate(picked, start=1):
            body = passage(text)
            sents = sentences(body)
            head = meta.get("article_title") or ""
            first = next((s for s in sents if not s.lower().startswith(("điều", "article"))), sents[0] if sents else "")
            first = first[:300]
            art = meta.get("article") or ""
            art_label = (("Điều " if lang == "vi" else "Article ") + art) if art else ""
            if table:
                lines.append(f"| {art_label} {head} | {first} | {meta.get('page') or ''} | [{n}] |".replace("\n", " "))
            else:
                lead = f"**{art_label}{' — ' + head if head else ''}**: " if art_label else ""
                lines.append(f"- {lead}{first} [{n}]")
            cits.append({"n": n, "source": meta.get("source", source), "title": meta.get("title", ""), "article": art,
                         "page": meta.get("page") or None, "chunk_id": meta.get("chunk_id", ""),
                         "breadcrumb": meta.get("breadcrumb", ""), "passage": body, "private": bool(meta.get("private"))})
        for c in cits:
            c["url"] = self.source_url(c["source"], c["page"])
        ms = (time.perf_counter() - t0) * 1000
        res = {"answer": "\n".join(lines), "citations": cits, "abstained": False, "unsupported": [], "backend": "offline",
               "ms": ms, "hits": [], "prompt": "", "guard": {}, "timings": {}}
        who = who or {}
        res["event_id"] = self.logs.log_event("extract" if table else "summarize", session=who.get("session", ""),
                                              user=who.get("user", ""), role=who.get("role", ""), lang=lang,
                                              question=source, answer=res["answer"],
                                              sources=[{"n": c["n"], "source": c["source"], "article": c["article"],
                                                        "page": c["page"]} for c in cits], backend="offline", ms=ms)
        return res

    # ------------------------------------------------------------ drafting
    def draft(self, doc_type: str, fields: dict, lang: str = "vi", who: dict | None = None) -> dict:
        """{"ok", "markdown", "docx" (bytes), "error", "notes"} for one draft."""
        from assistant.drafting import DraftInputError, make_draft

        t0 = time.perf_counter()
        try:
            d = make_draft(doc_type, fields, self.settings, lang=lang)
        except DraftInputError as exc:
            return {"ok": False, "error": exc.message(lang), "field": exc.field, "markdown": "", "docx": b""}
        ms = (time.perf_counter() - t0) * 1000
        who = who or {}
        self.logs.log_event("draft", session=who.get("session", ""), user=who.get("user", ""), role=who.get("role", ""),
                            lang=lang, question=doc_type + ": " + str(fields.get("subject", "")),
                            answer=d.markdown, backend=getattr(d, "body_source", ""), ms=ms)
        return {"ok": True, "markdown": d.markdown, "docx": d.to_docx_bytes(), "error": "",
                "notes": list(getattr(d, "notes", []) or [])}

    # ------------------------------------------------------------ re-index
    def reindex(self, progress=None, lang: str = "vi") -> dict:
        from assistant.indexer import run_index

        if not self._index_lock.acquire(blocking=False):
            return {"busy": True}
        try:
            report = run_index(self.settings, progress=progress, embedder=self.embedder)
            self.retriever().reload()
            return dict(report.as_json(), busy=False,
                        summary=t("index.summary", lang, indexed=report.indexed, unchanged=report.unchanged,
                                  removed=report.removed, failed=report.failed, chunks=report.chunks,
                                  seconds=f"{report.seconds:.1f}"))
        finally:
            self._index_lock.release()


_SERVICES: dict[int, Services] = {}


def get_services(settings: Settings) -> Services:
    key = hash(settings)
    if key not in _SERVICES:
        _SERVICES[key] = Services(settings)
    return _SERVICES[key]
