"""Read an input file without hanging on a FIFO or reading /dev/zero for ever."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

# An entry or an article is text a person wrote; nothing honest comes near this.
MAX_INPUT_BYTES = 16 * 1024 * 1024


class UnreadableFile(Exception):
    """`path` is not a regular file, too large, or cannot be opened; `reason` says which, and
    `mode` is the file's st_mode when its type is what is wrong (0 otherwise)."""

    def __init__(self, path: Path, reason: str, mode: int = 0) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.mode = mode


def not_regular_reason(mode: int) -> str:
    """Why a file of this `st_mode` is not read, for a message; '' for a regular file."""
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
             (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))
    for test, kind in kinds:
        if test(mode):
            return f"is {kind}, not a text file"
    return "" if stat.S_ISREG(mode) else "is not a regular file"


def read_regular_file(path: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of `path`, a regular file of at most `limit` bytes; else UnreadableFile.

    Opened non-blocking, so a FIFO never blocks the open, and checked with fstat on the open
    descriptor, so a file swapped for a pipe or a device after a check is still refused.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise UnreadableFile(path, os_reason(e, path)) from e
    try:
        info = os.fstat(fd)
        reason = not_regular_reason(info.st_mode)
        if reason:
            raise UnreadableFile(path, reason, info.st_mode)
        if info.st_size > limit:
            raise UnreadableFile(path, f"is {info.st_size:,} bytes, more than the "
                                       f"{limit // (1024 * 1024)} MiB an input may be")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            # Ask for the size fstat gave (and one byte more, to see growth): a read of
            # `limit + 1` would allocate that much for every file and keep each result in a
            # mapping of its own, and 100,000 entries then exhaust the process's mappings.
            data = handle.read(info.st_size + 1)
            if len(data) > info.st_size:
                data += handle.read(limit + 1 - len(data))
    except OSError as e:
        raise UnreadableFile(path, os_reason(e)) from e
    finally:
        os.close(fd)
    if len(data) > limit:
        raise UnreadableFile(path, f"grew past the {limit // (1024 * 1024)} MiB an input "
                                   "may be while being read")
    return data


def os_reason(error: OSError, path: Path | None = None) -> str:
    """Why `path` could not be opened, for a message."""
    if isinstance(error, FileNotFoundError):
        if path is not None and os.path.islink(path):
            return "is a dangling symlink (its target does not exist)"
        return "does not exist"
    if isinstance(error, PermissionError):
        return "cannot be read (permission denied); check its permissions"
    if error.errno == errno.ELOOP:
        return "is a symlink loop; remove or fix the link"
    return f"cannot be read ({error.strerror or error})"
