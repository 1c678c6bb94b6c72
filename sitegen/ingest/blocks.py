"""Plain text and Markdown as a list of blocks: paragraphs, headings, list items, separators."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
BULLET_RE = re.compile(r"^(?:[-*+\u2022\u00b7\u2013\u25aa\u25cf]|\d{1,2}[.)])\s+(\S.*)$")
MARKER_RE = re.compile(r"^[-*+\u2022\u00b7\u2013\u25aa\u25cf]$")
RULE_RE = re.compile(r"^(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})$")
SETEXT_RE = re.compile(r"^(=+|-+)\s*$")
LEAD_IN_RE = re.compile(r"^(?:\*\*|__)(.+?)(?:\*\*|__)")
LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
EMPHASIS_RE = re.compile(r"(\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])|`)")
TAG_RE = re.compile(r"</?[a-zA-Z][^>]*>")
STAMP_START_RE = re.compile(r"^\d{1,2}[:.]\d{2}\b|^\d{1,2}\s*(?:am|pm)\b", re.IGNORECASE)
# Words a sentence does not end on: a line ending in one was broken mid-sentence.
DANGLING = frozenset(re.findall(r"\S+", """
on in at of the a an and or to from by for with late early last next this that which who
whose its their his her than as into onto over under after before since until near about
but between against during
"""))


@dataclass(frozen=True)
class Block:
    """One paragraph, heading, list item or separator, with the file line it starts on."""

    line: int
    text: str
    heading: int = 0
    bullet: bool = False  # a list item; with no text, a bare marker between items
    separator: bool = False  # a horizontal rule
    lead_in: str = ""  # bold text that opens the block, e.g. a list item's own title


@dataclass
class _Open:
    """A block being collected line by line (Markdown paragraphs span lines)."""

    line: int
    parts: list[str]
    bullet: bool


def text_blocks(lines: Iterable[tuple[int, str]], *, markdown: bool) -> list[Block]:
    """Blocks of plain text or Markdown; `lines` are (file line, text) pairs.

    Plain text has a paragraph per line unless it is hard-wrapped; Markdown joins the lines of
    a paragraph as CommonMark does.
    """
    numbered = [(n, line.rstrip()) for n, line in lines]
    join = markdown or _hard_wrapped([line for _, line in numbered])
    return list(_collect(numbered, join=join, markdown=markdown))


def _collect(lines: list[tuple[int, str]], *, join: bool, markdown: bool) -> Iterator[Block]:
    current: _Open | None = None
    for number, raw in lines:
        line = raw.strip()
        if markdown and line.startswith(">"):
            line = line.lstrip("> ").strip()
        setext = SETEXT_RE.match(line)
        if setext and current and not current.bullet and raw[:1] not in " \t" and markdown:
            yield _finish(current, heading=1 if setext.group(1)[0] == "=" else 2)
            current = None
            continue
        block = _single(number, line)
        continues = (current is not None and line and block is None and not BULLET_RE.match(line)
                     and (join or _broken(current.parts[-1], line)))
        if continues and current is not None:
            current.parts.append(line)
            continue
        if current is not None:
            yield _finish(current)
            current = None
        if block is not None:
            yield block
        elif line:
            bullet = BULLET_RE.match(line)
            current = _Open(number, [bullet.group(1) if bullet else line], bullet is not None)
    if current is not None:
        yield _finish(current)


def _broken(previous: str, line: str) -> bool:
    """True when a line of unwrapped text goes on from the one above: the above stops mid-
    sentence ("... damaged on" / "Wednesday.") and this one does not start anew."""
    if not previous or previous.rstrip()[-1:] in ".!?:;\"\u201d\u2019)\u2026" or \
            STAMP_START_RE.match(line):
        return False
    last = previous.split()[-1].lower()
    return line[:1].islower() or last in DANGLING


def _single(number: int, line: str) -> Block | None:
    """A line that is a block by itself: a heading, a rule or a bare list marker."""
    heading = HEADING_RE.match(line)
    if heading and heading.group(2):
        return Block(number, inline(heading.group(2)), heading=len(heading.group(1)))
    if MARKER_RE.match(line):
        return Block(number, "", bullet=True)  # an empty list item: glue between items
    if RULE_RE.match(line):
        return Block(number, "", separator=True)
    return None


def _finish(current: _Open, heading: int = 0) -> Block:
    raw = " ".join(current.parts)
    lead_in = LEAD_IN_RE.match(raw)
    return Block(current.line, inline(raw), heading=heading, bullet=current.bullet and not heading,
                 lead_in=inline(lead_in.group(1)) if lead_in else "")


def inline(text: str) -> str:
    """Markdown inline markup removed: links keep their text, emphasis and code marks go."""
    text = LINK_RE.sub(r"\1", text)
    text = TAG_RE.sub("", text)
    return " ".join(EMPHASIS_RE.sub("", text).split())


def _hard_wrapped(lines: list[str]) -> bool:
    """True when most lines stop near one width, as in a text wrapped at ~72 columns."""
    filled = [line for line in lines if line.strip()]
    if len(filled) < 5 or max(len(line) for line in filled) > 100:
        return False
    near_width = sum(1 for line in filled if len(line) >= 50)
    return near_width * 2 >= len(filled)
