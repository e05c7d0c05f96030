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


def _embedder(settings, embedder):
    """The embedder the rest of the app uses: the one passed in, else the configured one."""
    if embedder is not None:
        return embedder
    from assistant.embeddings import get_embedder

    if settings is not None:
        return get_embedder(getattr(settings, "embedding_model", ""), getattr(settings, "embedding_batch", 64))
    return get_embedder()


def _may_match(clf, settings, embedder) -> bool:
    """The configured embedder is (by name) the one the classifier was trained with, so loading it is worth it."""
    if embedder is not None:
        return clf.uses(embedder)
    from assistant.embeddings import model_id

    return model_id(getattr(settings, "embedding_model", "") if settings is not None else "") == clf.embedding_model


def injection_scores(texts: list[str], settings=None, off: set[str] | None = None, embedder=None, document: bool = False):
    """Per text: ``(score, start, end, rule)`` from the rules, the similarity layer and the learned classifier
    (one embedding call serves both), then the optional LLM judge. ``rule`` names the rule or layer
    (``ignore_instructions_vi``, ``similarity:<bank category> 0.21``, ``classifier:<attack kind> 0.93``);
    ``injection.attack_label(rule)`` says it in words. ``off`` may hold ``similarity``, ``classifier``, ``judge``."""
    from assistant.guard import injection as inj

    off = off or set()
    out = []
    probes = texts if document else [inj.for_layers(t) for t in texts]  # what the embedding layers read
    for text in texts:
        r = inj.rule_score(text, document=document)
        if r.evidence:
            best = max(r.evidence, key=lambda e: e.score)
            out.append([r.score, best.start, best.end, best.rule])
        else:
            out.append([0.0, 0, 0, ""])
    # the learned layer, cheap stage: n-grams for every text not already blocked. At index time it follows the
    # similarity switch: both are calibrated on what users type, and prose *about* attacks (course material
    # quoting examples) sits close to them (flag_chunks keeps both off unless asked)
    clf = items = None
    if "classifier" not in off and not (document and "similarity" in off):
        from assistant.guard import classifier as C

        try:
            clf = C.load()
        except (OSError, ValueError, KeyError):  # no usable weights: rules and similarity still stand
            clf = None
        if clf is not None:
            items = {i: it for i, it in zip(range(len(texts)), C.prepare(probes, clf)) if out[i][0] < inj.BLOCK_THRESHOLD}
    # with the classifier's own embedder, its cheap stage decides what is worth embedding (for both layers);
    # otherwise the similarity layer embeds what addresses the assistant, as before
    gated = {i for i, it in items.items() if it.gate} if items and _may_match(clf, settings, embedder) else None
    emb = None
    sim_idx: list[int] = []
    clf_idx: list[int] = []
    want_sim = "similarity" not in off and any(out[i][0] < inj.BLOCK_THRESHOLD and inj.addresses_assistant(t)
                                               and (gated is None or i in gated) for i, t in enumerate(probes))
    if want_sim or gated:
        try:
            emb = _embedder(settings, embedder)
        except Exception:  # noqa: BLE001 - no embedding model: the rules (and n-grams) still stand
            emb = None
    if emb is not None:
        use_gate = gated is not None and clf.uses(emb)
        if "similarity" not in off:
            sim_idx = [i for i, t in enumerate(probes) if out[i][0] < inj.BLOCK_THRESHOLD
                       and (not use_gate or i in gated) and inj.needs_similarity(t, emb)]
        if use_gate:
            clf_idx = sorted(gated)
    vectors: dict[int, object] = {}
    todo = sorted(set(sim_idx) | set(clf_idx))
    if todo:
        wins = {i: (items[i].windows if items and i in items else inj.segments(probes[i])) for i in todo}
        flat = [w for i in todo for w in wins[i]]
        try:
            vec = emb.encode(flat) if flat else []
        except Exception:  # noqa: BLE001
            vec, sim_idx, clf_idx = [], [], []
        k = 0
        for i in todo:
            n = len(wins[i])
            vectors[i] = vec[k:k + n] if n and len(vec) else None
            k += n
    if sim_idx:
        sims = inj.similarity_from_vectors([vectors.get(i) for i in sim_idx], emb)
        for i, (sim, _seg, cat) in zip(sim_idx, sims):
            s = inj.sim_to_score(sim, inj.sim_threshold(emb))
            combined = min(1.0, max(out[i][0], s) + (0.5 * min(out[i][0], s) if out[i][0] and s >= 0.35 else 0))
            if combined > out[i][0]:
                rule = (out[i][3] if out[i][3] and combined >= inj.BLOCK_THRESHOLD and s < inj.BLOCK_THRESHOLD
                        else f"similarity:{cat} {sim:.2f}")
                end = out[i][2] if out[i][3] else len(texts[i])
                out[i] = [combined, out[i][1], end, rule]
    if items:
        for i, it in items.items():
            sc = C.finish(it, vectors[i], clf) if i in clf_idx and vectors.get(i) is not None else it.score
            if out[i][0] < inj.BLOCK_THRESHOLD <= sc.score:  # an earlier (explainable) layer that blocks keeps its name
                kind = sc.kind or (inj.attack_kind(out[i][3]) if out[i][3] else "generic")
                start = out[i][1] if out[i][3] else 0
                out[i] = [sc.score, start, len(texts[i]), f"classifier:{kind} {sc.prob:.2f}"]
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
    from assistant.guard.injection import BLOCK_THRESHOLD, attack_label

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
            findings.append(Finding("prompt_injection", s, e, score,
                                    both("guard.type.prompt_injection", rule=attack_label(rule)), rule))
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
