"""What an input article holds: its headline, lead and posts, whatever its format."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sitegen.ingest.blocks import Block
from sitegen.ingest.dates import dateline_date

NAME_WORD = r"[A-Z][\w'\u2019.-]+"
NAME = rf"{NAME_WORD}(?:\s+(?:{NAME_WORD}|de|van|von|der|da|del|al|bin|le)){{1,3}}"
NAME_RE = re.compile(rf"{NAME}(?:\s*(?:,|and|&)\s*{NAME})*")
TIME_RE = re.compile(r"\b\d{1,2}[:.]\d{2}\s*(?:am|pm|gmt|bst|utc|cet|et)?\b|\b(?:gmt|bst|utc)\b",
                     re.IGNORECASE)
INTRO_RE = re.compile(r"^(?:here['\u2019]?s|here is|this is)\s+(?:what we know|what to know|"
                      r"what you need to know|the latest)\b|^what we know\b", re.IGNORECASE)
BOILERPLATE_RE = re.compile(
    r"^(?:(?:source|credit|credits|photo|picture|image|video)\s*:|read (?:the )?full "
    r"(?:article|story)|advertisement$|sign up\b|subscribe\b|share this\b|"
    r"(?:read|follow|scroll down|see)\b.{0,80}\b(?:below|live blog|updates)\b)", re.IGNORECASE)
TITLE_MAX_WORDS = 20
HEADLINE_MAX_WORDS = 32  # a page's own headline, with its " | Site" suffix


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of an article's lead, with the file line it starts on."""

    line: int
    text: str


@dataclass(frozen=True)
class Post:
    """One reported item: a live-blog post, a briefing's bullet or headline, a lead, an article."""

    line: int
    title: str
    paragraphs: tuple[str, ...]
    author: str = ""
    role: str = "post"  # "post", "bullet", "headline", "lead" or "article"

    @property
    def text(self) -> str:
        return " ".join((self.title, *self.paragraphs))


@dataclass(frozen=True)
class Article:
    """An input file split into its parts; `posts` keep the file's order (a live blog's newest
    post is first)."""

    path: Path
    form: str  # "live blog", "briefing" or "article"
    headline: str
    author: str
    published: dt.date | None  # what the file itself says, if anything
    url: str
    lead: tuple[Paragraph, ...]
    posts: tuple[Post, ...]
    headlines: tuple[Post, ...] = ()  # a briefing's one-line headlines
    commentary: tuple[int, int] | None = None  # first and last line of dropped reader commentary


def is_boilerplate(block: Block) -> bool:
    """Credits, "read the full article" links, sign-up prompts: not part of any report."""
    return bool(block.text) and bool(BOILERPLATE_RE.match(block.text)) and len(
        block.text.split()) <= 16


def is_intro(block: Block) -> bool:
    """A line that introduces the article's list ("Here's what we know:")."""
    return bool(INTRO_RE.match(block.text))


def byline_name(block: Block) -> str:
    """The author a byline block names ("By Ana Ruiz", "\u2022 Ana Ruiz", "**Ana Ruiz**"), or ""."""
    text = block.text.strip()
    has_by = text[:3].lower() == "by "
    text = TIME_RE.sub(" ", text[3:] if has_by else text).strip(" ,-|\u2013\u2014")
    text = " ".join(text.split())
    marked = has_by or block.bullet or (block.lead_in and block.lead_in.strip() == block.text)
    return text if marked and text and NAME_RE.fullmatch(text) else ""


def is_title(block: Block, max_words: int = TITLE_MAX_WORDS) -> bool:
    """A block shaped like a headline: a heading, or one short line without a final full stop
    (and not a byline or a dateline)."""
    if block.separator or not block.text or byline_name(block) or dateline_date(block.text):
        return False
    if block.heading:
        return True
    return not block.bullet and len(block.text.split()) <= max_words and \
        not block.text.rstrip("\u201d\"'").endswith((".", "\u2026", ":", ","))


def post_starts(blocks: Sequence[Block]) -> list[int]:
    """Indexes of live-blog post starts: a byline block followed by a title block."""
    return [i for i in range(len(blocks) - 1)
            if byline_name(blocks[i]) and is_title(blocks[i + 1])]
