"""Watch the site's inputs and report each burst of changes once (watchfiles: inotify on Linux).

Why not livereload's own watcher: it walks every watched file every 0.8 s on the server loop
(108 ms a walk for 10,000 entries, a median 0.36 s from save to notice), where watchfiles is
told by the kernel and notices a save in 25-50 ms (one to two QUIET_MS) without walking anything.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import watchfiles

from sitegen.config import SiteConfig

log = logging.getLogger(__name__)
logging.getLogger("watchfiles").setLevel(logging.WARNING)  # not a line per save in the terminal
# A burst (a `git checkout` of 50 files) ends after this long without a change. The files of a
# checkout or an editor's save land microseconds apart; a burst split by a longer gap costs only
# one more rebuild, and every save waits this long before its rebuild starts.
QUIET_MS = 25
MAX_BURST_MS = 1600  # ...or after this long in all, so a steady stream still gets rebuilds


class Watcher:
    """Calls `on_change(paths)` from a thread once per burst of changes under `folders`
    (recursively) or to `files` (watched through their folder: editors replace a file they
    save, and a watch on the old file would go quiet)."""

    def __init__(self, folders: Iterable[Path], files: Iterable[Path],
                 on_change: Callable[[set[Path]], None]) -> None:
        self.folders = tuple(sorted({f for f in folders if f.is_dir()}))
        self.files = frozenset(files)
        self._on_change = on_change
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Begin watching; changes from now on are reported."""
        parents = tuple(sorted({f.parent for f in self.files if f.parent.is_dir()}))
        for paths, recursive in ((self.folders, True), (parents, False)):
            if paths:
                thread = threading.Thread(target=self._run, args=(paths, recursive),
                                          name="sitegen-watch", daemon=True)
                thread.start()
                self._threads.append(thread)

    def stop(self) -> None:
        """Stop watching and wait for the watch threads to end."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=2)

    def _run(self, paths: tuple[Path, ...], recursive: bool) -> None:
        wanted = watchfiles.DefaultFilter() if recursive else self._is_watched_file
        while not self._stop.is_set():
            try:
                for changes in watchfiles.watch(*paths, watch_filter=wanted,
                                                recursive=recursive, step=QUIET_MS,
                                                debounce=MAX_BURST_MS, stop_event=self._stop,
                                                rust_timeout=0, raise_interrupt=False):
                    self._on_change({Path(path) for _, path in changes})
                return
            except RuntimeError as e:  # a change to a file named in bytes not UTF-8
                log.warning("the preview missed a change: %s; rename the file to UTF-8 "
                            "text to have its changes seen", e)
                self._stop.wait(0.1)  # then watch again: the other files' changes are seen

    def _is_watched_file(self, change: watchfiles.Change, path: str) -> bool:
        return Path(path) in self.files


class SiteWatch:
    """Watches what a site's build reads: its content folder, its theme and its config file.

    `follow(config)` is called with each freshly loaded config: when an edit to the config
    moved the content or the theme, the watch moves with it.
    """

    def __init__(self, on_change: Callable[[set[Path]], None]) -> None:
        self._on_change = on_change
        self._watcher: Watcher | None = None

    def follow(self, config: SiteConfig) -> None:
        """Watch `config`'s sources, from now on (a no-op if they are the ones watched)."""
        folders = tuple(sorted({f for f in (config.content_dir, config.theme_dir)
                                if f.is_dir()}))
        if self._watcher and self._watcher.folders == folders:
            return
        self.stop()
        self._watcher = Watcher(folders, [config.path], self._on_change)
        self._watcher.start()

    def stop(self) -> None:
        if self._watcher:
            self._watcher.stop()
