"""Date expressions in news text, and their resolution against a reference day.

A small grammar, not a general temporal tagger: the forms news uses to date an event or a
statement ("March 18", "Feb. 26, 2013", "26 February", "Tuesday", "Tuesday, Feb 26",
"yesterday", "last week", "2013-02-26"). Resolution prefers the past: an expression without a
year is the latest such day on or before the reference, because news reports what happened.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
WEEKDAYS = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip
# days back from the reference for words that name a day by its distance
RELATIVE_DAYS = {
    "today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0,
    "yesterday": 1, "last night": 1, "last week": 7, "earlier this week": 2, "last month": 30,
}  # fmt: skip

_MONTH = r"(?P<{n}>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_DAY = r"(?P<{n}>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?P<{n}>(?:19|20)\d\d)"
# full weekday names, or abbreviations only with their period ("Tues."): "Sun" and "Sat" are words
_WEEKDAY = r"(?P<{n}>(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)\.)"
_MD = rf"{_MONTH.format(n='m1')}\s+{_DAY.format(n='d1')}(?![\d:]|\.\d)(?:,?\s+{_YEAR.format(n='y1')})?"
_DM = rf"{_DAY.format(n='d2')}\s+(?:of\s+)?{_MONTH.format(n='m2')}(?:,?\s+{_YEAR.format(n='y2')})?"
_ISO = r"(?P<iy>(?:19|20)\d\d)-(?P<im>0[1-9]|1[0-2])-(?P<id>0[1-9]|[12]\d|3[01])"
_REL = r"(?P<rel>(?i:today|tonight|yesterday|last\s+night|last\s+week|last\s+month|earlier\s+this\s+week|this\s+(?:morning|afternoon|evening)))"
_LAST_WD = r"(?P<{n}>(?i:last))\s+"

DATE_PATTERN = re.compile(
    rf"\b(?:{_ISO}"
    rf"|(?:(?:{_LAST_WD.format(n='last')})?{_WEEKDAY.format(n='wd')},?\s+)?(?:{_MD}|{_DM})"
    rf"|(?:{_LAST_WD.format(n='last2')})?{_WEEKDAY.format(n='wd2')}"
    rf"|{_REL})(?![\w-])"
)


@dataclass(frozen=True, slots=True)
class DateExpr:
    """A date expression as written, with the parts it names."""

    start: int
    end: int
    text: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    days_back: int | None = None  # "yesterday" is 1 day back from the reference
    strictly_before: bool = False  # "last Friday": not the reference day itself

    @property
    def is_explicit(self) -> bool:
        """Names a calendar day by itself (a year, month and day)."""
        return self.year is not None and self.month is not None and self.day is not None

    @property
    def names_day_of_month(self) -> bool:
        return self.month is not None and self.day is not None


def _month(word: str | None) -> int | None:
    return MONTHS.get(word.lower().rstrip(".")) if word else None


def _expr(m: re.Match[str], offset: int) -> DateExpr:
    g = m.groupdict()
    start, end, text = m.start() + offset, m.end() + offset, m.group(0)
    if g["iy"]:
        return DateExpr(start, end, text, int(g["iy"]), int(g["im"]), int(g["id"]))
    if g["rel"]:
        key = " ".join(g["rel"].lower().split())
        return DateExpr(start, end, text, days_back=RELATIVE_DAYS[key])
    month = _month(g["m1"] or g["m2"])
    day_s = g["d1"] or g["d2"]
    year_s = g["y1"] or g["y2"]
    wd = g["wd"] or g["wd2"]
    weekday = WEEKDAYS.get(wd.lower().rstrip(".")) if wd else None
    return DateExpr(
        start,
        end,
        text,
        year=int(year_s) if year_s else None,
        month=month,
        day=int(day_s) if day_s else None,
        weekday=weekday,
        strictly_before=bool(g["last"] or g["last2"]),
    )


def find_dates(text: str, offset: int = 0) -> Iterator[DateExpr]:
    """Every date expression in ``text``; offsets are shifted by ``offset``."""
    for m in DATE_PATTERN.finditer(text):
        expr = _expr(m, offset)
        if expr.month is not None and expr.day is not None and not _valid(expr.year or 2000, expr.month, expr.day):
            continue
        yield expr


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def resolve(expr: DateExpr, reference: date | None) -> date | None:
    """The day ``expr`` names, the latest one on or before ``reference`` when the text leaves it open.

    Without a reference only an explicit date (year, month, day) resolves.
    """
    if expr.is_explicit:
        assert expr.year is not None and expr.month is not None and expr.day is not None
        return date(expr.year, expr.month, expr.day)
    if reference is None:
        return None
    if expr.days_back is not None:
        return reference - timedelta(days=expr.days_back)
    if expr.month is not None and expr.day is not None:
        for year in (reference.year, reference.year - 1):
            if _valid(year, expr.month, expr.day) and date(year, expr.month, expr.day) <= reference:
                return date(year, expr.month, expr.day)
        return None
    if expr.weekday is not None:
        back = (reference.weekday() - expr.weekday) % 7
        if expr.strictly_before and back == 0:
            back = 7
        return reference - timedelta(days=back)
    return None
