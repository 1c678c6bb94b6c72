"""Read one input article (plain text, Markdown or a saved HTML page) into blocks and metadata."""

from __future__ import annotations

import datetime as dt
import re
import stat
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from dateutil import parser as dateparser

from sitegen import safeio, yamlsafe
from sitegen.errors import Problem
from sitegen.ingest.article import Dropped
from sitegen.ingest.blocks import Block, text_blocks
from sitegen.ingest.errors import FileProblem, IngestError
from sitegen.ingest.htmltext import html_page
from sitegen.ingest.maintext import main_blocks, published_date
from sitegen.urls import is_web_url

HTML_START_RE = re.compile(r"^\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])",
                           re.IGNORECASE)
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown"})
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
TEXT_SUFFIXES = frozenset({".txt", ".text"})
FENCE = "---"
STDIN = Path("-")
STDIN_NAME = Path("<stdin>")
HTML_TAGS_RE = re.compile(r"<(?:p|div|article|main|h[1-6]|body|head|title)[\s>]", re.IGNORECASE)
MARKDOWN_RE = re.compile(r"^#{1,6}\s+\S|\*\*[^*\n]+\*\*|\[[^\]\n]+\]\([^)\n]+\)", re.MULTILINE)
# The same cap as an entry's: a saved news page is rarely over a few MiB, even with its images
# inlined, while an unbounded read of /dev/zero or a runaway pipe would exhaust memory.
MAX_ARTICLE_BYTES = safeio.MAX_INPUT_BYTES
MIB = 1024 * 1024
TOO_LONG_FIX = "pass the article's own page or text alone (one is rarely over a few MiB)"


@dataclass(frozen=True)
class Meta:
    """What the file declares about itself (front matter or HTML <head>), each value optional."""

    title: str = ""
    published: dt.date | None = None
    author: str = ""
    url: str = ""


@dataclass(frozen=True)
class SourceText:
    """One input file as blocks of text, with what it declares about itself."""

    path: Path
    markup: str  # "text", "markdown" or "html"
    blocks: tuple[Block, ...]
    meta: Meta
    dropped: tuple[Dropped, ...] = ()  # what was left out while reading (an HTML page's furniture)


def read_source(path: Path) -> SourceText:
    """Read and split `path` (`-`: standard input, named "<stdin>"); raise IngestError naming
    the file (and line) when it is unusable."""
    if path == STDIN:
        path = STDIN_NAME
        text = decode(path, _read_stdin(path))
        markup = sniff(text)
    else:
        text = decode(path, _read_bytes(path))
        markup = _markup(path, text)
    if markup == "html":
        page = html_page(text)
        blocks, furniture = main_blocks(text, page.blocks)
        meta = _html_meta(page.meta)
        if meta.published is None:
            meta = replace(meta, published=published_date(text))
        source = SourceText(path, markup, tuple(blocks), meta, tuple(furniture))
    else:
        meta, start = _front_matter(path, text) if markup == "markdown" else (Meta(), 0)
        lines = list(enumerate(text.split("\n"), 1))[start:]
        source = SourceText(path, markup, tuple(text_blocks(lines, markdown=markup == "markdown")),
                            meta)
    if not any(block.text for block in source.blocks):
        raise IngestError(Problem(path, 1, "no article text found; pass the page or file that "
                                           "holds the article itself"))
    return source


def _read_bytes(path: Path) -> bytes:
    """The bytes of `path`, a regular file within the cap; an IngestError naming it otherwise
    (a FIFO or a device is refused before any read, so it never hangs or fills memory)."""
    try:
        return safeio.read_regular_file(path, limit=MAX_ARTICLE_BYTES)
    except safeio.UnreadableFile as e:
        raise IngestError(FileProblem(path, 0, _refusal(e))) from e


def _refusal(error: safeio.UnreadableFile) -> str:
    """What is wrong with a file safeio would not read, and what to do about it."""
    cause = error.__cause__
    if isinstance(cause, OSError):
        return f"cannot read it ({cause.strerror or cause}); check the path and its permissions"
    if stat.S_ISDIR(error.mode):
        return "is a folder, not an article; pass the article files inside it"
    if error.mode:  # a pipe, a device, a socket
        return (f"{error.reason}; save the article as a .txt, .md or .html file and pass that, "
                "or pipe it in as - (standard input)")
    return f"{error.reason}; {TOO_LONG_FIX}"


def _read_stdin(path: Path) -> bytes:
    """Standard input, read to one byte past the cap (to tell it is over), never further."""
    limit = MAX_ARTICLE_BYTES
    try:
        data = sys.stdin.buffer.read(limit + 1)
    except OSError as e:
        raise IngestError(FileProblem(path, 0, f"cannot read it ({e.strerror or e}); pipe in "
                                               "the article's text")) from e
    if len(data) > limit:
        raise IngestError(FileProblem(path, 0, f"is more than the {limit // MIB} MiB an input "
                                               f"may be; {TOO_LONG_FIX}"))
    return data


def decode(path: Path, raw: bytes) -> str:
    """UTF-8 text with LF line ends; a binary, non-UTF-8 or empty file is an IngestError."""
    if b"\x00" in raw[:8192]:
        raise IngestError(FileProblem(path, 0, "is a binary file, not an article; pass the "
                                               "article as a .txt, .md or .html file"))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise IngestError(Problem(path, line, "is not UTF-8 text; re-save the article as "
                                              "UTF-8")) from e
    if not text.strip():
        raise IngestError(Problem(path, 1, "the file is empty; pass a file that holds the "
                                           "article's text"))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _markup(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES or HTML_START_RE.match(text):
        return "html"
    if suffix in MARKDOWN_SUFFIXES or text.startswith(FENCE + "\n"):
        return "markdown"
    if suffix in TEXT_SUFFIXES:
        return "text"
    return sniff(text)


def sniff(text: str) -> str:
    """"html", "markdown" or "text", from the text alone (standard input, an unknown suffix):
    Markdown has front matter, `#` headings, `**bold**` or `[links](...)`."""
    if HTML_START_RE.match(text) or HTML_TAGS_RE.search(text[:4096]):
        return "html"
    if text.startswith(FENCE + "\n") or len(MARKDOWN_RE.findall(text)) >= 2:
        return "markdown"
    return "text"


def _front_matter(path: Path, text: str) -> tuple[Meta, int]:
    """Metadata from a Markdown file's YAML front matter, and the index of its first body line."""
    lines = text.split("\n")
    if lines[0].strip() != FENCE:
        return Meta(), 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == FENCE), None)
    if end is None:
        raise IngestError(Problem(path, 1, "front matter opened with `---` is never closed; "
                                           "add a `---` line after it"))
    try:
        data = yamlsafe.safe_load("\n".join(lines[1:end]), offset=2) or {}
    except yamlsafe.UnsafeYaml as e:
        raise IngestError(Problem(path, e.line, e.message)) from e
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        raise IngestError(Problem(path, line, f"front matter is not valid YAML "
                                              f"({getattr(e, 'problem', e)}); fix it")) from e
    if not isinstance(data, dict):
        raise IngestError(Problem(path, 2, "front matter must be `key: value` lines"))
    return _meta_from(path, data, lines[1:end]), end + 1


def _meta_from(path: Path, data: dict[str, Any], lines: list[str]) -> Meta:
    key = "published" if "published" in data else "date"
    line = next((i for i, text in enumerate(lines, 2) if text.startswith(f"{key}:")), 1)
    published = _as_date(data.get(key))
    if data.get(key) is not None and published is None:
        raise IngestError(Problem(path, line, f"cannot read `{key}: {data.get(key)}`; write it "
                                              "as YYYY-MM-DD"))
    return Meta(title=str(data.get("title") or ""), published=published,
                author=str(data.get("author") or ""), url=_web_url(data.get("url")))


def _html_meta(meta: dict[str, str]) -> Meta:
    return Meta(title=meta.get("title") or meta.get("title_tag", ""),
                published=_as_date(meta.get("published")), author=meta.get("author", ""),
                url=_web_url(meta.get("url")))


def _web_url(value: object) -> str:
    """A page's own address if it is an http(s) one; a `javascript:` or other link is dropped
    (the draft cites --url instead), never carried into a draft."""
    text = str(value or "").strip()
    return text if is_web_url(text) else ""


def _as_date(value: object) -> dt.date | None:
    """A date from a YAML value or an ISO-like string; the calendar day as written."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not value.strip():
        return None
    match = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})", value)
    if not match and not re.search(r"\b\d{4}\b", value):
        return None  # without a year, dateutil would fill in today's: not reproducible
    try:
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        return dateparser.parse(value).date()
    except (ValueError, OverflowError):
        return None
