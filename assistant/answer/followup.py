"""Follow-up questions: asked ones made standalone, and suggested ones built from the passages.

Asked ("Còn thời hạn thì sao?"): with an LLM, the prompt
prompts/tasks/rewrite_followup.yaml over the last HISTORY_TURNS turns.
Offline (or if the LLM fails): the previous questions' key terms that the new
question lacks are carried over, when the new question looks like a follow-up
(short, or opening with "còn", "vậy", "what about"... or referring back with
"đó", "này", "it", "that").

Suggested (:func:`suggest`, the buttons under an answer): built from what the
retrieved passages hold, in the request's language — a deadline the cited
passage mentions but the answer did not quote ("Hồ sơ trực tuyến phải được
công chức kiểm tra trong bao lâu?"), and the heading of a neighbouring or
related article ("Quy chế 21/2025/QĐ-UBND quy định thế nào về hồ sơ quá hạn và
xin lỗi?"). A suggestion is kept only if the assistant, asked it as the next
turn, would answer it (the same search and relevance rule the pipeline uses),
so a trainee who clicks one gets an answer, not a refusal.
"""
from __future__ import annotations

import re

from assistant.answer.text import content_terms, words

HISTORY_TURNS = 3
HISTORY_CHARS = 400
SHORT_TERMS = 4
_OPENER = re.compile(r"^(còn|vậy|thế còn|thế|nếu vậy|và|ngoài ra|what about|and|how about|then|so)\b", re.I)
_BACKREF = re.compile(r"\b(đó|này|nó|ấy|it|that|this|those|they)\b", re.I)


def bounded(history: list, turns: int = HISTORY_TURNS, chars: int = HISTORY_CHARS) -> list[tuple[str, str]]:
    out = []
    for turn in list(history or [])[-turns:]:
        if isinstance(turn, dict):
            u, a = turn.get("user", ""), turn.get("assistant", "")
        else:
            u, a = (list(turn) + ["", ""])[:2]
        out.append((str(u or "")[:chars], str(a or "")[:chars]))
    return out


def is_followup(question: str) -> bool:
    n = len({w for w in content_terms(question) if "_" not in w})
    q = question.strip()
    return n <= SHORT_TERMS or bool(_OPENER.search(q)) or (n <= 2 * SHORT_TERMS and bool(_BACKREF.search(q)))


def carry_terms(question: str, history: list) -> str:
    """Offline: append the previous question's key words the new one lacks."""
    hist = bounded(history)
    if not hist or not is_followup(question):
        return question
    prev = hist[-1][0]
    from assistant.loaders import detect_lang  # by diacritics: a short English question is not misread

    if detect_lang(question) != detect_lang(prev):
        # asked in the other language (the trainee switched): a new question; the Vietnamese words of an
        # earlier question made "Who approves which AI tools we are allowed to use?" a Vietnamese search
        return question
    have = set(words(question))
    from assistant.textnorm import nfc_lower

    extra = []
    raw = re.findall(r"[^\W_]+", nfc_lower(prev))
    keep = {w for w in content_terms(prev) if "_" not in w}
    for w, f in zip(raw, words(prev)):
        if f in keep and f not in have and w not in extra:
            extra.append(w)
    return f"{question.strip()} {' '.join(extra)}".strip() if extra else question


def history_text(history: list, lang: str = "vi") -> str:
    u_label, a_label = ("Người dùng", "Trợ lý") if lang == "vi" else ("User", "Assistant")
    lines = []
    for u, a in bounded(history):
        lines.append(f"{u_label}: {u}")
        if a:
            lines.append(f"{a_label}: {a}")
    return "\n".join(lines)


def clean_rewrite(text: str, fallback: str) -> str:
    """The first non-empty line of the model's output, without quotes or a label; the fallback if unusable."""
    for line in (text or "").splitlines():
        line = re.sub(r"^\s*(câu hỏi độc lập|standalone question)\s*:\s*", "", line.strip(), flags=re.I)
        line = line.strip(" \"'“”`*")
        if len(line) >= 3:
            return line[:500]
    return fallback


# ---------------------------------------------------------------- suggested follow-ups
SUGGESTIONS = 3
SUBJECT_WORDS = (3, 16)  # a deadline's subject shorter or longer than this makes no readable question


def _hit_lang(hit) -> str:
    return str((hit.metadata or {}).get("lang") or "vi")


def _lower_first(text: str) -> str:
    text = text.strip()
    if text.isupper():
        return text.lower()
    first = text.split(" ", 1)[0]
    return text if first.isupper() and len(first) > 1 else text[:1].lower() + text[1:]


def _deadline_questions(hit, answer: str, lang: str) -> list[str]:
    """Questions about the deadlines a passage states and the answer did not quote."""
    from assistant.answer.extraction import DEADLINE
    from assistant.answer.units import legal_units, strip_number
    from assistant.messages import t

    out = []
    wrapped = (hit.metadata or {}).get("format") == "pdf"
    flat = " ".join(answer.split())
    for u in legal_units(hit.passage, wrapped):
        text = strip_number(re.sub(r"^[a-zđ]\)\s+|^[-*•+]\s+", "", u.text))
        m = DEADLINE.search(text)
        if not m or " ".join(text.split())[:60] in flat:
            continue
        subject = (text[:m.start()] + " " + text[m.end():]).strip()
        subject = re.split(r"[;:]\s", subject)[0]
        subject = re.sub(r"\s+([,.])", r"\1", re.sub(r"\s{2,}", " ", subject)).strip(" ,.;:")
        subject = re.sub(r"\b(?:trong|within|chậm nhất|no later than|không quá)\s*$", "", subject).strip(" ,")
        n = len(subject.split())
        if not (SUBJECT_WORDS[0] <= n <= SUBJECT_WORDS[1]) or subject.endswith(("là", "is")):
            continue
        dated = bool(re.search(r"ngày\s+\d{1,2}\s+(?:tháng|hằng)|\d{1,2}/\d{1,2}|thứ\s+\w+|no later than", m.group(0), re.I))
        key = "answers.followup_by_when" if dated else "answers.followup_how_long"
        subject = subject if lang == "vi" else _lower_first(subject)
        out.append(t(key, lang, subject=subject[:1].upper() + subject[1:] if lang == "vi" else subject))
    return out


def _heading_question(hit, lang: str) -> str | None:
    """"<document> quy định thế nào về <article or section heading>?" for a passage that has a heading."""
    from assistant.messages import t

    meta = hit.metadata or {}
    crumbs = [c.strip() for c in str(meta.get("breadcrumb") or "").split(" › ")]
    doc = crumbs[0] if crumbs else ""
    heading = str(meta.get("article_title") or "").strip()
    if not heading and len(crumbs) > 1 and not re.match(r"^(?:Điều|Article|Chương|Chapter)\b", crumbs[-1]):
        heading = re.sub(r"^(?:[IVXLC]+|\d+)\.\s*", "", crumbs[-1]).strip()
    if not heading or not doc or heading.lower() in doc.lower() or len(heading.split()) < 2 or len(heading) > 120:
        return None
    return t("answers.followup_heading", lang, doc=doc, heading=_lower_first(heading).rstrip(" .:"))


_XREF = re.compile(r"\b(?:Điều|Article)\s+(\d{1,3})(?!\s*(?:[,(]|\d|của\s+(?:Luật|Nghị|Thông|Bộ)|Luật|Nghị|Thông|Law|Decree|Circular))")


def _neighbours(source, hit) -> list:
    """Passages of the same document that a reader goes to next: articles the cited passage refers to
    ("theo khoản 2 Điều 9"), then the next article or section."""
    try:
        doc = source.document_hits([hit.source])
    except Exception:  # noqa: BLE001 - a source without whole documents (pasted text)
        return []
    out = []
    article = hit.article
    for num in _XREF.findall(hit.passage):
        if num != article:
            out.extend(h for h in doc if h.article == num)
    ids = [h.chunk_id for h in doc]
    if hit.chunk_id in ids:
        here = ids.index(hit.chunk_id)
        key = (hit.article, hit.breadcrumb)
        nxt = next((h for h in doc[here + 1:] if (h.article, h.breadcrumb) != key
                    and (h.metadata or {}).get("kind") not in ("closing", "preamble")), None)
        if nxt is not None:
            out.append(nxt)
    return out


def candidates(answer: str, cited: list, related: list, lang: str) -> list[str]:
    """Follow-up questions from the passages, best first: deadlines the cited passages state and the answer
    did not quote, then the headings of related passages (each passage only in the request's language)."""
    out: list[str] = []
    cited = [h for h in cited if _hit_lang(h) == lang]
    seen = {(h.source, h.article or h.breadcrumb) for h in cited}
    for h in cited:
        out.extend(_deadline_questions(h, answer, lang)[:2])
    for h in related:
        key = (h.source, h.article or h.breadcrumb)
        if _hit_lang(h) != lang or key in seen:
            continue
        seen.add(key)
        q = _heading_question(h, lang)
        if q:
            out.append(q)
    return list(dict.fromkeys(out))


def suggest(turn, limit: int = SUGGESTIONS) -> list[str]:
    """Up to ``limit`` follow-up questions the assistant would answer if asked next (see the module docstring)."""
    from assistant.answer.relevance import relevance
    from assistant.retrieval import query_lang

    res = turn.res
    if turn.task != "qa" or res.abstained or res.blocked or not res.citations:
        return []
    by_id = {h.chunk_id: h for h in res.hits}
    cited = [by_id[c["chunk_id"]] for c in res.citations if c.get("chunk_id") in by_id]
    src, s = turn.source, turn.settings
    related = [n for h in cited[:2] for n in _neighbours(src, h)]
    related += [h for h in list(res.hits) + list(turn.hits) if h not in cited and any(h.source == c.source for c in cited)]
    history = list(turn.req.history or []) + [(turn.original, res.answer)]
    multilingual = bool(getattr(src.embedder, "multilingual", False))
    asked = " ".join(turn.original.lower().split())
    out: list[str] = []
    for q in candidates(res.answer, cited, related, turn.lang):
        if len(out) >= limit:
            break
        if " ".join(q.lower().split()) == asked:
            continue
        query = carry_terms(q, history)
        hits = src.search(query, k=int(turn.opts.get("k") or s.top_k), sources=turn.req.sources)
        rel = relevance(query, hits, src.doc_freq, s, dense_reads=multilingual or query_lang(query) == "en")
        if not rel.abstain:
            out.append(q)
    return out
