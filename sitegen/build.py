"""The one orchestrator: config -> entries -> site -> pages -> bytes -> disk, stage by stage."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jinja2

from sitegen import assets, feeds, redirects, render, safeio, search, urls, write
from sitegen.assemble import assemble_site
from sitegen.cache import Cache, digest, tree_digest
from sitegen.config import SiteConfig
from sitegen.errors import ContentError, Problem
from sitegen.load import (
    ParseOutcome,
    content_files,
    load_entries,
    parse_entry,
    read_entry,
    unreadable,
)
from sitegen.model import Entry, Site

log = logging.getLogger(__name__)
# A file modified less than this long before a build is always read, never trusted by its stat:
# a coarse-mtime file system could show the same stat for two quick saves (git's "racy" rule).
RACY_NS = 2_000_000_000

# The write stage: (site, config, files, out) -> (stats, indexed). `serve` passes its own, which
# writes the preview in place and indexes for search after the browser reload (indexed: None).
WriteStage = Callable[[Site, SiteConfig, dict[str, bytes], Path],
                      tuple[write.WriteStats, bool | None]]


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

    def summary(self) -> str:
        search_note = {True: "search index rebuilt", False: "search index unchanged",
                       None: "search index deferred"}[self.indexed]
        return (f"Built {_count(self.entries, 'entry', 'entries')}, "
                f"{_count(self.topics, 'topic', 'topics')}: "
                f"{_count(self.stats.written, 'file', 'files')} written, "
                f"{self.stats.unchanged:,} unchanged, {self.stats.removed:,} removed; "
                f"{search_note}; in {self.seconds:.2f} s")


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def build(config: SiteConfig, cache: Cache | None = None, *, drafts: bool = False,
          out: Path | None = None, writer: WriteStage | None = None) -> BuildResult:
    """Build the site into `out` (default: the config's output folder), all or nothing.

    `writer` replaces the write stage (default: staging copy, search index, atomic swap).
    """
    started = time.perf_counter()
    cache = cache or Cache(None)
    out = (out or config.output_dir).resolve()
    entries, warnings = load_stage(config, cache, drafts=drafts)
    site = assemble_site(entries, config)
    files = render_stage(site, config, cache)
    stats, indexed = (writer or write_stage)(site, config, files, out)
    cache.save()
    result = BuildResult(len(site.entries), len(config.topics), len(files), stats, indexed,
                         time.perf_counter() - started, warnings, out)
    log.info(result.summary())
    return result


def load_stage(config: SiteConfig, cache: Cache, *,
               drafts: bool) -> tuple[tuple[Entry, ...], tuple[Problem, ...]]:
    """Parse every entry file (memoized by its bytes); raise ContentError listing every problem."""
    scan = content_files(config, drafts=drafts)
    files = list(scan.files)
    topics_key = ",".join(sorted(config.topic_slugs)) + ";html=" + config.markdown_html
    recent = time.time_ns() - RACY_NS
    known, seen = cache.file_digests, {}

    def parse(path: Path, topics: frozenset[str]) -> ParseOutcome:
        try:
            st = path.stat()
        except OSError as e:  # removed or replaced since the folder was listed
            return unreadable(safeio.UnreadableFile(path, safeio.os_reason(e)))
        stamp = (str(path), st.st_mtime_ns, st.st_size, st.st_ino, topics_key)
        key = known.get(stamp) if st.st_mtime_ns < recent else None
        if key is None:
            try:
                raw = safeio.read_regular_file(path)
            except safeio.UnreadableFile as e:
                return unreadable(e)
            key = digest("entry", str(path), raw, topics_key)
            make = functools.partial(parse_entry, path, raw, topics, config.markdown_html)
        else:
            make = functools.partial(read_entry, path, topics, config.markdown_html)
        seen[stamp] = key
        return cache.get_or_make(key, make)

    result = load_entries(files, config.topic_slugs, drafts=drafts, parse=parse)
    cache.file_digests = seen
    for warning in result.warnings:
        log.warning("%s", warning)
    if scan.problems or result.problems:
        cache.forget_unsaved()
        raise ContentError([*scan.problems, *result.problems])
    return result.entries, result.warnings


def render_stage(site: Site, config: SiteConfig, cache: Cache) -> dict[str, bytes]:
    """Every output file's bytes; a page whose inputs are unchanged is not rendered again."""
    theme = tree_digest(config.theme_dir)
    env = _environment(theme, config)
    every_page = digest("page", theme, repr(config))
    files: dict[str, bytes] = {}
    pages = render.plan_pages(site, config)
    for page in pages:
        context = cache.fingerprints.of(page.context)
        key = digest(every_page, page.url, page.template, context)
        files[urls.output_file(page.url)] = cache.get_or_make(
            key, functools.partial(render.render_page, env, page))
    for feed in feeds.plan_feeds(site, config):
        key = digest(every_page, feed.path, cache.fingerprints.of(feed))
        files[feed.path] = cache.get_or_make(key, functools.partial(feeds.render_feed,
                                                                    config, feed))
    files["sitemap.xml"] = feeds.sitemap([p.url for p in pages], config)
    files["robots.txt"] = feeds.robots(config)
    files[".nojekyll"] = b""
    if config.cname:
        files["CNAME"] = f"{config.cname}\n".encode()
    files.update(render.static_files(config))
    files.update(assets.asset_files(site, config, files))
    files.update(redirects.redirect_files(site, config, files))
    return files


@functools.lru_cache(maxsize=1)
def _environment(theme_digest: str, config: SiteConfig) -> jinja2.Environment:
    """The Jinja environment for these exact theme bytes and config: kept while both hold, so
    `serve` compiles each template once, not on every rebuild."""
    return render.make_environment(config)


def write_stage(site: Site, config: SiteConfig, files: dict[str, bytes],
                out: Path) -> tuple[write.WriteStats, bool]:
    """Write into a staging copy, index it for search, then swap it in; on failure, discard it.

    When no file would change and the search bundle is current, the site is left alone: no
    staging copy, no swap.
    """
    changes = write.plan_changes(out, files, keep=[search.BUNDLE])
    records = search.records_digest(site, urls.base_path(config.base_url))
    pages = search.record_pages(files)  # the bytes on disk once written: no need to read back
    if changes.none and search.is_current(out, records, pages):
        return write.WriteStats(0, changes.unchanged, 0), False
    staging = write.start_staging(out)
    try:
        stats = write.apply_changes(staging, files, changes)
        indexed = search.index_site(staging, records, pages)
        write.swap_in(staging, out)
    except BaseException:
        write.discard(staging)
        raise
    return stats, indexed
