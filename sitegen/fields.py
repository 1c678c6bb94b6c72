"""Readers for the optional front-matter fields that tell a reader how far to trust an entry:
approximate dates and ranges, the date's basis, key events, places, updates and corrections,
and each source's archived copy and access date."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sitegen.model import Correction, period_last_day

PARTIAL_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")
DAY_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
DATE_BASES = ("event", "reported")
KEYS = ("end", "date_basis", "key", "places", "updated", "corrections")


class FieldError(Exception):
    """A bad optional field; `line` is the file line of its key."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class FieldErrors(Exception):
    """Every bad optional field of one entry."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Trust:
    """The optional trust fields of one entry, read and checked."""

    end: dt.date | None
    end_precision: str
    date_basis: str
    key: bool
    places: tuple[str, ...]
    updated: dt.date | None
    corrections: tuple[Correction, ...]


def parse_partial_date(value: str) -> tuple[dt.date, str] | None:
    """`YYYY-MM-DD` -> (that day, "day"); `YYYY-MM` -> (its first day, "month"); `YYYY` ->
    (1 January, "year"). None when it is none of these."""
    value = value.strip()
    m = DAY_RE.match(value)
    try:
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3])), "day"
        m = PARTIAL_DATE_RE.match(value)
        if m:
            return dt.date(int(m[1]), int(m[2] or 1), 1), "month" if m[2] else "year"
    except ValueError:
        return None
    return None


def read_trust(data: dict[str, Any], lines: dict[str, int], start: dt.date,
               precision: str) -> Trust:
    """Read every optional trust field of one entry's front matter."""
    def line(key: str) -> int:
        return lines.get(key, 2)

    problems: list[FieldError] = []

    def read(reader: Any, *args: Any) -> Any:
        try:
            return reader(*args)
        except FieldError as e:
            problems.append(e)
            return None

    ends = read(_end, data.get("end"), line("end"), start, precision)
    trust = Trust(end=ends and ends[0], end_precision=ends[1] if ends else "day",
                  date_basis=read(_basis, data.get("date_basis"), line("date_basis")),
                  key=read(_flag, data.get("key", False), "key", line("key")),
                  places=read(_places, data.get("places"), line("places")),
                  updated=read(_day, data.get("updated"), "updated", line("updated")),
                  corrections=read(_corrections, data.get("corrections"), line("corrections")))
    if problems:  # every bad field at once
        raise FieldErrors(problems)
    return trust


def _end(value: Any, line: int, start: dt.date,
         precision: str) -> tuple[dt.date | None, str]:
    if value is None:
        return None, "day"
    parsed = parse_partial_date(str(value))
    if parsed is None:
        raise FieldError(line, f"cannot read end date {str(value)!r}; write it as YYYY-MM-DD "
                               "(or YYYY-MM, YYYY), the last day of the range")
    end, end_precision = parsed
    if period_last_day(end, end_precision) <= period_last_day(start, precision):
        raise FieldError(line, f"`end: {value}` is not after `date:`; a range ends after it "
                               "starts (drop `end:` for a single day)")
    return end, end_precision


def _basis(value: Any, line: int) -> str:
    if value is None:
        return "event"
    if value not in DATE_BASES:
        raise FieldError(line, f"`date_basis` must be one of {', '.join(DATE_BASES)} "
                               "(`reported`: the source gave no date, so `date:` is the day it "
                               "was reported)")
    return str(value)


def _flag(value: Any, key: str, line: int) -> bool:
    if not isinstance(value, bool):
        raise FieldError(line, f"`{key}` must be true or false")
    return value


def _places(value: Any, line: int) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise FieldError(line, '`places` must be a list of place names, e.g. '
                               '`places: ["Kyiv", "Belgorod region, Russia"]`')
    return tuple(dict.fromkeys(v.strip() for v in value))


def _day(value: Any, key: str, line: int) -> dt.date | None:
    if value is None:
        return None
    parsed = parse_partial_date(str(value)[:10])
    if parsed is None or parsed[1] != "day":
        raise FieldError(line, f"cannot read `{key}` {str(value)!r}; write it as YYYY-MM-DD")
    return parsed[0]


def _corrections(value: Any, line: int) -> tuple[Correction, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise FieldError(line, "`corrections` must be a list of `- date: YYYY-MM-DD` / "
                               "`text: what changed` items")
    out = []
    for item in value:
        if not isinstance(item, dict) or set(item) - {"date", "text"}:
            raise FieldError(line, "each correction is a mapping with `date:` and `text:` "
                                   "(what was wrong and what changed)")
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            raise FieldError(line, "each correction needs `text:` saying what changed")
        day = _day(item.get("date"), "date", line)
        if day is None:
            raise FieldError(line, "each correction needs `date:` (YYYY-MM-DD)")
        out.append(Correction(day, text.strip()))
    return tuple(sorted(out, key=lambda c: c.date))


def source_extras(item: dict[str, Any], line: int) -> tuple[str, dt.date | None]:
    """A source's `archived:` URL and `accessed:` day."""
    archived = str(item.get("archived") or "").strip()
    if archived and not re.match(r"^https?://", archived, re.IGNORECASE):
        raise FieldError(line, f"source archived {archived!r} must start with http:// or "
                               "https:// (an archive copy's address)")
    return archived, _day(item.get("accessed"), "accessed", line)
