"""The app's side of the library: sessions, caching and logging around the one answer pipeline.

``Services`` is loaded once per process (retriever, embedder, pipeline). Every answer — a question in
Ask, an exercise, a summary, an extraction, a question over a private upload, the named API — is a
:class:`~assistant.answer.types.Request` given to :meth:`Pipeline.stream`, the same function the CLI
calls. What this module adds belongs to the app only: a cache for identical first questions, the log
of every request (personal data redacted), links to the cited pages, and re-indexing.
"""
from __future__ import annotations

import copy
import importlib.util
import threading
import time
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

from assistant.answer.types import Request
from assistant.config import Settings
from assistant.messages import t
from assistant.ui.logs import get_logstore
from assistant.ui.results import AnswerCache, hit_row, to_dict

def has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _log_guard(guard: dict, private: bool) -> dict:
    """The guard decisions as logged: the redacted text of a private upload's passage is not kept."""
    if not private:
        return guard
    stages = [{k: v for k, v in st.items() if k != "redacted"} for st in guard.get("stages") or []]
    return dict(guard, stages=stages)


TERMS_VERSION = "2025-1"  # the terms of use a learner accepts before the first question (prompts/ui/shell.yaml)


class Services:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.logs = get_logstore(settings)
        self._index_lock = threading.Lock()
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
        from assistant.pipeline import get_pipeline

        return get_pipeline(self.settings)

    def new_private(self, session: str = ""):
        """An empty private index for one browser session (the same embedder and settings as the corpus)."""
        from assistant.ui.uploads import new_index

        return new_index(self.settings, self.embedder, session)

    def warm_up(self) -> None:
        """Load the models before the first trainee arrives."""
        try:
            self.retriever().search("khởi động", 1)
        except Exception:  # noqa: BLE001 - an empty store is reported in the UI
            self.embedder.encode_query(["khởi động"])
        for lang, text in (("vi", "Xin chào, đây là câu hỏi thử."), ("en", "Hello, this is a test question.")):
            try:  # the guard loads its rules lazily, per language
                self.guard(text, lang)
                self.ask(Request(text, lang=lang), log=False)
            except Exception:  # noqa: BLE001
                pass

    @property
    def backend_name(self) -> str:
        from assistant.engines import model_client

        client = model_client(self.settings)
        return "" if client is None else client.name

    # ------------------------------------------------------------ corpus
    def documents(self) -> list[tuple[str, str]]:
        """(label, source) of every indexed document, sorted by label."""
        try:
            return self.retriever().documents()
        except Exception:  # noqa: BLE001
            return []

    def corpus_status(self) -> dict:
        import json

        try:
            r = self.retriever()
            chunks, docs = r.size, len(r.documents())
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
        from assistant.sources import choose

        return choose(self.retriever(), private, scope).search(query, k or self.settings.top_k, sources=sources or None)

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

    # ------------------------------------------------------------ answers (streaming)
    def _cache_key(self, req: Request):
        if req.history or req.options or req.scope != "corpus":
            return None
        try:
            version = self.retriever().version
        except Exception:  # noqa: BLE001
            return None
        return (req.question.strip(), req.lang, tuple(sorted(req.sources or [])), req.task, version)

    # ------------------------------------------------------------ terms of use (checked here, for every face)
    def terms_ok(self, learner: str) -> bool:
        from assistant.progress import get_store

        return get_store(self.settings).terms_accepted(learner, TERMS_VERSION)

    def accept_terms(self, learner: str) -> None:
        from assistant.progress import get_store

        if learner:
            get_store(self.settings).accept_terms(learner, TERMS_VERSION)

    def _terms_refusal(self, lang: str) -> dict:
        return {"answer": t("ui.terms_required", lang), "citations": [], "abstained": True, "unsupported": [],
                "backend": "", "ms": 0.0, "hits": [], "prompt": "", "guard": {"decision": "allow", "stages": [],
                "findings": []}, "timings": {}, "terms_required": True, "lang": lang, "followups": []}

    def ask_stream(self, req: Request, who: dict | None = None, log: bool = True) -> Iterator[tuple[str, Any]]:
        """Yields (type, data): "status", "token", "sources", "guard", and "done" with the result dict
        (answer, citations, abstained, unsupported, backend, ms, hits, prompt, guard, timings, event_id …).

        A face that names the learner (``who["learner"]``) gets a refusal with the terms notice until
        that learner has accepted the terms of use; nothing reaches the pipeline before that."""
        t0 = time.perf_counter()
        who = who or {}
        if "learner" in who and not self.terms_ok(who["learner"]):
            yield "done", self._terms_refusal(req.lang or self.settings.lang)
            return
        if req.private is not None and req.private.expired(self.settings.upload_ttl_min):
            req.private.clear()
        key = self._cache_key(req)
        cached = self._cache.get(key) if key is not None else None
        if cached is not None:
            result = copy.deepcopy(cached)
            yield "sources", result.get("citations", [])
            yield "token", result.get("answer", "")
            result["ms"] = (time.perf_counter() - t0) * 1000
            result["timings"] = dict(result.get("timings") or {}, cached=1)
        else:
            result = {}
            for ev in self.pipeline().stream(req):
                if ev.type == "done":
                    result = self._result_dict(ev.data)
                else:
                    yield ev.type, to_dict(ev.data)
            for c in result.get("citations", []):
                c.setdefault("url", self.source_url(c.get("source", ""), c.get("page")))
            if key is not None and not result.get("error"):
                self._cache.put(key, copy.deepcopy(result))
        if log:
            result["event_id"] = self._log(req.task, req.question or "; ".join(req.sources or []), result.get("lang") or req.lang or "vi",
                                           result, who)
        yield "done", result

    def ask(self, req: Request, who: dict | None = None, log: bool = True) -> dict:
        result: dict = {}
        for typ, data in self.ask_stream(req, who=who, log=log):
            if typ == "done":
                result = data
        return result

    def _log(self, task: str, question: str, lang: str, result: dict, who: dict) -> int:
        """One log row, personal data redacted by the log store. An answer that used a private upload keeps
        the upload private: neither its text (answer, prompt, passages) nor its title is stored, only its
        file name and a hash of what was answered (the upload notice promises that nobody else sees it)."""
        hits, cits = result.get("hits", []), result.get("citations", [])
        answer, prompt = result.get("answer", ""), result.get("prompt", "")
        private = sorted({c.get("source", "") for c in [*cits, *hits] if c.get("private")
                          or str(c.get("source", "")).startswith("upload:")})
        if private:
            import hashlib

            digest = hashlib.sha256(answer.encode("utf-8")).hexdigest()[:16]
            answer = t("ui.private_answer_logged", lang, names=", ".join(p.removeprefix("upload:") for p in private),
                       hash=digest)
            prompt = ""
            hits = [{k: h.get(k) for k in ("rank", "score", "lexical", "dense", "source", "article", "page", "private")}
                    for h in hits]
        return self.logs.log_event(
            task if task != "qa" else "ask", session=who.get("session", ""), user=who.get("user", ""),
            role=who.get("role", ""), lang=lang, question=question, answer=answer,
            sources=[{k: c.get(k) for k in ("n", "source", "article", "page")} for c in cits],
            hits=hits, prompt=prompt, guard=_log_guard(result.get("guard") or {}, bool(private)),
            backend=result.get("backend", ""), ms=result["ms"], timings=result.get("timings") or {},
            abstained=bool(result.get("abstained")))

    @staticmethod
    def _result_dict(res) -> dict:
        """The pipeline's Result as a plain dict, internals (hits, prompt, guard) included."""
        d = dict(res.as_json())
        d["prompt"], d["timings"], d["query"] = res.prompt, res.timings, res.query
        by_id = {h.chunk_id: h for h in res.hits}
        d["hits"] = [hit_row(h) for h in res.hits]
        d["citations"] = [dict(c) for c in res.citations]
        for c in d["citations"]:
            h = by_id.get(c.get("chunk_id"))
            if "passage" not in c and h is not None:
                c["passage"] = h.passage
            if h is not None:
                c.setdefault("private", bool(h.metadata.get("private")))
        g = to_dict(res.guard)
        order = {"allow": 0, "warn": 1, "block": 2}
        decision = max((x.get("decision", "allow") for x in g), key=lambda x: order.get(x, 0), default="allow")
        d["guard"] = {"decision": decision, "stages": g, "findings": [f.get("type") for x in g for f in x.get("findings", [])]}
        return d

    # ------------------------------------------------------------ summarise / extract
    def summarize(self, source: str, length: str = "short", lang: str = "vi", private=None, table: bool = False,
                  who: dict | None = None) -> dict:
        """Summary (or extraction table) of one document, each point cited [n]: the same pipeline as Ask."""
        if not source:
            return {"answer": t("ui.choose_document", lang), "citations": [], "abstained": True}
        req = Request("", task="extract" if table else "summarize", lang=lang, sources=[source],
                      options={"length": length}, private=private, scope="both" if private is not None else "corpus")
        return self.ask(req, who=who)

    # ------------------------------------------------------------ drafting
    def draft(self, doc_type: str, fields: dict, lang: str = "vi", who: dict | None = None) -> dict:
        """{"ok", "markdown", "docx" (bytes), "error", "notes"} for one draft."""
        from assistant.drafting import DraftInputError, make_draft

        t0 = time.perf_counter()
        try:
            d = make_draft(doc_type, fields, self.settings, lang=lang)
        except DraftInputError as exc:  # every missing or malformed field, by its label in the form
            return {"ok": False, "error": exc.message(lang), "field": exc.field, "errors": exc.as_list(lang),
                    "error_obj": exc, "markdown": "", "docx": b""}
        ms = (time.perf_counter() - t0) * 1000
        who = who or {}
        self.logs.log_event("draft", session=who.get("session", ""), user=who.get("user", ""), role=who.get("role", ""),
                            lang=lang, question=doc_type + ": " + str(fields.get("subject", "")),
                            answer=d.markdown, backend=getattr(d, "body_source", ""), ms=ms)
        return {"ok": True, "markdown": d.markdown, "docx": d.to_docx_bytes(), "error": "",
                "notes": list(getattr(d, "notes", []) or []), "draft": d}

    # ------------------------------------------------------------ re-index
    def reindex(self, progress=None, lang: str = "vi") -> dict:
        """Index the corpus folder. An index built with another embedding model is rebuilt, and the
        summary says so (the trainer asked for a re-index; the vectors of two models never mix)."""
        from assistant.indexer import run_index
        from assistant.pipeline import forget_pipelines
        from assistant.retrieval import forget_retrievers
        from assistant.store import ModelMismatch

        if not self._index_lock.acquire(blocking=False):
            return {"busy": True}
        try:
            note = ""
            try:
                report = run_index(self.settings, progress=progress, embedder=self.embedder)
            except ModelMismatch as exc:
                report = run_index(self.settings, progress=progress, embedder=self.embedder, rebuild=True)
                note = t("index.rebuilt_model", lang, **exc.labels(lang)) + "\n\n"
            forget_retrievers()  # the next question opens the new index
            forget_pipelines()
            self._cache = AnswerCache(256)
            return dict(report.as_json(), busy=False, rebuilt=bool(note),
                        summary=note + t("index.summary", lang, indexed=report.indexed, unchanged=report.unchanged,
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
