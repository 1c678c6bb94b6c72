"""The server loop: the one thread that changes or reads what is served.

Requests are answered on it, and the builder and the indexer hand it their changes with `call`,
so a change to the preview folder and the requests around it never interleave.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from tornado import httpserver, web
from tornado.ioloop import IOLoop

T = TypeVar("T")


class Closed(Exception):
    """The server stopped while a build or an index was waiting for the loop."""


class ServerLoop:
    """A tornado loop serving an application, run by `run` in the thread that calls it."""

    def __init__(self) -> None:
        self.closing = threading.Event()  # set once the server is stopping
        self._loop: IOLoop | None = None
        self._http: httpserver.HTTPServer | None = None
        self._ended = threading.Event()

    def run(self, app: web.Application, sockets: Iterable[socket.socket]) -> None:
        """Serve `app` on `sockets` until `stop()` is called (or Ctrl-C in this thread)."""
        asyncio_loop = asyncio.new_event_loop()
        asyncio.set_event_loop(asyncio_loop)
        self._loop = IOLoop.current()
        self._http = httpserver.HTTPServer(app)
        self._http.add_sockets(sockets)
        try:
            asyncio_loop.run_forever()
        finally:
            self._http.stop()
            self._loop = None
            IOLoop.current().close(all_fds=True)
            self._ended.set()

    def stop(self, last: Callable[[], None]) -> None:
        """Mark the server closing, run `last` on the loop, end the loop and wait for it."""
        self.closing.set()
        loop = self._loop
        if loop is not None:
            def shutdown() -> None:
                last()
                loop.stop()
            loop.add_callback(shutdown)
        if self._http is not None:
            self._ended.wait(timeout=5)

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(*args)` on the loop and return its result (inline before the loop runs);
        raise Closed if the server stops first."""
        if self.closing.is_set():
            raise Closed
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
        while not self.closing.is_set():
            try:
                return done.result(timeout=0.2)
            except concurrent.futures.TimeoutError:
                continue
        raise Closed
