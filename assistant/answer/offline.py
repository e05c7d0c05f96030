"""The offline engine: answers without a language model, and says so.

- qa: quotes the best-supported sentences of the top passages, each with [n].
- summarize: key sentences per article (centrality to the article and the
  document with the embedding model, diversity by MMR), each cited.
- extract: deadlines, responsible units and obligations found by rules,
  as a Markdown table, each row cited.
- plain_language: explains that rewriting needs an LLM and shows the source.

Every function returns (answer, hits) where passage [n] is hits[n-1]; the
pipeline then checks the citations like any other answer.
"""
from __future__ import annotations

import re

import numpy as np

from assistant.answer.text import DocFreq, content_terms, coverage, sentences, strip_item, words
from assistant.messages import t

HEADING = re.compile(r"^(Điều|ĐIỀU|Article|ARTICLE|Chương|CHƯƠNG|Chapter|Mục|Phần)\s+[\dIVXLC]+[a-z]?\b")
QA_TOP_HITS = 3
QA_MAX_SENTENCES = 3
LENGTHS = {"short": (1, 3), "medium": (1, 6), "long": (2, 12)}  # (per article, total)


def is_heading(s: str) -> bool:
    """"Điều 3. Giấy phép chặt hạ" is a heading; "Điều 1. Người nộp đơn phải ... 05 ngày." is content."""
    if s.startswith("#"):
        return True
    if not HEADING.match(s):
        return False
    rest = HEADING.sub("", s).lstrip(".: ")
    return len(words(rest)) <= 12 and not rest.endswith((".", ";"))


def _quote(s: str) -> str:
    return f"“{s.rstrip()}”"


def _candidates(hit) -> list[str]:
    out = []
    for s in sentences(hit.passage):
        if is_heading(s):
            continue
        s = strip_item(s)
        if len(words(s)) >= 4:
            out.append(s)
    return out


# ---------------------------------------------------------------- qa
MONEY = re.compile(r"\d[\d.,]*\s*(?:đồng|VND|VNĐ|vnđ|triệu|nghìn|tỷ)|miễn\s+(?:phí|lệ\s+phí)|free of charge|no fee|"
                   r"\bVND\b|\d[\d.,]*\s*%", re.I)
UNIT_EN = re.compile(r"\b(?:People's Committee|Department|Office|Division|Committee|Centre|Center|Police|Inspectorate)\b")
# what kind of answer the question asks for (a sentence holding that kind of fact gets a bonus)
QUESTION_TYPES = {
    "time": re.compile(r"bao lâu|khi nào|mấy ngày|bao nhiêu ngày|bao nhiêu giờ|thời hạn|hạn chót|ngày nào|trước ngày|"
                       r"how long|\bwhen\b|how many (?:days|hours|months|weeks|working)|deadline|within", re.I),
    "money": re.compile(r"bao nhiêu tiền|lệ phí|\bphí\b|chi phí|kinh phí|mức thu|\bgiá\b|\bfee|\bcost|how much|price", re.I),
    "unit": re.compile(r"cơ quan nào|(?-i:\bai\b)|đơn vị nào|ở đâu|nơi nào|\bwho\b|which (?:agency|office|authority|unit|body)|"
                       r"\bwhere\b", re.I),
}
SENTENCE_WEIGHT = 0.3  # score = 0.3 * sentence coverage + 0.7 * its chunk's coverage (+ type bonus), x rank prior
TYPE_BONUS = 0.3
RANK_PRIOR = 0.1


def question_types(question: str) -> list[str]:
    return [k for k, p in QUESTION_TYPES.items() if p.search(question)]


def has_type(kind: str, sentence: str) -> bool:
    if kind == "time":
        return bool(DEADLINE.search(sentence))
    if kind == "money":
        return bool(MONEY.search(sentence))
    return bool(UNIT_HEAD.search(sentence) or UNIT_EN.search(sentence))


def qa(query: str, hits: list, lang: str, df: DocFreq | None, embedder=None) -> tuple[str, list]:
    """Quote the best sentence (and a close second from the same passage) of the top passages.

    A sentence's score mixes its own coverage of the question's terms with its
    passage's (the article heading and neighbours give context), a bonus when it
    holds the kind of fact asked for (a deadline, an amount, a unit), and a
    small prior for the retrieval rank. Quotes come from one passage only:
    citing several near-duplicates lowers precision without helping the reader.
    """
    top = hits[:QA_TOP_HITS]
    terms = content_terms(query)
    kinds = question_types(query)
    cands: list[tuple[float, int, int, str]] = []  # (score, hit index, order, sentence)
    for i, h in enumerate(top):
        ccov = coverage(terms, h.text, df)
        for j, s in enumerate(_candidates(h)):
            v = SENTENCE_WEIGHT * coverage(terms, s, df) + (1 - SENTENCE_WEIGHT) * ccov
            if any(has_type(k, s) for k in kinds):
                v += TYPE_BONUS
            cands.append((v * (1.0 - RANK_PRIOR * i), i, j, s))
    if not cands:
        return t("answers.offline_intro", lang), top
    if max(c[0] for c in cands) <= 0 and embedder is not None:
        # no shared term (e.g. a question in another language): rank by embedding similarity
        vecs = embedder.encode([query] + [c[3] for c in cands])
        sims = vecs[1:] @ vecs[0]
        cands = [(float(sim) * (1.0 - RANK_PRIOR * c[1]), c[1], c[2], c[3]) for sim, c in zip(sims, cands)]
    cands.sort(key=lambda c: (-c[0], c[1], c[2]))
    best = cands[0]
    chosen = [best] + [c for c in cands[1:] if c[1] == best[1] and c[0] >= 0.85 * best[0]][: QA_MAX_SENTENCES - 1]
    chosen.sort(key=lambda c: c[2])  # document order within the passage
    lines = [t("answers.offline_intro", lang), ""]
    for _, i, _, s in chosen:
        lines.append(f"- {_quote(s)} [{i + 1}]")
    return "\n".join(lines), top


# ---------------------------------------------------------------- summarize
def _mmr(vecs: np.ndarray, relevance: np.ndarray, k: int, lam: float = 0.7) -> list[int]:
    chosen: list[int] = []
    rest = list(range(len(relevance)))
    while rest and len(chosen) < k:
        if chosen:
            red = np.max(vecs[rest] @ vecs[chosen].T, axis=1)
        else:
            red = np.zeros(len(rest))
        scores = lam * relevance[rest] - (1 - lam) * red
        pick = rest[int(np.argmax(scores))]
        chosen.append(pick)
        rest.remove(pick)
    return chosen


def group_articles(hits: list) -> list[list]:
    """Consecutive pieces of the same article (or section) grouped together, first-seen order kept."""
    groups: dict[tuple, list] = {}
    for h in hits:
        key = (h.source, h.article or h.breadcrumb)
        groups.setdefault(key, []).append(h)
    return list(groups.values())


def summarize(hits: list, lang: str, embedder, length: str = "medium") -> tuple[str, list]:
    per_article, total = LENGTHS.get(length, LENGTHS["medium"])
    units = []  # (hit index, sentence)
    for i, h in enumerate(hits):
        if h.metadata.get("kind") in ("preamble", "closing") and len(hits) > 1:
            continue
        for s in _candidates(h):
            units.append((i, s))
    if not units:
        return t("answers.offline_summary_intro", lang), hits
    vecs = embedder.encode([s for _, s in units])
    doc_centroid = vecs.mean(axis=0)
    doc_central = vecs @ (doc_centroid / (np.linalg.norm(doc_centroid) or 1.0))
    picked: list[int] = []
    for group in group_articles(hits):
        idx = {id(h) for h in group}
        members = [u for u, (i, _) in enumerate(units) if id(hits[i]) in idx]
        if not members:
            continue
        sub = vecs[members]
        c = sub.mean(axis=0)
        central = sub @ (c / (np.linalg.norm(c) or 1.0))
        rel = 0.5 * central + 0.5 * doc_central[members]
        picked.extend(members[j] for j in _mmr(sub, rel, per_article))
    if len(picked) > total:
        keep = set(sorted(picked, key=lambda u: -doc_central[u])[:total])
        picked = [u for u in picked if u in keep]
    picked.sort()
    lines = [t("answers.offline_summary_intro", lang), ""]
    for u in picked:
        i, s = units[u]
        h = hits[i]
        head = (h.metadata.get("article_title") or "").strip()
        label = f"Điều {h.article}" if h.article and lang == "vi" else (f"Article {h.article}" if h.article else "")
        prefix = f"**{label}{'. ' + head if head else ''}**: " if label else ""
        lines.append(f"- {prefix}{_quote(s)} [{i + 1}]")
    return "\n".join(lines), hits


# ---------------------------------------------------------------- extract
_NUM = r"(?:\d+|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)"
DEADLINE = re.compile(
    r"(?:(?:trong\s+(?:thời\s+hạn|vòng)|chậm\s+nhất|không\s+quá|tối\s+đa|trước|sau)\s+)?" + _NUM
    + r"\s+(?:ngày\s+làm\s+việc|ngày|giờ\s+làm\s+việc|giờ|tháng|năm|tuần)"
    + r"(?:\s+(?:kể\s+từ|trước|sau)[^,.;:]{0,60})?"
    r"|ngày\s+\d{1,2}(?:\s+tháng\s+\d{1,2}(?:\s+năm\s+\d{4})?|/\d{1,2}/\d{4})(?:\s+hằng\s+tháng)?"
    r"|ngày\s+\d{1,2}\s+hằng\s+(?:tháng|quý|năm)"
    r"|(?:sáng|chiều)?\s*thứ\s+(?:Hai|Ba|Tư|Năm|Sáu|Bảy)(?:\s+và\s+(?:sáng|chiều)?\s*thứ\s+(?:Hai|Ba|Tư|Năm|Sáu|Bảy))?(?:\s+hằng\s+tuần)?"
    r"|từ\s+\d{1,2}\s+giờ(?:\s+\d{1,2})?\s+đến\s+\d{1,2}\s+giờ(?:\s+\d{1,2})?"
    r"|\bngay\b"
    r"|within\s+\d+\s+(?:working\s+)?(?:days|hours|months)|no\s+later\s+than\s+[^,.;]{1,40}",
    re.I,
)
UNIT_HEAD = re.compile(
    r"\b(Ủy ban nhân dân|UBND|Sở|Phòng|Ban|Văn phòng|Chủ tịch|Công ty|Trung tâm|Bộ phận|Thanh tra|Công an|Hội đồng|Cục|Chi cục|Bộ)\s+(?=\S)"
)
_UNIT_STOP = set("""phải có là được thực chủ trong theo về tại cho để trả ghi bố hướng tiếp nhận báo quy thông xem
    giải kiểm tổ cấp ban chịu và hoặc khi nếu từ đến với các những này đó""".split())
OBLIGATION = re.compile(r"\b(phải|có trách nhiệm|chịu trách nhiệm|không được|nghiêm cấm|bị cấm|cấm|must|shall|is responsible)\b", re.I)


def units_in(sentence: str) -> list[str]:
    out = []
    for m in UNIT_HEAD.finditer(sentence):
        ws = [m.group(1)]
        for w in re.split(r"\s+", sentence[m.end():]):
            bare = w.strip(",.;:()")
            if not bare or (bare.lower() in _UNIT_STOP and bare[:1].islower()) or len(ws) >= 7:
                break
            ws.append(bare)
            if bare != w:
                break
        if len(ws) > 1 and " ".join(ws) not in out:
            out.append(" ".join(ws))
    # drop units contained in a longer one
    return [u for u in out if not any(u != v and u in v for v in out)]


def extract(hits: list, lang: str) -> tuple[str, list]:
    rows = []
    for i, h in enumerate(hits):
        for s in _candidates(h):
            deadlines = list(dict.fromkeys(m.group(0).strip() for m in DEADLINE.finditer(s) if m.group(0).strip()))
            duty = OBLIGATION.search(s)
            if not deadlines and not duty:
                continue
            units = units_in(s)
            cell = s if len(s) <= 220 else s[:217].rsplit(" ", 1)[0] + "…"
            rows.append(f"| {cell.replace('|', '/')} | {'; '.join(deadlines) or '—'} | {'; '.join(units) or '—'} | [{i + 1}] |")
    if not rows:
        return t("answers.offline_extract_none", lang), hits
    header = t("answers.extract_header", lang)
    sep = "|" + "|".join("---" for _ in range(header.count("|") - 1)) + "|"
    return "\n".join([t("answers.offline_extract_intro", lang), "", header, sep, *rows]), hits


# ---------------------------------------------------------------- plain language
def plain_language(hits: list, lang: str) -> tuple[str, list]:
    lines = [t("answers.offline_plain_language", lang), ""]
    top = hits[:1]
    for i, h in enumerate(top):
        for s in sentences(h.passage):
            lines.append(f"> **{s}**" if is_heading(s) else f"> {s} [{i + 1}]")
    return "\n".join(lines), top
