"""Read every entry file under the content folder; collect every bad file, never stop early."""

from __future__ import annotations

import datetime as dt
import difflib
import errno
import functools
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen import fields as trust_fields
from sitegen import safeio
from sitegen.config import SiteConfig, key_line
from sitegen.errors import CONTROL, ConfigError, Problem, display_path
from sitegen.frontmatter import Document, FrontMatterError, normalise_text, parse_document
from sitegen.markdown import render_body
from sitegen.model import Entry, Source, pickled_by_fields
from sitegen.slugs import slugify
from sitegen.write import VCS_FOLDERS

ENTRY_SUFFIXES = (".md", ".markdown")
KNOWN_KEYS = ("title", "date", "topics", "tags", "sources", "summary", "slug", "draft", "kind",
              "date_from", "updated", "published", "order", "aliases", *trust_fields.KEYS)
NAME_MAX = 255  # bytes in a file or folder name (a slug, a part of an alias)
# Section pages of Hugo and Zola: not posts.
NOT_ENTRIES = frozenset({"_index.md", "_index.markdown"})
BUNDLE_INDEX = frozenset({"index.md", "index.markdown"})
SOURCE_KEYS = ("publisher", "author", "headline", "published", "url", "archived", "accessed")
DATE_RE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$"
)
PREFIX_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})-")


@dataclass(frozen=True)
class LoadResult:
    """Entries that loaded, problems with the files that did not, and warnings."""

    entries: tuple[Entry, ...]
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]


class _Invalid(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class FileScan:
    """The entry files found under a folder, and the ones refused (named, with why)."""

    files: tuple[Path, ...]
    problems: tuple[Problem, ...]


def content_files(config: SiteConfig, *, drafts: bool) -> FileScan:
    """The entry files of a site (and its drafts); a content folder that is missing or holds no
    entry at all is an error naming the config line, never an empty site."""
    if not config.content_dir.is_dir():
        raise ConfigError(Problem(config.path, key_line(config.path, "content_dir"),
                                  f"content_dir {display_path(config.content_dir)!r} is not a "
                                  "folder; fix content_dir, or create it with `sitegen new`"))
    scan = scan_entry_files(config.entries_dir, config.content_dir)
    if drafts:
        more = scan_entry_files(config.drafts_dir, config.content_dir)
        scan = FileScan(scan.files + more.files, scan.problems + more.problems)
    if not scan.files and not scan.problems:
        raise ConfigError(Problem(config.path, key_line(config.path, "content_dir"),
                                  f"no entries: {display_path(config.entries_dir)}/ holds no "
                                  "Markdown file; add one with `sitegen new \"Title\" --date "
                                  "YYYY-MM-DD`, or fix content_dir"))
    return scan


def entry_files(folder: Path) -> list[Path]:
    """Every Markdown file under `folder`, at any depth, in a stable order (refused ones left
    out: see `scan_entry_files`)."""
    return list(scan_entry_files(folder).files)


def scan_entry_files(folder: Path, root: Path | None = None) -> FileScan:
    """Every Markdown file under `folder`, at any depth, in a stable order.

    Editors' temporaries (`.#x.md`, `#x.md#`, `x.md~`, `.x.md.swp`, any hidden name) are
    skipped. A symlink is followed only when it stays inside `root` (default: `folder`); one
    leading out, a dangling one, a loop, a FIFO or a device named `*.md` is a problem by name,
    never read.
    """
    boundary = os.path.realpath(root or folder)
    found: list[str] = []
    problems: list[Problem] = []
    visited: set[str] = set()
    pending = [os.fspath(folder)]
    while pending:  # os.scandir: 5x faster than rglob at 10,000 files
        parent = pending.pop()
        real = os.path.realpath(parent)
        if real in visited:
            continue
        visited.add(real)
        try:
            with os.scandir(parent) as listing:
                items = list(listing)
        except OSError:
            continue  # a missing folder holds no entries; a vanished one, none any more
        for item in items:
            if _editor_temporary(item.name):
                continue
            kind = _classify(item, boundary)
            if kind == "dir":
                pending.append(item.path)
            elif kind == "file" and not _utf8(item.name):  # its slug would be no text
                shown = os.fsencode(item.path).decode("utf-8", "backslashreplace")  # caf\xe9
                problems.append(Problem(_path(shown), 1, "the file's name is not UTF-8; "
                                        "rename it (a slug is made of its letters)"))
            elif kind == "file":
                found.append(item.path)
            elif kind:
                problems.append(Problem(_path(item.path), 1, kind))
    return FileScan(tuple(_path(p) for p in sorted(found)),
                    tuple(sorted(problems, key=lambda p: str(p.path))))


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # a byte not UTF-8, as os.fsdecode gives it: a lone surrogate
        return False
    return True


def _editor_temporary(name: str) -> bool:
    """Hidden files and editors' lock, swap and backup files: never a curator's entry."""
    return name.startswith((".", "#", "~")) or name.endswith(("~", "#"))


def _classify(item: os.DirEntry[str], boundary: str) -> str:
    """'dir', 'file', '' (not an entry: ignore) or why the entry file is refused."""
    entry_name = item.name.endswith(ENTRY_SUFFIXES) and item.name not in NOT_ENTRIES
    if not item.is_symlink():
        if item.is_dir(follow_symlinks=False):
            return "dir"
        if not entry_name:
            return ""
        if item.is_file(follow_symlinks=False):
            return "file"
        return _not_regular(item.path)
    try:
        target = os.path.realpath(item.path, strict=True)
    except OSError as e:
        if not entry_name:
            return ""
        return ("is a symlink loop; fix or remove the link" if e.errno == errno.ELOOP
                else "is a dangling symlink (its target does not exist); fix or remove it")
    if os.path.commonpath([boundary, target]) != boundary:
        if not entry_name and not os.path.isdir(target):
            return ""
        return (f"is a symlink to {target}, outside {display_path(Path(boundary))}/; sitegen "
                "publishes only files "
                "inside the content folder: copy the file in or remove the link")
    if os.path.isdir(target):
        return "dir"
    if not entry_name:
        return ""
    return "file" if os.path.isfile(target) else _not_regular(target)


def _not_regular(path: str) -> str:
    try:
        reason = safeio.not_regular_reason(os.stat(path).st_mode)
    except OSError as e:
        reason = f"cannot be read ({e.strerror})"
    return f"{reason}; entries must be regular Markdown files: remove it or rename it"


@functools.lru_cache(maxsize=1 << 17)
def _path(name: str) -> Path:
    """The same Path object for the same name on every build of a `serve` session (making
    10,000 Paths anew was a tenth of a rebuild)."""
    return Path(name)


def load_entries(files: Iterable[Path], topics: frozenset[str], *, drafts: bool = False,
                 parse: Any = None) -> LoadResult:
    """Parse every file; `parse(path, topics)` may be a memoized `read_entry`."""
    parse = parse or read_entry
    entries: list[Entry] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    slugs: list[tuple[Path, str]] = []
    for path in files:
        outcome = parse(path, topics)
        problems.extend(outcome.problems)
        warnings.extend(outcome.warnings)
        if outcome.entry and _wanted(outcome.entry, drafts):
            entries.append(outcome.entry)
        if outcome.slug and (outcome.entry is None or _wanted(outcome.entry, drafts)):
            slugs.append((path, outcome.slug))  # a bad file's slug can collide too: say so now
    problems.extend(_duplicate_slugs(slugs))
    return LoadResult(tuple(entries), tuple(problems), tuple(warnings))


@dataclass(frozen=True, slots=True)
class ParseOutcome:
    """The result of parsing one file: an entry, or the problems that stopped it."""

    entry: Entry | None
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()
    slug: str | None = None  # known even when other fields are bad, to report collisions


pickled_by_fields(ParseOutcome)


def read_entry(path: Path, topics: frozenset[str], html: str = "escape") -> ParseOutcome:
    """Read and parse one entry file."""
    try:
        raw = safeio.read_regular_file(path)
    except safeio.UnreadableFile as e:
        return unreadable(e)
    return parse_entry(path, raw, topics, html)


def unreadable(error: safeio.UnreadableFile) -> ParseOutcome:
    """The outcome for an entry file that could not be read."""
    return ParseOutcome(None, (Problem(error.path, 1, f"{error.reason}; entries must be "
                                                      "regular Markdown files"),))


def parse_entry(path: Path, raw: bytes, topics: frozenset[str],
                html: str = "escape") -> ParseOutcome:
    """Parse one entry file's bytes into an Entry, or say exactly what is wrong and where;
    `html` is the config's `[markdown] html` mode."""
    try:
        text = normalise_text(raw)
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        return ParseOutcome(None, (Problem(path, line, "the file is not UTF-8 text; "
                                                       "re-save it as UTF-8"),))
    try:
        doc = parse_document(text)
    except FrontMatterError as e:
        return ParseOutcome(None, (Problem(path, e.line, e.message),))
    problems: list[Problem] = []
    warnings = [Problem(path, doc.key_lines[k], msg) for k, msg in _typo_warnings(doc.data)]
    fields = {}
    for name, reader in _FIELDS.items():
        try:
            fields[name] = reader(doc, path, topics)
        except _Invalid as e:
            problems.append(Problem(path, e.line, e.message))
    if "date" in fields:
        try:
            trust = trust_fields.read_trust(doc.data, doc.key_lines, fields["date"][0],
                                            fields["date"][2])
        except trust_fields.FieldErrors as e:
            problems.extend(Problem(path, one.line, one.message) for one in e.errors)
    if problems:
        return ParseOutcome(None, tuple(problems), tuple(warnings), fields.get("slug"))
    day, time, precision = fields["date"]
    extra = {k: v for k, v in doc.data.items() if k not in KNOWN_KEYS}
    entry = Entry(path=path, slug=fields["slug"], title=fields["title"], day=day, time=time,
                  topics=fields["topics"], sources=fields["sources"], summary=fields["summary"],
                  body_html=render_body(doc.body, html), draft=fields["draft"],
                  kind=fields["kind"], order=fields["order"], precision=precision,
                  end=trust.end, end_precision=trust.end_precision, date_basis=trust.date_basis,
                  key=trust.key, places=trust.places, updated=trust.updated,
                  corrections=trust.corrections, aliases=fields["aliases"], extra=extra)
    return ParseOutcome(entry, (), tuple(warnings), entry.slug)


def _wanted(entry: Entry, drafts: bool) -> bool:
    return entry.kind != "commentary" and (drafts or not entry.draft)


def _line(doc: Document, key: str) -> int:
    return doc.key_lines.get(key, 2)


def _string(doc: Document, key: str, *, required: bool = False) -> str:
    value = doc.data.get(key)
    if value is None:
        if required:
            raise _Invalid(2, f"missing `{key}:`; add `{key}: ...` to the front matter")
        return ""
    if isinstance(value, bool | dict | list):
        raise _Invalid(_line(doc, key), f"`{key}` must be text, not {_kind(value)}")
    text = str(value).strip()
    if required and not text:
        raise _Invalid(_line(doc, key), f"`{key}` is empty; give the entry a {key}")
    return text


def _title(doc: Document, path: Path, topics: frozenset[str]) -> str:
    return _string(doc, "title", required=True)


def _summary(doc: Document, path: Path, topics: frozenset[str]) -> str:
    return _string(doc, "summary")


def _kind_field(doc: Document, path: Path, topics: frozenset[str]) -> str:
    return _string(doc, "kind") or "entry"


def _slug(doc: Document, path: Path, topics: frozenset[str]) -> str:
    given = _string(doc, "slug")
    slug = slugify(given or file_slug_name(path))
    if not slug:
        line = _line(doc, "slug") if given else 1
        raise _Invalid(line, f"no URL slug can be made from {given or path.name!r}; "
                             "set `slug: some-words`")
    if _name_bytes(slug) > NAME_MAX:  # it names the page's folder, entries/SLUG/
        raise _Invalid(_line(doc, "slug") if given else 1,
                       f"the slug is {_name_bytes(slug)} bytes long, more than a "
                       f"folder's name may be ({NAME_MAX}); set a shorter `slug:`")
    return slug


def _name_bytes(name: str) -> int:
    return len(name.encode("utf-8", "surrogatepass"))


def file_slug_name(path: Path) -> str:
    """The name an entry's slug comes from: the file's stem, or a page bundle's folder
    (`my-post/index.md` is `my-post`)."""
    return path.parent.name if path.name in BUNDLE_INDEX else path.stem


def _draft(doc: Document, path: Path, topics: frozenset[str]) -> bool:
    """`draft: true` (Hugo, Zola, sitegen) or Jekyll's `published: false` keep an entry out."""
    value = doc.data.get("draft", False)
    if not isinstance(value, bool):
        raise _Invalid(_line(doc, "draft"), "`draft` must be true or false")
    published = doc.data.get("published", True)
    if not isinstance(published, bool):
        raise _Invalid(_line(doc, "published"), "`published` must be true or false "
                                                 "(`published: false` keeps a post out)")
    return value or not published


def _order(doc: Document, path: Path, topics: frozenset[str]) -> int:
    value = doc.data.get("order", 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _Invalid(_line(doc, "order"), "`order` must be a whole number (0, 1, 2 ...): "
                                            "the entry's place among its day's entries")
    return value


def _date(doc: Document, path: Path,
          topics: frozenset[str]) -> tuple[dt.date, dt.time | None, str]:
    value = doc.data.get("date")
    if value is None:
        prefix = PREFIX_RE.match(file_slug_name(path) + "-")
        if not prefix:
            raise _Invalid(2, "missing `date:`; add `date: YYYY-MM-DD` or name the file "
                              "YYYY-MM-DD-slug.md")
        value, line = prefix.group(1), 1
    else:
        line = _line(doc, "date")
    parsed = parse_date(str(value))
    if parsed is not None:
        return parsed[0], parsed[1], "day"
    partial = trust_fields.parse_partial_date(str(value))
    if partial is None:
        raise _Invalid(line, f"cannot read date {str(value)!r}; write it as YYYY-MM-DD, "
                             "optionally followed by a time such as 14:30 or 14:30:00+02:00 "
                             "(or YYYY-MM, YYYY when only the month or year is known)")
    return partial[0], None, partial[1]


def parse_date(value: str) -> tuple[dt.date, dt.time | None] | None:
    """Read `YYYY-MM-DD[ HH:MM[:SS][offset]]`; the day is the calendar day as written."""
    m = DATE_RE.match(value.strip())
    if not m:
        return None
    year, month, day, hour, minute, second, offset = m.groups()
    try:
        date = dt.date(int(year), int(month), int(day))
        if hour is None:
            return date, None
        return date, dt.time(int(hour), int(minute), int(second or 0), tzinfo=_offset(offset))
    except ValueError:
        return None


def _offset(text: str | None) -> dt.timezone | None:
    if text is None:
        return None
    if text == "Z":
        return dt.UTC
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:] or 0)
    return dt.timezone(dt.timedelta(minutes=minutes if text[0] == "+" else -minutes))


def _topics(doc: Document, path: Path, topics: frozenset[str]) -> tuple[str, ...]:
    key = "topics" if "topics" in doc.data else "tags"
    value = doc.data.get(key) or []
    line = _line(doc, key)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid(line, f"`{key}` must be a list of topic slugs, e.g. "
                             f"`{key}: [belarus, aid]`")
    unknown = [f"unknown topic '{slug}'{_suggest(slug, topics)}"
               for slug in dict.fromkeys(value) if slug not in topics]
    if unknown:  # each of them, not the first alone
        raise _Invalid(line, "; ".join(unknown))
    # interned: a site has a few topics and 100,000 entries naming them, one string each
    return tuple(dict.fromkeys(map(sys.intern, value)))


def _sources(doc: Document, path: Path, topics: frozenset[str]) -> tuple[Source, ...]:
    value = doc.data.get("sources") or []
    line = _line(doc, "sources")
    if not isinstance(value, list):
        raise _Invalid(line, "`sources` must be a list of `- publisher: ...` items")
    read, bad = [], []
    for number, item in enumerate(value, 1):
        try:
            read.append(_source(item, line))
        except _Invalid as e:  # each bad source, not the first alone
            bad.append(e.message if len(value) == 1 else f"source {number}: {e.message}")
    if bad:
        raise _Invalid(line, "; ".join(bad))
    return tuple(read)


def _source(item: Any, line: int) -> Source:
    if not isinstance(item, dict):
        raise _Invalid(line, "each source must be a mapping with at least `publisher:`")
    for key in item:
        if key not in SOURCE_KEYS:
            raise _Invalid(line, f"unknown source key '{key}'"
                                 f"{_suggest(str(key), SOURCE_KEYS, fix='use one of')}")
    if not isinstance(item.get("publisher"), str) or not item["publisher"].strip():
        raise _Invalid(line, "each source needs `publisher:` naming who reported it")
    published = None
    if item.get("published") is not None:
        parsed = parse_date(str(item["published"]))
        if parsed is None:
            raise _Invalid(line, f"cannot read source date {item['published']!r}; "
                                 "write it as YYYY-MM-DD")
        published = parsed[0]
    url = str(item.get("url") or "").strip()
    if url and not re.match(r"^https?://", url, re.IGNORECASE):
        raise _Invalid(line, f"source url {url!r} must start with http:// or https://")
    texts = {k: item.get(k) for k in ("author", "headline")}
    for key, text in texts.items():
        if text is not None and not isinstance(text, str | int | float):
            raise _Invalid(line, f"source `{key}` must be text")
    try:
        archived, accessed = trust_fields.source_extras(item, line)
    except trust_fields.FieldError as e:
        raise _Invalid(e.line, e.message) from e
    return Source(publisher=sys.intern(item["publisher"].strip()),
                  author=str(texts["author"] or ""), headline=str(texts["headline"] or ""),
                  published=published, url=url, archived=archived, accessed=accessed)


# An alias's file goes in the staging folder and the site: its whole path must fit a path's
# limit (4,096 bytes here) beside theirs, and its folders be made without deep recursion.
ALIAS_PARTS_MAX = 32
ALIAS_BYTES_MAX = 1024


def _aliases(doc: Document, path: Path, topics: frozenset[str]) -> tuple[str, ...]:
    """Old URLs that redirect here: site paths such as `/2021/03/old-post/` or `/old.html`."""
    value = doc.data.get("aliases") or []
    line = _line(doc, "aliases")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid(line, "`aliases` must be a list of old paths, e.g. "
                             "`aliases: [/2021/03/old-post/]`")
    out = []
    for alias in value:
        path_part = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]*", "", alias.strip(), flags=re.I)
        clean = path_part.split("#")[0].split("?")[0]
        # `/a//b/` is `/a/b/` to a web server, and the same file: one spelling only (two
        # were two files to the build, one of them another entry's page)
        parts = [p for p in clean.split("/") if p]
        clean = "/".join(parts) + ("/" if parts and clean.endswith("/") else "")
        if not clean or any(p in (".", "..") for p in parts) or "\\" in clean \
                or CONTROL.search(clean):
            raise _Invalid(line, f"alias {alias!r} must be a path inside the site, such as "
                                 "/2021/03/old-post/")
        if any(p.casefold() in VCS_FOLDERS for p in parts):
            raise _Invalid(line, f"alias {alias!r} would put a page in a repository's own "
                                 "folder, which no build writes into; remove it from "
                                 "`aliases:`")
        if len(parts) > ALIAS_PARTS_MAX or _name_bytes(clean) > ALIAS_BYTES_MAX:
            raise _Invalid(line, f"alias {alias[:60]!r}... is longer than an old URL of the "
                                 f"site may be ({ALIAS_PARTS_MAX} folders, {ALIAS_BYTES_MAX:,} "
                                 "bytes); shorten it")
        if any(_name_bytes(p) > NAME_MAX for p in parts):
            raise _Invalid(line, f"alias {alias[:60]!r}... has a part longer than a file's "
                                 f"name may be ({NAME_MAX} bytes); shorten it")
        out.append(clean)
    return tuple(dict.fromkeys(out))


_FIELDS: dict[str, Any] = {
    "title": _title, "date": _date, "topics": _topics, "sources": _sources,
    "summary": _summary, "slug": _slug, "draft": _draft, "kind": _kind_field,
    "order": _order, "aliases": _aliases,
}


def _typo_warnings(data: dict[str, Any]) -> list[tuple[str, str]]:
    out = []
    for key in data:
        if key in KNOWN_KEYS:
            continue
        close = difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=0.75)
        if close:
            out.append((key, f"unknown key '{key}' (did you mean '{close[0]}'?); "
                             "it is kept as a custom field"))
    return out


def _suggest(word: str, known: Iterable[str],
             fix: str = "add it to [[topics]] in the config or use one of") -> str:
    close = difflib.get_close_matches(word, sorted(known), n=1)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f"; {fix}: " + ", ".join(sorted(known))


def _kind(value: Any) -> str:
    return {bool: "true/false", dict: "a mapping", list: "a list"}.get(type(value), "text")


def _duplicate_slugs(slugs: list[tuple[Path, str]]) -> list[Problem]:
    first: dict[str, Path] = {}
    problems = []
    for path, slug in slugs:
        if slug in first:
            problems.append(Problem(path, 1, f"duplicate slug '{slug}' (also used by "
                                             f"{display_path(first[slug])}); rename one file "
                                             "or set `slug:`"))
        else:
            first[slug] = path
    return problems
