"""What a question asks: its parts, the kind of value each part asks for (a time, an amount), the
procedure it names ("đăng ký khai tử") and the document words that stand in for its everyday ones
("nộp qua mạng" -> "trực tuyến"). Relevance (``relevance``) and the offline engine (``offline``) read a
question through these."""
from __future__ import annotations

import re

from assistant.answer.text import content_terms, has_marks, topic

# "đăng ký khai tử", "thủ tục ly hôn", "cấp hộ chiếu": what follows the verb names the procedure asked about
_PROCEDURE = re.compile(r"(?<!\w)(?:đăng\s+ký|dang\s+ky|thủ\s+tục|thu\s+tuc|xin\s+cấp|xin\s+cap|cấp\s+lại|cap\s+lai|"
                        r"cấp\s+đổi|cap\s+doi)(?!\w)", re.I)
_NEXT_TWO = re.compile(r"\s+([^\W\d_]+)\s+([^\W\d_]+)")


# a place the question names: "quận Hòa An", "phường Tân Mỹ", "Hoa An District('s)", "the district of Ben Song"
_PLACE_VI = re.compile(r"(?<!\w)(?:quận|phường|huyện|xã|thị\s+xã|thành\s+phố|tỉnh)\s+((?:[^\W\d_]+)(?:\s+[^\W\d_]+){0,3})", re.I)
_PLACE_EN = re.compile(r"((?:[A-Z][a-z]+\s+){1,3})(?:District|Ward|City|Province)\b|"
                       r"\b(?:district|ward|city|province)\s+of\s+((?:[A-Z][a-z]+)(?:\s+[A-Z][a-z]+){0,2})")
# a city or province (its rules apply to all its districts and wards)
_CITY = re.compile(r"(?:thành\s+phố|tỉnh)\s+([A-ZĐ]\S*(?:\s+[A-ZĐ]\S*)*)|"
                   r"([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*)\s+(?:City|Province)\b")
_NOT_PLACE = {"the", "in", "at", "on", "for", "of", "which", "what", "our", "my", "this", "that", "is", "does"}


def places(query: str) -> list[str]:
    """The names of the districts, wards and cities ``query`` names, as written ("Hòa An", "Hoa An")."""
    out = []
    for m in _PLACE_VI.finditer(query):
        name = []
        for w in m.group(1).split():
            if not w[0].isupper():
                break
            name.append(w)
        if name:
            out.append(" ".join(name))
    for m in _PLACE_EN.finditer(query):
        words_ = (m.group(1) or m.group(2) or "").split()
        while words_ and words_[0].lower() in _NOT_PLACE:
            words_ = words_[1:]
        if words_:
            out.append(" ".join(words_))
    return out


def place_mismatch(query: str, hits: list) -> tuple[list[str], list[str]] | None:
    """The question names a district, ward or city ("quận Hòa An", "Hoa An District") that no top passage (nor
    its document's title) names, and the top documents are another place's (their titles name one): the rules
    of another district do not answer for this one. A city-wide rule, whose title names no district or ward,
    applies to every one of them. Returns (the places asked about, the places of the documents) as written, or
    None."""
    from assistant.textnorm import fold

    def norm(name: str) -> str:
        return " ".join(fold(name.lower()).split())

    names = places(query)
    if not names:
        return None
    hay = " ".join(fold(f"{h.text} {(h.metadata or {}).get('title', '')}".lower()) for h in hits)
    missing = {norm(n): n for n in names if norm(n) not in hay}
    titles = [str((h.metadata or {}).get("title", "")) for h in hits]
    city = {norm(a or b) for a, b in _CITY.findall(" ".join(titles))}
    scoped = {norm(p): p for title in titles for p in places(title) if norm(p) not in city}
    others = [p for k, p in scoped.items() if k not in missing]
    return (list(missing.values()), others) if missing and others else None


VALUE_KINDS = ("money", "percent", "contact")  # kinds of fact a passage either states or does not


def missing_kind(query: str, hits: list) -> bool:
    """The question asks for an amount, a percentage or a phone number / e-mail, and no top passage states one:
    a rule on the same subject that gives no such figure does not answer "bao nhiêu phần trăm?"."""
    from assistant.answer.offline import has_type, question_types

    kinds = [k for k in question_types(query) if k in VALUE_KINDS]
    return bool(kinds) and not any(has_type(k, h.text) for k in kinds for h in hits)


def missing_procedure(query: str, hits: list, alts: dict | None = None) -> bool:
    """The question names a procedure ("đăng ký khai tử", "thủ tục đăng ký tạm trú") whose name no top
    passage holds: a rule on birth registration shares "đăng ký", "khai", "giấy tờ" with it and is still
    not about it."""
    from assistant.answer.text import stop_word, text_terms
    from assistant.textnorm import fold

    names = []
    text = topic(query)
    for v in _PROCEDURE.finditer(text):
        m = _NEXT_TWO.match(text, v.end())
        if not m:
            continue
        a, b = fold(m.group(1).lower()), fold(m.group(2).lower())
        if stop_word(m.group(1)) or stop_word(m.group(2)) or _PROCEDURE.match(m.group(1) + " " + m.group(2)):
            continue  # "thủ tục đăng ký …": the name comes after the second verb
        names.append(f"{a}_{b}")
    if not names:
        return False
    have = set()
    for h in hits:
        have |= text_terms(h.text)
    alts = alts or {}
    exact = text_terms(" ".join(h.text for h in hits), True) if alts else set()  # once, not per stand-in
    return any(n not in have and not any(x <= exact for x in alts.get(n, ())) for n in names)


def everyday_words(query: str) -> dict[str, list[set[str]]]:
    """The document words that stand in for the question's everyday ones (``prompts/paraphrases.yaml``)."""
    from assistant.glossary import alternatives
    from assistant.retrieval import query_lang

    if query_lang(query) != "vi":
        return {}  # an English question's words are widened by the English glossary
    return alternatives(topic(query))


# a question asking several things: "thời hạn … là bao lâu; photo tài liệu có mất tiền không; người 16 tuổi …?"
_PART_BREAK = re.compile(r"[?;]\s+|\s\(\d\)\s|\s\d\)\s")
_ENUM = re.compile(r"^\(?\d{1,2}\)\s*")  # "(2) dòng địa danh …": the part's own number is not what it asks
PART_TERMS = 2  # a part needs this many topic words to count on its own


def parts(query: str) -> list[str]:
    """The parts of a question that asks several things (one part when it asks one)."""
    text = topic(query)
    out = [_ENUM.sub("", p.strip(" ,.:;")).strip(" ,.:;") for p in _PART_BREAK.split(text)]
    out = [p for p in out if len([w for w in content_terms(p) if "_" not in w]) >= PART_TERMS]
    return out if len(out) > 1 else [text]


_ASKS_WORD = re.compile(r"\b(?:gì|nào|bao\s+nhiêu|bao\s+lâu|khi\s+nào|ở\s+đâu|mấy|ra\s+sao|thế\s+nào|what|which|how|when|"
                        r"where|who)\b", re.I)


def asked_parts(query: str) -> list[str]:
    """The things a question asks: its parts, each split again at "và"/"and" when both sides ask
    ("mất bao lâu và lệ phí bao nhiêu")."""
    out = []
    for p in parts(query):
        pieces = re.split(r",?\s+(?:và|and)\s+", p)
        out.extend(pieces if len(pieces) > 1 and all(_ASKS_WORD.search(x) for x in pieces) else [p])
    return out


# the words a rule uses for what a question asks ("mất bao lâu" -> "thời hạn"), added to a part's search
_KIND_WORDS = {"time": ("thời hạn", "time limit"), "money": ("lệ phí", "fee")}


def kind_words(part: str, vi: bool | None = None) -> str:
    """The words a rule uses for what ``part`` asks, when it does not use them itself ("" if none); in
    Vietnamese or English (``vi``; by default the question's own language)."""
    from assistant.answer.offline import question_types
    from assistant.answer.text import fold

    vi = has_marks(part) if vi is None else vi
    extra = [w[0 if vi else 1] for k, w in _KIND_WORDS.items() if k in question_types(part)]
    return " ".join(w for w in extra if fold(w) not in fold(part.lower()))


def expanded(part: str) -> str:
    """``part`` with the words a rule uses for what it asks, for the search."""
    extra = kind_words(part)
    return f"{part} {extra}".strip() if extra else part


# "Sửa câu chữ giúp tôi đơn này: <text>", "Please polish this application: <text>": the user asks for writing
# over a text they give, which no passage answers
_WRITE = re.compile(r"(?:sửa\s*(?:lại\s*)?câu\s*chữ|sửa\s*lại|chỉnh\s*sửa|viết\s*lại|soạn\s*lại|biên\s*tập|trau\s*chuốt|"
                    r"sửa\s*(?:giúp|hộ|giùm)|polish|rewrite|re-?word|proofread|edit|improve\s+the\s+wording)(?!\w)", re.I)
WRITE_LEAD = 80  # the request opens the message
WRITE_TEXT = 40  # and the text to work on follows a colon


def writing_text(query: str) -> str:
    """The text a message asks to have written or reworded ("Sửa câu chữ giúp tôi đơn này: <text>" -> <text>),
    or "" when it asks for what the documents say."""
    m = _WRITE.search(query[:WRITE_LEAD])
    if not m:
        return ""
    colon = query.find(":", m.end())
    body = query[colon + 1:].strip() if colon >= 0 else ""
    return body if len(body) >= WRITE_TEXT else ""
