"""A saved page's main text and publication date, found by trafilatura and htmldate.

Our own parser (htmltext) keeps each block's line, heading level, byline and bold lead-in;
trafilatura, a well-kept extractor, knows what of a page is the article and what is furniture
(navigation, cookie banners, share buttons, adverts, related links, footers). A block is kept
when trafilatura's main text holds it; a heading, byline or time header between kept blocks is
kept too (extractors often drop those short lines, and live blogs need them).
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from collections.abc import Sequence

import trafilatura
from htmldate import find_date

from sitegen.ingest.article import Dropped, byline_name, is_stamp
from sitegen.ingest.blocks import Block
from sitegen.ingest.text import words

TAG_RE = re.compile(r"<[^>]+>")
FURNITURE = ("not in the page's main text (navigation, banner, advert, caption, share buttons, "
             "related links or footer)")

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # it logs what it could not find
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def main_blocks(page: str, blocks: Sequence[Block]) -> tuple[list[Block], list[Dropped]]:
    """The blocks of the page's main text, and the furniture left out (as line ranges).

    When trafilatura finds no main text (a tiny or odd page) every block is kept.
    """
    main = _main_text(page)
    if not main:
        return list(blocks), []
    inside = [_in(block, main) for block in blocks]
    marked = [i for i, keep in enumerate(inside) if keep]
    if not marked:
        return list(blocks), []
    first, last = marked[0], marked[-1]
    first = min([first, *(i for i, b in enumerate(blocks) if b.heading == 1)])  # its byline too
    keep = [inside[i] or (first <= i <= last and _structure(b)) or b.heading == 1 or b.separator
            for i, b in enumerate(blocks)]
    kept = [b for b, k in zip(blocks, keep, strict=True) if k]
    return kept, _ranges([b for b, k in zip(blocks, keep, strict=True) if not k and b.text])


def published_date(page: str) -> dt.date | None:
    """The page's own publication date from its metadata (JSON-LD, meta tags, <time>)."""
    try:
        found = find_date(page, original_date=True, extensive_search=False,
                          outputformat="%Y-%m-%d")
    except Exception:  # noqa: BLE001 - a hostile page must not crash ingest; no date, then
        return None
    return dt.date.fromisoformat(found) if found else None


def _main_text(page: str) -> str:
    try:
        xml = trafilatura.extract(page, output_format="xml", include_comments=False,
                                  include_tables=True, include_images=False,
                                  include_formatting=False, deduplicate=False,
                                  with_metadata=False, favor_recall=True)
    except Exception:  # noqa: BLE001 - on a page it cannot read, fall back to our own parse
        return ""
    if not xml:
        return ""
    return " " + " ".join(words(html.unescape(TAG_RE.sub(" ", xml)))) + " "


def _in(block: Block, main: str) -> bool:
    if not block.text:
        return False
    text = block.text[3:] if block.text.startswith("By ") else block.text
    token = " ".join(words(text))
    return bool(token) and f" {token} " in main


def _structure(block: Block) -> bool:
    """A heading, byline or time header: the frame of the posts around it."""
    return bool(block.heading) or bool(byline_name(block)) or is_stamp(block)


def _ranges(blocks: Sequence[Block]) -> list[Dropped]:
    """Consecutive dropped blocks as one range each."""
    ranges: list[Dropped] = []
    for block in blocks:
        if ranges and block.line - ranges[-1].last <= 2:
            ranges[-1] = Dropped(ranges[-1].line, block.line, "boilerplate", FURNITURE)
        else:
            ranges.append(Dropped(block.line, block.line, "boilerplate", FURNITURE))
    return ranges
