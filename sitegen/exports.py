"""Open data: the timeline in TimelineJS's JSON format, and every entry's fields as JSON and CSV.

Each export is planned as a frozen `Export` holding exactly the entries it shows (so its cache
key is right) and rendered to deterministic bytes: oldest entry first, keys in a fixed order.
"""

from __future__ import annotations

import csv
import functools
import io
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sitegen import fastjson, urls
from sitegen.config import SiteConfig
from sitegen.meta import link as _link
from sitegen.model import Entry, Site
from sitegen.render import when_text

CSV_FIELDS = ("slug", "url", "title", "date", "end", "precision", "date_basis", "key",
              "topics", "places", "summary", "updated", "corrections", "source_publishers",
              "source_headlines", "source_urls", "source_archived")


@dataclass(frozen=True)
class Export:
    """One open-data file: where it goes, its kind, and what it covers."""

    path: str
    kind: str  # "timelinejs", "json" or "csv"
    title: str
    description: str
    entries: tuple[Entry, ...]  # oldest first


def plan_exports(site: Site, config: SiteConfig) -> Iterator[Export]:
    """`/timeline.json`, `/topics/<slug>/timeline.json`, `/entries.json`, `/entries.csv`."""
    oldest_first = tuple(reversed(site.entries))
    yield Export("timeline.json", "timelinejs", config.title, config.description, oldest_first)
    for summary in site.topics:
        yield Export(urls.topic(summary.topic.slug) + "timeline.json", "timelinejs",
                     f"{summary.topic.name} · {config.title}", summary.topic.description,
                     tuple(reversed(summary.entries)))
    yield Export("entries.json", "json", config.title, config.description, oldest_first)
    yield Export("entries.csv", "csv", config.title, config.description, oldest_first)


Fragment = Callable[[str, Entry], str]  # (kind, entry) -> its line in an export of that kind


def render_export(config: SiteConfig, export: Export, texts: Fragment | None = None) -> bytes:
    """The export's bytes: compact JSON, one entry (or event) a line. `texts` gives each
    entry's line (see `fragment`); by default each is made here."""
    return b"".join(export_parts(config, export, texts))


def export_parts(config: SiteConfig, export: Export, texts: Fragment | None = None,
                 ) -> Iterator[bytes]:
    """The export's bytes as they are made, about PART_BYTES at a time (so a build never
    holds a 100,000-entry export whole): those of `render_export`."""
    text = texts or functools.partial(fragment, config)
    if export.kind == "csv":
        return _parts(_csv_line(CSV_FIELDS), (text("csv", e) for e in export.entries), "", "")
    head: dict[str, Any]
    if export.kind == "json":
        head = {"title": export.title, "description": export.description,
                "url": _link(config, "")}
        kind, key = "json", "entries"
    else:
        head = {"title": _title_slide(export)}
        kind, key = "event", "events"
    return _parts(_dump(head)[:-1] + f',"{key}":[\n', (text(kind, e) for e in export.entries),
                  ",\n", "\n]}\n")


PART_BYTES = 1 << 20


def _parts(head: str, items: Iterator[str], sep: str, tail: str) -> Iterator[bytes]:
    """`head + sep.join(items) + tail`, UTF-8 encoded, in parts of about PART_BYTES."""
    buffer, size = [head], len(head)
    for i, item in enumerate(items):
        if i:
            buffer.append(sep)
        buffer.append(item)
        size += len(item)
        if size >= PART_BYTES:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    buffer.append(tail)
    yield "".join(buffer).encode("utf-8")


FRAGMENT_KINDS = {"json": ("json",), "timelinejs": ("event",), "csv": ("csv",)}


def fragment(config: SiteConfig, kind: str, entry: Entry) -> str:
    """One entry's line in an export: "json" (its `/entries.json` record), "event" (its
    TimelineJS event) or "csv" (its `/entries.csv` row). Depends on the entry and the config
    only, so a build can keep it by the entry's digest."""
    if kind == "json":
        return _dump(entry_record(config, entry))
    if kind == "event":
        return _dump(_event(config, entry, {t.slug: t.name for t in config.topics}))
    return _csv_line(_csv_row(config, entry))


def _dump(data: Any) -> str:
    return fastjson.dumps_text(data)


def entry_record(config: SiteConfig, entry: Entry) -> dict[str, Any]:
    """Every field of one entry, as `/entries.json` lists it."""
    record = _fields(config, entry)
    record["body_html"] = entry.body_html
    return record


def _fields(config: SiteConfig, entry: Entry) -> dict[str, Any]:
    """entry_record but the body (read from its spill file, and not in the CSV)."""
    names = {t.slug: t.name for t in config.topics}
    return {
        "slug": entry.slug,
        "url": _link(config, urls.entry(entry.slug)),
        "title": entry.title,
        "date": entry.datetime_attr,
        "end": entry.end_attr or None,
        "precision": entry.precision,
        "date_basis": entry.date_basis,
        "key": entry.key,
        "order": entry.order,
        "topics": [{"slug": t, "name": names.get(t, t)} for t in entry.topics],
        "places": list(entry.places),
        "summary": entry.summary,
        "updated": entry.updated.isoformat() if entry.updated else None,
        "corrections": [{"date": c.date.isoformat(), "text": c.text}
                        for c in entry.corrections],
        "sources": [{
            "publisher": s.publisher, "author": s.author or None,
            "headline": s.headline or None,
            "published": s.published.isoformat() if s.published else None,
            "url": s.url or None, "archived": s.archived or None,
            "accessed": s.accessed.isoformat() if s.accessed else None,
        } for s in entry.sources],
    }


def _csv_row(config: SiteConfig, entry: Entry) -> list[str]:
    record = _fields(config, entry)
    sources = record["sources"]
    return [
        entry.slug, record["url"], entry.title, record["date"], record["end"] or "",
        entry.precision, entry.date_basis, "true" if entry.key else "false",
        ";".join(entry.topics), ";".join(entry.places), entry.summary,
        record["updated"] or "",
        " | ".join(f"{c['date']}: {c['text']}" for c in record["corrections"]),
        *(" | ".join(s[k] or "" for s in sources)
          for k in ("publisher", "headline", "url", "archived")),
    ]


class _Line(threading.local):
    """Each thread's one buffer and writer for CSV lines (not a new writer every line)."""

    def __init__(self) -> None:
        self.out = io.StringIO()
        self.writer = csv.writer(self.out, lineterminator="\r\n")


_LINE = _Line()


def _csv_line(row: Sequence[str]) -> str:
    line = _LINE
    line.writer.writerow(row)
    text = line.out.getvalue()
    line.out.seek(0)
    line.out.truncate()
    return text


def timelinejs(config: SiteConfig, export: Export) -> dict[str, Any]:  # the same, as data
    """A TimelineJS timeline: a title slide and one event per entry, grouped by first topic."""
    names = {t.slug: t.name for t in config.topics}
    return {
        "title": _title_slide(export),
        "events": [_event(config, entry, names) for entry in export.entries],
    }


# TimelineJS puts every text it shows into the page as HTML (`innerHTML`): a slide's headline,
# text and date, and an event's group. Each is escaped here, or a title such as
# `<img src=x onerror=...>` runs script in the page of whoever embeds the timeline.

def _title_slide(export: Export) -> dict[str, Any]:
    return {"text": {"headline": _html(export.title), "text": _html(export.description)}}


def _event(config: SiteConfig, entry: Entry, names: dict[str, str]) -> dict[str, Any]:
    link = _link(config, urls.entry(entry.slug))
    text = "".join(f"<p>{_html(p)}</p>" for p in (entry.summary,) if p)
    text += f'<p><a href="{_html(link)}">Read the entry and its sources</a></p>'
    event: dict[str, Any] = {
        "start_date": _tl_date(entry.day, entry.precision, entry.time),
        "display_date": _html(when_text(entry)),
        "text": {"headline": _html(entry.title), "text": text},
        "unique_id": entry.slug,
    }
    if entry.end is not None:
        event["end_date"] = _tl_date(entry.end, entry.end_precision, None)
    if entry.topics:
        event["group"] = _html(names.get(entry.topics[0], entry.topics[0]))
    return event


def _tl_date(day: Any, precision: str, time: Any) -> dict[str, Any]:
    """TimelineJS date parts: only those known (a month-only date has no `day`)."""
    parts: dict[str, Any] = {"year": day.year}
    if precision in ("month", "day"):
        parts["month"] = day.month
    if precision == "day":
        parts["day"] = day.day
        if time is not None:
            parts["hour"], parts["minute"] = time.hour, time.minute
    return parts


def _html(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))
