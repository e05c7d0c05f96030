"""The output guard: what an answer may not carry.

Personal data the user did not give is masked; phone numbers, e-mails, hotlines and web addresses
found in no source are masked as invented contacts; a canary from the system prompt in the answer
means the prompt leaked (refused).
"""
from __future__ import annotations

import re
import secrets

from assistant.guard.explain import both
from assistant.guard.types import Finding, GuardResult, disabled

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]]+", re.I)
_HOTLINE = re.compile(r"(?<![\w/.,])(?:1800|1900)[ .]?\d{2,4}(?:[ .]?\d{2,4})?(?![\w/])")


def _norm_url(u: str) -> str:
    u = u.lower().rstrip(".,;:!?")
    u = re.sub(r"^https?://", "", u)
    u = re.sub(r"^www\.", "", u)
    return u.rstrip("/")


def _typed(value: str, user_text: str) -> bool:
    """``value`` (a name, an address, a plate, a password) appears in what the user typed, as whole words."""
    v = re.sub(r"\s+", " ", value.lower()).strip()
    u = re.sub(r"\s+", " ", user_text.lower())
    if v and re.search(r"(?<!\w)" + re.escape(v) + r"(?!\w)", u):
        return True
    compact = re.sub(r"[\s.\-]", "", v)  # "29A-123.45" typed as "29a12345"
    return len(compact) >= 6 and compact in re.sub(r"[\s.\-]", "", u)


def make_canary() -> str:
    """A random marker for the system prompt; finding it in an answer means the prompt leaked."""
    return "CNRY-" + secrets.token_hex(8)


def check_output(text: str, sources: list[str] | None = None, user_text: str = "", settings=None, lang: str = "vi",
                 canary: str | None = None, off=None) -> GuardResult:
    """Mask personal data the user did not supply, and phones/emails/URLs found in no source; catch leaks."""
    from assistant.guard.pii import PLACEHOLDER, TEXT_TYPES, digits, find_pii, normalise_phone, pii_message

    dis = disabled(settings, off)
    findings: list[Finding] = []
    if canary and "canary" not in dis and canary.lower() in text.lower():
        i = text.lower().index(canary.lower())
        findings.append(Finding("leak.canary", i, i + len(canary), 1.0, both("guard.type.leak.canary")))
    redacted = text
    if "output" not in dis:
        src_text = "\n".join(sources or [])
        src_digits, user_digits = digits(src_text), digits(user_text or "")
        src_low, user_low = src_text.lower(), (user_text or "").lower()
        src_urls = {_norm_url(u) for u in _URL.findall(src_text + "\n" + (user_text or ""))}
        spans: list[tuple[int, int, str, str]] = []  # start, end, type, replacement
        for m in find_pii(text):
            dig = digits(m.value)
            alt = normalise_phone(m.value) if m.type == "pii.phone" else dig
            if m.type == "pii.email":
                given, in_src = m.value.lower() in user_low, m.value.lower() in src_low
            elif m.type in TEXT_TYPES:  # a name, an address, a password: the user's own when they typed it
                given, in_src = _typed(m.value, user_text or ""), False
            else:
                given = bool(dig) and (dig in user_digits or alt in user_digits)
                in_src = bool(dig) and (dig in src_digits or alt in src_digits)
            if given:
                continue
            if m.type in ("pii.phone", "pii.email"):
                if in_src:
                    continue
                spans.append((m.start, m.end, "invented_contact", m.type))
            else:
                spans.append((m.start, m.end, m.type, m.type))
        for m in _HOTLINE.finditer(text):
            d = digits(m.group(0))
            if d not in src_digits and d not in user_digits:
                spans.append((m.start(), m.end(), "invented_contact", "hotline"))
        for m in _URL.finditer(text):
            u = m.group(0).rstrip(".,;:!?")
            nu = _norm_url(u)
            if not any(nu == s or nu.startswith(s + "/") or s.startswith(nu) for s in src_urls if s):
                spans.append((m.start(), m.start() + len(u), "invented_contact", "url"))
        spans.sort()
        kept, last = [], -1
        for sp in spans:
            if sp[0] >= last:
                kept.append(sp)
                last = sp[1]
        from assistant.messages import t

        for s, e, typ, _sub in reversed(kept):
            if typ == "invented_contact":
                rep = t("guard.mask.contact", lang)
                findings.append(Finding("invented_contact", s, e, 0.9, both("guard.type.invented_contact"), text[s:e]))
            else:
                rep = f"[{PLACEHOLDER[typ]}]"
                findings.append(Finding(typ, s, e, 0.9, both(f"guard.type.{typ}"), text[s:e]))
            redacted = redacted[:s] + rep + redacted[e:]
    findings.sort(key=lambda f: f.start)
    decision = "block" if any(f.type == "leak.canary" for f in findings) else ("warn" if findings else "allow")
    expl = {}
    if findings:
        vi, en = [], []
        if decision == "block":
            m = both("guard.explain.leak.canary")
            vi.append(m["vi"]), en.append(m["en"])
        pii = sorted({f.type for f in findings if f.type.startswith("pii.")})
        if pii:
            m = pii_message("guard.explain.output_pii", pii)
            vi.append(m["vi"]), en.append(m["en"])
        if any(f.type == "invented_contact" for f in findings):
            m = both("guard.explain.invented_contact")
            vi.append(m["vi"]), en.append(m["en"])
        expl = {"vi": "\n".join(vi), "en": "\n".join(en)}
    return GuardResult(decision=decision, findings=findings, text=text, redacted=redacted, explanation=expl)
