"""Sentences and content terms of Vietnamese (and English) administrative text."""
from __future__ import annotations

import math
import re
import threading

from assistant.textnorm import STOP_UNIGRAMS, fold, nfc_lower

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_POSSESSIVE = re.compile(r"(?<=[a-z])['’]s\b")  # "citizen's" -> "citizen"
# question words and fillers that carry no topic (folded forms)
_QUESTION_LIST = """nào gì đâu bao nhiêu lâu mấy sao thế ai khi muốn cần tôi em anh chị xin hỏi hãy cho biết
    vậy thì còn đó này kia ra sao như là có được không phải những các và của một lúc lỡ mình
    what which who whom whose when where why how much many does do did is are was were can could should would will
    i you we they it me my our your their his her please tell about there any have has had be been get
    am she him us its if must not under into other whether before instead want take ask asks""".split()
# not "so", "them", "he", "may": folded, they are "số", "thêm", "hè", "máy"
_QUESTION_WORDS = {fold(w) for w in _QUESTION_LIST}
_STOP = {fold(w) for w in STOP_UNIGRAMS} | _QUESTION_WORDS
# function words that stop only as written with their diacritics: folded, they are content words ("đang" is
# "dang" as in "đăng ký", "rồi" is "roi" as in "rơi", "sẽ" is "se" as in "chia sẻ")
_EXACT_ONLY = "rồi sẽ đang mà nếu cũng nữa vẫn rất đều ơi nhỉ chứ".split()
_STOP_EXACT = {nfc_lower(w) for w in list(STOP_UNIGRAMS) + _QUESTION_LIST + _EXACT_ONLY}  # with diacritics: "từ" stops, "tử" does not
# sentence ends; never a colon: what follows it is the value ("xác nhận tình trạng hôn nhân: 03 ngày làm việc")
_SENT_END = re.compile(r"(?<=[^\W\d_][.!?;])\s+(?=[\"“(\[]?[A-ZÀ-ỸĐ0-9])")
_HEAD = re.compile(r"^(?:#+\s*)?(Điều|ĐIỀU|Article|ARTICLE|Chương|CHƯƠNG|Chapter|Mục|MỤC|Phần|PHẦN)\s+[\dIVXLC]+")
_ITEM = re.compile(r"^\s*(?:\d{1,3}\.|[a-zđ]\)|[-*•+])\s+")


# ---------------------------------------------------------------- what a question is about
# personal data the input guard replaced ([CCCD_1], [HỌ_TÊN_2]): not a topic
PLACEHOLDER = re.compile(r"\[[^\W\d_][^\W\d]*?_\d+\]")
_HONORIFIC = r"(?:Ông|Bà|Anh|Chị|Cô|Chú|Bác|Em|Cháu|Mr|Mrs|Ms|Miss|Dr|ông|bà|anh|chị|cô|chú|bác|em|cháu)"
_CAP = r"[A-ZĐÀ-ỸẠ-Ỹ][^\W\d_]*"
_FAMILY = ("Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Ngô Dương Lý Đinh Trịnh Mai Đào Cao Lương "
           "Nguyen Tran Le Pham Hoang Huynh Vu Vo Dang Bui Do Ngo Duong Ly Dinh Trinh Dao").split()
# "Bà Trần Thị Mai", "Mrs Nguyen Thi Lan", "Nguyễn Văn Nam": a person, not what the question is about
_NAME = re.compile(rf"\b{_HONORIFIC}\.?\s+(?:{_CAP})(?:\s+{_CAP}){{0,3}}|\b(?:{'|'.join(_FAMILY)})(?:\s+{_CAP}){{1,3}}"
                   rf"|\b{_HONORIFIC}\s+(?=\[[^\]]+_\d+\])|\b{_HONORIFIC}\s+ấy\b")  # "Bà [NAME_1]", "bà ấy"
_LONG_NUMBER = re.compile(r"(?<![\w/])\+?\d[\d .\-]{7,}\d(?![\w/])")  # phone and ID numbers
# a person's details around the question: "sinh ngày 01/01/1990", "ở số 0 đường Mẫu, phường Tân Mỹ"
_DETAILS = re.compile(r"\b(?:sinh\s+ngày|ngày\s+sinh|born(?:\s+on)?)\s*(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\[[^\]]+\])?"
                      r"|\b(?:ở|tại|địa\s+chỉ|trú\s+tại|living\s+at)\s+(?:số\s+)?\d+\w*\s+(?:[^\s,]+\s+){0,3}?(?:đường|phố|ngõ|street|road)[^,.;?]*"
                      r"(?:,\s*(?:phường|xã|quận|huyện)\s+[^,.;?]*|,\s*[^,.;?]*\b(?:Ward|District))?", re.I)
# greetings, thanks and politeness (vi, en): phrases, so that "nhạy cảm" keeps its "cảm"
_POLITE = re.compile(
    r"\b(?:xin\s+chào|chào\s+(?:anh|chị|em|bạn|ông|bà|cô|chú|các\s+bạn|mọi\s+người)|chào|dạ|thưa\s+(?:anh|chị|ông|bà|cô|chú)|"
    r"(?:xin\s+)?cảm\s+ơn(?:\s+(?:anh\s+chị|anh|chị|em|bạn|ông|bà|nhiều|rất\s+nhiều))*|làm\s+ơn|vui\s+lòng|"
    r"cho\s+(?:em|mình|tôi|tớ|cháu)\s+hỏi(?:\s+(?:với|chút|một\s+chút|ạ))?|giúp\s+(?:em|mình|tôi)\s+với|"
    r"nhé|nha|ạ|hi\s+there|hello|hi|good\s+(?:morning|afternoon|evening)|thanks?(?:\s+you)?(?:\s+very\s+much)?|"
    r"please|kindly|dear\s+\w+|here)\b[,!.]?", re.I)


# how to answer, not what about: "Trích điều, khoản cho từng ý", "Trả lời bằng bảng", "Cite the articles"
_INSTRUCTION = re.compile(
    r"(?:hãy\s+)?(?:trích(?:\s+dẫn)?|ghi(?:\s+rõ)?|nêu(?:\s+rõ)?|dẫn)\s+(?:(?:đúng|rõ)\s+)?(?:điều,?\s*khoản|điều\s+khoản|nguồn|căn\s+cứ)"
    r"(?:\s+(?:cho|của|sau|ở)\s+(?:từng|mỗi)\s+(?:ý|câu|dòng|nội\s+dung))?"
    r"|trả\s+lời\s+(?:bằng|thành|dưới\s+dạng|theo)\s+(?:bảng|danh\s+sách|gạch\s+đầu\s+dòng|từng\s+ý)(?:\s+(?:có\s+)?đánh\s+số)?"
    r"(?:,?\s+(?:mỗi|từng)\s+ý(?=\s+(?:ghi|trích|nêu|dẫn)))?"
    r"|(?:please\s+)?(?:cite|give|quote|name|state)\s+(?:the\s+)?(?:articles?|clauses?|sources?|provisions?)"
    r"(?:\s+and\s+(?:the\s+)?(?:clauses?|articles?))?(?:\s+for\s+each\s+(?:point|item|answer))?"
    r"|answer\s+(?:as|in|with)\s+an?\s+(?:numbered\s+|bulleted\s+)?(?:table|list)"
    r"(?:,?\s+each\s+(?:point|item)\s+with\s+its\s+articles?(?:\s+and\s+clauses?)?)?", re.I)


def topic(question: str) -> str:
    """The question without what does not say what it is about: placeholders, people's names, phone and ID
    numbers, greetings, thanks and politeness ("Bà Trần Thị Mai, CCCD 031189035801, hỏi thủ tục đăng ký khai
    sinh cần giấy tờ gì?" -> "hỏi thủ tục đăng ký khai sinh cần giấy tờ gì?")."""
    text = _NAME.sub(" ", question or "")
    text = PLACEHOLDER.sub(" ", text)
    text = _DETAILS.sub(" ", text)
    text = _LONG_NUMBER.sub(" ", text)
    text = _POLITE.sub(" ", text)
    text = _INSTRUCTION.sub(" ", text)
    text = re.sub(r"\b(?:(?:số\s+)?(?:CCCD|CMND|căn\s+cước)|số\s+điện\s+thoại|điện\s+thoại|SĐT|phone|ID\s+number)\b", " ", text,
                  flags=re.I)
    return re.sub(r"\s+", " ", text).strip(" ,.;")


def _stem(w: str) -> str:
    # English plurals ("parents" -> "parent"); Vietnamese syllables never end in "s"
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss") and w.isascii():
        return w[:-1]
    return w


# old-style tone placement ("hoà", "thuỷ", "khoẻ") written the new way ("hòa", "thủy", "khỏe"), so both match
_OLD_TONE = {"oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe",
             "oẹ": "ọe", "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy"}
_OLD_TONE_RE = re.compile(r"(?<!q)(" + "|".join(_OLD_TONE) + r")$")
_MARKS = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]")


def has_marks(text: str) -> bool:
    """Whether ``text`` is written with Vietnamese diacritics (then "khai tử" is not "khai sinh"'s neighbour "từ")."""
    return bool(_MARKS.search(nfc_lower(text or "")))


def _exact(w: str) -> str:
    return _OLD_TONE_RE.sub(lambda m: _OLD_TONE[m.group(1)], w)


# the stop words as ``words`` gives them: "does" is "doe" after the plural rule
_STOP |= {_stem(w) for w in _STOP}
_STOP_EXACT |= {_stem(w) for w in _STOP_EXACT}


def words(text: str, exact: bool = False) -> list[str]:
    """Lower-cased syllables/words (English plurals stripped): accent-folded, or with their diacritics (``exact``)."""
    toks = _WORD.findall(_POSSESSIVE.sub('', nfc_lower(text)))
    return [_stem(_exact(w) if exact else fold(w)) for w in toks]


def stop_word(word: str) -> bool:
    """A question or function word ("từ" is one, "tử" is not; "tu", typed without marks, is)."""
    w = _stem(_exact(nfc_lower(word)))
    return w in _STOP_EXACT if _MARKS.search(w) else fold(w) in _STOP


_CLAUSE_BREAK = re.compile(r"[,.;:!?…]+(?=\s|$)|[()\[\]\n\"“”]")


def question_terms(text: str, exact: bool = False) -> list[str]:
    """``content_terms`` of a question, its syllable pairs taken inside each clause only: "… lãnh đạo, giờ máy
    …" asks nothing about "đạo giờ" (a passage keeps its pairs across commas: "ngày, tháng, năm")."""
    uni, pairs = [], []
    for clause in _CLAUSE_BREAK.split(text):
        for term in content_terms(clause, exact):
            (pairs if "_" in term else uni).append(term)
    return uni + pairs


def content_terms(text: str, exact: bool = False) -> list[str]:
    """Topic-bearing terms: syllables that are not stop/question words, and bigrams of them; folded, or with
    their diacritics when ``exact`` (a word written without them stays as written, and so does a bigram with
    such a word, folded: "mo cua" still finds "mở cửa")."""
    ws = words(text, exact)
    stop = [w in (_STOP_EXACT if exact and _MARKS.search(w) else _STOP) for w in ws]
    out = [w for w, st in zip(ws, stop) if not st and (len(w) > 1 or w.isdigit())]
    for (a, sa), (b, sb) in zip(zip(ws, stop), zip(ws[1:], stop[1:])):
        if not sa and not sb:
            out.append(a + "_" + b if not exact or (_MARKS.search(a) and _MARKS.search(b)) else fold(a) + "_" + fold(b))
    return out


def text_terms(text: str, exact: bool = False) -> set[str]:
    """The terms a passage offers to a question's terms: with ``exact``, both with and without diacritics."""
    return set(content_terms(text, True)) | set(content_terms(text, False)) if exact else set(content_terms(text))


def sentences(text: str) -> list[str]:
    """Split a passage into sentences; list items (1., a), -) and lines are kept whole."""
    lines: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        # a line wrapped by PDF extraction continues the previous one when it starts in lower case
        if (lines and line[:1].islower() and not _ITEM.match(line) and not _HEAD.match(lines[-1])
                and not lines[-1].endswith((".", "!", "?", ";", ":"))):
            lines[-1] += " " + line
        else:
            lines.append(line)
    out: list[str] = []
    for line in lines:
        for s in _SENT_END.split(line):
            s = s.strip()
            if s:
                out.append(s)
    return out


def strip_item(s: str) -> str:
    return _ITEM.sub("", s).strip()


class DocFreq:
    """Document frequencies of content terms over the indexed chunks (built once per lexical index)."""

    def __init__(self, texts: list[str]):
        self.n = len(texts)
        self._texts = texts
        self.df = self._count(texts, exact=False)
        self._df_exact: dict[str, int] | None = None

    @staticmethod
    def _count(texts: list[str], exact: bool) -> dict[str, int]:
        df: dict[str, int] = {}
        for t in texts:
            for term in set(content_terms(t, exact)):
                df[term] = df.get(term, 0) + 1
        return df

    @property
    def df_exact(self) -> dict[str, int]:
        """Document frequencies of the terms with their diacritics (counted on first use)."""
        if self._df_exact is None:
            self._df_exact = self._count(self._texts, exact=True)
        return self._df_exact

    def count(self, term: str, exact: bool = False) -> int:
        """Chunks holding ``term``; with ``exact``, a term with diacritics is counted as written."""
        if not exact or not _MARKS.search(term):
            return self.df.get(term, 0)
        if not self._texts and self.df:  # merged from other counts (sources.MultiSource): folded counts
            return self.df.get("_".join(fold(x) for x in term.split("_")), 0)
        return self.df_exact.get(term, 0)

    def idf(self, term: str, exact: bool = False) -> float:
        return math.log((self.n + 1) / (self.count(term, exact) + 0.5))


_DF_CACHE: dict[int, DocFreq] = {}
_DF_LOCK = threading.Lock()


def doc_freq(lexical) -> DocFreq:
    """The DocFreq of a LexicalIndex (cached by identity; a reloaded index gets a new one)."""
    key = id(lexical)
    with _DF_LOCK:
        d = _DF_CACHE.get(key)
        if d is None or d.n != len(lexical.texts):
            d = _DF_CACHE[key] = DocFreq(list(lexical.texts))
            if len(_DF_CACHE) > 8:
                _DF_CACHE.pop(next(iter(_DF_CACHE)))
        return d


BIGRAM_WEIGHT = 0.5  # a syllable pair may straddle two words ("hồ sơ | khai sinh"): half weight
UNSEEN_WEIGHT = 1.0  # a term the corpus never uses keeps its (highest) IDF; 1.5 sank answerable questions (dev)


def term_weight(term: str, df: DocFreq | None, exact: bool = False) -> float:
    w = df.idf(term, exact) if df else 1.0
    if "_" in term:
        w *= BIGRAM_WEIGHT
    if df is not None and df.count(term, exact) == 0:
        w *= UNSEEN_WEIGHT
    return w


def coverage(query_terms: list[str], text: str, df: DocFreq | None, scale: dict[str, float] | None = None,
             exact: bool = False, alts: dict[str, list[set[str]]] | None = None) -> float:
    """Weighted share of the query's terms found in ``text`` (0..1): IDF, halved for bigrams (``scale``: a factor
    per term, e.g. less for a product name; ``exact``: the terms keep their diacritics; ``alts``: per folded
    term, the term sets that stand in for it, ``glossary.alternatives``: "qua mạng" is found in "trực tuyến")."""
    q = list(dict.fromkeys(query_terms))
    if not q:
        return 0.0
    have = text_terms(text, True) if (exact or alts) else text_terms(text)
    weights = [term_weight(t, df, exact) * (scale or {}).get(t, 1.0) for t in q]
    total = sum(weights) or 1.0

    got = sum(w for t, w in zip(q, weights) if t in have)
    return (got + _stand_in_credit([(t, w) for t, w in zip(q, weights) if t not in have], have, df, alts)) / total


def _stand_in_credit(missing: list[tuple[str, float]], have: set[str], df: DocFreq | None,
                     alts: dict[str, list[set[str]]] | None) -> float:
    """The weight credited to the question's terms ``missing`` from a passage through stand-in phrases: a
    stand-in found in the passage is evidence once, as strong as its own rarity, however many of the
    question's terms it stands in for ("tỷ lệ" for the three terms of "phần trăm" counts as "tỷ lệ" once)."""
    groups: dict[frozenset, list[tuple[str, float]]] = {}
    for t, w in missing:
        for x in (alts or {}).get(fold(t), ()):
            if x <= have:
                groups.setdefault(frozenset(x), []).append((t, w))
    strength = {x: max(term_weight(a, df, True) for a in x) for x in groups}
    credited: set[str] = set()
    out = 0.0
    for x in sorted(groups, key=lambda g: -strength[g]):
        tw = [(t, w) for t, w in groups[x] if t not in credited]
        credited.update(t for t, _w in tw)
        out += min(sum(w for _t, w in tw), strength[x])
    return out
