"""A live blog: a lead, then posts that each open with a byline and a title."""

from __future__ import annotations

from collections.abc import Sequence

from sitegen.ingest.article import Paragraph, Post, byline_name, is_intro
from sitegen.ingest.blocks import Block
from sitegen.ingest.text import tidy_title


def split_live_blog(blocks: Sequence[Block],
                    starts: Sequence[int]) -> tuple[tuple[Paragraph, ...], tuple[Post, ...]]:
    """The lead paragraphs above the first post, and each post (newest first, as published)."""
    lead = tuple(Paragraph(b.line, b.text) for b in blocks[: starts[0]] if _prose(b)
                 and not b.heading)
    ends = [*starts[1:], len(blocks)]
    posts = tuple(_post(blocks[start:end]) for start, end in zip(starts, ends, strict=True))
    return lead, posts


def _post(blocks: Sequence[Block]) -> Post:
    byline, title, *body = blocks
    return Post(byline.line, tidy_title(title.text), tuple(b.text for b in body if _prose(b)),
                byline_name(byline), "post")


def _prose(block: Block) -> bool:
    return bool(block.text) and not is_intro(block)
