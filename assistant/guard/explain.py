"""What the user is told about a guard decision, in Vietnamese and English (wording in prompts/)."""
from __future__ import annotations

from assistant.guard.types import Finding, GuardResult
from assistant.messages import t


def both(key: str, **kw) -> dict:
    """``key`` in both languages; a ``{"vi": ..., "en": ...}`` value is filled in per language."""
    return {lang: t(key, lang, **{k: v[lang] if isinstance(v, dict) else v for k, v in kw.items()}) for lang in ("vi", "en")}


def explanation(findings: list[Finding]) -> dict:
    """One explanation line per kind of finding, both languages."""
    vi, en = [], []
    seen: set[str] = set()
    pii_types = sorted({f.type for f in findings if f.type.startswith("pii.")})
    asks = [f for f in findings if f.type == "policy.state_secret"]
    for f in findings:
        if f.type == "secret_marking" and any(a.start < f.end and f.start < a.end for a in asks):
            continue  # "summarise the state-secret document": the request's words, already explained as one
        if f.type.startswith("pii."):
            key, kw = "guard.explain.pii", {}
        elif f.type == "secret_marking":
            key, kw = "guard.explain.secret_marking", {"level": f.text or "MẬT"}
        elif f.type in ("prompt_injection", "indirect_injection"):
            from assistant.guard.injection import attack_label

            key, kw = f"guard.explain.{f.type}", {"rule": attack_label(f.text)}  # the kind of attack, in words
        else:
            key, kw = f"guard.explain.{f.type}", {}
        if key in seen:
            continue
        seen.add(key)
        try:
            if key == "guard.explain.pii":  # the types in words: "họ tên, số căn cước"
                from assistant.guard.pii import pii_message

                msg = pii_message(key, pii_types)
            else:
                msg = both(key, **kw)
        except KeyError:
            continue
        vi.append(msg["vi"])
        en.append(msg["en"])
    if "pii.secret" in pii_types:  # a password or a key: change it
        msg = both("guard.explain.pii.secret")
        vi.append(msg["vi"])
        en.append(msg["en"])
    return {"vi": "\n".join(vi), "en": "\n".join(en)}


def user_message(res: GuardResult, lang: str = "vi", kind: str = "input", source: str = "") -> str:
    """What to show the user for a result: the refusal (``block``) or the notice (``warn``), in ``lang``.
    ``kind``: ``input``, ``output`` or ``document``."""
    if res.decision == "allow":
        return ""
    reason = res.reason(lang)
    if res.decision == "block":
        if kind == "document":
            return reason if source in reason else t("guard.refusal.document", lang, source=source, reason=reason)
        return t(f"guard.refusal.{'output' if kind == 'output' else 'input'}", lang, reason=reason)
    return t("guard.decision.warn", lang) + "\n" + reason


def finding_label(kind: str, lang: str) -> str:
    """The short human name of a finding type ("số căn cước" for pii.cccd), never the internal code."""
    try:
        return t(f"guard.label.{kind}", lang)
    except KeyError:
        return t("guard.label.other", lang)
