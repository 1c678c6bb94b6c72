"""The parts of `sitegen serve` on their own: the error page, path safety, the server loop's
hand-over and the reload bookkeeping, without a server running."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from sitegen.errors import Problem
from sitegen.preview.errorpage import error_page
from sitegen.preview.handler import inside, is_loopback
from sitegen.preview.loop import Closed, ServerLoop
from sitegen.preview.reload import LiveReload


def test_the_error_page_shows_markup_in_a_problem_as_text(tmp_path: Path) -> None:
    hostile = tmp_path / "2022-12-19-<img src=x onerror=alert(1)>.md"
    page = error_page([Problem(hostile, 3, "unknown topic '<script>alert(1)</script>'")]).decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;.md</code>" in page.replace(":3</code>", "</code>")
    assert "Fix this file and save" in page


def test_the_error_page_says_these_files_for_problems_in_several(tmp_path: Path) -> None:
    page = error_page([Problem(tmp_path / "a.md", 1, "bad"),
                       Problem(tmp_path / "b.md", 2, "bad")]).decode()
    assert "Fix these files and save" in page
    assert page.count("<li>") == 2


def test_paths_that_leave_the_folder_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "static").mkdir(parents=True)
    (root / "static/style.css").write_text("body {}")
    (tmp_path / "secret.txt").write_text("secret")
    (root / "link").symlink_to(tmp_path / "secret.txt")
    (root / "loop").symlink_to(root / "loop")
    assert inside(root, "static/style.css") == (root / "static/style.css").resolve()
    for rel in ("../secret.txt", "static/../../secret.txt", str(tmp_path / "secret.txt"),
                "link", "loop", "nul\0byte"):
        with pytest.raises(PermissionError):
            inside(root, rel)


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True),
    ("127.0.0.2", True), ("0.0.0.0", False), ("192.168.1.5", False), ("example.org", False),
])
def test_which_hosts_are_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_a_call_before_the_loop_runs_is_made_at_once_and_after_it_stops_is_refused() -> None:
    loop = ServerLoop()
    assert loop.call(lambda x: x + 1, 1) == 2
    loop.stop(last=lambda: None)
    with pytest.raises(Closed):
        loop.call(lambda: None)


def test_a_call_waiting_for_a_loop_that_stops_is_refused_not_left_hanging() -> None:
    loop = ServerLoop()
    loop._loop = _NeverRuns()  # type: ignore[assignment]
    outcome: list[object] = []

    def caller() -> None:
        try:
            outcome.append(loop.call(lambda: "ran"))
        except Closed:
            outcome.append(Closed)
    thread = threading.Thread(target=caller)
    thread.start()
    loop.closing.set()
    thread.join(timeout=5)
    assert outcome == [Closed]


class _NeverRuns:
    def add_callback(self, callback: object) -> None:
        pass


def test_a_page_sent_before_a_reload_is_stale_and_one_sent_after_is_not() -> None:
    live = LiveReload()
    live.sent("/entries/a/")
    assert not live._is_stale("/entries/a/")
    live.reload()
    assert live._is_stale("/entries/a/")
    assert not live._is_stale("/never-sent/"), "a page the server never sent has no age"
    live.sent("/entries/a/")
    assert not live._is_stale("/entries/a/")
    live.reload(only=lambda page: page == "/search/")
    assert not live._is_stale("/entries/a/"), "reloading the search page is not a new build"
