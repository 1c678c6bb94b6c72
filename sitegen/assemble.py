"""Assemble loaded entries into a Site: sorted, grouped by day, month and topic, with neighbours."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from sitegen.config import SiteConfig
from sitegen.model import Day, Entry, Listing, Month, Neighbours, Site, TopicSummary


def assemble_site(entries: Sequence[Entry], config: SiteConfig) -> Site:
    """Order entries newest first and group them every way the pages need."""
    newest_first = tuple(sorted(entries, key=lambda e: e.sort_key, reverse=True))
    return Site(
        entries=newest_first,
        topics=tuple(
            TopicSummary(topic, tuple(e for e in newest_first if topic.slug in e.topics))
            for topic in config.topics
        ),
        months=_months(newest_first),
        neighbours=_neighbours(newest_first),
        related=related_entries(newest_first),
    )


def paginate(entries: Sequence[Entry], per_page: int) -> list[Listing]:
    """Split newest-first entries into pages of `per_page`, each grouped by day with the day's
    key events first; at least one."""
    ordered = key_events_first(entries)
    chunks = [ordered[i:i + per_page] for i in range(0, len(ordered), per_page)] or [()]
    # Each chunk is already key events first within its days: group it without reordering.
    return [Listing(number, len(chunks), _days(chunk)) for number, chunk in enumerate(chunks, 1)]


def group_by_day(entries: Sequence[Entry]) -> tuple[Day, ...]:
    """Consecutive entries of the same day (or of the same month or year, for entries known
    only to that), key events first, otherwise in the order given."""
    return tuple(Day(day, key_events_first(tuple(group)), precision)
                 for (day, precision), group in itertools.groupby(entries, key=_period))


def _days(ordered: Sequence[Entry]) -> tuple[Day, ...]:
    return tuple(Day(day, tuple(group), precision)
                 for (day, precision), group in itertools.groupby(ordered, key=_period))


def key_events_first(entries: Sequence[Entry]) -> tuple[Entry, ...]:
    """The same entries with each day's key events moved to the front of that day."""
    if not any(e.key for e in entries):
        return tuple(entries)
    out: list[Entry] = []
    for _, group in itertools.groupby(entries, key=_period):
        day = tuple(group)
        out.extend(e for e in day if e.key)
        out.extend(e for e in day if not e.key)
    return tuple(out)


def key_events(newest_first: Sequence[Entry]) -> tuple[Entry, ...]:
    """The key events, newest first."""
    return tuple(e for e in newest_first if e.key)


def _period(entry: Entry) -> tuple[dt.date, str]:
    return entry.day, entry.precision


def _months(newest_first: tuple[Entry, ...]) -> tuple[Month, ...]:
    months = []
    for (year, month), group in itertools.groupby(newest_first,
                                                  key=lambda e: (e.day.year, e.day.month)):
        months.append(Month(year, month, tuple(reversed(tuple(group)))))
    return tuple(months)


def _neighbours(newest_first: tuple[Entry, ...]) -> dict[str, Neighbours]:
    """For each slug, the entry just before it in time (previous) and just after it (next)."""
    out = {}
    for i, entry in enumerate(newest_first):
        later = newest_first[i - 1] if i > 0 else None
        earlier = newest_first[i + 1] if i + 1 < len(newest_first) else None
        out[entry.slug] = Neighbours(previous=earlier, next=later)
    return out


def related_entries(newest_first: Sequence[Entry], limit: int = 4) -> dict[str, tuple[Entry, ...]]:
    """For each slug, the entries nearest to it in time that share one of its topics (closest
    first; more shared topics break ties). Looks only at each topic's `limit` neighbours on
    either side, so it stays linear in the number of entries."""
    by_topic: dict[str, list[Entry]] = {}
    for entry in newest_first:
        for slug in entry.topics:
            by_topic.setdefault(slug, []).append(entry)
    where = {(slug, e.slug): i for slug, group in by_topic.items() for i, e in enumerate(group)}
    out = {}
    topic_sets = {e.slug: set(e.topics) for e in newest_first}
    days = {e.slug: e.day.toordinal() for e in newest_first}
    for entry in newest_first:
        near: dict[str, Entry] = {}
        for slug in entry.topics:
            group, i = by_topic[slug], where[(slug, entry.slug)]
            for other in group[max(0, i - limit):i + limit + 1]:
                near[other.slug] = other
        near.pop(entry.slug, None)
        mine, day = topic_sets[entry.slug], days[entry.slug]
        # (distance in days, more shared topics first, slug): the slugs differ, so the
        # entries themselves are never compared
        ranked = sorted((abs(days[s] - day), -len(topic_sets[s] & mine), s, o)
                        for s, o in near.items())
        out[entry.slug] = tuple(r[3] for r in ranked[:limit])
    return out
