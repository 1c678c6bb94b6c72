"""What the preview serves: the files of one complete build, or the problems of a failed one,
and the search bundle. Changed only on the server loop, between requests."""

from __future__ import annotations

from pathlib import Path

from sitegen import urls, write
from sitegen.errors import Problem
from sitegen.preview.reload import LiveReload


class Published:
    """The preview folder's contents as served, and the tabs to reload when they change."""

    def __init__(self, root: Path, live: LiveReload, base_path: str = "/") -> None:
        self.root = root  # the preview's own temporary folder
        self.base_path = base_path  # where the pages are served: "/" or "/timeline/"
        self.site_dir = root / "site"  # the build's output, written in place
        self.files: dict[str, bytes] | None = None  # what site_dir holds, once built
        self.problems: tuple[Problem, ...] = ()  # why the latest build failed
        self.bundle: Path | None = None  # the search bundle served at /pagefind/
        self.writes = 0  # builds written so far: the indexer tells whether one landed
        self._live = live

    def apply(self, files: dict[str, bytes]) -> write.WriteStats:
        """Make the preview folder hold a new build's `files`; reload the tabs if it changed."""
        self.writes += 1
        # the first build writes into the fresh preview folder: nothing there to compare with
        stats = write.write_changes(self.site_dir, files, self.files or {})
        self.files = files
        if stats.written or stats.removed or self.problems:
            self.problems = ()
            self._live.reload()
        return stats

    def show_problems(self, problems: tuple[Problem, ...]) -> None:
        """Serve the error page for `problems` in place of every page, until a build succeeds."""
        if problems != self.problems:
            self.problems = problems
            self._live.reload()

    def swap_bundle(self, fresh: Path | None) -> Path | None:
        """Serve `fresh` as the search bundle (None: no bundle); return the one it replaces."""
        old, self.bundle = self.bundle, fresh
        self._live.reload(lambda page: page == self.base_path + urls.search())
        return old
