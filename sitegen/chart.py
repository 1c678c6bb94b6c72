"""The drawn timeline: entries per day (or week, or month) as inline SVG, made at build time.

`plan_chart` turns a paginated timeline into a frozen `Chart` (the page's explicit input, so its
cache key changes only when a count, a colour or a link does); `chart_svg` draws it. Each mark
links to the first heading of its period on the page of the timeline where that heading is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from sitegen.model import Entry, Listing

# Spans up to this many days are drawn per day, then per week, then per month: at most ~100
# marks, so the chart stays legible at 10,000 entries over years.
DAYS_MAX = 100
WEEKS_MAX = 104 * 7
PALETTE_SIZE = 16  # colour classes c0..c15 in the stylesheet; topics beyond reuse them
MAX_YEAR_LABELS = 24  # a chart of centuries is labelled every 5, 10, 20... years
WIDTH, PLOT_HEIGHT, AXIS_HEIGHT = 960, 150, 28


@dataclass(frozen=True)
class Segment:
    """The entries of a mark whose first topic is the `topic`-th of the taxonomy (-1: none)."""

    topic: int
    count: int

    @property
    def colour(self) -> int:
        return self.topic % PALETTE_SIZE if self.topic >= 0 else -1


@dataclass(frozen=True)
class Mark:
    """One bar: a period with entries, where it links, and its parts by topic."""

    index: int  # position among all periods of the span, empty ones included
    start: dt.date
    name: str  # "19 December 2022: 14 entries"
    href: str
    count: int
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class LegendItem:
    colour: int
    name: str


@dataclass(frozen=True)
class Chart:
    """Everything the drawing needs, and nothing more."""

    unit: str  # "day", "week" or "month"
    periods: int
    first: dt.date
    last: dt.date
    marks: tuple[Mark, ...]
    ticks: tuple[tuple[int, str], ...]  # (period index, label) at month or year starts
    legend: tuple[LegendItem, ...]
    undrawn: int  # entries whose date is too coarse for the unit (a month, a year)


def plan_chart(listings: Sequence[Listing], page_urls: Sequence[str],
               topic_order: Sequence[tuple[str, str]], base: str) -> Chart | None:
    """The chart of a paginated timeline; None when it has no dated entries."""
    placed = [(entry, page_urls[listing.number - 1], group.anchor)
              for listing in listings for group in listing.days for entry in group.entries]
    if not placed:
        return None
    first = min(e.day for e, _, _ in placed)
    last = max(e.day for e, _, _ in placed)
    unit = _unit(first, last)
    if not any(_fits(e, unit) for e, _, _ in placed):
        unit = "month"  # a short span of entries dated by their month alone: drawn by month
    colours = {slug: i for i, (slug, _) in enumerate(topic_order)}
    bins: dict[int, list[tuple[Entry, str]]] = {}
    undrawn = 0
    for entry, page, anchor in placed:  # in page order: the first one seen is the first heading
        if not _fits(entry, unit):
            undrawn += 1
            continue
        index = _index(entry.day, first, unit)
        bins.setdefault(index, []).append((entry, f"{base}{page}#{anchor}"))
    marks = tuple(_mark(i, first, unit, items, colours) for i, items in sorted(bins.items()))
    used = {s.topic for m in marks for s in m.segments}
    legend = tuple(LegendItem(i % PALETTE_SIZE, name)
                   for i, (_, name) in enumerate(topic_order) if i in used)
    if -1 in used:
        legend += (LegendItem(-1, "No topic"),)
    if not marks:
        return None  # every entry dated by its year alone: nothing the chart can place
    periods = _index(last, first, unit) + 1
    return Chart(unit, periods, _start(first, unit), last, marks,
                 _ticks(first, periods, unit), legend, undrawn)


def _unit(first: dt.date, last: dt.date) -> str:
    span = (last - first).days + 1
    return "day" if span <= DAYS_MAX else "week" if span <= WEEKS_MAX else "month"


def _fits(entry: Entry, unit: str) -> bool:
    if entry.precision == "day":
        return True
    return unit == "month" and entry.precision == "month"


def _start(day: dt.date, unit: str) -> dt.date:
    if unit == "week":
        return day - dt.timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def _index(day: dt.date, first: dt.date, unit: str) -> int:
    if unit == "month":
        return (day.year - first.year) * 12 + day.month - first.month
    return (_start(day, unit) - _start(first, unit)).days // (7 if unit == "week" else 1)


def _period_start(index: int, first: dt.date, unit: str) -> dt.date:
    if unit == "month":
        months = first.year * 12 + first.month - 1 + index
        return dt.date(months // 12, months % 12 + 1, 1)
    return _start(first, unit) + dt.timedelta(days=index * (7 if unit == "week" else 1))


def _mark(index: int, first: dt.date, unit: str, items: list[tuple[Entry, str]],
          colours: dict[str, int]) -> Mark:
    start = _period_start(index, first, unit)
    counts: dict[int, int] = {}
    for entry, _ in items:
        colour = -1  # the first of its topics that has a colour
        for t in entry.topics:
            if t in colours:
                colour = colours[t]
                break
        counts[colour] = counts.get(colour, 0) + 1
    n = len(items)
    name = f"{period_name(start, unit)}: {n:,} {'entry' if n == 1 else 'entries'}"
    segments = tuple(Segment(c, counts[c]) for c in sorted(counts))
    return Mark(index, start, name, items[0][1], n, segments)


def period_name(start: dt.date, unit: str) -> str:
    """'19 December 2022', 'Week of 12 December 2022', 'December 2022'."""
    if unit == "month":
        return f"{start:%B %Y}"
    text = f"{start.day} {start:%B %Y}"
    return f"Week of {text}" if unit == "week" else text


def _ticks(first: dt.date, periods: int, unit: str) -> tuple[tuple[int, str], ...]:
    """Labels where a month (or, for a chart of months, a year) begins, and at the start."""
    ticks = []
    previous: tuple[int, int] | None = None
    years = _year_step(periods // 12) if unit == "month" else 1
    for i in range(periods):
        start = _period_start(i, first, unit)
        if unit != "day":  # a week's or month's label goes where its last day falls
            start = max(start, first)
        key = (start.year, 0) if unit == "month" else (start.year, start.month)
        if unit == "day" and key == previous and start.weekday() == 0 and periods <= 62:
            ticks.append((i, f"{start.day}"))  # Mondays, on a chart short enough to fit them
        elif key != previous and (previous is None or start.year % years == 0):
            label = f"{start.year}" if unit == "month" else (
                f"{start:%b %Y}" if previous is None or key[0] != previous[0] else f"{start:%b}")
            if unit == "day" and previous is None and start.day != 1:
                label = f"{start.day} {label}"
            ticks.append((i, label))
            previous = key
    return tuple(ticks)


def _year_step(years: int) -> int:
    """Every how many years a chart of `years` years is labelled: 1, 2, 5, 10, 20, 50, ...,
    so that it has at most `MAX_YEAR_LABELS` labels."""
    step = 1
    while years // step > MAX_YEAR_LABELS:
        step = step * 5 // 2 if str(step).startswith("2") else step * 2
    return step


def chart_svg(chart: Chart, title: str) -> Markup:
    """The chart as an inline `<svg>`: one link per mark, named for screen readers."""
    step = WIDTH / chart.periods
    bar = max(step * 0.8, min(step, 1.0))
    top = max(m.count for m in chart.marks)
    parts = [f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {PLOT_HEIGHT + AXIS_HEIGHT}" '
             f'xmlns="http://www.w3.org/2000/svg" role="group" '
             f'aria-label="{escape(title)}" focusable="false">',
             f'<line class="chart-axis" x1="0" y1="{PLOT_HEIGHT + 0.5}" x2="{WIDTH}" '
             f'y2="{PLOT_HEIGHT + 0.5}"/>']
    for index, label in chart.ticks:
        x = index * step
        parts.append(f'<line class="chart-tick" x1="{x:.2f}" y1="{PLOT_HEIGHT}" x2="{x:.2f}" '
                     f'y2="{PLOT_HEIGHT + 6}"/><text class="chart-label" x="{x:.2f}" '
                     f'y="{PLOT_HEIGHT + 20}">{escape(label)}</text>')
    for mark in chart.marks:
        parts.append(_mark_svg(mark, mark.index * step + (step - bar) / 2, bar, top))
    parts.append("</svg>")
    return Markup("".join(parts))


def _mark_svg(mark: Mark, x: float, bar: float, top: int) -> str:
    name = escape(mark.name)
    out = [f'<a class="chart-mark" href="{escape(mark.href)}" aria-label="{name}">'
           f'<title>{name}</title>'
           f'<rect class="chart-hit" x="{x:.2f}" y="0" width="{bar:.2f}" '
           f'height="{PLOT_HEIGHT}"/>']
    y = float(PLOT_HEIGHT)
    for segment in mark.segments:
        h = (PLOT_HEIGHT - 8) * segment.count / top
        y -= h
        colour = "cx" if segment.colour < 0 else f"c{segment.colour}"
        out.append(f'<rect class="chart-bar {colour}" x="{x:.2f}" y="{y:.2f}" '
                   f'width="{bar:.2f}" height="{h:.2f}"/>')
    out.append("</a>")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class PeriodLink:
    """A day (or month) of a timeline with entries: its name, count and where its heading is."""

    anchor: str  # "2022-12-19" ("2022-12", "2022" for entries known only to those)
    day: dt.date
    precision: str
    count: int
    href: str


def plan_days(listings: Sequence[Listing], page_urls: Sequence[str],
              base: str) -> tuple[PeriodLink, ...]:
    """Every heading of a paginated timeline, newest first, linked on the page it is on."""
    seen: dict[str, PeriodLink] = {}
    for listing in listings:
        for group in listing.days:
            anchor = group.anchor
            if anchor in seen:  # a day split across two pages: its first page wins
                old = seen[anchor]
                seen[anchor] = PeriodLink(old.anchor, old.day, old.precision,
                                          old.count + len(group.entries), old.href)
                continue
            seen[anchor] = PeriodLink(
                anchor, group.day, group.precision, len(group.entries),
                f"{base}{page_urls[listing.number - 1]}#{anchor}")
    return tuple(seen.values())


def plan_months(days: Sequence[PeriodLink]) -> tuple[PeriodLink, ...]:
    """The months of a timeline with their counts, each linked to its newest heading."""
    months: dict[tuple[int, int], PeriodLink] = {}
    for day in days:
        key = (day.day.year, day.day.month)
        if key in months:
            old = months[key]
            months[key] = PeriodLink(old.anchor, old.day, "month", old.count + day.count,
                                     old.href)
        else:
            months[key] = PeriodLink(f"{key[0]:04d}-{key[1]:02d}", day.day.replace(day=1),
                                     "month", day.count, day.href)
    return tuple(months.values())
