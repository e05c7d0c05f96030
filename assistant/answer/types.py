"""What goes into the answer pipeline and what comes out: Request, Event, Result."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.messages import t

TASKS = ("qa", "summarize", "plain_language", "extract")


@dataclass
class Event:
    type: str  # "status" | "token" | "sources" | "guard" | "done"
    data: Any


@dataclass
class Request:
    """One request, the same object from the app, the named API and the CLI."""
    question: str
    task: str = "qa"  # qa | summarize | plain_language | extract
    lang: str | None = None  # None = detect from the question
    history: list = field(default_factory=list)  # [(user, assistant), ...]
    sources: list[str] | None = None  # restrict to these documents (corpus paths, "upload:<name>" for uploads)
    options: dict = field(default_factory=dict)  # {"length": ...}, {"text": pasted}, {"articles": [...]}, {"k": n}
    private: Any = None  # a PrivateIndex (this person's uploads), searched per ``scope``
    scope: str = "corpus"  # corpus | both | private

    @classmethod
    def from_dict(cls, d: dict) -> "Request":
        """From JSON (the API, a batch file): unknown keys are ignored."""
        hist = [tuple(x) if isinstance(x, (list, tuple)) else x for x in d.get("history") or []]
        return cls(question=str(d.get("question") or d.get("text") or ""), task=d.get("task") or "qa",
                   lang=d.get("lang") or None, history=hist, sources=d.get("sources") or None,
                   options=dict(d.get("options") or {}), scope=d.get("scope") or "corpus")


@dataclass
class Result:
    answer: str = ""
    citations: list[dict] = field(default_factory=list)  # {"n","source","title","article","page","chunk_id","breadcrumb"}
    abstained: bool = False
    unsupported: list[dict] = field(default_factory=list)  # {"sentence","score","n","reason","message"}
    backend: str = "offline"
    ms: float = 0.0
    hits: list = field(default_factory=list)  # retrieval Hits given to the engine ([n] is hits[n-1])
    prompt: str = ""  # as sent (personal data replaced)
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
    sent_question: str = ""  # the question as the assistant used it (placeholders instead of personal data)
    followups: list[str] = field(default_factory=list)  # suggested next questions, each one answerable

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
            "sent_question": self.sent_question,
            "followups": self.followups,
        }


class PastedHit:
    """A passage that is not in any index (pasted text), shaped like a retrieval Hit."""

    def __init__(self, n: int, text: str, label: str, article: str = ""):
        self.rank, self.score, self.lexical_score, self.dense_score = n, 1.0, 0.0, 0.0
        self.chunk_id = f"pasted:{n}"
        self.metadata = {"source": "", "title": label, "breadcrumb": label + (f" › Điều {article}" if article else ""),
                         "article": article, "page": 0}
        self.text = self.metadata["breadcrumb"] + "\n" + text
        self.extra: dict = {}

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
    """Pasted text split by article (Điều N.) when it has them, else as one passage."""
    label = t("answers.pasted_text", lang)
    parts = re.split(r"\n(?=\s*(?:#+\s*)?(?:Điều|Article)\s+\d+)", text.strip())
    out = []
    for p in parts:
        p = p.strip()
        if not p:
            continue
        m = re.match(r"\s*(?:#+\s*)?(?:Điều|Article)\s+(\d+[a-z]?)", p)
        out.append(PastedHit(len(out) + 1, p, label, m.group(1) if m else ""))
    return out
