"""The one orchestrator: config -> entries -> site -> pages -> bytes -> disk, stage by stage."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import logging
import os
import signal
import sys
import time
import types
import typing
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from sitegen import fastjson, quick, safeio, write
from sitegen.cache import Cache, digest, tree_digest
from sitegen.config import SiteConfig
from sitegen.errors import ContentError, Problem

if typing.TYPE_CHECKING:  # the model is imported where it is used: a no-op build needs none of it
    import concurrent.futures

    from sitegen.bodies import Spill
    from sitegen.model import Entry, Site

log = logging.getLogger(__name__)
T = TypeVar("T")
P = ParamSpec("P")
R = TypeVar("R")
RACY_NS = quick.RACY_NS  # a stat this fresh is never trusted (git's "racy" rule; see quick.py)

# The preview's write stage: (site, config, files, out) -> (stats, indexed). `serve` passes its
# own, which writes the preview in place and indexes for search after the browser reload.
WriteStage = Callable[["Site", SiteConfig, dict[str, bytes], Path],
                      tuple[write.WriteStats, bool | None]]
# Where each rendered file goes as soon as it is made: a build writes it into its staging
# folder and keeps only its size and digest; the preview and `check` keep the bytes.
Sink = Callable[[str, bytes | Iterable[bytes]], bytes | write.Staged]


@dataclass(frozen=True)
class BuildResult:
    """What a build did, for the summary line and for callers such as `serve`."""

    entries: int
    topics: int
    pages: int
    stats: write.WriteStats
    indexed: bool | None
    seconds: float
    warnings: tuple[Problem, ...]
    output_dir: Path
    notes: tuple[str, ...] = ()  # what the build left out and why, e.g. no sitemap
    searched: bool = True  # False: built with --no-search (the bundle was left as it was)

    def summary(self) -> str:
        search_note = {True: "search index rebuilt", False: "search index unchanged",
                       None: "search index deferred"}[self.indexed] if self.searched else \
            "search index not updated (--no-search)"
        return (f"Built {_count(self.entries, 'entry', 'entries')}, "
                f"{_count(self.topics, 'topic', 'topics')}: "
                f"{_count(self.stats.written, 'file', 'files')} written, "
                f"{self.stats.unchanged:,} unchanged, {self.stats.removed:,} removed; "
                f"{search_note}; in {self.seconds:.2f} s" + "".join(f"; {n}" for n in self.notes))


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


# Allocations between collections of the young generation (Python's default: 700). A build
# makes millions of objects that live to its end (entries, pages, keys, cards), and at the
# default thresholds the collector walked them again and again: 0.4-0.6 s of a 10,000-entry
# cold build's 7.4-8.0 s (medians of 3, taken in turns), at the same peak memory. Garbage in
# cycles is still collected, each 100,000 allocations.
GC_YOUNG = 100_000
GC_OLDER = (50, 100)


def _collecting_less(run: Callable[P, R]) -> Callable[P, R]:
    """`run` with the collector's thresholds raised while it runs (and the forked workers it
    starts), then put back as they were."""
    import gc

    @functools.wraps(run)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        before = gc.get_threshold()
        gc.set_threshold(GC_YOUNG, *GC_OLDER)
        try:
            return run(*args, **kwargs)
        finally:
            gc.set_threshold(*before)
    return wrapped


@_collecting_less
def build(config: SiteConfig, cache: Cache | None = None, *, drafts: bool = False,
          out: Path | None = None, writer: WriteStage | None = None, force: bool = False,
          wait: bool = True, search: bool = True, workers: int | None = None,
          changed: Collection[Path] | None = None) -> BuildResult:
    """Build the site into `out` (default: the config's output folder), all or nothing.

    Only files recorded in the output's manifest are ever replaced or removed, one build at a
    time. `writer` replaces the write stage (the preview's in-place writer); `changed`, the
    preview's watcher's report of the files changed since its last build, spares the preview
    a stat of every content file (`incremental.verify` checks it once the edits pause).
    """
    started = time.perf_counter()
    cache = cache or Cache(None)
    out = (out or config.output_dir).resolve()
    if writer is not None:
        return _preview_build(config, cache, drafts, out, writer, started, changed)
    write.check_output(out, project=config.root, guarded=_inputs_of(config))
    with write.output_lock(out, wait=wait):
        write.recover(out)
        last = cache.stamp(out)
        with _answer_beside(_outputs_as_written, out, last) as as_written:
            # 11,000 stats at 10,000 entries, in a child process beside the content's walk
            files = quick.walk(config.content_dir)  # before any is read: a later save shows
            stamp = input_stamp(config, files, drafts=drafts, search=search)
            if not last or not stamp or last.get("inputs") != stamp:
                _warm_up(search)  # no no-op: what a build needs, while the child's stats run
            intact = as_written()
        noop = _unchanged(last, stamp, out) if intact else None
        if noop is not None:
            return _finish(noop, started, out, _notes(config), searched=search)
        manifest = write.load_manifest(out, force=force)
        as_recorded = intact and last is not None and bool(manifest.digest) and \
            last.get("manifest_digest") == manifest.digest
        fast = quick.try_build(config, cache, out, manifest, files, drafts=drafts,
                               search=search) if as_recorded and not force else None
        if fast is not None:
            cache.hold_snapshot(out)  # until the new site is in place
            stats, manifest = write_stage(out, manifest, fast.outputs, fast.extra, force=force,
                                          dropped=fast.dropped)
            _stamp(cache, out, stamp, manifest, fast.entries, config, fast.pages, last)
            cache.edit_snapshot(out, *fast.edits, fast.snapshot)
            result = BuildResult(fast.entries, len(config.topics), fast.pages, stats,
                                 fast.indexed, 0.0, (), out)
            return _finish(result, started, out, _notes(config), searched=search)
        keys: dict[Path, str] = {}
        entries, digests, warnings = load_stage(config, cache, drafts=drafts, workers=workers,
                                                keys=keys, spill=_spill())
        site = _assemble(entries, config)
        with write.Staging(out) as staging, _search_views(out, search) as views, \
                _Later() as indexing:
            # Pagefind reads only the entry pages: it runs beside the list pages' rendering
            outputs = render_stage(site, config, digests, manifest=manifest, out=out,
                                   workers=workers, cache=cache, sink=staging.put,
                                   views=views, entry_pages=indexing.start(
                                       lambda pages: search_stage(site, config, pages, manifest,
                                                                  out, search, staging, views)))
            bundle, extra, indexed, partitions = indexing.result()
            outputs.update(bundle)
            cache.set_snapshot(out, None)
            stats, manifest = write_stage(out, manifest, outputs, extra, staging, force=force)
        pages = len(outputs)
        del outputs  # a record for each of 200,000 files at 100,000 entries: done with
        _stamp(cache, out, stamp, manifest, len(site.entries), config, pages, last)
        snapshot = quick.snapshot(
            config, cache, site, files, keys, drafts=drafts,
            partitions=partitions, sizes=_entry_page_sizes(site, manifest),
            warnings=len(warnings))
        packed = fastjson.dumps(snapshot)
        del snapshot  # its values for 100,000 entries are gone before SQLite takes the text
        cache.set_snapshot(out, packed)
    result = BuildResult(len(site.entries), len(config.topics), pages, stats, indexed,
                         0.0, warnings, out)
    return _finish(result, started, out, _notes(config), searched=search)


@contextlib.contextmanager
def _search_views(out: Path, search: bool) -> Iterator[Path | None]:
    """A folder beside `out` for the render workers to write each new entry page's search
    view into as they make it (None without search), gone when the build ends (or, if it is
    killed, at the next one's `write.recover`: the name is a search run's)."""
    import shutil
    import tempfile

    if not search:
        yield None
        return
    try:
        views = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.search-views-"))
    except OSError:
        yield None  # the views are made from the pages then, as they are without the pool
        return
    try:
        yield views
    finally:
        shutil.rmtree(views, ignore_errors=True)


def _entry_page_sizes(site: Site, manifest: write.Manifest) -> list[int]:
    """The sizes of the entries' own pages, by which the search partitions are planned (an
    alias's page beside them, `entries/old-slug/index.html`, is not one)."""
    from sitegen.search import page_of

    return [manifest.files[rel].size for rel in map(page_of, site.entries)
            if rel in manifest.files]


def _stamp(cache: Cache, out: Path, stamp: str | None, manifest: write.Manifest, entries: int,
           config: SiteConfig, pages: int, last: Mapping[str, Any] | None = None) -> None:
    """Record what the no-op path checks the next build against, and the edit fast path the
    output folder: inputs modified too recently to trust (`stamp` None) make no no-op, but
    what this build wrote is known all the same."""
    counts = {"entries": entries, "topics": len(config.topics), "pages": pages}
    try:
        outputs = _output_stamp(out, manifest, (last or {}).get("folders"))
    except OSError as e:  # the site is published: a folder of it that cannot be listed
        log.debug("no output stamp: %s", e)  # means only that the next build checks it all
        cache.set_stamp(out, None)
        return
    cache.set_stamp(out, {**counts, "inputs": stamp, **outputs})


def _notes(config: SiteConfig) -> tuple[str, ...]:
    from sitegen import urls

    return urls.build_notes(config.base_url)


def _finish(result: BuildResult, started: float, out: Path,
            notes: tuple[str, ...] = (), *, searched: bool = True) -> BuildResult:
    result = dataclasses.replace(result, seconds=time.perf_counter() - started, notes=notes,
                                 searched=searched)
    log.info(result.summary())
    return result


def _assemble(entries: tuple[Entry, ...], config: SiteConfig) -> Site:
    from sitegen.assemble import assemble_site

    return assemble_site(entries, config)


def _inputs_of(config: SiteConfig) -> dict[str, Path]:
    """What an output folder must never hold or be inside: the packaged theme too (a site
    built into its `static/` was published by every later build of every site, nesting)."""
    return {"config file": config.path, "content folder": config.content_dir,
            "theme": config.theme_dir}


# -- the no-op fast path --------------------------------------------------------------------

def input_stamp(config: SiteConfig, content: Mapping[str, str] | None, *, drafts: bool,
                search: bool) -> str | None:
    """A digest of every input's stat and the build's options; None when a file was modified
    so recently that its stat cannot be trusted (then the next build looks at the bytes).

    `content` is the content folder's walk (`quick.walk`: the stat of each file, "" for one
    too fresh to trust), taken once for this and the edit fast path; None (a linked folder
    in it) stats the folder here."""
    recent = time.time_ns() - RACY_NS
    parts: list[str] = [repr(config), f"drafts={drafts}", f"search={search}", _version()]
    if content is None:
        if not _stat_parts(str(config.content_dir), recent, parts):
            return None
    elif "" in content.values():
        return None
    else:
        parts += (f"{path}\0{st}" for path, st in sorted(content.items()))
    if not _stat_parts(str(config.theme_dir), recent, parts):
        return None
    try:
        st = os.stat(config.path)
    except OSError:
        return None
    if st.st_mtime_ns >= recent:
        return None
    parts.append(f"{config.path}\0{st.st_mtime_ns}\0{st.st_size}\0{st.st_ino}\0"
                 f"{st.st_ctime_ns}")
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _stat_parts(folder: str, recent: int, parts: list[str]) -> bool:
    """Append each file's path and stat under `folder` (sorted; a link's target's stat, as a
    build reads it; linked folders are not entered); False when one was modified too
    recently to trust."""
    try:
        with os.scandir(folder) as it:
            found = sorted(it, key=lambda e: e.name)
    except OSError:
        return True  # a missing folder: the build says so
    for entry in found:
        try:
            if entry.is_dir(follow_symlinks=False):
                if not _stat_parts(entry.path, recent, parts):
                    return False
                continue
            st = entry.stat()
        except OSError:
            continue
        if st.st_mtime_ns >= recent:
            return False
        parts.append(f"{entry.path}\0{st.st_mtime_ns}\0{st.st_size}\0{st.st_ino}\0"
                     f"{st.st_ctime_ns}")
    return True


def _version() -> str:
    from sitegen.cache import code_version

    return code_version()


def _output_stamp(out: Path, manifest: write.Manifest, known: Any = None) -> dict[str, Any]:
    """What the no-op path checks the output folder against: the manifest file's stat (so
    the manifest itself need not be read) and digest (the edit path reads it: the one the
    last build wrote), how many files it owns, each owned file's path, size and mtime but the
    search bundle's, and the bundle's listing (with its folders' records, `known` the last
    build's)."""
    bundle, folders = _listing(out / write.BUNDLE, known)
    return {"manifest": _stat_key(out / write.MANIFEST), "manifest_digest": manifest.digest,
            "owned": len(manifest.files), "files": _stamp_files(manifest), "bundle": bundle,
            "folders": folders}


def _stamp_files(manifest: write.Manifest) -> list[Any]:
    """Each owned file's path, size and mtime, in one flat list, by path, but the search
    bundle's (12,000 files at 10,000 entries, checked by their folders' listings)."""
    flat: list[Any] = []
    files = manifest.files
    bundle = f"{write.BUNDLE}/"
    for rel in sorted(files):
        if not rel.startswith(bundle):
            owned = files[rel]
            flat += (rel, owned.size, owned.mtime_ns)
    return flat


def _stat_key(path: Path) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return ""
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


def _listing(folder: Path, known: Any = None) -> tuple[str, dict[str, list[Any]]]:
    """A digest of every name under `folder` with its inode and kind, from the folders'
    listings, and of each folder's mtime (a file deleted and made again may get its old
    inode back, but its folder's mtime moves): no file's stat. "" when there is no such
    folder. With it, each folder's record for the next call: a folder whose mtime and inode
    are those of its record in `known` is not listed again (a name added, removed or
    replaced in it moves its mtime), if the record was made past the racy window (a change
    in the same clock tick as the listing would not move it)."""
    parts: list[str] = []
    folders: dict[str, list[Any]] = {}
    known = known if isinstance(known, dict) else {}
    settled = time.time_ns() - quick.RACY_NS
    pending = [str(folder)]
    while pending:
        path = pending.pop()
        try:
            st = os.stat(path)  # before the listing: a change during it shows next time
            record = _known_folder(known.get(path), st)
            if record is None:
                with os.scandir(path) as listing:
                    items = sorted((item.name, item.inode(), item.is_dir(follow_symlinks=False))
                                   for item in listing)
                names = "\n".join(f"{name}\0{inode}\0{is_dir:d}" for name, inode, is_dir in items)
                record = [st.st_mtime_ns, st.st_ino, hashlib.sha256(
                    names.encode("utf-8", "surrogateescape")).hexdigest(),
                    [name for name, _, is_dir in items if is_dir]]
        except (FileNotFoundError, NotADirectoryError):
            if path == str(folder):
                return "", {}  # none there, or a file of the user's (left, with a warning)
            raise
        parts.append(f"{path}\0{st.st_mtime_ns}\0{record[2]}")
        if st.st_mtime_ns < settled:
            folders[path] = record
        pending += (f"{path}/{name}" for name in record[3])
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest(), \
        folders


def _known_folder(record: Any, st: os.stat_result) -> list[Any] | None:
    """A folder's record from the last listing if it still holds (a record from a cache is
    checked for its form: mtime, inode, digest, subfolders)."""
    if type(record) is not list or len(record) != 4 or record[:2] != [st.st_mtime_ns,
                                                                      st.st_ino]:
        return None
    digest, subfolders = record[2], record[3]
    if type(digest) is not str or type(subfolders) is not list or \
            not all(type(n) is str and n and "/" not in n and n not in (".", "..")
                    for n in subfolders):
        return None
    return record


def _outputs_as_written(out: Path, last: Mapping[str, Any] | None) -> bool:
    """Whether the last build's manifest is in place and every file it wrote still has the
    size and mtime it had, by the cache's record of them (so the manifest need not be
    read).

    The search bundle's files (12,000 at 10,000 entries, in 45 folders) are checked by their
    folders' listings: each name still there with its inode, nothing added. Pagefind names
    them by their content, for the browser alone: a file deleted, added or replaced by a new
    one shows; one rewritten in place does not (a full build's search stage catches it)."""
    files = (last or {}).get("files")
    manifest = _stat_key(out / write.MANIFEST)
    if not files or not isinstance(files, list) or len(files) % 3 or not manifest \
            or last is None or last.get("manifest") != manifest:
        return False
    prefix = f"{out}/"
    stat = os.stat
    each = iter(files)
    try:
        if last.get("bundle") != _listing(out / write.BUNDLE, last.get("folders"))[0]:
            return False
        for rel, size, mtime in zip(each, each, each, strict=True):  # len % 3 == 0
            st = stat(prefix + rel)  # a string join: 10,000 Path joins cost 0.1 s
            if st.st_size != size or st.st_mtime_ns != mtime:
                return False
    except (OSError, TypeError, ValueError, AttributeError):  # a cache from anywhere
        return False
    return True


@contextlib.contextmanager
def _answer_beside(check: Callable[..., bool], *args: Any) -> Iterator[Callable[[], bool]]:
    """Run `check(*args)` in a forked child beside the block; yield what gives its answer.

    The no-op path's two sets of stats (the content's walk and the outputs') each take
    ~0.06 s at 10,000 entries, mostly in the kernel; two threads only fight over the GIL,
    two processes use both cores. The child only stats files and writes one byte. Without
    `fork`, where threads run (a fork would copy their locks held), or when no child can be
    made, `check` runs here. A child that dies answers False: the build then looks itself.
    """
    child = _start(check, args) if hasattr(os, "fork") and _threads() == 1 else None
    if child is None:
        answer = check(*args)
        yield lambda: answer
        return
    pid, readable, held = child
    got: list[bool] = []

    def result() -> bool:
        if not got:
            try:
                got.append(os.read(readable, 1) == b"1")
            except OSError:
                got.append(False)
        return got[0]

    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a Ctrl-C held comes now
        yield result
    finally:
        os.close(readable)  # a child still writing gets EPIPE and leaves
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _start(check: Callable[..., bool], args: tuple[Any, ...],
           ) -> tuple[int, int, set[int | signal.Signals]] | None:
    """Fork a child that writes `check(*args)` as one byte to a pipe: its pid, the pipe's
    end to read, and the signal mask to restore (Ctrl-C is held over the fork: one landing
    as the child begins would raise in it before its `try`, and run the parent's code on the
    way out). None when no pipe or child can be made."""
    try:
        readable, writable = os.pipe()
    except OSError:
        return None
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pid = os.fork()
    except OSError:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        os.close(readable)
        os.close(writable)
        return None
    if pid == 0:  # the child: answer, and leave without running anything of the parent's
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            os.close(readable)
            os.write(writable, b"1" if check(*args) else b"0")
        finally:
            os._exit(0)
    os.close(writable)
    return pid, readable, held


def _warm_up(search: bool) -> None:
    """Import what any build past the no-op check needs (~0.15 s: Jinja2, PyYAML, the parser,
    the exports; the search stage if it indexes) while the child's stats of the outputs run
    on the other core; a no-op build never imports them."""
    from sitegen import exports, fastmd, feeds, load, render  # noqa: F401

    if search:
        from sitegen import search as searching  # noqa: F401
    fastmd.available()


def _threads() -> int:
    """How many threads this process runs: the kernel's count where it gives one (a thread
    started by C code or by `_thread` is not among `threading`'s), else `threading`'s."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        import threading

        return threading.active_count()


def _unchanged(last: Mapping[str, Any] | None, stamp: str | None,
               out: Path) -> BuildResult | None:
    """The result of a build that would change nothing (its outputs are as it wrote them),
    or None when one is needed: the inputs' stamp is the last build's."""
    if not last or not stamp or last.get("inputs") != stamp:
        return None
    try:
        entries, topics, pages = int(last["entries"]), int(last["topics"]), int(last["pages"])
        owned = int(last["owned"])
    except (TypeError, KeyError, ValueError, OverflowError):  # OverflowError: JSON's Infinity
        return None
    return BuildResult(entries, topics, pages, write.WriteStats(0, owned, 0), False, 0.0, (),
                       out)


# -- load -----------------------------------------------------------------------------------

def parse_settings(config: SiteConfig) -> str:
    """What of the config an entry's parse depends on: all of it but the site-wide settings
    that only pages use (so retitling the site does not parse every entry again)."""
    pages_only = {"path", "root", "title", "description", "base_url", "language", "timezone",
                  "output_dir", "theme_dir", "entries_per_page", "cname", "tag_authority"}
    fields = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)
              if f.name not in pages_only}
    from sitegen.cache import schema

    return repr(sorted(fields.items())) + _version() + schema()


def load_stage(config: SiteConfig, cache: Cache, *, drafts: bool, workers: int | None = None,
               keys: dict[Path, str] | None = None, spill: Spill | None = None,
               ) -> tuple[tuple[Entry, ...], dict[str, str], tuple[Problem, ...]]:
    """Parse every entry file (memoized by digest); raise ContentError listing every problem.

    Returns the entries, each entry's digest by slug, and the warnings; `keys` is filled with
    each entry file's digest. With `spill`, each body is moved into it as soon as its entry is
    made, so the build never holds every body at once.
    """
    from sitegen.load import content_files, load_entries

    scan = content_files(config, drafts=drafts)
    files = list(scan.files)
    settings = parse_settings(config)
    recent = time.time_ns() - RACY_NS
    keys = {} if keys is None else keys
    seen: dict[str, tuple[str, str]] = {}
    # A cache with no entries (a first build) has none to find by digest: each file's digest is
    # made where it is parsed, not first here, on one core, reading every file twice.
    first = not cache.holds_entries()
    if not first:
        for path in files:
            key = _file_key(path, settings, cache, recent, seen)
            if key is not None:
                keys[path] = key
    outcomes = _parse_all(files, keys, settings, cache, config, workers, seen, spill,
                          recent=recent if first else None)
    cache.remember_files(seen)
    result = load_entries(files, config.topic_slugs, drafts=drafts,
                          parse=lambda path, topics: outcomes[path])
    for warning in result.warnings:
        log.warning("%s", warning)
    if scan.problems or result.problems:
        raise ContentError([*scan.problems, *result.problems])
    digests = {e.slug: keys.get(e.path, "") for e in result.entries}
    cache.keep_only(set(keys.values()))
    return result.entries, digests, result.warnings


def _file_key(path: Path, settings: str, cache: Cache, recent: int,
              seen: dict[str, tuple[str, str]]) -> str | None:
    """The digest of one entry file, from its stat when it can be trusted, else its bytes
    (read here and let go: a file that must be parsed is read again by its parser, so no
    build holds every entry file's bytes at once)."""
    try:
        st = path.stat()
    except OSError:
        return None  # gone since listed: the parse reports it
    stat_key = file_stat_key(st, settings)
    known = cache.file_digest(str(path), stat_key) if st.st_mtime_ns < recent else None
    if known is not None:
        seen[str(path)] = (stat_key, known)
        return known
    try:
        raw = safeio.read_regular_file(path)
    except safeio.UnreadableFile:
        return None  # the parse reports why
    key = _entry_key(path, raw, settings)
    if st.st_mtime_ns < recent:  # a fresher stat may stand for a second save: never trust it
        seen[str(path)] = (stat_key, key)
    return key


def file_stat_key(st: os.stat_result, settings: str) -> str:
    """What a file's stat is remembered by: a later build that finds the same trusts the
    digest made then instead of reading the file. The ctime is in it: a save that keeps the
    size and puts the mtime back (`touch -r`, `cp -p`, `rsync -t`) cannot set it back."""
    return f"{st.st_mtime_ns}:{st.st_size}:{st.st_ino}:{st.st_ctime_ns}:" \
        f"{_settings_digest(settings)}"


@functools.lru_cache(maxsize=4)
def _settings_digest(settings: str) -> str:
    return digest(settings)  # once a build, not once a file


def _entry_key(path: Path, raw: bytes, settings: str) -> str:
    return digest("entry", str(path), raw, settings)


def _parse_all(files: list[Path], keys: dict[Path, str], settings: str, cache: Cache,
               config: SiteConfig, workers: int | None,
               seen: dict[str, tuple[str, str]], spill: Spill | None, *,
               recent: int | None = None) -> dict[Path, Any]:
    """Every file's ParseOutcome: from the cache, else parsed (in a process pool when many).

    A file parsed is read again, and its key made again from the bytes parsed: one changed
    since its key was made is known (and cached) by the bytes it now has. With `recent`, no
    key was made before: each file's key is the one made from the bytes parsed, and its stat
    (taken before they were read, trusted if older than `recent`) is remembered with it."""
    from sitegen import pool
    from sitegen.load import ParseOutcome

    hits = cache.entries(set(keys.values()))
    outcomes: dict[Path, Any] = {}
    missing: list[Path] = []
    for path in files:
        hit = hits.get(keys.get(path, ""))
        if isinstance(hit, ParseOutcome):
            outcomes[path] = dataclasses.replace(hit, entry=_at(hit.entry, path))
            if spill is not None and outcomes[path].entry is not None:
                spill.keep(outcomes[path].entry)
        else:
            missing.append(path)
    parsed = pool.imap_chunks(_parse_chunk, missing, workers=workers,
                              extra=(config.topic_slugs, config.markdown_html, settings, recent))
    fresh: dict[str, Any] = {}
    rows: dict[str, tuple[str, str, str] | None] = {}
    for path, (key, outcome, stat_key, row) in zip(missing, parsed, strict=True):
        outcomes[path] = outcome
        if outcome.entry is not None:
            _share_path(outcome.entry, path)
            if spill is not None:
                spill.keep(outcome.entry)
        if key is not None and recent is not None:
            keys[path] = key
            if stat_key:
                seen[str(path)] = (stat_key, key)
        if key is not None and path in keys:
            if key != keys[path]:  # changed while this build ran: its stat is not trusted
                keys[path] = key
                seen.pop(str(path), None)
            if outcome.entry is not None:
                fresh[key] = outcome
                rows[key] = row
                if len(fresh) >= SAVE_ENTRIES:  # saved while the pool parses on
                    cache.put_rows(fresh, rows)
                    fresh, rows = {}, {}
    cache.put_rows(fresh, rows)
    return outcomes


SAVE_ENTRIES = 100


def _share_path(entry: Entry, path: Path) -> None:
    """Give an entry back from `_parse_chunk` (which sends it without its path) the very Path
    it was parsed from."""
    object.__setattr__(entry, "path", path)


def _spill() -> Spill:
    from sitegen.bodies import Spill

    return Spill()


def _at(entry: Entry | None, path: Path) -> Entry | None:
    return entry if entry is None or entry.path == path else dataclasses.replace(entry, path=path)


def _parse_chunk(paths: list[Path], settings: tuple[frozenset[str], str, str, int | None],
                 ) -> list[tuple[str | None, Any, str, tuple[str, str, str] | None]]:
    """Each file's key (None when it cannot be read), ParseOutcome, (given `recent`) its
    stat key as `_file_key` makes it, taken before the read ("" when too fresh to trust), and
    its cache row (`entry_row`: made here, beside the parse, not in the build's process)."""
    from sitegen.cache import entry_row
    from sitegen.load import parse_entry, unreadable

    topics, html, parse, recent = settings
    made: list[tuple[str | None, Any, str, tuple[str, str, str] | None]] = []
    for path in paths:
        stat_key = ""
        if recent is not None:
            try:
                st = path.stat()
            except OSError:
                pass  # the read says why
            else:
                if st.st_mtime_ns < recent:
                    stat_key = file_stat_key(st, parse)
        try:
            raw = safeio.read_regular_file(path)
        except safeio.UnreadableFile as e:
            made.append((None, unreadable(e), "", None))
            continue
        outcome = parse_entry(path, raw, topics, html)
        row = None
        if outcome.entry is not None:
            row = entry_row(outcome)
            # The entry goes back without its path, which the build's process has (and puts
            # back, `_share_path`): a Path took ~17 us to unpickle, a third of an entry's.
            object.__setattr__(outcome.entry, "path", None)
        made.append((_entry_key(path, raw, parse), outcome, stat_key, row))
    return made


# -- render ---------------------------------------------------------------------------------

def render_stage(site: Site, config: SiteConfig, digests: Mapping[str, str], *,
                 manifest: write.Manifest | None = None, out: Path | None = None,
                 workers: int | None = None, memo: dict[str, bytes] | None = None,
                 cache: Cache | None = None, sink: Sink | None = None,
                 plans: dict[str, Any] | None = None,
                 entry_pages: Callable[[dict[str, write.Planned]], None] | None = None,
                 views: Path | None = None) -> dict[str, write.Planned]:
    """Every output file, planned: its page key, and its bytes unless the manifest shows the
    file on disk was made from exactly the same inputs (then it is not rendered at all).

    `sink` takes each new file as it is made (a build's staging folder; default: keep the
    bytes). `memo` (page key -> bytes) is the preview's in-memory alternative to the manifest.
    `plans` is filled with each page's, feed's and export's plan by its output path.
    `entry_pages` is given every entry's page, planned, as soon as they are all made (before
    the list pages, feeds and exports), once. `views`: a folder for render workers to write
    each entry page's search view into (`search.write_view`).
    """
    from sitegen import assets, exports, feeds, redirects, render, urls

    theme = tree_digest(config.theme_dir)
    env = _environment(theme, config)
    every_page = page_salt(theme, config)
    shared: dict[int, tuple[Any, str]] = {}
    # A page no file of the output can stand for (a cold build's every page) is made whatever
    # its key: its key is worked out while the pool renders (0.6 s at 10,000 entries), an
    # entry page's by whoever renders it (a pool's worker), a list page's here meanwhile.
    owned = manifest.files if manifest is not None and out is not None else {}
    later: list[tuple[str, Any]] = []
    keys: dict[str, str] = {}
    keying = _EntryKeys(every_page, digests, keys)
    reuse = _reuse(manifest, out, memo)

    def plan(page: Any) -> tuple[str, str, Any]:
        rel = urls.output_file(page.url)
        if memo is None and rel not in owned:
            if page.template == "entry.html":
                keying.rels.add(rel)
            else:
                later.append((rel, page))
            return rel, "", page
        return rel, page_key(every_page, page, digests, shared), page

    # The entry pages first: a cold build's pool starts on them (and every card) at once, and
    # the rest is planned here while it renders (0.3 s at 10,000 entries, one core idle).
    entry_todo = [plan(page) for page in render.entry_pages(site)]
    singles = [(rel, page) for rel, key, page in entry_todo if not reuse(rel, key)]
    pages: list[Any] = []
    todo: list[tuple[str, str, Any]] = []
    needed: list[tuple[str, str, Any]] = []
    planned: dict[str, write.Planned] = {}
    every_export = list(exports.plan_exports(site, config))
    texts = _Fragments(cache or Cache(None), config, digests, every_export)

    def plan_the_rest() -> list[tuple[str, Any]]:
        """Every page, feed and export planned and keyed; the list pages, feeds and exports
        to make (not the entry pages)."""
        nonlocal pages
        pages = render.plan_pages(site, config, [page for _, _, page in entry_todo])
        known = {id(item[2]): item for item in entry_todo}
        todo.extend(known.get(id(page)) or plan(page) for page in pages)
        for feed in feeds.plan_feeds(site, config):
            todo.append((feed.path, feed_key(every_page, feed, digests), feed))
        for export in every_export:
            todo.append((export.path, export_key(every_page, export, digests), export))
        if plans is not None:
            plans.update((rel, item) for rel, _, item in todo)
        needed.extend((rel, key, item) for rel, key, item in todo if not reuse(rel, key))
        planned.update((rel, write.Planned(None if memo is None else memo[key], key))
                       for rel, key, _ in todo if reuse(rel, key))
        keys.update((rel, key) for rel, key, _ in needed if key)
        for rel, page in later:
            keys[rel] = page_key(every_page, page, digests, shared)
        later.clear()
        shared.clear()  # one entry for each of 100,000 related-entries tuples: not needed again
        entry = {rel for rel, _ in singles}
        return [(rel, item) for rel, _, item in needed if rel not in entry]

    def entry_pages_made(made: Mapping[str, bytes | write.Staged]) -> None:
        if entry_pages is not None:
            kept = {rel: p for rel, p in planned.items() if search_page(rel)}
            entry_pages({**kept, **{rel: write.Planned(data, keys[rel])
                                    for rel, data in made.items()}})

    # A cold build makes every list page: the pool makes every card first. Otherwise the list
    # pages to make are known first, and the cards are the pool's only when they are many.
    if memo is None and not owned:
        lists_of, cards_first = plan_the_rest, True
    else:
        ready = plan_the_rest()
        lists_of, cards_first = (lambda: ready), len(ready) >= LIST_PAGES_FOR_POOL
    put = sink or _keep
    linked: dict[str, dict[str, Path]] = {}
    rendered = _render_all(env, config, singles, lists_of, texts, workers, site.entries, put,
                           entry_pages_made, views, linked, keying, cards_first)
    texts.save()
    for rel, _, _ in needed:
        key = keys[rel]
        made = planned[rel] = write.Planned(rendered.pop(rel), key)
        if memo is not None and isinstance(made.data, bytes):
            memo[key] = made.data
    for rel, data in _plain_files(pages, config).items():
        planned[rel] = write.Planned(put(rel, data), "")
    for rel, data in assets.asset_files(site, config, planned, linked).items():
        planned[rel] = write.Planned(put(rel, data), "")
    for rel, data in redirects.redirect_files(site, config, planned).items():
        planned[rel] = write.Planned(put(rel, data), "")
    return planned


def _keep(rel: str, data: bytes | Iterable[bytes]) -> bytes:
    return data if isinstance(data, bytes) else b"".join(data)


def _ignore(_: object) -> None:
    return None


def search_page(rel: str) -> bool:
    from sitegen.search import is_record_page

    return is_record_page(rel)


STAGE_SWITCH_INTERVAL = 0.0005  # seconds: see _Later.start


class _Later:
    """One stage run in a thread from the moment its input is ready (`start` gives the
    callback that starts it), its result taken when the build needs it. Leaving the block
    waits for the thread, so a build that fails meanwhile still cleans up after it."""

    def __init__(self) -> None:
        import concurrent.futures

        self._pool = concurrent.futures.ThreadPoolExecutor(1)
        self._future: concurrent.futures.Future[Any] | None = None
        self._interval: float | None = None

    def __enter__(self) -> _Later:
        return self

    def __exit__(self, *_: object) -> None:
        try:
            self._pool.shutdown(wait=True)
        finally:
            if self._interval is not None:
                sys.setswitchinterval(self._interval)
                self._interval = None

    def start(self, stage: Callable[[T], Any]) -> Callable[[T], None]:
        def begin(value: T) -> None:
            if self._future is not None:
                raise RuntimeError("a stage started twice")
            # The stage's thread does many small file operations, each giving up the GIL,
            # while this one renders: at Python's 5 ms switch interval it waited up to 5 ms
            # to go on after each, and Pagefind started seconds late (a GIL convoy).
            self._interval = sys.getswitchinterval()
            sys.setswitchinterval(min(self._interval, STAGE_SWITCH_INTERVAL))
            self._future = self._pool.submit(stage, value)
        return begin

    def result(self) -> Any:
        if self._future is None:
            raise RuntimeError("a stage never started")
        return self._future.result()


def page_salt(theme: str, config: SiteConfig) -> str:
    """What every output's key holds: the theme's digest, the config and sitegen's version."""
    return digest("page", theme, repr(config), _version())


def page_key(salt: str, page: Any, digests: Mapping[str, str],
             shared: dict[int, tuple[Any, str]] | None = None) -> str:
    return digest(salt, page.url, page.template, context_key(page.context, digests, shared))


def feed_key(salt: str, feed: Any, digests: Mapping[str, str]) -> str:
    return feed_key_of(salt, feed.path, feed.title, feed.page_url,
                       [digests.get(e.slug, e.slug) for e in feed.entries])


def feed_key_of(salt: str, path: str, title: str, page_url: str,
                entry_digests: Sequence[str]) -> str:
    return digest(salt, path, title, page_url, *entry_digests)


def export_key(salt: str, export: Any, digests: Mapping[str, str]) -> str:
    return export_key_of(salt, export.path, export.kind, export.title, export.description,
                         [digests.get(e.slug, e.slug) for e in export.entries])


def export_key_of(salt: str, path: str, kind: str, title: str, description: str,
                  entry_digests: Sequence[str]) -> str:
    return digest(salt, path, kind, title, description, *entry_digests)


class _EntryKeys:
    """The keys of the entry pages in `rels` (those no file of the output stands for), each
    made by whoever renders the page, into `keys`: on a cold build, the pool's workers, so the
    main process (which renders the list pages meanwhile) does not."""

    def __init__(self, salt: str, digests: Mapping[str, str], keys: dict[str, str]) -> None:
        self.salt, self.digests, self.keys = salt, digests, keys
        self.rels: set[str] = set()

    def make(self, rel: str, page: Any) -> str | None:
        """The page's key, if it is one to make (an entry page shares no tuple with another
        page: no memo kept)."""
        return page_key(self.salt, page, self.digests) if rel in self.rels else None


def _reuse(manifest: write.Manifest | None, out: Path | None,
           memo: dict[str, bytes] | None) -> Callable[[str, str], bool]:
    if memo is not None:
        return lambda rel, key: key in memo
    if manifest is None or out is None:
        return lambda rel, key: False
    files = manifest.files

    def reuse(rel: str, key: str) -> bool:
        owned = files.get(rel)
        return owned is not None and owned.key == key and manifest.is_intact(out, rel)
    return reuse


def _render_all(env: Any, config: SiteConfig, singles: list[tuple[str, Any]],
                lists_of: Callable[[], list[tuple[str, Any]]], texts: _Fragments | None,
                workers: int | None, every_entry: Sequence[Entry] = (), sink: Sink = _keep,
                entry_pages: Callable[[Mapping[str, bytes | write.Staged]], None] = _ignore,
                views: Path | None = None, found: dict[str, dict[str, Path]] | None = None,
                keying: _EntryKeys | None = None, cards_first: bool = False,
                ) -> dict[str, bytes | write.Staged]:
    """Render the entry pages `singles` and the list pages, feeds and exports that `lists_of`
    gives (the exports' lines from `texts`), each file handed to `sink` as soon as it is made: entry
    pages (and, `cards_first`, every card) in the pool when there are many, and the rest here,
    from the cards. `lists_of` is called once: while the pool's workers render, if they do.
    The entry pages made go to `entry_pages` as soon as they are all made. `found` is given,
    by slug, the files each entry links to (`assets.entry_assets`) that the pool's workers
    found beside rendering its page. `keying` makes the entry pages' keys that are still to
    be made, where each page is rendered."""
    found = {} if found is None else found
    keying = keying or _EntryKeys("", {}, {})
    from sitegen import pool, render
    from sitegen.model import Page

    cards = render.Cards(env)
    lists: list[tuple[str, Any]] = []

    def meanwhile() -> None:
        nonlocal lists
        lists = lists_of()

    out: dict[str, bytes | write.Staged] = {}
    listed: dict[str, bytes | write.Staged] = {}
    # Many list pages (a cold build): every entry's card is made in the pool first (the
    # timeline alone shows them all), and once they are back this process renders the list
    # pages while the workers go on with the entry pages: no core waits. The feeds and
    # exports need no card: they are made while the cards are. A few (an edit): each card is
    # made here when a page asks for it.
    card_entries = list(every_entry) if cards_first else []
    listed_all = False
    told = False  # whether `entry_pages` has them
    if pool.worth_it(len(singles) + len(card_entries), workers):
        global _RENDER_ENV, _RENDER_SINK, _RENDER_VIEWS, _RENDER_KEYS
        _RENDER_ENV, _RENDER_SINK, _RENDER_VIEWS, _RENDER_KEYS = env, sink, views, keying
        jobs = [("card", e.slug, e) for e in card_entries] + \
               [("page", rel, page) for rel, page in singles]
        cards_due = len(card_entries)
        waiting = True
        for kind, name, made in pool.imap_chunks(_render_chunk, jobs, workers=workers,
                                                  extra=None):
            if waiting:  # the workers are forked and at work: this process is free
                waiting = False
                meanwhile()
                if card_entries:
                    _render_lists(env, config, [(rel, item) for rel, item in lists
                                                if not isinstance(item, Page)],
                                  cards, texts, sink, listed)
            if kind == "page":
                out[name] = made
                if len(out) == len(singles):  # the last entry page, in job order
                    # The search starts (if the list pages are done, while this process
                    # makes the small files). The pool forked every worker at its first job
                    # (the fork start method launches them all up front, and a broken pool
                    # is never refilled), so no fork copies the thread this starts.
                    told = True
                    entry_pages(dict(out))
                continue
            if kind == "assets":
                found[name] = made
                continue
            if kind == "key":
                keying.keys[name] = made
                continue
            cards.add(made)
            cards_due -= len(made)
            if cards_due <= 0 and card_entries and not listed_all:
                _render_lists(env, config, lists, cards, texts, sink, listed)
                listed_all = True
        if waiting:
            meanwhile()
        _RENDER_ENV, _RENDER_SINK, _RENDER_VIEWS, _RENDER_KEYS = None, _keep, None, None
    else:
        meanwhile()
        for rel, page in singles:
            out[rel] = sink(rel, render.render_page(env, page, cards))
            if (key := keying.make(rel, page)) is not None:
                keying.keys[rel] = key
    if not told:
        entry_pages(dict(out))
    if not listed_all:
        _render_lists(env, config, lists, cards, texts, sink, listed)
    out.update(listed)
    return out


def _render_lists(env: Any, config: SiteConfig, lists: list[tuple[str, Any]], cards: Any,
                  texts: _Fragments | None, sink: Sink,
                  out: dict[str, bytes | write.Staged]) -> None:
    """The list pages, feeds and exports not yet in `out`, into it (and each to `sink`)."""
    from sitegen import exports, feeds, render

    for rel, item in lists:
        if rel in out:
            continue
        if isinstance(item, feeds.Feed):
            out[rel] = sink(rel, feeds.render_feed(config, item))
        elif isinstance(item, exports.Export):
            out[rel] = sink(rel, exports.export_parts(config, item, texts))
        else:
            out[rel] = sink(rel, render.render_page(env, item, cards))


class _Fragments:
    """Each entry's line in each open-data export, kept in the cache by the entry's digest
    and the config: an edit re-encodes one entry, not every entry of every export.

    A line that only one export shows (`/entries.json`'s, with the body; the CSV's) is sent to
    the cache as it is made and not kept: a cold build of 100,000 entries would otherwise hold
    every body twice. Lines that several exports show (the TimelineJS events of the site and of
    each topic) are kept for the build."""

    def __init__(self, cache: Cache, config: SiteConfig, digests: Mapping[str, str],
                 every_export: list[Any]) -> None:
        self._cache, self._config, self._digests = cache, config, digests
        self._salt = digest("export", repr(config), _version())
        self._exports = every_export
        self._known: dict[str, str] | None = None
        self._made: dict[str, str] = {}
        self._keys: dict[str, str] = {}  # slug -> the key of its lines, less their kind
        self._every: _LiveKeys | None = None
        from sitegen import exports

        uses: dict[str, int] = {}
        for x in every_export:
            for kind in exports.FRAGMENT_KINDS[x.kind]:
                uses[kind] = uses.get(kind, 0) + 1
        self._shown_once = {kind for kind, n in uses.items() if n == 1}
        self._spool: list[tuple[str, str]] = []

    def _key(self, kind: str, entry: Entry) -> str:
        key = self._base(entry)
        return f"{kind}:{key}" if key else ""

    def _base(self, entry: Entry) -> str:
        """The key of an entry's lines, less their kind ("" for an entry without a digest)."""
        key = self._keys.get(entry.slug)
        if key is None:
            entry_digest = self._digests.get(entry.slug, "")
            key = self._keys[entry.slug] = hashlib.blake2b(
                f"{self._salt}{entry_digest}".encode(), digest_size=16).hexdigest() \
                if entry_digest else ""
        return key

    def _live(self) -> _LiveKeys:
        """The key of every line of every export this build plans."""
        from sitegen import exports

        if self._every is None:
            bases: dict[str, set[str]] = {}
            for x in self._exports:
                for kind in exports.FRAGMENT_KINDS[x.kind]:
                    group = bases.setdefault(kind, set())
                    group.update(self._base(e) for e in x.entries)
                    group.discard("")
            self._every = _LiveKeys(bases)
        return self._every

    def __call__(self, kind: str, entry: Entry) -> str:
        from sitegen import exports

        key = self._key(kind, entry)
        if not key:
            return exports.fragment(self._config, kind, entry)
        if self._known is None:  # one read of the cache for every line
            self._known = self._cache.fragments(self._live())
        text = self._known.pop(key, None) if kind in self._shown_once else \
            self._known.get(key)
        if text is None:
            text = exports.fragment(self._config, kind, entry)
            if kind in self._shown_once:
                self._spool.append((key, text))
                if len(self._spool) >= SPOOL_FRAGMENTS:
                    self._cache.add_fragments(self._spool)
                    self._spool = []
            else:
                self._known[key] = self._made[key] = text
        return text

    def save(self) -> None:
        """Store the lines made by this build; forget those no export uses any more."""
        if self._known is not None:
            self._cache.add_fragments(self._spool)
            self._spool = []
            self._cache.put_fragments(self._made, self._live())


SPOOL_FRAGMENTS = 1000


class _LiveKeys:
    """The keys of every export line a build plans (`kind:key`), held as one set of entry keys
    per kind: no string is made for each of 300,000 lines unless asked for."""

    def __init__(self, bases: dict[str, set[str]]) -> None:
        self._bases = bases

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        kind, _, base = key.partition(":")
        return base in self._bases.get(kind, ())

    def __iter__(self) -> Iterator[str]:
        for kind, group in self._bases.items():
            for base in group:
                yield f"{kind}:{base}"


LIST_PAGES_FOR_POOL = 40
# The Jinja environment and the sink, inherited by forked render workers: a worker hands each
# page to the sink itself (into the build's staging folder), so only its size and digest come
# back, never its bytes.
_RENDER_ENV: Any = None
_RENDER_SINK: Sink = _keep
_RENDER_VIEWS: Path | None = None  # where a worker writes each entry page's search view
_RENDER_KEYS: _EntryKeys | None = None  # the entry pages whose keys a worker makes


def _render_chunk(jobs: list[tuple[str, str, Any]], _: None) -> list[tuple[str, str, Any]]:
    from sitegen import render
    from sitegen.assets import entry_assets
    from sitegen.search import write_view

    env, sink, views, keying = _RENDER_ENV, _RENDER_SINK, _RENDER_VIEWS, _RENDER_KEYS
    cards = render.Cards(env)
    made: list[tuple[str, str, Any]] = []
    for kind, name, item in jobs:
        if kind == "page":
            # its key first: the parent takes the last entry page as the sign all are back
            if keying is not None and (key := keying.make(name, item)) is not None:
                made.append(("key", name, key))
            page = render.render_page(env, item, cards)
            made.append(("page", name, sink(name, page)))
            if views is not None and search_page(name):
                write_view(views, name, page)
            entry = item.context["entry"]  # the files its body links to, found here
            made.append(("assets", entry.slug, entry_assets(entry)))
        else:
            cards(item, 3)
    made.append(("cards", "", cards.made({name for kind, name, _ in jobs if kind == "card"})))
    return made


def _plain_files(pages: list[Any], config: SiteConfig) -> dict[str, bytes]:
    """The small files made fresh every build: sitemap, robots, .nojekyll, CNAME, static."""
    from sitegen import feeds, render

    files = {"robots.txt": feeds.robots(config), ".nojekyll": b""}
    if feeds.site_url(config):  # the sitemap protocol allows only absolute URLs
        files["sitemap.xml"] = feeds.sitemap([p.url for p in pages], config)
    if config.cname:
        files["CNAME"] = f"{config.cname}\n".encode()
    files.update(render.static_files(config))
    return files


def context_key(value: Any, digests: Mapping[str, str],
                memo: dict[int, tuple[Any, str]] | None = None) -> str:
    """A text naming exactly what a page shows: each entry by its digest, anything else by its
    value. Cheap: an entry is one lookup, never walked; a tuple or record that many pages share
    (a timeline's months, its page URLs, its chart) is walked once per `memo`."""
    from sitegen.model import Entry

    parts: list[str] = []
    _key_parts(value, digests, parts, {} if memo is None else memo, Entry)
    return "\0".join(parts)


_SCALARS = (str, int, float, bool, type(None), dt.date, dt.time, dt.datetime)


def _key_parts(value: Any, digests: Mapping[str, str], parts: list[str],
               memo: dict[int, tuple[Any, str]], entry: type[Entry]) -> None:
    kind = type(value)
    if kind is entry:
        parts.append("E" + digests.get(value.slug, "") + value.slug)
    elif kind in _SCALARS:
        parts.append(repr(value))
    elif kind is tuple and len(value) > 1:
        # Immutable and often shared: its key is made once and kept (with the value, so its
        # id stays its own) for every other page that holds the same tuple.
        known = memo.get(id(value))
        if known is None:
            inner = [f"({len(value)}"]
            for item in value:
                _key_parts(item, digests, inner, memo, entry)
            known = memo[id(value)] = (value, _short_digest(inner))
        parts.append(known[1])
    elif kind is list or kind is tuple:
        parts.append(f"[{len(value)}")
        for item in value:
            _key_parts(item, digests, parts, memo, entry)
    elif kind is dict:
        parts.append(f"{{{len(value)}")
        for k, item in value.items():
            parts.append(repr(k))
            _key_parts(item, digests, parts, memo, entry)
    elif (names := _field_names(kind)) is not None:
        if not names:  # a record of scalars only: its repr names every field's value
            parts.append(repr(value))
            return
        parts.append(kind.__qualname__)
        for name in names:
            _key_parts(getattr(value, name), digests, parts, memo, entry)
    else:
        parts.append(repr(value))


_FIELDS: dict[type, tuple[str, ...] | None] = {}
_UNIONS = (types.UnionType, typing.Union)


def _field_names(kind: type) -> tuple[str, ...] | None:
    """A dataclass's field names, () for one whose fields are all declared scalars (its repr is
    its key), None for any other type; worked out once per type."""
    if kind not in _FIELDS:
        names: tuple[str, ...] | None = None
        if dataclasses.is_dataclass(kind):
            fields = dataclasses.fields(kind)
            names = tuple(f.name for f in fields)
            if all(f.repr for f in fields) and _scalars_only(kind):
                names = ()
        _FIELDS[kind] = names
    return _FIELDS[kind]


def _scalars_only(kind: type) -> bool:
    try:
        hints = typing.get_type_hints(kind)
    except Exception:  # noqa: BLE001 - an annotation that cannot be resolved: walk it
        return False
    for hint in hints.values():
        args = typing.get_args(hint) if typing.get_origin(hint) in _UNIONS else (hint,)
        if not all(a in _SCALARS for a in args):
            return False
    # the repr dataclasses made (wrapped against recursion), not one written by hand
    return bool(hints) and hasattr(vars(kind).get("__repr__"), "__wrapped__")


def _short_digest(parts: list[str]) -> str:
    # Parts hold no NUL (strings are repr'd; slugs and digests have none), so joining on it
    # keeps their boundaries.
    return "#" + hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


_ENVIRONMENTS: dict[tuple[str, SiteConfig], Any] = {}


def _environment(theme_digest: str, config: SiteConfig) -> Any:
    """The Jinja environment for these exact theme bytes and config: kept while both hold, so
    `serve` compiles each template once, not on every rebuild."""
    from sitegen import render

    key = (theme_digest, config)
    if key not in _ENVIRONMENTS:
        _ENVIRONMENTS.clear()
        _ENVIRONMENTS[key] = render.make_environment(config)
    return _ENVIRONMENTS[key]


# -- search ---------------------------------------------------------------------------------

def search_stage(site: Site, config: SiteConfig, outputs: Mapping[str, write.Planned],
                 manifest: write.Manifest, out: Path, enabled: bool, staging: write.Staging,
                 views: Path | None = None) -> tuple[dict[str, write.Planned], dict[str, str], bool,
                            tuple[tuple[str, tuple[str, ...]], ...] | None]:
    """Plan the search bundle's files: kept when the entry pages it indexes are unchanged,
    else made anew by Pagefind, from the pages where they are (new ones in `staging`, the
    others in `out`), into `staging`. `outputs` holds (at least) every entry page. Returns
    the bundle's files, the manifest stamps, whether the index was rebuilt, and the
    partitions (name and pages; None when not `enabled`: the bundle's are not known).
    `views`: the folder where the render workers wrote the search views of the pages they
    made."""
    from sitegen import search, urls

    bundle = {rel: owned for rel, owned in manifest.files.items()
              if rel.startswith(search.BUNDLE + "/")}
    if not enabled:
        # --no-search: the last bundle stays as it was, and so do its stamps (what each
        # partition was made from), so the next build with search re-indexes only the
        # partitions whose pages changed since. A bundle file changed by hand drops them all.
        kept: dict[str, write.Planned] = {}
        for rel, owned in bundle.items():
            if manifest.is_intact(out, rel):
                kept[rel] = write.Planned(None, "")
            elif (same := write.unchanged_bytes(out / rel, owned.digest)) is not None:
                kept[rel] = write.Planned(same, "")  # touched, not changed: recorded again
        stamps = manifest.extra.get("search")
        whole = len(kept) == len(bundle)
        return kept, {"search": stamps} if whole and stamps is not None else {}, False, None
    sources: dict[str, Path] = {}
    digests: dict[str, str] = {}
    sizes: dict[str, int] = {}
    for rel, planned in outputs.items():
        if not search.is_record_page(rel):
            continue
        data = planned.data
        if isinstance(data, bytes | write.Parts):
            data = staging.put(rel, data)
        if data is None:
            owned = manifest.files[rel]
            sources[rel], digests[rel], sizes[rel] = out / rel, owned.digest, owned.size
        else:
            sources[rel], digests[rel], sizes[rel] = staging.path(rel), data.digest, data.size
    # Partitions whose pages are unchanged are kept; the bundle's stamps file travels with it,
    # so `deploy` can hand it back.
    made = search.plan_bundle(
        out, site, urls.base_path(config.base_url), sources, digests,
        manifest.extra.get("search"), {rel: manifest.is_intact(out, rel) for rel in bundle},
        sizes, staging.put, staging.adopt, views)  # views: what the workers wrote
    fresh = {rel: write.Planned(data, "") for rel, data in made.files.items()}
    return fresh, {"search": made.stamps}, bool(made.rebuilt), made.plan


# -- write ----------------------------------------------------------------------------------

def write_stage(out: Path, manifest: write.Manifest, outputs: dict[str, write.Planned],
                extra: dict[str, str], staging: write.Staging | None = None, *, force: bool,
                dropped: Collection[str] | None = None,
                ) -> tuple[write.WriteStats, write.Manifest]:
    """Publish what changed (all or nothing); prune what this build no longer makes. Returns
    what it did and the output's manifest now. A file already in `staging` whose bytes the
    output holds as they are is dropped from it, not published. With `dropped` (the edit
    fast path's), `outputs` are only the files made anew: every other owned file but those
    dropped stays as it is."""
    digests: dict[str, str] = {}
    writes, kept, removes = write.plan_writes(out, manifest, outputs, force=force,
                                              dropped=dropped, digests=digests)
    keys = {rel: p.key for rel, p in outputs.items()}
    unchanged = len(kept)
    if staging is not None:
        for rel in kept:
            if rel in outputs and isinstance(outputs[rel].data, write.Staged):
                staging.drop(rel)
    checked = kept if dropped is None else {rel: kept[rel] for rel in outputs if rel in kept}
    same_keys = all(manifest.files.get(rel) == owned for rel, owned in checked.items())
    if not writes and not removes and same_keys and extra == manifest.extra \
            and len(kept) == len(manifest.files):
        return write.WriteStats(0, unchanged, 0), manifest
    manifest = write.publish(out, writes, removes, kept, keys, extra, staging, digests)
    return write.WriteStats(len(writes), unchanged, len(removes)), manifest


# -- the preview ----------------------------------------------------------------------------

def _preview_build(config: SiteConfig, cache: Cache, drafts: bool, out: Path,
                   writer: WriteStage, started: float,
                   changed: Collection[Path] | None = None) -> BuildResult:
    """The same stages, with every page's bytes kept in memory (the preview serves from it).
    After edits that keep the site's structure (a title, a body...), only the files that show
    the changed entries, from what the last build holds (incremental.py)."""
    from sitegen import incremental

    last = cache.preview
    try:
        edit = incremental.try_edit(config, cache, last.get("held"), last["files"],
                                    drafts=drafts, changed=changed) if "files" in last else None
    except BaseException:
        last.clear()  # what was held may not be what the files hold: the next build is full
        raise
    if edit is not None:
        last.clear()  # until the writer has them
        stats, indexed = writer(edit.site, config, edit.files, out)
        last.update(files=edit.files, held=edit.held)
        result = BuildResult(len(edit.site.entries), len(config.topics), len(edit.files), stats,
                             indexed, 0.0, (), out)
        return _finish(result, started, out)
    last.clear()
    walked = quick.walk(config.content_dir)
    keys: dict[Path, str] = {}
    entries, digests, warnings = load_stage(config, cache, drafts=drafts, workers=1, keys=keys)
    site = _assemble(entries, config)
    memo = cache.pages
    plans: dict[str, Any] = {}
    planned = render_stage(site, config, digests, memo=memo, workers=1, cache=cache,
                           plans=plans)
    files = {rel: p.data for rel, p in planned.items() if isinstance(p.data, bytes)}
    live = {p.key for p in planned.values()}
    for key in [k for k in memo if k not in live]:
        del memo[key]
    stats, indexed = writer(site, config, files, out)
    # what the next edit needs, worked out once the tabs are reloading
    held = None if warnings else incremental.hold(
        config, site, plans, keys, walked, drafts=drafts,
        env=_environment(tree_digest(config.theme_dir), config))
    last.update(files=files, held=held)
    result = BuildResult(len(site.entries), len(config.topics), len(files), stats, indexed,
                         0.0, warnings, out)
    return _finish(result, started, out)
