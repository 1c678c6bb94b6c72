"""Live-blog time headers ("14:05 GMT", "2.05pm", "09:30 CET", "1h ago 14.05"), and the days
they fall on in a blog that runs past midnight."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from dateutil import parser as dateparser

from sitegen.ingest.dates import MONTH
from sitegen.ingest.text import fold

ZONE = (r"(?:gmt|bst|utc|cet|cest|eet|eest|msk|et|est|edt|pt|pst|pdt|ist|"
        r"kyiv time|local time|local)")
WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?"
STAMP_RE = re.compile(
    r"^(?:(?:updated|posted|published)\s*(?:at|:)?\s*)?"
    r"(?:(?:\d{1,2}\s*(?:h|hr|hrs|hours?|m|mins?|minutes?)\s+ago)\s*[|,\u2022\u00b7-]?\s*)?"
    rf"(?P<date>(?:{WEEKDAY}\s+)?(?:\d{{1,2}}\s+{MONTH}\.?|{MONTH}\.?\s+\d{{1,2}}),?"
    r"(?:\s+\d{4})?,?\s+)?(?:at\s+)?"
    r"(?P<hour>\d{1,2})(?:[:.](?P<minute>\d{2}))?\s*(?P<half>am|pm|a\.m\.|p\.m\.)?"
    rf"(?:\s*(?P<zone>{ZONE})\b)?\.?"
    r"(?P<rest>(?:\s*[:|\u2013\u2014-]\s*|\s+)\S.*)?$", re.IGNORECASE)
DATE_ONLY_RE = re.compile(rf"(?:{WEEKDAY}\s+)?(?:\d{{1,2}}\s+{MONTH}\.?|{MONTH}\.?\s+\d{{1,2}}),?"
                          r"(?:\s+\d{4})?", re.IGNORECASE)
UPDATE_NOTE_RE = re.compile(r"^updated\s+(?:at\s+)?\d{1,2}[:.]\d{2}\b", re.IGNORECASE)
TITLE_REST_WORDS = 25


@dataclass(frozen=True)
class Stamp:
    """A time header: minutes after midnight, the day it names (if any), and any text after it."""

    minutes: int
    day: dt.date | None
    text: str  # the header itself, e.g. "14:05 GMT"
    rest: str  # what follows it on the same line (a title, or the post's first sentence)


def parse_stamp(text: str, year: int | None = None) -> Stamp | None:
    """The time header `text` opens with, or None.

    A bare hour needs "am"/"pm" ("2pm"); "14:05" and "2.05pm" stand alone; an hour and minutes
    followed by text need a zone, am/pm or a separator ("14:05 GMT Title", "14:05 - Title"), so
    that "10.5 million people" or a score is never a time.
    """
    folded = fold(text).strip().strip("*_")
    match = STAMP_RE.match(folded)
    if match is None or UPDATE_NOTE_RE.match(folded):
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    half = (match["half"] or "").lower().replace(".", "")
    rest = (match["rest"] or "").strip(" :|-\u2013\u2014*_")
    day_phrase = match["date"]
    if rest and DATE_ONLY_RE.fullmatch(rest):
        day_phrase, rest = rest, ""  # "14:05 BST 15 May 2023": the day, not a title
    if not _plausible(match, hour, minute, half, rest):
        return None
    if half == "pm" and hour < 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    head = folded[: match.start("rest")] if match["rest"] and rest else folded
    return Stamp(hour * 60 + minute, _day(day_phrase, year), head.strip(" :|-"), rest)


def _plausible(match: re.Match[str], hour: int, minute: int, half: str, rest: str) -> bool:
    if hour > (12 if half else 23) or minute > 59 or (half and hour == 0):
        return False
    if match["minute"] is None and not half:
        return False  # "2 tanks", "14 regions": a number, not a time
    if rest and not (match["zone"] or half or re.match(r"\s*[:|\u2013\u2014-]", match["rest"])):
        return False  # "14.05 per cent of ..."
    return len(rest.split()) <= 60


def _day(phrase: str | None, year: int | None) -> dt.date | None:
    if not phrase or year is None:
        return None
    try:
        return dateparser.parse(phrase.strip(" ,"), default=dt.datetime(year, 1, 1)).date()
    except (ValueError, OverflowError):
        return None


def days_back(minutes: Sequence[int]) -> list[int]:
    """For each post, how many midnights lie between it and the newest post.

    Going down a newest-first blog goes back in time, so a time later than the one above it
    means the day before ("00:40", "23:55": the second post is a day older). A blog whose times
    mostly rise is oldest first, and a time earlier than the one above means the next day.
    """
    steps = list(zip(minutes, minutes[1:], strict=False))
    oldest_first = sum(1 for a, b in steps if b > a) > sum(1 for a, b in steps if b < a)
    crossed = [0]
    for a, b in steps:
        crossed.append(crossed[-1] + int(b < a if oldest_first else b > a))
    return [crossed[-1] - c for c in crossed] if oldest_first else crossed
