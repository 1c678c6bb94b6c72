"""What an input article holds: its headline, lead and posts, whatever its format."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sitegen.ingest.blocks import Block
from sitegen.ingest.dates import dateline_date
from sitegen.ingest.stamps import parse_stamp

NAME_WORD = r"[A-Z][\w'\u2019.-]+"
NAME = rf"{NAME_WORD}(?:\s+(?:{NAME_WORD}|de|van|von|der|da|del|al|bin|le)){{1,3}}"
NAME_RE = re.compile(rf"{NAME}(?:\s*(?:,|and|&)\s*{NAME})*")
TIME_RE = re.compile(r"\b\d{1,2}[:.]\d{2}\s*(?:am|pm|gmt|bst|utc|cet|et)?\b|\b(?:gmt|bst|utc)\b",
                     re.IGNORECASE)
INTRO_RE = re.compile(r"^(?:here['\u2019]?s|here is|this is)\s+(?:what we know|what to know|"
                      r"what you need to know|the latest)\b|^what we know\b", re.IGNORECASE)
# A greeting or a table of contents ("Good morning. Here is what happened overnight ...").
GREETING_RE = re.compile(r"^(?:good (?:morning|afternoon|evening)|hello|hi|welcome)\b|"
                         r"^(?:here['\u2019]?s|here is|here are)\s+(?:what|the|your|our|today)",
                         re.IGNORECASE)
GREETING_WORDS = 30
BOILERPLATE_RE = re.compile(
    r"^(?:(?:source|credit|credits|photo|picture|image|video)\s*:|read (?:the )?full "
    r"(?:article|story)|advertisement$|sign up\b|subscribe\b|share this\b|"
    r"(?:read|follow|scroll down|see)\b.{0,80}\b(?:below|live blog|updates)\b|"
    r"show key events only|please turn on javascript|pinned(?: post)?$|load more|show more|"
    r"\d{1,2}\s*(?:h|hr|hrs|hours?|m|mins?|minutes?|d|days?)\s+ago$|updated\s+(?:at\s+)?\d{1,2}[:.]\d{2}\b|"
    r"(?:share|copy link|comments?|print|email|tweet)$|(?:advert|advertisement|sponsored)$)",
    re.IGNORECASE)
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
    last: int = 0  # the file line it ends on (0: the same as `line`)
    stamp: str = ""  # a timestamped live-blog post's time header ("14:05 GMT")
    days_back: int = 0  # how many days before the publication day its timestamp falls

    @property
    def text(self) -> str:
        return " ".join((self.title, *self.paragraphs))


@dataclass(frozen=True)
class Article:
    """An input file split into its parts; `posts` keep the file's order (a live blog's newest
    post is first)."""

    path: Path
    form: str  # "live blog", "briefing", "roundup" or "article"
    headline: str
    author: str
    published: dt.date | None  # what the file itself says, if anything
    url: str
    lead: tuple[Paragraph, ...]
    posts: tuple[Post, ...]
    headlines: tuple[Post, ...] = ()  # a briefing's one-line headlines
    commentary: tuple[int, int] | None = None  # first and last line of dropped reader commentary
    dropped: tuple[Dropped, ...] = ()  # what was left out of every post, and why
    timestamped: bool = False  # a live blog whose posts are headed by times
    sectioned: bool = False  # a briefing or roundup in sections under subheadings
    markup: str = "text"  # what the file was read as: "text", "markdown" or "html"


@dataclass(frozen=True)
class Dropped:
    """Lines left out of every draft: `kind` is boilerplate, commentary, key-events, dateline..."""

    line: int
    last: int
    kind: str
    why: str


def is_boilerplate(block: Block) -> bool:
    """Credits, "read the full article" links, sign-up prompts: not part of any report."""
    return bool(block.text) and bool(BOILERPLATE_RE.match(block.text)) and len(
        block.text.split()) <= 16


def is_intro(block: Block) -> bool:
    """A line that introduces the article's list ("Here's what we know:", "Good morning. Here is
    what happened overnight.")."""
    return bool(INTRO_RE.match(block.text)) or (
        bool(GREETING_RE.match(block.text)) and len(block.text.split()) <= GREETING_WORDS)


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
    if is_stamp(block):
        return False
    if block.heading:
        return True
    return not block.bullet and len(block.text.split()) <= max_words and \
        not block.text.rstrip("\u201d\"'").endswith((".", "\u2026", ":", ","))


def is_stamp(block: Block) -> bool:
    """A live-blog post's time header ("14:05 GMT", "2.05pm", "09:30 CET: Title")."""
    return bool(block.text) and not block.bullet and parse_stamp(block.text) is not None


def post_starts(blocks: Sequence[Block]) -> list[int]:
    """Indexes of live-blog post starts: a byline block followed by a title block, or a time
    header (with the byline just above it, if there is one)."""
    starts: set[int] = set()
    for i, block in enumerate(blocks):
        if is_stamp(block):
            starts.add(i - 1 if i and byline_name(blocks[i - 1]) else i)
        elif (i + 1 < len(blocks) and byline_name(block) and is_title(blocks[i + 1])
              and not (i and is_stamp(blocks[i - 1]))):
            starts.add(i)
    return sorted(starts)
