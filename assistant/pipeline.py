"""The answer pipeline used by the app and the CLI.

input guard -> follow-up rewriting -> retrieval -> abstention check ->
prompt assembly (token budget) -> generation (streaming; offline engine or
any OpenAI-compatible server) -> citation check -> output guard -> Result.

``Pipeline.stream`` yields typed events (status, sources, token, guard,
done); the last one is "done" with the Result. Tokens are the answer as it
is produced; the citation check may then remove invented [n] markers, so a
UI should replace the streamed text by ``Result.answer`` at "done".
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Iterator

from assistant.answer import citations as cite
from assistant.answer import followup, offline
from assistant.answer.prompting import ContextTooSmall, assemble, load_template
from assistant.answer.relevance import relevance
from assistant.answer.text import doc_freq
from assistant.llm import LLMError, check_server, classify, make_llm
from assistant.messages import t

TASKS = ("qa", "summarize", "plain_language", "extract")
_ABSTAIN_PHRASES = re.compile(r"không có thông tin này|không chứa (?:câu trả lời|thông tin)|do not contain this information|"
                              r"do not contain the answer", re.I)


@dataclass
class Event:
    type: str  # "status" | "token" | "sources" | "guard" | "done"
    data: Any


@dataclass
class Request:
    question: str
    task: str = "qa"  # qa | summarize | plain_language | extract
    lang: str | None = None  # None = detect from the question
    history: list = field(default_factory=list)  # [(user, assistant), ...]
    sources: list[str] | None = None  # restrict to these corpus documents
    options: dict = field(default_factory=dict)  # {"length": "short"|"medium"|"long"}, {"text": "..."}, {"articles": [...]}


@dataclass
class Result:
    answer: str = ""
    citations: list[dict] = field(default_factory=list)  # {"n","source","title","article","page","chunk_id","breadcrumb"}
    abstained: bool = False
    unsupported: list[dict] = field(default_factory=list)  # {"sentence","score","n","reason","message"}
    backend: str = "offline"
    ms: float = 0.0
    hits: list = field(default_factory=list)  # retrieval Hits given to the engine ([n] is hits[n-1])
    prompt: str = ""
    guard: list[dict] = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    task: str = "qa"
    lang: str = "vi"
    query: str = ""  # the standalone query actually searched
    error: dict | None = None  # {"code","message"} when the LLM server failed (the answer is then offline)
    relevance: dict = field(default_factory=dict)
    groundedness: float = 1.0
    blocked: bool = False
    dropped: int = 0  # passages left out to fit the context window

    def as_json(self) -> dict:
        return {
            "answer": self.answer,
            "citations": self.citations,
            "abstained": self.abstained,
            "unsupported": self.unsupported,
            "backend": self.backend,
            "ms": round(self.ms, 1),
            "task": self.task,
            "lang": self.lang,
            "query": self.query,
            "error": self.error,
            "blocked": self.blocked,
            "groundedness": round(self.groundedness, 3),
            "relevance": self.relevance,
            "timings": {k: round(v, 1) for k, v in self.timings.items()},
        }


def _pieces(text: str, words: int = 6) -> Iterator[str]:
    """The offline answer as a stream of small pieces (same events as an LLM)."""
    parts = re.findall(r"\S+\s*|\s+", text)
    for i in range(0, len(parts), words):
        yield "".join(parts[i:i + words])


class _PseudoHit:
    """A passage that is not in the index (pasted text), shaped like a retrieval Hit."""

    def __init__(self, n: int, text: str, label: str, article: str = ""):
        self.rank, self.score, self.lexical_score, self.dense_score = n, 1.0, 0.0, 0.0
        self.chunk_id = f"pasted:{n}"
        self.metadata = {"source": "", "title": label, "breadcrumb": label + (f" › Điều {article}" if article else ""),
                         "article": article, "page": 0}
        self.text = self.metadata["breadcrumb"] + "\n" + text

    source = property(lambda self: "")
    title = property(lambda self: self.metadata["title"])
    article = property(lambda self: self.metadata["article"])
    page = property(lambda self: None)
    breadcrumb = property(lambda self: self.metadata["breadcrumb"])
    passage = property(lambda self: self.text.split("\n", 1)[1])

    def as_json(self, with_text: bool = True) -> dict:
        d = {"rank": self.rank, "score": 1.0, "source": "", "title": self.title, "article": self.article, "page": None,
             "chunk_id": self.chunk_id, "breadcrumb": self.breadcrumb}
        if with_text:
            d["text"] = self.passage
        return d


def pasted_hits(text: str, lang: str) -> list:
    """Pasted text split by article (Điều N.) when it has them, else by paragraph groups."""
    label = t("answers.pasted_text", lang)
    parts = re.split(r"\n(?=\s*(?:#+\s*)?(?:Điều|Article)\s+\d+)", text.strip())
    out = []
    for p in parts:
        p = p.strip()
        if not p:
            continue
        m = re.match(r"\s*(?:#+\s*)?(?:Điều|Article)\s+(\d+[a-z]?)", p)
        out.append(_PseudoHit(len(out) + 1, p, label, m.group(1) if m else ""))
    return out


class Pipeline:
    def __init__(self, settings, retriever=None, llm=None):
        self.settings = settings
        self._retriever = retriever
        self.llm = llm
        self._llm_given = llm is not None
        self._lock = threading.Lock()

    # ------------------------------------------------------------ parts
    @property
    def retriever(self):
        if self._retriever is None:
            from assistant.retrieval import get_retriever

            self._retriever = get_retriever(self.settings)
        return self._retriever

    @property
    def embedder(self):
        return self.retriever.embedder

    @property
    def uses_llm(self) -> bool:
        return self._llm_given or self.settings.backend == "openai"

    def _chat(self):
        """The chat model (made on first use; the server is checked once per process)."""
        if self._llm_given:
            return self.llm
        with self._lock:
            if self.llm is None:
                self.llm = make_llm(self.settings)
        check_server(self.settings)
        return self.llm

    def _guards_on(self) -> bool:
        return self.settings.guards != "off"

    def _redact(self) -> bool:
        return bool(self.settings.redact_outbound) and self.settings.backend == "openai"

    def _stored_vectors(self, hits: list):
        """The chunks' embeddings as stored at index time (None when one is not in the store, e.g. pasted text)."""
        ids = [h.chunk_id for h in hits]
        if any(i.startswith("pasted:") for i in ids):
            return None
        got = self.retriever.store.collection.get(ids=ids, include=["embeddings"])
        by_id = dict(zip(got["ids"], got["embeddings"]))
        if set(by_id) != set(ids):
            return None
        return [by_id[i] for i in ids]

    def document_hits(self, sources: list[str], articles: list[str] | None = None) -> list:
        """Every chunk of these documents, in document order (optionally only some articles)."""
        from assistant.retrieval import Hit

        lex = self.retriever.lexical
        want = set(sources)
        arts = {str(a) for a in articles} if articles else None
        rows = [i for i, m in enumerate(lex.metadatas) if m.get("source") in want
                and (arts is None or str(m.get("article", "")) in arts)]
        rows.sort(key=lambda i: (sources.index(lex.metadatas[i]["source"]), int(lex.metadatas[i].get("chunk_index", 0))))
        return [Hit(rank=r, score=1.0, chunk_id=lex.ids[i], text=lex.texts[i], metadata=lex.metadatas[i])
                for r, i in enumerate(rows, start=1)]

    # ------------------------------------------------------------ follow-ups
    def standalone_query(self, question: str, history: list, lang: str) -> str:
        if not history:
            return question
        if self.uses_llm:
            try:
                tpl = load_template("rewrite_followup")
                hist = followup.history_text(history, lang)
                system, user = tpl.render(lang, history=hist, question=question)
                mapping: dict = {}
                if self._redact():
                    from assistant.guard import Redactor

                    user, mapping = Redactor().redact(user)
                from langchain_core.messages import HumanMessage, SystemMessage

                out = self._chat().invoke([SystemMessage(system), HumanMessage(user)])
                text = _text(out.content)
                if mapping:
                    from assistant.guard import Redactor

                    text = Redactor().restore(text, mapping)
                return followup.clean_rewrite(text, question)
            except Exception:  # noqa: BLE001 - the offline rewrite still works
                pass
        return followup.carry_terms(question, history)

    # ------------------------------------------------------------ main
    def run(self, req: Request) -> Result:
        result = None
        for ev in self.stream(req):
            if ev.type == "done":
                result = ev.data
        return result

    def stream(self, req: Request) -> Iterator[Event]:
        from assistant.retrieval import query_lang

        s = self.settings
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        task = req.task if req.task in TASKS else "qa"
        opts = dict(req.options or {})
        pasted = (opts.get("text") or "").strip()
        question = (req.question or "").strip()
        lang = req.lang or (query_lang(question or pasted) if (question or pasted) else s.lang)
        if lang not in ("vi", "en"):
            lang = s.lang if s.lang in ("vi", "en") else "vi"
        res = Result(task=task, lang=lang, backend="openai" if self.uses_llm else "offline")
        guard_log: list[dict] = []
        original, original_pasted = question, pasted
        restore_map: dict = {}  # placeholders the input guard put in the question -> the user's values

        def done() -> Event:
            res.ms = (time.perf_counter() - t0) * 1000
            timings["total_ms"] = res.ms
            res.timings = timings
            res.guard = guard_log
            return Event("done", res)

        # 1. input guard (the question, and pasted text separately)
        if self._guards_on() and (question or pasted):
            from assistant.guard import check_input

            tg = time.perf_counter()
            for kind, text in (("question", question), ("text", pasted)):
                if not text:
                    continue
                g = check_input(text, s, lang)
                if g.findings or g.decision != "allow":
                    gj = dict(g.as_json(lang), stage="input", explanation=g.reason(lang))
                    guard_log.append(gj)
                    yield Event("guard", gj)
                if g.blocked:
                    res.blocked = True
                    res.answer = t("answers.blocked", lang, reason=g.reason(lang))
                    res.query = question
                    timings["guard_in_ms"] = (time.perf_counter() - tg) * 1000
                    yield done()
                    return
                if g.decision == "warn" and g.redacted:
                    restore_map.update(g.mapping or {})
                    if kind == "question":
                        question = g.redacted.strip()
                    else:
                        pasted = g.redacted.strip()
            timings["guard_in_ms"] = (time.perf_counter() - tg) * 1000

        # 2. follow-ups
        query = question
        if req.history and question:
            yield Event("status", {"stage": "retrieve", "message": t("answers.status_rewrite", lang)})
            tr = time.perf_counter()
            query = self.standalone_query(original if self._redact() else question, req.history, lang)
            timings["rewrite_ms"] = (time.perf_counter() - tr) * 1000
        res.query = query

        # 3. passages: pasted text, whole documents, or retrieval
        yield Event("status", {"stage": "retrieve", "message": t("answers.status_retrieve", lang)})
        tr = time.perf_counter()
        check_relevance = False
        if pasted:
            hits = pasted_hits(pasted, lang)
        elif task == "summarize" and req.sources:
            hits = self.document_hits(list(req.sources), opts.get("articles"))
        else:
            if self.retriever.size == 0:
                res.answer = t("answers.no_index", lang)
                res.abstained = True
                yield done()
                return
            k = int(opts.get("k") or s.top_k)
            hits = self.retriever.search(query, k=k, sources=req.sources) if query else []
            check_relevance = True
        timings["retrieve_ms"] = (time.perf_counter() - tr) * 1000
        if check_relevance:
            dense_reads = bool(getattr(self.embedder, "multilingual", False)) or query_lang(query) == "en"
            rel = relevance(query, hits, doc_freq(self.retriever.lexical), s, dense_reads=dense_reads)
            res.relevance = rel.as_json()
            if rel.abstain:
                res.hits = hits
                res.abstained = True
                res.answer = self._abstain_text(hits, lang)
                yield Event("sources", [])
                for piece in _pieces(res.answer):
                    yield Event("token", piece)
                yield done()
                return
        res.hits = hits
        yield Event("sources", [dict(h.as_json(), n=i) for i, h in enumerate(hits, start=1)])

        # 4. generation
        tg = time.perf_counter()
        answer, used, skip = None, hits, ()
        if self.uses_llm:
            yield Event("status", {"stage": "generate", "message": t("answers.status_generate", lang)})
            try:
                prompt_q = (original if self._redact() else question) or query
                answer, used = yield from self._generate(task, lang, prompt_q, hits, opts, res, restore_map)
            except (LLMError, ContextTooSmall, Exception) as exc:  # noqa: BLE001 - every failure gets a message and the offline answer
                if isinstance(exc, ContextTooSmall):
                    res.error = {"code": "context_too_small", "message": exc.message(lang)}
                else:
                    err = classify(exc, s)
                    res.error = err.as_json(lang)
                answer = None
        if answer is None:
            if not self.uses_llm:
                yield Event("status", {"stage": "generate", "message": t("answers.status_generate_offline", lang)})
            answer, used = self._offline(task, lang, query, hits, opts)
            skip = _offline_skip(lang)
            prefix = ""
            if res.error:
                res.backend = "offline"
                prefix = res.error["message"] + "\n\n" + t("answers.llm_fallback", lang) + "\n\n"
            for piece in _pieces(prefix + answer):
                yield Event("token", piece)
        timings["generate_ms"] = (time.perf_counter() - tg) * 1000

        # 5. citations
        yield Event("status", {"stage": "check", "message": t("answers.status_check", lang)})
        tc = time.perf_counter()
        checked = cite.check(answer, used, self.embedder if used else None, lang, skip=skip,
                             chunk_vectors=self._stored_vectors)
        res.answer, res.citations, res.unsupported = checked.answer, checked.citations, checked.unsupported
        res.groundedness = checked.groundedness
        res.hits = used
        if self.uses_llm and res.error is None and not checked.citations and _ABSTAIN_PHRASES.search(checked.answer):
            res.abstained = True
        timings["check_ms"] = (time.perf_counter() - tc) * 1000

        # 6. output guard
        if self._guards_on():
            from assistant.guard import check_output

            to = time.perf_counter()
            g = check_output(res.answer, [h.passage for h in used], original + "\n" + original_pasted, s, lang)
            timings["guard_out_ms"] = (time.perf_counter() - to) * 1000
            if g.findings or g.decision != "allow":
                gj = dict(g.as_json(lang), stage="output", explanation=g.reason(lang))
                guard_log.append(gj)
                yield Event("guard", gj)
            if g.blocked:
                res.blocked = True
                res.answer = t("answers.blocked", lang, reason=g.reason(lang))
                res.citations = []
            elif g.decision == "warn" and g.redacted:
                res.answer = g.redacted
        if res.error:  # the system's own message about the server is not model output: added after the guard
            res.answer = res.error["message"] + "\n\n" + t("answers.llm_fallback", lang) + "\n\n" + res.answer
        yield done()

    # ------------------------------------------------------------ engines
    def _abstain_text(self, hits: list, lang: str) -> str:
        lines = [t("answers.abstain", lang)]
        seen = []
        for h in hits:
            name = h.title or h.source
            if name and name not in seen:
                seen.append(name)
        if seen:
            lines += ["", t("answers.abstain_nearest", lang)] + [f"- {n}" for n in seen[:3]]
        return "\n".join(lines)

    def _offline(self, task: str, lang: str, query: str, hits: list, opts: dict):
        if task == "summarize":
            return offline.summarize(hits, lang, self.embedder, opts.get("length", "medium"))
        if task == "extract":
            return offline.extract(hits, lang)
        if task == "plain_language":
            return offline.plain_language(hits, lang)
        return offline.qa(query, hits, lang, doc_freq(self.retriever.lexical), self.embedder)

    def _generate(self, task, lang, question, hits, opts, res, restore_map=None):
        """Stream the LLM answer (a generator returning (answer, used hits))."""
        from langchain_core.messages import HumanMessage, SystemMessage

        s = self.settings
        if task == "summarize":
            tpl = load_template("summarize")
            length = tpl.extra.get("lengths", {}).get(opts.get("length", "medium"), tpl.extra.get("lengths", {}).get("medium", {}))
            values = {"length": length.get(lang, length.get("vi", "")) if isinstance(length, dict) else str(length),
                      "focus": question or t("answers.summary_request", lang)}
        elif task == "extract":
            values = {"question": question or t("answers.extract_request", lang)}
        elif task == "plain_language":
            values = {"question": question or t("answers.plain_request", lang)}
        else:
            values = {"question": question}
        chat = self._chat()
        asm = assemble(task, lang, hits, s.llm_context_tokens, s.llm_max_tokens, **values)
        res.prompt = asm.prompt
        res.dropped = len(asm.dropped)
        system, user = asm.messages[0][1], asm.messages[1][1]
        mapping: dict = dict(restore_map or {})
        if self._redact():
            from assistant.guard import Redactor

            user, out_map = Redactor().redact(user)
            mapping.update(out_map)
        parts: list[str] = []
        msgs = [SystemMessage(system), HumanMessage(user)]
        try:
            for chunk in chat.stream(msgs):
                piece = _text(chunk.content)
                if not piece:
                    continue
                parts.append(piece)
                yield Event("token", _restore(piece, mapping) if mapping else piece)
        except ValueError as exc:  # langchain: "No generation chunks were returned"
            if parts or "chunks" not in str(exc):
                raise
        if not parts:
            # some servers (llama-cpp-python) end a stream silently on errors such as context overflow;
            # one non-streaming call returns either the answer or the server's real error
            fresh = chat if self._llm_given else make_llm(self.settings)  # a new connection: the old one may be broken
            piece = _text(fresh.invoke(msgs).content)
            parts.append(piece)
            yield Event("token", _restore(piece, mapping) if mapping else piece)
        answer = "".join(parts)
        if mapping:
            answer = _restore(answer, mapping)
        return answer, asm.hits


def _text(content) -> str:
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content or [])


def _restore(text: str, mapping: dict) -> str:
    from assistant.guard import Redactor

    return Redactor().restore(text, mapping)


def _offline_skip(lang: str) -> tuple[str, ...]:
    keys = ("answers.offline_intro", "answers.offline_summary_intro", "answers.offline_extract_intro",
            "answers.offline_extract_none", "answers.offline_plain_language", "answers.extract_header")
    return tuple(t(k, lang) for k in keys)


_PIPELINES: dict = {}
_PLOCK = threading.Lock()


def get_pipeline(settings) -> Pipeline:
    """One pipeline per settings per process (the retriever and models are loaded once)."""
    with _PLOCK:
        p = _PIPELINES.get(settings)
        if p is None:
            if len(_PIPELINES) >= 8:
                _PIPELINES.pop(next(iter(_PIPELINES)))
            p = _PIPELINES[settings] = Pipeline(settings)
        return p


__all__ = ["Event", "Request", "Result", "Pipeline", "get_pipeline", "TASKS"]
