"""The build cache: parsed entries by digest, input stats, the last build's input stamp, and
text fragments (an entry's line in each open-data export) by key.

A stdlib `sqlite3` file in `.sitegen-cache/`, holding data only (JSON text and plain columns,
never pickled objects: a cache may come from anywhere). A key is a hash of everything its value
depends on, so a hit is correct by construction. A corrupt cache file is set aside (kept as
`cache.sqlite.corrupt`) with one warning and made afresh; one from another version is emptied;
a locked or unwritable one is ignored with one warning and the build goes on without it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
import json
import logging
import operator
import os
import sqlite3
import types
import typing
from collections.abc import Callable, Container, Iterable, Mapping
from pathlib import Path, PurePath
from typing import Any

from sitegen import __version__, fastjson

log = logging.getLogger(__name__)
CACHE_FILE = "cache.sqlite"
SCHEMA = 5
_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, stat TEXT NOT NULL, digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (digest TEXT PRIMARY KEY, data TEXT NOT NULL,
                                    body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stamps (output TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fragments (key TEXT PRIMARY KEY, text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS snapshots (output TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS snapshot_edits (output TEXT PRIMARY KEY, data TEXT NOT NULL);
"""
# Edit builds recorded as changes to the last full snapshot, until they change this many files
# (then the whole snapshot is written again): 10,000 entries' snapshot is 4 MB of JSON.
MOST_EDITS = 512


class Cache:
    """The cache of one site; `Cache(None)` keeps everything in memory (check, deploy). `build`
    and `serve` use the site's `.sitegen-cache/cache.sqlite`.

    Entries are kept in memory too once loaded, so `serve` reuses them from build to build.
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._db: sqlite3.Connection | None = None
        self._opened = False  # opened on first use: a refused build leaves no cache behind
        self._entries: dict[str, Any] = {}  # digest -> decoded entry, for this process
        self._shapes: dict[str, str] = {}  # digest -> the entry's shape (see `shape_of`)
        self._file_digests: dict[str, tuple[str, str]] = {}  # path -> (stat key, digest)
        self._loaded_files = False
        self.pages: dict[str, bytes] = {}  # page key -> bytes: the preview's memo, in memory
        self.preview: dict[str, Any] = {}  # the preview's last build: site, files, snapshot
        self._fragments: dict[str, str] = {}  # key -> text, for this process
        self._edits: dict[str, dict[str, dict[str, str]]] = {}  # output -> its snapshot's edits

    # -- opening ---------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection | None:
        if self.folder is None:
            return None
        path = self.folder / CACHE_FILE
        try:
            if self.folder.exists() and not self.folder.is_dir():
                raise OSError(f"{self.folder} is a file, not a folder")
            self.folder.mkdir(parents=True, exist_ok=True)
            try:
                db = _connect(path)
            except _Foreign:
                _move_aside(self.folder, "foreign")  # kept whole: then a new, empty one
                log.warning("warning: %s: %s is an SQLite database of something else's, not "
                            "a sitegen cache; it is kept as %s.foreign and the cache made "
                            "afresh", self.folder, CACHE_FILE, CACHE_FILE)
                db = _connect(path)
            except sqlite3.DatabaseError as e:
                if not _corrupt(e):
                    raise
                self._set_aside(e)  # then a new, empty one
                db = _connect(path)
        except (OSError, sqlite3.Error) as e:
            self._warn(f"cannot open the cache ({e})")
            return None
        return db

    def _set_aside(self, error: sqlite3.DatabaseError) -> None:
        """Move a corrupt cache file out of the way (kept as `cache.sqlite.corrupt`, the
        last one only) so that this build or the next starts a new one: said once."""
        assert self.folder is not None
        _move_aside(self.folder)  # an OSError here: the caller's one warning says so
        log.warning("warning: %s: the cache is damaged (%s); it is kept as %s.corrupt and "
                    "made afresh", self.folder, error, CACHE_FILE)

    def _warn(self, why: str) -> None:
        where = self.folder or Path(".sitegen-cache")
        what = "file" if where.exists() and not where.is_dir() else "folder"
        log.warning("warning: %s: %s; building without it (delete the %s to start afresh)",
                    where, why, what)

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
            if isinstance(e, sqlite3.DatabaseError) and _corrupt(e) and self.folder:
                # found damaged in use: this build goes on without it, the next makes a new one
                with contextlib.suppress(OSError):
                    _move_aside(self.folder)
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

    def holds_entries(self) -> bool:
        """Whether any parsed entry is cached (none: a first build, or a cache made afresh)."""
        if self._entries:
            return True
        rows = self._guard("reading entries", _rows, "SELECT 1 FROM entries LIMIT 1")
        return bool(rows)

    def entries(self, digests: Iterable[str]) -> dict[str, Any]:
        """The cached values among `digests` (decoded), loading from disk only what is asked."""
        wanted = [d for d in digests if d not in self._entries]
        if wanted:
            rows = self._guard("reading entries", _select_in,
                               "SELECT digest, data, body FROM entries WHERE digest IN ({marks})",
                               wanted)
            for key, data, body in rows or ():
                try:
                    self._entries[key] = decode(json.loads(data), body)
                    self._shapes[key] = shape_of(data, body)
                except (ValueError, TypeError, KeyError, IndexError) as e:
                    self._warn(f"an unreadable entry row ({type(e).__name__})")
        return {d: self._entries[d] for d in digests if d in self._entries}

    def put_entries(self, values: Mapping[str, Any]) -> None:
        """Remember decoded values by digest; persist those that encode as data."""
        self.put_rows(values, {key: entry_row(value) for key, value in values.items()})

    def put_rows(self, values: Mapping[str, Any],
                 rows: Mapping[str, tuple[str, str, str] | None]) -> None:
        """`put_entries` with each value's row made already (`entry_row`, in a parse worker:
        the build's own process only hands them to sqlite). Without a database each entry's
        shape is still known."""
        self._entries.update(values)
        made = [(key, *row) for key, row in rows.items() if row is not None and key in values]
        self._shapes.update((key, shape) for key, _, _, shape in made)
        if made:
            self._guard("saving entries", _write_many,
                        "INSERT OR REPLACE INTO entries VALUES (?, ?, ?)",
                        [(key, text, body) for key, text, body, _ in made])

    def shape(self, digest: str) -> str | None:
        """The shape of the entry stored (or loaded) under `digest` by this process."""
        return self._shapes.get(digest)

    def keep_only(self, digests: set[str]) -> None:
        """Forget entries no longer used, so the cache does not grow without bound."""
        self._entries = {k: v for k, v in self._entries.items() if k in digests}
        self._shapes = {k: v for k, v in self._shapes.items() if k in digests}
        gone = self._guard("listing entries", _unwanted, "SELECT digest FROM entries", digests)
        if gone:
            self._guard("pruning entries", _write_many,
                        "DELETE FROM entries WHERE digest = ?", gone)

    # -- text fragments (an entry's record in an export) by key ------------------------------

    def fragments(self, keys: Iterable[str]) -> dict[str, str]:
        """The stored fragments among `keys` (read 500 at a time: `keys` is never listed)."""
        found: dict[str, str] = {}
        wanted: list[str] = []
        for key in keys:
            text = self._fragments.get(key)
            if text is not None:
                found[key] = text
                continue
            wanted.append(key)
            if len(wanted) == 500:
                self._fetch_fragments(wanted, found)
                wanted = []
        self._fetch_fragments(wanted, found)
        return found

    def _fetch_fragments(self, keys: list[str], found: dict[str, str]) -> None:
        rows = self._guard("reading fragments", _select_in,
                           "SELECT key, text FROM fragments WHERE key IN ({marks})",
                           keys) if keys else ()
        for key, text in rows or ():
            if isinstance(text, str):
                self._fragments[key] = found[key] = text

    def add_fragments(self, rows: list[tuple[str, str]]) -> None:
        """Store fragments as they are made, without keeping them in this process (unless
        there is no database to keep them in)."""
        if not rows:
            return
        self._guard("saving fragments", _write_many,
                    "INSERT OR REPLACE INTO fragments VALUES (?, ?)", rows)
        if self._db is None:
            self._fragments.update(rows)

    def put_fragments(self, made: Mapping[str, str], live: Container[str]) -> None:
        """Store the fragments made by this build; forget those no build uses any more (only
        the keys in `live` are kept)."""
        self._fragments.update(made)
        self._fragments = {k: t for k, t in self._fragments.items() if k in live}
        if made:
            self._guard("saving fragments", _write_many,
                        "INSERT OR REPLACE INTO fragments VALUES (?, ?)", list(made.items()))
        gone = self._guard("listing fragments", _unwanted,
                           "SELECT key FROM fragments", live)
        if gone:
            self._guard("pruning fragments", _write_many,
                        "DELETE FROM fragments WHERE key = ?", gone)

    # -- the last build's input stamp, per output folder --------------------------------------

    def stamp(self, output: Path) -> dict[str, Any] | None:
        rows = self._guard("reading the stamp", _rows,
                           "SELECT data FROM stamps WHERE output = ?", (str(output),))
        if not rows:
            return None
        try:
            value = fastjson.loads(rows[0][0])
        except (ValueError, RecursionError):  # not JSON, or nested past Python's limit
            return None
        return value if isinstance(value, dict) else None

    def set_stamp(self, output: Path, value: dict[str, Any] | None) -> None:
        if value is None:
            self._guard("clearing the stamp", _write_many,
                        "DELETE FROM stamps WHERE output = ?", [(str(output),)])
        else:
            self._guard("saving the stamp", _write_many,
                        "INSERT OR REPLACE INTO stamps VALUES (?, ?)",
                        [(str(output), fastjson.dumps(value, sort_keys=True).decode())])


    # -- the last build's snapshot (see quick.py), per output folder ---------------------------

    def snapshot(self, output: Path) -> dict[str, Any] | None:
        """The last build's snapshot, with the edit builds since applied; None when there is
        none, or a build that was to record one did not finish."""
        rows = self._guard("reading the snapshot", _rows,
                           "SELECT data FROM snapshots WHERE output = ?", (str(output),))
        edited = self._guard("reading the snapshot", _rows,
                             "SELECT data FROM snapshot_edits WHERE output = ?", (str(output),))
        try:
            value = fastjson.loads(rows[0][0]) if rows else None
            edits = fastjson.loads(edited[0][0]) if edited else {"files": {}, "entries": {}}
        except (ValueError, RecursionError):  # not JSON, or nested past Python's limit
            return None
        if not isinstance(value, dict) or not _apply_edits(value, edits):
            return None
        self._edits[str(output)] = edits
        return value

    def set_snapshot(self, output: Path, value: dict[str, Any] | bytes | None) -> None:
        """Store the snapshot of `output` (or its JSON text, `fastjson.dumps`), or none."""
        if value is None:
            self._guard("saving the snapshot", _write_all, [
                ("DELETE FROM snapshot_edits WHERE output = ?", [(str(output),)]),
                ("DELETE FROM snapshots WHERE output = ?", [(str(output),)])])
        else:
            # Its bytes as they are (a BLOB; json.loads reads either), written in parts: bound
            # whole, a 100,000-entry snapshot (42 MB) was copied by SQLite twice over, which
            # made the build's peak (1,062 MiB)
            data = value if isinstance(value, bytes) else fastjson.dumps(value)
            self._guard("saving the snapshot", _write_blob, str(output), data)
        self._edits.pop(str(output), None)

    def hold_snapshot(self, output: Path) -> None:
        """Mark the snapshot as not the site's until `edit_snapshot` records the edit build that
        is publishing (a build stopped in between leaves none: the next one builds in full)."""
        self._guard("saving the snapshot", _write_all, [(
            "INSERT OR REPLACE INTO snapshot_edits VALUES (?, ?)",
            [(str(output), '{"pending":true}')])])

    def edit_snapshot(self, output: Path, files: dict[str, str], entries: dict[str, str],
                      whole: dict[str, Any]) -> None:
        """Record an edit build: the content files' new stats and digests, beside those of the
        edits since the snapshot was read; `whole` (the snapshot as it is now) is written
        instead once they are many."""
        edits = self._edits.get(str(output), {"files": {}, "entries": {}})
        edits = {"files": {**edits["files"], **files}, "entries": {**edits["entries"], **entries}}
        if len(edits["files"]) + len(edits["entries"]) > MOST_EDITS:
            self.set_snapshot(output, whole)
            edits = {"files": {}, "entries": {}}
        else:
            self._guard("saving the snapshot", _write_all, [(
                "INSERT OR REPLACE INTO snapshot_edits VALUES (?, ?)",
                [(str(output), fastjson.dumps(edits).decode())])])
        self._edits[str(output)] = edits


def _apply_edits(snapshot: dict[str, Any], edits: Any) -> bool:
    """Apply the edit builds' changes to the snapshot; False when they are not of the form
    `edit_snapshot` writes, or name a file the snapshot does not have (a cache may come from
    anywhere: nothing here may raise)."""
    if not isinstance(edits, dict) or set(edits) != {"files", "entries"}:
        return False  # a build still publishing, or not sitegen's
    files, entries = edits["files"], edits["entries"]
    known, rows = snapshot.get("files"), snapshot.get("entries")
    if not (isinstance(files, dict) and isinstance(entries, dict) and isinstance(known, dict)
            and isinstance(rows, dict)):
        return False
    if not all(type(k) is str and type(v) is str and k in known for k, v in files.items()) or \
            not all(type(k) is str and type(v) is str and isinstance(rows.get(k), list)
                    and rows[k] for k, v in entries.items()):
        return False
    known.update(files)
    for path, key in entries.items():
        rows[path] = [key, *rows[path][1:]]
    return True


def shape_of(data: str, body: str) -> str:
    """An entry's shape: a digest of everything about it but its body's text (its fields, its
    warnings, the local files its body links to). Two versions of an entry with the same
    shape differ only where the body is shown."""
    from sitegen.assets import _local_refs

    refs = "\0".join(_local_refs(body))
    return hashlib.blake2b(f"{data}\0{refs}".encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


class _Foreign(Exception):
    """The cache file is an SQLite database with tables of its own and none of sitegen's: a
    file of someone else's (or a link to one), never emptied."""


def _connect(path: Path) -> sqlite3.Connection:
    """Open (or create) the cache database; an old one is emptied and reused, a foreign one
    (`_Foreign`) left untouched."""
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    try:
        # before anything writes to it (WAL mode is written into the file)
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = "
                                           "'table'")}
        if tables and "meta" not in tables:
            raise _Foreign(path)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        version = _version(db)
        if version != _cache_version():
            if version is not None:
                log.info("the cache is from another sitegen version; starting it afresh")
            _reset(db)
    except (sqlite3.Error, _Foreign):
        db.close()
        raise
    return db


def _move_aside(folder: Path, suffix: str = "corrupt") -> None:
    """Rename the cache file to `cache.sqlite.corrupt` and remove its write-ahead log: it
    belongs to the old file, and sqlite would replay it into a new one. A foreign database
    (`suffix` "foreign") is someone's data: its log goes with it, and one kept already is
    never replaced (an OSError: the build goes on without a cache)."""
    path = folder / CACHE_FILE
    kept = path.with_name(f"{CACHE_FILE}.{suffix}")
    foreign = suffix == "foreign"
    if foreign and os.path.lexists(kept):
        raise OSError(f"{CACHE_FILE} is an SQLite database of something else's, and "
                      f"{kept.name} is taken already; move them away")
    os.replace(path, kept)
    for tail in ("-wal", "-shm"):
        log_file = path.with_name(CACHE_FILE + tail)
        with contextlib.suppress(FileNotFoundError):
            if foreign:
                os.replace(log_file, kept.with_name(kept.name + tail))
            else:
                log_file.unlink()


def _corrupt(error: sqlite3.DatabaseError) -> bool:
    """Whether sqlite found the file itself damaged or not a database (not busy, locked,
    read-only or unopenable: those are `OperationalError`s, and the file is left alone)."""
    return type(error) is sqlite3.DatabaseError


def _cache_version() -> str:
    # The model's schema is not part of it (computing it imports the parser, which a no-op
    # build never needs): entry rows are keyed by digests that include it (see build.py).
    return f"{SCHEMA}:{code_version()}"


@functools.cache
def code_version() -> str:
    """sitegen's version and a stamp of its own code (each module's path, size and time): the
    same content renders otherwise once sitegen changed, and an upgrade or a `git pull` into
    an editable install may not change `__version__`, so a cache (and every digest a build
    makes) from other code is not used. A stat of ~100 files, once per process."""
    found: list[str] = []
    pending = [("", str(Path(__file__).parent))]
    while pending:  # os.scandir, not Path.rglob: this is on every build's path (4 -> 1 ms)
        prefix, folder = pending.pop()
        with contextlib.suppress(OSError), os.scandir(folder) as listing:
            for item in listing:
                if item.is_dir(follow_symlinks=False):
                    if not item.name.startswith("__"):  # __pycache__, __jinjacache__
                        pending.append((f"{prefix}{item.name}/", item.path))
                elif item.name.endswith(".py"):
                    with contextlib.suppress(OSError):
                        st = item.stat()
                        found.append(f"{prefix}{item.name}\0{st.st_size}\0{st.st_mtime_ns}\n")
    digest_ = hashlib.sha256("".join(sorted(found)).encode("utf-8", "surrogateescape"))
    return f"{__version__}+{digest_.hexdigest()[:16]}"


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
    db.execute("INSERT INTO meta VALUES ('version', ?)", (_cache_version(),))


def _rows(db: sqlite3.Connection, sql: str, args: tuple[Any, ...] = ()) -> list[Any]:
    return db.execute(sql, args).fetchall()


def _unwanted(db: sqlite3.Connection, sql: str, keep: Container[str]) -> list[tuple[str]]:
    """The keys `sql` lists that are not in `keep`, read row by row (a cold build's 300,000
    keys are never all in memory at once)."""
    return [(key,) for (key,) in db.execute(sql) if key not in keep]


def _select_in(db: sqlite3.Connection, query: str, keys: list[str]) -> list[Any]:
    """The rows of `query` (its `{marks}` a list of placeholders) for `keys`, 500 at a time."""
    out: list[Any] = []
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        out += db.execute(query.format(marks=",".join("?" * len(chunk))), chunk).fetchall()
    return out


def entry_row(value: Any) -> tuple[str, str, str] | None:
    """A value's row as `put_entries` saves it, and its shape: (JSON, body, shape); None for a
    value that is not plain data (it is parsed again next time)."""
    try:
        data, body = encode(value)
    except TypeError:
        return None
    text = json.dumps(data, separators=(",", ":"))
    return text, body, shape_of(text, body)


def _write_all(db: sqlite3.Connection,
               statements: Iterable[tuple[str, Iterable[tuple[Any, ...]]]]) -> None:
    """Several statements in one transaction: all of them or none."""
    db.execute("BEGIN")
    try:
        for sql, rows in statements:
            db.executemany(sql, rows)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


BLOB_PART = 1 << 20  # bytes of a snapshot handed to SQLite at a time


def _write_blob(db: sqlite3.Connection, output: str, data: bytes) -> None:
    """The snapshot row of `output` made `data`, one transaction: a blob of zeros of its
    length (which SQLite does not hold in memory), then its bytes a part at a time."""
    db.execute("BEGIN")
    try:
        db.execute("DELETE FROM snapshot_edits WHERE output = ?", (output,))
        row = db.execute("INSERT OR REPLACE INTO snapshots VALUES (?, zeroblob(?))",
                         (output, len(data))).lastrowid
        if data and row is not None:
            view = memoryview(data)
            with db.blobopen("snapshots", "data", row) as blob:
                for at in range(0, len(data), BLOB_PART):
                    blob.write(view[at:at + BLOB_PART])
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _write_many(db: sqlite3.Connection, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
    db.execute("BEGIN")
    try:
        db.executemany(sql, rows)
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


# -- data, not code: a JSON codec for the frozen model values ---------------------------------
#
# Type-directed: a dataclass is a JSON list of its field values in declaration order, and each
# field is read back by a decoder made once from its annotation (a date from its ISO text, a
# tuple of sources from a list of lists). Fast (one list comprehension an entry) and safe: only
# sitegen's own model types, named by the caller, can be built. The schema (every model type's
# field names and annotations) is part of the cache version, so a changed model starts afresh.

Decoder = Callable[[Any], Any]
Encoder = Callable[[Any], Any]


def encode(value: Any) -> tuple[Any, str]:
    """A JSON-ready form of a ParseOutcome and its rendered body (kept apart: it is the bulk).

    Raises TypeError for anything that is not plain data (then the value is not cached).
    """
    from sitegen.load import ParseOutcome

    entry = value.entry if isinstance(value, ParseOutcome) else None
    if entry is None:
        return _codec(ParseOutcome)[0](value), ""
    return _bare_encoder()(value), entry.body_html


@functools.cache
def _bare_encoder() -> Encoder:
    """ParseOutcome's encoder with its entry's body left out ("", as the row holds it): the
    body is never read for it (nor copied into two new objects first: 10,000 entries' worth
    cost 0.4 s of a cold build)."""
    from sitegen.load import ParseOutcome
    from sitegen.model import Entry

    entry = _dataclass_codec(Entry, blank="body_html")[0]  # called only with an entry
    outcome = [(name, entry if name == "entry" else _codec(hint)[0])
               for name, hint in _field_hints(ParseOutcome)]

    def enc(v: Any) -> Any:
        _isinstance(v, ParseOutcome)
        return [c(getattr(v, name)) for name, c in outcome]
    return enc


def _field_hints(kind: type) -> list[tuple[str, Any]]:
    hints = typing.get_type_hints(kind)
    return [(f.name, hints[f.name]) for f in dataclasses.fields(kind)]


def decode(data: Any, body: str = "") -> Any:
    """The ParseOutcome that `encode` was given."""
    from sitegen.load import ParseOutcome

    outcome = _codec(ParseOutcome)[1](data)
    if outcome.entry is not None:
        # the entry was made just now and is seen by no one else yet: setting its body in
        # place spares a second construction (a third of the decoding time)
        object.__setattr__(outcome.entry, "body_html", body)
    return outcome


_CODECS: dict[Any, tuple[Encoder, Decoder]] = {}


def _codec(kind: Any) -> tuple[Encoder, Decoder]:
    if kind not in _CODECS:
        _CODECS[kind] = _make_codec(kind)
    return _CODECS[kind]


@functools.lru_cache(maxsize=1 << 17)
def _path(text: str) -> Path:
    """One Path per name per process: making 10,000 anew is a tenth of the decoding."""
    return Path(text)


def _same(v: Any) -> Any:
    return v


def _make_codec(kind: Any) -> tuple[Encoder, Decoder]:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind in (str, int, bool):
        return _checked(kind), _same_type  # JSON gives these types themselves
    if kind is float:
        return _checked(kind), _checked(kind)
    if kind is type(None):
        return _checked(type(None)), _checked(type(None))
    if kind is Any:
        return _plain, _same
    if kind in (dt.date, dt.time, dt.datetime):
        return (lambda v: _isinstance(v, kind).isoformat()), kind.fromisoformat
    if kind is Path or kind is PurePath:
        return (lambda v: str(_isinstance(v, PurePath))), _path
    if origin in (types.UnionType, typing.Union):
        return _union(args)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        enc, dec = _codec(args[0])
        if dec is _same_type:
            return ((lambda v: [enc(x) for x in _isinstance(v, tuple)]),
                    (lambda v: tuple(_isinstance(v, list))))
        return ((lambda v: [enc(x) for x in _isinstance(v, tuple)]),
                (lambda v: tuple(map(dec, _isinstance(v, list)))))
    if origin is list:
        enc, dec = _codec(args[0])
        return ((lambda v: [enc(x) for x in _isinstance(v, list)]),
                (lambda v: [dec(x) for x in _isinstance(v, list)]))
    if origin is dict and args and args[0] is str:
        enc, dec = _codec(args[1])
        return ((lambda v: {_isinstance(k, str): enc(x) for k, x in _isinstance(v, dict).items()}),
                (lambda v: {k: dec(x) for k, x in _isinstance(v, dict).items()}))
    if isinstance(kind, type) and dataclasses.is_dataclass(kind) and _is_model(kind):
        return _dataclass_codec(kind)
    raise TypeError(f"no cache codec for {kind!r}")


def _dataclass_codec(kind: type, blank: str | None = None) -> tuple[Encoder, Decoder]:
    """`kind`'s encoder and decoder; the encoder writes field `blank`, if named, as "" without
    reading it."""
    hints = typing.get_type_hints(kind)
    names = [f.name for f in dataclasses.fields(kind)]
    codecs = [_codec(hints[name]) for name in names]
    pairs = list(zip(names, codecs, strict=True))

    if blank is not None and blank not in names:
        raise TypeError(f"{kind.__name__} has no field {blank!r}")
    # the field left out reads as a constant "": `getattr(v, name)` never runs for it
    steps = [(_blank, _same) if name == blank else (operator.attrgetter(name), c[0])
             for name, c in pairs]

    def enc(v: Any) -> Any:
        _isinstance(v, kind)
        return [c(g(v)) for g, c in steps]

    # Fields whose JSON value is already the Python value need no call; the object is made
    # without running __init__ (the model's are plain field assignments, no __post_init__).
    convert = [(i, c[1]) for i, (_, c) in enumerate(pairs) if c[1] is not _same_type]
    slots = "__slots__" in vars(kind) or hasattr(kind, "__post_init__")

    def dec(v: Any) -> Any:
        if not isinstance(v, list) or len(v) != len(pairs):
            raise ValueError(f"a {kind.__name__} row of the wrong shape")
        for i, fn in convert:
            v[i] = fn(v[i])
        if slots:
            return kind(*v)
        made: Any = object.__new__(kind)
        made.__dict__.update(zip(names, v, strict=True))
        return made
    return enc, dec


def _blank(_: Any) -> str:
    return ""


def _union(args: tuple[Any, ...]) -> tuple[Encoder, Decoder]:
    """`X | None` (the only unions in the model): null, or an X."""
    others = [a for a in args if a is not type(None)]
    if len(others) != 1:
        raise TypeError(f"no cache codec for a union of {args!r}")
    enc, dec = _codec(others[0])
    return ((lambda v: None if v is None else enc(v)),
            (lambda v: None if v is None else dec(v)))


def _same_type(v: Any) -> Any:
    """The decoder of a value JSON already gives as the right Python type: never called."""
    return v


def _checked(kind: type) -> Callable[[Any], Any]:
    def check(v: Any) -> Any:
        if type(v) is not kind and not (kind is float and type(v) is int):
            raise TypeError(f"expected {kind.__name__}, found {type(v).__name__}")
        return v
    return check


def _isinstance(v: Any, kind: Any) -> Any:
    if not isinstance(v, kind):
        raise TypeError(f"expected {kind}, found {type(v).__name__}")
    return v


def _plain(v: Any) -> Any:
    """A custom field's value: JSON's own types only, so it reads back exactly as written
    (a YAML list stays a list); anything else makes the entry uncacheable."""
    if v is None or type(v) in (str, int, float, bool):
        return v
    if type(v) is list:
        return [_plain(x) for x in v]
    if type(v) is dict and all(type(k) is str for k in v):
        return {k: _plain(x) for k, x in v.items()}
    raise TypeError(f"cannot cache a {type(v).__name__}")


def _is_model(kind: type) -> bool:
    """Only sitegen's own frozen model types can be built from the cache."""
    return kind.__module__ in ("sitegen.model", "sitegen.topic", "sitegen.load", "sitegen.errors")


def schema() -> str:
    """The model's shape: any change to a cached type's fields makes a new cache."""
    from sitegen.load import ParseOutcome

    seen: list[str] = []

    def walk(kind: Any) -> None:
        for arg in typing.get_args(kind):
            walk(arg)
        if isinstance(kind, type) and dataclasses.is_dataclass(kind) and kind.__name__ not in \
                seen:
            seen.append(kind.__name__)
            hints = typing.get_type_hints(kind)
            seen.append(repr([(f.name, str(hints[f.name])) for f in dataclasses.fields(kind)]))
            for f in dataclasses.fields(kind):
                walk(hints[f.name])
    walk(ParseOutcome)
    return hashlib.sha256("".join(seen).encode()).hexdigest()[:16]


def digest(*parts: bytes | str) -> str:
    """A hex SHA-256 of the parts, each length-prefixed so boundaries cannot blur."""
    h = hashlib.sha256()
    for part in parts:  # a str may be a file name not UTF-8 (os.fsdecode's lone surrogates)
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        h.update(b"%d:%b" % (len(data), data))
    return h.hexdigest()


def tree_digest(folder: Path) -> str:
    """A hash of every file's path and bytes under `folder` (a theme)."""
    parts: list[bytes | str] = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
    return digest(*parts)
