"""`ingest()`: raw articles in, draft entries out; reads as the list of its stages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sitegen.errors import Problem, SitegenError
from sitegen.ingest.article import Article
from sitegen.ingest.drafts import Provenance, make_drafts
from sitegen.ingest.errors import IngestError
from sitegen.ingest.events import Event, Found, Selection, merge, select
from sitegen.ingest.parse import parse_article
from sitegen.ingest.plan import Planned, plan_writes, write_all
from sitegen.ingest.source import read_source
from sitegen.ingest.tagger import make_tagger
from sitegen.model import Topic


@dataclass(frozen=True)
class Request:
    """What the curator asked for on the command line."""

    files: tuple[Path, ...]
    publisher: str
    published: dt.date | None
    url: str
    out_dir: Path
    entries_dir: Path
    force: bool = False
    dry_run: bool = False


@dataclass(frozen=True)
class Outcome:
    """What an ingest found and did (or, on a dry run, would do)."""

    selections: tuple[Selection, ...]
    events: tuple[Event, ...]
    planned: tuple[Planned, ...]
    published: dict[Path, dt.date]  # each file's publication date ...
    published_given: bool  # ... from --published, or else as the file states it
    out_dir: Path
    dry_run: bool


def ingest(request: Request, topics: Sequence[Topic]) -> Outcome:
    """Read, split, select, merge, date, tag and plan every draft; write them unless dry-run.

    Every input is checked, and every clash with an existing file found, before anything is
    written: on any error nothing is.
    """
    articles, unreadable = read_articles(request.files)
    published, undated = publication_dates(articles, request.published)
    if unreadable or undated:
        raise IngestError([*unreadable, *undated])
    selections = tuple(select(article) for article in articles)
    events = merge([Found(post, s.article) for s in selections for post in s.items])
    provenance = Provenance(request.publisher, request.url, published)
    drafts = make_drafts(events, provenance, make_tagger(topics), request.out_dir)
    planned = plan_writes(drafts, request.entries_dir, force=request.force)
    if not request.dry_run:
        write_all(planned, request.out_dir)
    return Outcome(selections, events, planned, published, request.published is not None,
                   request.out_dir, request.dry_run)


def read_articles(files: Sequence[Path]) -> tuple[tuple[Article, ...], list[Problem]]:
    """Every file parsed, and a problem for each file that could not be."""
    articles: list[Article] = []
    problems: list[Problem] = []
    for path in files:
        try:
            articles.append(parse_article(read_source(path)))
        except SitegenError as e:
            problems.extend(e.problems)
    return tuple(articles), problems


# Relative dates step weeks back or forth from the publication date: keep them inside the calendar.
EARLIEST, LATEST = dt.date(1000, 1, 1), dt.date(9998, 12, 31)


def publication_dates(articles: Sequence[Article],
                      given: dt.date | None) -> tuple[dict[Path, dt.date], list[Problem]]:
    """Each article's publication date: --published, else the date the file itself states."""
    dates: dict[Path, dt.date] = {}
    problems: list[Problem] = []
    for article in articles:
        day = given or article.published
        if day is None:
            problems.append(Problem(article.path, 1, "no publication date: the text states "
                                                     "none; pass --published YYYY-MM-DD"))
        elif not EARLIEST <= day <= LATEST:
            problems.append(Problem(article.path, 1, f"publication date {day.isoformat()} is "
                                    f"out of range; give one from {EARLIEST} to {LATEST}"))
        else:
            dates[article.path] = day
    return dates, problems
