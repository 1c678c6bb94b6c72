"""Entry bodies kept out of memory for the length of a build: spilled to a temporary file.

A cold build of 100,000 entries held every rendered body (a quarter of a GiB of text) from the
parse to the last page, and every forked render worker began life with all of it. Here each
body is written once to an anonymous temporary file and the entry keeps only where it lies;
`entry.body_html` reads it back (one `pread`) whenever a page, feed or export asks. Forked
workers inherit the open file, so they read bodies the same way; the file is gone when the
last body that points into it is.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from sitegen.model import Entry


class Spill:
    """One build's file of bodies (opened on the first body kept)."""

    def __init__(self) -> None:
        self._file: Any = None
        self._end = 0

    def keep(self, entry: Entry) -> None:
        """Move the entry's body into the file: the entry reads it back from there."""
        body = entry.__dict__.get("body_html")
        if type(body) is not str or not body:
            return
        data = body.encode("utf-8", "surrogatepass")
        if self._file is None:
            # open as long as a body points into it (closed, and gone, when the last is)
            self._file = tempfile.TemporaryFile(prefix="sitegen-bodies-")  # noqa: SIM115
        fd = self._file.fileno()
        written = 0
        while written < len(data):
            written += os.pwrite(fd, data[written:], self._end + written)
        # the entry is frozen, and what it shows does not change: only where its body lives
        entry.__dict__["body_html"] = Spilled(self, self._end, len(data))
        self._end += len(data)

    def read(self, offset: int, size: int) -> str:
        fd = self._file.fileno()
        data = os.pread(fd, size, offset)
        while len(data) < size:  # a short read (never on a regular file, but cheap to say)
            data += os.pread(fd, size - len(data), offset + len(data))
        return data.decode("utf-8", "surrogatepass")


class Spilled:
    """Where one body lies in a Spill; pickled (sent to another process) as its text."""

    __slots__ = ("_spill", "_offset", "_size")

    def __init__(self, spill: Spill, offset: int, size: int) -> None:
        self._spill, self._offset, self._size = spill, offset, size

    def text(self) -> str:
        return self._spill.read(self._offset, self._size)

    def __reduce__(self) -> tuple[Any, ...]:
        return (str, (self.text(),))
