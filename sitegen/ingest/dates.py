"""Find the day an event happened from the words around it, against the publication date."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from dateutil import parser as dateparser
from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta, weekday

from sitegen.ingest.text import fold

MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
         r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
EXPLICIT_RE = re.compile(
    rf"\b(?:{MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+\d{{4}}\b)?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}\b\.?(?:,?\s+\d{{4}}\b)?"
    r"|\d{4}-\d{2}-\d{2}\b)", re.IGNORECASE)
WEEKDAYS: dict[str, weekday] = {"monday": MO, "tuesday": TU, "wednesday": WE, "thursday": TH,
                                "friday": FR, "saturday": SA, "sunday": SU}
WEEKDAY_RE = re.compile(r"\b(?:(last|next|this coming|coming)\s+)?"
                        r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
                        re.IGNORECASE)
RELATIVE: dict[str, tuple[int, int]] = {  # phrase -> (days before publication, rank)
    "today": (0, 1), "earlier today": (0, 1), "this morning": (0, 1),
    "this afternoon": (0, 1), "this evening": (0, 1), "tonight": (0, 1), "overnight": (0, 1),
    "last week": (7, 2), "yesterday": (1, 3), "last night": (1, 3),
}
RELATIVE_RE = re.compile(r"\b(" + "|".join(sorted(RELATIVE, key=len, reverse=True)) + r")\b",
                         re.IGNORECASE)
DAYS_AGO_RE = re.compile(r"\b(a|one|two|three|four|five|six|[1-7]) days? ago\b", re.IGNORECASE)
NUMBERS = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
# A date right after one of these words is background, not the day of the event.
BACKGROUND = frozenset({"dated", "since", "until", "till", "by", "before", "after", "from",
                        "through", "starting", "beginning", "ending", "between", "ahead"})
FUTURE_RE = re.compile(r"\b(?:will|would|shall|['\u2019]ll|(?:is|are|was|were)\s+due|expected|"
                       r"scheduled|plans?\s+to|planned\s+(?:for|to)|planning\s+to|set\s+to|"
                       r"set\s+for|(?:is|are)\s+to|intends?|intending|hopes?\s+to|aims?\s+to|"
                       r"ahead\s+of|upcoming|later\s+this\s+week)\b")
FUTURE_AFTER_RE = re.compile(r"^\W*(?:next week|this coming week|when\b[^.;]{0,40}\b(?:will|"
                             r"are due|is due)\b)")
RANK = {"explicit": 5, "weekday": 4, "day": 3, "older": 2.5}  # "day": yesterday and stronger
BACKGROUND_DAYS = 31  # an explicit date further back than this is history, not the news
RECENT_DAYS = 7  # an explicit date within a week outranks a weekday; an older one, "yesterday"
# What a dateline may hold besides its date ("Updated: Monday, Dec. 19, 2022 10:04 am ET").
DATELINE_NOISE_RE = re.compile(
    r"\b(?:first|published|updated|posted|dated|on|at|am|pm|gmt|bst|utc|et|cet|eet|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|"
    r"fri|sat|sun)\b|\d{1,2}[:.]\d{2}|[^a-z0-9]",
    re.IGNORECASE)


@dataclass(frozen=True)
class Cue:
    """A phrase that dates an event: the day it names and how it names it."""

    day: dt.date
    how: str  # "explicit", "weekday" or "relative"
    rank: float  # a stronger cue wins over a weaker one in the same text
    phrase: str


def resolve_date(title: str, paragraphs: Sequence[str], published: dt.date) -> tuple[dt.date, str]:
    """The event's day and how it was found (`date_from`).

    The title's strongest cue wins; then the lede's (the first two paragraphs, or only the
    first when it names a day: background follows the news), then the rest's; a text with no
    cue takes the publication date. Recent
    explicit dates beat weekdays, weekdays beat "yesterday"/"last night", which beat older
    explicit dates and "last week", which beat "today"/"overnight": a report says *today* what
    happened *then*.
    """
    lede = " ".join(paragraphs[:2])
    first = list(find_cues(paragraphs[0], published)) if paragraphs else []
    if first and max(cue.rank for cue in first) >= RANK["day"]:
        lede = paragraphs[0]  # the first paragraph names the day: the second is background
    for text in (title, lede, " ".join(paragraphs[2:])):
        cues = list(find_cues(text, published))
        if cues:
            best = max(cues, key=lambda cue: cue.rank)  # the first of the strongest
            return best.day, best.how
    return published, "published"


def find_cues(text: str, published: dt.date) -> Iterator[Cue]:
    """Every usable date cue in `text`, in order; background and future dates are skipped."""
    text = fold(text)
    found = [*_explicit(text, published), *_weekdays(text, published), *_relative(text, published)]
    for start, cue in sorted(found, key=lambda pair: pair[0]):
        if not _is_background(text, start):
            yield cue


def _explicit(text: str, published: dt.date) -> Iterator[tuple[int, Cue]]:
    for match in EXPLICIT_RE.finditer(text):
        day = _parse_day(match.group(0), published)
        if day is not None and dt.timedelta(0) <= published - day <= dt.timedelta(BACKGROUND_DAYS):
            rank = RANK["explicit" if (published - day).days <= RECENT_DAYS else "older"]
            yield match.start(), Cue(day, "explicit", rank, match.group(0))


def _parse_day(phrase: str, published: dt.date) -> dt.date | None:
    """The day `phrase` names; without a year, the latest such day on or before publication."""
    default = dt.datetime(published.year, 1, 1)
    try:
        day = dateparser.parse(phrase.replace(" of ", " "), default=default).date()
    except (ValueError, OverflowError):
        return None
    if not re.search(r"\d{4}", phrase) and day > published:
        day = day.replace(year=day.year - 1) if not (day.month == 2 and day.day == 29) else day
    return day


def _weekdays(text: str, published: dt.date) -> Iterator[tuple[int, Cue]]:
    for match in WEEKDAY_RE.finditer(text):
        qualifier = (match.group(1) or "").lower()
        if qualifier in {"next", "this coming", "coming"} or _future(text, match.start()) or \
                FUTURE_AFTER_RE.match(text[match.end():match.end() + 60].lower()):
            continue
        name = match.group(2).lower()
        shift = relativedelta(days=-1 if qualifier == "last" else 0, weekday=WEEKDAYS[name](-1))
        yield match.start(), Cue(published + shift, "weekday", RANK["weekday"], match.group(0))


def _relative(text: str, published: dt.date) -> Iterator[tuple[int, Cue]]:
    for match in RELATIVE_RE.finditer(text):
        days, rank = RELATIVE[match.group(1).lower()]
        yield match.start(), Cue(published - dt.timedelta(days), "relative", rank, match.group(0))
    for match in DAYS_AGO_RE.finditer(text):
        count = match.group(1).lower()
        days = int(count) if count.isdigit() else NUMBERS[count]
        yield match.start(), Cue(published - dt.timedelta(days), "relative", 3, match.group(0))


def _is_background(text: str, start: int) -> bool:
    """True when the two words before a cue mark it as background ("dated", "since", ...)."""
    before = re.findall(r"[a-z]+", text[max(0, start - 30):start].lower())[-2:]
    return any(word in BACKGROUND for word in before)


def _future(text: str, start: int) -> bool:
    """True when the clause before a weekday speaks of the future ("talks will resume on")."""
    clause = re.split(r"[.!?;]", text[max(0, start - 80):start])[-1].lower()
    return bool(FUTURE_RE.search(clause))


def dateline_date(text: str) -> dt.date | None:
    """The date of a dateline block ("Published 19 December 2022, 09:30"), else None."""
    text = fold(text)
    match = EXPLICIT_RE.search(text)
    if not match or not re.search(r"\d{4}", match.group(0)):
        return None
    rest = text[: match.start()] + " " + text[match.end():]
    if DATELINE_NOISE_RE.sub("", rest):
        return None  # more than a date: a sentence that mentions one
    try:
        return dateparser.parse(match.group(0).replace(" of ", " ")).date()
    except (ValueError, OverflowError):
        return None


# "KYIV, Ukraine (AP) \u2014 ", "ODESA \u2014 ", "Kyiv, May 12 (Reuters) - ": where a wire story was
# filed, not an event.
WIRE_DATELINE_RE = re.compile(
    r"^(?:[A-Z][A-Z'.\-]+(?:\s+[A-Z][A-Z'.\-]+){0,3}(?:,\s*[A-Z][\w.'\-]+(?:\s+[A-Z][\w.'\-]+){0,2})?"
    r"(?:\s*\([^)]{2,40}\))?"
    r"|[A-Z][\w.'\-]+(?:\s+[A-Z][\w.'\-]+){0,2},?(?:\s+(?i:" + MONTH + r")\.?\s+\d{1,2},?)?"
    r"\s*\([^)]{2,40}\))\s*(?:\u2014|\u2013|--?)\s+")
def strip_dateline(text: str) -> tuple[str, str]:
    """`text` without a wire dateline at its start, and the dateline ("" when none)."""
    match = WIRE_DATELINE_RE.match(fold(text))
    if match is None or len(match.group(0)) > 80:
        return text, ""
    return text[match.end():].lstrip(), text[:match.end()].strip()
