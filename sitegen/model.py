"""Frozen values passed between build stages: complete when made, never filled in later."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Topic:
    """One topic of the site's taxonomy."""

    slug: str
    name: str
    description: str = ""
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    """Where an entry's facts were reported."""

    publisher: str
    author: str = ""
    headline: str = ""
    published: dt.date | None = None
    url: str = ""


@dataclass(frozen=True)
class Entry:
    """One curated event, parsed from one Markdown file; `body_html` is already rendered."""

    path: Path
    slug: str
    title: str
    day: dt.date
    time: dt.time | None
    topics: tuple[str, ...]
    sources: tuple[Source, ...]
    summary: str
    body_html: str
    draft: bool = False
    kind: str = "entry"
    order: int = 0  # place among the day's entries at the same (or no) time: the source's order
    aliases: tuple[str, ...] = ()  # old site paths that redirect to this entry, e.g. "2021/x/"
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def datetime_attr(self) -> str:
        """The value for `<time datetime=...>`: the day, with the time where one is known."""
        if self.time is None:
            return self.day.isoformat()
        return f"{self.day.isoformat()}T{self.time.isoformat()}"

    @property
    def sort_key(self) -> tuple[dt.date, dt.time, int, str]:
        """Day, then the time as written (its offset set aside, as the day is read as written,
        so a date-only entry, 09:00 and 10:00+01:00 order without mixing naive and aware
        times), then the source's order, then slug."""
        return (self.day, _naive(self.time), self.order, self.slug)

    def known_before(self, other: Entry) -> bool:
        """Whether this entry is known to have happened before `other`: an earlier day, or the
        same day with both times given and this one earlier. Otherwise their order is only the
        order the sources reported them in."""
        if self.day != other.day:
            return self.day < other.day
        if self.time is None or other.time is None:
            return False
        return _naive(self.time) < _naive(other.time)


def _naive(time: dt.time | None) -> dt.time:
    """The clock time as written, offset set aside."""
    return (time or dt.time.min).replace(tzinfo=None)


@dataclass(frozen=True)
class Day:
    """Entries of one calendar day, in time order."""

    day: dt.date
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Listing:
    """One page of a paginated, day-grouped list of entries."""

    number: int
    total_pages: int
    days: tuple[Day, ...]


@dataclass(frozen=True)
class TopicSummary:
    """A topic with the entries under it (newest first) and their date span."""

    topic: Topic
    entries: tuple[Entry, ...]

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def first(self) -> dt.date | None:
        return self.entries[-1].day if self.entries else None

    @property
    def last(self) -> dt.date | None:
        return self.entries[0].day if self.entries else None


@dataclass(frozen=True)
class Span:
    """How many entries a list holds and the days of its first and last: what a topic page's
    header shows, without the entries, so an edit to one entry does not touch every page."""

    count: int
    first: dt.date | None
    last: dt.date | None


@dataclass(frozen=True)
class Month:
    """One month of the archive, entries oldest first."""

    year: int
    month: int
    entries: tuple[Entry, ...]

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)


@dataclass(frozen=True)
class Neighbours:
    """The entries before and after one entry in time order."""

    previous: Entry | None
    next: Entry | None


@dataclass(frozen=True)
class Site:
    """Everything the renderer needs, assembled from config and entries."""

    entries: tuple[Entry, ...]  # newest first
    topics: tuple[TopicSummary, ...]
    months: tuple[Month, ...]  # newest first
    neighbours: dict[str, Neighbours] = field(hash=False)


@dataclass(frozen=True)
class Page:
    """One output file: where it goes and how to render it."""

    url: str  # site-relative, e.g. "entries/foo/" or "feed.xml"
    template: str
    context: dict[str, Any] = field(hash=False)
