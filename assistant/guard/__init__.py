"""Guardrails: the interface the pipeline, the indexer and the app call.

This file is the contract; the scanners behind it live in this package.
Until they land, every check allows everything (pass-through).

- ``check_input(text, settings, lang)``  -> GuardResult   (before retrieval/generation)
- ``check_output(text, sources, user_text, settings, lang)`` -> GuardResult (after generation)
- ``scan_document(doc, settings)`` -> GuardResult          (index time / upload; decision "block" refuses the file)
- ``flag_chunks(chunks, settings)``                        (index time: marks chunks, e.g. indirect injection)
- ``Redactor``: ``redact(text) -> (redacted, mapping)``, ``restore(text, mapping)``
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Finding:
    type: str  # pii.cccd, pii.phone, secret_marking, prompt_injection, indirect_injection, policy.<name>, leak.canary ...
    start: int
    end: int
    score: float = 1.0
    message: dict = field(default_factory=dict)  # {"vi": ..., "en": ...}
    text: str = ""

    def as_json(self, lang: str = "vi") -> dict:
        return {"type": self.type, "start": self.start, "end": self.end, "score": round(self.score, 3),
                "message": self.message.get(lang) or self.message.get("vi", "")}


@dataclass
class GuardResult:
    decision: str = "allow"  # allow | warn | block
    findings: list[Finding] = field(default_factory=list)
    text: str = ""
    redacted: str | None = None
    mapping: dict = field(default_factory=dict)  # placeholder -> original value
    explanation: dict = field(default_factory=dict)  # {"vi": ..., "en": ...}

    @property
    def blocked(self) -> bool:
        return self.decision == "block"

    @property
    def refuse(self) -> bool:  # for documents
        return self.decision == "block"

    def reason(self, lang: str = "vi") -> str:
        return self.explanation.get(lang) or self.explanation.get("vi", "")

    def as_json(self, lang: str = "vi") -> dict:
        return {"decision": self.decision, "findings": [f.as_json(lang) for f in self.findings],
                "redacted": self.redacted if self.redacted is not None else self.text}


def check_input(text: str, settings=None, lang: str = "vi") -> GuardResult:
    return GuardResult(text=text)


def check_output(text: str, sources: list[str] | None = None, user_text: str = "", settings=None, lang: str = "vi") -> GuardResult:
    return GuardResult(text=text)


def scan_document(doc, settings=None) -> GuardResult:
    return GuardResult(text="")


def flag_chunks(chunks, settings=None) -> None:
    return None


class Redactor:
    def redact(self, text: str) -> tuple[str, dict]:
        return text, {}

    def restore(self, text: str, mapping: dict) -> str:
        for k, v in mapping.items():
            text = text.replace(k, v)
        return text
