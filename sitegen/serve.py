"""`sitegen serve`: build into a preview folder, serve it, rebuild on change, reload the browser.

This module only puts the parts in `sitegen/preview/` together, each with one job, in four
threads: the watcher reports each burst of changes; the builder runs the same `build()` as
`sitegen build` and hands each build's files to the server loop; the server loop is the only
thread that touches what is served (it writes each build between two requests and tells the
tabs to reload, so a request sees one complete build); the indexer refreshes the search bundle
after the tabs have reloaded, never before.
"""

from __future__ import annotations

import logging
import shutil
import signal
import socket
import tempfile
import threading
from pathlib import Path

from sitegen.config import SiteConfig
from sitegen.errors import display_path
from sitegen.preview import handler
from sitegen.preview.builder import BuildLoop
from sitegen.preview.indexer import IndexLoop
from sitegen.preview.loop import ServerLoop
from sitegen.preview.published import Published
from sitegen.preview.reload import LiveReload

log = logging.getLogger(__name__)


def serve(config: SiteConfig, *, host: str = "127.0.0.1", port: int = 8000,
          drafts: bool = True, base_path: str = "/") -> int:
    """Build a preview of the site and serve it with live reload until Ctrl-C; 0 when stopped.
    `base_path` ("/" or "/timeline/"): the path the preview's pages live under."""
    server = PreviewServer(config, host=host, port=port, drafts=drafts, base_path=base_path)
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
                 drafts: bool = True, base_path: str = "/") -> None:
        self.config, self.host, self.port, self.base_path = config, host, port, base_path
        self.root = Path(tempfile.mkdtemp(prefix="sitegen-preview-"))
        self.url = ""
        self._loop = ServerLoop()
        self._live = LiveReload()
        self._published = Published(self.root, self._live, base_path)
        self._indexer = IndexLoop(self._loop, self._published)
        self._builder = BuildLoop(config, drafts=drafts, base_path=base_path, loop=self._loop,
                                  published=self._published,
                                  on_published=self._indexer.published)
        self._sockets: list[socket.socket] = []

    @property
    def site_dir(self) -> Path:
        """The folder the preview is built into and served from."""
        return self._published.site_dir

    @property
    def builds(self) -> int:
        """How many builds have run, for tests and the curious."""
        return self._builder.builds

    @property
    def tabs(self) -> int:
        """How many browser tabs are connected for live reload."""
        return self._live.tabs()

    def start(self) -> str:
        """Take the port, watch the sources, run the first build; return the preview's URL."""
        self._sockets = handler.bind(self.host, self.port)
        port = self._sockets[0].getsockname()[1]
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{shown}:{port}{self.base_path}"
        if not handler.is_loopback(self.host):
            log.warning("warning: serving on %s, which other machines can reach: anyone who can "
                        "connect can read the preview, drafts included", self.host)
        self._builder.watch()  # before the first build, so an edit made during it is seen
        log.info("Building the preview of %s ...", display_path(self.config.path))
        self._builder.rebuild()
        return self.url

    def run(self) -> None:
        """Serve until `stop()` is called from another thread, or Ctrl-C in this one."""
        respond = handler.Responder(self._published, self._live, self.host, self.base_path)
        self._builder.start()
        self._indexer.start()
        self._loop.run(handler.application(self._live, respond), self._sockets)

    def stop(self) -> None:
        """Stop serving, watching and building; remove the preview folder. Safe to call twice."""
        self._loop.stop(last=self._live.close_all)
        self._builder.stop()
        self._indexer.stop()  # it writes into the preview folder: it must end before it goes
        for sock in self._sockets:
            sock.close()
        shutil.rmtree(self.root, ignore_errors=True)
