"""Careless input and a hostile machine: editors' temporaries, odd files, a full disk, bad
options. Each is a clear `path:line: message` or a usage error, never a traceback or a hang,
and the previous site is left exactly as it was."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sitegen import search, write
from tests.helpers import entry, run, tree_digest, write_files
from tests.hostile.scan import scripts_in_site
from tests.test_serve import ENTRIES, Start, get, page_of, preview, until

__all__ = ["preview"]  # the fixture, imported for the serve cases
GOOD = "content/entries/2022/2022-12-30-good.md"


@pytest.fixture
def built(site_dir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    write_files(site_dir, {GOOD: entry(title="A good entry")})
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    return site_dir


def sitegen(root: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the real command in a child process: a hang fails the test instead of the run."""
    return subprocess.run([sys.executable, "-m", "sitegen", *args], cwd=root, text=True,
                          capture_output=True, timeout=timeout, check=False)


def test_editor_temporaries_are_skipped_and_the_build_succeeds(
        built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = built / "content/entries/2022"
    (folder / ".#2022-12-30-good.md").symlink_to("curator@host.12345:1700000000")  # emacs lock
    for name in ("2022-12-30-good.md~", "#2022-12-30-good.md#", ".2022-12-30-good.md.swp",
                 "._2022-12-30-good.md", "~$2022-12-30-good.md", ".hidden.md"):
        (folder / name).write_bytes(b"\x00\xff not an entry")
    (built / "content/entries/.obsidian").mkdir()
    (built / "content/entries/.obsidian/workspace.md").write_text("not an entry")
    code, output = run(built, "build", capsys=capsys)
    assert code == 0, output
    assert "error" not in output
    assert sorted(p.name for p in (built / "site/entries").iterdir()) == ["2022-12-30-good"]


@pytest.mark.parametrize(("make", "says"), [
    (lambda d: (d / "loop-a.md").symlink_to("loop-b.md") or (d / "loop-b.md").symlink_to(
        "loop-a.md"), "loop-a.md:1: is a symlink loop"),
    (lambda d: (d / "zero.md").symlink_to("/dev/zero"), "zero.md:1: is a symlink to /dev/zero"),
    (lambda d: os.mkfifo(d / "pipe.md"), "pipe.md:1: is a named pipe (FIFO), not a text file"),
    (lambda d: (d / "gone.md").symlink_to("nowhere.md"), "gone.md:1: is a dangling symlink"),
])
def test_odd_files_named_md_are_refused_by_name_without_hanging(
        built: Path, make: object, says: str) -> None:
    before = tree_digest(built / "site")
    make(built / "content/entries/2022")  # type: ignore[operator]
    started = time.monotonic()
    done = sitegen(built, "build", "--config", "sitegen.toml")
    assert time.monotonic() - started < 30
    assert done.returncode == 1, done.stderr
    assert says in done.stderr
    assert "Traceback" not in done.stderr
    assert tree_digest(built / "site") == before


def test_a_fifo_never_freezes_the_preview(preview: Start, site_dir: Path) -> None:
    server = preview()
    fifo = site_dir / "content/entries/2022/pipe.md"
    os.mkfifo(fifo)
    until(lambda: get(server.url)[0] == 500, timeout=20)
    assert "is a named pipe (FIFO)" in page_of(server, "")
    fifo.unlink()
    write_files(site_dir, {"content/entries/2022/2022-12-31-after.md":
                           entry(title="After the pipe", date="2022-12-31")})
    until(lambda: "After the pipe" in get(server.url)[1], timeout=20)


def test_a_yaml_bomb_never_freezes_the_preview(preview: Start, site_dir: Path) -> None:
    server = preview()
    bomb = "".join(f"l{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10))
    write_files(site_dir, {"content/entries/2022/2022-12-31-bomb.md":
                           "---\ntitle: Bomb\nl0: &a0 [x]\n" + bomb + "---\nBody\n"})
    until(lambda: get(server.url)[0] == 500, timeout=20)
    assert "anchors and aliases" in page_of(server, "")
    assert ENTRIES  # the preview's entries are still there to come back to


def test_a_binary_config_is_a_clear_error(site_dir: Path) -> None:
    (site_dir / "bin.toml").write_bytes(bytes(range(256)) * 8)
    done = sitegen(site_dir, "build", "--config", "bin.toml")
    assert done.returncode == 1
    assert "bin.toml:2: the config is not UTF-8 text" in done.stderr  # byte 128, line 2
    assert "Traceback" not in done.stderr


def test_a_fifo_as_config_is_a_clear_error(site_dir: Path) -> None:
    os.mkfifo(site_dir / "pipe.toml")
    done = sitegen(site_dir, "build", "--config", "pipe.toml", timeout=30)
    assert done.returncode == 1
    assert "pipe.toml:1: cannot read config: it is a named pipe" in done.stderr


def no_space(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device", "site/entries/x/index.html")


@pytest.mark.parametrize("stage", ["pages", "search bundle"])
def test_a_full_disk_is_a_clear_message_and_the_previous_site_stays(
        built: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        stage: str) -> None:
    before = tree_digest(built / "site")
    write_files(built, {"content/entries/2022/2022-12-31-more.md": entry(title="More")})
    if stage == "pages":
        real = Path.write_bytes

        def full(self: Path, data: bytes) -> int:  # the disk fills while the pages are written
            if ".staging" in str(self):
                raise OSError(errno.ENOSPC, "No space left on device", str(self))
            return real(self, data)
        monkeypatch.setattr(Path, "write_bytes", full)
        monkeypatch.setattr(write, "_write_all", no_space)  # how Staging.put writes bytes
    else:
        monkeypatch.setattr(search, "_run_pagefind", no_space)
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    assert "the disk is full" in output and "free some space" in output
    assert "the previous site was left" in output
    assert "Traceback" not in output
    assert tree_digest(built / "site") == before
    assert not [p.name for p in built.iterdir() if "staging" in p.name]


def test_new_when_content_entries_is_a_file(site_dir: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    entries = site_dir / "content/entries"
    entries.rmdir()
    entries.write_text("my notes\n")
    code, output = run(site_dir, "new", "A title", "--date", "2022-12-30", capsys=capsys)
    assert code == 1
    assert "content/entries:1: is a file, not a folder" in output
    assert entries.read_text() == "my notes\n"


def test_init_onto_a_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("keep me\n")
    code = run_main(["init", str(target)], capsys)
    assert code[0] == 1
    assert "notes.txt:1: is a file, not a folder" in code[1]
    assert target.read_text() == "keep me\n"


def test_init_through_a_dangling_config_symlink_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "new-site"
    folder.mkdir()
    (folder / "sitegen.toml").symlink_to(tmp_path / "elsewhere" / "target.toml")
    code, output = run_main(["init", str(folder)], capsys)
    assert code == 1
    assert "sitegen.toml:1: is a dangling symlink" in output
    assert not (tmp_path / "elsewhere").exists()
    assert not (folder / "content").exists()


def run_main(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from sitegen.cli import main

    code = main(argv)
    out, err = capsys.readouterr()
    return code, out + err


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_ingest_published_at_the_ends_of_the_calendar_is_a_usage_error(
        site_dir: Path, day: str) -> None:
    (site_dir / "raw.txt").write_text("Yesterday a bridge reopened after repairs.\n")
    done = sitegen(site_dir, "ingest", "raw.txt", "--published", day, "--publisher", "Wire",
                   "--config", "sitegen.toml")
    assert done.returncode == 2
    assert f"'{day}' is out of range; give a date from 1000-01-01 to 9998-12-31" in done.stderr
    assert not (site_dir / "content/drafts").exists()


def test_ingest_date_stated_by_the_file_out_of_range_is_an_error(site_dir: Path) -> None:
    (site_dir / "raw.md").write_text("---\ntitle: Old\ndate: 0001-01-01\n---\n"
                                     "Yesterday a bridge reopened after repairs.\n")
    done = sitegen(site_dir, "ingest", "raw.md", "--publisher", "Wire", "--config",
                   "sitegen.toml")
    assert done.returncode == 1
    assert "raw.md:1: publication date 0001-01-01 is out of range" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_serve_with_an_impossible_port_is_a_usage_error(site_dir: Path, port: str) -> None:
    done = sitegen(site_dir, "serve", "--port", port, "--config", "sitegen.toml", timeout=30)
    assert done.returncode == 2
    assert f"argument --port: '{port}' is not a port" in done.stderr


def test_no_page_holds_script_after_the_careless_cases(built: Path) -> None:
    assert scripts_in_site(built / "site") == []


def test_a_reader_that_stops_reading_ends_the_command_quietly(site_dir: Path) -> None:
    """`sitegen ingest ... | head -1`: more output than a pipe holds, a reader that takes one
    line and goes. The command ends as a tool killed by SIGPIPE does: no message, exit 141."""
    article = site_dir / "briefing.txt"
    posts = "".join(f"-\nRepair crews restored power to district {n} of Lviv on Thursday.\n"
                    for n in range(800))
    article.write_text("Here is what we know:\n" + posts, encoding="utf-8")
    with subprocess.Popen(
            [sys.executable, "-m", "sitegen", "ingest", str(article), "--published",
             "2022-12-30", "--publisher", "Test Wire", "--dry-run", "--explain", "--config",
             str(site_dir / "sitegen.toml")], stdout=subprocess.PIPE,
            stderr=subprocess.PIPE) as child:
        assert child.stdout is not None and child.stderr is not None
        assert child.stdout.readline().strip()
        child.stdout.close()  # what `head` does once it has its line
        errors = child.stderr.read().decode()
        code = child.wait(timeout=60)
    assert errors == ""
    assert code == 141


@pytest.mark.parametrize("args", [
    ["build", "--out", "loop"], ["build", "--config", "loop"], ["check", "--config", "loop"],
    ["import", "loop", "--out", "imported"], ["import", "content", "--out", "loop"],
    ["ingest", "content", "--published", "2024-01-01", "--publisher", "X", "--out", "loop"],
    ["build", "config:output_dir"], ["build", "config:content_dir"], ["build", "config:theme"],
], ids=lambda a: " ".join(a))
def test_a_loop_of_symbolic_links_is_an_error_naming_it(built: Path, args: list[str]) -> None:
    # Python 3.11's Path.resolve() raised RuntimeError ("Symlink loop from ...") in each:
    # a traceback.
    (built / "loop").symlink_to("loop2")
    (built / "loop2").symlink_to("loop")
    if args[1].startswith("config:"):
        config = built / "sitegen.toml"
        config.write_text(f'{args[1].partition(":")[2]} = "loop"\n' + config.read_text())
        args = args[:1]
    before = tree_digest(built)
    ran = sitegen(built, *args)
    assert ran.returncode == 1 and "Traceback" not in ran.stderr, ran.stderr
    assert "error: loop" in ran.stderr and ":1: is a loop of symbolic links" in ran.stderr, \
        ran.stderr
    assert tree_digest(built) == before
