"""What every guard returns: findings, a decision, and which scanners the trainer switched off."""
from __future__ import annotations

from dataclasses import dataclass, field

SCANNERS = ("pii", "markings", "injection", "similarity", "judge", "policy", "output", "canary")
BLOCKING_TYPES = ("secret_marking", "prompt_injection", "policy.", "leak.canary")


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

    @property
    def types(self) -> list[str]:
        return sorted({f.type for f in self.findings})

    def reason(self, lang: str = "vi") -> str:
        return self.explanation.get(lang) or self.explanation.get("vi", "")

    def as_json(self, lang: str = "vi") -> dict:
        return {"decision": self.decision, "findings": [f.as_json(lang) for f in self.findings],
                "redacted": self.redacted if self.redacted is not None else self.text}


def decide(findings: list[Finding]) -> str:
    if any(f.type.startswith(BLOCKING_TYPES) for f in findings):
        return "block"
    return "warn" if findings else "allow"


def disabled(settings=None, off=None) -> set[str]:
    """Scanners switched off by the trainer (``ASSISTANT_GUARDS=off`` = all of them)."""
    if settings is not None and str(getattr(settings, "guards", "on")).lower() == "off":
        return set(SCANNERS)
    out: set[str] = set()
    extra = getattr(settings, "extra", None) or {}
    for src in (extra.get("guards_off"), off):
        if not src:
            continue
        if isinstance(src, str):
            src = src.split(",")
        out.update(s.strip().lower() for s in src if s and s.strip())
    if "injection" in out:
        out.update({"similarity", "judge"})
    return out
