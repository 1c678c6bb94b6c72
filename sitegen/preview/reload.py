"""The livereload seam: every use of the livereload package is here, so it can be replaced here.

We use its browser script, its WebSocket handler and its script injection, but not its Server:
Server.serve() polls every watched file every 0.8 s, drops any change made within 3 s of the
last reload, and runs the rebuild on the server loop; Server.application() binds the port
itself, so `--port 0` could not report the port it got.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, ClassVar
from urllib.parse import urlsplit

from livereload.handlers import (  # type: ignore[import-untyped]
    LiveReloadHandler,
    LiveReloadJSHandler,
)
from livereload.server import LiveScriptInjector  # type: ignore[import-untyped]
from livereload.watcher import Watcher as LiveReloadWatcher  # type: ignore[import-untyped]
from tornado import web

_HELLO = {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"],
          "serverName": "sitegen"}
_RELOAD = {"command": "reload", "path": "*", "liveCSS": False, "liveImg": False}


class _Script(LiveReloadJSHandler):  # type: ignore[misc]
    """livereload.js, which every page loads before its `load` event: the browser keeps it for
    the session (the URL names the port), so a reload does not wait for it again."""

    def get(self) -> None:
        self.set_header("Cache-Control", "max-age=86400")
        super().get()


class _Injector(LiveScriptInjector):  # type: ignore[misc]
    """Adds the livereload script before `</head>` of every HTML response.

    As a `src`, not inline: the pages' Content-Security-Policy runs only the site's own
    script files, in the preview as on the published site."""

    def __init__(self, request: Any) -> None:
        super().__init__(request)
        port = urlsplit(f"//{request.host}").port or (443 if request.protocol == "https" else 80)
        self.script = f'<script src="/livereload.js?port={int(port)}"></script>'.encode()


class LiveReload:
    """The open tabs, and which build each one's page came from.

    Each `reload()` starts a new generation. A tab whose script connects after a reload it
    would have missed (its page was sent at an older generation) is told to reload at once.
    Call it only on the server loop: the sockets and the bookkeeping live there.
    """

    transform = _Injector  # for web.Application(transforms=...): injects the script

    def __init__(self) -> None:
        logging.getLogger("livereload").setLevel(logging.WARNING)
        self._generation = 0
        self._sent: dict[str, int] = {}  # page path -> the generation it was last sent at
        is_stale = self._is_stale

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

        self._socket = Socket

    def routes(self) -> list[tuple[str, type[web.RequestHandler]]]:
        """The socket the script connects to, and the script itself."""
        return [(r"/livereload", self._socket), (r"/livereload.js", _Script)]

    def sent(self, page: str) -> None:
        """Note that the HTML page at path `page` was just sent, as of the latest build."""
        self._sent[page] = self._generation

    def reload(self, only: Callable[[str], bool] | None = None) -> None:
        """Tell every tab to reload (a new build), or only those whose page passes `only`."""
        if only is None:
            self._generation += 1
            self._socket.reload_waiters("*")
            return
        for waiter in list(self._socket.waiters):
            if only(waiter.page):
                waiter.send_message(_RELOAD)

    def tabs(self) -> int:
        """How many tabs are connected."""
        return len(self._socket.waiters)

    def close_all(self) -> None:
        for waiter in list(self._socket.waiters):
            waiter.close()

    def _is_stale(self, page: str) -> bool:
        return self._sent.get(page, self._generation) < self._generation
