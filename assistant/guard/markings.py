"""State-secret markings (Law on Protection of State Secrets 2018, No. 29/2018/QH14).

A marking is a *stamp*, not a word: "MẬT", "TỐI MẬT", "TUYỆT MẬT" standing alone on a line
(possibly boxed or bracketed, with decoration such as ``*``, ``|``, box-drawing characters),
a bracketed stamp at the start or end of a line, the field "Độ mật: …", and SECRET /
TOP SECRET / CONFIDENTIAL used the same way. Ordinary words ("mật khẩu", "mật độ", "mật ong",
"bí mật" in a sentence, "bảo mật thông tin", a sentence that *mentions* the stamp «Mật»)
are not markings.

Markings in prose — a text that *says* it is, or quotes from, a marked document ("đóng dấu TỐI MẬT",
"tài liệu mật của Sở, tóm tắt giúp tôi: …", "toi mat") — are found by :mod:`assistant.guard.markings_prose`
and reported here like a stamp; talk *about* the law and other senses of "mật" are not markings.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_LEVEL_VI = r"(?:TUYỆT\s+MẬT|TỐI\s+MẬT|MẬT)"
_LEVEL_EN = r"(?:TOP\s+SECRET|SECRET|CONFIDENTIAL|STRICTLY\s+CONFIDENTIAL)"
_LEVEL = rf"(?:{_LEVEL_VI}|{_LEVEL_EN})"
_DECOR = "\"'`*_=#~|+-–—·•:.[](){}<>«»“”‘’【】〔〕《》「」 \t" + "".join(chr(c) for c in range(0x2500, 0x2580))
# whole line is the stamp (optionally with a control suffix like "//NOFORN" or "(Mẫu số 01)")
_WHOLE = re.compile(rf"^{_LEVEL}(?:\s*//\s*[A-Z ,/]+)?$")
# bracketed stamp at the start or end of a line: "[MẬT] Báo cáo...", "... (TUYỆT MẬT)"
_BRACKETED_START = re.compile(rf"^\s*[\[(【〔<«《]\s*{_LEVEL}\s*[\])】〕>»》]")
_BRACKETED_END = re.compile(rf"[\[(【〔<«《]\s*{_LEVEL}\s*[\])】〕>»》]\s*$")
# the classification field: "Độ mật: Tối mật", "ĐỘ MẬT: MẬT", "Classification: SECRET"
_FIELD = re.compile(r"(?:(?<!\w)độ\s+mật|(?<!\w)classification)\s*[:：]\s*[\"'«“]?\s*(tuyệt\s+mật|tối\s+mật|mật|top\s+secret|secret|confidential)(?!\w)",
                    re.I)


@dataclass
class Marking:
    start: int
    end: int
    level: str
    score: float = 1.0


def _level_name(s: str) -> str:
    s = re.sub(r"\s+", " ", s.strip()).upper()
    return s


def find_markings(text: str) -> list[Marking]:
    text = unicodedata.normalize("NFC", text)
    out: list[Marking] = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        core = line.strip(_DECOR)
        if not core:
            continue
        if len(core) <= 40 and _WHOLE.match(core):
            off = line.find(core)
            out.append(Marking(start + off, start + off + len(core), _level_name(re.split(r"//", core)[0])))
            continue
        m = _BRACKETED_START.search(line) or _BRACKETED_END.search(line)
        if m:
            lv = re.search(_LEVEL, m.group(0))
            out.append(Marking(start + m.start(), start + m.end(), _level_name(lv.group(0))))
            continue
    for m in _FIELD.finditer(text):
        if not any(k.start <= m.start() < k.end for k in out):
            out.append(Marking(m.start(), m.end(), _level_name(m.group(1))))
    from assistant.guard.markings_prose import find_prose_markings

    for k in find_prose_markings(text):
        if not any(o.start < k.end and k.start < o.end for o in out):
            out.append(k)
    out.sort(key=lambda k: k.start)
    return out

