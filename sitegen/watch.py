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
from typing import Any

import watchfiles

from sitegen.config import SiteConfig

log = logging.getLogger(__name__)
logging.getLogger("watchfiles").setLevel(logging.WARNING)  # not a line per save in the terminal
# A burst (a `git checkout` of 50 files) ends after this long without a change. The files of a
# checkout or an editor's save land microseconds apart; a burst split by a longer gap costs only
# one more rebuild, and every save waits this long before its rebuild starts.
QUIET_MS = 25
MAX_BURST_MS = 1600  # ...or after this long in all, so a steady stream still gets rebuilds
REWATCH_MS = 200  # after a watch failed: how soon its successor reports that it is up


class Watcher:
    """Calls `on_change(paths)` from a thread once per burst of changes under `folders`
    (recursively) or to `files` (watched through their folder: editors replace a file they
    save, and a watch on the old file would go quiet)."""

    def __init__(self, folders: Iterable[Path], files: Iterable[Path],
                 on_change: Callable[[set[Path]], None]) -> None:
        self.folders = tuple(sorted({f for f in folders if f.is_dir()}))
        self.files = frozenset(files)
        # a file (or a missing folder) is watched through the nearest folder above it that
        # exists: its own name, or the name of a missing folder on its way, is reported
        self._named = frozenset(p for f in self.files for p in (f, *f.parents))
        self._on_change = on_change
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Begin watching; changes from now on are reported."""
        parents = tuple(sorted({anchor for f in self.files
                                if (anchor := _existing(f.parent)) is not None}))
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
        down = False  # the last watch ended in an error: changes since then went unseen
        while not self._stop.is_set():
            try:
                # after an error, the new watch says when it is up (an empty report after
                # REWATCH_MS): what changed while none was up is then reported, as a change
                # anywhere under `paths`
                for changes in watchfiles.watch(*paths, watch_filter=wanted,
                                                recursive=recursive, step=QUIET_MS,
                                                debounce=MAX_BURST_MS, stop_event=self._stop,
                                                rust_timeout=REWATCH_MS if down else 0,
                                                yield_on_timeout=down, raise_interrupt=False):
                    seen = {Path(path) for _, path in changes}
                    if down:
                        seen |= set(paths)
                        down = False
                    if seen:
                        self._on_change(seen)
                return
            except RuntimeError as e:  # a change to a file named in bytes not UTF-8
                log.warning("the preview cannot name a change: %s; rename the file to UTF-8 "
                            "text to have its changes seen", e)
                # something changed there: the build looks at every file (and shows an
                # entry file's bad name as `sitegen build` does)
                self._on_change(set(paths))
                down = True
                self._stop.wait(0.1)  # then watch again: the other files' changes are seen

    def _is_watched_file(self, change: watchfiles.Change, path: str) -> bool:
        return Path(path) in self._named


def _existing(folder: Path) -> Path | None:
    """`folder`, or the nearest folder above it that exists."""
    for candidate in (folder, *folder.parents):
        if candidate.is_dir():
            return candidate
    return None


def _identity(folder: Path) -> tuple[int, int]:
    try:
        st = folder.stat()
    except OSError:
        return (-1, -1)
    return (st.st_dev, st.st_ino)


class SiteWatch:
    """Watches what a site's build reads: its content folder, its theme and its config file.

    `follow(config)` is called with each freshly loaded config: when an edit to the config
    moved the content or the theme, the watch moves with it. So it does when one of them went
    (it is then watched for from the nearest folder above it) or came back as a new folder (a
    watch on the old one would see nothing of it).
    """

    def __init__(self, on_change: Callable[[set[Path]], None]) -> None:
        self._on_change = on_change
        self._watcher: Watcher | None = None
        self._watched: Any = None

    def follow(self, config: SiteConfig) -> bool:
        """Watch `config`'s sources, from now on; whether the watch had to be made anew (not
        when they are the folders watched)."""
        wanted = (config.content_dir, config.theme_dir)
        folders = tuple(sorted({f for f in wanted if f.is_dir()}))
        missing = sorted({f for f in wanted if f not in folders})
        watched = (tuple((f, _identity(f)) for f in folders), tuple(missing), config.path)
        if self._watcher and self._watched == watched:
            return False
        self.stop()
        self._watcher = Watcher(folders, [config.path, *missing], self._on_change)
        self._watched = watched
        self._watcher.start()
        return True

    def stop(self) -> None:
        if self._watcher:
            self._watcher.stop()
