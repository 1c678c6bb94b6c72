"""Answer HTTP requests from what is published: a file of the last complete build, the error
page, or the site's 404 page, and never a file from outside the preview folder."""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import mimetypes
import socket
from collections.abc import Callable
from pathlib import Path

from tornado import netutil, web

from sitegen import search
from sitegen.errors import UsageError
from sitegen.preview.errorpage import error_page
from sitegen.preview.published import Published
from sitegen.preview.reload import LiveReload

log = logging.getLogger(__name__)
NO_STORE = "no-store"
IMMUTABLE = "max-age=31536000, immutable"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
Respond = Callable[[web.RequestHandler, str], None]


def application(live: LiveReload, respond: Respond) -> web.Application:
    """The preview's app: livereload's socket and script, and every other path by `respond`."""
    class Page(web.RequestHandler):
        def get(self, path: str) -> None:
            respond(self, path)

        def head(self, path: str) -> None:
            respond(self, path)

    return web.Application([*live.routes(), (r"/(.*)", Page)], transforms=[live.transform],
                           log_function=_log_request)


class Responder:
    """Answers one GET or HEAD for `path` (the URL path without its leading slash)."""

    def __init__(self, published: Published, live: LiveReload, host: str,
                 base_path: str = "/") -> None:
        self._published, self._live = published, live
        self._prefix = base_path.lstrip("/")  # "" or "timeline/": where the site's pages are
        # On loopback, only requests that name it: a web page cannot rebind a name of its own
        # to 127.0.0.1 and read the preview through the visitor's browser.
        self._hosts = LOOPBACK_NAMES | {host} if is_loopback(host) else frozenset()

    def __call__(self, handler: web.RequestHandler, path: str) -> None:
        if self._hosts and handler.request.host_name not in self._hosts:  # DNS rebinding
            return _send(handler, 403, b"Forbidden: unknown Host header\n", "text/plain")
        if not path.startswith(self._prefix):  # outside the base path: go to the site, or 404
            if f"{path}/" == self._prefix or not path:
                return handler.redirect("/" + self._prefix)
            return self._send_page(handler, 404, self._not_found())
        path = path[len(self._prefix):]
        published = self._published
        if published.problems and _is_page(path):
            return self._send_page(handler, 500, error_page(published.problems))
        try:
            file = self._file(path)
        except PermissionError:
            return _send(handler, 403, b"Forbidden: outside the preview\n", "text/plain")
        if file.is_dir():
            if not handler.request.path.endswith("/"):
                return handler.redirect(handler.request.path + "/")
            file = file / "index.html"
        if not file.is_file():
            return self._send_page(handler, 404, self._not_found())
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind == "text/html":
            return self._send_page(handler, 200, file.read_bytes())
        data = file.read_bytes()
        _send(handler, 200, data, kind, _caching(handler, data))

    def _not_found(self) -> bytes:
        page = self._published.site_dir / "404.html"
        return page.read_bytes() if page.is_file() else b"<html><head></head>Not found"

    def _file(self, path: str) -> Path:
        """The file `path` names: in the search bundle, or else in the built site."""
        published = self._published
        if path.startswith(f"{search.BUNDLE}/"):
            bundle = published.bundle or published.root / "no-search-index-yet"
            return inside(bundle, path.split("/", 1)[1])
        return inside(published.site_dir, path)

    def _send_page(self, handler: web.RequestHandler, status: int, body: bytes) -> None:
        self._live.sent(handler.request.path)
        _send(handler, status, body, "text/html; charset=utf-8")


def inside(root: Path, rel: str) -> Path:
    """The file `rel` names under `root`, symlinks resolved; PermissionError if that is not
    under `root` (`..`, an absolute path, a symlink that leads out)."""
    real_root = root.resolve()
    try:
        target = (real_root / rel).resolve()
    except (ValueError, OSError, RuntimeError) as e:  # a NUL byte; a symlink loop (3.11: Runtime)
        raise PermissionError(rel) from e
    if not target.is_relative_to(real_root):
        raise PermissionError(rel)
    return target


def bind(host: str, port: int) -> list[socket.socket]:
    """Listening sockets for host:port, or a UsageError that says what to do."""
    try:
        return netutil.bind_sockets(port, address=host)
    except OSError as e:
        if e.errno == 98 or "in use" in str(e):  # EADDRINUSE
            raise UsageError(f"port {port} on {host} is already in use (another `sitegen "
                             "serve`?); stop that server, or pick another port with --port "
                             "(--port 0 picks a free one)") from e
        raise UsageError(f"cannot serve on {host}:{port}: {e.strerror or e}") from e


def is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _is_page(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return name == "" or name.endswith(".html") or "." not in name


def _caching(handler: web.RequestHandler, data: bytes) -> str:
    """Cache-Control for a file: kept by the browser when its URL names its exact bytes (a theme
    asset's `?v=`, render.py's short SHA-256), so a reload fetches only the page; else none."""
    version = handler.get_query_argument("v", "")
    if len(version) >= 8 and hashlib.sha256(data).hexdigest()[:len(version)] == version:
        return IMMUTABLE
    return NO_STORE


def _send(handler: web.RequestHandler, status: int, body: bytes, kind: str,
          caching: str = NO_STORE) -> None:
    handler.set_status(status)
    handler.set_header("Content-Type", kind)
    handler.set_header("Cache-Control", caching)  # a page is always fetched fresh
    handler.finish(body)


def _log_request(handler: web.RequestHandler) -> None:
    log.debug("%d %s %s", handler.get_status(), handler.request.method, handler.request.uri)
