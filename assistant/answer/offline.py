"""The offline engine: answers without a language model, and says so.

- qa: quotes the best-supported sentences of the top passages, each with [n].
- summarize: key sentences per article (centrality to the article and the
  document with the embedding model, diversity by MMR), each cited.
- extract: one row per clause or point stating a deadline, an amount or a
  responsible unit, as a Markdown table, each row cited
  (``assistant.answer.extraction``).
- plain_language: explains that rewriting needs an LLM and shows the source.

Every function returns (answer, hits) where passage [n] is hits[n-1]; the
pipeline then checks the citations like any other answer.
"""
from __future__ import annotations

import re

import numpy as np

from assistant.answer.text import (DocFreq, content_terms, coverage, has_marks, sentences, term_weight, strip_item,
                                  topic, words)
from assistant.answer.extraction import (DEADLINE, MONEY, PERCENT, UNIT_EN, UNIT_HEAD, extract,  # noqa: F401
                                         is_boilerplate, units_in)
from assistant.answer.units import MAX_LEAD, Unit, legal_units, strip_number, trim
from assistant.glossary import split_en
from assistant.messages import t
from assistant.textnorm import fold, nfc_lower

HEADING = re.compile(r"^(Điều|ĐIỀU|Article|ARTICLE|Chương|CHƯƠNG|Chapter|Mục|Phần)\s+[\dIVXLC]+[a-z]?\b")
QA_TOP_HITS = 5
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
    """``s`` in “…”, word for word: quotation marks inside stay as the document prints them (“"CV"” is what an
    exercise checks for)."""
    return f"“{s.rstrip()}”"


def _candidates(hit) -> list[str]:
    """The passage's legal units as quotable texts (a list item with its lead-in, long units trimmed)."""
    out = []
    for u in legal_units(hit.passage, (hit.metadata or {}).get("format") == "pdf"):
        if len(words(u.text)) >= 4 and not is_boilerplate(u.text) and not (u.lead and is_boilerplate(u.lead)):
            out.append(render_units([u], lambda piece: 0.0))
    return out


# ---------------------------------------------------------------- qa
# what kind of answer the question asks for (a sentence holding that kind of fact gets a bonus)
QUESTION_TYPES = {
    "time": re.compile(r"bao lâu|khi nào|mấy ngày|bao nhiêu ngày|bao nhiêu giờ|thời hạn|hạn chót|ngày nào|trước ngày|"
                       r"thời\s+gian\s+nào|bao\s+giờ|how\s+often|"
                       r"how long|\bwhen\b|how many (?:days|hours|months|weeks|working)|deadline|within", re.I),
    "money": re.compile(r"bao nhiêu tiền|(?:mất|tốn|trả|nộp)\s+tiền|lệ phí|\bphí\b|chi phí|kinh phí|mức thu|(?<!đánh\s)(?<!định\s)\bgiá\b(?!\s+trị)|\bfee|\bcost|"
                        r"phụ\s+cấp|tiền\s+lương|mức\s+lương|thù\s+lao|allowance|salary|"
                        r"how much|price", re.I),
    "numbers": re.compile(r"con\s+số|số\s+liệu|\bfigures?\b|\bnumbers?\b|\bstatistics\b", re.I),
    "percent": re.compile(r"tỷ lệ|phần trăm|bao nhiêu %|percent|\brate\b|\bshare\b|proportion", re.I),
    # "có được … không", "… được không", "may a citizen …": a rule that allows or forbids answers it
    "permission": re.compile(r"\bcó\s+được\b[^?]*\bkhông\b|\bđược\s+không\b|\bđược\s+phép\b|"
                             r"^\s*(?:may|can)\s+(?:i|we|a|an|the|my|our|citizens?|officials?|people)\b|\ballowed\b|\bpermitted\b", re.I),
    "unit": re.compile(r"cơ quan nào|(?-i:\bai\b)|đơn vị nào|ở đâu|nơi nào|\bwho\b|which (?:agency|office|authority|unit|body)|"
                       r"\bwhere\b", re.I),
    "contact": re.compile(r"số\s+điện\s+thoại|\bsđt\b|số\s+máy|hotline|đường\s+dây\s+nóng|địa\s+chỉ\s+(?:thư|e-?mail)|"
                          r"(?:phone|telephone|contact)\s+number|number\s+to\s+call|e-?mail\s+address", re.I),
}
# a phone number ("0263 3 777 115", "0987.111.222") or an e-mail address
CONTACT = re.compile(r"(?<![\d.])0\d{2,3}(?:[\s.]?\d){6,8}(?![\d.])|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# an article whose heading names the kind of fact asked for ("Thời hạn …" for "bao lâu", "Lệ phí …" for "bao nhiêu tiền")
PERMISSION = re.compile(r"không\s+được|nghiêm\s+cấm|\bcấm\b|được\s+phép|chỉ\s+được|\bmust\s+not\b|\bmay\s+not\b|"
                        r"\bshall\s+not\b|\bprohibited\b|\bnot\s+allowed\b|\bforbidden\b|\bnever\b", re.I)
HEADING_KIND = {"time": re.compile(r"thời\s+hạn|thời\s+gian|deadline|time\s+limit", re.I),
                "permission": re.compile(r"không\s+được|\bcấm\b|được\s+phép|prohibit|not\s+allowed|permitted", re.I),
                "money": re.compile(r"lệ\s+phí|chi\s+phí|\bphí\b|kinh\s+phí|\bfees?\b|\bcosts?\b", re.I)}
HEADING_BONUS = 0.15
TITLED_QUOTE = ("time", "money")  # kinds whose titled article is quoted beside the best quote (a permission
# heading, "Những việc không được làm", is too broad for that: dev rb-15, rb-16)
TITLED_RANK = 1  # a passage found by its heading is ranked at most this low for the rank prior
SENTENCE_WEIGHT = 0.5  # score = 0.5 * the unit's coverage + 0.5 * its chunk's (+ type bonus), x rank prior (dev: 0.3-0.6 tie)
TYPE_BONUS = 0.3
CLOSE = 0.85  # a second quote scores at least this share of the best one
COMPLEMENT = 0.6  # a unit answering another part of the question is added above this share of the best score
RANK_PRIOR = 0.1
# a passage in the other language than the question's, when its translation (same document number) is among the
# top ones: 0.9 still quoted the Vietnamese twin to an English question (tests/test_offline_quotes.py); a rule
# with no translation is not lowered (dev ae-020, ae-036 quoted an unrelated English guide instead)
OTHER_LANGUAGE_PRIOR = 0.8


_CONTACT_GIVEN = re.compile(r"\[(?:PHONE|EMAIL)_\d+\]")


# the same patterns for a question typed without diacritics ("nop thue bao nhieu phan tram"): folded, less the
# word that folds onto common ones ("giá" -> "gia" as in "gia đình", "tham gia")
_FOLDED_TYPES = {k: re.compile(fold(p.pattern).replace(r"(?<!danh\s)(?<!dinh\s)\bgia\b(?!\s+tri)|", ""), re.I)
                 for k, p in QUESTION_TYPES.items()}


def question_types(question: str) -> list[str]:
    types = QUESTION_TYPES if has_marks(question) else _FOLDED_TYPES  # English alternatives fold to themselves
    kinds = [k for k, p in types.items() if p.search(question)]
    if "contact" in kinds and (CONTACT.search(question) or _CONTACT_GIVEN.search(question)):
        # "Chú Nam (SĐT 0987 111 222) hỏi …", "số điện thoại [PHONE_1]": given, not asked
        kinds.remove("contact")
    if "contact" in kinds and "numbers" in kinds:  # "the hotline number": the number asked is the phone number
        kinds.remove("numbers")
    return kinds


def titled_by(question: str):
    """A test on a passage: its article's heading names what ``question`` asks ("Điều 8. Thời hạn giải quyết yêu
    cầu" for "… trong bao lâu?"); None when the question asks no kind with such headings."""
    heads = [HEADING_KIND[k] for k in question_types(question) if k in HEADING_KIND]
    if not heads:
        return None
    return lambda h: any(p.search(str((h.metadata or {}).get("article_title") or "")) for p in heads)


# "bao nhiêu ký tự", "mấy tờ", "how many copies": a number followed by that word answers it
_COUNT = re.compile(r"(?:bao\s+nhiêu|mấy|how\s+many)\s+([^\W\d_]+)", re.I)
# "how many failed login attempts …": in English the counted noun may come a few words on (up to a function word)
_COUNT_EN = re.compile(r"how\s+many\s+[^\W\d_]+((?:\s+[^\W\d_]+){1,3})", re.I)
_COUNT_STOP = set("are is do does can must should will may has have of in for per a an the it to be by".split())
_NOT_NOUN = {fold(w) for w in "lâu tiền phần lần là được thì the of in".split()}
# a number in digits or in words ("chỉ được đăng ký một hộ kinh doanh"), folded; not the number words whose
# folded form is another common word: "tư"/"từ", "năm" (also a year), "sáu"/"sau", "bảy"/"bay", "tám"/"tạm"
_NUMBER = r"(?:\d[\d.,]*|\b(?:mot|hai|ba|bon|chin|muoi|one|two|three|four|five|six|seven|eight|nine|ten))"


def asks(question: str, complement: bool = False) -> list:
    """What the question asks for, as tests on a candidate text: one per kind (time, money, unit) and per
    counted noun ("bao nhiêu ký tự" -> a number followed by "ký tự"). With ``complement``, only what a
    second quote is added for when the first lacks it (not a permission: "được" is said in many ways)."""
    tests = [(lambda text, k=k: has_type(k, text)) for k in question_types(question)
             if not (complement and k == "permission")]
    found = [m.group(1) for m in _COUNT.finditer(nfc_lower(question))]
    for m in _COUNT_EN.finditer(nfc_lower(question)):
        for w in m.group(1).split():
            if w in _COUNT_STOP:
                break
            found.append(w)
    for word in found:
        noun = fold(word)
        if noun in _NOT_NOUN:
            continue
        # the noun as asked, and in Vietnamese when the glossary knows it ("how many characters" -> "12 ký tự")
        nouns = [noun] + [fold(nfc_lower(v)) for v in split_en(word)[0]]
        pat = re.compile(_NUMBER + r"\s*(?:" + "|".join(re.escape(n) for n in nouns) + r")\b")
        tests.append(lambda text, pat=pat: bool(pat.search(fold(nfc_lower(text)))))
    return tests


# how often: "họp ít nhất 01 lần mỗi tháng", "định kỳ hằng quý", "at least once a month", "every 90 days"
FREQUENCY = re.compile(r"\b\d{1,3}\s+lần\s+(?:mỗi|một|trong\s+(?:một|01|1))\s+(?:ngày|tuần|tháng|quý|năm)\b|"
                       r"\b(?:hằng|hàng)\s+(?:ngày|tuần|tháng|quý|năm)\b|\bđịnh\s+kỳ\b|"
                       r"\b(?:once|twice|\d+\s+times)\s+(?:a|per|every)\s+(?:day|week|month|quarter|year)\b|"
                       r"\bevery\s+(?:\d+\s+)?(?:days?|weeks?|months?|quarters?|years?)\b|"
                       r"\b(?:daily|weekly|monthly|quarterly|yearly|annually)\b", re.I)


def has_type(kind: str, sentence: str) -> bool:
    if kind == "time":
        return bool(DEADLINE.search(sentence) or FREQUENCY.search(sentence))
    if kind == "money":
        return bool(MONEY.search(sentence))
    if kind == "permission":
        return bool(PERMISSION.search(sentence))
    if kind == "percent":
        return bool(PERCENT.search(sentence))
    if kind == "contact":
        return bool(CONTACT.search(sentence))
    if kind == "numbers":  # "giữ nguyên các con số", "5 kết quả chính có số liệu"
        return bool(PERCENT.search(sentence) or MONEY.search(sentence) or DEADLINE.search(sentence)
                    or re.search(r"\d[\d.,]*\s*(?:hồ\s+sơ|người|lượt|bộ|máy|văn\s+bản|%)", sentence))
    return bool(UNIT_HEAD.search(sentence) or UNIT_EN.search(sentence))


def _units(hit) -> list[Unit]:
    """The quotable units of a passage, without boilerplate (notice, motto, "Căn cứ …", place and date)."""
    wrapped = (hit.metadata or {}).get("format") == "pdf"
    return [u for u in legal_units(hit.passage, wrapped) if len(words(u.full)) >= 4
            and not is_boilerplate(u.text) and not (u.lead and is_boilerplate(u.lead))]


def render_units(chosen: list[Unit], score) -> str:
    """Units of one passage as one quote: a list's lead-in once, its items after it, "…" over left-out items."""
    parts: list[str] = []
    prev: Unit | None = None
    for u in sorted(chosen, key=lambda x: x.order):
        body = trim(strip_number(u.text) if u.kind != "point" else u.text, score)
        if u.lead and (prev is None or prev.group != u.group):
            lead = trim(strip_number(u.lead), score, MAX_LEAD)
            parts.append(lead + (" … " if u.gap else " ") + body)
        elif u.lead and prev is not None:
            parts[-1] += (" " if u.order == prev.order + 1 else " … ") + body
        else:
            parts.append(body)
        prev = u
    if prev is not None and prev.kind == "point" and not prev.last and not parts[-1].endswith("…"):
        parts[-1] = parts[-1].rstrip(" ;,") + " …"  # the list goes on: never end a quote mid-list
    elif parts and parts[-1].rstrip().endswith((";", ",")):
        parts[-1] = parts[-1].rstrip(" ;,") + " …"  # a paragraph or table text that goes on past the passage
    return " … ".join(parts)


PHRASE_STEP, PHRASE_MAX = 0.05, 0.3  # a run of n >= 3 question words found as is in a unit: + 0.05 x (n - 2)


def phrase_bonus(question_words: list[str], text: str) -> float:
    """Bonus for the longest run of the question's words (stop words included) that the unit repeats as is:
    "không có giấy chứng sinh" finds "Trường hợp không có Giấy chứng sinh thì …"."""
    if len(question_words) < 3:
        return 0.0
    have = words(text)
    grams = {tuple(have[i:i + 3]) for i in range(len(have) - 2)}
    best = 0
    for i in range(len(question_words) - 2):
        if tuple(question_words[i:i + 3]) not in grams:
            continue
        n = 3
        joined = " " + " ".join(have) + " "
        while i + n < len(question_words) and (" " + " ".join(question_words[i:i + n + 1]) + " ") in joined:
            n += 1
        best = max(best, n)
    return min(PHRASE_MAX, PHRASE_STEP * (best - 2)) if best >= 3 else 0.0


# "… liệt kê tại Điều 5 của Quy chế này", "theo khoản 2 Điều 9": a unit that sends the reader to another article
_SAME_DOC_REF = re.compile(r"\b(?:tại|theo|ở|in|under)\s+(?:khoản\s+\d+\s+|clause\s+\d+\s+of\s+)?(?:Điều|Article)\s+(\d{1,3})"
                           r"(?:\s*\(\d+\))?(?=\s+(?:của\s+)?(?:Quy\s+chế|Quy\s+định|Hướng\s+dẫn|Kế\s+hoạch)\s+này|\s+này"
                           r"|\s+of\s+this|[.;,]|\s*$)", re.I)
REFERENCE_UNITS = 2  # units quoted from an article the chosen quote refers to


def _references(chosen: list, cands: list, hits: list) -> list:
    """Units of the articles a chosen quote refers to, when the passages hold them (same document)."""
    out: list = []
    for c in list(chosen):
        src = hits[c[1]].source
        for num in _SAME_DOC_REF.findall(c[3].text):
            target = [k for k, h in enumerate(hits) if h.source == src and h.article == num and k != c[1]]
            if not target:
                continue
            pool = sorted((x for x in cands if x[1] in target and x not in chosen + out), key=lambda x: (-x[0], x[1], x[2]))
            out.extend(pool[:REFERENCE_UNITS])
    return out


# a rule's scope ("Hướng dẫn này áp dụng cho …", "This guidance applies to …") and what it leaves out
_SCOPE = re.compile(r"(?:áp\s+dụng\s+(?:cho|đối\s+với)|phạm\s+vi\s+điều\s+chỉnh|applies\s+to|apply\s+to|scope)", re.I)
_EXCLUSION = re.compile(r"(?:không\s+(?:áp\s+dụng|thuộc\s+phạm\s+vi)|ngoài\s+phạm\s+vi|outside\s+(?:this|the|its)|"
                        r"does\s+not\s+apply|do\s+not\s+apply|not\s+covered)", re.I)


def _exclusions(chosen: list, cands: list) -> list:
    """The exclusion clause of a scope article quoted for its scope ("… không thuộc phạm vi hướng dẫn này;
    người dân liên hệ Phòng Tư pháp"): a scope quoted without what it leaves out tells a reader in the excluded
    case that the rule is theirs."""
    out: list = []
    for c in list(chosen):
        if not _SCOPE.search(c[3].full) or _EXCLUSION.search(c[3].full):
            continue
        extra = next((x for x in cands if x[1] == c[1] and x not in chosen + out and _EXCLUSION.search(x[3].full)), None)
        if extra is not None:
            out.append(extra)
    return out


# the legal basis a document opens with ("Căn cứ Nghị định …", "Thực hiện kết luận của Chủ tịch …", "Pursuant to
# …"): it says why the document exists, not what it rules, also when the document has no articles
_BASIS = re.compile(r"\s*(?:Căn\s+cứ|Pursuant\s+to|Thực\s+hiện\s+(?:kết\s+luận|Kế\s+hoạch|Quyết\s+định|Công\s+văn|"
                    r"Chỉ\s+thị|Nghị\s+quyết|Thông\s+báo|ý\s+kiến))", re.I)


def _bare(text: str) -> str:
    """Folded words only: "**Cuộc họp giao ban …**" -> "cuoc hop giao ban …"."""
    return " ".join(words(text))


PREAMBLE_PRIOR = 0.5  # a document's opening lines (title, "Căn cứ …") rarely hold the answer
TITLE_PRIOR = 0.5  # the title line itself names the subject and answers nothing (0.25 quoted weaker units on a walk)
PART_MIN = 0.5  # a part of a multi-part question gets its own quote when a unit covers this share of it
PART_MIN_QUOTED = 0.25  # ... or this share when the unit is in a passage already quoted (no new citation)
PART_BETTER = 1.2  # ... and covers it clearly better than the quotes already chosen


RESIDUAL_MIN = 0.25  # share of the passage's missing question words a unit must hold (dev: 0.25 > 0.4 > 0.6)


def _residual(terms: list[str], chosen: list, cands: list, df, alts, wanted) -> list:
    """A unit of the quoted passage that holds what the question asks and the question's words the chosen
    quotes lack ("… nộp online thì lệ phí bao nhiêu": the 100.000-đồng clause, then the online one)."""
    if not chosen or len(chosen) >= QA_MAX_SENTENCES or not wanted:
        return []
    shown = " ".join(c[3].full for c in chosen)
    same = [c for c in cands if c[1] == chosen[0][1] and c not in chosen]
    passage = " ".join(c[3].full for c in same)
    # the question's words the quotes lack that this passage has (a word no passage has cannot be quoted)
    missing = [t for t in dict.fromkeys(terms) if coverage([t], shown, df, alts=alts) == 0
               and coverage([t], passage, df, alts=alts) > 0]
    if not missing:
        return []
    gain_of = {id(c): coverage(missing, c[3].full, df, alts=alts) for c in same if any(a(c[3].full) for a in wanted)}
    pool = [c for c in cands if gain_of.get(id(c), 0.0) >= RESIDUAL_MIN]
    return pool[:1]


def _for_parts(query: str, hits: list, df, chosen: list) -> list:
    """For a question asking several things, the best unit for each part the chosen quotes do not cover."""
    from assistant.answer.question import asked_parts

    several = asked_parts(query)
    if len(several) <= 1:
        return []
    out: list = []
    for p in several:
        pt, want, pw = content_terms(topic(p)) + glossary_terms(p), asks(p), words(topic(p))  # + its Vietnamese words

        def score(u):
            return (coverage(pt, u.full, df) + phrase_bonus(pw, u.full)
                    + (TYPE_BONUS if any(a(u.full) for a in want) else 0.0))
        have = max((score(c[3]) for c in chosen + out), default=0.0)
        best = max(((score(u), i, u) for i, h in enumerate(hits) for u in _units(h)), key=lambda x: x[0], default=None)
        quoted = {c[1] for c in chosen + out}  # a unit of a passage already quoted adds no citation: a lower bar
        if (best and best[0] >= (PART_MIN_QUOTED if best[1] in quoted else PART_MIN) and best[0] > PART_BETTER * have
                and (not want or any(a(best[2].full) for a in want))  # "… mất bao lâu" is answered by a deadline
                and not any(c[1] == best[1] and c[3].order == best[2].order for c in chosen + out)):
            out.append((best[0], best[1], best[2].order, best[2]))
    return out


_DOC_NUMBER = re.compile(r"\b\d{1,4}(?:/\d{4})?/[A-ZĐ][A-ZĐ-]*\b")


def doc_number(hit) -> str:
    """The document's number ("12/HD-UBND"), shared by a document and its translation ("" when none)."""
    m = _DOC_NUMBER.search(str(getattr(hit, "breadcrumb", "") or "") or hit.text[:200])
    return m.group(0) if m else ""


def glossary_terms(query: str, exact: bool = False) -> list[str]:
    """An English question's words in Vietnamese (``prompts/glossary.yaml``), to match Vietnamese passages;
    terms per glossary entry (no bigram across two entries)."""
    from assistant.glossary import split_en
    from assistant.retrieval import query_lang

    if query_lang(query) != "en":
        return []
    return [t for v in split_en(topic(query))[0] for t in content_terms(v, exact)]


REFERENCED_MAX = 3  # articles fetched because a top passage refers to them ("báo cáo theo Điều 11")


def referenced(hits: list, fetch) -> list:
    """The articles of the same document the top passages refer to and the search did not return
    (``fetch(source, article) -> hits``), so a quote saying "report it under Article 11" can show Article 11."""
    out: list = []
    have = {(h.source, str(h.article)) for h in hits}
    for h in hits[:QA_TOP_HITS]:
        for num in _SAME_DOC_REF.findall(h.text):
            if (h.source, num) in have or len(out) >= REFERENCED_MAX:
                continue
            have.add((h.source, num))
            out += fetch(h.source, num)
    return out


def qa(query: str, hits: list, lang: str, df: DocFreq | None, embedder=None, fetch=None) -> tuple[str, list]:
    """Quote the best legal unit (and close seconds from the same passage) of the top passages.

    Units are clauses, list items with their lead-in, paragraphs and table rows
    (``assistant.answer.units``), so a quote never stops before the value it
    introduces. A unit's score mixes its own coverage of the question's terms
    (lead-in included) with its passage's (the article heading and neighbours
    give context), a bonus when it holds the kind of fact asked for (a
    deadline, an amount, a unit), and a small prior for the retrieval rank.
    Quotes come from one passage only: citing several near-duplicates lowers
    precision without helping the reader. Long units are trimmed around the
    best-matching piece.
    """
    from assistant.answer.question import everyday_words, kind_words
    from assistant.answer.relevance import cross_language
    from assistant.retrieval import query_lang

    quoted_kinds = [k for k in question_types(query) if k in TITLED_QUOTE]
    by_heading = titled_by(query)
    titled = {i for i, h in enumerate(hits) if by_heading and by_heading(h)}
    # the top passages, and any other whose article heading names what is asked (relevance.titled_articles)
    top = [(i, h) for i, h in enumerate(hits) if i < QA_TOP_HITS or i in titled]
    base_terms = content_terms(topic(query))
    # + the words a rule uses for what is asked, in the passage's language ("thời hạn" for "bao lâu", "how long")
    kind_terms = {lang_: content_terms(kind_words(query, lang_ == "vi")) for lang_ in ("vi", "en")}
    qwords = words(topic(query))
    wanted = asks(query)
    vi_terms = glossary_terms(query)
    alts = everyday_words(query)
    cands: list[tuple[float, int, int, Unit]] = []  # (score, hit index, order, unit)
    # when a top passage is in the question's language, the reader is quoted in it if it answers as well:
    # a passage in the other language (the twin of a translated document) counts a little less
    vi_question = query_lang(query) == "vi"
    twins = {doc_number(h) for _, h in top if ((h.metadata or {}).get("lang") != "en") == vi_question} - {""}
    fetched = referenced(hits, fetch) if fetch is not None else []  # only quoted as what a chosen quote refers to
    ref_cands: list[tuple[float, int, int, Unit]] = []
    # a Vietnamese passage for an English question is scored as relevance scores it: each glossary entry found
    # once, through any of its Vietnamese alternatives, times the share of the question the glossary knows
    # (dev: more facts quoted from Vietnamese-only documents)
    kind_vi = kind_words(query, True)
    across = None if vi_question else cross_language(query, df, True, [[kind_vi]] if kind_vi else None)
    for i, h in top + list(enumerate(fetched, start=len(hits))):
        vi_passage = (h.metadata or {}).get("lang") != "en"
        terms = base_terms + (vi_terms if vi_passage else []) + kind_terms["vi" if vi_passage else "en"]

        # (a Vietnamese passage whose English translation is also in the top passages is scored on the flat
        # terms still: the reader is quoted in the translation)
        crossed = across is not None and vi_passage and doc_number(h) not in twins

        def cov(text: str, terms=terms, crossed=crossed) -> float:
            if crossed:
                return across(text)
            return coverage(terms, text, df, alts=alts)
        ccov = cov(h.text)
        prior = ((1.0 - RANK_PRIOR * min(i, TITLED_RANK if i in titled else i))
                 * (PREAMBLE_PRIOR if (h.metadata or {}).get("kind") == "preamble" else 1.0)
                 * (OTHER_LANGUAGE_PRIOR if vi_passage != vi_question and doc_number(h) in twins else 1.0))
        if i in titled:
            ccov += HEADING_BONUS  # "Điều 8. Thời hạn giải quyết yêu cầu" for "… trong bao lâu?"
        title = _bare(str((h.metadata or {}).get("title") or ""))
        for u in _units(h):
            v = SENTENCE_WEIGHT * cov(u.full) + (1 - SENTENCE_WEIGHT) * ccov + phrase_bonus(qwords, u.full)
            if any(a(u.full) for a in wanted):
                v += TYPE_BONUS
            # the document's title line ("Cuộc họp giao ban … tuần 40") repeats what the question is about and
            # answers nothing
            own_prior = (TITLE_PRIOR if title and len(bare := _bare(u.full)) > 8 and bare in title
                         else PREAMBLE_PRIOR if _BASIS.match(u.full) else 1.0)  # its legal basis: as the opening
            (cands if i < len(hits) else ref_cands).append((v * prior * own_prior, i, u.order, u))
    if not cands:
        return t("answers.offline_intro", lang), hits[:QA_TOP_HITS]
    if max(c[0] for c in cands) <= 0 and embedder is not None:
        # no shared term (e.g. a question in another language): rank by embedding similarity
        vecs = embedder.encode([query] + [c[3].full for c in cands])
        sims = vecs[1:] @ vecs[0]
        cands = [(float(sim) * (1.0 - RANK_PRIOR * c[1]), c[1], c[2], c[3]) for sim, c in zip(sims, cands)]
    cands.sort(key=lambda c: (-c[0], c[1], c[2]))
    best = cands[0]
    chosen = [best] + [c for c in cands[1:] if c[1] == best[1] and c[0] >= CLOSE * best[0]][: QA_MAX_SENTENCES - 1]
    # a question asking two things ("bao nhiêu ký tự và đổi sau bao nhiêu ngày"): the best unit for what
    # the chosen ones do not answer yet, from the top passages
    for a in asks(query, complement=True):
        if len(chosen) >= QA_MAX_SENTENCES or any(a(c[3].full) for c in chosen):
            continue
        extra = next((c for c in cands if c not in chosen and a(c[3].full) and c[0] >= COMPLEMENT * best[0]), None)
        if extra is not None:
            chosen.append(extra)

    def own(text: str) -> float:  # coverage of the question's own words (no kind words)
        return coverage(base_terms + vi_terms, text, df, alts=alts)

    # the article whose heading names what is asked ("Thời hạn giải quyết yêu cầu" for "… trong bao lâu?")
    # is quoted too when it scores as close as a second quote, so a deadline question is not answered from
    # another article only
    if quoted_kinds and not any(c[1] in titled for c in chosen):
        extra = next((c for c in cands if c[1] in titled and c[0] >= CLOSE * best[0]
                      and any(a(c[3].full) for a in wanted)), None)
        if extra is not None and own(extra[3].full) >= COMPLEMENT * own(best[3].full):  # ... on its own words too
            chosen.append(extra)
    chosen += _for_parts(query, hits, df, chosen)
    chosen += _residual(base_terms + vi_terms, chosen, cands, df, alts, wanted)
    hits = hits + fetched
    chosen += _references(chosen, cands + ref_cands, hits)
    chosen += _exclusions(chosen, cands)

    def piece_score(piece: str) -> float:
        return own(piece) + (TYPE_BONUS if any(a(piece) for a in wanted) else 0.0)

    lines = [t("answers.offline_intro", lang), ""]
    for i in sorted({c[1] for c in chosen}):
        quote = render_units([c[3] for c in chosen if c[1] == i], piece_score)
        lines.append(f"- {_quote(quote)} [{i + 1}]")
    return "\n".join(lines), hits[:max(QA_TOP_HITS, max(c[1] for c in chosen) + 1)]


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


FOCUS_WEIGHT = 0.5  # how much the request ("… mỗi bước ghi thời hạn") steers a summary, beside centrality


def summarize(hits: list, lang: str, embedder, length: str = "medium", focus: str = "") -> tuple[str, list]:
    """Key units per article: central to the article and the document, diverse (MMR), and — when the request
    says what it wants (``focus``) — covering its terms and holding the kind of fact it asks for."""
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
    if focus:
        terms, wanted = content_terms(topic(focus)), asks(focus)
        steer = np.array([coverage(terms, s + " " + str(hits[i].metadata.get("article_title") or ""), None)
                          + (TYPE_BONUS if any(a(s) for a in wanted) else 0.0) for i, s in units], dtype=np.float32)
        doc_central = doc_central + FOCUS_WEIGHT * steer
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


# ---------------------------------------------------------------- plain language
PLAIN_PASSAGES = 2  # passages of chosen documents shown for a plain-language rewrite


def plain_language(hits: list, lang: str, question: str = "", whole: bool = False,
                   documents: bool = False) -> tuple[str, list]:
    """The original text to rewrite by hand: chosen articles whole (``whole``); of whole ``documents``, the
    passages the request is about; of a search, the best passage."""
    if whole:
        top = list(hits)
    elif documents and question and len(hits) > 1:
        terms = content_terms(topic(question))
        body = [(coverage(terms, h.text, None), n) for n, h in enumerate(hits)
                if (h.metadata or {}).get("kind") not in ("preamble", "closing")]
        keep = sorted(n for _, n in sorted(body, key=lambda x: (-x[0], x[1]))[:PLAIN_PASSAGES]) or [0]
        top = [hits[n] for n in keep]
    else:
        top = hits[:1]
    lines = [t("answers.offline_plain_language", lang), ""]
    for i, h in enumerate(top):
        for s in sentences(h.passage):
            s = re.sub(r"^#+\s*", "", s).strip("* ")
            lines.append(f"> **{s}**" if is_heading(s) else f"> {s} [{i + 1}]")
    return "\n".join(lines), top
