"""An article's publication date from the best evidence it has, and where that date came from.

Evidence, in the order tried (``published_at_source``):

- ``metadata``: the source's own field (JSON, CSV); ``html``: a page's metadata or the date
  trafilatura's extractor (htmldate) found in it;
- ``dateline``: "LONDON, March 18 (Reuters) -" at the start of the body;
- ``text``: a day of the month in the lede ("said Tuesday, Feb 26"), only against an upper-bound
  context day (a landing folder or the run's ``--published-on``) and at most a day before it; a
  bare weekday ("on Sunday") is not enough: in a lede it dates the event, mostly the day before;
- ``path``: a date in the file's path or URL (``2013/02/26/``, ``2013-02-26``);
- ``landing``: the nightly landing folder the file sits in (``<YYYY-MM-DD>/``), less a day: stories
  land the morning after (``LANDING_LAG_DAYS``);
- ``run``: the run's ``published_on`` setting;
- ``none``: nothing dated the article.

A date without a year is resolved against the context day, preferring the past; no source may
give a day after its context (stories land the morning after, never before), nor one after the
run's own day.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from etl.records import CleanArticle
from etl.when.expressions import DateExpr, find_dates, resolve

logger = logging.getLogger(__name__)

SOURCES = ("metadata", "html", "dateline", "text", "path", "landing", "run", "none")
# formats whose reader takes the date from the page itself
HTML_FORMATS = frozenset({"html", "warc"})
# stories land the morning after their day: a landing folder dates its stories the day before
LANDING_LAG_DAYS = 1
# how far before its context day a lede date may fall and still date the article: a landing
# folder brackets its stories to that day and the day before; a lede date earlier is an event's
TEXT_WINDOW = timedelta(days=1)
# a dateline names the day of the story; one more than a month before its landing is another story
DATELINE_WINDOW = timedelta(days=31)
# paragraphs a dateline may open: the first, or the next after a headline kept in the body
DATELINE_PARAGRAPHS = 2
# the lede: the first paragraphs, up to this many characters
LEDE_CHARS = 400
# metadata may run ahead of the run's day by a time zone, no more
CLOCK_SKEW = timedelta(days=1)

_LANDING_PART = re.compile(r"^(?P<y>(?:19|20)\d\d)-?(?P<m>0[1-9]|1[0-2])-?(?P<d>0[1-9]|[12]\d|3[01])$")
_PATH_DATE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<sep>[-/_.])(?P<m>0[1-9]|1[0-2])(?P=sep)(?P<d>0[1-9]|[12]\d|3[01])(?!\d)"
)
_PLACE = r"[A-Z][A-Za-z.'’&-]*(?:\s+[A-Z][A-Za-z.'’&-]*){0,3}"
_DATELINE = re.compile(
    rf"^\s*(?:{_PLACE}(?:,\s*{_PLACE})?\s*(?:\([^)]{{1,40}}\))?\s*,\s*)?(?P<date>[^-–—:(]{{3,40}}?)\s*(?:\([^)]{{1,40}}\)\s*)?[-–—:]"
)
# a lede date governed by these names something to come, not the story's day
_FUTURE = re.compile(r"\b(?:will|won't|shall|'ll|going to|scheduled|expected to|plans? to|set to|next|until|upcoming)\b", re.I)
_CLAUSE_START = re.compile(r"[.,;:!?\"“”()\n]|\s[-–—]\s")
CLAUSE_WORDS = 8
_BOILERPLATE = re.compile(r"\b(?:updated|copyright|©|published|posted|last modified|\(c\))\b", re.I)


@dataclass(frozen=True, slots=True)
class DateContext:
    """What dates an article besides its own text: where it was read and the run's settings."""

    source_uri: str
    published_on: date | None = None
    run_date: date = field(default_factory=lambda: datetime.now(UTC).date())
    landing_lag_days: int = LANDING_LAG_DAYS


def landing_date(source_uri: str) -> date | None:
    """The last folder of the path named as a day (``<YYYY-MM-DD>/``): a nightly landing folder."""
    parts = source_uri.split("#", 1)[0].replace("\\", "/").split("/")[:-1]
    for part in reversed(parts):
        m = _LANDING_PART.match(part)
        if m and _day(m):
            return _day(m)
    return None


def path_date(*locations: str | None) -> date | None:
    """A publication date written in a path or URL (``/2013/02/26/``, ``2013-02-26_story``),
    not counting landing folders (a folder that is nothing but a date)."""
    for loc in locations:
        if not loc:
            continue
        parts = loc.split("#", 1)[0].replace("\\", "/").split("/")
        rest = "/".join(p for i, p in enumerate(parts) if i == len(parts) - 1 or not _LANDING_PART.match(p))
        for m in _PATH_DATE.finditer(rest):
            day = _day(m)
            if day is not None:
                return day
    return None


def _day(m: re.Match[str]) -> date | None:
    try:
        return date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None


def dateline_date(body: str, context: date | None) -> date | None:
    """The day named by a dateline opening ``body`` ("WASHINGTON, March 3 -")."""
    m = _DATELINE.match(body[:120])
    if not m:
        return None
    exprs = [e for e in find_dates(m["date"]) if e.names_day_of_month]
    if len(exprs) != 1 or exprs[0].text.strip() != m["date"].strip():
        return None
    expr = exprs[0]
    if not expr.is_explicit and context is None:
        return None
    return resolve(expr, context)


def lede_dates(article: CleanArticle) -> list[DateExpr]:
    """Date expressions in the lede that could date the story: not future, not boilerplate."""
    end = min(len(article.body_text), LEDE_CHARS)
    if article.paragraphs:
        end = max(min(article.paragraphs[-1].end_char, end), article.paragraphs[0].end_char)
    lede = article.body_text[:end]
    out = []
    for expr in find_dates(lede):
        if not expr.names_day_of_month:
            continue  # "on Sunday" in a lede dates the event, more often than not the day before the story
        # the clause the date sits in, up to a few words back: what governs it
        clause = _CLAUSE_START.split(lede[max(0, expr.start - 80) : expr.start])[-1]
        before = " ".join(clause.split()[-CLAUSE_WORDS:])
        if _FUTURE.search(before) or _BOILERPLATE.search(before):
            continue
        out.append(expr)
    return out


def _at_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def publication_date(article: CleanArticle, context: DateContext, source_format: str = "txt") -> tuple[datetime | None, str]:
    """``(published_at, source)`` for an article; ``(None, "none")`` when nothing dates it."""
    ceiling = context.run_date
    in_path = path_date(context.source_uri, article.url)
    landing = landing_date(context.source_uri)
    # a file cannot have been published after the day it landed (give or take a time zone)
    latest = min(ceiling, landing) if landing is not None else ceiling
    if article.published_at is not None and article.published_at.date() <= latest + CLOCK_SKEW:
        return article.published_at, "html" if source_format in HTML_FORMATS else "metadata"
    # the day the story is known to have landed by: an upper bound for its own text's dates
    bound = landing or context.published_on
    reference = in_path or bound
    # the dateline opens the story, or follows a headline left in the body
    starts = [p.start_char for p in article.paragraphs[:DATELINE_PARAGRAPHS]] or [0]
    day = next((d for d in (dateline_date(article.body_text[s:], reference) for s in starts) if d), None)
    if day is not None and day <= min(reference or ceiling, ceiling) and (reference is None or reference - day <= DATELINE_WINDOW):
        return _at_midnight(day), "dateline"
    if bound is not None and in_path is None:
        for expr in lede_dates(article):
            day = resolve(expr, bound)
            if day is not None and day <= min(bound, ceiling) and bound - day <= TEXT_WINDOW:
                return _at_midnight(day), "text"
    landed = landing - timedelta(days=context.landing_lag_days) if landing is not None else None
    for day, source in ((in_path, "path"), (landed, "landing"), (context.published_on, "run")):
        if day is not None and day <= ceiling:
            return _at_midnight(day), source
    return None, "none"


def date_article(article: CleanArticle, context: DateContext | None = None, published_on: date | None = None) -> CleanArticle:
    """The article with ``published_at`` from its best evidence and ``published_at_source`` saying which."""
    ctx = context or DateContext(article.source_uri, published_on)
    try:
        published_at, source = publication_date(article, ctx, article.source_format)
    except Exception:  # noqa: BLE001 - a dating bug must not stop the run; the article keeps its own date
        logger.exception("dating failed on %s", article.source_uri)
        published_at, source = article.published_at, "metadata" if article.published_at else "none"
    return replace(article, published_at=published_at, published_at_source=source)
