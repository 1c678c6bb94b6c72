"""`--explain`: how each file was split, line by line: which lines became which post and draft,
which were left out (boilerplate, commentary, key events, background, datelines) and why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sitegen.errors import display_path
from sitegen.ingest.events import Selection
from sitegen.ingest.pipeline import Outcome

Key = tuple[Path, int]  # an input file and the line a post starts on


def render_explain(outcome: Outcome) -> str:
    """One section per input file: its lines in order, each span with what became of it."""
    names = _draft_names(outcome)
    sections = []
    for selection in outcome.selections:
        rows = sorted(_rows(selection, names), key=lambda row: (row[0], row[1]))
        width = max((len(_span(first, last)) for first, last, _ in rows), default=1)
        body = [f"  {_span(first, last).ljust(width)}  {what}" for first, last, what in rows]
        sections.append("\n".join([f"{display_path(selection.article.path)}: how it was split",
                                   *body]))
    return "\n\n".join(sections)


def _draft_names(outcome: Outcome) -> dict[Key, str]:
    """Every version of every event -> the name of the draft it went into."""
    drafts = {(p.draft.origin, p.draft.line): p.draft.path.name for p in outcome.planned}
    names: dict[Key, str] = {}
    for event in outcome.events:
        name = drafts.get((event.kept.article.path, event.kept.post.line), "?")
        for found in event.versions:
            merged = " (merged: a repeat of another post)" if found is not event.kept else ""
            names[(found.article.path, found.post.line)] = name + merged
    return names


def _rows(selection: Selection, names: dict[Key, str]) -> Iterator[tuple[int, int, str]]:
    article = selection.article
    path = article.path
    number = 0
    for post in selection.items:
        label = {"lead": "lead", "headline": "one-line headline"}.get(post.role, "")
        if not label:
            number += 1
            stamp = f" [{post.stamp}]" if post.stamp else ""
            label = f"{post.role} {number}{stamp}"
        yield post.line, post.last or post.line, (f"{label} \u201c{_short(post.title)}\u201d -> "
                                                 f"{names.get((path, post.line), '?')}")
    if article.lead and not selection.lead_kept:
        first, last = article.lead[0].line, article.lead[-1].line
        yield first, last, "lead: left out, the posts report it"
    drafted = {post.line for post in selection.items}
    for headline in article.headlines:
        if headline.line not in drafted:
            yield headline.line, headline.line, (f"one-line headline \u201c{_short(headline.title)}"
                                                 "\u201d: left out, an item covers it")
    if article.commentary:
        first, last = article.commentary
        yield first, last, "dropped (commentary): reader commentary above the briefing"
    for dropped in article.dropped:
        yield dropped.line, dropped.last, f"dropped ({dropped.kind}): {dropped.why}"


def _span(first: int, last: int) -> str:
    return f"{first}" if last <= first else f"{first}-{last}"


def _short(title: str, words: int = 9) -> str:
    parts = title.split()
    return " ".join(parts[:words]) + (" ..." if len(parts) > words else "")
