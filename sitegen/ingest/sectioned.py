"""An article in sections under subheadings: a Markdown briefing ("## On the ground"), a news
roundup whose parts have their own headings."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sitegen.ingest.article import Dropped, Paragraph, Post, is_intro
from sitegen.ingest.blocks import Block
from sitegen.ingest.briefing import split_briefing
from sitegen.ingest.text import short_title, tidy_title

MIN_SECTIONS = 2
HEADLINE_HEADING_WORDS = 5  # a shorter heading labels a section ("Diplomacy and aid")
# A paragraph that opens like this goes on with the one above rather than starting a new item.
CONTINUES_RE = re.compile(
    r"^(?:[\"\u201c\u2018']|(?:he|she|they|it|its|his|her|their|this|that|these|those|but|"
    r"however|also|still|yet|and|according|there|such)\b|the\s+\w+(?:\s+\w+)?\s+(?:said|says|"
    r"added|told)\b)", re.IGNORECASE)

# Words that link a roundup's paragraphs, not part of what each reports.
TRANSITION_RE = re.compile(r"^(?:meanwhile|elsewhere|separately|in other (?:news|developments)|"
                           r"also|in addition|on the (?:diplomatic|economic|military|energy) "
                           r"front|in the (?:north|south|east|west)(?:east|west)?(?: of the "
                           r"country)?),\s+", re.IGNORECASE)
ROUNDUP_TRANSITIONS = 2  # this many paragraphs opening "Meanwhile," "Elsewhere," make a roundup


def reads_as_roundup(paragraphs: Sequence[str]) -> bool:
    """True when several paragraphs turn to another story ("Elsewhere, ...", "Separately, ...")."""
    return sum(1 for p in paragraphs if TRANSITION_RE.match(p)) >= ROUNDUP_TRANSITIONS

LABEL_RE = re.compile(r"^([^:.!?]{1,60}):\s+(?=\S)")
LABEL_WORDS = 4

Split = tuple[tuple[Paragraph, ...], tuple[Post, ...], tuple[Post, ...], tuple[Dropped, ...]]


# A first section under a heading like this is the briefing's lead, not an item.
LEAD_HEADING_RE = re.compile(r"^(?:what (?:to|you need to) know|the latest|top stories|"
                             r"today(?:'s| in)|in brief|summary|overview|good (?:morning|evening)"
                             r"|the big picture|at a glance)", re.IGNORECASE)


def section_starts(blocks: Sequence[Block]) -> list[int]:
    """Indexes of subheadings; fewer than MIN_SECTIONS means the article has no sections."""
    starts = [i for i, b in enumerate(blocks) if b.heading and not is_intro(b)]
    return starts if len(starts) >= MIN_SECTIONS else []


def split_sections(blocks: Sequence[Block], starts: Sequence[int]) -> Split:
    """Lead, items, one-line headlines and dropped summary of a sectioned article.

    A section under a headline-like heading with only paragraphs is one item; any other
    section's list items are items, as in a briefing, and its paragraphs are items too, each
    with the paragraphs that go on from it ("He said ...", a quotation). Paragraphs under a
    first heading such as "What to know today" sum up the items and are not drafted.
    """
    lead, posts, headlines = split_briefing(blocks[: starts[0]])
    all_lead, all_posts, all_headlines = list(lead), list(posts), list(headlines)
    summary: list[Paragraph] = []
    ends = [*starts[1:], len(blocks)]
    for n, (start, end) in enumerate(zip(starts, ends, strict=True)):
        heading, body = blocks[start], [b for b in blocks[start + 1:end] if b.text]
        if not body:
            continue
        if n == 0 and LEAD_HEADING_RE.match(heading.text):
            prose, items, one_liners = split_briefing(body)
            summary.extend(prose)
            all_posts.extend(items)
            all_headlines.extend(one_liners)
            continue
        if _headline(heading) and not any(b.bullet for b in body):
            all_posts.append(Post(heading.line, tidy_title(heading.text),
                                  tuple(b.text for b in body if not b.heading), role="section",
                                  last=body[-1].line))
            continue
        prose, items, one_liners = split_briefing(body)
        all_posts.extend(items)
        all_headlines.extend(one_liners)
        all_posts.extend(paragraph_items(prose))
    all_posts.sort(key=lambda p: p.line)
    if len(all_posts) < MIN_SECTIONS:
        all_lead.extend(summary)  # a lone item: the "summary" may be news of its own
        summary = []
    dropped = tuple(Dropped(p.line, p.line, "summary", "sums up the items under the "
                                                       "sections below; never drafted")
                    for p in summary)
    return tuple(all_lead), tuple(all_posts), tuple(all_headlines), dropped


def paragraph_items(paragraphs: Sequence[Paragraph]) -> list[Post]:
    """Paragraphs as items: each starts one, unless it goes on from the paragraph above."""
    groups: list[list[Paragraph]] = []
    for paragraph in paragraphs:
        if groups and CONTINUES_RE.match(paragraph.text):
            groups[-1].append(paragraph)
        else:
            groups.append([paragraph])
    return [Post(g[0].line, _title(g[0].text), tuple(p.text for p in g), role="paragraph",
                 last=g[-1].line) for g in groups]


def _title(text: str) -> str:
    """A title from a paragraph's first sentence, without "Meanwhile," or a "Kherson:" label."""
    text = TRANSITION_RE.sub("", text)
    label = LABEL_RE.match(text)
    if label and len(label.group(1).split()) <= LABEL_WORDS:
        text = text[label.end():]
    return short_title(text)


def _headline(heading: Block) -> bool:
    text = heading.text.rstrip()
    return len(text.split()) >= HEADLINE_HEADING_WORDS and not text.endswith(":")
