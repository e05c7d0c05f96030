"""The input guard: what a user sends, before search or a model sees it.

Markings (refuse), prompt injection (rules → similarity → the optional LLM judge; refuse), requests
the course teaches to refuse (policy), and personal data (replaced by placeholders, the request goes on).
"""
from __future__ import annotations

from assistant.guard.explain import both, explanation
from assistant.guard.redaction import Redactor
from assistant.guard.types import Finding, GuardResult, decide, disabled


def pii_findings(text: str) -> list[Finding]:
    from assistant.guard.pii import find_pii

    return [Finding(m.type, m.start, m.end, m.score, both(f"guard.type.{m.type}"), m.value) for m in find_pii(text)]


def marking_findings(text: str) -> list[Finding]:
    from assistant.guard.markings import find_markings

    return [Finding("secret_marking", k.start, k.end, k.score, both("guard.type.secret_marking", level=k.level), k.level)
            for k in find_markings(text)]


def policy_findings(text: str) -> list[Finding]:
    from assistant.guard.policy import find_policy

    return [Finding(f"policy.{h.name}", h.start, h.end, h.score, both(f"guard.type.policy.{h.name}"), h.name)
            for h in find_policy(text)]


def injection_scores(texts: list[str], settings=None, off: set[str] | None = None, embedder=None, document: bool = False):
    """Per text: ``(score, start, end, rule)`` from rules, then similarity, then the optional LLM judge."""
    from assistant.guard import injection as inj

    off = off or set()
    out = []
    pending = []
    for i, text in enumerate(texts):
        r = inj.rule_score(text, document=document)
        if r.evidence:
            best = max(r.evidence, key=lambda e: e.score)
            out.append([r.score, best.start, best.end, best.rule])
        else:
            out.append([0.0, 0, 0, ""])
        if r.score < inj.BLOCK_THRESHOLD and "similarity" not in off and inj.needs_similarity(text, embedder):
            pending.append(i)
    if pending:
        try:
            sims = inj.similarity_scores([texts[i] for i in pending], embedder=embedder)
        except Exception:  # noqa: BLE001 - no embedding model: the rules still stand
            sims = []
        for i, (sim, _seg) in zip(pending, sims):
            s = inj.sim_to_score(sim)
            combined = min(1.0, max(out[i][0], s) + (0.5 * min(out[i][0], s) if out[i][0] and s >= 0.35 else 0))
            if combined > out[i][0]:
                rule = out[i][3] if out[i][3] and combined >= inj.BLOCK_THRESHOLD and s < inj.BLOCK_THRESHOLD else f"similarity {sim:.2f}"
                end = out[i][2] if out[i][3] else len(texts[i])
                out[i] = [combined, out[i][1], end, rule]
    if "judge" not in off and settings is not None:
        from assistant.guard.judge import judge

        for i, text in enumerate(texts):
            if out[i][0] < inj.BLOCK_THRESHOLD and inj.addresses_assistant(text):
                j = judge(text, settings)
                if j is not None and j > out[i][0]:
                    out[i] = [j, 0, len(text), "llm judge"]
    return [tuple(x) for x in out]


def check_inputs(texts: list[str], settings=None, lang: str = "vi", off=None, embedder=None,
                 redactor: Redactor | None = None) -> list[GuardResult]:
    """The batch form of :func:`check_input` (one embedding call for all texts)."""
    from assistant.guard.injection import BLOCK_THRESHOLD

    dis = disabled(settings, off)
    inj = [(0.0, 0, 0, "")] * len(texts)
    if "injection" not in dis:
        inj = injection_scores(texts, settings, dis, embedder)
    results = []
    for text, (score, s, e, rule) in zip(texts, inj):
        findings: list[Finding] = []
        if "markings" not in dis:
            findings += marking_findings(text)
        if score >= BLOCK_THRESHOLD:
            findings.append(Finding("prompt_injection", s, e, score, both("guard.type.prompt_injection", rule=rule), rule))
        if "policy" not in dis:
            findings += policy_findings(text)
        redacted, mapping = text, {}
        if "pii" not in dis:
            pii = pii_findings(text)
            if pii:
                findings += pii
                redacted, mapping = (redactor or Redactor()).redact(text, matches=pii)
        findings.sort(key=lambda f: (f.start, f.type))
        results.append(GuardResult(decision=decide(findings), findings=findings, text=text, redacted=redacted,
                                   mapping=mapping, explanation=explanation(findings) if findings else {}))
    return results


def check_input(text: str, settings=None, lang: str = "vi", off=None, embedder=None,
                redactor: Redactor | None = None) -> GuardResult:
    return check_inputs([text], settings, lang, off, embedder, redactor)[0]
