"""Dates as people type them, and the date line written out as Decree 30/2020/NĐ-CP sets it
(Phụ lục I, Mục II.4: a zero before days below 10 and before months 1 and 2, none before the others)."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from assistant.drafting.errors import DraftInputError, Wording

# Dates as people type them: day first (the Vietnamese order), or ISO year first, or in words.
DATE_FORMS = "20/11/2025, 20-11-2025, 20.11.2025, 2025-11-20, 20 tháng 11 năm 2025"
_DMY = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
_YMD = re.compile(r"(\d{4})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_WORDS = re.compile(r"(?:ngày\s*)?(\d{1,2})\s*tháng\s*(\d{1,2})\s*,?\s*năm\s*(\d{4})", re.IGNORECASE)
YEARS = (1900, 2100)


def parse_date(raw) -> dt.date:
    """A date as people type it (see ``DATE_FORMS``), or a date object; :class:`DraftInputError` otherwise."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    typed = " ".join(unicodedata.normalize("NFC", str(raw or "")).split())
    s = typed.strip().rstrip(".")
    for rx, order in ((_DMY, "dmy"), (_YMD, "ymd"), (_WORDS, "dmy")):
        m = rx.fullmatch(s)
        if m:
            a, b, c = (int(x) for x in m.groups()[:3])
            day, month, year = (a, b, c) if order == "dmy" else (c, b, a)
            break
    else:
        raise DraftInputError("bad_date", "date", value=typed, forms=DATE_FORMS)
    if not YEARS[0] <= year <= YEARS[1]:
        raise DraftInputError("no_such_date", "date", value=typed,
                              reason=Wording("drafting.input.reason.year", year=year, lo=YEARS[0], hi=YEARS[1]))
    if not 1 <= month <= 12:
        raise DraftInputError("no_such_date", "date", value=typed, reason=Wording("drafting.input.reason.month", month=month))
    try:
        return dt.date(year, month, day)
    except ValueError:
        last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
        raise DraftInputError("no_such_date", "date", value=typed,
                              reason=Wording("drafting.input.reason.day", day=day, month=month, year=year,
                                             last=last)) from None


def day_str(day: int) -> str:
    return f"{day:02d}"


def month_str(month: int) -> str:
    """Months 1 and 2 take a leading zero (so "tháng 01" cannot be read as "tháng 10"), others not."""
    return f"{month:02d}" if month <= 2 else str(month)


def date_line(place: str, date: dt.date) -> str:
    """``Place, ngày 05 tháng 01 năm 2026`` (Appendix I: zero before days below 10 and months 1, 2)."""
    return f"{place}, {date_words(date)}"


def date_words(date: dt.date) -> str:
    return f"ngày {day_str(date.day)} tháng {month_str(date.month)} năm {date.year}"
