"""Frozen values passed between build stages: complete when made, never filled in later."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitegen.topic import Topic as Topic  # defined apart: a no-op build needs it, not the rest


@dataclass(frozen=True, slots=True)
class Source:
    """Where an entry's facts were reported."""

    publisher: str
    author: str = ""
    headline: str = ""
    published: dt.date | None = None
    url: str = ""
    archived: str = ""  # an archived copy (Wayback or another archive)
    accessed: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Correction:
    """A dated note of what was wrong in an entry and what changed."""

    date: dt.date
    text: str


def pickled_by_fields(kind: type) -> None:
    """Pickle a slotted dataclass as its class and its fields' values, rebuilt by a call of the
    class. Python's own way for a slotted dataclass, a `__setstate__` that looks its fields up
    again for every value it rebuilds, cost ~10 us a source, and every parsed entry crosses
    from a worker to the build's process."""
    import copyreg
    import dataclasses
    import operator

    names = tuple(f.name for f in dataclasses.fields(kind))
    values = operator.attrgetter(*names)
    one = len(names) == 1
    copyreg.pickle(kind, lambda value: (kind, (values(value),) if one else values(value)))


pickled_by_fields(Source)
pickled_by_fields(Correction)


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
    precision: str = "day"  # how much of `day` is known: "day", "month" (day is the 1st), "year"
    end: dt.date | None = None  # the last day (or month, year) of a range
    end_precision: str = "day"
    date_basis: str = "event"  # "reported": the source gave no date; `day` is when it reported
    key: bool = False  # one of its day's key events
    places: tuple[str, ...] = ()
    updated: dt.date | None = None
    corrections: tuple[Correction, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def datetime_attr(self) -> str:
        """The value for `<time datetime=...>`: the day (or month, year), with the time where
        one is known."""
        if self.precision != "day":
            return self.anchor
        if self.time is None:
            return self.day.isoformat()
        return f"{self.day.isoformat()}T{self.time.isoformat()}"

    @property
    def anchor(self) -> str:
        """The id of the heading this entry sits under: `2022-12-19`, `2022-12` or `2022`."""
        return period_anchor(self.day, self.precision)

    @property
    def end_attr(self) -> str:
        """`<time datetime=...>` of the range's end ("" without one)."""
        return period_anchor(self.end, self.end_precision) if self.end else ""

    @property
    def last_day(self) -> dt.date:
        """The last day the entry's date (or range) can stand for."""
        if self.end is not None:
            return period_last_day(self.end, self.end_precision)
        return period_last_day(self.day, self.precision)

    @property
    def sort_key(self) -> tuple[dt.date, int, dt.time, int, str]:
        """Day, then precision (an entry known only to a month or year sorts before the
        period's dated entries: at the period's start, under its own heading), then the time
        as written (its offset set aside, as the day is read as written, so a date-only entry,
        09:00 and 10:00+01:00 order without mixing naive and aware times), then the source's
        order, then slug."""
        return (self.day, PRECISION_RANK[self.precision], _naive(self.time), self.order,
                self.slug)

    def same_day(self, other: Entry) -> bool:
        """Both are dated to the same single day (their order within it is the sources')."""
        return (self.precision == other.precision == "day" and self.day == other.day
                and self.end is None and other.end is None)

    def known_before(self, other: Entry) -> bool:
        """Whether this entry is known to have happened before `other`: an earlier day, or the
        same day with both times given and this one earlier. Otherwise their order is only the
        order the sources reported them in."""
        if self.day != other.day or self.precision != other.precision:
            return self.last_day < other.day
        if self.time is None or other.time is None:
            return False
        return _naive(self.time) < _naive(other.time)


def _body_html(entry: Entry) -> str:
    """The rendered body, from memory, or from where a build spilled it (see bodies.py)."""
    body = entry.__dict__["body_html"]
    return body if type(body) is str else str(body.text())


def _set_body_html(entry: Entry, body: Any) -> None:
    entry.__dict__["body_html"] = body


# `body_html` is a field like any other (made, compared, encoded by value), read through this
# property so that a build can keep the text out of memory (bodies.Spill) and every reader
# (templates, feeds, exports) still gets the text.
setattr(Entry, "body_html", property(_body_html, _set_body_html))  # noqa: B010


PRECISION_RANK = {"year": 0, "month": 1, "day": 2}


@functools.lru_cache(maxsize=1 << 16)  # a few thousand days, asked for on every list page
def period_anchor(day: dt.date, precision: str) -> str:
    """`2022-12-19`, `2022-12` or `2022`: a period's ISO form, used as its heading's id."""
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def period_last_day(day: dt.date, precision: str) -> dt.date:
    """The last day of the day, month or year starting at `day`."""
    if precision == "year":
        return dt.date(day.year, 12, 31)
    if precision == "month":
        if day.month == 12:
            return day.replace(day=31)  # not the next 1 January less a day: 9999 has none
        return dt.date(day.year, day.month + 1, 1) - dt.timedelta(days=1)
    return day


def _naive(time: dt.time | None) -> dt.time:
    """The clock time as written, offset set aside."""
    return (time or dt.time.min).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class Day:
    """Entries of one calendar day, in time order."""

    day: dt.date
    entries: tuple[Entry, ...]
    precision: str = "day"  # "month" or "year": the entries known only to that period

    @property
    def anchor(self) -> str:
        """The heading's id: `2022-12-19`, or `2022-12` / `2022` for an undated period."""
        return period_anchor(self.day, self.precision)


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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
    related: dict[str, tuple[Entry, ...]] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class Page:
    """One output file: where it goes and how to render it."""

    url: str  # site-relative, e.g. "entries/foo/" or "feed.xml"
    template: str
    context: dict[str, Any] = field(hash=False)
