"""Document guards at index time and for uploads: refuse marked documents, flag hidden instructions."""
from __future__ import annotations

import re

from assistant.guard.explain import both, explanation
from assistant.guard.inputs import injection_scores, marking_findings, pii_findings
from assistant.guard.redaction import Redactor
from assistant.guard.types import Finding, GuardResult, disabled

PII_DENSITY_MIN_ITEMS = 5
PII_DENSITY_PER_1000 = 1.0


def scan_document(doc, settings=None, off=None) -> GuardResult:
    """Index time / upload. ``block`` = refuse the file (state-secret marking); ``warn`` = personal data
    density or instructions to the assistant hidden in the text (those chunks get flagged by ``flag_chunks``)."""
    dis = disabled(settings, off)
    text = doc.text if hasattr(doc, "text") else str(doc)
    findings: list[Finding] = []
    if "markings" not in dis:
        findings += marking_findings(text)
    if "pii" not in dis:
        pii = pii_findings(text)
        if len(pii) >= PII_DENSITY_MIN_ITEMS and len(pii) * 1000 / max(1, len(text)) >= PII_DENSITY_PER_1000:
            from assistant.guard.pii import pii_message

            findings.append(Finding("pii_density", 0, len(text), min(1.0, len(pii) / 20),
                                    pii_message("guard.doc.pii_density", {f.type for f in pii}, count=len(pii)),
                                    str(len(pii))))
    if "injection" not in dis:
        from assistant.guard.injection import BLOCK_THRESHOLD, attack_label, rule_score

        pos = 0
        for para in re.split(r"(\n\s*\n)", text):
            r = rule_score(para, document=True)
            if r.score >= BLOCK_THRESHOLD:
                best = max(r.evidence, key=lambda e: e.score)
                findings.append(Finding("indirect_injection", pos + best.start, pos + best.end, r.score,
                                        both("guard.type.indirect_injection", rule=attack_label(best.rule)), best.rule))
            pos += len(para)
    decision = "block" if any(f.type == "secret_marking" for f in findings) else ("warn" if findings else "allow")
    expl = {}
    if findings:
        expl = explanation([f for f in findings if f.type != "pii_density"])
        dens = [f for f in findings if f.type == "pii_density"]
        if dens:
            expl = {k: (expl.get(k, "") + "\n" + dens[0].message[k]).strip() for k in ("vi", "en")}
        if decision == "block":
            src = getattr(doc, "source", "") or ""
            expl = {k: both("guard.refusal.document", source=src, reason="")[k].strip() + "\n" + expl[k] for k in ("vi", "en")}
    return GuardResult(decision=decision, findings=findings, text="", explanation=expl)


def flag_chunks(chunks, settings=None, off=None, embedder=None, redact: bool = False, similarity: bool = False) -> None:
    """Mark chunks in place: ``metadata["guard_flags"] = "indirect_injection"`` when a chunk holds
    instructions to the assistant, ``metadata["guard_pii"] = <count>`` when it holds personal data.
    With ``redact=True`` personal data in ``chunk.text`` is replaced by typed placeholders.

    Rules only by default: the similarity layer is calibrated on user requests, and prose *about* AI
    (course material, AI-use regulations) sits close to the attack bank (measured: 22 of 838 corpus
    paragraphs flagged with it, 0 without). Quoted examples ("ví dụ: «bỏ qua …»") are mentions, not orders."""
    dis = disabled(settings, off)
    if not similarity:
        dis = dis | {"similarity"}
    chunks = list(chunks)
    if not chunks:
        return None
    from assistant.guard.injection import BLOCK_THRESHOLD

    if "injection" not in dis:
        scores = injection_scores([c.text for c in chunks], None, dis, embedder, document=True)
        for c, (score, _s, _e, _rule) in zip(chunks, scores):
            if score >= BLOCK_THRESHOLD:
                flags = [f for f in str(c.metadata.get("guard_flags", "")).split(",") if f]
                if "indirect_injection" not in flags:
                    flags.append("indirect_injection")
                c.metadata["guard_flags"] = ",".join(flags)
    if "pii" not in dis:
        from assistant.guard.pii import find_pii

        for c in chunks:
            found = find_pii(c.text)
            if found:
                c.metadata["guard_pii"] = len(found)
                if redact:
                    c.text, _ = Redactor().redact(c.text)
    return None
