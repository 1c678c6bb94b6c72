"""The search-index loop: refresh the preview's search bundle once the edits pause.

It runs behind the builder: after the tabs have reloaded, never before, and at a lower priority.
Pagefind reads into the preview folder while the server loop may be writing a newer build into
it; an index that may mix two builds is never published, and is redone on the next pause.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import threading
import time
from pathlib import Path

from sitegen import search
from sitegen.errors import SitegenError
from sitegen.model import Site
from sitegen.preview.loop import Closed, ServerLoop
from sitegen.preview.published import Published

log = logging.getLogger(__name__)
# Pagefind reads every entry page (0.4 s for 1,000, 9 s for 10,000 on two cores): it starts
# only once the edits pause for at least this long, and for as long as it last took, so it
# neither slows the next rebuild nor indexes pages about to change.
SEARCH_SETTLE_S = 0.5


def index(site_dir: Path, site: Site, base_path: str) -> search.IndexResult:
    """Index the built site in `site_dir` for search, into `site_dir/pagefind/`: the preview's
    one call into search.py. Runs Pagefind only on the partitions whose pages changed."""
    return search.index_site(site_dir, site, None, base_path)


class IndexLoop:
    """Refreshes the search bundle in its own thread after the builds it is told of."""

    def __init__(self, loop: ServerLoop, published: Published) -> None:
        self._loop, self._published = loop, published
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self._latest: tuple[Site, str] | None = None  # the last published build
        self._seconds = 0.0  # how long the last Pagefind run took
        self._thread = threading.Thread(target=self._run, name="sitegen-index", daemon=True)

    def published(self, site: Site, base_path: str) -> None:
        """A build of `site` was published: index it once the edits pause."""
        with self._lock:
            self._latest = (site, base_path)
        self._wanted.set()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Wait for a running Pagefind (it writes into the preview folder) before it goes."""
        self._wanted.set()
        if self._thread.is_alive():
            self._thread.join(timeout=60)

    def _run(self) -> None:
        _run_behind_the_builder()
        while True:
            self._wanted.wait()
            pause = max(SEARCH_SETTLE_S, self._seconds)
            while self._wanted.wait(timeout=pause):  # each build restarts the wait
                self._wanted.clear()
                if self._loop.closing.is_set():
                    return
            with self._lock:
                latest = self._latest
            if latest is None:
                continue
            try:
                self._refresh(*latest)
            except Closed:
                return
            except SitegenError as e:
                log.warning("warning: the search index was not refreshed: %s", e)

    def _refresh(self, site: Site, base_path: str) -> None:
        published = self._published
        started, writes = time.perf_counter(), published.writes
        result = index(published.site_dir, site, base_path)
        changed = result.changed
        if changed:
            self._seconds = time.perf_counter() - started
        bundle = published.site_dir / search.BUNDLE
        if published.writes != writes:  # a build landed while Pagefind read: it may mix two
            search.forget(published.site_dir, result.rebuilt)  # so the next run redoes them
            return
        in_step = (published.bundle is not None) == bundle.is_dir()
        if self._loop.closing.is_set() or (not changed and in_step):
            return  # nothing new to publish
        fresh = None
        if bundle.is_dir():  # served from a hard-linked copy: the next index replaces bundle
            fresh = published.root / f"search-{writes}-{time.monotonic_ns()}"
            shutil.copytree(bundle, fresh, copy_function=os.link)
        old = self._loop.call(published.swap_bundle, fresh)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        log.info("Search index refreshed in %.2f s", time.perf_counter() - started)


def _run_behind_the_builder() -> None:
    """Lower this thread's priority, and so Pagefind's, which it starts (Linux: per thread)."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
