"""The edit fast path: a build after only the bodies of a few entries changed.

When every changed file is an entry whose shape (`cache.shape_of`: every field, warning and
linked file, all but the body's text) is the one the last build saw, the site's structure is
the last build's: the same pages, lists, feeds, partitions and links. Only what shows those
bodies changes, so only that is made again: each entry's own page, the feeds that carry it,
the open-data exports that hold bodies (a line of `/entries.json` each), and the search
partitions that index those pages. Every other file is kept as written, without loading,
assembling or planning the site.

What makes this safe is the snapshot a full build records (per output folder, in the cache):
the stat of every content file, each entry file's digest and shape, the site's order, each
entry page's neighbours and related entries, the feeds, the body exports and the search
partitions. Anything else changed (a file added, removed or renamed, a shape, the config,
the theme, an output file touched by hand, a template that shows bodies on list pages, a
warning) and `try_build` returns None: the full build runs, and records a new snapshot.

Keys of the pages kept stay those of the last build (their bytes do not depend on a body), so
the next full build renders them once more and finds their bytes unchanged.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import stat
import time
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen import safeio, urls, write  # urls: the CLI has it loaded
from sitegen.cache import Cache, digest, encode, shape_of, tree_digest
from sitegen.config import SiteConfig

if typing.TYPE_CHECKING:
    from sitegen.model import Entry, Site

log = logging.getLogger(__name__)
VERSION = 1
MOST_CHANGED = 64  # more changed files than this: the full build's pool is the better way
BODY_EXPORTS = ("json",)  # the export kinds whose lines show an entry's body (see exports.py)
BODY_FIELD = "body_html"
# A file modified less than this long before a build is always read, never trusted by its stat:
# a coarse-mtime file system could show the same stat for two quick saves (git's "racy" rule).
RACY_NS = 2_000_000_000


@dataclass(frozen=True)
class Quick:
    """What the fast path made: the output files made anew and the owned ones no longer made
    (every other owned file stays as it is), the manifest's extras, whether the search index
    was rebuilt, and the snapshot to record once published."""

    outputs: dict[str, write.Planned]
    dropped: frozenset[str]
    pages: int  # the files of the site it makes
    extra: dict[str, str]
    indexed: bool
    entries: int
    snapshot: dict[str, Any]
    edits: tuple[dict[str, str], dict[str, str]]  # what changed in it: stats, digests by path


# -- the snapshot a full build records ------------------------------------------------------

def context(config: SiteConfig, *, drafts: bool) -> str:
    """Everything but the content a build depends on: config, options, theme, versions. (Not
    whether it indexes: an edit with --no-search and the next with search both go fast.)"""
    from sitegen.cache import code_version, schema

    return digest("quick", str(VERSION), repr(config), f"{drafts}", code_version(),
                  schema(), tree_digest(config.theme_dir))


def walk(folder: Path) -> dict[str, str] | None:
    """Each file under `folder` and its stat ("" when modified too recently to trust it); None
    when a linked folder makes the walk unlike the loader's. The stat holds the ctime: a save
    that keeps the size and puts the mtime back (`touch -r`, `cp -p`) still moves it."""
    recent = time.time_ns() - RACY_NS
    found: dict[str, str] = {}
    pending = [str(folder)]
    while pending:
        try:
            with os.scandir(pending.pop()) as listing:
                items = list(listing)
        except OSError:
            return None
        for item in items:
            try:
                if not item.is_file(follow_symlinks=False):  # one check for most: a file
                    if item.is_dir(follow_symlinks=False):
                        pending.append(item.path)
                        continue
                    if item.is_symlink() and os.path.isdir(item.path):
                        return None
                st = item.stat()
            except OSError:
                return None
            mtime = st.st_mtime_ns
            found[item.path] = "" if mtime >= recent else \
                f"{mtime}:{st.st_size}:{st.st_ino}:{st.st_ctime_ns}"
    return found


def bodies_only_in_entry_pages(config: SiteConfig) -> bool:
    """Whether the theme shows each body on its own entry page alone: only `entry.html` names
    the body, and there only as `entry.body_html` with `entry` never rebound (a loop over the
    related entries named `entry`, `later.body_html`: another entry's page shows it), and no
    template takes in `entry.html` or a template it cannot name."""
    import jinja2

    folder = config.theme_dir / "templates"
    parser = jinja2.Environment()
    try:
        for path in [p for p in folder.rglob("*") if p.is_file()]:
            text = path.read_text("utf-8", "replace")
            tree = parser.parse(text)
            if not _own_body_only(tree, text, path.relative_to(folder).as_posix()):
                return False
    except (OSError, RecursionError, jinja2.TemplateSyntaxError):
        return False
    return True


def _own_body_only(tree: Any, text: str, name: str) -> bool:
    from jinja2 import nodes

    for used in tree.find_all((nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)):
        if not isinstance(used.template, nodes.Const) or used.template.value == "entry.html":
            return False
    if BODY_FIELD not in text:
        return True
    own = [n for n in tree.find_all(nodes.Getattr) if n.attr == BODY_FIELD
           and isinstance(n.node, nodes.Name) and n.node.name == "entry"]
    rebound = any(n.name == "entry" and n.ctx != "load" for n in tree.find_all(nodes.Name))
    return name == "entry.html" and not rebound and len(own) == text.count(BODY_FIELD)


def snapshot(config: SiteConfig, cache: Cache, site: Site, files: dict[str, str] | None,
             keys: Mapping[Path, str], *, drafts: bool,
             partitions: Sequence[tuple[str, Sequence[str]]] | None, sizes: Sequence[int],
             warnings: int) -> dict[str, Any] | None:
    """What the next build's fast path needs of this one (None: it cannot take it).
    `partitions`: the search partitions' names and pages (None: a build with --no-search,
    which leaves the bundle's unknown); `sizes`: the entry pages' sizes."""
    from sitegen import exports, feeds
    from sitegen import search as searching

    if files is None or warnings or not bodies_only_in_entry_pages(config):
        return None
    index = {e.slug: i for i, e in enumerate(site.entries)}
    where = {e.path: index[e.slug] for e in site.entries}
    if len(where) != len(site.entries):
        return None
    entries: dict[str, list[Any]] = {}
    for path, key in keys.items():
        shape = cache.shape(key)
        if shape is None or str(path) not in files:
            return None
        entries[str(path)] = [key, shape, where.get(path, -1)]

    def at(entry: Entry | None) -> int:
        return -1 if entry is None else index[entry.slug]

    page_at = {rel: i for i, rel in enumerate(_page_rels(e.slug for e in site.entries))}
    return {
        "version": VERSION,
        "context": context(config, drafts=drafts),
        "files": files, "entries": entries,
        "slugs": [e.slug for e in site.entries],
        "pages": [[at(site.neighbours[e.slug].previous), at(site.neighbours[e.slug].next),
                   [index[r.slug] for r in site.related.get(e.slug, ())]]
                  for e in site.entries],
        "feeds": [[f.path, f.title, f.page_url, [index[e.slug] for e in f.entries]]
                  for f in feeds.plan_feeds(site, config)],
        "exports": [[x.path, x.kind, x.title, x.description, [index[e.slug] for e in x.entries]]
                    for x in exports.plan_exports(site, config) if x.kind in BODY_EXPORTS],
        "partitions": None if partitions is None else
        [[name, [page_at[rel] for rel in pages]] for name, pages in partitions],
        "cap": searching.partition_cap(sum(sizes) / len(sizes)) if sizes else None,
    }


# -- the fast path --------------------------------------------------------------------------

def try_build(config: SiteConfig, cache: Cache, out: Path, manifest: write.Manifest,
              files: dict[str, str] | None, *, drafts: bool, search: bool) -> Quick | None:
    """The outputs of a build whose only changes are entry bodies, or None (build in full);
    `files` is the content folder's `walk`, taken before any file was read. The caller has
    found every output as the last build wrote it."""
    snap = cache.snapshot(out)
    if not snap or snap.get("version") != VERSION or \
            snap.get("context") != context(config, drafts=drafts) or \
            not _well_formed(snap, manifest) or (search and snap["partitions"] is None):
        return None
    try:
        return _build(config, cache, out, manifest, snap, files, search)
    except (KeyError, IndexError, TypeError, ValueError, RecursionError) as e:  # not this form
        log.debug("fast path not taken: %s: %s", type(e).__name__, e)
        return None


PARTITION_NAME = re.compile(r"\d{4}-\d{2}(\.\d+)?")  # as search.plan_partitions names them


def _well_formed(snap: dict[str, Any], manifest: write.Manifest) -> bool:
    """Whether a snapshot has the form `snapshot` gives it (a cache may come from anywhere):
    every slot a place in the site, every page and file one the output's manifest owns,
    every partition a name that Pagefind's folder may have. (Checked a column at a time: a
    Python loop per row costs a tenth of a second at 10,000 entries.)"""
    slugs, owned = snap.get("slugs"), manifest.files
    if not isinstance(slugs, list) or not _all_of(slugs, str) or \
            not owned.keys() >= set(_page_rels(slugs)):
        return False
    n = len(slugs)
    files, entries, pages = snap.get("files"), snap.get("entries"), snap.get("pages")
    if not isinstance(files, dict) or not _all_of(files, str) or \
            not _all_of(files.values(), str):
        return False
    if not isinstance(entries, dict) or not _all_of(entries, str) or \
            not _rows(list(entries.values()), 3):
        return False
    keys, shapes, places = _columns(entries.values(), 3)
    if not _all_of(keys, str) or not _all_of(shapes, str) or not _slots(places, n, -1):
        return False
    if not isinstance(pages, list) or len(pages) != n or not _rows(pages, 3):
        return False
    earlier, later, related = _columns(pages, 3)
    if not _slots(earlier + later, n, -1) or not _all_of(related, list) or \
            not _slots([i for r in related for i in r], n):
        return False
    feeds: Any = snap.get("feeds")
    exports: Any = snap.get("exports")
    parts: Any = snap.get("partitions")
    return (_rows(feeds, 4) and all(_all_of(f[:3], str) and f[0] in owned and
                                    isinstance(f[3], list) and _slots(f[3], n) for f in feeds)
            and _rows(exports, 5) and all(_all_of(x[:4], str) and x[0] in owned and
                                          isinstance(x[4], list) and _slots(x[4], n)
                                          for x in exports)
            and (parts is None or
                 _rows(parts, 2) and all(isinstance(name, str) and PARTITION_NAME.fullmatch(name)
                                         and isinstance(at, list) and _slots(at, n)
                                         for name, at in parts))
            and (snap.get("cap") is None or type(snap.get("cap")) is int))


def _all_of(values: Any, kind: type) -> bool:
    """Whether every value is exactly of `kind` (a bool is not an int, a str subclass is no
    str)."""
    return set(map(type, values)) <= {kind}


def _slots(values: list[Any], n: int, low: int = 0) -> bool:
    """Whether every value is a place among `n` (-1, none, where `low` allows it)."""
    return not values or (_all_of(values, int) and min(values) >= low and max(values) < n)


def _columns(rows: Any, width: int) -> list[list[Any]]:
    columns = [list(c) for c in zip(*rows, strict=True)]
    return columns if columns else [[] for _ in range(width)]


def _rows(value: Any, width: int) -> bool:
    return isinstance(value, list) and _all_of(value, list) and \
        all(len(r) == width for r in value)


@dataclass(frozen=True)
class _Changes:
    """The content files now, and what changed in them: bodies alone."""

    files: dict[str, str]  # every content file's stat
    fresh: dict[int, Entry]  # site index -> the changed entry as it is now
    stored: dict[str, Any]  # digest -> ParseOutcome, for the cache
    remembered: dict[str, tuple[str, str]]  # path -> (stat key, digest), for the cache
    digests: dict[str, str]  # path -> digest, of the files that changed


def _changes(config: SiteConfig, cache: Cache, snap: dict[str, Any],
             files: dict[str, str] | None = None) -> _Changes | None:
    """What changed since the snapshot, or None when it is more than entry bodies; `files`,
    the content folder's walk if the caller took it."""
    from sitegen import build

    files = walk(config.content_dir) if files is None else files
    if files is None or files.keys() != snap["files"].keys():
        return None  # a file added, removed or renamed
    known: dict[str, list[Any]] = snap["entries"]
    changed = [p for p, st in files.items() if not st or st != snap["files"][p]]
    if len(changed) > MOST_CHANGED or any(p not in known for p in changed):
        return None
    settings = build.parse_settings(config)
    found = _Changes(files, {}, {}, {}, {})
    for path in changed:
        outcome, key, stat_key = _parse(Path(path), settings, config)
        if outcome is None:
            return None
        old_key, old_shape, at = known[path]
        if key != old_key:
            data, body = encode(outcome)
            if shape_of(json.dumps(data, separators=(",", ":")), body) != old_shape:
                return None  # more than the body changed
            found.stored[key] = outcome
            if at >= 0:
                found.fresh[at] = outcome.entry
        if stat_key:
            found.remembered[path] = (stat_key, key)
        found.digests[path] = key
    return found


def _updated(snap: dict[str, Any], changes: _Changes) -> dict[str, Any]:
    """The snapshot of the build the changes make (the old one is left as it was)."""
    entries = dict(snap["entries"])
    for path, key in changes.digests.items():
        entries[path] = [key, *entries[path][1:]]
    return {**snap, "files": changes.files, "entries": entries}


def _build(config: SiteConfig, cache: Cache, out: Path, manifest: write.Manifest,
           snap: dict[str, Any], files: dict[str, str] | None, search: bool) -> Quick | None:
    changes = _changes(config, cache, snap, files)
    if changes is None:
        return None
    outputs: dict[str, write.Planned] = {}
    dropped: set[str] = set()
    extra = dict(manifest.extra)
    indexed = False
    # With --no-search the bundle and its stamps stay as they are (and so do the snapshot's
    # partitions): the next build with search re-indexes what they no longer match.
    indexing = search and "search" in extra and bool(snap["partitions"])
    bundle: dict[str, write.Planned] = {}
    if indexing and not changes.fresh:  # pages changed by builds with --no-search, if any
        found = _search(config, out, manifest, snap, {}, {}, bundle, dropped)
        if found is None:
            return None
        outputs.update(bundle)
        extra["search"], indexed = found
    if changes.fresh:
        from sitegen.build import _Later

        with _Later() as later:
            # Pagefind needs the entry pages alone: it runs while the feeds and exports are made
            made = _render(config, cache, snap, changes.fresh, changes.digests,
                           lambda rel: _old_file(out, manifest, rel),
                           later.start(lambda pages: _search(
                               config, out, manifest, snap, changes.fresh, pages, bundle,
                               dropped)) if indexing else None)
            found = later.result() if indexing and made is not None else None
        if made is None or (indexing and found is None):
            return None
        outputs.update(made)
        outputs.update(bundle)
        if found is not None:
            extra["search"], indexed = found
    cache.put_entries(changes.stored)
    cache.remember_files(changes.remembered)
    pages = len(manifest.files.keys() - dropped | outputs.keys())
    return Quick(outputs, frozenset(dropped - outputs.keys()), pages, extra, indexed,
                 len(snap["pages"]), _updated(snap, changes),
                 ({path: changes.files[path] for path in changes.digests}, changes.digests))


def _read(whole: write.Span | None) -> bytes | None:
    """The bytes of an old output file (`_old_file`'s), or None."""
    if whole is None:
        return None
    try:
        with _Text(whole) as text:
            return text.read(0, whole.size)
    except (OSError, ValueError):
        return None


def _old_file(out: Path, manifest: write.Manifest, rel: str) -> write.Span | None:
    """The whole of an owned output file as it is now, if it is a file of the size the
    manifest says (hashing `/entries.json` again, 20 MB at 10,000 entries, cost 20 ms of an
    edit: the stat is trusted, as the no-op path trusts it)."""
    owned = manifest.files.get(rel)
    path = f"{out}/{rel}"
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if owned is None or not stat.S_ISREG(st.st_mode) or st.st_size != owned.size:
        return None
    return write.Span.whole(path, st)


def _parse(path: Path, settings: str, config: SiteConfig) -> tuple[Any, str, str]:
    """One changed file's outcome (None when it has a problem: the full build reports it),
    digest and stat key, as the full build's load stage makes them."""
    from sitegen import build
    from sitegen.load import parse_entry

    try:
        st = path.stat()
        raw = safeio.read_regular_file(path)
    except (OSError, safeio.UnreadableFile):
        return None, "", ""
    key = digest("entry", str(path), raw, settings)
    outcome = parse_entry(path, raw, config.topic_slugs, config.markdown_html)
    if outcome.entry is None or outcome.problems or outcome.warnings:
        return None, key, ""
    racy = st.st_mtime_ns >= time.time_ns() - RACY_NS
    stat_key = "" if racy else build.file_stat_key(st, settings)
    return outcome, key, stat_key


def _render(config: SiteConfig, cache: Cache, snap: dict[str, Any], fresh: dict[int, Entry],
            changed: dict[str, str], old_file: Callable[[str], write.Span | None],
            pages_made: Callable[[dict[str, write.Planned]], None] | None = None,
            ) -> dict[str, write.Planned] | None:
    """The changed entries' pages, the feeds that carry them, the body exports that hold
    them: their new bytes and keys. `changed` is the changed files' digests (by path): the
    keys are made from them, as a full build's are, or a later full build that finds an
    entry back as it was would keep the edited bytes. `old_file` gives an owned output file as
    it is now (`_old_file`). `pages_made` is given the entry pages as soon as they are made."""
    from sitegen import build, feeds, render, urls

    paths: dict[int, str] = {}
    digest_of: dict[int, str] = {}
    for path, (key, _, at) in snap["entries"].items():
        if at >= 0:
            paths[at], digest_of[at] = path, key
    wanted: set[int] = set(fresh)
    for at in fresh:
        earlier, later, related = snap["pages"][at]
        wanted.update(i for i in (earlier, later, *related) if i >= 0)
    carrying = [f for f in snap["feeds"] if fresh.keys() & set(f[3])]
    spliced = {f[0]: data for f in carrying
               if (data := _splice_feed(_read(old_file(f[0])), config, [fresh[i] for i in f[3]
                                                            if i in fresh])) is not None}
    for f in carrying:
        if f[0] not in spliced:  # rendered whole: every entry it shows is needed
            wanted.update(f[3])
    entries = _entries(cache, {at: digest_of[at] for at in wanted - fresh.keys()}, paths)
    if entries is None:
        return None
    entries.update(fresh)
    now = {at: changed.get(paths[at], digest_of[at]) for at in digest_of}  # the keys' digests
    digests = {entries[at].slug: now[at] for at in entries}
    theme = tree_digest(config.theme_dir)
    env = build._environment(theme, config)
    salt = build.page_salt(theme, config)
    made: dict[str, write.Planned] = {}
    for at, entry in fresh.items():
        earlier, later, related = snap["pages"][at]
        page = render.entry_page(entry, entries.get(earlier), entries.get(later),
                                 tuple(entries[i] for i in related))
        made[urls.output_file(page.url)] = write.Planned(render.render_page(env, page),
                                                         build.page_key(salt, page, digests))
    if pages_made is not None:
        pages_made(dict(made))
    for path, title, page_url, slots in carrying:
        key = build.feed_key_of(salt, path, title, page_url, [now[i] for i in slots])
        if path in spliced:
            made[path] = write.Planned(spliced[path], key)
            continue
        feed = feeds.Feed(path, title, page_url, tuple(entries[i] for i in slots))
        made[path] = write.Planned(feeds.render_feed(config, feed), key)
    previous: dict[int, Entry] | None = None  # the changed entries as the last build had them
    for path, kind, title, description, slots in snap["exports"]:
        if not fresh.keys() & set(slots):
            continue
        if previous is None:
            previous = _entries(cache, {at: digest_of[at] for at in fresh}, paths) or {}
        whole = old_file(path)
        lines = _splice(whole, kind, slots, fresh, previous, config)
        if whole is None or lines is None:
            return None
        made[path] = write.Planned(_spliced(whole, lines) if lines else None,  # None: as it is
                                   build.export_key_of(salt, path, kind, title, description,
                                                       [now[i] for i in slots]))
    return made


def _splice_feed(old: bytes | None, config: SiteConfig, changed: list[Entry]) -> bytes | None:
    """The feed `old` with the changed entries' `<entry>` elements made anew, or None (render
    it whole). Only a body changed (the fast path's condition): the feed's own lines, its
    entries and their order are as they were. An element is found by its id line, which
    nothing else can hold: every other text in a feed is escaped, `<` and all."""
    from sitegen import feeds

    if old is None:
        return None
    for entry in changed:
        marker = f"\n    <id>{feeds.escape(feeds.entry_id(config, entry))}</id>\n".encode()
        at = old.find(marker)
        if at < 0 or old.find(marker, at + 1) >= 0:
            return None
        start = old.rfind(b"\n  <entry>\n", 0, at) + 1
        end = old.find(b"\n  </entry>\n", at) + len(b"\n  </entry>")
        if start <= 0 or end < at or old.rfind(b"\n  </entry>\n", start, at) >= 0:
            return None
        old = b"".join((old[:start], feeds.atom_entry(config, entry).encode("utf-8"),
                        old[end:]))
    return old


def _entries(cache: Cache, digests: dict[int, str], paths: dict[int, str],
             ) -> dict[int, Entry] | None:
    from sitegen.build import _at
    from sitegen.load import ParseOutcome

    found = cache.entries(set(digests.values()))
    entries: dict[int, Entry] = {}
    for at, key in digests.items():
        outcome = found.get(key)
        if not isinstance(outcome, ParseOutcome) or outcome.entry is None:
            return None
        entries[at] = _at(outcome.entry, Path(paths[at])) or outcome.entry
    return entries


def _splice(old: write.Span | None, kind: str, slots: list[int], fresh: dict[int, Entry],
            previous: dict[int, Entry], config: SiteConfig,
            ) -> list[tuple[int, int, bytes]] | None:
    """The lines of the export `old` that the changed entries make anew: where each begins and
    ends (its newline) and its new bytes, those that differ alone; None when the file is not
    as the snapshot says. A JSON export holds one entry a line (JSON text holds no raw
    newline), so the rest is kept byte for byte. Each line replaced must be the one the entry
    made before (`previous`, from the cache): then the file's newlines need not all be
    counted to know its shape; without it, they are."""
    from sitegen import exports

    if old is None or kind not in exports.FRAGMENT_KINDS:
        return None
    newlines = len(slots) + 2  # a header line, one line an entry, the closing line
    (fragment_kind,) = exports.FRAGMENT_KINDS[kind]
    place = {at: n for n, at in enumerate(slots)}
    lines: list[tuple[int, int, bytes]] = []
    try:
        with _Text(old) as text:
            if not fresh.keys() <= previous.keys() and text.count_newlines() != newlines:
                return None
            for at, entry in fresh.items():
                n = place.get(at)
                if n is None:
                    continue
                line = exports.fragment(config, fragment_kind, entry)
                if "\n" in line:
                    return None
                comma = "," if n < len(slots) - 1 else ""
                # found by its newlines, from the nearer end: the newest entry's is the last
                # but two
                start = text.line_start(1 + n, newlines)
                end = text.newline_after(start)
                was = text.read(start, end)
                if at in previous and was != (exports.fragment(config, fragment_kind,
                                                               previous[at]) + comma).encode():
                    return None
                new = (line + comma).encode("utf-8")
                if new != was:
                    lines.append((start, end, new))
    except (OSError, ValueError):  # changed, or fewer lines than it had
        return None
    return lines


def _spliced(old: write.Span, lines: list[tuple[int, int, bytes]]) -> write.Parts:
    """`old` with `lines` (`_splice`'s) in place of what they replace: spans of it between."""
    parts: list[bytes | write.Span] = []
    kept = 0  # the text before `kept` is placed
    for start, end, data in sorted(lines):
        parts += (dataclasses.replace(old, start=kept, end=start), data)
        kept = end
    parts.append(dataclasses.replace(old, start=kept))
    return write.Parts(tuple(p for p in parts if isinstance(p, bytes) or p.end > p.start))


class _Text:
    """An output file read a part at a time, by position, through one buffer (never whole: an
    export is 20 MB); a ValueError where it does not hold what is looked for, an OSError
    (`write.SourceChanged`) where it is no longer the file it was."""

    def __init__(self, whole: write.Span) -> None:
        self.whole = whole
        self.part = min(write.PART, whole.size) or 1
        self.buffer = bytearray()  # made when first filled (a feed is read whole: none)
        self.fd = -1

    def __enter__(self) -> _Text:
        self._file = write.opened(self.whole)
        self.fd = self._file.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._file.__exit__(*exc)

    def _fill(self, start: int, end: int) -> int:
        """Bytes `start` to `end` (at most a buffer's) into the buffer; how many."""
        n = end - start
        if not self.buffer:
            self.buffer = bytearray(self.part)
        if os.preadv(self.fd, [memoryview(self.buffer)[:n]], start) != n:
            raise ValueError("shorter than it was")
        return n

    def read(self, start: int, end: int) -> bytes:
        data = os.pread(self.fd, end - start, start)
        if len(data) != end - start:
            raise ValueError("shorter than it was")
        return data

    def count_newlines(self) -> int:
        count, size, part = 0, self.whole.size, self.part
        for at in range(0, size, part):
            got = self._fill(at, min(at + part, size))
            count += self.buffer.count(b"\n", 0, got)
        return count

    def line_start(self, number: int, newlines: int) -> int:
        """Where line `number` (from 0) begins, the file holding `newlines` newlines: counted
        from the nearer end."""
        if number == 0:
            return 0
        if number <= newlines // 2:
            return self._newline(number, forward=True) + 1
        return self._newline(newlines - number + 1, forward=False) + 1

    def newline_after(self, start: int) -> int:
        size, part = self.whole.size, self.part
        for at in range(start, size, part):
            got = self._fill(at, min(at + part, size))
            i = self.buffer.find(b"\n", 0, got)
            if i >= 0:
                return at + i
        raise ValueError("no newline")

    def _newline(self, k: int, *, forward: bool) -> int:
        """Where the `k`th newline (from 1) is, counted from the start or from the end."""
        size, part = self.whole.size, self.part
        spans = ((at, min(at + part, size)) for at in range(0, size, part)) if forward else \
            ((max(0, end - part), end) for end in range(size, 0, -part))
        for start, end in spans:
            got = self._fill(start, end)
            buffer = self.buffer
            count = buffer.count(b"\n", 0, got)
            if count < k:
                k -= count
                continue
            i = -1 if forward else got
            for _ in range(k):
                i = buffer.find(b"\n", i + 1, got) if forward else buffer.rfind(b"\n", 0, i)
            return start + i
        raise ValueError("fewer lines than it had")


def _search(config: SiteConfig, out: Path, manifest: write.Manifest, snap: dict[str, Any],
            fresh: dict[int, Entry], made: dict[str, write.Planned],
            outputs: dict[str, write.Planned], dropped: set[str]) -> tuple[str, bool] | None:
    """Index again the partitions that hold a changed page (their files join `outputs`, their
    old ones `dropped`); their stamps as the manifest keeps them, and whether any was run.
    None when the partition plan would move."""
    from sitegen import search, urls

    changed = {_page_rel(e.slug) for e in fresh.values()}
    slugs_at = snap["slugs"]
    # the entries' own pages, as `plan_partitions` sizes them (an alias's page beside them
    # is not one)
    rels = _page_rels(slugs_at)
    sizes = [len(made[rel].held or b"") if rel in changed else manifest.files[rel].size
             for rel in rels]
    if not sizes or search.partition_cap(sum(sizes) / len(sizes)) != snap.get("cap"):
        return None
    try:
        stamps = json.loads(manifest.extra.get("search") or "{}")
    except (ValueError, RecursionError):
        return None
    if not isinstance(stamps, dict):
        return None
    base = urls.base_path(config.base_url)
    stale = []
    keys: dict[str, str] = {}
    # Every partition's stamp is checked, not only those of the pages changed now: a build
    # with --no-search changed pages and left the bundle as it was.
    for name, slots in snap["partitions"]:
        pages = tuple(rels[at] for at in slots)
        part = search.Partition(name, (), pages)
        digests = {rel: write.sha256(made[rel].held or b"") if rel in changed
                   else manifest.files[rel].digest for rel in pages}
        keys[name] = search.stamp_key(part, digests, base)
        if stamps.get(name) != keys[name]:
            stale.append(part)
    if not stale:
        return manifest.extra["search"], False
    data = {rel: (made[rel].held if rel in changed else None)
            for part in stale for rel in part.pages}
    files = search.index_partitions(out, stale, data, keys)
    log.info("search: re-indexed %d of %d partitions (%s)", len(stale),
             len(snap["partitions"]), ", ".join(p.name for p in stale))
    prefixes = tuple(f"{search.BUNDLE}/{part.name}/" for part in stale)
    dropped.update(rel for rel in manifest.files if rel.startswith(prefixes))
    outputs.update({rel: write.Planned(data_, "") for rel, data_ in files.items()})
    stamps.update(keys)
    text = json.dumps(stamps, sort_keys=True)
    outputs[f"{search.BUNDLE}/{search.STAMP}"] = write.Planned(text.encode(), "")
    return text, True


def _page_rel(slug: str) -> str:
    """An entry's page."""
    return urls.output_file(urls.entry(slug))


_SLUG = "\0"
_PAGE_HEAD, _, _PAGE_TAIL = _page_rel(_SLUG).partition(_SLUG)


def _page_rels(slugs: Iterable[str]) -> list[str]:
    """Each entry's page, `_page_rel` of each slug, made from one template: an entry's URL is
    its slug in a fixed frame (10,000 calls of the two cost ~10 ms of an edit)."""
    head, tail = _PAGE_HEAD, _PAGE_TAIL
    return [f"{head}{slug}{tail}" for slug in slugs]
