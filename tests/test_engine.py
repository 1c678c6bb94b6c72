"""The build engine: it owns only what it wrote, builds one at a time, publishes all or nothing,
keeps a cache that is data, and rebuilds only what changed — to the bytes of a fresh build."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import pickle
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen import cache as cache_module
from sitegen import load, pool, render, search, write
from sitegen.build import build
from sitegen.cache import Cache
from sitegen.config import load_config
from sitegen.errors import Problem, TemplateError
from tests.helpers import SITE_TOML, entry, run, tree_digest, write_files

MANIFEST = ".sitegen-manifest.json"


def entries(count: int, start_day: int = 1) -> dict[str, str]:
    """`count` entries over the last months of 2022, under a few topics."""
    topics = ["[belarus]", "[energy-grid]", "[aid, belarus]", "[energy-grid, aid]"]
    files = {}
    for i in range(count):
        day = 1 + (start_day + i) % 28
        month = 10 + (i // 28) % 3
        files[f"content/entries/2022/2022-{month:02d}-{day:02d}-event-{i}.md"] = entry(
            title=f"Event number {i}", date=f"2022-{month:02d}-{day:02d}",
            topics=topics[i % len(topics)], body=f"What happened in event {i}, in our words.")
    return files


def site_files(out: Path) -> dict[str, str]:
    """What a reader gets: every file's digest, without the manifest (bookkeeping) and with the
    search bundle's content-hashed chunks (unstable across Pagefind runs) by name only. A
    page's fragment is named by what it holds: its name is kept from the build that made it
    while it stays the same, so an edited site and a fresh build name it differently."""
    found: dict[str, str] = {}
    for name, value in tree_digest(out).items():
        if name.endswith(".pf_fragment"):
            value = hashlib.sha256(gzip.decompress((out / name).read_bytes())).hexdigest()
            name = f"{name.rsplit('/', 1)[0]}/{value}"
        elif name.startswith("pagefind/"):
            name, value = re.sub(r"_[0-9a-f]{7,}(?=\.)", "_#", name), "one more"
            value = found.get(name, "") + value
        if name != MANIFEST:
            found[name] = value.split(":")[0]
    return found


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sitegen", *args, "--config",
                           str(root / "sitegen.toml")], capture_output=True, text=True,
                          cwd=root, timeout=300, check=False)


# -- ownership -------------------------------------------------------------------------------

@pytest.mark.parametrize("out, why", [
    (".", "project folder"), ("content", "content folder"),
    ("content/entries", "inside the content folder"), ("..", "project folder"),
])
def test_refuses_to_build_over_the_project_or_its_content(
        site_dir: Path, capsys: pytest.CaptureFixture[str], out: str, why: str) -> None:
    write_files(site_dir, entries(2))
    (site_dir / ".git").mkdir()
    (site_dir / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    before = tree_digest(site_dir)
    code, output = run(site_dir, "build", "--out", str(site_dir / out), capsys=capsys)
    assert code == 2
    assert "refusing to build here" in output and why in output
    assert tree_digest(site_dir) == before


def test_output_dir_in_the_config_is_checked_too(site_dir: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    write_files(site_dir, entries(2))
    config = site_dir / "sitegen.toml"
    config.write_text('output_dir = "content"\n' + config.read_text())
    before = tree_digest(site_dir)
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 2 and "holds the content folder" in output
    assert tree_digest(site_dir) == before


def test_refuses_an_existing_file_and_a_folder_it_did_not_make(
        site_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write_files(site_dir, entries(2))
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    code, output = run(site_dir, "build", "--out", str(notes), capsys=capsys)
    assert code == 2 and "is an existing file" in output
    assert notes.read_text() == "my notes"

    home = tmp_path / "home"
    write_files(home, {"letter.txt": "dear", "index.html": "mine", "photos/a.jpg": b"\xff"})
    before = tree_digest(home)
    code, output = run(site_dir, "build", "--out", str(home), capsys=capsys)
    assert code == 2
    assert "files that sitegen did not write" in output and "--force" in output
    assert tree_digest(home) == before

    repo = tmp_path / "repo"
    write_files(repo, {".git/HEAD": "ref: refs/heads/main\n"})
    code, output = run(site_dir, "build", "--out", str(repo), capsys=capsys)
    assert code == 2 and "holds a .git repository" in output

    for vcs, marker in ((".git", "HEAD"), (".hg", "requires"), (".svn", "wc.db")):
        store = tmp_path / f"repo-{vcs[1:]}"
        write_files(store, {f"{vcs}/{marker}": "x\n"})
        before = tree_digest(store)
        for out, said in ((store, f"holds a {vcs} repository"),
                          (store / vcs / "pub", f"inside a {vcs} folder")):
            code, output = run(site_dir, "build", "--force", "--out", str(out), capsys=capsys)
            assert code == 2 and said in output, (out, output)
        assert tree_digest(store) == before  # not even the folder --out named was made


@pytest.mark.parametrize("walk_over", [0, 10**9])  # one walk of the folder; a stat a file
@pytest.mark.parametrize("in_the_way", ["file", "linked folder", "file as folder"])
def test_a_file_of_the_users_where_a_new_page_goes_is_never_overwritten(
        site_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, walk_over: int, in_the_way: str) -> None:
    monkeypatch.setattr(write, "WALK_OVER", walk_over)
    write_files(site_dir, entries(2))
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    mine = tmp_path / "mine"
    write_files(mine, {"index.html": "my page"})
    page = site_dir / "site/entries/2022-10-20-extra"
    if in_the_way == "file":
        write_files(page, {"index.html": "my page"})
    elif in_the_way == "linked folder":
        page.symlink_to(mine, target_is_directory=True)
    else:
        page.write_text("my notes")
    before = tree_digest(site_dir / "site"), tree_digest(mine)
    write_files(site_dir, {"content/entries/2022/2022-10-20-extra.md": entry(
        title="One more event", date="2022-10-20", body="It happened, in our words.")})
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 2 and "2022-10-20-extra" in output, output
    assert (tree_digest(site_dir / "site"), tree_digest(mine)) == before


def test_force_adopts_a_folder_but_never_deletes_what_it_did_not_write(
        site_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    files = entries(3)
    write_files(site_dir, files)
    home = tmp_path / "home"
    write_files(home, {"letter.txt": "dear", "photos/a.jpg": b"\xff"})
    code, _ = run(site_dir, "build", "--out", str(home), "--force", capsys=capsys)
    assert code == 0
    assert (home / "index.html").is_file()
    gone = next(iter(files))
    (site_dir / gone).unlink()  # its page is now stale: pruned, being sitegen's own
    code, _ = run(site_dir, "build", "--out", str(home), capsys=capsys)
    assert code == 0
    assert not (home / "entries" / Path(gone).stem).exists()
    assert (home / "letter.txt").read_text() == "dear"
    assert (home / "photos/a.jpg").read_bytes() == b"\xff"


def test_a_build_into_the_packaged_theme_is_refused(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # It was allowed: every later build of every site then published the folder (the
    # theme's static files), nesting it deeper each time.
    from sitegen.config import PACKAGED_THEME

    write_files(site_dir, entries(2))
    inside = PACKAGED_THEME / "static" / "test-out-of-a-build"
    try:
        code, output = run(site_dir, "build", "--force", "--out", str(inside), capsys=capsys)
        assert code == 2 and "is inside the theme" in output, output
        assert not inside.exists()
    finally:
        shutil.rmtree(inside, ignore_errors=True)


def test_force_never_replaces_a_file_it_did_not_write(
        site_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # --force adopted the folder and overwrote the user's own index.html and feed.xml, while
    # its warning said that files sitegen did not write are kept.
    write_files(site_dir, entries(3))
    www = tmp_path / "www"
    write_files(www, {"index.html": "my homepage", "feed.xml": "my feed", "notes.txt": "n"})
    before = tree_digest(www)
    code, output = run(site_dir, "build", "--out", str(www), "--force", capsys=capsys)
    assert code == 2 and "Traceback" not in output, output
    for rel in ("index.html", "feed.xml"):
        assert f"www/{rel}:1: sitegen did not write this file" in output, output
    assert "notes.txt" not in output
    assert tree_digest(www) == before
    # moved away, the build adopts the folder; the user's other file stays
    (www / "index.html").rename(tmp_path / "my-index.html")
    (www / "feed.xml").unlink()
    code, output = run(site_dir, "build", "--out", str(www), "--force", capsys=capsys)
    assert code == 0, output
    assert (www / "notes.txt").read_text() == "n" and (www / "index.html").is_file()
    # the same bytes as sitegen's own are no loss: a copy of its pages adopted again (the
    # search bundle is left out: each Pagefind run names its files anew)
    copy = tmp_path / "copy"
    shutil.copytree(www, copy, ignore=shutil.ignore_patterns("pagefind*"))
    (copy / write.MANIFEST).unlink()
    (copy / "index.html").write_text("changed")
    code, output = run(site_dir, "build", "--out", str(copy), "--force", "--no-search",
                       capsys=capsys)
    assert code == 2 and output.count("error:") == 1 and "copy/index.html:1:" in output, output
    (copy / "index.html").unlink()
    code, output = run(site_dir, "build", "--out", str(copy), "--force", "--no-search",
                       capsys=capsys)
    assert code == 0, output
    ours = {k: v for k, v in site_files(www).items() if not k.startswith("pagefind")}
    assert {k: v for k, v in site_files(copy).items() if not k.startswith("pagefind")} == ours


def test_a_page_changed_by_hand_is_not_overwritten(site_dir: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    write_files(site_dir, entries(3))
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    home = site_dir / "site/index.html"
    home.write_text("my hand-made home page")
    path = site_dir / next(iter(entries(3)))
    path.write_text(path.read_text().replace("Event number 0", "Event zero"))
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 2
    assert "site/index.html:1: this file was changed after sitegen wrote it" in output
    assert home.read_text() == "my hand-made home page"


def test_stale_pages_of_its_own_are_pruned(site_dir: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    files = entries(3)
    write_files(site_dir, files)
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    (site_dir / "site/my-extra.txt").write_text("keep me")  # not sitegen's: never removed
    first = next(iter(files))
    (site_dir / first).unlink()
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 0 and "removed" in output
    assert not (site_dir / "site/entries" / Path(first).stem).exists()
    assert (site_dir / "site/my-extra.txt").read_text() == "keep me"



@pytest.mark.parametrize("walk_over", [0, 10**9])  # one walk of the folder; a stat a file
def test_a_folder_of_the_site_replaced_by_a_link_is_never_written_through(
        site_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, walk_over: int) -> None:
    # `site/entries` made a link to a folder of the user's: the new entry's page (nothing in
    # its way, seen through the link) was written into that folder, outside the site.
    monkeypatch.setattr(write, "WALK_OVER", walk_over)
    write_files(site_dir, entries(2))
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    mine = tmp_path / "mine"
    write_files(mine, {"notes.txt": "mine"})
    (site_dir / "site/entries").rename(tmp_path / "moved")
    (site_dir / "site/entries").symlink_to(mine, target_is_directory=True)
    write_files(site_dir, {"content/entries/2022/2022-10-20-extra.md": entry(
        title="One more event", date="2022-10-20", body="It happened, in our words.")})
    code, output = run(site_dir, "build", "--force", capsys=capsys)
    assert code == 2 and "site/entries/2022-10-20-extra/index.html:1" in output, output
    assert "symbolic link" in output and "Traceback" not in output
    assert tree_digest(mine) == {"notes.txt": tree_digest(mine)["notes.txt"]}
    assert not (site_dir / ".site.staging").exists()


@pytest.mark.parametrize("in_the_way", ["folder as file", "file as folder"])
def test_force_refuses_a_folder_where_a_file_goes_before_moving_anything(
        site_dir: Path, capsys: pytest.CaptureFixture[str], in_the_way: str) -> None:
    # --force let the build plan to replace these, and the commit failed half way: some new
    # files in place, the old manifest, "left as it was" said, and the next build took its
    # own new files for pages changed by hand.
    write_files(site_dir, entries(3))
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    site = site_dir / "site"
    if in_the_way == "folder as file":
        target, rel = site / "feed.xml", "feed.xml"
        target.unlink()
        write_files(target, {"mine.txt": "mine"})
    else:
        target, rel = site / "topics/belarus", "topics/belarus/index.html"
        for path in sorted(target.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        target.rmdir()
        target.write_text("mine")
    before = tree_digest(site)
    path = site_dir / next(iter(entries(3)))
    path.write_text(path.read_text().replace("Event number 0", "Event zero"))
    code, output = run(site_dir, "build", "--force", capsys=capsys)
    assert code == 2 and f"site/{rel}:1:" in output and "move it away" in output, output
    assert tree_digest(site) == before
    assert not (site_dir / ".site.staging").exists()
    if target.is_dir():
        for child in sorted(target.rglob("*"), reverse=True):
            child.unlink()
        target.rmdir()
    else:
        target.unlink()
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 0, output

# -- one build at a time, all or nothing -----------------------------------------------------

def test_two_builds_at_once_end_with_one_complete_site(site_dir: Path, tmp_path: Path) -> None:
    write_files(site_dir, entries(300))
    first = subprocess.Popen([sys.executable, "-m", "sitegen", "build", "--config",
                              str(site_dir / "sitegen.toml")], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, cwd=site_dir)
    time.sleep(0.3)
    second = cli(site_dir, "build")
    out1, err1 = first.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 0, err1 + second.stderr
    assert "Traceback" not in err1 + second.stderr
    clean = tmp_path / "clean"
    assert cli(site_dir, "build", "--out", str(clean)).returncode == 0
    assert site_files(site_dir / "site") == site_files(clean)


def test_no_wait_exits_with_a_clear_message_while_another_build_runs(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import fcntl

    write_files(site_dir, entries(2))
    lock = site_dir / ".site.lock"
    with open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("4242\n")
        held.flush()
        code, output = run(site_dir, "build", "--no-wait", capsys=capsys)
    assert code == 2
    assert "another build of" in output and "is running (process 4242)" in output
    assert not (site_dir / "site").exists()



@pytest.mark.parametrize("kind", ["link", "fifo"])
def test_a_lock_file_that_is_a_link_or_a_fifo_is_refused_and_its_target_kept(
        site_dir: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    # The lock was opened through a link and truncated to the pid: a file of the user's
    # (one a project from anywhere may point `.site.lock` at) lost its bytes. A FIFO showed
    # "Invalid argument" and no path.
    write_files(site_dir, entries(2))
    victim = site_dir / "precious.txt"
    victim.write_text("precious")
    lock = site_dir / ".site.lock"
    if kind == "link":
        lock.symlink_to(victim)
    else:
        os.mkfifo(lock)
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 2 and ".site.lock:1:" in output and "remove it" in output, output
    assert victim.read_text() == "precious"
    assert not (site_dir / "site").exists()

def test_a_build_killed_anywhere_then_rebuilt_equals_a_clean_build(
        site_dir: Path, tmp_path: Path) -> None:
    write_files(site_dir, entries(200))
    assert cli(site_dir, "build").returncode == 0
    clean = tmp_path / "clean"
    for attempt, delay in enumerate((0.15, 0.4, 0.8, 1.3)):
        # an edit that touches most pages, so the killed build has much to publish
        write_files(site_dir, {"sitegen.toml": (site_dir / "sitegen.toml").read_text()
                               .replace('title = "Test Timeline', f'title = "T{attempt}')})
        victim = subprocess.Popen([sys.executable, "-m", "sitegen", "build", "--config",
                                   str(site_dir / "sitegen.toml")], cwd=site_dir,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        rebuilt = cli(site_dir, "build")
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert "Traceback" not in rebuilt.stderr
        assert cli(site_dir, "build", "--out", str(clean / str(attempt))).returncode == 0
        assert site_files(site_dir / "site") == site_files(clean / str(attempt))
        assert not list(site_dir.glob(".site.staging*"))


def _forked_children(pid: int) -> list[int]:
    """The processes `pid` forked (its pool's workers): its children running its program."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rpartition(")")[2].split()[1])
            same = ppid == pid and (stat.parent / "cmdline").read_bytes() == \
                Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if same:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs Linux's /proc")
def test_a_build_killed_while_its_pool_works_does_not_hold_the_next_one_up(
        site_dir: Path) -> None:
    # Killed outright (SIGKILL, the OOM killer): its workers, which inherited the build's
    # lock, must not live on and make every later build wait for a build long gone
    write_files(site_dir, entries(300))
    victim = subprocess.Popen([sys.executable, "-m", "sitegen", "build", "--config",
                               str(site_dir / "sitegen.toml")], cwd=site_dir,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    deadline = time.monotonic() + 120
    while len(workers) < 2 and victim.poll() is None and time.monotonic() < deadline:
        workers = _forked_children(victim.pid)
        time.sleep(0.01)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    assert len(workers) >= 2, "the build ended before its pool was seen"
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{w}").exists() for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        rebuilt = cli(site_dir, "build", "--no-wait")
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert "another build" not in rebuilt.stderr
        assert (site_dir / "site" / "index.html").is_file()
    finally:
        for worker in workers:  # without the fix they would wait forever
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker, signal.SIGKILL)


def _built_then_retitled(site_dir: Path, count: int,
                          capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    """A site of `count` entries, built, then retitled (its next build remakes every page):
    the built site's digests."""
    write_files(site_dir, entries(count))
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    before = tree_digest(site_dir / "site")
    config = site_dir / "sitegen.toml"
    config.write_text(config.read_text().replace("Test Timeline", "Renamed"))
    return before


def test_a_full_disk_leaves_the_site_exactly_as_it_was(
        site_dir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    before = _built_then_retitled(site_dir, 3, capsys)
    real = Path.write_bytes
    calls = []

    def full(self: Path, data: bytes) -> int:
        if ".search-" in str(self):  # the search bundle's work folder, beside the site
            return real(self, data)
        calls.append(self)
        if len(calls) > 3:
            raise OSError(28, "No space left on device", str(self))
        return real(self, data)
    written = write._write_all

    def full_fd(fd: int, data: bytes) -> None:  # what Staging.put writes bytes with
        calls.append(fd)
        if len(calls) > 3:
            raise OSError(28, "No space left on device")
        written(fd, data)
    monkeypatch.setattr(Path, "write_bytes", full)
    monkeypatch.setattr(write, "_write_all", full_fd)
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 1
    assert "the disk is full" in output and "previous site was left exactly as it was" in output
    assert "Traceback" not in output
    assert tree_digest(site_dir / "site") == before


@pytest.mark.parametrize("workers", [1, 2])
def test_a_build_that_fails_mid_render_leaves_the_site_and_no_staging(
        site_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    before = _built_then_retitled(site_dir, 40, capsys)
    staging, seen = site_dir / ".site.staging", tmp_path / "staged"
    real, calls, limit = render.render_page, [], 25 if workers == 1 else 5

    def fails_later(*args: object) -> bytes:  # pages go to staging as made, then one fails
        calls.append(1)  # in each process (forked workers count their own)
        if len(calls) > limit:
            seen.write_text(str(sum(1 for _ in staging.rglob("*.html"))))
            raise TemplateError(Problem(site_dir / "theme.html", 3, "a template went wrong"))
        return real(*args)  # type: ignore[arg-type]
    monkeypatch.setattr(render, "render_page", fails_later)
    monkeypatch.setattr(pool, "MIN_ITEMS", 2)
    with pytest.raises(TemplateError, match="a template went wrong"):
        build(load_config(site_dir / "sitegen.toml"), Cache(site_dir / ".sitegen-cache"),
              workers=workers)
    assert int(seen.read_text()) >= limit, "rendered pages go into staging as they are made"
    assert tree_digest(site_dir / "site") == before
    assert not list(site_dir.glob(".site.staging*"))
    monkeypatch.undo()
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    assert "Renamed" in (site_dir / "site/index.html").read_text()


def _index_signal(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """An event set as soon as the build starts indexing for search."""
    started, real = threading.Event(), search.index_partitions

    def index(*args: Any, **kwargs: Any) -> Any:
        started.set()
        return real(*args, **kwargs)
    monkeypatch.setattr(search, "index_partitions", index)
    return started


def test_search_indexing_begins_before_the_list_pages_are_rendered(
        site_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Pagefind reads only the entry pages, so it runs beside the timeline, topic pages,
    # feeds and exports: the first list page waits here until indexing has begun
    write_files(site_dir, entries(30))
    started, real, waited = _index_signal(monkeypatch), render.render_page, []

    def render_page(env: Any, page: Any, *rest: Any) -> Any:
        if page.template != "entry.html" and not waited:
            waited.append(started.wait(120))
        return real(env, page, *rest)
    monkeypatch.setattr(render, "render_page", render_page)
    config = load_config(site_dir / "sitegen.toml")
    build(config, Cache(None), out=tmp_path / "beside", workers=1)
    monkeypatch.undo()
    build(config, Cache(None), out=tmp_path / "after", workers=1)
    assert waited == [True]
    assert site_files(tmp_path / "beside") == site_files(tmp_path / "after")


def test_a_list_page_failing_while_search_indexes_leaves_the_site_as_it_was(
        site_dir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    before = _built_then_retitled(site_dir, 30, capsys)
    started, real = _index_signal(monkeypatch), render.render_page

    def render_page(env: Any, page: Any, *rest: Any) -> Any:
        if page.template != "entry.html" and started.wait(120):
            raise TemplateError(Problem(site_dir / "timeline.html", 3, "a list page failed"))
        return real(env, page, *rest)
    monkeypatch.setattr(render, "render_page", render_page)
    with pytest.raises(TemplateError, match="a list page failed"):
        build(load_config(site_dir / "sitegen.toml"), Cache(site_dir / ".sitegen-cache"), workers=1)
    assert started.is_set()
    assert tree_digest(site_dir / "site") == before
    left = {p.name for p in site_dir.glob(".site.*")} - {".site.lock"}
    assert not left, "no staging or search work folder is left"
    monkeypatch.undo()
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    assert "Renamed" in (site_dir / "site/index.html").read_text()


def test_a_build_keeps_no_rendered_page_in_memory_past_staging(
        site_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(site_dir, entries(30))
    monkeypatch.setattr(pool, "MIN_ITEMS", 2)
    seen: list[object] = []
    real = write.plan_writes

    def spy(out: Path, manifest: write.Manifest, outputs: dict[str, write.Planned],
            **kwargs: bool) -> object:
        seen.extend(p.data for p in outputs.values())
        return real(out, manifest, outputs, **kwargs)
    monkeypatch.setattr(write, "plan_writes", spy)
    build(load_config(site_dir / "sitegen.toml"), Cache(None), out=tmp_path / "out", workers=2,
          search=False)
    assert seen and all(isinstance(d, write.Staged) for d in seen)
    pages = {rel: p for rel, p in tree_digest(tmp_path / "out").items() if rel != MANIFEST}
    assert len(pages) == len(seen)


def test_the_program_ends_at_once_yet_keeps_its_output_cache_and_exit_code(
        site_dir: Path) -> None:
    # `sitegen` leaves by os._exit (cli.leave): what it wrote, printed and cached is all there
    write_files(site_dir, entries(5))
    built = cli(site_dir, "build")
    assert built.returncode == 0 and "Built 5 entries" in built.stderr, built.stderr
    again = cli(site_dir, "build")  # the stamp and snapshot were committed: a no-op
    assert again.returncode == 0 and "0 files written" in again.stderr, again.stderr
    (site_dir / "content/entries/bad.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    failed = cli(site_dir, "build")
    assert failed.returncode == 1 and "bad.md:3: YAML" in failed.stderr, failed.stderr
    assert cli(site_dir, "nonsense").returncode == 2
    # under a profiler the program returns to it, which then writes its report
    profiled = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(site_dir / "prof"),
                               "-m", "sitegen", "build", "--config", str(site_dir / "sitegen.toml"),
                               "--out", str(site_dir / "other")], capture_output=True, text=True,
                              cwd=site_dir, timeout=300, check=False)
    # (cProfile itself exits 0 whatever the program's code)
    assert "bad.md:3: YAML" in profiled.stderr and (site_dir / "prof").stat().st_size > 0


@pytest.mark.parametrize("closed", ["1", "2"])  # stdout, stderr
def test_the_program_started_with_an_output_closed_builds_and_exits_0(site_dir: Path,
                                                                     closed: str) -> None:
    # a cron job or a service may start it with no stdout or stderr (Python's is then None)
    write_files(site_dir, entries(3))
    ran = subprocess.run(["sh", "-c", f'exec "$0" "$@" {closed}>&-', sys.executable, "-m",
                          "sitegen", "build", "--config", str(site_dir / "sitegen.toml")],
                         capture_output=True, text=True, cwd=site_dir, timeout=300, check=False)
    assert ran.returncode == 0 and "Traceback" not in ran.stdout + ran.stderr, ran.stderr
    assert "Event number 2" in (site_dir / "site/index.html").read_text()


def test_leaving_flushes_the_output_and_waits_for_a_thread_still_running(
        tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import sys, threading, time
        from pathlib import Path
        from sitegen.cli import leave
        print("x" * 100_000, end="")  # held in stdout's buffer, to a pipe
        if sys.argv[1] == "thread":
            threading.Thread(target=lambda: (time.sleep(0.3),
                                             Path({str(tmp_path / "late")!r}).write_text("done")),
                             ).start()
        leave(3)
    """)
    for mode in ("alone", "thread"):
        ran = subprocess.run([sys.executable, "-c", script, mode], capture_output=True,
                             text=True, timeout=60, check=False)
        assert ran.returncode == 3 and ran.stdout == "x" * 100_000, ran.stderr
    assert (tmp_path / "late").read_text() == "done"


# -- the cache is data -------------------------------------------------------------------------

def test_a_crafted_pickle_in_the_cache_runs_nothing(site_dir: Path, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    write_files(site_dir, entries(2))
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))
    cache = site_dir / ".sitegen-cache"
    cache.mkdir()
    (cache / "memo.pickle").write_bytes(pickle.dumps(Evil()))
    (cache / "cache.sqlite").write_bytes(pickle.dumps(Evil()))
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 0
    assert not marker.exists()
    assert "made afresh" in output and (cache / "cache.sqlite.corrupt").is_file()
    assert (site_dir / "site/index.html").is_file()


def test_a_cache_row_naming_a_foreign_type_is_refused(site_dir: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    write_files(site_dir, entries(2))
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    db = sqlite3.connect(site_dir / ".sitegen-cache/cache.sqlite")
    evil = json.dumps({"$c": "Popen", "f": {"args": ["touch", "x"]}})
    db.execute("UPDATE entries SET data = ?", (evil,))
    db.commit()
    db.close()
    # a new description: a full build, which reads the rows (an edit's fast path may not)
    config = site_dir / "sitegen.toml"
    config.write_text(config.read_text().replace("A timeline for tests.", "Described anew."))
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 0 and "unreadable entry row" in output
    assert not (site_dir / "x").exists()


@pytest.mark.parametrize("damage", ["garbage", "pages overwritten"])
def test_a_damaged_cache_is_made_afresh_with_one_warning(
        site_dir: Path, damage: str, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(site_dir, entries(4))
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    cache = site_dir / ".sitegen-cache" / "cache.sqlite"
    db = sqlite3.connect(cache)  # its write-ahead log into the file, as a last close does
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(cache.read_bytes())
    assert len(data) > 8192
    if damage == "garbage":
        data = bytearray(os.urandom(len(data)))
    else:  # sqlite's header intact, the pages after it not: found when they are read
        data[4096:] = os.urandom(len(data) - 4096)
    cache.write_bytes(bytes(data))
    write_files(site_dir, {"content/entries/2022/2022-10-02-event-0.md": entry(
        title="Retitled", date="2022-10-02", topics="[belarus]", body="In our words.")})
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 0 and "Traceback" not in output, output
    assert output.count("warning:") == 1 and ("made afresh" in output or
                                              "building without it" in output), output
    assert (site_dir / ".sitegen-cache" / "cache.sqlite.corrupt").is_file()
    time.sleep(2.1)
    again = run(site_dir, "build", capsys=capsys)  # a new cache: no warning, and it is used
    assert again[0] == 0 and "warning" not in again[1], again[1]
    assert run(site_dir, "build", capsys=capsys)[1].count("0 files written") == 1
    assert cli(site_dir, "build", "--out", str(site_dir.parent / "clean")).returncode == 0
    assert site_files(site_dir / "site") == site_files(site_dir.parent / "clean")


@pytest.mark.parametrize("make_bad", ["plain file", "garbage", "unwritable"])
def test_a_bad_cache_is_ignored_with_one_warning(site_dir: Path, make_bad: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    write_files(site_dir, entries(2))
    cache = site_dir / ".sitegen-cache"
    if make_bad == "plain file":
        cache.write_text("not a folder")
    elif make_bad == "garbage":
        cache.mkdir()
        (cache / "cache.sqlite").write_bytes(os.urandom(4096))
    else:
        cache.mkdir()
        cache.chmod(0o500)
        if os.geteuid() == 0:
            (cache / "cache.sqlite").mkdir()  # root ignores permissions; a folder cannot open
    try:
        code, output = run(site_dir, "build", capsys=capsys)
    finally:
        if cache.is_dir():
            cache.chmod(0o700)
    assert code == 0, output
    assert output.count("warning:") == 1
    assert output.count("made afresh" if make_bad == "garbage" else "building without it") == 1
    assert "Traceback" not in output
    if make_bad == "plain file":  # the fix it names is for what is there
        assert "delete the file to start afresh" in output, output
    assert (site_dir / "site/index.html").is_file()



@pytest.mark.parametrize("linked", [False, True], ids=["a file", "a link to one"])
def test_a_database_of_someone_elses_as_the_cache_is_kept_whole(
        site_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        linked: bool) -> None:
    # Any SQLite file at .sitegen-cache/cache.sqlite (or a link there to one, which a
    # project from anywhere may hold) had every table dropped, without a word, and was put
    # in WAL mode.
    write_files(site_dir, entries(2))
    theirs = tmp_path / "bookmarks.sqlite" if linked else \
        site_dir / ".sitegen-cache" / "cache.sqlite"
    (site_dir / ".sitegen-cache").mkdir()
    db = sqlite3.connect(theirs)
    db.execute("CREATE TABLE bookmarks (url TEXT)")
    db.execute("INSERT INTO bookmarks VALUES ('https://example.org/')")
    db.commit()
    db.close()
    if linked:
        (site_dir / ".sitegen-cache" / "cache.sqlite").symlink_to(theirs)
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 0 and "Traceback" not in output, output
    assert output.count("warning:") == 1 and "kept as cache.sqlite.foreign" in output, output
    kept = site_dir / ".sitegen-cache" / "cache.sqlite.foreign"
    assert os.path.lexists(kept)
    db = sqlite3.connect(kept)
    assert db.execute("SELECT url FROM bookmarks").fetchall() == [("https://example.org/",)]
    assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    db.close()
    time.sleep(2.1)
    again = run(site_dir, "build", capsys=capsys)  # a new cache of its own: no warning
    assert again[0] == 0 and "warning" not in again[1], again[1]

# -- only what changed ------------------------------------------------------------------------

def test_second_build_all_builds_nothing(site_dir: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(site_dir, entries(5))
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    before = tree_digest(site_dir / "site")
    time.sleep(2.1)  # past the racy window: the inputs' stats can now be trusted
    assert run(site_dir, "build", capsys=capsys)[0] == 0  # now the stamp holds
    calls: list[str] = []
    monkeypatch.setattr(load, "parse_entry", lambda *a: calls.append("parse"))
    monkeypatch.setattr(render, "render_page", lambda *a: calls.append("render"))
    monkeypatch.setattr("sitegen.search._run_pagefind", lambda *a: calls.append("index"))
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 0
    assert calls == []
    assert "0 files written" in output and "search index unchanged" in output
    assert tree_digest(site_dir / "site") == before


def test_a_pooled_build_equals_a_one_process_build(site_dir: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(site_dir, entries(60))
    write_files(site_dir, {  # files the bodies link to, found by the render workers
        "content/entries/2022/2022-12-30-mapped.md": entry(
            "Mapped event", body="A map: ![the map](img/map.png)."),
        "content/entries/2022/img/map.png": b"\x89PNG not really",
        "content/entries/2022/2022-12-29-bundled/index.md": entry("Bundled event"),
        "content/entries/2022/2022-12-29-bundled/notes.txt": "Notes beside the entry.\n"})
    monkeypatch.setattr(pool, "MIN_ITEMS", 2)
    config = load_config(site_dir / "sitegen.toml")
    build(config, Cache(None), out=tmp_path / "one", workers=1, search=False)
    build(config, Cache(None), out=tmp_path / "pool", workers=2, search=False)
    one, pooled = site_files(tmp_path / "one"), site_files(tmp_path / "pool")
    assert one == pooled and len(one) > 60
    assert (tmp_path / "pool/entries/2022-12-30-mapped/img/map.png").read_bytes() == \
        b"\x89PNG not really"
    assert (tmp_path / "pool/entries/2022-12-29-bundled/notes.txt").is_file()


@given(items=st.integers(1, 300_000), workers=st.integers(1, 8))
def test_a_pools_chunks_send_every_item_once_in_order_the_last_ones_small(
        items: int, workers: int) -> None:
    # Equal chunks left one worker alone with its last one at the end of a parse: the chunks
    # shrink toward the end (and are never larger than the equal ones were).
    starts, sizes = pool._chunks(items, workers)
    assert starts[0] == 0
    assert [s + n for s, n in zip(starts, sizes, strict=True)] == [*starts[1:], items]
    assert max(sizes) <= -(-items // (workers * pool.CHUNKS_PER_WORKER))
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-1] <= pool.LEAST_CHUNK


@pytest.mark.parametrize("workers", [1, 2])
def test_a_cold_builds_page_keys_are_those_a_later_build_works_out(
        site_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    # A cold build keys its pages while the pool renders them; a build that finds them on
    # disk (its cache deleted: no quick path) must see every one as made from its inputs.
    write_files(site_dir, entries(60))
    monkeypatch.setattr(pool, "MIN_ITEMS", 2)
    config = load_config(site_dir / "sitegen.toml")
    build(config, Cache(site_dir / ".cache-1"), out=tmp_path / "out", workers=workers,
          search=False)
    renders: list[int] = []
    real = render.render_page
    monkeypatch.setattr(render, "render_page", lambda *a: renders.append(1) or real(*a))
    again = build(config, Cache(site_dir / ".cache-2"), out=tmp_path / "out", workers=1,
                  search=False)
    assert renders == [] and again.stats.written == 0 and again.stats.unchanged > 60


# -- incremental equals from scratch, for any history of edits --------------------------------

_OPS = st.lists(st.tuples(
    st.sampled_from(["add", "edit", "body", "rename", "delete", "retitle-site"]),
    st.integers(0, 7),  # which entry
    st.integers(1, 28),  # a day of December 2022
    st.sampled_from(["[belarus]", "[aid]", "[energy-grid, aid]", "[]"]),
), min_size=1, max_size=6)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=st.lists(_OPS, min_size=1, max_size=3))
def test_any_history_of_edits_builds_to_the_bytes_of_a_fresh_build(
        history: list[list[tuple[str, int, int, str]]], tmp_path_factory: pytest.TempPathFactory,
) -> None:
    root = tmp_path_factory.mktemp("history")
    write_files(root, {"sitegen.toml": SITE_TOML, **entries(4)})
    clock = [time.time() - 3600.0]  # every write gets its own mtime, older than the racy window
    cache = Cache(root / ".sitegen-cache")
    out = root / "site"
    for step, ops in enumerate(history):
        for op, n, day, topics in ops:
            _apply(root, op, n, day, topics, clock)
        config = load_config(root / "sitegen.toml")
        build(config, cache, out=out, search=False, workers=1)
        build(load_config(root / "sitegen.toml"), Cache(None), out=root / f"fresh{step}",
              search=False, workers=1)
        assert site_files(out) == site_files(root / f"fresh{step}")


def _apply(root: Path, op: str, n: int, day: int, topics: str, clock: list[float]) -> None:
    folder = root / "content/entries"
    files = sorted(folder.rglob("*.md"))
    target = files[n % len(files)] if files else None
    if op == "retitle-site":
        path = root / "sitegen.toml"
        text = path.read_text()
        path.write_text(text.replace('title = "', 'title = "Re', 1))
    elif op == "add" or target is None:
        path = folder / f"2022-12-{day:02d}-added-{n}-{len(files)}.md"
        path.write_text(entry(title=f"Added {n}", date=f"2022-12-{day:02d}", topics=topics))
    elif op == "edit":
        path = target
        path.write_text(entry(title=f"Edited {n} ({clock[0]:.0f})", date=f"2022-12-{day:02d}",
                              topics=topics))
    elif op == "body":  # the body alone: the fast path (see quick.py)
        path = target
        text = path.read_text()
        head, _, body = text.partition("\n---\n")
        path.write_text(f"{head}\n---\nRewritten on day {day} ({clock[0]:.0f}).\n{body}")
    elif op == "rename":
        path = target.with_name(f"2022-12-{day:02d}-renamed-{n}.md")
        if any(f.name == path.name for f in files):
            return  # that slug is taken (in this folder or another): a rename a build refuses
        target.rename(path)
    else:
        if len(files) > 1:
            target.unlink()
        return
    clock[0] += 1.0
    os.utime(path, (clock[0], clock[0]))


def test_a_build_after_sitegen_itself_changed_equals_a_fresh_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # An upgrade, or a `git pull` into an editable install, changes how content renders
    # without a new __version__: nothing the old code made may be kept (a real blog kept an
    # entry page with the old heading ids, while its files had not changed).
    write_files(tmp_path, {"sitegen.toml": SITE_TOML, **entries(4)})
    out = tmp_path / "site"
    old = (time.time() - 3600.0,) * 2  # past the racy window: a no-op may be a stat alone
    for path in (tmp_path / "content").rglob("*.md"):
        os.utime(path, old)
    build(load_config(tmp_path / "sitegen.toml"), Cache(tmp_path / ".sitegen-cache"), out=out,
          search=False, workers=1)
    real = load.render_body
    monkeypatch.setattr(load, "render_body", lambda *a: real(*a).replace("<p>", '<p class="n">'))
    monkeypatch.setattr(cache_module, "code_version", lambda: "0.1.0+other-code")
    build(load_config(tmp_path / "sitegen.toml"), Cache(tmp_path / ".sitegen-cache"), out=out,
          search=False, workers=1)
    build(load_config(tmp_path / "sitegen.toml"), Cache(None), out=tmp_path / "fresh",
          search=False, workers=1)
    assert site_files(out) == site_files(tmp_path / "fresh")
    assert '<p class="n">What happened in event 2' in \
        (out / "entries/2022-10-04-event-2/index.html").read_text()


def test_a_first_build_stopped_after_moving_its_site_in_is_finished(
        site_dir: Path, tmp_path: Path) -> None:
    # A first build moves its whole staged site into place in one rename, journal included,
    # then removes the journal: stopped in between, the next build removes it.
    write_files(site_dir, entries(3))
    assert cli(site_dir, "build").returncode == 0
    (site_dir / "site" / ".sitegen-commit.json").write_text(
        '{"write": ["index.html", ".sitegen-manifest.json"], "remove": []}')
    rebuilt = cli(site_dir, "build")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert not (site_dir / "site" / ".sitegen-commit.json").exists()
    assert cli(site_dir, "build", "--out", str(tmp_path / "clean")).returncode == 0
    assert site_files(site_dir / "site") == site_files(tmp_path / "clean")


def test_a_journal_left_beside_the_site_touches_only_files_sitegen_wrote(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # "Finishing a build that was stopped" moved and removed whatever a journal beside the
    # site named (one may come with a project from anywhere): the user's NOTES.txt deleted,
    # their CNAME replaced.
    write_files(site_dir, entries(3))
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    site = site_dir / "site"
    write_files(site, {"NOTES.txt": "my notes", "CNAME": "example.org"})
    before = tree_digest(site)
    page = next(iter(sorted(site.glob("entries/*/index.html"))))
    write_files(site_dir, {".site.staging/CNAME": "evil", ".site.staging/index.html": "evil",
                           f".site.staging/{page.relative_to(site)}": "evil",
                           ".site.staging/.sitegen-commit.json": json.dumps({
                               "write": ["CNAME", "index.html"], "remove": ["NOTES.txt"]})})
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 0 and "Traceback" not in output, output
    assert output.count("kept as it is") == 3, output
    assert tree_digest(site) == before
    assert not (site_dir / ".site.staging").exists()


def test_a_build_stopped_after_its_journal_keeps_a_page_changed_since(
        site_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Stopped with its journal written, a build is finished by the next one: all but the
    # page the user changed in between, which is kept (and no longer counted as sitegen's).
    files = entries(4)
    write_files(site_dir, files)
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    site = site_dir / "site"
    first, gone = sorted(files)[:2]
    path = site_dir / first
    path.write_text(path.read_text().replace("Event number", "The event numbered"))
    (site_dir / gone).unlink()
    real = write.commit

    def stopped(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt  # as a kill would leave it: the journal written, nothing moved
    monkeypatch.setattr(write, "commit", stopped)
    assert run(site_dir, "build", capsys=capsys)[0] != 0
    monkeypatch.setattr(write, "commit", real)
    assert (site_dir / ".site.staging" / write.JOURNAL).is_file()
    home = site / "index.html"
    home.write_text("my own home page")
    stale = site / "entries" / Path(gone).stem / "index.html"
    stale.write_text("my notes on it")
    # the stopped build is finished; then this one refuses to replace the user's home page,
    # as any file not sitegen's (the stale page, no longer made, is simply left alone)
    code, output = run(site_dir, "build", capsys=capsys)
    assert "Finishing a build that was stopped" in output, output
    assert output.count("kept as it is") == 2, output
    assert code == 2 and output.count("error:") == 1, output
    assert "site/index.html:1: sitegen did not write this file" in output, output
    assert home.read_text() == "my own home page" and stale.read_text() == "my notes on it"
    assert "The event numbered" in (site / "entries" / Path(first).stem / "index.html").read_text()
    home.unlink()
    stale.unlink()
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    assert run(site_dir, "build", "--out", str(tmp_path / "clean"), capsys=capsys)[0] == 0
    assert site_files(site) == site_files(tmp_path / "clean")


@pytest.mark.parametrize("threads", ["none", "threading", "_thread"])
def test_the_output_check_beside_the_walk_answers_as_it_would_alone(threads: str) -> None:
    # The no-op path stats the outputs in a forked child beside the content's walk; where
    # threads run (a fork would copy their held locks), it checks in the process itself. A
    # child that dies before answering answers "changed": the build then looks for itself.
    # A thread that `threading` does not know of counts too: one started by C code, or by
    # `_thread` (as execnet does in a pytest-xdist worker); Python 3.12 warns of those.
    script = textwrap.dedent(f"""
        import _thread, os, threading, time
        from sitegen.build import _answer_beside
        if {threads!r} == "threading":
            threading.Thread(target=time.sleep, args=(1,), daemon=True).start()
        elif {threads!r} == "_thread":
            _thread.start_new_thread(time.sleep, (1,))
        me = os.getpid()
        seen = []
        for check in (lambda: True, lambda: False, lambda: os.getpid() != me):
            with _answer_beside(check) as answer:
                seen.append(answer())
        with _answer_beside(lambda: os.getpid() == me or os._exit(3)) as answer:
            seen.append(answer())
        print(seen)
    """)
    ran = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60, check=False)
    assert ran.returncode == 0, ran.stderr
    # the third check is True only in a child, the fourth (dying in a child) only in-process
    expected = "[True, False, True, False]" if threads == "none" else "[True, False, False, True]"
    assert ran.stdout.strip() == expected


@pytest.mark.parametrize("craft", [
    lambda stamp: {**stamp, "files": [1, *stamp["files"][1:]]},  # a path not a string
    lambda stamp: {**stamp, "files": [["x"], *stamp["files"][1:]]},
    lambda stamp: {**stamp, "entries": float("inf")},  # JSON's Infinity: no count
], ids=["a number for a path", "a list for a path", "infinite entries"])
def test_a_crafted_stamp_builds_in_a_program_with_threads(site_dir: Path, tmp_path: Path,
                                                          craft: Any) -> None:
    # The cache may come from anywhere. Where threads run, the outputs are checked in the
    # build's own process (no fork), so what the check raises is the build's to catch.
    write_files(site_dir, entries(3))
    then = time.time() - 3600  # past the racy window: the next build may take the no-op path
    for path in site_dir.rglob("*"):
        os.utime(path, (then, then))
    config = load_config(site_dir / "sitegen.toml")
    build(config, Cache(site_dir / ".sitegen-cache"), workers=1, search=False)
    db = sqlite3.connect(site_dir / ".sitegen-cache/cache.sqlite")
    (output, data), = db.execute("SELECT output, data FROM stamps").fetchall()
    db.execute("UPDATE stamps SET data = ? WHERE output = ?",
               (json.dumps(craft(json.loads(data))), output))
    db.commit()
    db.close()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        result = build(config, Cache(site_dir / ".sitegen-cache"), workers=1, search=False)
    finally:
        stop.set()
        other.join()
    assert result.entries == 3
    build(config, Cache(None), out=tmp_path / "clean", workers=1, search=False)
    assert site_files(site_dir / "site") == site_files(tmp_path / "clean")


def test_the_no_op_path_notices_a_page_deleted_or_changed(site_dir: Path,
                                                          tmp_path: Path) -> None:
    write_files(site_dir, entries(3))
    assert cli(site_dir, "build").returncode == 0
    time.sleep(2.1)  # past the racy window, so the next builds may take the no-op path
    assert cli(site_dir, "build").returncode == 0
    page = site_dir / "site" / "topics" / "index.html"
    page.unlink()
    rebuilt = cli(site_dir, "build")
    assert rebuilt.returncode == 0 and "1 file written" in rebuilt.stderr, rebuilt.stderr
    assert page.is_file()
    manifest = site_dir / "site" / ".sitegen-manifest.json"
    manifest.write_bytes(manifest.read_bytes())  # same bytes, a new mtime: read it again
    again = cli(site_dir, "build")
    assert again.returncode == 0 and "0 files written" in again.stderr
    assert cli(site_dir, "build", "--out", str(tmp_path / "clean")).returncode == 0
    assert site_files(site_dir / "site") == site_files(tmp_path / "clean")


def test_the_search_bundles_listing_changes_when_a_file_comes_and_goes(tmp_path: Path) -> None:
    # A file deleted and made again can get its old inode back: its folder's mtime tells.
    from sitegen.build import _listing

    part = tmp_path / "pagefind" / "2022-10"
    part.mkdir(parents=True)
    (part / "a.pf_fragment").write_bytes(b"a")
    before = _listing(tmp_path / "pagefind")[0]
    assert before == _listing(tmp_path / "pagefind")[0] and before != ""
    time.sleep(0.01)
    (part / "b.tmp").write_bytes(b"b")
    (part / "b.tmp").unlink()
    assert _listing(tmp_path / "pagefind")[0] != before
    assert _listing(tmp_path / "none") == ("", {})


def test_a_settled_search_folder_is_not_listed_again_until_it_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sitegen import build as build_module

    bundle = tmp_path / "pagefind"
    for part in ("2022-09", "2022-10"):
        (bundle / part / "fragment").mkdir(parents=True)
        (bundle / part / "fragment" / "a.pf_fragment").write_bytes(b"a")
    for folder in [bundle, *bundle.rglob("*")]:
        if folder.is_dir():  # settled: older than the racy window
            os.utime(folder, ns=(time.time_ns() - 3_600_000_000_000,) * 2)
    digest, folders = build_module._listing(bundle)
    assert len(folders) == 5
    listed: list[str] = []
    scandir = os.scandir
    monkeypatch.setattr(build_module.os, "scandir",
                        lambda path: listed.append(str(path)) or scandir(path))
    assert build_module._listing(bundle, folders)[0] == digest and listed == []
    crafted = {path: [*record[:2], "0" * 64, ["..", "x/y"]] for path, record in folders.items()}
    assert build_module._listing(bundle, crafted)[0] == digest  # a malformed record: listed
    listed.clear()
    (bundle / "2022-10" / "fragment" / "b.pf_fragment").write_bytes(b"b")
    changed, again = build_module._listing(bundle, folders)
    assert changed != digest and listed == [str(bundle / "2022-10" / "fragment")]
    assert str(bundle / "2022-10" / "fragment") not in again  # just changed: listed next time


def test_the_no_op_path_notices_a_search_file_deleted_or_replaced(site_dir: Path,
                                                                  tmp_path: Path) -> None:
    # The search bundle is checked by its folders' listings (names and inodes), not a stat of
    # each of its 12,000 files: a file deleted, or saved over as an editor does, still shows.
    write_files(site_dir, entries(3))
    assert cli(site_dir, "build").returncode == 0
    time.sleep(2.1)  # past the racy window, so the next builds may take the no-op path
    noop = cli(site_dir, "build")
    assert "0 files written" in noop.stderr and "search index unchanged" in noop.stderr
    bundle = site_dir / "site" / "pagefind"
    fragment = sorted(bundle.rglob("*.pf_fragment"))[0]
    fragment.unlink()
    mended = cli(site_dir, "build")
    assert mended.returncode == 0 and "search index rebuilt" in mended.stderr, mended.stderr
    assert cli(site_dir, "build", "--out", str(tmp_path / "clean")).returncode == 0
    assert site_files(site_dir / "site") == site_files(tmp_path / "clean")
    time.sleep(2.1)
    fragment = sorted(bundle.rglob("*.pf_fragment"))[0]
    saved = fragment.with_name(fragment.name + ".swp")
    saved.write_bytes(b"edited")
    saved.replace(fragment)
    refused = cli(site_dir, "build")
    assert refused.returncode == 2, refused.stderr
    assert f"{fragment.relative_to(site_dir)}:1: this file was changed after sitegen wrote " \
        "it" in refused.stderr
    assert fragment.read_bytes() == b"edited"


def test_a_file_of_the_users_named_like_the_journal_is_kept(site_dir: Path) -> None:
    write_files(site_dir, entries(2))
    assert cli(site_dir, "build").returncode == 0
    mine = site_dir / "site" / ".sitegen-commit.json"
    mine.write_text('{"notes": "mine"}')
    assert cli(site_dir, "build").returncode == 0
    assert mine.read_text() == '{"notes": "mine"}'
