"""The stages of the answer pipeline, one function each, in the order a question meets them.

input guard -> follow-up rewrite -> passages (pasted text, whole documents or retrieval, with the
abstention check) -> generation (a model through the one client, or the offline engine) -> citation
check -> output guard. Each stage reads and writes a :class:`Turn` (the request's working state)
and yields the events the user sees; a stage that settles the answer sets ``turn.finished``.
"""
from __future__ import annotations

import re
import time
from typing import Iterator

from assistant.answer import citations as cite
from assistant.answer import followup, offline
from assistant.answer.prompting import ContextTooSmall, assemble, load_template
from assistant.answer.question import writing_text
from assistant.answer.relevance import relevance, search
from assistant.answer.turn import Turn, pieces
from assistant.answer.types import Event, pasted_hits
from assistant.llm import LLMError
from assistant.messages import t

_ABSTAIN_PHRASES = re.compile(r"không có thông tin này|không chứa (?:câu trả lời|thông tin)|do not contain this information|"
                              r"do not contain the answer", re.I)


def _tick(turn: Turn, name: str, since: float) -> None:
    turn.timings[name] = (time.perf_counter() - since) * 1000


# ---------------------------------------------------------------- 1. input guard
def guard_input(turn: Turn, embedder=None) -> Iterator[Event]:
    if not turn.guards_on() or not (turn.question or turn.pasted):
        return
    from assistant.guard import check_input

    tg = time.perf_counter()
    for kind in ("question", "text"):
        text = turn.question if kind == "question" else turn.pasted
        if not text:
            continue
        g = check_input(text, turn.settings, turn.lang, embedder=embedder, redactor=turn.redactor)
        if g.findings or g.decision != "allow":
            gj = dict(g.as_json(turn.lang), stage="input", part=kind, explanation=g.reason(turn.lang),
                      explanation_all=dict(g.explanation))
            turn.guard_log.append(gj)
            yield Event("guard", gj)
        if g.blocked:
            turn.res.blocked = True
            turn.res.answer = t("answers.blocked", turn.lang, reason=g.reason(turn.lang))
            turn.res.query = turn.question
            turn.finished = True
            break
        if g.decision == "warn" and g.redacted:
            if kind == "question":
                turn.question = g.redacted.strip()
            else:
                turn.pasted = g.redacted.strip()
    _tick(turn, "guard_in_ms", tg)


# ---------------------------------------------------------------- 2. follow-ups
def standalone_query(turn: Turn) -> str:
    """The follow-up as a question that stands alone: rewritten by the model, else by carrying terms over."""
    history = turn.req.history
    if turn.client is not None:
        try:
            tpl = load_template("rewrite_followup")
            system, user = tpl.render(turn.lang, history=followup.history_text(history, turn.lang),
                                      question=turn.original)
            text = turn.client.complete(system, user, redactor=turn.redactor)
            rewritten = followup.clean_rewrite(text, turn.original)
            return turn.redactor.redact(rewritten)[0] if turn.guards_on() else rewritten
        except Exception:  # noqa: BLE001 - the offline rewrite still works
            pass
    return followup.carry_terms(turn.question, history)


def rewrite(turn: Turn) -> Iterator[Event]:
    turn.query = turn.question
    if turn.req.history and turn.question:
        yield Event("status", {"stage": "retrieve", "message": t("answers.status_rewrite", turn.lang)})
        tr = time.perf_counter()
        turn.query = standalone_query(turn)
        _tick(turn, "rewrite_ms", tr)
    turn.res.query = turn.query


# ---------------------------------------------------------------- 3. passages
def abstain_text(hits: list, lang: str, rel=None) -> str:
    """The refusal, why when it is known (the question names another district than the documents'), and the
    nearest documents."""
    lines = [t("answers.abstain", lang)]
    if rel is not None and rel.places:
        asked, theirs = rel.places
        lines += ["", t("answers.abstain_place", lang, asked=", ".join(asked), documents=", ".join(theirs))]
    seen: list[str] = []
    for h in hits:
        name = h.title or h.source
        if name and name not in seen:
            seen.append(name)
    if seen:
        lines += ["", t("answers.abstain_nearest", lang)] + [f"- {n}" for n in seen[:3]]
    return "\n".join(lines)


def _settle(turn: Turn, answer: str, abstained: bool = True) -> Iterator[Event]:
    turn.res.answer, turn.res.abstained, turn.finished = answer, abstained, True
    yield Event("sources", [])
    yield from (Event("token", p) for p in pieces(answer))


def passages(turn: Turn) -> Iterator[Event]:
    from assistant.retrieval import query_lang

    s, src = turn.settings, turn.source
    yield Event("status", {"stage": "retrieve", "message": t("answers.status_retrieve", turn.lang)})
    tr = time.perf_counter()
    check_relevance = False
    if turn.task == "qa" and not turn.pasted and (text := writing_text(turn.query)):
        # "Sửa câu chữ giúp tôi đơn này: …": the user's own text is what to work on, not a question for the corpus
        if turn.client is None:
            yield from _settle(turn, t("answers.offline_cannot_write", turn.lang))  # quoting cannot reword
            return
        turn.task = turn.res.task = "plain_language"
        turn.pasted = text
    if turn.pasted:
        hits = pasted_hits(turn.pasted, turn.lang)
    elif turn.req.sources and (turn.task in ("summarize", "extract", "plain_language") or turn.opts.get("articles")):
        hits = src.document_hits(list(turn.req.sources), turn.opts.get("articles"))  # the whole documents
    else:
        if src.size == 0:
            key = "answers.no_upload" if turn.req.scope == "private" else "answers.no_index"
            yield from _settle(turn, t(key, turn.lang))
            return
        k = int(turn.opts.get("k") or s.top_k)
        hits = search(src, turn.query, k, turn.req.sources) if turn.query else []  # each part of a multi-part question
        check_relevance = True
    _tick(turn, "retrieve_ms", tr)
    turn.hits = turn.res.hits = hits
    if check_relevance:
        dense_reads = bool(getattr(src.embedder, "multilingual", False)) or query_lang(turn.query) == "en"
        rel = relevance(turn.query, hits, src.doc_freq, s, dense_reads=dense_reads)
        turn.res.relevance = rel.as_json()
        if rel.abstain:
            yield from _settle(turn, abstain_text(hits, turn.lang, rel))
            return
    yield Event("sources", [dict(h.as_json(), n=i) for i, h in enumerate(hits, start=1)])


# ---------------------------------------------------------------- 4. generation
def _offline(turn: Turn, embedder) -> tuple[str, list]:
    hits, lang = turn.hits, turn.lang
    if turn.task == "summarize":
        return offline.summarize(hits, lang, embedder, turn.opts.get("length", "medium"), focus=turn.query)
    if turn.task == "extract":
        return offline.extract(hits, lang, turn.query)  # a question narrows the table to what it asks
    if turn.task == "plain_language":  # chosen articles are shown whole, a search result by its best passage
        return offline.plain_language(hits, lang, question=turn.query, whole=bool(turn.opts.get("articles")),
                                      documents=bool(turn.req.sources))
    src = turn.source
    fetch = (lambda source, article: src.document_hits([source], [article])) if hasattr(src, "document_hits") else None
    return offline.qa(turn.query, hits, lang, src.doc_freq, embedder, fetch=fetch)


def _template_values(turn: Turn, question: str) -> dict:
    if turn.task == "summarize":
        tpl = load_template("summarize")
        lengths = tpl.extra.get("lengths", {})
        length = lengths.get(turn.opts.get("length", "medium"), lengths.get("medium", {}))
        return {"length": length.get(turn.lang, length.get("vi", "")) if isinstance(length, dict) else str(length),
                "focus": question or t("answers.summary_request", turn.lang)}
    if turn.task == "extract":
        return {"question": question or t("answers.extract_request", turn.lang)}
    if turn.task == "plain_language":
        return {"question": question or t("answers.plain_request", turn.lang)}
    return {"question": question}


def _with_model(turn: Turn) -> Iterator[Event]:
    """Stream the model's answer; sets turn.answer and turn.used (the passages that fitted the window)."""
    s = turn.settings
    question = turn.original if s.redact_outbound or not turn.guards_on() else turn.question
    asm = assemble(turn.task, turn.lang, turn.hits, s.llm_context_tokens, s.llm_max_tokens,
                   **_template_values(turn, question or turn.query))
    turn.res.prompt = turn.redactor.redact(asm.prompt)[0] if s.redact_outbound else asm.prompt
    turn.res.dropped = len(asm.dropped)
    system, user = asm.messages[0][1], asm.messages[1][1]
    parts: list[str] = []
    for piece in turn.client.stream(system, user, redactor=turn.redactor):
        parts.append(piece)
        yield Event("token", piece)
    turn.answer, turn.used = "".join(parts), asm.hits


def generate(turn: Turn, embedder) -> Iterator[Event]:
    tg = time.perf_counter()
    if turn.client is not None:
        yield Event("status", {"stage": "generate", "message": t("answers.status_generate", turn.lang)})
        try:
            yield from _with_model(turn)
        except ContextTooSmall as exc:
            turn.res.error = {"code": "context_too_small", "message": exc.message(turn.lang)}
        except LLMError as exc:
            turn.res.error = exc.as_json(turn.lang)
        if turn.res.error:
            turn.answer = None
    if turn.answer is None:
        if turn.client is None:
            yield Event("status", {"stage": "generate", "message": t("answers.status_generate_offline", turn.lang)})
        turn.answer, turn.used = _offline(turn, embedder)
        turn.offline_answer = True
        prefix = ""
        if turn.res.error:
            turn.res.backend = "offline"
            prefix = turn.res.error["message"] + "\n\n" + t("answers.llm_fallback", turn.lang) + "\n\n"
        yield from (Event("token", p) for p in pieces(prefix + turn.answer))
    _tick(turn, "generate_ms", tg)


# ---------------------------------------------------------------- 5. citations
def offline_skip(lang: str) -> tuple[str, ...]:
    keys = ("answers.offline_intro", "answers.offline_summary_intro", "answers.offline_extract_intro",
            "answers.offline_extract_none", "answers.offline_plain_language", "answers.extract_header")
    return tuple(t(k, lang) for k in keys)


def check_citations(turn: Turn, embedder) -> Iterator[Event]:
    yield Event("status", {"stage": "check", "message": t("answers.status_check", turn.lang)})
    tc = time.perf_counter()
    used = turn.used
    vectors = None
    if used and not any(h.chunk_id.startswith("pasted:") for h in used):
        vectors = turn.source.vectors
    checked = cite.check(turn.answer, used, embedder if used else None, turn.lang,
                         skip=offline_skip(turn.lang) if turn.offline_answer else (), chunk_vectors=vectors)
    res = turn.res
    res.answer, res.citations, res.unsupported = checked.answer, checked.citations, checked.unsupported
    res.groundedness = checked.groundedness
    res.hits = checked.hits or used  # in the answer's numbering: [n] is res.hits[n-1]
    if not turn.offline_answer and not checked.citations and _ABSTAIN_PHRASES.search(checked.answer):
        res.abstained = True
    _tick(turn, "check_ms", tc)


# ---------------------------------------------------------------- 6. output guard
def guard_output(turn: Turn) -> Iterator[Event]:
    res = turn.res
    if turn.guards_on():
        from assistant.guard import check_output

        to = time.perf_counter()
        g = check_output(res.answer, [h.passage for h in turn.used], turn.original + "\n" + turn.original_pasted,
                         turn.settings, turn.lang)
        _tick(turn, "guard_out_ms", to)
        if g.findings or g.decision != "allow":
            gj = dict(g.as_json(turn.lang), stage="output", part="answer", explanation=g.reason(turn.lang),
                      explanation_all=dict(g.explanation))
            turn.guard_log.append(gj)
            yield Event("guard", gj)
        if g.blocked:
            res.blocked = True
            res.answer = t("answers.blocked", turn.lang, reason=g.reason(turn.lang))
            res.citations = []
        elif g.decision == "warn" and g.redacted:
            res.answer = g.redacted
    if not res.blocked:  # suggestions built from the passages, each one answerable (answer/followup.py)
        res.followups = followup.suggest(turn)
    if res.error:  # the system's own message about the server is not model output: added after the guard
        res.answer = res.error["message"] + "\n\n" + t("answers.llm_fallback", turn.lang) + "\n\n" + res.answer
