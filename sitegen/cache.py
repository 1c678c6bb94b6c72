"""Memo of parsed entries and rendered pages, keyed by hashes of exactly their inputs.

No dependency graph: a key is a hash of everything the result depends on, so a hit is correct by
construction. The memo lives in memory (for `serve`) and in `.sitegen-cache/` between builds.
"""

from __future__ import annotations

import dataclasses
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
        self.fingerprints = Fingerprints()  # in memory only
        # file stat -> the digest of its bytes, so a rebuild in `serve` need not re-read every
        # unchanged file; in memory only, and trusted only for files not modified just now
        self.file_digests: dict[tuple[str, int, int, int, str], str] = {}
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
        self.fingerprints.new_build()
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
        h.update(b"%d:%b" % (len(data), data))
    return h.hexdigest()


def tree_digest(folder: Path) -> str:
    """A hash of every file's path and bytes under `folder` (a theme)."""
    parts: list[bytes | str] = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
    return digest(*parts)


class Fingerprints:
    """A memo for `fingerprint` that outlives one build: a value the last build fingerprinted
    (an entry the parse memo handed back unchanged) is not walked again.

    Keyed by object id, each slot holds its object, so no other object can take that id while
    the slot lives; `new_build` keeps only the slots the last build used. Like the parse memo,
    it relies on the values never changing once made (frozen dataclasses).
    """

    def __init__(self) -> None:
        self._last: dict[int, tuple[object, str]] = {}
        self._used: dict[int, tuple[object, str]] = {}

    def of(self, value: object) -> str:
        return fingerprint(value, self)

    def get(self, value: object) -> str | None:
        slot = self._used.get(id(value)) or self._last.get(id(value))
        if slot is None:
            return None
        self._used[id(value)] = slot
        return slot[1]

    def put(self, value: object, text: str) -> None:
        self._used[id(value)] = (value, text)

    def new_build(self) -> None:
        self._last, self._used = self._used, {}


def fingerprint(value: object, memo: Fingerprints) -> str:
    """A text as exact as `repr(value)`, but each dataclass inside is hashed once per `memo`.

    A timeline page lists 50 entries that other pages list too: with the memo, each entry is
    turned into text once, not once per page that shows it.
    """
    kind = type(value)
    if kind in _PLAIN:
        return repr(value)
    names = _field_names(kind)
    if names is not None:
        known = memo.get(value)
        if known is None:
            known = digest(kind.__qualname__,
                           *(fingerprint(getattr(value, name), memo) for name in names))
            memo.put(value, known)
        return known
    if isinstance(value, list | tuple):
        inner = ",".join([fingerprint(item, memo) for item in value])
        return f"{kind.__name__}[{inner}]"
    if isinstance(value, dict):
        return "{" + ",".join([f"{fingerprint(k, memo)}:{fingerprint(v, memo)}"
                               for k, v in value.items()]) + "}"
    return repr(value)


_PLAIN = frozenset({str, int, float, bool, type(None), bytes})
_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}  # per type: its dataclass fields, or None


def _field_names(kind: type) -> tuple[str, ...] | None:
    """The field names of a dataclass type, else None; looked up once per type."""
    if kind not in _FIELD_NAMES:
        fields = dataclasses.fields(kind) if dataclasses.is_dataclass(kind) else None
        _FIELD_NAMES[kind] = None if fields is None else tuple(f.name for f in fields)
    return _FIELD_NAMES[kind]
