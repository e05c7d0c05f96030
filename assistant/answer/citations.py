"""Check the [n] citation markers of an answer against the passages it was given.

1. ``[1, 2]`` / ``[1;2]`` are normalised to ``[1][2]``.
2. A marker pointing to no passage is removed from the answer and flagged.
3. Each sentence (or list item, or table row) that cites passages gets a
   support score against the chunks it cites, the best of them:
   lexical = share of the sentence's content terms found in the chunk;
   support = mean of lexical and the embedding cosine of sentence and chunk
   (the chunk's vector as stored at index time). Sentences below
   SUPPORT_MIN are flagged as unsupported. The cosine is computed only when
   it can change the verdict (0.15 <= lexical < 0.6).
4. groundedness = supported cited sentences / content sentences (a proxy
   used by the eval: uncited content sentences count as not grounded).
5. Markers are renumbered [1], [2] … in the order the answer first uses
   them; the passages are reordered the same way (cited ones first), so
   passage [n] is still ``hits[n-1]`` and the sources panel shows the
   numbers the answer shows.
6. A citation's page is the page its quoted sentence is printed on (the
   chunk's page map, see ``chunking.page_at``), not the page the chunk
   starts on; a paraphrase gets the page of the passage line it shares
   most words with.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from assistant.answer.text import content_terms, words
from assistant.messages import t

MARKER = re.compile(r"\[(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\]")
SINGLE = re.compile(r"\[(\d{1,3})\]")
_SENT_BREAK = re.compile(r"[^\W\d_](?:\s*\[\d{1,3}\])*[.!?](?:\s*\[\d{1,3}\])*(?=\s+(?!\[\d)\S)")
SUPPORT_MIN = 0.45
# Shortcuts that skip the embedding model: support = 0.5 * lexical + 0.5 * cosine, so with lexical >= 0.6 a
# sentence passes unless its cosine is below 0.3 (never seen for a sentence sharing 60% of its words with the
# chunk), and with lexical < 0.15 it would need a cosine above 0.75 (only near-quotations reach it).
SURE_LEX = 0.6
HOPELESS_LEX = 0.15


def normalise_markers(text: str) -> str:
    def rep(m):
        nums = re.split(r"\s*[,;]\s*", m.group(1))
        return "".join(f"[{int(n)}]" for n in nums)

    return MARKER.sub(rep, text)


_QUOTED = re.compile(r"“([^”]+)”")


def _units(answer: str) -> list[str]:
    """Sentences of the answer: lines, split further at sentence ends (markers stay with their sentence)."""
    out = []
    for line in answer.split("\n"):
        line = line.strip()
        if not line or set(line) <= set("|-: "):
            continue
        if line.startswith("|"):
            out.append(line)
            continue
        pos = 0
        quotes = [(q.start(), q.end()) for q in _QUOTED.finditer(line)]
        for m in _SENT_BREAK.finditer(line):
            if any(a < m.end() < b for a, b in quotes):
                continue  # “A. … B.” [1]: one quotation, cited once after it
            out.append(line[pos:m.end()].strip())
            pos = m.end()
        if line[pos:].strip():
            out.append(line[pos:].strip())
    return out


def citation_json(n: int, hit, page: int | None = None) -> dict:
    return {"n": n, "source": hit.source, "title": hit.title, "article": hit.article,
            "page": page if page else hit.page, "chunk_id": hit.chunk_id, "breadcrumb": hit.breadcrumb}


def renumber(text: str, hits: list) -> tuple[str, list, dict[int, int]]:
    """Markers renumbered 1, 2 … in order of first use; hits reordered to match (cited first, then the rest)."""
    order: list[int] = []
    for m in SINGLE.finditer(text):
        n = int(m.group(1))
        if 1 <= n <= len(hits) and n not in order:
            order.append(n)
    mapping = {old: new for new, old in enumerate(order, start=1)}
    rest = [n for n in range(1, len(hits) + 1) if n not in mapping]
    for n in rest:
        mapping[n] = len(mapping) + 1
    new_hits = [None] * len(hits)
    for old, new in mapping.items():
        new_hits[new - 1] = hits[old - 1]
    if all(k == v for k, v in mapping.items()):
        return text, list(hits), mapping
    return SINGLE.sub(lambda m: f"[{mapping.get(int(m.group(1)), int(m.group(1)))}]", text), new_hits, mapping


_LABEL = re.compile(r"^\s*(?:[-*>]\s*)*(?:\*\*[^*]+\*\*\s*:?\s*)?")


_QCHARS = "\"“”‘’'"
_QMARK = "[\"“”‘’']?"


def _offset_of(fragment: str, passage: str) -> int | None:
    ws = fragment.split()
    for n in (8, 5, 3):
        if len(ws) < min(n, 3):
            return None
        pat = r"\s+".join(_QMARK + re.escape(w.strip(_QCHARS)) + _QMARK for w in ws[:n])
        m = re.search(pat, passage)
        if m:
            return m.start()
    return None


def quote_page(unit: str, hit) -> int | None:
    """The printed page of the sentence ``unit`` quotes from ``hit`` (None: the chunk's own page)."""
    meta = getattr(hit, "metadata", None) or {}
    if not meta.get("page_map"):
        return None
    from assistant.chunking import page_at

    passage = hit.passage
    body = SINGLE.sub(" ", unit)
    quoted = _QUOTED.findall(body) or [_LABEL.sub("", body)]
    for q in quoted:
        for frag in re.split(r"…|\.\.\.", q):
            frag = re.sub(r"^\s*(?:\d{1,3}\.|[a-zđ]\))\s+", "", frag.strip())
            off = _offset_of(frag, passage) if len(frag.split()) >= 3 else None
            if off is not None:
                return page_at(meta, off)
    # a paraphrase: the page of the passage line sharing most of its words
    terms = {w for w in content_terms(body) if "_" not in w}
    best, best_off, pos = 0, None, 0
    for line in passage.split("\n"):
        shared = len(terms & set(words(line)))
        if shared > best:
            best, best_off = shared, pos
        pos += len(line) + 1
    return page_at(meta, best_off) if best_off is not None and best >= 3 else None


def lexical_support(sentence: str, chunk: str) -> float:
    terms = [w for w in content_terms(SINGLE.sub(" ", sentence)) if "_" not in w]
    if not terms:
        return 1.0
    have = set(words(chunk))
    return sum(1 for w in terms if w in have) / len(terms)


@dataclass
class Checked:
    answer: str
    citations: list[dict] = field(default_factory=list)
    unsupported: list[dict] = field(default_factory=list)
    sentences: int = 0  # content sentences
    supported: int = 0  # cited and supported
    invalid: list[int] = field(default_factory=list)
    hits: list = field(default_factory=list)  # the passages in the answer's numbering ([n] is hits[n-1])

    @property
    def groundedness(self) -> float:
        return self.supported / self.sentences if self.sentences else 1.0


def check(answer: str, hits: list, embedder=None, lang: str = "vi", skip: tuple[str, ...] = (), chunk_vectors=None) -> Checked:
    """Check ``answer`` against ``hits`` (passage [n] is hits[n-1]).

    ``chunk_vectors(hits) -> array | None``: the chunks' stored embeddings (saves encoding them again).
    """
    text = normalise_markers(answer)
    valid = set(range(1, len(hits) + 1))
    invalid: list[int] = []

    def drop(m):
        n = int(m.group(1))
        if n in valid:
            return m.group(0)
        invalid.append(n)
        return ""

    # flag invalid markers with the sentence they were in
    unsupported: list[dict] = []
    for unit in _units(text):
        for m in SINGLE.finditer(unit):
            n = int(m.group(1))
            if n not in valid:
                unsupported.append({"sentence": SINGLE.sub("", unit).strip(), "score": 0.0, "n": n,
                                    "reason": "no_such_source", "message": t("answers.invalid_marker", lang, n=n)})
    text = SINGLE.sub(drop, text)
    text = re.sub(r"[ \t]+([.,;:!?])", r"\1", text)
    text = re.sub(r"[ \t]{2,}", " ", text).strip()
    text, hits, _ = renumber(text, hits)

    body = text
    for s in sorted((x for x in skip if x), key=len, reverse=True):
        body = body.replace(s, "\n")
    pending: list[tuple[str, list[int], float]] = []
    n_sent = 0
    supported = 0
    for unit in _units(body):
        bare = re.sub(r"\s+([.,;:!?])", r"\1", SINGLE.sub("", unit)).strip()
        if len(words(bare)) < 3 or re.fullmatch(r"[>\s]*\*\*[^*]+\*\*[:\s]*", bare):
            continue
        n_sent += 1
        cited = sorted({int(x) for x in SINGLE.findall(unit)} & valid)
        if not cited:
            continue
        best = max(lexical_support(bare, hits[n - 1].passage) for n in cited)
        if best >= SURE_LEX:
            supported += 1
        elif best < HOPELESS_LEX:
            score = 0.5 * best
            unsupported.append({"sentence": bare, "score": round(score, 3), "n": cited[0], "reason": "low_support",
                                "message": t("answers.unsupported_sentence", lang, n=cited[0])})
        else:
            pending.append((bare, cited, best))
    if pending:
        dense = _dense(embedder, pending, hits, chunk_vectors)
        for (bare, cited, lex), cos in zip(pending, dense):
            score = 0.5 * lex + 0.5 * max(0.0, cos)
            if score >= SUPPORT_MIN:
                supported += 1
            else:
                unsupported.append({"sentence": bare, "score": round(score, 3), "n": cited[0], "reason": "low_support",
                                    "message": t("answers.unsupported_sentence", lang, n=cited[0])})
    cited_all = sorted({int(x) for x in SINGLE.findall(text)} & valid)
    first_unit: dict[int, str] = {}
    for unit in _units(body):
        for x in SINGLE.findall(unit):
            first_unit.setdefault(int(x), unit)
    citations = [citation_json(n, hits[n - 1], quote_page(first_unit.get(n, ""), hits[n - 1])) for n in cited_all]
    return Checked(text, citations, unsupported, n_sent, supported, sorted(set(invalid)), hits=list(hits))


def _dense(embedder, pending, hits, chunk_vectors=None) -> list[float]:
    """Best cosine between each pending sentence and the chunks it cites (0 without an embedder)."""
    if embedder is None:
        return [0.0] * len(pending)
    ns = sorted({n for _, cited, _ in pending for n in cited})
    stored = None
    if chunk_vectors is not None:
        try:
            stored = chunk_vectors([hits[n - 1] for n in ns])
        except Exception:  # noqa: BLE001 - fall back to encoding the chunks
            stored = None
    if stored is not None and len(stored) == len(ns):
        sv = embedder.encode([p[0] for p in pending])
        cv = {n: np.asarray(stored[i], dtype=np.float32) for i, n in enumerate(ns)}
    else:
        texts = [p[0] for p in pending] + [hits[n - 1].passage for n in ns]
        vecs = embedder.encode(texts)
        sv, cv = vecs[: len(pending)], {n: vecs[len(pending) + i] for i, n in enumerate(ns)}
    return [max(float(np.dot(sv[i], cv[n])) for n in cited) for i, (_, cited, _) in enumerate(pending)]
