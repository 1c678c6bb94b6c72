"""`sitegen serve`: build into a preview folder, serve it, rebuild on change, reload the browser.

Four threads, each with one job:
- the watcher (watch.py) reports each burst of changes once and marks the preview dirty;
- the builder runs the same `build()` as `sitegen build` whenever the preview is dirty, with
  one in-memory cache: a burst is one rebuild, and an edit saved during a build only dirties
  the next one, so no edit is ever dropped;
- the server loop is the only thread that touches what is served: it writes each build's
  changed files, answers requests and tells the browser tabs to reload, so a request sees one
  complete build, or waits while the next one is written;
- the indexer refreshes the search bundle after the tabs have reloaded, never before.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
import gc
import html
import ipaddress
import json
import logging
import mimetypes
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

from livereload.handlers import (  # type: ignore[import-untyped]
    LiveReloadHandler,
    LiveReloadJSHandler,
)
from livereload.server import LiveScriptInjector  # type: ignore[import-untyped]
from livereload.watcher import Watcher as LiveReloadWatcher  # type: ignore[import-untyped]
from tornado import httpserver, netutil, web
from tornado.ioloop import IOLoop

from sitegen import search, urls, write
from sitegen.build import build
from sitegen.cache import Cache
from sitegen.config import SiteConfig, load_config
from sitegen.errors import Problem, SitegenError, UsageError, display_path
from sitegen.model import Site
from sitegen.watch import Watcher

log = logging.getLogger(__name__)
T = TypeVar("T")
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
# Pagefind reads every entry page (0.4 s for 1,000, 9 s for 10,000 on two cores): it starts
# only once the edits pause for at least this long, and for as long as it last took, so it
# neither slows the next rebuild nor indexes pages about to change.
SEARCH_SETTLE_S = 0.5
COLLECT_AFTER_S = 1.0  # idle time after a build before collecting its garbage


def serve(config: SiteConfig, *, host: str = "127.0.0.1", port: int = 8000,
          drafts: bool = True) -> int:
    """Build a preview of the site and serve it with live reload until Ctrl-C; 0 when stopped."""
    server = PreviewServer(config, host=host, port=port, drafts=drafts)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` stops cleanly too
    try:
        url = server.start()
        print(f"Serving the preview at {url}  (Ctrl-C to stop)", flush=True)
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    log.info("Stopped; the preview folder was removed")
    return 0


class PreviewServer:
    """A preview folder kept in step with the site's sources, served with live reload."""

    def __init__(self, config: SiteConfig, *, host: str = "127.0.0.1", port: int = 8000,
                 drafts: bool = True) -> None:
        self.config, self.host, self.port, self.drafts = config, host, port, drafts
        self.root = Path(tempfile.mkdtemp(prefix="sitegen-preview-"))
        self.site_dir = self.root / "site"
        self.url = ""
        self.builds = 0  # how many builds have run, for tests and the curious
        self.cache = Cache(config.root / ".sitegen-cache")  # warm start from `sitegen build`
        self.cache.folder = None  # ...but never saved back: a drafts build would evict its keys
        self._lock = threading.Lock()
        self._dirty, self._index_wanted, self._closing = (threading.Event() for _ in range(3))
        self._changed: set[Path] = set()
        self._watcher: Watcher | None = None
        self._builder = threading.Thread(target=self._build_loop, name="sitegen-build",
                                         daemon=True)
        self._indexer = threading.Thread(target=self._index_loop, name="sitegen-index",
                                         daemon=True)
        self._sockets: list[socket.socket] = []
        self._loop: IOLoop | None = None
        self._to_index: tuple[Site, str] | None = None
        self._index_seconds = 0.0  # how long the last Pagefind run took
        # Owned by the server loop once it runs: what is served, and at which generation.
        self._files: dict[str, bytes] | None = None
        self._problems: tuple[Problem, ...] = ()
        self._bundle: Path | None = None
        self._writes = 0
        self._generation = 0
        self._served: dict[str, int] = {}
        self._live = LiveReload(self._respond, self._is_stale)
        self._http: httpserver.HTTPServer | None = None
        self._loop_ended = threading.Event()
        # On loopback, only requests that name it: a web page cannot rebind a name of its own
        # to 127.0.0.1 and read the preview through the visitor's browser.
        self._hosts = LOOPBACK_NAMES | {host} if _is_loopback(host) else frozenset()

    @property
    def tabs(self) -> int:
        """How many browser tabs are connected for live reload."""
        return self._live.tabs()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> str:
        """Take the port, watch the sources, run the first build; return the preview's URL."""
        self._sockets = _bind(self.host, self.port)
        port = self._sockets[0].getsockname()[1]
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{shown}:{port}/"
        if not _is_loopback(self.host):
            log.warning("warning: serving on %s, which other machines can reach: anyone who can "
                        "connect can read the preview, drafts included", self.host)
        self._watch(self.config)  # before the first build, so an edit made during it is seen
        log.info("Building the preview of %s ...", display_path(self.config.path))
        self._rebuild()
        return self.url

    def run(self) -> None:
        """Serve until `stop()` is called from another thread, or Ctrl-C in this one."""
        asyncio_loop = asyncio.new_event_loop()
        asyncio.set_event_loop(asyncio_loop)
        self._loop = IOLoop.current()
        self._http = httpserver.HTTPServer(self._live.application())
        self._http.add_sockets(self._sockets)
        self._builder.start()
        self._indexer.start()
        collecting = gc.isenabled()
        gc.disable()  # the builder collects in the pauses between edits instead
        try:
            asyncio_loop.run_forever()
        finally:
            if collecting:
                gc.enable()
            self._http.stop()
            self._loop = None
            IOLoop.current().close(all_fds=True)
            self._loop_ended.set()

    def stop(self) -> None:
        """Stop serving, watching and building; remove the preview folder. Safe to call twice."""
        self._closing.set()
        self._dirty.set()
        self._index_wanted.set()
        if self._watcher:
            self._watcher.stop()
        loop = self._loop
        if loop is not None:
            loop.add_callback(self._shutdown)
        if self._http is not None:
            self._loop_ended.wait(timeout=5)
        # The builder writes only through the stopped loop; the indexer writes into the
        # preview folder itself (Pagefind, then a copy), so it must end before the folder goes.
        if self._builder.is_alive():
            self._builder.join(timeout=2)
        if self._indexer.is_alive():
            self._indexer.join(timeout=60)
        for sock in self._sockets:
            sock.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def _shutdown(self) -> None:
        self._live.close_all()
        assert self._loop is not None
        self._loop.stop()

    # -- the builder thread ------------------------------------------------------------------

    def _on_change(self, paths: set[Path]) -> None:
        with self._lock:
            self._changed |= paths
        self._dirty.set()

    def _build_loop(self) -> None:
        garbage = False
        while True:
            # Python's own collector would run mid-build, and often (a full pass takes 0.1 s at
            # 10,000 entries, 12% of a rebuild): collect instead once the edits pause.
            if not self._dirty.wait(timeout=COLLECT_AFTER_S if garbage else None):
                gc.collect()
                garbage = False
                continue
            if self._closing.is_set():
                return
            self._dirty.clear()
            self._rebuild()
            garbage = True

    def _rebuild(self) -> None:
        """Build the preview; a failure is shown in the browser and never stops the server."""
        with self._lock:
            changed, self._changed = self._changed, set()
        if changed:
            log.debug("changed: %s", ", ".join(sorted(display_path(p) for p in changed)))
        self.builds += 1
        try:
            config = dataclasses.replace(load_config(self.config.path), base_url="/")
            self._watch(config)
            build(config, self.cache, drafts=self.drafts, out=self.site_dir,
                  writer=self._write)
            return
        except _Closed:
            return
        except SitegenError as e:
            problems = list(e.problems)
        except Exception as e:  # noqa: BLE001 - a crash in a stage must not end the preview
            log.exception("the build crashed")
            problems = [Problem(self.config.path, 1, f"the build crashed with {type(e).__name__}"
                                                     f": {e} (the terminal has the traceback)")]
        for problem in problems:
            log.error("error: %s", problem)
        with contextlib.suppress(_Closed):
            self._on_loop(self._show_problems, tuple(problems))

    def _write(self, site: Site, config: SiteConfig, files: dict[str, bytes],
               out: Path) -> tuple[write.WriteStats, bool | None]:
        """The build's write stage: written by the server loop, indexed after the reload."""
        stats = self._on_loop(self._apply, files)
        with self._lock:
            self._to_index = (site, urls.base_path(config.base_url))
        self._index_wanted.set()
        return stats, None

    def _watch(self, config: SiteConfig) -> None:
        folders = (config.content_dir, config.theme_dir)
        if self._watcher and self._watcher.folders == tuple(sorted(set(folders))):
            return
        if self._watcher:
            self._watcher.stop()
        self._watcher = Watcher(folders, [config.path], self._on_change)
        self._watcher.start()

    # -- the indexer thread ------------------------------------------------------------------

    def _index_loop(self) -> None:
        _run_behind_the_builder()
        while True:
            self._index_wanted.wait()
            pause = max(SEARCH_SETTLE_S, self._index_seconds)
            while self._index_wanted.wait(timeout=pause):  # each build restarts the wait
                self._index_wanted.clear()
                if self._closing.is_set():
                    return
            with self._lock:
                wanted = self._to_index
            if wanted is None:
                continue
            try:
                self._refresh_search(*wanted)
            except _Closed:
                return
            except SitegenError as e:
                log.warning("warning: the search index was not refreshed: %s", e)

    def _refresh_search(self, site: Site, base_path: str) -> None:
        started, writes = time.perf_counter(), self._writes
        changed = search.index_site(self.site_dir, search.records_digest(site, base_path))
        if changed:
            self._index_seconds = time.perf_counter() - started
        bundle = self.site_dir / search.BUNDLE
        if self._writes != writes:  # a build landed while Pagefind read: the index may mix two
            (bundle / search.STAMP).unlink(missing_ok=True)  # so the next run redoes it
            return
        in_step = (self._bundle is not None) == bundle.is_dir()
        if self._closing.is_set() or (not changed and in_step):
            return  # nothing new to publish
        fresh = None
        if bundle.is_dir():
            fresh = self.root / f"search-{writes}-{time.monotonic_ns()}"
            shutil.copytree(bundle, fresh, copy_function=os.link)
        old = self._on_loop(self._swap_bundle, fresh)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        log.info("Search index refreshed in %.2f s", time.perf_counter() - started)

    # -- the server loop: the only code that changes or reads what is served ------------------

    def _on_loop(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(*args)` on the server loop and return its result (inline before it runs)."""
        if self._closing.is_set():
            raise _Closed
        loop = self._loop
        if loop is None:
            return fn(*args)
        done: concurrent.futures.Future[T] = concurrent.futures.Future()

        def call() -> None:
            try:
                done.set_result(fn(*args))
            except BaseException as e:  # noqa: BLE001 - handed back to the calling thread
                done.set_exception(e)
        loop.add_callback(call)
        while not self._closing.is_set():
            try:
                return done.result(timeout=0.2)
            except concurrent.futures.TimeoutError:
                continue
        raise _Closed

    def _apply(self, files: dict[str, bytes]) -> write.WriteStats:
        self._writes += 1
        if self._files is None:
            stats = write.write_files(self.site_dir, files, keep=[search.BUNDLE])
        else:
            stats = write.write_changes(self.site_dir, files, self._files)
        self._files = files
        if stats.written or stats.removed or self._problems:
            self._problems = ()
            self._publish()
        return stats

    def _show_problems(self, problems: tuple[Problem, ...]) -> None:
        if problems != self._problems:
            self._problems = problems
            self._publish()

    def _publish(self) -> None:
        self._generation += 1
        self._live.reload()

    def _swap_bundle(self, fresh: Path | None) -> Path | None:
        old, self._bundle = self._bundle, fresh
        self._live.reload(lambda page: page == "/" + urls.search())
        return old

    def _is_stale(self, page: str) -> bool:
        """Whether the tab showing `page` loaded it before the latest build (a reload it missed
        while it was reconnecting)."""
        return self._served.get(page, self._generation) < self._generation

    def _respond(self, handler: web.RequestHandler, path: str) -> None:
        """Answer one GET or HEAD: a file of the last complete build, or the error page."""
        if self._hosts and handler.request.host_name not in self._hosts:  # DNS rebinding
            return _send(handler, 403, b"Forbidden: unknown Host header\n", "text/plain")
        if self._problems and _is_page(path):
            return self._send_page(handler, 500, error_page(self._problems))
        root, rel = self.site_dir, path
        if path.startswith(f"{search.BUNDLE}/"):
            root, rel = self._bundle or self.root / "no-search-index-yet", path.split("/", 1)[1]
        try:
            file = _inside(root, rel)
        except PermissionError:
            return _send(handler, 403, b"Forbidden: outside the preview\n", "text/plain")
        if file.is_dir():
            if not handler.request.path.endswith("/"):
                return handler.redirect(handler.request.path + "/")
            file = file / "index.html"
        if not file.is_file():
            page = self.site_dir / "404.html"
            body = page.read_bytes() if page.is_file() else b"<html><head></head>Not found"
            return self._send_page(handler, 404, body)
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind == "text/html":
            return self._send_page(handler, 200, file.read_bytes())
        _send(handler, 200, file.read_bytes(), kind)

    def _send_page(self, handler: web.RequestHandler, status: int, body: bytes) -> None:
        self._served[handler.request.path] = self._generation
        _send(handler, status, body, "text/html; charset=utf-8")


class _Closed(Exception):
    """The server stopped while a build or index was waiting for it."""


def _send(handler: web.RequestHandler, status: int, body: bytes, kind: str) -> None:
    handler.set_status(status)
    handler.set_header("Content-Type", kind)
    handler.set_header("Cache-Control", "no-store")  # a preview is always fetched fresh
    handler.finish(body)


def _inside(root: Path, rel: str) -> Path:
    """The file `rel` names under `root`, symlinks resolved; PermissionError if that is not
    under `root` (`..`, an absolute path, a symlink that leads out)."""
    real_root = root.resolve()
    try:
        target = (real_root / rel).resolve()
    except (ValueError, OSError) as e:  # a NUL byte, a symlink loop
        raise PermissionError(rel) from e
    if not target.is_relative_to(real_root):
        raise PermissionError(rel)
    return target


def _run_behind_the_builder() -> None:
    """Lower this thread's priority, and so Pagefind's, which it starts (Linux: per thread)."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


def _is_page(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name == "" or name.endswith(".html") or "." not in name


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> list[socket.socket]:
    """Listening sockets for host:port, or a UsageError that says what to do."""
    try:
        return netutil.bind_sockets(port, address=host)
    except OSError as e:
        if e.errno == 98 or "in use" in str(e):  # EADDRINUSE
            raise UsageError(f"port {port} on {host} is already in use (another `sitegen "
                             "serve`?); stop that server, or pick another port with --port "
                             "(--port 0 picks a free one)") from e
        raise UsageError(f"cannot serve on {host}:{port}: {e.strerror or e}") from e


def error_page(problems: Sequence[Problem]) -> bytes:
    """The page every tab shows while the site does not build: each problem as path:line."""
    items = "\n".join(
        f"<li><code>{html.escape(display_path(p.path))}:{p.line}</code>: "
        f"{html.escape(p.message)}</li>" for p in problems)
    which = "this file" if len({p.path for p in problems}) == 1 else "these files"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Build error · sitegen serve</title>
<style>
body {{ font: 1rem/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 50rem;
       padding: 0 1rem; color: #1a1a1a; background: #fff; }}
h1 {{ color: #a4000f; font-size: 1.5rem; }}
li {{ margin: .5rem 0; }}
code {{ background: #fbeaea; padding: .1rem .3rem; border-radius: .2rem; }}
</style>
</head>
<body>
<main>
<h1>The site did not build</h1>
<p>Fix {which} and save: this page reloads by itself.</p>
<ul class="problems">
{items}
</ul>
</main>
</body>
</html>
""".encode()


# -- The livereload seam: all use of the livereload package is below, so it can be replaced
# here alone. We use its browser script, its WebSocket handler and its script injection, but
# not its Server: Server.serve() polls every watched file every 0.8 s, drops any change made
# within 3 s of the last reload, and runs the rebuild on the server loop; Server.application()
# binds the port itself, so `--port 0` could not report the port it got.

_SCRIPT = (  # livereload's own snippet: load livereload.js from the port the page came from
    b'<script>(function(){var s=document.createElement("script");'
    b'var port=(window.location.port||(window.location.protocol=="https:"?443:80));'
    b's.src="//"+window.location.hostname+":"+port+"/livereload.js?port="+port;'
    b'document.head.appendChild(s);})();</script>'
)
_HELLO = {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"],
          "serverName": "sitegen"}
_RELOAD = {"command": "reload", "path": "*", "liveCSS": False, "liveImg": False}


class _Injector(LiveScriptInjector):  # type: ignore[misc]
    """Adds the livereload script before `</head>` of every HTML response."""

    script = _SCRIPT


class LiveReload:
    """The browser side: an app that serves pages with the reload script, and the tabs to
    reload. `respond(handler, path)` answers page requests; `is_stale(page)` says whether a tab
    that just connected shows a page older than the latest build."""

    def __init__(self, respond: Callable[[web.RequestHandler, str], None],
                 is_stale: Callable[[str], bool]) -> None:
        logging.getLogger("livereload").setLevel(logging.WARNING)

        class Socket(LiveReloadHandler):  # type: ignore[misc]
            # This server's tabs: livereload's own handler keeps every server's in one set.
            waiters: ClassVar[set[Any]] = set()
            watcher = LiveReloadWatcher()  # read only by reload_waiters' log line
            live_css = False
            page = ""

            def on_message(self, message: str) -> None:
                data = json.loads(message)
                if data.get("command") == "hello":
                    self.send_message(_HELLO)
                elif data.get("command") == "info":
                    self.page = urlsplit(str(data.get("url", ""))).path
                    self.waiters.add(self)
                    if is_stale(self.page):
                        self.send_message(_RELOAD)

            def on_close(self) -> None:
                self.waiters.discard(self)

        class Page(web.RequestHandler):
            def get(self, path: str) -> None:
                respond(self, path)

            def head(self, path: str) -> None:
                respond(self, path)

        self._socket, self._page = Socket, Page

    def application(self) -> web.Application:
        return web.Application(
            [(r"/livereload", self._socket), (r"/livereload.js", LiveReloadJSHandler),
             (r"/(.*)", self._page)],
            transforms=[_Injector], log_function=_log_request)

    def reload(self, only: Callable[[str], bool] | None = None) -> None:
        """Tell every connected tab (or those whose page passes `only`) to reload."""
        if only is None:
            self._socket.reload_waiters("*")
            return
        for waiter in list(self._socket.waiters):
            if only(waiter.page):
                waiter.send_message(_RELOAD)

    def tabs(self) -> int:
        return len(self._socket.waiters)

    def close_all(self) -> None:
        for waiter in list(self._socket.waiters):
            waiter.close()


def _log_request(handler: web.RequestHandler) -> None:
    log.debug("%d %s %s", handler.get_status(), handler.request.method, handler.request.uri)
