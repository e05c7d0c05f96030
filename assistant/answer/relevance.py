"""Should the assistant answer, or say the documents do not contain the answer?

Retrieval scores are normalised per query, so they cannot tell a good match
from the best of bad ones. The relevance score is absolute instead:

    relevance = max over the top hits of the weighted share of the
                question's topic terms (accent-folded syllables and
                syllable bigrams, question words removed) found in the hit
                (weight: IDF over the corpus; x0.5 for bigrams)
                + DENSE_BONUS * max(0, best dense cosine - DENSE_FLOOR)
                  (only when the embedding model reads the question's
                  language: English with the bundled model, any language
                  with a multilingual one)

Only what the question is about counts (``text.topic``): placeholders the
input guard put in ([CCCD_1]), people's names, phone and ID numbers,
greetings, thanks and politeness are left out, and so are product names the
corpus never uses ("ChatGPT", "Zalo" in a Vietnamese question; "ChatGPT",
"iPhone" in an English one): a question about putting citizens' data into
ChatGPT is a question about AI tools. Other terms absent from the corpus keep
their (high) IDF weight, so a question about a topic the corpus never
mentions still scores low even when it shares common words ("thủ tục",
"đăng ký") with some document. The dense term helps paraphrases and
questions in another language when the embedding model reads them.
The threshold and the dense constants are fitted on the DEV split of the
answer sets (``scripts/calibrate_relevance.py``; figures in docs/answers.md).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from assistant.answer.question import (asked_parts, everyday_words, expanded, missing_kind, missing_procedure,
                                      parts, place_mismatch)
from assistant.answer.text import DocFreq, content_terms, coverage, question_terms, term_weight, topic, words

# a Latin-script word in a Vietnamese question ("ChatGPT", "Zalo"), or a word with an inner capital in an
# English one ("ChatGPT", "iPhone", "VNeID"): a product or a foreign name when the corpus never uses it
_LATIN_WORD = re.compile(r"(?<![\w])[A-Z][A-Za-z0-9]*(?![\w])")
_INNER_CAPITAL = re.compile(r"(?<![\w])[A-Za-z]*[a-z][A-Z][A-Za-z0-9]*(?![\w])")

# (threshold, DENSE_FLOOR, DENSE_BONUS) per embedding model: its cosines live on its own scale (e5's between
# 0.75 and 0.95, MiniLM's between 0.2 and 0.8), so each is fitted on the dev split for that model
# (scripts/calibrate_relevance.py; figures in docs/answers.md)
CALIBRATED = {
    "multilingual-e5-small-q4": (0.4133, 0.85, 0.0),  # dev fit 2026-12-04 (set f added, glossary entries counted once); no gain from the dense bonus on dev
    "all-MiniLM-L6-v2": (0.4434, 0.85, 0.0),
}
DEFAULT_THRESHOLD = 0.41
KIND_MISS = 0.5  # the amount, percentage or phone number asked for is in no top passage (dev: 0.5 refused 1 more out-of-corpus question, 0.3 also 2 answerable ones)
PROCEDURE_MISS = 0.4  # the procedure asked about ("đăng ký khai tử") is named in no top passage (dev: every question
# it fires on is out of corpus, so a lower factor only widens the margin; 0.5 left "thủ tục đăng ký khai tử cần giấy
# tờ gì" 0.004 above the 2026-12-03 threshold, 0.4 puts the highest dev one, rb-19, at 0.31)
PLACE_MISS = 0.4  # the district or ward the question names is named in no top passage (dev: refuses 3 out-of-corpus
# questions about Hòa An asked over Bến Sông's documents; no answerable dev question names a place its passages lack)
PRODUCT_WEIGHT = 0.5  # a product name counts half its IDF: an instance of what the corpus covers, or the subject (dev)
DENSE_FLOOR = 0.55
DENSE_BONUS = 1.0
TOP = 3
PART_TOP = 12  # the parts of a question asking several things may each be answered by a different passage
PART_HITS = 3  # passages searched for each part


@dataclass
class Relevance:
    score: float
    coverage: float
    dense: float
    threshold: float
    places: tuple[list[str], list[str]] | None = None  # (asked, the documents') when the places differ

    @property
    def abstain(self) -> bool:
        return self.score < self.threshold

    def as_json(self) -> dict:
        out = {"score": round(self.score, 4), "coverage": round(self.coverage, 4), "dense": round(self.dense, 4),
               "threshold": self.threshold}
        if self.places:
            out["places"] = {"asked": self.places[0], "documents": self.places[1]}
        return out


def constants(settings) -> tuple[float, float, float]:
    """(threshold, dense floor, dense bonus) for the settings' embedding model (a set threshold wins)."""
    from assistant.embeddings import model_id

    try:
        mid = model_id(getattr(settings, "embedding_model", "") if settings is not None else "")
    except Exception:  # noqa: BLE001 - an unknown model: the defaults
        mid = ""
    th, floor, bonus = CALIBRATED.get(mid, (DEFAULT_THRESHOLD, DENSE_FLOOR, DENSE_BONUS))
    v = getattr(settings, "abstain_threshold", -1.0)
    if v is not None and v >= 0:
        th = float(v)
    return th, floor, bonus


def threshold(settings) -> float:
    return constants(settings)[0]


def product_names(question: str, df: DocFreq | None) -> set[str]:
    """Folded words of ``question`` that name a product or a foreign thing the corpus never uses."""
    if df is None:
        return set()
    ascii_q = not re.search(r"[^\x00-\x7f]", question)
    found = _INNER_CAPITAL.findall(question) if ascii_q else _LATIN_WORD.findall(question)
    if not ascii_q:
        found = [w for w in found if w.isascii()]
    out = set()
    for w in found:
        for f in words(w):
            if df.count(f) == 0:
                out.add(f)
    return out


def topic_terms(query: str, df: DocFreq | None = None, exact: bool = False) -> tuple[list[str], dict[str, float]]:
    """The content terms of what the question is about, and the weight factor of product names in them."""
    text = topic(query)
    names = product_names(text, df)
    terms = question_terms(text, exact)
    return terms, {term: PRODUCT_WEIGHT for term in terms if set(term.split("_")) & names}


TITLED_DOCS = 2  # the documents of this many top passages are looked through for an article titled by the kind asked


def titled_articles(source, query: str, hits: list) -> list:
    """The passages of the articles whose heading names what the question asks ("Điều 8. Thời hạn giải quyết
    yêu cầu" for "… phải trả lời trong bao lâu?", "Điều 9. Lệ phí" for "… lệ phí bao nhiêu?") in the documents
    of the top passages, when the search did not return them: a rule puts its deadlines and its fees under
    such headings, whatever words the question uses."""
    from assistant.answer.offline import titled_by

    by_heading = titled_by(query)
    if by_heading is None or not hasattr(source, "document_hits"):
        return []
    docs = list(dict.fromkeys(h.source for h in hits[:TITLED_DOCS]))
    seen = {h.chunk_id for h in hits}
    out = []
    for h in source.document_hits(docs) if docs else []:
        if h.chunk_id not in seen and by_heading(h):
            seen.add(h.chunk_id)
            out.append(replace(h, rank=len(hits) + len(out), score=0.0, extra={**h.extra, "titled": True}))
    return out


def search(source, query: str, k: int, sources=None) -> list:
    """The passages for a question; one asking several things gets each part's best passages too (each part's
    search also names what it asks: "đăng ký hộ kinh doanh mất bao lâu" is searched with "thời hạn"); then
    the articles titled by what is asked (``titled_articles``), after them."""
    hits = source.search(expanded(query), k=k, sources=sources)
    several = asked_parts(query)
    seen = {h.chunk_id for h in hits}
    extra = []
    for p in (several if len(several) > 1 else []):
        for h in source.search(expanded(p), k=PART_HITS, sources=sources):
            if h.chunk_id not in seen:
                seen.add(h.chunk_id)
                extra.append(h)
    hits = hits + extra
    return hits + titled_articles(source, query, hits)


_CODE = re.compile(r"\d")
_HOW_MUCH = re.compile(r"\bhow\s+(?:long|often|many|much|soon|far)\b|\bwithin\s+(?:what|which|how)\b", re.I)
# English function words the shared stop list keeps (folded, "so" is "số"): in an English question they are
# neither asked nor unknown ("once a piece of work is finished", "so people don't forget")
_EN_FUNCTION = set("once so don doesn didn isn aren won up out then also just still only very really yet though "
                   "although while during after since until because ok okay hi hello thanks thank".split())


def _names_and_codes(query: str) -> set[str]:
    """The words of an English question written in capitals ("KH", "UBND") or capitalised inside a sentence
    ("… in Hoa An district", "Lac Hong City's rules"), as ``words`` gives them. A capitalised word the
    glossary knows ("City", "Plan") is left out of the words asked too; its Vietnamese still counts in the
    coverage."""
    out = set()
    for sentence in re.split(r"(?<=[.?!:;])\s+", query):
        for m in re.finditer(r"(?<!^)(?<=\s)[A-Z][\w'’]*|\b[A-Z]{2,}\b", sentence.strip()):
            out.update(words(m.group(0)))
    return out


def cross_language_coverage(query: str, hits: list, df: DocFreq | None, exact: bool = True) -> float:
    """An English question over Vietnamese passages: the coverage of the Vietnamese terms the glossary gives
    for its words, times the share of its topic words the glossary knows (a question about something the
    glossary has no word for, "fishing licence fee", keeps only the "fee" part: it stays low). 0 for a
    Vietnamese question or a question with no glossary word."""
    scorer = cross_language(query, df, exact) if hits else None
    if scorer is None:
        return 0.0
    return max((scorer(h.text) for h in hits if h.metadata.get("lang") != "en"), default=0.0)


def cross_language(query: str, df: DocFreq | None, exact: bool = True, extra: list[list[str]] | None = None):
    """``text -> score`` for a Vietnamese text and an English ``query`` (None for a Vietnamese question or one
    with no glossary word): the share of the question's topic words the glossary knows times the glossary
    coverage of the text (``glossary_coverage``; ``extra``: more entries, e.g. the words a rule uses for the
    kind of fact asked)."""
    from assistant.glossary import groups_en, split_en
    from assistant.retrieval import query_lang

    entries = _weighted(groups_en(topic(query)), df, exact) if query_lang(query) == "en" else []
    if not entries:  # a Vietnamese question, or no glossary word
        return None
    entries += _weighted(extra or [], df, exact)
    # numbers, codes ("45/KH-UBND", "2025") and names ("Lac Hong", "Hoa An") say where or which, not what
    # about: they are neither asked nor unknown; nor are English function words
    neutral = _names_and_codes(query) | _EN_FUNCTION
    about = _HOW_MUCH.sub(" ", topic(query))  # "how long", "how often" say what kind of fact, not about what
    asked = [w for w in content_terms(about) if "_" not in w and w not in neutral and not _CODE.search(w)]
    unknown = [w for w in content_terms(split_en(about)[1]) if "_" not in w and w not in neutral
               and not _CODE.search(w)]
    # weighted by how rare each word is: a rare word the glossary does not know ("building permit") is most of
    # what the question is about; a common one ("apply", "district") is not
    total = sum(term_weight(w, df, exact) for w in asked)
    known = max(0.0, 1.0 - sum(term_weight(w, df, exact) for w in unknown) / total) if total > 0 else 0.0
    return lambda text: known * _held(entries, text, df, exact)


def glossary_coverage(groups: list[list[str]], text: str, df: DocFreq | None, exact: bool = True) -> float:
    """The weighted share of the glossary entries of an English question that ``text`` holds: an entry counts
    as found as far as its best-covered Vietnamese alternative is ("urgent" is found in a passage saying
    "hỏa tốc" alone), weighted by how rare that entry's words are (its rarest alternative's mean weight)."""
    return _held(_weighted(groups, df, exact), text, df, exact)


def _weighted(groups: list[list[str]], df: DocFreq | None, exact: bool) -> list[tuple[float, list[list[str]]]]:
    """(weight, the term lists of its Vietnamese alternatives) per glossary entry; entries without terms left out.
    Computed once per question, not per scored text."""
    out = []
    for vals in groups:
        alts = [a for a in (content_terms(v, exact) for v in vals) if a]
        if alts:
            out.append((max(sum(term_weight(t, df, exact) for t in a) / len(a) for a in alts), alts))
    return out


def _held(entries: list[tuple[float, list[list[str]]]], text: str, df: DocFreq | None, exact: bool) -> float:
    total = sum(w for w, _ in entries)
    got = sum(w * max(coverage(a, text, df, None, exact) for a in alts) for w, alts in entries)
    return got / total if total else 0.0


def relevance(query: str, hits: list, df: DocFreq | None, settings=None, dense_reads: bool = True) -> Relevance:
    """``dense_reads``: the embedding model reads the query's language (its cosine is evidence)."""
    thr, floor, bonus = constants(settings)
    if not hits:
        return Relevance(0.0, 0.0, 0.0, thr)
    # words written with diacritics are matched with them ("khai tử" is not "khai từ"), words without, folded
    exact = True
    terms, scale = topic_terms(query, df, exact)
    alts = everyday_words(query)
    cov = max((coverage(terms, h.text, df, scale, exact, alts) for h in hits[:TOP]), default=0.0)
    several = parts(query)
    if len(several) > 1:  # a part that the documents answer is answered (the others are said to be missing)
        per = []
        for p in several:
            pt, ps = topic_terms(p, df, exact)
            per.append(max((coverage(pt, h.text, df, ps, exact, alts) for h in hits[:PART_TOP]), default=0.0))
        cov = max(cov, max(per))
    cov = max(cov, cross_language_coverage(query, hits[:TOP], df, exact))
    if missing_procedure(query, hits[:TOP], alts):
        cov *= PROCEDURE_MISS
    if missing_kind(query, hits[:TOP]):
        cov *= KIND_MISS
    mismatch = place_mismatch(query, hits[:TOP])
    if mismatch:
        cov *= PLACE_MISS
    dense = max((float(h.dense_score) for h in hits[:TOP]), default=0.0)
    score = cov + (bonus * max(0.0, dense - floor) if dense_reads else 0.0)
    return Relevance(score, cov, dense, thr, mismatch)
