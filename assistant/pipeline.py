"""The one answer pipeline: the app, the named API and the CLI all call :meth:`Pipeline.stream`.

input guard -> follow-up rewrite -> passages (with the abstention check) -> generation (a model
through the one client, or the offline engine) -> citation check -> output guard -> Result. The
stages are functions in ``assistant.answer.stages``; this module wires them to the settings: which
source a request searches (``assistant.sources``: the corpus, a private upload, or both) and which
engine answers (``assistant.engines``).

``stream`` yields typed events (status, sources, token, guard, done); the last one is "done" with the
Result. Tokens are the answer as it is produced; the citation check may then remove invented [n]
markers, so a UI replaces the streamed text by ``Result.answer`` at "done".
"""
from __future__ import annotations

import threading
from typing import Iterator

from assistant.answer import stages
from assistant.answer.turn import Turn
from assistant.answer.types import TASKS, Event, Request, Result, pasted_hits



class Pipeline:
    def __init__(self, settings, retriever=None, llm=None):
        """``retriever``: the corpus source (default: the shared one for these settings); ``llm``: a
        ModelClient or a langchain chat model to use instead of the engine the settings choose."""
        self.settings = settings
        self._retriever = retriever
        self._llm = llm
        self._lock = threading.Lock()

    @property
    def retriever(self):
        if self._retriever is None:
            from assistant.retrieval import get_retriever

            with self._lock:
                if self._retriever is None:
                    self._retriever = get_retriever(self.settings)
        return self._retriever

    @property
    def embedder(self):
        return self.retriever.embedder

    @property
    def client(self):
        """The model client, or None when the offline engine answers."""
        from assistant.engines import as_client

        return as_client(self.settings, self._llm)

    @property
    def uses_llm(self) -> bool:
        return self.client is not None

    def source_for(self, req: Request):
        from assistant.sources import choose

        return choose(self.retriever, req.private, req.scope or "corpus")

    def run(self, req: Request) -> Result:
        result = None
        for ev in self.stream(req):
            if ev.type == "done":
                result = ev.data
        return result

    def stream(self, req: Request) -> Iterator[Event]:
        turn = Turn.start(req, self.settings, self.source_for(req), self.client)
        emb = self.embedder
        steps = (lambda: stages.guard_input(turn, emb), lambda: stages.rewrite(turn), lambda: stages.passages(turn),
                 lambda: stages.generate(turn, emb), lambda: stages.check_citations(turn, emb),
                 lambda: stages.guard_output(turn))
        for step in steps:
            yield from step()
            if turn.finished:
                break
        yield turn.done()


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


def forget_pipelines() -> None:
    """Drop the cached pipelines (after a re-index that replaced the collection)."""
    with _PLOCK:
        _PIPELINES.clear()


def answer(req: Request, settings) -> Result:
    """The answer to one request with the shared pipeline for these settings."""
    return get_pipeline(settings).run(req)


__all__ = ["Event", "Request", "Result", "Pipeline", "get_pipeline", "answer", "TASKS", "pasted_hits"]
