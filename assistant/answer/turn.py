"""One request's working state as it goes through the pipeline's stages."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Iterator

from assistant.answer.types import TASKS, Event, Request, Result
from assistant.guard.redaction import Redactor


@dataclass
class Turn:
    req: Request
    settings: Any
    source: Any  # the retriever interface: corpus, private upload, or both
    client: Any  # ModelClient, or None for the offline engine
    lang: str
    task: str
    opts: dict
    question: str  # as the assistant uses it (placeholders after the input guard)
    original: str  # as the user typed it
    pasted: str
    original_pasted: str
    res: Result
    redactor: Redactor = field(default_factory=Redactor)
    guard_log: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    t0: float = field(default_factory=time.perf_counter)
    query: str = ""
    hits: list = field(default_factory=list)
    answer: str | None = None
    used: list = field(default_factory=list)
    offline_answer: bool = False
    finished: bool = False

    @classmethod
    def start(cls, req: Request, settings, source, client) -> "Turn":
        from assistant.retrieval import query_lang

        task = req.task if req.task in TASKS else "qa"
        opts = dict(req.options or {})
        pasted = (opts.get("text") or "").strip()
        question = (req.question or "").strip()
        lang = req.lang or (query_lang(question or pasted) if (question or pasted) else settings.lang)
        if lang not in ("vi", "en"):
            lang = settings.lang if settings.lang in ("vi", "en") else "vi"
        res = Result(task=task, lang=lang, backend=client.engine if client is not None else "offline")
        return cls(req=req, settings=settings, source=source, client=client, lang=lang, task=task, opts=opts,
                   question=question, original=question, pasted=pasted, original_pasted=pasted, res=res)

    def done(self) -> Event:
        res = self.res
        res.ms = (time.perf_counter() - self.t0) * 1000
        self.timings["total_ms"] = res.ms
        res.timings = self.timings
        res.guard = self.guard_log
        if not res.query:
            res.query = self.query or self.question
        res.sent_question = self.question
        return Event("done", res)

    def guards_on(self) -> bool:
        return self.settings.guards != "off"


def pieces(text: str, words: int = 6) -> Iterator[str]:
    """A ready answer as a stream of small pieces (the same events as a model's stream)."""
    parts = re.findall(r"\S+\s*|\s+", text)
    for i in range(0, len(parts), words):
        yield "".join(parts[i:i + words])
