"""The build loop: the same `build()` as `sitegen build`, into the preview folder, on each change.

One cache for the whole session (the site's `.sitegen-cache/`, as `sitegen build` uses, with
the pages it holds in memory besides): a rebuild renders only the pages whose inputs changed.
A burst of changes is one rebuild, and an edit saved during a build only marks the next one,
so no edit is ever dropped. A failed build is shown in the browser and never stops the server.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from sitegen import incremental, urls, write
from sitegen.build import build
from sitegen.cache import Cache
from sitegen.config import SiteConfig, load_config
from sitegen.errors import Problem, SitegenError, display_path
from sitegen.model import Site
from sitegen.preview.loop import Closed, ServerLoop
from sitegen.preview.published import Published
from sitegen.watch import SiteWatch

log = logging.getLogger(__name__)
COLLECT_AFTER_S = 1.0  # idle time after a build before collecting its garbage
# Called with each build's site and base path once its files are published: the search index.
OnPublished = Callable[[Site, str], None]


class BuildLoop:
    """Rebuilds the preview in its own thread whenever the watched sources change."""

    def __init__(self, config: SiteConfig, *, drafts: bool, base_path: str, loop: ServerLoop,
                 published: Published, on_published: OnPublished) -> None:
        self.config, self.drafts, self.base_path = config, drafts, base_path
        self.builds = 0  # how many builds have run, for tests and the curious
        self._loop, self._published, self._on_published = loop, published, on_published
        # Warm start from `sitegen build`'s cache; rows are content-addressed, so the preview
        # adding its drafts to it is harmless to the next `sitegen build`.
        self._cache = Cache(config.root / ".sitegen-cache")
        self._watch = SiteWatch(self._changed)
        self._dirty = threading.Event()
        self._lock = threading.Lock()
        self._paths: set[Path] = set()  # changed since the last build, as the watcher saw
        self._latest = config  # as the last build loaded it
        self._thread = threading.Thread(target=self._run, name="sitegen-build", daemon=True)
        self._collecting = gc.isenabled()

    def watch(self) -> None:
        """Start watching the sources: an edit from now on marks the preview for a rebuild."""
        self._watch.follow(self.config)

    def start(self) -> None:
        """Rebuild in a thread from now on; Python's collector runs in the pauses instead."""
        self._collecting = gc.isenabled()
        gc.disable()
        self._thread.start()

    def stop(self) -> None:
        """Stop watching and building (the loop is closing); wait briefly for a build to end."""
        self._watch.stop()
        self._dirty.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)
        if not self._thread.is_alive():
            self._cache.close()
        if self._collecting:
            gc.enable()

    def rebuild(self) -> None:
        """Build the preview once; a failure is shown in the browser, never raised."""
        with self._lock:
            changed, self._paths = self._paths, set()
        if changed:
            log.debug("changed: %s", ", ".join(sorted(display_path(p) for p in changed)))
        self.builds += 1
        try:
            config = dataclasses.replace(load_config(self.config.path), base_url=self.base_path)
            self._latest = config
            self._watch.follow(config)
            build(config, self._cache, drafts=self.drafts, out=self._published.site_dir,
                  writer=self._write, changed=changed)
            return
        except Closed:
            return
        except SitegenError as e:
            problems = list(e.problems)
        except Exception as e:  # noqa: BLE001 - a crash in a stage must not end the preview
            log.exception("the build crashed")
            problems = [Problem(self.config.path, 1, f"the build crashed with {type(e).__name__}"
                                                     f": {e} (the terminal has the traceback)")]
        for problem in problems:
            log.error("error: %s", problem)
        with contextlib.suppress(Closed):
            self._loop.call(self._published.show_problems, tuple(problems))

    def _changed(self, paths: set[Path]) -> None:
        with self._lock:
            self._paths |= paths
        self._dirty.set()

    def _run(self) -> None:
        garbage = False
        while True:
            # Python's own collector would run mid-build, and often (a full pass takes 0.1 s at
            # 10,000 entries, 12% of a rebuild): collect instead once the edits pause.
            if not self._dirty.wait(timeout=COLLECT_AFTER_S if garbage else None):
                gc.collect()
                garbage = False
                self._verify()
                continue
            if self._loop.closing.is_set():
                return
            self._dirty.clear()
            self.rebuild()
            garbage = True

    def _verify(self) -> None:
        """Once the edits pause: a walk of the content folder, in case the watcher missed a
        change (an edit then reads only the files it reports); a missed one is rebuilt."""
        missed = incremental.verify(self._latest, self._cache.preview.get("held"))
        if self._watch.follow(self._latest):  # a folder came or went since the last build
            missed.add(self._latest.content_dir)
        if missed:
            log.debug("the watcher missed: %s", ", ".join(sorted(map(str, missed))))
            self._changed(missed)

    def _write(self, site: Site, config: SiteConfig, files: dict[str, bytes],
               out: Path) -> tuple[write.WriteStats, bool | None]:
        """The build's write stage: the server loop writes the files between two requests;
        the search index follows later (indexed: None)."""
        stats = self._loop.call(self._published.apply, files)
        self._on_published(site, urls.base_path(config.base_url))
        return stats, None
