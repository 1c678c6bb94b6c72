"""The build cache: parsed entries by digest, input stats, and the last build's input stamp.

A stdlib `sqlite3` file in `.sitegen-cache/`, holding data only (JSON text and plain columns,
never pickled objects: a cache may come from anywhere). A key is a hash of everything its value
depends on, so a hit is correct by construction. A corrupt, foreign, locked or unwritable cache
is set aside with one warning and the build goes on without it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sitegen import __version__

log = logging.getLogger(__name__)
CACHE_FILE = "cache.sqlite"
SCHEMA = 2
_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, stat TEXT NOT NULL, digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (digest TEXT PRIMARY KEY, data TEXT NOT NULL,
                                    body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stamps (output TEXT PRIMARY KEY, data TEXT NOT NULL);
"""


class Cache:
    """The cache of one site; `Cache(None)` keeps everything in memory (check, deploy, serve).

    Entries are kept in memory too once loaded, so `serve` reuses them from build to build.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._db: sqlite3.Connection | None = None
        self._opened = False  # opened on first use: a refused build leaves no cache behind
        self._entries: dict[str, Any] = {}  # digest -> decoded entry, for this process
        self._file_digests: dict[str, tuple[str, str]] = {}  # path -> (stat key, digest)
        self._loaded_files = False
        self.pages: dict[str, bytes] = {}  # page key -> bytes: the preview's memo, in memory

    # -- opening ---------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection | None:
        if self.folder is None:
            return None
        path = self.folder / CACHE_FILE
        try:
            if self.folder.exists() and not self.folder.is_dir():
                raise OSError(f"{self.folder} is a file, not a folder")
            self.folder.mkdir(parents=True, exist_ok=True)
            db = _connect(path)
        except (OSError, sqlite3.Error) as e:
            self._warn(f"cannot open the cache ({e})")
            return None
        return db

    def _warn(self, why: str) -> None:
        where = self.folder or Path(".sitegen-cache")
        log.warning("warning: %s: %s; building without it (delete the folder to start afresh)",
                    where, why)

    def _guard(self, what: str, fn: Any, *args: Any) -> Any:
        """Run one database call; on any sqlite error, warn once and carry on without a cache."""
        if not self._opened:
            self._opened = True
            self._db = self._open()
        if self._db is None:
            return None
        try:
            return fn(self._db, *args)
        except sqlite3.Error as e:
            self._warn(f"{what} failed ({e})")
            self.close()
            return None

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    # -- input file digests (stat -> digest of the bytes) ------------------------------------

    def file_digest(self, path: str, stat_key: str) -> str | None:
        """The digest recorded for `path` when its stat was `stat_key`, if any."""
        if not self._loaded_files:
            self._loaded_files = True
            rows = self._guard("reading file stats", _rows,
                               "SELECT path, stat, digest FROM files")
            for p, s, d in rows or ():
                self._file_digests[p] = (s, d)
        known = self._file_digests.get(path)
        return known[1] if known and known[0] == stat_key else None

    def remember_files(self, stats: Mapping[str, tuple[str, str]]) -> None:
        """Record path -> (stat key, digest) for the files read by this build."""
        changed = {p: v for p, v in stats.items() if self._file_digests.get(p) != v}
        self._file_digests.update(stats)
        if changed:
            self._guard("saving file stats", _write_many,
                        "INSERT OR REPLACE INTO files VALUES (?, ?, ?)",
                        [(p, s, d) for p, (s, d) in changed.items()])

    # -- parsed entries ------------------------------------------------------------------------

    def entries(self, digests: Iterable[str]) -> dict[str, Any]:
        """The cached values among `digests` (decoded), loading from disk only what is asked."""
        wanted = [d for d in digests if d not in self._entries]
        if wanted:
            rows = self._guard("reading entries", _select_in, wanted)
            for key, data, body in rows or ():
                try:
                    self._entries[key] = decode(json.loads(data), body)
                except (ValueError, TypeError, KeyError) as e:
                    self._warn(f"an unreadable entry row ({type(e).__name__})")
        return {d: self._entries[d] for d in digests if d in self._entries}

    def put_entries(self, values: Mapping[str, Any]) -> None:
        """Remember decoded values by digest; persist those that encode as data."""
        self._entries.update(values)
        rows = []
        for key, value in values.items():
            try:
                data, body = encode(value)
            except TypeError:
                continue  # a custom field that is not plain data: parsed again next time
            rows.append((key, json.dumps(data, sort_keys=True), body))
        if rows:
            self._guard("saving entries", _write_many,
                        "INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", rows)

    def keep_only(self, digests: set[str]) -> None:
        """Forget entries no longer used, so the cache does not grow without bound."""
        self._entries = {k: v for k, v in self._entries.items() if k in digests}
        stale = self._guard("listing entries", _rows, "SELECT digest FROM entries")
        gone = [(d,) for (d,) in stale or () if d not in digests]
        if gone:
            self._guard("pruning entries", _write_many,
                        "DELETE FROM entries WHERE digest = ?", gone)

    # -- the last build's input stamp, per output folder --------------------------------------

    def stamp(self, output: Path) -> dict[str, Any] | None:
        rows = self._guard("reading the stamp", _rows,
                           "SELECT data FROM stamps WHERE output = ?", (str(output),))
        if not rows:
            return None
        try:
            value = json.loads(rows[0][0])
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    def set_stamp(self, output: Path, value: dict[str, Any] | None) -> None:
        if value is None:
            self._guard("clearing the stamp", _write_many,
                        "DELETE FROM stamps WHERE output = ?", [(str(output),)])
        else:
            self._guard("saving the stamp", _write_many,
                        "INSERT OR REPLACE INTO stamps VALUES (?, ?)",
                        [(str(output), json.dumps(value, sort_keys=True))])


def _connect(path: Path) -> sqlite3.Connection:
    """Open (or create) the cache database; a foreign or old one is emptied and reused."""
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        version = _version(db)
        if version != f"{SCHEMA}:{__version__}":
            if version is not None:
                log.info("the cache is from another sitegen version; starting it afresh")
            _reset(db)
    except sqlite3.Error:
        db.close()
        raise
    return db


def _version(db: sqlite3.Connection) -> str | None:
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    except sqlite3.OperationalError:
        return None  # no meta table: a new (or foreign) database
    return str(row[0]) if row else None


def _reset(db: sqlite3.Connection) -> None:
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for name in tables:
        db.execute(f'DROP TABLE IF EXISTS "{name}"')
    db.executescript(_TABLES)
    db.execute("INSERT INTO meta VALUES ('version', ?)", (f"{SCHEMA}:{__version__}",))


def _rows(db: sqlite3.Connection, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
    return db.execute(sql, args).fetchall()


def _select_in(db: sqlite3.Connection, keys: list[str]) -> list[Any]:
    out: list[Any] = []
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        marks = ",".join("?" * len(chunk))
        out += db.execute(f"SELECT digest, data, body FROM entries WHERE digest IN ({marks})",
                          chunk).fetchall()
    return out


def _write_many(db: sqlite3.Connection, sql: str, rows: list[tuple[Any, ...]]) -> None:
    db.execute("BEGIN")
    try:
        db.executemany(sql, rows)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


# -- data, not code: a JSON codec for the frozen model values ---------------------------------

def encode(value: Any) -> tuple[Any, str]:
    """A JSON-ready form of a model value and its rendered body (kept apart: it is the bulk).

    Raises TypeError for anything that is not plain data (then the value is not cached).
    """
    body = getattr(getattr(value, "entry", None), "body_html", "")
    return _enc(value), body if isinstance(body, str) else ""


def decode(data: Any, body: str = "") -> Any:
    """The value `encode` was given, rebuilt only from sitegen's own model types."""
    return _dec(data, body)


def _enc(v: Any) -> Any:
    if v is None or isinstance(v, bool | int | float | str):
        return v
    if isinstance(v, dt.datetime):
        return {"$dt": v.isoformat()}
    if isinstance(v, dt.date):
        return {"$d": v.isoformat()}
    if isinstance(v, dt.time):
        return {"$t": v.isoformat()}
    if isinstance(v, Path):
        return {"$p": str(v)}
    if isinstance(v, tuple):
        return {"$tu": [_enc(x) for x in v]}
    if isinstance(v, list):
        return [_enc(x) for x in v]
    if isinstance(v, dict):
        if not all(isinstance(k, str) for k in v):
            raise TypeError("a mapping with non-text keys")
        return {"$m": {k: _enc(x) for k, x in v.items()}}
    if dataclasses.is_dataclass(v) and not isinstance(v, type) and _model_type(type(v).__name__):
        fields = {}
        for f in dataclasses.fields(v):
            value = getattr(v, f.name)
            fields[f.name] = "$body" if f.name == "body_html" and isinstance(value, str) \
                else _enc(value)
        return {"$c": type(v).__name__, "f": fields}
    raise TypeError(f"cannot cache a {type(v).__name__}")


def _dec(v: Any, body: str) -> Any:
    if isinstance(v, list):
        return [_dec(x, body) for x in v]
    if not isinstance(v, dict):
        return v
    if "$d" in v:
        return dt.date.fromisoformat(v["$d"])
    if "$dt" in v:
        return dt.datetime.fromisoformat(v["$dt"])
    if "$t" in v:
        return dt.time.fromisoformat(v["$t"])
    if "$p" in v:
        return Path(v["$p"])
    if "$tu" in v:
        return tuple(_dec(x, body) for x in v["$tu"])
    if "$m" in v:
        return {k: _dec(x, body) for k, x in v["$m"].items()}
    if "$c" in v:
        kind = _model_type(str(v["$c"]))
        if kind is None:
            raise KeyError(v["$c"])
        fields = {k: body if x == "$body" and k == "body_html" else _dec(x, body)
                  for k, x in v["f"].items()}
        return kind(**fields)
    raise ValueError("an unknown value in the cache")


def _model_type(name: str) -> Any:
    """A dataclass of sitegen's own model by name; nothing else can be built from the cache."""
    from sitegen import errors, load, model

    for module in (model, load, errors):
        kind = vars(module).get(name)
        if isinstance(kind, type) and dataclasses.is_dataclass(kind) \
                and kind.__module__ == module.__name__:
            return kind
    return None


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
