"""The table an ingest prints: what each file held; each draft's date, how it was found, topics."""

from __future__ import annotations

from collections.abc import Sequence

from sitegen.errors import display_path
from sitegen.ingest.events import Selection
from sitegen.ingest.pipeline import Outcome

DROPPED = {"boilerplate": "page furniture", "key-events": "a key-events summary",
           "commentary": "opinion", "background": "background", "summary": "a summary"}
HEADER = ("date", "date_from", "status", "merged", "draft", "topics")
FORMS = {"live blog": "live blog", "briefing": "briefing", "article": "plain article",
         "roundup": "news roundup"}
MARKUPS = {"text": "plain text", "markdown": "Markdown", "html": "a saved HTML page"}


def render_report(outcome: Outcome) -> str:
    """Everything a curator needs to review the run, as plain text lines."""
    found = sum(len(s.items) for s in outcome.selections)
    merged = sum(len(e.versions) - 1 for e in outcome.events)
    lines = [_describe(s, outcome) for s in outcome.selections]
    lines.append(f"{_count(found, 'post')} found, {_count(merged, 'duplicate')} merged, "
                 f"{_count(len(outcome.planned), 'draft')}")
    lines.append("")
    lines.extend(_table([_row(p.draft.day.isoformat(), p.draft.date_from, p.status,
                              p.draft.versions, p.draft.path.name, _why(p.draft.why))
                         for p in outcome.planned]))
    lines.append("")
    lines.append(_closing(outcome))
    return "\n".join(lines)


def _describe(selection: Selection, outcome: Outcome) -> str:
    article = selection.article
    published = outcome.published[article.path].isoformat()
    stated = "" if outcome.published_given else " (stated in the file)"
    form = FORMS[article.form] + (" of timed posts" if article.timestamped else "") + (
        " in sections" if article.sectioned else "")
    parts = [f"{display_path(article.path)}: {form}", f"published {published}{stated}"]
    if article.form == "briefing":
        parts.append(_count(len(article.posts), "detailed item"))
    if article.headlines:
        parts.append(f"{_count(len(article.headlines), 'one-line headline')} "
                     f"({selection.headlines_covered} covered by an item)")
    elif article.form == "live blog":
        parts.append(_count(len(article.posts), "post"))
    if article.lead:
        parts.append("lead kept (it reports news no post does)" if selection.lead_kept
                     else "lead left out (the posts report it)")
    if article.commentary:
        first, last = article.commentary
        parts.append(f"reader commentary on lines {first}-{last} dropped")
    kinds = sorted({d.kind for d in article.dropped} & set(DROPPED))
    if kinds:
        parts.append(f"left out: {' and '.join(DROPPED[k] for k in kinds)}")
    return ", ".join(parts) + f" (read as {MARKUPS[article.markup]})"


def _why(why: Sequence[tuple[str, Sequence[str]]]) -> list[str]:
    """Each topic with the words that matched: "aid (pledge, tanks)"."""
    return [f"{slug} ({', '.join(matched)})" for slug, matched in why]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _row(day: str, date_from: str, status: str, versions: int, name: str,
         topics: Sequence[str]) -> tuple[str, ...]:
    return (day, date_from, status, f"{versions} versions" if versions > 1 else "", name,
            ", ".join(topics) or "-")


def _table(rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in (HEADER, *rows)) for i in range(len(HEADER))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in (HEADER, *rows)]


def _closing(outcome: Outcome) -> str:
    where = display_path(outcome.out_dir)
    if outcome.dry_run:
        return (f"Dry run: nothing written; {_count(len(outcome.planned), 'draft')} would go "
                f"to {where}/")
    counts = {status: sum(1 for p in outcome.planned if p.status == status)
              for status in ("new", "replaced", "unchanged")}
    written = counts["new"] + counts["replaced"]
    return (f"{_count(written, 'draft')} written to {where}/ ({counts['new']} new, "
            f"{counts['replaced']} replaced, {counts['unchanged']} unchanged)")
