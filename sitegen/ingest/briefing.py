"""A briefing: a list of one-line headlines, paragraphs, then a list of detailed bullets."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence

from sitegen.ingest.article import Paragraph, Post, is_intro
from sitegen.ingest.blocks import Block
from sitegen.ingest.text import sentences, short_title, tidy_title

HEADLINE_WORDS = 20  # a list whose typical item is longer than this holds detailed items
LEAD_IN_TITLE_WORDS = 4  # a shorter bold lead-in ("Kherson:") is a label, not a title
DETAILED_ITEMS = 3  # a text with this many detailed items is a briefing even without an intro


def looks_like_briefing(blocks: Sequence[Block]) -> bool:
    """True when `blocks` hold a list of several detailed items."""
    detailed = [b for items in _lists(blocks) if not _headline_list(items) for b in items]
    return len(detailed) >= DETAILED_ITEMS


def split_briefing(blocks: Sequence[Block]) -> tuple[tuple[Paragraph, ...], tuple[Post, ...],
                                                     tuple[Post, ...]]:
    """Lead paragraphs, detailed items (as posts) and one-line headlines, in file order.

    A "headline" of more than one sentence is the article's summary, so it joins the lead.
    """
    lead: list[Paragraph] = []
    posts: list[Post] = []
    headlines: list[Post] = []
    for is_list, group in _runs(blocks):
        if not is_list:
            lead.extend(Paragraph(b.line, b.text) for b in group if not b.heading)
        elif _headline_list(group):
            for block in group:
                if len(sentences(block.text)) > 1:
                    lead.append(Paragraph(block.line, block.text))
                else:
                    headlines.append(Post(block.line, tidy_title(block.text), (block.text,),
                                          role="headline"))
        else:
            posts.extend(_detailed(block) for block in group)
    return tuple(lead), tuple(posts), tuple(headlines)


def _detailed(block: Block) -> Post:
    """A detailed item; its bold lead-in is its title, else a title from its first sentence.

    A lead-in of a word or two ("Kherson:") labels the item rather than titles it.
    """
    lead_in = block.lead_in if block.text.startswith(block.lead_in) else ""
    rest = block.text[len(lead_in):].lstrip(" :.\u2013\u2014-")
    if lead_in and len(lead_in.split()) >= LEAD_IN_TITLE_WORDS:
        return Post(block.line, tidy_title(lead_in.rstrip(":")), (rest,), role="bullet")
    return Post(block.line, short_title(rest or block.text), (block.text,), role="bullet")


def _lists(blocks: Sequence[Block]) -> Iterator[list[Block]]:
    return (group for is_list, group in _runs(blocks) if is_list)


def _runs(blocks: Sequence[Block]) -> Iterator[tuple[bool, list[Block]]]:
    """Blocks grouped into list runs and prose runs; intro lines and rules end a run.

    A list item is a bulleted block, or a line that a bare marker ("-") stands next to, as in
    text copied from a page whose list items were separated by dashes.
    """
    for _, segment in itertools.groupby(blocks, key=lambda b: is_intro(b) or b.separator):
        segment_blocks = [b for b in segment if not (is_intro(b) or b.separator)]
        flags = [_is_item(segment_blocks, i) for i in range(len(segment_blocks))]
        for is_list, run in itertools.groupby(zip(flags, segment_blocks, strict=True),
                                              key=lambda pair: pair[0]):
            group = [block for _, block in run if block.text]
            if group:
                yield is_list, group


def _is_item(blocks: Sequence[Block], i: int) -> bool:
    if blocks[i].bullet:
        return True
    neighbours = [*blocks[max(i - 1, 0): i], *blocks[i + 1: i + 2]]
    return any(b.bullet and not b.text for b in neighbours)


def _headline_list(items: Sequence[Block]) -> bool:
    """Mostly one-sentence items, typically short: headlines, not detailed items."""
    if sum(1 for b in items if b.lead_in and b.lead_in != b.text) * 2 > len(items):
        return False  # "**Bakhmut:** Russian forces attacked ...": items with bold lead-ins
    single = sum(1 for b in items if len(sentences(b.text)) == 1)
    counts = sorted(len(re.findall(r"\S+", b.text)) for b in items)
    return single * 2 > len(items) and counts[len(counts) // 2] <= HEADLINE_WORDS
