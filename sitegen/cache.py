"""Memo of parsed entries and rendered pages, keyed by hashes of exactly their inputs.

No dependency graph: a key is a hash of everything the result depends on, so a hit is correct by
construction. The memo lives in memory (for `serve`) and in `.sitegen-cache/` between builds.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sitegen import __version__

log = logging.getLogger(__name__)
T = TypeVar("T")
CACHE_FILE = "memo.pickle"


class Cache:
    """A key -> value memo; `save` keeps only the keys used since the last save."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._store: dict[str, Any] = self._load()
        self._used: dict[str, Any] = {}
        self.hits = 0
        self.misses = 0

    def get_or_make(self, key: str, make: Callable[[], T]) -> T:
        """The value under `key`, made and remembered on a miss."""
        if key in self._store:
            self.hits += 1
            value: T = self._store[key]
        else:
            self.misses += 1
            value = make()
            self._store[key] = value
        self._used[key] = value
        return value

    def save(self) -> None:
        """Persist the keys used by the last build; drop the rest."""
        self._store, self._used = self._used, {}
        self.hits = self.misses = 0
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = self.folder / f"{CACHE_FILE}.tmp"
        tmp.write_bytes(pickle.dumps((__version__, self._store), pickle.HIGHEST_PROTOCOL))
        tmp.replace(self.folder / CACHE_FILE)

    def forget_unsaved(self) -> None:
        """After a failed build: keep what was made (still valid), forget the usage record."""
        self._used = {}

    def _load(self) -> dict[str, Any]:
        path = self.folder / CACHE_FILE if self.folder else None
        if path is None or not path.is_file():
            return {}
        try:
            version, store = pickle.loads(path.read_bytes())
        except Exception:  # noqa: BLE001 - a corrupt or foreign memo is simply rebuilt
            log.debug("ignoring unreadable cache %s", path)
            return {}
        return store if version == __version__ else {}


def digest(*parts: bytes | str) -> str:
    """A hex SHA-256 of the parts, each length-prefixed so boundaries cannot blur."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def tree_digest(folder: Path) -> str:
    """A hash of every file's path and bytes under `folder` (a theme)."""
    parts: list[bytes | str] = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
    return digest(*parts)
