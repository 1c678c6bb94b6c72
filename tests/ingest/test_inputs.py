"""A pipe, a device, a folder or an endless stream is refused by name, at once, within the cap."""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest

from sitegen.ingest import source
from tests.ingest.conftest import Run, copy_fixture, drafts

ARGS = ("--published", "2023-02-15", "--publisher", "The Daily Courier")
MIB = 1024 * 1024
CAP = source.MAX_ARTICLE_BYTES
TOO_LONG_FIX = "pass the article's own page or text alone (one is rarely over a few MiB)"
NOT_A_FILE_FIX = ("save the article as a .txt, .md or .html file and pass that, or pipe it in "
                  "as - (standard input)")


def _bounded() -> None:
    # Should reading become unbounded again, the child fails with MemoryError, not the machine.
    resource.setrlimit(resource.RLIMIT_AS, (4 * 1024 * MIB, 4 * 1024 * MIB))


def ingest_process(site: Path, *args: str, stdin: IO[bytes] | None = None) -> Run:
    """`sitegen ingest ARGS` as its own process, killed if it runs past 20 seconds."""
    done = subprocess.run([sys.executable, "-m", "sitegen.ingest", *args, *ARGS], cwd=site,
                          stdin=stdin if stdin is not None else subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=20, preexec_fn=_bounded,
                          check=False)
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def fifo(site: Path) -> str:
    os.mkfifo(site / "pipe.txt")
    return "pipe.txt"


def test_named_pipe_is_refused_at_once_instead_of_waited_on(site: Path, fifo: str) -> None:
    run = ingest_process(site, fifo)
    assert run.code == 1
    assert run.err.splitlines() == [
        f"error: pipe.txt: is a named pipe (FIFO), not a text file; {NOT_A_FILE_FIX}",
        "1 error; nothing was written"]


def test_every_unreadable_input_is_reported_in_one_pass(site: Path, fifo: str) -> None:
    copy_fixture("liveblog", "article.txt", site)
    (site / "folder").mkdir()
    with (site / "huge.html").open("wb") as sparse:  # over the cap, yet no disk space taken
        sparse.truncate(CAP + 1)
    run = ingest_process(site, "article.txt", fifo, "/dev/zero", "folder", "huge.html")
    assert run.code == 1
    assert run.err.splitlines() == [
        f"error: pipe.txt: is a named pipe (FIFO), not a text file; {NOT_A_FILE_FIX}",
        f"error: /dev/zero: is a device, not a text file; {NOT_A_FILE_FIX}",
        "error: folder: is a folder, not an article; pass the article files inside it",
        f"error: huge.html: is {CAP + 1:,} bytes, more than the {CAP // MIB} MiB an input may "
        f"be; {TOO_LONG_FIX}",
        "4 errors; nothing was written"]
    assert run.out == ""
    assert not (site / "content" / "drafts").exists()


def test_endless_standard_input_is_cut_off_at_the_cap(site: Path) -> None:
    with open("/dev/zero", "rb") as zeros:
        run = ingest_process(site, "-", stdin=zeros)
    assert run.code == 1
    assert run.err.splitlines() == [
        f"error: <stdin>: is more than the {CAP // MIB} MiB an input may be; {TOO_LONG_FIX}",
        "1 error; nothing was written"]


class Endless(io.RawIOBase):
    """A stream of letters that never ends, counting what it hands out; it gives up (failing
    the test, not hanging it) once far past `cap`."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self.given > 4 * self.cap:
            raise AssertionError(f"read {self.given:,} bytes of standard input, past the cap")
        view = memoryview(buffer).cast("B")
        view[:] = b"a" * len(view)
        self.given += len(view)
        return len(view)


def test_standard_input_is_read_no_further_than_the_cap(
        site: Path, ingest: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "MAX_ARTICLE_BYTES", MIB)
    stream = Endless(MIB)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BufferedReader(stream)))
    run = ingest("-", *ARGS)
    assert run.code == 1
    assert run.err.splitlines()[0] == ("error: <stdin>: is more than the 1 MiB an input may "
                                       f"be; {TOO_LONG_FIX}")
    assert stream.given <= MIB + io.DEFAULT_BUFFER_SIZE


def test_file_over_the_cap_is_named_with_its_size_and_the_cap(
        site: Path, ingest: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source, "MAX_ARTICLE_BYTES", MIB)
    (site / "long.txt").write_bytes(b"Headline\n\n" + b"x" * MIB)
    run = ingest("long.txt", *ARGS)
    assert run.code == 1
    assert run.err.splitlines() == [
        f"error: long.txt: is {MIB + 10:,} bytes, more than the 1 MiB an input may be; "
        f"{TOO_LONG_FIX}",
        "1 error; nothing was written"]


def test_article_exactly_at_the_cap_is_still_drafted(
        site: Path, ingest: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    article = copy_fixture("liveblog", "article.txt", site)
    monkeypatch.setattr(source, "MAX_ARTICLE_BYTES", article.stat().st_size)
    run = ingest("article.txt", *ARGS)
    assert run.code == 0, run.err
    assert len(drafts(site)) == 11
    monkeypatch.setattr(source, "MAX_ARTICLE_BYTES", article.stat().st_size - 1)
    assert "article.txt: is " in ingest("article.txt", *ARGS).err


def test_article_on_standard_input_within_the_cap_is_drafted(
        site: Path, ingest: Callable[..., Run], monkeypatch: pytest.MonkeyPatch) -> None:
    data = copy_fixture("liveblog", "article.txt", site).read_bytes()
    monkeypatch.setattr(source, "MAX_ARTICLE_BYTES", len(data))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    run = ingest("-", *ARGS, "--dry-run")
    assert run.code == 0, run.err
    assert "11 drafts would go to content/drafts/" in run.out


def test_a_pipe_where_a_draft_would_go_is_an_error_not_a_wait(site: Path) -> None:
    # The draft already there was read with read_bytes() to compare: a FIFO at its path
    # waited for a writer for ever.
    copy_fixture("liveblog", "article.txt", site)
    first = ingest_process(site, "article.txt")
    assert first.code == 0, first.err
    made = sorted((site / "content/drafts").glob("*.md"))
    assert made
    made[0].unlink()
    os.mkfifo(made[0])
    run = ingest_process(site, "article.txt")
    assert run.code == 1, run.err
    assert f"{made[0].name}: is a named pipe (FIFO)" in run.err and "where a draft would go" \
        in run.err, run.err
    assert "nothing was written" in run.err
