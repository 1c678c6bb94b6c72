"""The search bundle: Pagefind indexes the entry pages in date-disjoint partitions.

Pagefind has no incremental mode, so the entry pages are split by date, like the runs of an
LSM tree: closed partitions of about `cap` entries each for older periods, then the open one,
cut in two: a settled part, and a small partition of the newest month (and under cap/16 more)
that edits and new entries touch, whose older months join the settled part every cap/16
entries.
Each partition is one run of the Pagefind binary over a folder of hard links to its pages and
carries a stamp (its pages' bytes, the Pagefind version, the base path): an unchanged partition
is never run again, so an edit re-indexes one partition. The search page merges the partitions
in the browser (`mergeIndex`) and orders by date itself, from each partition's `order.json`.
After its run, `search_chunks` cuts a partition's word index into small chunks, so that a
query fetches a few KB of each partition's index rather than Pagefind's ~20 KB.

Everything is written under `site/pagefind/`:

    partitions.json            the partitions, newest first, with date spans and topic counts
    .sitegen-records           every partition's stamp (the build keeps it in its manifest too)
    <name>/                    one Pagefind bundle (its runtime, index, filters, fragments),
    <name>/order.json          its page ids oldest first, and
    <name>/.sitegen-stamp      its stamp and files, for `serve`, which indexes in place

`plan_bundle` is the build's entry point (it hands the bundle's files to the build's staging
folder); `index_site` is the preview's (it updates a folder in place).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import gzip
import hashlib
import json
import logging
import math
import os
import re
import shutil
import subprocess
import tempfile
import threading
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sitegen import search_chunks, urls
from sitegen.errors import Problem, SitegenError
from sitegen.model import Entry, Site
from sitegen.write import BUNDLE as BUNDLE  # the folder it makes, named beside the manifest
from sitegen.write import Staged

log = logging.getLogger(__name__)
MANIFEST = "partitions.json"
ORDER = "order.json"
STAMP = ".sitegen-records"  # the bundle's stamps: `deploy` hands them back to the next build
PART_STAMP = ".sitegen-stamp"
SCHEME = "partitions-3"  # bump when the layout of a partition changes
# The pages Pagefind reads: entry pages only, so a timeline or topic page is never a result.
RECORD_PAGES = urls.output_file(urls.entry("*"))
# Pagefind's peak memory grows with the bytes it reads: 187 MiB for 7.6 MB of entry pages
# (1,464 benchmark entries), 254 MiB for 10.4 MB (measured). A partition holds at most about
# this many bytes, for a peak near 250 MiB.
PARTITION_BYTES = 11_000_000
# Bounds on entries per closed partition; tests lower them to get many partitions.
CAP_LIMITS = (64, 2048)
# The newest partition holds fewer than cap/RECENT entries (plus one month's): an edit of a
# recent entry runs Pagefind on 13 pages of the benchmark's 10,000 (under ~120 at most), not 74
# as with 16 (an edit ~0.19 s faster) or ~140 with 8; the settled part beside it is re-indexed
# once per cap/RECENT entries added (at 10,000, a run of ~1,000 pages every ~30 entries).
RECENT = 32
MAX_RUNS = 4  # Pagefind runs at once on a cold build, at most one per core
# Pagefind's prebuilt UIs (418 KB): our search page drives pagefind.js itself, so they are
# never loaded and need not be published.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
          "pagefind-modular-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-highlight.js")
FRAGMENT_MAGIC = b"pagefind_dcd"


@dataclass(frozen=True)
class Partition:
    """Entry pages of one date span, indexed by one Pagefind run."""

    name: str  # its folder under pagefind/: the month of its first entry, e.g. "2023-03"
    entries: tuple[Entry, ...]  # oldest first
    pages: tuple[str, ...]  # their entry pages, in the same order

    @property
    def first(self) -> str:
        return self.entries[0].day.isoformat()

    @property
    def last(self) -> str:
        return self.entries[-1].day.isoformat()

    def topic_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(t for e in self.entries for t in e.topics).items()))


@dataclass(frozen=True)
class Bundle:
    """The search bundle a build publishes: its files (site path -> what the build's sink made
    of its new bytes, or None to keep the file as it is) and the stamps of its partitions."""

    files: dict[str, Staged | bytes | None]
    stamps: str
    rebuilt: tuple[str, ...]
    plan: tuple[tuple[str, tuple[str, ...]], ...] = ()  # each partition's name and pages


@dataclass(frozen=True)
class IndexResult:
    """What indexing did: partitions run again, kept as they were, and removed."""

    rebuilt: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.rebuilt or self.removed)


# --- Partitioning: a pure function of the entries and their pages' sizes -------------------

def plan_partitions(entries: Iterable[Entry], page_sizes: Mapping[str, int]) -> list[Partition]:
    """Split the entries that have a page into date-disjoint partitions, oldest first.

    Months are the unit (a month with more than cap/16 entries is cut into runs of cap/16 (cap
    over RECENT), named "2023-03.1", "2023-03.2"...). A
    month's partition depends on how many entries come before it: block `count // cap`, so an
    edit moves nothing and an added entry moves a boundary only when a count lands on it. Every
    block but the last is a closed partition. The last is cut at a multiple of cap/16 of its
    length (`_newest_start`): the newest partition always holds the newest month, so an edit or
    a new entry there re-indexes under cap/16 + a month's entries, and the settled part before
    it is re-indexed once per cap/16 entries added (and once more when the block closes). Two
    partitions more than the closed ones, not a level each: every partition costs a query four
    more requests (its entry file, metadata, index chunk and topic filter: ~11 KB).
    """
    sized = [(e, page_sizes.get(page_of(e))) for e in entries]
    dated = sorted((e for e, size in sized if size is not None), key=lambda e: e.sort_key)
    if not dated:
        return []
    cap = partition_cap(sum(size for _, size in sized if size is not None) / len(dated))
    groups: dict[tuple[int, int], list[tuple[str, list[Entry]]]] = {}
    atoms = _atoms(dated, max(1, cap // RECENT))
    last_block = (len(dated) - len(atoms[-1][1])) // cap
    tail = len(dated) - last_block * cap
    newest = _newest_start(tail, tail - len(atoms[-1][1]), cap)
    before = 0
    for name, atom in atoms:
        block, offset = divmod(before, cap)
        if block >= last_block:
            block, offset = last_block, before - last_block * cap
            key = (block, int(offset >= newest))
        else:
            key = (block, 0)
        groups.setdefault(key, []).append((name, atom))
        before += len(atom)
    return [_partition(group) for _, group in sorted(groups.items())]


def partition_cap(mean_page_bytes: float) -> int:
    """Entries per closed partition for pages of this mean size: a step of a ladder (ratios of
    2^(1/4)), so the slow drift of the mean as entries are edited rarely moves it."""
    low, high = CAP_LIMITS
    room = PARTITION_BYTES / max(mean_page_bytes, 1.0) / 1.125  # a block may overrun by an atom
    step = math.floor(4 * math.log2(max(room, 1.0))) / 4
    return max(low, min(high, int(2 ** step)))


def _atoms(dated: Sequence[Entry], most: int) -> list[tuple[str, list[Entry]]]:
    months: dict[tuple[int, int], list[Entry]] = {}
    for e in dated:
        months.setdefault((e.day.year, e.day.month), []).append(e)
    atoms = []
    for (year, number), run in months.items():
        month = f"{year:04d}-{number:02d}"
        if len(run) <= most:
            atoms.append((month, run))
        else:
            atoms += [(f"{month}.{i // most + 1}", run[i:i + most])
                      for i in range(0, len(run), most)]
    return atoms


def _newest_start(tail: int, last_atom: int, cap: int) -> int:
    """Where the newest partition of the last block starts (the atoms starting there or later):
    the last multiple of cap/16 of its length `tail`, or the one before when the last atom
    starts before that (at `last_atom`), so that the newest partition is never empty. It holds
    fewer than cap/16 entries plus the last atom's, and only ever moves forward, by cap/16."""
    step = max(1, cap // RECENT)
    start = tail // step * step
    return start if last_atom >= start else start - step


def _partition(group: list[tuple[str, list[Entry]]]) -> Partition:
    entries = tuple(e for _, atom in group for e in atom)
    return Partition(group[0][0], entries, tuple(page_of(e) for e in entries))


Source = Path | bytes | None  # where a page is: see _link_page


def page_of(entry: Entry) -> str:
    return urls.output_file(urls.entry(entry.slug))


# --- The bundle --------------------------------------------------------------------------------

def plan_bundle(out: Path, site: Site, base_path: str, pages: Mapping[str, Path],
                digests: Mapping[str, str], previous: str | None,
                intact: Mapping[str, bool], sizes: Mapping[str, int],
                sink: Callable[[str, bytes], Staged | bytes],
                adopt: Callable[[str, Path], Staged] | None = None,
                views: Path | None = None) -> Bundle:
    """The bundle's files for a build into `out`: a partition whose stamp is in `previous` (the
    last build's stamps) and whose files are all `intact` is kept; the others are indexed anew
    (several at once). `pages`: where each entry page's bytes are now (the build's staging
    folder for a new one, else `out`); `digests` and `sizes`: each one's digest and size;
    `intact`: the bundle's files the output folder's manifest records, and whether each is
    still as written. Each new file of the bundle goes to `sink` as it is read back (or is
    moved by `adopt`, given, into the build's staging folder). `views`: the folder where the
    render workers wrote the new pages' search views (`write_view`)."""
    plan = plan_partitions(site.entries, sizes)
    if not plan:
        log.info("no entries to index; the site has no search bundle")
        return Bundle({}, "", ())
    keys = {p.name: stamp_key(p, digests, base_path) for p in plan}
    old, owned = _stamps(previous), _by_partition(intact)
    stale = [p for p in plan if old.get(p.name) != keys[p.name] or not owned.get(p.name)
             or not all(intact[rel] for rel in owned[p.name])]
    files: dict[str, Staged | bytes | None] = {rel: None for p in plan if p not in stale
                                               for rel in owned[p.name]}
    files.update(index_partitions(out, stale, pages, keys, sink, adopt, views))
    stamps = json.dumps(keys, sort_keys=True)
    for rel, data in ((f"{BUNDLE}/{MANIFEST}", manifest_bytes(plan)),
                      (f"{BUNDLE}/{STAMP}", stamps.encode())):
        files[rel] = sink(rel, data)
    rebuilt = tuple(p.name for p in stale)
    _log_rebuilt(rebuilt, plan)
    return Bundle(files, stamps, rebuilt, tuple((p.name, p.pages) for p in plan))


def index_partitions(out: Path, stale: Sequence[Partition],
                     pages: Mapping[str, Source], keys: Mapping[str, str],
                     sink: Callable[[str, bytes], Staged | bytes] | None = None,
                     adopt: Callable[[str, Path], Staged] | None = None,
                     views: Path | None = None) -> dict[str, Staged | bytes]:
    """Run Pagefind on each of `stale` (several at once), beside `out`: the bundle files they
    make, by site path, each handed to `sink` as it is read back (default: kept as bytes), or
    to `adopt` (given) to move it where it belongs.
    `pages` gives where each page is (a path to hard-link), its new bytes, or None where
    `out` holds it; a page's view found in `views` is moved in instead."""
    read: dict[str, dict[str, Staged | bytes]] = {}

    def take(part: str, folder: Path) -> None:  # as each run ends, while the others go on
        read[part] = {}
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                rel = f"{BUNDLE}/{part}/{p.relative_to(folder).as_posix()}"
                if adopt is not None:
                    read[part][rel] = adopt(rel, p)
                    continue
                data = p.read_bytes()
                read[part][rel] = data if sink is None else sink(rel, data)

    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}.search-") as tmp:
        _run_all(out, Path(tmp), stale, pages, keys, take, views)
    return {rel: made for part in stale for rel, made in read[part.name].items()}


def index_site(site_dir: Path, site: Site, pages: Mapping[str, bytes] | None,
               base_path: str) -> IndexResult:
    """Bring `site_dir/pagefind/` up to date in place with its entry pages (the preview's way):
    run Pagefind on each partition whose stamp differs (several at once), then rewrite the
    manifest and remove partitions no longer planned. `pages` (path -> bytes) spares reading
    them back when the caller has them; default: read from `site_dir`.

    A partition replaces its old folder only once complete, and the manifest is written last:
    a failure leaves every partition either old or new, never torn.
    """
    bundle = site_dir / BUNDLE
    pages = _read_pages(site_dir) if pages is None else pages
    plan = plan_partitions(site.entries, {rel: len(data) for rel, data in pages.items()})
    if not plan:
        removed = tuple(p.name for p in _folders(bundle))
        shutil.rmtree(bundle, ignore_errors=True)
        log.info("no entries to index; the site has no search bundle")
        return IndexResult(removed=removed)
    bundle.mkdir(exist_ok=True)
    _clear_work(bundle)
    digests = _digests(pages)
    keys = {p.name: stamp_key(p, digests, base_path) for p in plan}
    stale = [p for p in plan if not _stamped(bundle / p.name, keys[p.name])]
    work = bundle / ".work"
    try:
        for name, folder in _run_all(site_dir, work, stale, dict.fromkeys(pages), keys).items():
            _replace_folder(folder, bundle / name, work / f"old-{name}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    manifest = bundle / MANIFEST
    if not _same_bytes(manifest, manifest_bytes(plan)):
        _write_new(manifest, manifest_bytes(plan))
    planned = {p.name for p in plan}
    removed = tuple(sorted(f.name for f in _folders(bundle) if f.name not in planned))
    for name in removed:
        shutil.rmtree(bundle / name, ignore_errors=True)
    rebuilt = tuple(p.name for p in stale)
    _log_rebuilt(rebuilt, plan)
    return IndexResult(rebuilt, tuple(n for n in keys if n not in rebuilt), removed)


def _log_rebuilt(rebuilt: Sequence[str], plan: Sequence[Partition]) -> None:
    if rebuilt:
        log.info("search: re-indexed %d of %d partitions (%s)", len(rebuilt), len(plan),
                 ", ".join(rebuilt))


def is_current(site_dir: Path, site: Site, pages: Mapping[str, bytes], base_path: str) -> bool:
    """Whether `site_dir`'s bundle indexes exactly these entry pages, every file of every
    partition still on disk (or, with no entries, whether there is rightly no bundle)."""
    bundle = site_dir / BUNDLE
    plan = plan_partitions(site.entries, {rel: len(data) for rel, data in pages.items()})
    if not plan:
        return not bundle.exists()
    digests = _digests(pages)
    return (_same_bytes(bundle / MANIFEST, manifest_bytes(plan))
            and {f.name for f in _folders(bundle)} == {p.name for p in plan}
            and not any(f.name.startswith(".work") for f in bundle.iterdir())
            and all(_stamped(bundle / p.name, stamp_key(p, digests, base_path)) for p in plan))


def forget(site_dir: Path, names: Iterable[str]) -> None:
    """Drop these partitions' stamps, so the next indexing runs them again (`serve` does this
    when a build landed while Pagefind was reading)."""
    for name in names:
        (site_dir / BUNDLE / name / PART_STAMP).unlink(missing_ok=True)


def is_record_page(rel: str) -> bool:
    """Whether the output file `rel` is an entry page, which Pagefind indexes."""
    return rel.startswith("entries/") and rel.endswith("/index.html") and rel.count("/") == 2


def record_pages(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The entry pages among a build's output files: what Pagefind indexes."""
    return {rel: data for rel, data in files.items() if is_record_page(rel)}


def stamp_key(part: Partition, digests: Mapping[str, str], base_path: str) -> str:
    """A digest of exactly what this partition's bundle is made from: the digests of its
    pages' bytes, the Pagefind version and the base path."""
    h = hashlib.sha256(json.dumps([SCHEME, _pagefind_version(), base_path, part.name]).encode())
    for rel in part.pages:
        h.update(f"\0{rel}\0{digests[rel]}".encode())
    return h.hexdigest()


def _digests(pages: Mapping[str, bytes]) -> dict[str, str]:
    return {rel: hashlib.sha256(data).hexdigest() for rel, data in pages.items()}


def _stamps(previous: str | None) -> dict[str, str]:
    """The last build's stamps, {partition: stamp}; nothing if absent or of another form."""
    try:
        stamps = json.loads(previous or "{}")
    except (ValueError, RecursionError):  # RecursionError: nested past Python's limit
        return {}
    if not isinstance(stamps, dict):
        return {}
    return {str(k): v for k, v in stamps.items() if isinstance(v, str)}


def _by_partition(files: Iterable[str]) -> dict[str, list[str]]:
    """The bundle's files grouped by the partition folder they are in."""
    grouped: dict[str, list[str]] = {}
    for rel in files:
        parts = rel.split("/")
        if len(parts) > 2 and parts[0] == BUNDLE:
            grouped.setdefault(parts[1], []).append(rel)
    return grouped


def manifest_bytes(plan: Sequence[Partition]) -> bytes:
    """`partitions.json`: what the search page needs before it loads any partition."""
    partitions = [{"name": p.name, "first": p.first, "last": p.last, "entries": len(p.pages),
                   "topics": p.topic_counts()} for p in reversed(plan)]
    return (json.dumps({"partitions": partitions}, sort_keys=True, separators=(",", ":"))
            + "\n").encode()


def _read_pages(site_dir: Path) -> dict[str, bytes]:
    return {p.relative_to(site_dir).as_posix(): p.read_bytes()
            for p in site_dir.glob(RECORD_PAGES)}


def _folders(bundle: Path) -> list[Path]:
    if not bundle.is_dir():
        return []
    return [p for p in bundle.iterdir() if p.is_dir() and not p.name.startswith(".")]


def _clear_work(bundle: Path) -> None:
    """Remove what a killed run left: its work folder and half-written manifest."""
    shutil.rmtree(bundle / ".work", ignore_errors=True)
    (bundle / f".{MANIFEST}.tmp").unlink(missing_ok=True)


def _stamped(folder: Path, key: str) -> bool:
    """Whether `folder` was made from `key` and still holds every file it was made with (by
    name: folders are replaced whole, so a file is there complete or not at all)."""
    try:
        stamp = json.loads((folder / PART_STAMP).read_text())
        return stamp.get("key") == key and _listing(str(folder)) == set(stamp["files"])
    except (OSError, ValueError, AttributeError, KeyError, TypeError, RecursionError):
        return False


def _listing(folder: str, prefix: str = "") -> set[str]:
    names = set()
    with os.scandir(folder) as found:
        for item in found:
            if item.is_dir(follow_symlinks=False):
                names |= _listing(item.path, f"{prefix}{item.name}/")
            elif item.name != PART_STAMP:
                names.add(prefix + item.name)
    return names


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def _write_new(path: Path, data: bytes) -> None:
    """Write through a new inode: a hard-linked copy of the old file is left as it was."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# --- Running Pagefind ----------------------------------------------------------------------

def _run_all(live: Path, work: Path, stale: Sequence[Partition],
             pages: Mapping[str, Source], keys: Mapping[str, str],
             done: Callable[[str, Path], None] | None = None,
             views: Path | None = None) -> dict[str, Path]:
    """Index the stale partitions into folders under `work`, several at once (each run is a
    separate process, so each stays within its own memory); the first failure is raised once
    all have finished. A page given as a path is hard-linked from there, as None from `live`,
    where it is; one given as bytes is written. `done` is called (in this thread) with each
    partition's folder as soon as its run has ended well, while the others still run."""
    if not stale:
        return {}
    executable = _executable(live)
    runs = max(1, min(len(stale), MAX_RUNS, len(os.sched_getaffinity(0))))
    # Twice as many threads as runs: while one thread's Pagefind runs, another links the next
    # partition's pages or reads a finished bundle, so a core is not left idle between runs
    slots = threading.BoundedSemaphore(runs)
    errors: list[BaseException] = []
    with concurrent.futures.ThreadPoolExecutor(min(len(stale), 2 * runs)) as pool:
        futures = {pool.submit(_index_partition, executable, live, work / part.name, part,
                               pages, keys[part.name], slots, views): part.name
                   for part in stale}
        for future in concurrent.futures.as_completed(futures):
            error = future.exception()
            if error is not None:
                errors.append(error)
            elif done is not None and not errors:
                try:
                    done(futures[future], future.result())
                except Exception as e:  # raised once the runs have ended, as a run's failure is
                    errors.append(e)
    if errors:
        raise errors[0]
    return {name: future.result() for future, name in futures.items()}


# Cutting a bundle's index is Python's work (under the GIL): two at once are no faster than one
# after the other, and each holds its partition's word index in memory.
_CUTTING = threading.Lock()


def _index_partition(executable: Path, live: Path, work: Path, part: Partition,
                     pages: Mapping[str, Source], key: str,
                     slots: threading.BoundedSemaphore | None = None,
                     views: Path | None = None) -> Path:
    """Run Pagefind on one partition's pages (once one of `slots` is free); the finished
    bundle's folder."""
    shutil.rmtree(work, ignore_errors=True)
    source, output = work / "site", work / "bundle"
    for rel in part.pages:
        _link_page(live / rel, source / rel, pages[rel],
                   None if views is None else view_path(views, rel))
    with slots or contextlib.nullcontext():
        _run_pagefind(executable, live, source, output)
    shutil.rmtree(source)
    for name in UNUSED:
        (output / name).unlink(missing_ok=True)
    with _CUTTING:  # one at a time: a bundle's word index is held whole while it is cut
        # Small index chunks and short page names: a query fetches ~20 KB less a partition. A
        # page whose fragment is as it was keeps its name, so an edit rewrites one fragment.
        names = search_chunks.rechunk(output, f"{part.name}.{key[:4]}.",
                                      _names(live / BUNDLE / part.name)) \
            if search_chunks.CHUNK_BYTES else None
        order = _page_ids(output, part)
    (output / ORDER).write_text(json.dumps(order, separators=(",", ":")) + "\n")
    files = {p.relative_to(output).as_posix(): p.stat().st_size
             for p in sorted(output.rglob("*")) if p.is_file()}
    (output / PART_STAMP).write_text(json.dumps({"key": key, "files": files, "names": names},
                                                sort_keys=True))
    return output


def _names(folder: Path) -> dict[str, str]:
    """The fragment names the partition's last bundle gave, by Pagefind's (none when it has no
    stamp or one of another form: then every fragment gets a new name)."""
    try:
        names = json.loads((folder / PART_STAMP).read_bytes()).get("names")
    except (OSError, ValueError, AttributeError, RecursionError):
        return {}
    if not isinstance(names, dict):
        return {}
    return {k: v for k, v in names.items() if isinstance(k, str) and isinstance(v, str)}


def _replace_folder(fresh: Path, final: Path, old: Path) -> None:
    if final.exists():
        final.rename(old)
    fresh.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def _link_page(built: Path, link: Path, data: Source, ready: Path | None = None) -> None:
    """Put the page in Pagefind's folder: what Pagefind reads of it (`search_view`), else its
    bytes, or a hard link to the file where it is (`data`, a path in the build's staging
    folder; None: `built`), never written through (a copy where links fail). The page's view
    `ready`, if a render worker wrote it there, is moved in as it is."""
    link.parent.mkdir(parents=True, exist_ok=True)
    if ready is not None:
        try:
            os.rename(ready, link)  # used once: moved, so the folder of views empties
            return
        except OSError:
            pass  # none was written (or it cannot be moved): made from the page, below
    if isinstance(data, bytes):
        link.write_bytes(search_view(data) or data)
        return
    source = built if data is None else data
    try:
        view = search_view(source.read_bytes())
    except OSError:
        view = None  # linked, or copied, below: their errors are the ones to report
    if view is not None:
        link.write_bytes(view)
        return
    try:
        os.link(source, link)
    except OSError:
        shutil.copyfile(source, link)


def view_path(views: Path, rel: str) -> Path:
    """Where in the folder `views` the search view of the page `rel` is written: flat, so
    no folder is made for each page."""
    return views / rel.replace("%", "%25").replace("/", "%2F")


def write_view(views: Path, rel: str, page: bytes) -> None:
    """Write the entry page's search view into the folder `views` (a render worker's part of
    the search stage, done beside the other worker rather than in the stage's thread). One
    that cannot be written (a name too long once flattened) is left out, whole: the search
    stage makes it from the page."""
    target = view_path(views, rel)
    try:
        target.write_bytes(search_view(page) or page)
    except OSError:
        with contextlib.suppress(OSError):
            target.unlink(missing_ok=True)


SEARCH_BODY = b"data-pagefind-body"
OPENING = re.compile(rb"<([a-z][a-z0-9-]*)[\s>]")
HTML_TAG = re.compile(rb"<html(?:\s[^<>]*)?>")
TITLE = re.compile(rb"<title>[^<]*</title>")
RAW_TEXT = (b"<script", b"<style", b"<textarea", b"<template", b"<!--", b"<![CDATA[")
CODE_OPEN = b'<pre class="highlight"><code class="language-'
CODE_CLOSE = b"</code></pre>"
TOKEN_SPAN = re.compile(rb'<span class="[^"<>]*">|</span>')


def search_view(page: bytes) -> bytes | None:
    """The part of a page Pagefind reads, for it to parse a third of the bytes (a fifth of
    its time): the page's `<html>` tag (its language), `<title>`, and the one element marked
    `data-pagefind-body`, which holds every `data-pagefind-*` attribute of the page, with its
    code blocks' token spans taken out (`_plain_code`). None for
    a page not of that shape (a theme's own), which Pagefind is given whole. Its records are
    the same either way (tests/test_search_view.py)."""
    at = page.find(SEARCH_BODY)
    if at < 0 or page.find(SEARCH_BODY, at + 1) >= 0:
        return None
    start = page.rfind(b"<", 0, at)
    opening = OPENING.match(page, start) if start >= 0 else None
    html = HTML_TAG.search(page, 0, start) if start >= 0 else None
    if opening is None or html is None or b">" in page[start:at]:
        return None
    name = opening.group(1)
    tags = re.compile(rb"<(/?)" + re.escape(name) + rb"[\s>/]")
    depth, end = 0, -1
    for m in tags.finditer(page, start):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            end = page.find(b">", m.end() - 1) + 1
            break
    if end <= 0:
        return None
    element = page[start:end]
    if (element.count(b"data-pagefind") != page.count(b"data-pagefind")
            or any(mark in element for mark in RAW_TEXT)):
        return None
    title = TITLE.search(page, 0, start)
    return b"".join((page[:html.end()], b"<head>", title.group(0) if title else b"",
                     b"</head><body>", _plain_code(element), b"</body></html>\n"))


def _plain_code(element: bytes) -> bytes:
    """The element with each highlighted code block's token spans taken out, text kept:
    spans are inline, so Pagefind reads the same words from it, and a long post's code is a
    span every few characters (a fifth of Pagefind's time on the blog corpus). A block with
    anything else inside, or spans that do not pair up (raw HTML in sanitize mode), is kept."""
    at = element.find(CODE_OPEN)
    if at < 0:
        return element
    parts: list[bytes] = []
    done = 0
    while at >= 0:
        start = element.find(b">", at + len(CODE_OPEN)) + 1
        end = element.find(CODE_CLOSE, start)
        if start <= 0 or end < 0:
            break
        code = element[start:end]
        plain = TOKEN_SPAN.sub(b"", code)
        if b"<" not in plain and code.count(b"<span") == code.count(b"</span>"):
            parts += (element[done:start], plain)
            done = end
        at = element.find(CODE_OPEN, end)
    parts.append(element[done:])
    return b"".join(parts)


def _page_ids(output: Path, part: Partition) -> list[str]:
    """Pagefind's ids of the partition's pages, oldest first: the search page orders results
    by date with these (Pagefind re-sorts merged results by score)."""
    rank = {"/" + rel.removesuffix("index.html"): i for i, rel in enumerate(part.pages)}
    found = []
    for fragment in (output / "fragment").glob("*.pf_fragment"):
        url = fragment_url(fragment.read_bytes())
        found.append((rank.get(url, len(rank)), url, fragment.stem))
    return [page_id for _, _, page_id in sorted(found)]


URL_FIELD = re.compile(rb'\{"url":("(?:[^"\\]|\\.)*")[,}]')
URL_HEAD = 512  # bytes of a fragment inflated to find its URL, its first field


def fragment_url(packed: bytes) -> str:
    """The URL a Pagefind fragment (gzipped JSON after a magic word) is of. Pagefind writes it
    first: only the fragment's head is inflated to read it (half the time, at 10,000 pages),
    and the whole JSON where its head is of another shape."""
    head = zlib.decompressobj(wbits=31).decompress(packed, URL_HEAD)
    found = URL_FIELD.match(head, len(FRAGMENT_MAGIC) if head.startswith(FRAGMENT_MAGIC) else 0)
    url = json.loads(found.group(1)) if found else None
    if isinstance(url, str):
        return url
    data = gzip.decompress(packed)
    return str(json.loads(data[len(FRAGMENT_MAGIC):] if data.startswith(FRAGMENT_MAGIC)
                          else data)["url"])


def _run_pagefind(executable: Path, site_dir: Path, source: Path, output: Path) -> None:
    command = [str(executable), "--site", str(source), "--glob", RECORD_PAGES,
               "--output-path", str(output), "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as e:
        raise _failure(site_dir, f"cannot run {command[0]} ({e.strerror})") from e
    if result.returncode != 0 or not (output / "pagefind.js").is_file():
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise _failure(site_dir, detail[0])


def _failure(site_dir: Path, detail: str) -> SitegenError:
    return SitegenError(Problem(site_dir, 1, f"search indexing failed: {detail}; "
                                             "the previous site was left as it was"))


def _executable(site_dir: Path) -> Path:
    try:
        from pagefind_bin import get_executable  # type: ignore[import-untyped]

        return Path(get_executable())
    except (ImportError, OSError) as e:
        raise _failure(site_dir, f"the Pagefind binary is missing ({e}); "
                                 "install it with `pip install 'pagefind[bin]'`") from e


@functools.cache
def _pagefind_version() -> str:
    """The installed Pagefind binary's version, from its package's dist-info folder name
    (importlib.metadata would cost 40 ms of a 1-second edit build)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("pagefind_bin")
        if spec is None or spec.origin is None:
            return "unknown"
        found = sorted(Path(spec.origin).parent.parent.glob("pagefind_bin-*.dist-info"))
    except (ImportError, OSError, ValueError):  # a missing version only weakens the cache key
        return "unknown"
    return found[-1].name.removeprefix("pagefind_bin-").removesuffix(".dist-info") \
        if found else "unknown"
