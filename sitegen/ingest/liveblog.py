"""A live blog: a lead, then posts that each open with a byline or a time, and a title."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sitegen.ingest.article import (
    Dropped,
    Paragraph,
    Post,
    byline_name,
    is_intro,
    is_stamp,
    is_title,
)
from sitegen.ingest.blocks import Block
from sitegen.ingest.stamps import days_back, parse_stamp
from sitegen.ingest.text import short_title, tidy_title

KEY_EVENTS_RE = re.compile(
    r"^(?:the\s+)?(?:key|main|top)\s+(?:events|developments|points|moments|updates|takeaways)"
    r"(?:\s+(?:so far|today))?|^(?:highlights|summary|at a glance|in brief|catch up|"
    r"what we know so far)$", re.IGNORECASE)
SUMMARY_WORDS = 30  # a key-events item is a line; a post's paragraph is longer or a sentence


def split_live_blog(blocks: Sequence[Block],
                    starts: Sequence[int]) -> tuple[tuple[Paragraph, ...], tuple[Post, ...]]:
    """The lead paragraphs above the first post, and each post (newest first, as published)."""
    lead = tuple(Paragraph(b.line, b.text) for b in blocks[: starts[0]] if _prose(b)
                 and not b.heading)
    ends = [*starts[1:], len(blocks)]
    posts = [_post(blocks[start:end]) for start, end in zip(starts, ends, strict=True)]
    stamped = [p for p in posts if p.stamp]
    if len(stamped) == len(posts):
        minutes = [_minutes(p.stamp) for p in posts]
        posts = [_with_days(p, back) for p, back in zip(posts, days_back(minutes), strict=True)]
    return lead, tuple(posts)


def _minutes(stamp: str) -> int:
    parsed = parse_stamp(stamp)
    return parsed.minutes if parsed else 0


def _with_days(post: Post, back: int) -> Post:
    return Post(post.line, post.title, post.paragraphs, post.author, post.role, post.last,
                post.stamp, back)


def _post(blocks: Sequence[Block]) -> Post:
    """One post: its header (byline and/or time), its title, and its paragraphs."""
    author, stamp, rest = "", "", list(blocks)
    title = ""
    while rest and not title:
        block = rest[0]
        parsed = parse_stamp(block.text) if is_stamp(block) else None
        if parsed is not None and not stamp:
            stamp, rest = parsed.text, rest[1:]
            if parsed.rest:
                title, rest = _title_or_lead(parsed.rest, rest)
        elif byline_name(block) and not author:
            author, rest = byline_name(block), rest[1:]
        elif is_title(block):
            title, rest = tidy_title(block.text), rest[1:]
        else:
            break
    paragraphs = tuple(b.text for b in rest if _prose(b))
    if not title and paragraphs:
        title = short_title(paragraphs[0])
    last = max((b.line for b in blocks if b.text), default=blocks[0].line)
    return Post(blocks[0].line, title, paragraphs, author, "post", last, stamp)


def _title_or_lead(text: str, rest: list[Block]) -> tuple[str, list[Block]]:
    """Text after a time on the same line: a title, or (a sentence) the post's first paragraph."""
    block = Block(0, text)
    if is_title(block):
        return tidy_title(text), rest
    return "", [block, *rest]


def _prose(block: Block) -> bool:
    return bool(block.text) and not is_intro(block)


def drop_key_events(blocks: Sequence[Block]) -> tuple[list[Block], list[Dropped]]:
    """A "Key events" block (a heading and the one-line items under it) summarises posts that
    follow, so it is left out; it ends where the first post with a paragraph of its own begins."""
    kept, dropped = list(blocks), []
    for k, block in enumerate(blocks):
        if not (KEY_EVENTS_RE.match(block.text.rstrip(" :")) and len(block.text.split()) <= 6):
            continue
        end = _key_events_end(blocks, k)
        if end > k:
            lines = [b.line for b in blocks[k:end] if b.text]
            dropped.append(Dropped(lines[0], lines[-1], "key-events",
                                   f"a \u201c{block.text.rstrip(' :')}\u201d summary of "
                                   "posts below; never drafted"))
            kept = [*blocks[:k], *blocks[end:]]
        break
    return kept, dropped


def _key_events_end(blocks: Sequence[Block], k: int) -> int:
    """Where the key-events block that opens at `k` ends: at the first post header when its
    items carry none (they are plain lines), else before the first post with a paragraph."""
    items_have_headers = False
    j = k + 1
    while j < len(blocks) and _summary_line(blocks[j]) and not (
            j > k + 1 and blocks[j].heading and not is_stamp(blocks[j]) and blocks[j].heading
            <= blocks[k].heading):
        header = is_stamp(blocks[j]) or bool(byline_name(blocks[j]))
        if header and not items_have_headers:
            if j > k + 1 and _plain_items(blocks[k + 1:j]):
                return j - 1 if byline_name(blocks[j - 1]) else j
            items_have_headers = True
        j += 1
    if j >= len(blocks) or blocks[j].separator:
        return j
    for check in (is_title, byline_name, is_stamp, byline_name):  # back over the post's header
        if j - 1 > k and check(blocks[j - 1]):
            j -= 1
    return j


def _plain_items(blocks: Sequence[Block]) -> bool:
    """Key-events items without a time or byline of their own: the first time begins a post."""
    return all(not is_stamp(b) and not byline_name(b) for b in blocks) and any(
        b.text for b in blocks)


def _summary_line(block: Block) -> bool:
    if block.separator:
        return False
    if not block.text or block.bullet or is_stamp(block) or is_title(block):
        return True
    return len(block.text.split()) <= SUMMARY_WORDS and not block.text.endswith(".")
