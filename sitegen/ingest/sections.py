"""Opinion, analysis, commentary and letters: sections and items that are never events."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sitegen.ingest.article import Dropped, Post, is_title
from sitegen.ingest.blocks import Block

OPINION = (r"(?:opinions?|analysis|commentary|comment(?:\s+(?:and|&)\s+analysis)?|editorials?|"
           r"op-?eds?|our view|viewpoints?|views|columns?|columnists?|perspectives?|"
           r"(?:readers['\u2019]?\s+|your\s+)?letters(?:\s+to\s+the\s+editor)?|"
           r"the\s+big\s+(?:read|picture)|what\s+(?:they|commentators|the\s+papers)\s+(?:are\s+)?"
           r"say(?:ing)?)")
SECTION_RE = re.compile(rf"^{OPINION}(?:\s*[:|\u2013\u2014-].*)?$", re.IGNORECASE)
# Sections that explain rather than report: their dates are history, never an event's.
BACKGROUND_RE = re.compile(r"^(?:background|context|the background|how we got here|"
                           r"what happened before|explainer|timeline|a timeline|recap)\s*:?$",
                           re.IGNORECASE)
PREFIX_RE = re.compile(rf"^{OPINION}\s*[:|\u2013\u2014-]\s*\S", re.IGNORECASE)
LABEL_WORDS = 6  # a plain-text section label is a short line of its own


def drop_commentary_sections(blocks: Sequence[Block]) -> tuple[list[Block], list[Dropped]]:
    """Blocks without opinion sections (a heading such as "Opinion" or "Letters" and all under
    it, up to the next heading of its level or above) and opinion items ("Analysis: ...")."""
    kept: list[Block] = []
    dropped: list[Dropped] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        kind = _opens_section(block)
        if kind:
            end = _section_end(blocks, i)
            lines = [b.line for b in blocks[i:end] if b.text]
            what = "opinion, not news" if kind == "commentary" else "background, not news"
            dropped.append(Dropped(lines[0], lines[-1], kind,
                                   f"the \u201c{block.text[:40]}\u201d section is {what}"))
            i = end
            continue
        if block.text and not block.heading and _opinion_item(block):
            dropped.append(Dropped(block.line, block.line, "commentary",
                                   "an opinion or analysis item, not news"))
        else:
            kept.append(block)
        i += 1
    return kept, dropped


def commentary_post(post: Post) -> bool:
    """A live-blog post headed "Analysis: ..." or "Opinion - ..." is comment on the news."""
    return bool(PREFIX_RE.match(post.title)) or bool(SECTION_RE.fullmatch(post.title))


def _opens_section(block: Block) -> str:
    """"commentary" or "background" for a heading that opens such a section, else ""."""
    text = block.text.strip().rstrip(":")
    kind = "commentary" if SECTION_RE.match(text) else \
        "background" if BACKGROUND_RE.match(text) and block.heading else ""
    if kind and (block.heading or (is_title(block) and len(text.split()) <= LABEL_WORDS
                                   and not block.bullet)):
        return kind
    return ""


def _section_end(blocks: Sequence[Block], start: int) -> int:
    level = blocks[start].heading
    for j in range(start + 1, len(blocks)):
        block = blocks[j]
        if level and block.heading and block.heading <= level:
            return j
        if not level and (block.separator or block.heading or (
                is_title(block) and len(block.text.split()) <= LABEL_WORDS)):
            return j
    return len(blocks)


def _opinion_item(block: Block) -> bool:
    """A bullet or paragraph labelled as opinion; a title-shaped line is left to head its post."""
    lead_in = block.lead_in.strip().rstrip(":")
    if lead_in and SECTION_RE.fullmatch(lead_in):
        return True
    return bool(PREFIX_RE.match(block.text)) and (block.bullet or not is_title(block))
