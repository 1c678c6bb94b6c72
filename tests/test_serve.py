"""`sitegen serve` as a curator uses it: edit, save, and the served page (and every open tab)
follows; a bad edit shows where it is wrong; the server never serves a mix of two builds, never
drops an edit, and never serves a file from outside its preview folder."""

from __future__ import annotations

import asyncio
import dataclasses
import http.client
import json
import logging
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import jinja2
import pytest
from tornado.websocket import WebSocketClientConnection, websocket_connect

from sitegen import render, write
from sitegen.build import build
from sitegen.cache import Cache
from sitegen.config import PACKAGED_THEME, load_config
from sitegen.errors import UsageError, display_path
from sitegen.model import Page
from sitegen.serve import PreviewServer
from tests.helpers import SITE_TOML, entry, run, write_files

T = TypeVar("T")
Start = Callable[..., PreviewServer]
TALKS = "content/entries/2022/2022-12-19-minsk-talks.md"
TALKS_PAGE = "entries/2022-12-19-minsk-talks/"
ENTRIES: dict[str, str | bytes] = {
    TALKS: entry(title="Leaders meet in Minsk", date="2022-12-19", topics="[belarus]"),
    "content/entries/2022/2022-12-29-grid-repairs.md": entry(
        title="Grid repairs finish", date="2022-12-29", topics="[energy-grid]"),
    "content/entries/2022/2022-12-30-aid-pledge.md": entry(
        title="A new aid pledge", date="2022-12-30", topics="[aid]"),
    "content/entries/2023/2023-01-02-new-year.md": entry(
        title="The new year begins with outages", date="2023-01-02", topics="[energy-grid]"),
}


@pytest.fixture
def preview(site_dir: Path) -> Iterator[Start]:
    """Start a preview of `site_dir` on a free port, served from a thread; stopped after."""
    write_files(site_dir, ENTRIES)
    started: list[tuple[PreviewServer, threading.Thread]] = []

    def start(**options: Any) -> PreviewServer:
        server = PreviewServer(load_config(site_dir / "sitegen.toml"), port=0, **options)
        server.start()
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        started.append((server, thread))
        return server

    yield start
    for server, thread in started:
        server.stop()
        thread.join(timeout=5)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def raw_get(server: PreviewServer, path: str, host: str = "127.0.0.1") -> tuple[int, str]:
    """GET `path` exactly as written: no client-side clean-up of `..` or `%2e`."""
    port = int(server.url.rsplit(":", 1)[1].strip("/"))
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.putrequest("GET", path, skip_host=True)
    connection.putheader("Host", f"{host}:{port}")
    connection.endheaders()
    response = connection.getresponse()
    body = response.read().decode(errors="replace")
    connection.close()
    return response.status, body


def until(check: Callable[[], T], timeout: float = 10.0) -> T:
    """Poll `check` until it returns something truthy; fail with its last value on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, f"still {value!r} after {timeout} s"
            return value
        time.sleep(0.02)


def edit(site_dir: Path, rel: str, text: str) -> None:
    """Save a file the way editors do: write a new file, then rename it over the old one."""
    path = site_dir / rel
    tmp = path.with_name(f".{path.name}.saving")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def page_of(server: PreviewServer, path: str = TALKS_PAGE) -> str:
    return get(server.url + path)[1]


class Tab:
    """A browser tab as the server sees it: it speaks livereload.js's handshake, and on each
    reload message it fetches its page again, as the browser would."""

    def __init__(self, server: PreviewServer, page: str) -> None:
        self.url = server.url + page
        self.seen: list[str] = []  # the page's text after each reload
        self._socket: WebSocketClientConnection | None = None
        self._loop = asyncio.new_event_loop()
        self._connected = threading.Event()
        self._thread = threading.Thread(target=self._loop.run_until_complete,
                                        args=(self._listen(server.url),), daemon=True)
        self._thread.start()
        assert self._connected.wait(5), "the tab could not connect"

    async def _listen(self, base: str) -> None:
        origin = "/".join(base.split("/", 3)[:3])  # livereload's socket is at the root
        self._socket = await websocket_connect(f"ws{origin[4:]}/livereload")
        protocols = ["http://livereload.com/protocols/official-7"]
        await self._socket.write_message(json.dumps({"command": "hello", "protocols": protocols}))
        await self._socket.read_message()
        await self._socket.write_message(json.dumps({"command": "info", "url": self.url}))
        self._connected.set()
        while (message := await self._socket.read_message()) is not None:
            if json.loads(message)["command"] == "reload":
                self.seen.append(get(self.url)[1])

    def close(self) -> None:
        if self._socket is not None:
            self._loop.call_soon_threadsafe(self._socket.close)
        self._thread.join(timeout=5)


@pytest.fixture
def tabs() -> Iterator[Callable[[PreviewServer, str], Tab]]:
    opened: list[Tab] = []

    def open_tab(server: PreviewServer, page: str) -> Tab:
        connected = server.tabs
        tab = Tab(server, page)
        opened.append(tab)
        until(lambda: server.tabs == connected + 1)
        return tab

    yield open_tab
    for tab in opened:
        tab.close()


def test_serves_the_site_and_an_edit_shows_up(preview: Start, site_dir: Path) -> None:
    server = preview()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", server.url)
    assert ">Leaders meet in Minsk</h1>" in page_of(server)
    assert "/livereload.js" in page_of(server), "pages carry the live-reload script"
    edit(site_dir, TALKS, entry(title="Leaders sign a pact in Minsk", date="2022-12-19"))
    until(lambda: ">Leaders sign a pact in Minsk</h1>" in page_of(server))
    assert "Leaders sign a pact in Minsk" in page_of(server, "archive/2022/12/"), "lists too"


def test_two_saves_half_a_second_apart_both_reach_the_tab(
        preview: Start, site_dir: Path, tabs: Callable[[PreviewServer, str], Tab]) -> None:
    server = preview()
    tab = tabs(server, TALKS_PAGE)
    edit(site_dir, TALKS, entry(title="First save", date="2022-12-19"))
    time.sleep(0.5)  # the scenario itself: livereload alone drops a change within 3 s
    edit(site_dir, TALKS, entry(title="Second save", date="2022-12-19"))
    until(lambda: tab.seen and ">Second save</h1>" in tab.seen[-1])
    assert any(">First save</h1>" in text for text in tab.seen)


def test_a_burst_of_changes_is_one_rebuild_and_one_reload(
        preview: Start, site_dir: Path, tabs: Callable[[PreviewServer, str], Tab]) -> None:
    server = preview()
    tab = tabs(server, "")
    builds = server.builds
    write_files(site_dir, {f"content/entries/2023/2023-02-{day:02d}-burst.md":
                           entry(title=f"Burst entry {day}", date=f"2023-02-{day:02d}")
                           for day in range(1, 29)})
    until(lambda: tab.seen and "Burst entry 28" in tab.seen[-1])
    edit(site_dir, TALKS, entry(title="After the burst", date="2022-12-19"))
    until(lambda: "After the burst" in page_of(server))
    until(lambda: len(tab.seen) == 2)
    assert server.builds == builds + 2, "28 new files and one edit: two rebuilds in all"


def test_an_edit_renders_and_writes_only_what_changed(
        preview: Start, site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = preview()
    untouched = server.site_dir / "entries/2023-01-02-new-year/index.html"
    inode = untouched.stat().st_ino
    rendered: list[str] = []
    real_render = render.render_page

    def counting_render(env: jinja2.Environment, page: Page, *rest: object) -> bytes:
        rendered.append(page.url)
        return real_render(env, page, *rest)  # type: ignore[arg-type]
    monkeypatch.setattr(render, "render_page", counting_render)
    edit(site_dir, TALKS, entry(title="Leaders sign a pact in Minsk", date="2022-12-19"))
    until(lambda: "Leaders sign a pact" in page_of(server))
    assert TALKS_PAGE in rendered
    assert "Earlier: Leaders sign a pact in Minsk" in page_of(server, "entries/2022-12-29-"
                                                                     "grid-repairs/")
    assert "entries/2023-01-02-new-year/" not in rendered, "a page whose inputs held is reused"
    assert untouched.stat().st_ino == inode, "a file whose bytes held is not written"


def test_after_a_title_edit_the_preview_holds_what_a_fresh_build_makes(
        preview: Start, site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = preview()
    planned: list[int] = []
    real_plan = render.plan_pages

    def counting_plan(*args: Any) -> Any:
        planned.append(1)
        return real_plan(*args)
    monkeypatch.setattr(render, "plan_pages", counting_plan)
    edit(site_dir, TALKS, entry(title="Leaders sign a pact in Minsk", date="2022-12-19"))
    until(lambda: "Leaders sign a pact" in page_of(server))
    assert not planned, "a title edit keeps the site's structure: no full build"
    out = site_dir.parent / "fresh"
    config = dataclasses.replace(load_config(site_dir / "sitegen.toml"), base_url="/")
    build(config, Cache(None), drafts=True, out=out, workers=1, search=False)

    def files(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
                if p.is_file() and p.name != write.MANIFEST
                and not p.relative_to(folder).as_posix().startswith("pagefind/")}
    assert files(server.site_dir) == files(out)


def test_a_request_during_a_rebuild_sees_one_whole_build(
        preview: Start, site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = preview()
    slow_replace = write._replace

    def slow_disk(target: Path, data: bytes) -> None:  # widens any window between two files
        time.sleep(0.005)
        slow_replace(target, data)
    monkeypatch.setattr(write, "_replace", slow_disk)
    mixed: list[tuple[int, int]] = []
    stop = threading.Event()

    def reader() -> None:  # the timeline, then the entry it links to, over and over
        while not stop.is_set():
            timeline, page = page_of(server, ""), page_of(server)
            versions = [int(v) for v in re.findall(r"Version (\d+)", timeline)] or [0]
            shown = re.search(r">Version (\d+)</h1>", page)
            if not page.rstrip().endswith("</html>") or shown and int(shown[1]) < versions[0]:
                mixed.append((versions[0], int(shown[1]) if shown else -1))
    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for version in range(1, 6):
            edit(site_dir, TALKS, entry(title=f"Version {version}", date="2023-01-09"))
            until(lambda v=version: f">Version {v}</h1>" in page_of(server))  # type: ignore[misc]
    finally:
        stop.set()
        thread.join()
    assert mixed == [], "a page of a new build was served next to one of the build before"


def test_a_bad_edit_shows_where_and_the_fix_brings_the_page_back(
        preview: Start, site_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    server = preview()
    edit(site_dir, TALKS, entry(title="Leaders meet in Minsk", date="2022-12-19",
                                topics="[no-such-topic]"))
    where = f"{display_path(site_dir / TALKS)}:4"
    until(lambda: get(server.url)[0] == 500)
    text = page_of(server, "")
    assert f"<code>{where}</code>" in text and "no-such-topic" in text
    assert "/livereload.js" in text, "the error page keeps the live-reload connection"
    assert any(f"error: {where}:" in r.getMessage() for r in caplog.records), "and a terminal line"
    assert get(server.url + "static/style.css")[0] == 200, "assets of the last build still load"
    edit(site_dir, TALKS, entry(title="Leaders meet again", date="2022-12-19"))
    until(lambda: ">Leaders meet again</h1>" in page_of(server))


def test_broken_yaml_is_shown_with_its_line(preview: Start, site_dir: Path) -> None:
    server = preview()
    edit(site_dir, TALKS, "---\ntitle: Leaders meet\ndate: 2022-12-19\ntopics: [belarus\n---\n")
    until(lambda: get(server.url + TALKS_PAGE)[0] == 500)
    assert re.search(rf"<code>{re.escape(display_path(site_dir / TALKS))}:\d+</code>",
                     page_of(server))


def test_a_template_error_names_the_template_line_and_the_theme_is_watched(
        preview: Start, site_dir: Path) -> None:
    shutil.copytree(PACKAGED_THEME, site_dir / "theme")
    (site_dir / "sitegen.toml").write_text('theme = "theme"\n' + SITE_TOML, encoding="utf-8")
    server = preview()
    template = site_dir / "theme/templates/entry.html"
    good = template.read_text(encoding="utf-8")
    lines = good.split("\n")
    line = next(n for n, text in enumerate(lines, 1) if "{% block main %}" in text)
    lines[line - 1] += "{% if %}"
    template.write_text("\n".join(lines), encoding="utf-8")
    until(lambda: f"entry.html:{line}</code>" in page_of(server))
    template.write_text(good.replace("<h1", '<h1 class="edited"', 1), encoding="utf-8")
    until(lambda: re.search(r'<h1 class="edited"[^>]*>Leaders meet in Minsk</h1>',
                            page_of(server)))


def test_a_theme_file_named_in_bytes_not_utf8_does_not_stop_the_watch(
        preview: Start, site_dir: Path) -> None:
    shutil.copytree(PACKAGED_THEME, site_dir / "theme")
    odd = Path(os.fsdecode(os.fsencode(site_dir / "theme/static") + b"/caf\xe9.txt"))
    odd.write_text("one")
    (site_dir / "sitegen.toml").write_text('theme = "theme"\n' + SITE_TOML, encoding="utf-8")
    server = preview()
    odd.write_text("two")  # watchfiles cannot name it to us
    time.sleep(0.5)
    template = site_dir / "theme/templates/entry.html"
    good = template.read_text(encoding="utf-8")
    template.write_text(good.replace("<h1", '<h1 class="edited"', 1), encoding="utf-8")
    until(lambda: re.search(r'<h1 class="edited"[^>]*>Leaders meet in Minsk</h1>',
                            page_of(server)))


def test_an_entry_file_named_in_bytes_not_utf8_is_shown_as_the_build_shows_it(
        preview: Start, site_dir: Path) -> None:
    server = preview()
    odd = os.fsencode(site_dir / "content/entries/2022") + b"/caf\xe9.md"
    with open(odd, "wb") as f:  # watchfiles cannot name it to us
        f.write(entry(title="An odd name", date="2022-12-26").encode())
    until(lambda: get(server.url)[0] == 500)
    assert "name is not UTF-8; rename it" in page_of(server, "")
    os.unlink(odd)
    until(lambda: get(server.url)[0] == 200)


def test_the_config_is_watched(preview: Start, site_dir: Path) -> None:
    server = preview()
    config = SITE_TOML.replace('title = "Test Timeline"', 'title = "Renamed Timeline"')
    edit(site_dir, "sitegen.toml", config)
    until(lambda: "<title>Renamed Timeline</title>" in page_of(server, ""))
    edit(site_dir, "sitegen.toml", "title = [broken\n" + config)
    until(lambda: f"{display_path(site_dir / 'sitegen.toml')}:1</code>" in page_of(server))


@pytest.mark.parametrize("how", ["moved away and back", "replaced by a copy"])
def test_the_content_folder_is_still_watched_after_it_goes_and_comes_back(
        preview: Start, site_dir: Path, how: str) -> None:
    server = preview()
    content, away = site_dir / "content", site_dir / "away"
    if how == "moved away and back":
        content.rename(away)
        until(lambda: get(server.url)[0] == 500)  # as `sitegen build` fails without it
        away.rename(content)
        until(lambda: get(server.url)[0] == 200)
    else:  # a new folder, where the watch on the old one sees nothing
        shutil.copytree(content, away)
        shutil.rmtree(content)
        away.rename(content)
    time.sleep(0.5)
    edit(site_dir, TALKS, entry(title="Leaders meet again", date="2022-12-19"))
    until(lambda: ">Leaders meet again</h1>" in page_of(server))


def test_drafts_are_shown_badged_unless_asked_not_to(preview: Start, site_dir: Path) -> None:
    write_files(site_dir, {"content/drafts/2022-12-31-draft.md": entry(
        title="A draft entry", date="2022-12-31", extra="draft: true\n")})
    with_drafts, without = preview(), preview(drafts=False)
    draft_page = "entries/2022-12-31-draft/"
    assert '<span class="badge badge-draft">Draft</span>' in page_of(with_drafts, draft_page)
    assert get(without.url + draft_page)[0] == 404


@pytest.mark.parametrize("path", [
    "/../../../../../../{secret}",
    "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e{secret}",
    "/static/..%2f..%2f..%2f..%2f..%2f..%2f..%2f{secret}",
    "/%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2F{secret}",
    "//{secret}",
    "/pagefind/../../../../../../{secret}",
    "/leak.txt",
    "/outside/secret.txt",
])
def test_nothing_outside_the_preview_is_served(preview: Start, tmp_path: Path,
                                               path: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    server = preview()
    (server.site_dir / "leak.txt").symlink_to(secret)
    (server.site_dir / "outside").symlink_to(tmp_path)
    status, body = raw_get(server, path.format(secret=str(secret).lstrip("/")))
    assert status == 403 and "TOP SECRET" not in body
    assert raw_get(server, "/static/style.css")[0] == 200


def test_a_request_naming_another_host_is_refused(preview: Start) -> None:
    server = preview()
    assert raw_get(server, "/", host="localhost")[0] == 200
    assert raw_get(server, "/", host="attacker.example")[0] == 403


def test_a_missing_page_gets_the_sites_404_page(preview: Start) -> None:
    status, text = get(preview().url + "entries/no-such-entry/")
    assert status == 404 and "/livereload.js" in text


def test_a_tab_that_missed_a_reload_while_connecting_gets_one(
        preview: Start, site_dir: Path, tabs: Callable[[PreviewServer, str], Tab]) -> None:
    server = preview()
    assert "Leaders meet in Minsk" in page_of(server)  # the tab's page, loaded...
    edit(site_dir, TALKS, entry(title="Changed meanwhile", date="2022-12-19"))
    until(lambda: "Changed meanwhile" in page_of(server, "archive/2022/12/"))  # ...a build lands
    tab = tabs(server, TALKS_PAGE)  # ...and only then does its script connect
    until(lambda: tab.seen and ">Changed meanwhile</h1>" in tab.seen[0])


def test_the_search_index_follows_an_edit(preview: Start, site_dir: Path) -> None:
    server = preview()
    manifest = server.url + "pagefind/partitions.json"
    until(lambda: get(manifest)[0] == 200)

    def bundle() -> list[str]:  # each partition's entry file names its hashed metadata
        status, text = get(manifest)
        names = [p["name"] for p in json.loads(text)["partitions"]] if status == 200 else []
        return [get(f"{server.url}pagefind/{name}/pagefind-entry.json")[1] for name in names]
    before = bundle()
    edit(site_dir, TALKS, entry(title="Quokka summit", date="2022-12-19"))
    until(lambda: (now := bundle()) and now != before)


def test_a_port_in_use_gets_a_clear_message(site_dir: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, out = run(site_dir, "serve", "--port", str(port), capsys=capsys)
    assert code == 2
    assert f"port {port} on 127.0.0.1 is already in use" in out and "--port 0" in out


def test_binding_beyond_loopback_warns(site_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                       caplog: pytest.LogCaptureFixture) -> None:
    from sitegen.preview import handler

    real_bind = handler.bind
    monkeypatch.setattr(handler, "bind", lambda host, port: real_bind("127.0.0.1", port))
    server = PreviewServer(load_config(site_dir / "sitegen.toml"), host="0.0.0.0", port=0)
    try:
        with caplog.at_level(logging.WARNING):
            assert server.start().startswith("http://0.0.0.0:")
    finally:
        server.stop()
    assert "warning: serving on 0.0.0.0" in caplog.text


def test_bad_host_is_a_usage_error(site_dir: Path) -> None:
    server = PreviewServer(load_config(site_dir / "sitegen.toml"), host="256.0.0.1", port=0)
    with pytest.raises(UsageError, match="cannot serve on 256.0.0.1"):
        server.start()
    server.stop()


def test_ctrl_c_stops_cleanly_and_port_0_prints_the_real_port(site_dir: Path,
                                                              tmp_path: Path) -> None:
    write_files(site_dir, ENTRIES)
    temp = tmp_path / "temp"
    temp.mkdir()
    command = [sys.executable, "-m", "sitegen", "serve", "--config",
               str(site_dir / "sitegen.toml"), "--port", "0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "TMPDIR": str(temp)})
    try:
        assert process.stdout is not None
        assert select.select([process.stdout], [], [], 30)[0], "no address printed"
        url = re.search(r"http://127\.0\.0\.1:(\d+)/", process.stdout.readline())
        assert url and url[1] != "0"
        assert "Leaders meet in Minsk" in get(url[0] + TALKS_PAGE)[1]
        assert any(temp.iterdir()), "the preview lives in a temporary folder"
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=15)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert not any(temp.iterdir()), "the preview folder is removed on exit"


def test_a_theme_asset_is_cached_only_under_the_url_of_its_exact_bytes(
        preview: Start, site_dir: Path) -> None:
    shutil.copytree(PACKAGED_THEME, site_dir / "theme")
    (site_dir / "sitegen.toml").write_text('theme = "theme"\n' + SITE_TOML, encoding="utf-8")
    server = preview()

    def stylesheet() -> str:
        found = re.search(r'href="/(static/style\.css\?v=\w+)"', page_of(server))
        assert found, "the page links its stylesheet by a versioned URL"
        return found[1]

    def caching(path: str) -> str | None:
        with urllib.request.urlopen(server.url + path, timeout=5) as response:
            return response.headers["Cache-Control"]
    before = stylesheet()
    assert "immutable" in str(caching(before))
    assert caching("static/style.css?v=0123456789") == "no-store"
    assert caching("static/style.css") == "no-store"
    assert caching(TALKS_PAGE) == "no-store", "pages are always fetched fresh"
    css = site_dir / "theme/static/style.css"
    css.write_text(css.read_text(encoding="utf-8") + "\nh1 { color: teal; }\n", encoding="utf-8")
    until(lambda: stylesheet() != before)
    assert "immutable" in str(caching(stylesheet()))
    with urllib.request.urlopen(server.url + stylesheet(), timeout=5) as response:
        assert b"color: teal" in response.read()
