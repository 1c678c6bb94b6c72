"""Read a source post: its metadata (YAML, TOML, JSON, Pelican `Key: value` headers, or none)
and its body, with the file line the body starts on."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser

from sitegen.frontmatter import FrontMatterError, normalise_text, parse_document
from sitegen.load import parse_date

PELICAN_KEY = re.compile(r"^([A-Za-z][A-Za-z0-9_ -]*):\s*(.*)$")
PELICAN_KEYS = frozenset({"title", "date", "modified", "tags", "category", "slug", "author",
                          "authors", "summary", "status", "lang", "translation", "save_as",
                          "url", "template", "keywords", "subtitle", "series"})


class MetaError(Exception):
    """A post whose metadata cannot be read; `line` is the file line."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Meta:
    data: dict[str, Any]
    body: str
    body_line: int  # file line of the body's first line


def read_meta(raw: bytes, *, pelican: bool = False) -> Meta:
    """Split a post into metadata and body; a post without metadata has an empty mapping."""
    try:
        text = normalise_text(raw)
    except UnicodeDecodeError as e:
        raise MetaError(raw[: e.start].count(b"\n") + 1, "not UTF-8 text") from e
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip()), 0)
    first = lines[start].strip() if lines else ""
    if first in ("---", "+++"):
        closing = next((i for i in range(start + 1, len(lines)) if lines[i].strip() == first),
                       None)
        if closing is not None and not "".join(lines[start + 1:closing]).strip():
            return Meta({}, "\n".join(lines[closing + 1:]), closing + 2)  # `---\n---`
        try:
            doc = parse_document(text, aliases=True)  # Jekyll themes' `&image` ... `*image`
        except FrontMatterError as e:
            raise MetaError(e.line, e.message) from e
        return Meta(doc.data, doc.body, doc.body_line)
    if first.startswith("{"):
        return _json(text, lines, start)
    if pelican and PELICAN_KEY.match(first):
        return _pelican(lines, start)
    return Meta({}, text, 1)


def _json(text: str, lines: list[str], start: int) -> Meta:
    """Hugo's JSON front matter: one object at the top."""
    offset = sum(len(line) + 1 for line in lines[:start])
    try:
        data, end = json.JSONDecoder().raw_decode(text, offset)
    except json.JSONDecodeError:
        return Meta({}, text, 1)  # a body that starts with `{`
    line = text[:end].count("\n") + 1
    return Meta(data if isinstance(data, dict) else {}, text[end:].lstrip(" \t").removeprefix(
        "\n"), line + 1)


def _pelican(lines: list[str], start: int) -> Meta:
    """Pelican's Markdown metadata: `Key: value` lines up to the first blank line; an indented
    line continues the one before."""
    data: dict[str, Any] = {}
    key = ""
    i = start
    while i < len(lines) and lines[i].strip():
        line = lines[i]
        if line[:1] in (" ", "\t") and key:
            data[key] = f"{data[key]} {line.strip()}".strip()
        elif m := PELICAN_KEY.match(line):
            key = m.group(1).strip().lower()
            data[key] = m.group(2).strip()
        else:
            break
        i += 1
    if not any(k in PELICAN_KEYS for k in data):
        return Meta({}, "\n".join(lines), 1)
    while i < len(lines) and not lines[i].strip():
        i += 1
    return Meta(data, "\n".join(lines[i:]), i + 1)


def normalise_date(value: Any, zone: ZoneInfo | None = None) -> str | None:
    """A post's date as sitegen writes it: `YYYY-MM-DD`, or `YYYY-MM-DD HH:MM:SS` with the offset
    it was written with. `zone` (Jekyll's `timezone`) moves a time with an offset to the day
    and hour the old site showed. None when it is not a date."""
    text = str(value).strip() if value is not None else ""
    if not text or isinstance(value, bool):
        return None
    strict = parse_date(text)
    if strict is not None:
        day, time = strict
        if time is None:
            return day.isoformat()
        moment = dt.datetime.combine(day, time)
    else:
        try:
            moment = dateparser.parse(text, default=dt.datetime(2000, 1, 1))
        except (ValueError, OverflowError):
            return None
        if not re.search(r"\d:\d", text):
            return moment.date().isoformat()
    if zone is not None and moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return moment.isoformat(sep=" ")


def date_of(data: dict[str, Any], *keys: str) -> tuple[str, Any] | None:
    """The first of `keys` holding a value, with that value."""
    for key in keys:
        if data.get(key) not in (None, ""):
            return key, data[key]
    return None
