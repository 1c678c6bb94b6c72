"""Turn events into draft entries: dated, tagged, sourced, named, and rendered as Markdown."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from sitegen.ingest.article import Post
from sitegen.ingest.dates import resolve_date
from sitegen.ingest.events import Event, Found
from sitegen.ingest.stamps import parse_stamp
from sitegen.ingest.tagger import Tagger
from sitegen.ingest.text import slugify
from sitegen.model import Source


@dataclass(frozen=True)
class Draft:
    """One draft entry, complete: where it goes, what it says, and where it came from."""

    path: Path
    title: str
    day: dt.date
    date_from: str  # "explicit", "weekday", "relative" or "published"
    topics: tuple[str, ...]
    sources: tuple[Source, ...]
    body: str
    origin: Path  # the input file ...
    line: int  # ... and the line the kept version starts on
    versions: int  # how many repeats of the post were merged into this draft
    why: tuple[tuple[str, tuple[str, ...]], ...] = ()  # each topic and the words that matched


@dataclass(frozen=True)
class Provenance:
    """What every draft from one run cites besides the article's own headline and byline."""

    publisher: str
    url: str
    published: dict[Path, dt.date]  # each input file's publication date


def make_drafts(events: Sequence[Event], provenance: Provenance, tagger: Tagger,
                out_dir: Path) -> tuple[Draft, ...]:
    """A draft per event, with a file name unique in the run, sorted by date then name."""
    drafts: list[Draft] = []
    taken: set[str] = set()
    for event in events:
        draft = _draft(event, provenance, tagger, out_dir)
        name = _unique(draft.path.stem, draft.day, taken)
        drafts.append(replace(draft, path=out_dir / f"{name}.md"))
    return tuple(sorted(drafts, key=lambda d: (d.day, d.path.name)))


def _draft(event: Event, provenance: Provenance, tagger: Tagger, out_dir: Path) -> Draft:
    post, article = event.kept.post, event.kept.article
    published = provenance.published[article.path]
    posted = post_day(post, published)
    day, date_from = resolve_date(post.title, post.paragraphs, posted)
    if date_from == "published" and posted != published:
        date_from = "timestamp"
    why = tagger.explain(post.title, post.paragraphs)
    return Draft(path=out_dir / f"{day.isoformat()}-{slugify(post.title)}.md", title=post.title,
                 day=day, date_from=date_from, topics=tuple(slug for slug, _ in why), why=why,
                 sources=_sources(event.versions, provenance), body="\n\n".join(post.paragraphs),
                 origin=article.path, line=post.line, versions=len(event.versions))


def post_day(post: Post, published: dt.date) -> dt.date:
    """The day a post was written: the day its time header names, else the publication day
    less the midnights between it and the newest post."""
    stamp = parse_stamp(post.stamp, published.year) if post.stamp else None
    if stamp is not None and stamp.day is not None:
        if stamp.day <= published:
            return stamp.day
        with contextlib.suppress(ValueError):  # 29 February, or year 1: no year before it
            return stamp.day.replace(year=stamp.day.year - 1)
    try:
        return published - dt.timedelta(days=post.days_back)
    except OverflowError:
        return published


def _sources(versions: Sequence[Found], provenance: Provenance) -> tuple[Source, ...]:
    """One source per distinct article and author among the merged versions."""
    sources: list[Source] = []
    for found in versions:
        source = Source(publisher=provenance.publisher, author=found.post.author,
                        headline=found.article.headline,
                        published=provenance.published[found.article.path],
                        url=found.article.url or provenance.url)
        if source not in sources:
            sources.append(source)
    return tuple(sources)


def _unique(stem: str, day: dt.date, taken: set[str]) -> str:
    """`stem`, or `stem-2`, `stem-3`... when another draft of this run has its slug."""
    slug = stem.removeprefix(f"{day.isoformat()}-")
    candidate, number = slug, 1
    while candidate in taken:
        number += 1
        candidate = f"{slug}-{number}"
    taken.add(candidate)
    return f"{day.isoformat()}-{candidate}"


class _FlowList(list[str]):
    """A list written on one line: `topics: [aid, strikes]`."""


class _Dumper(yaml.SafeDumper):
    """Indents block lists under their key, as people write them; never uses YAML anchors."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True  # the same date twice is written twice, never as &id001 / *id001


_Dumper.add_representer(
    _FlowList, lambda d, data: d.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True))


def render(draft: Draft) -> str:
    """The draft's file text: YAML front matter, then the source text for the curator."""
    data: dict[str, Any] = {
        "title": draft.title,
        "date": draft.day,
        "topics": _FlowList(draft.topics),
        "sources": [_source_fields(s) for s in draft.sources],
        "draft": True,
        "date_from": draft.date_from,
    }
    front = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                      default_flow_style=False, width=1_000_000)
    return f"---\n{front}---\n{draft.body}\n"


def _source_fields(source: Source) -> dict[str, Any]:
    fields = {"publisher": source.publisher, "author": source.author,
              "headline": source.headline, "published": source.published, "url": source.url}
    return {key: value for key, value in fields.items() if value}
