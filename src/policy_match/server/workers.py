"""Several worker processes behind one acceptor: ``policy-match serve --workers N``.

uvicorn's own workers share the listening socket, and whichever process wakes first takes
every connection waiting: portals and load balancers keep connections open, so a burst of
64 arriving together was measured split 44/20, and the clients of the busier worker waited
twice as long as the others for the same work. Here the parent process accepts every
connection and hands it to the worker holding the fewest open ones (``socket.send_fds``
over a Unix socket pair; each worker tells the parent when a connection of its closes);
the workers serve what they are handed with uvicorn's HTTP protocol. A worker that dies is
started again. Unix only (``send_fds``): on Windows, serve with one process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import selectors
import signal
import socket
import sys
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import Any

import uvicorn

from policy_match.server.onewrite import writing_once

__all__ = ["HandedServer", "serve_workers"]

log = logging.getLogger("policy_match.server")

CLOSED = b"c"  # a worker to the parent: one of my connections closed
HANDED, BUSY, GONE = "handed", "busy", "gone"  # what handing a connection to a worker did
_CHECK_SECONDS = 1.0  # how often the parent looks for dead workers


class _Worker:
    """The parent's view of one worker: its process, its end of the channel and the
    connections it holds."""

    def __init__(self, index: int, start: Callable[[socket.socket], BaseProcess]) -> None:
        self.index = index
        self.channel, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.process = start(theirs)
        theirs.close()
        self.open = 0

    def hand(self, conn: socket.socket) -> str:
        """Pass ``conn`` to the worker: ``handed``; ``busy`` when its channel is full (the
        worker is behind: another may take it); ``gone`` when the channel is closed."""
        try:
            socket.send_fds(self.channel, [b"n"], [conn.fileno()])
        except BlockingIOError:
            return BUSY
        except OSError:
            return GONE
        self.open += 1
        return HANDED

    def closed(self) -> bool:
        """Read the worker's close notes; False when the worker is gone."""
        try:
            notes = self.channel.recv(4096)
        except BlockingIOError:
            return True
        except OSError:
            return False
        self.open = max(0, self.open - notes.count(CLOSED))
        return bool(notes)


class _Acceptor:
    """The parent's loop: accept, hand to the least busy worker, restart dead ones."""

    def __init__(self, listener: socket.socket, count: int,
                 start: Callable[[socket.socket], BaseProcess]) -> None:
        self.listener = listener
        self.start = start
        self.selector = selectors.DefaultSelector()
        self.workers = [self._started(i) for i in range(count)]
        listener.setblocking(False)
        self.selector.register(listener, selectors.EVENT_READ, None)
        self.stopping = False

    def _started(self, index: int) -> _Worker:
        worker = _Worker(index, self.start)
        worker.channel.setblocking(False)
        self.selector.register(worker.channel, selectors.EVENT_READ, worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        if self.stopping:
            return
        log.warning("worker %d (pid %s) is gone: starting another", worker.index,
                    worker.process.pid)
        self.selector.unregister(worker.channel)
        worker.channel.close()
        _stop_process(worker.process)
        self.workers[worker.index] = self._started(worker.index)

    def run(self) -> None:
        checked = time.monotonic()
        while not self.stopping:
            for key, _ in self.selector.select(_CHECK_SECONDS):
                if key.data is None:
                    self._accept()
                elif not key.data.closed():
                    self._replace(key.data)
            if time.monotonic() - checked >= _CHECK_SECONDS:
                checked = time.monotonic()
                for worker in list(self.workers):
                    if not worker.process.is_alive():
                        self._replace(worker)

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # out of file descriptors, a reset before accept
                log.warning("accept failed: %s", exc)
                return
            with conn:
                self._hand(conn)

    def _hand(self, conn: socket.socket) -> None:
        """To the worker holding the fewest connections that takes it; a worker whose
        channel is gone is replaced (the connection goes to the next)."""
        for worker in sorted(self.workers, key=lambda w: (w.open, w.index)):
            outcome = worker.hand(conn)
            if outcome == HANDED:
                return
            if outcome == GONE:
                self._replace(worker)
        log.warning("no worker took a connection: it is closed")

    def stop(self) -> None:
        self.stopping = True
        for worker in self.workers:
            with contextlib.suppress(OSError):
                worker.channel.close()
        for worker in self.workers:
            _stop_process(worker.process)
        self.selector.close()


def _stop_process(process: BaseProcess, timeout: float = 15.0) -> None:
    if process.is_alive():
        process.terminate()
    process.join(timeout)
    if process.is_alive():
        process.kill()
        process.join()


def serve_workers(host: str, port: int, workers: int, settings: str,
                  log_level: str = "info", loop: str = "asyncio") -> None:
    """Listen on ``host:port`` and serve with ``workers`` processes, each building the app
    from ``settings`` (the JSON of :data:`~.app.SETTINGS_ENV`) and running uvicorn on the
    event loop ``loop`` (:data:`LOOPS`); until SIGINT or SIGTERM."""
    listener = socket.create_server((host, port), backlog=2048)
    context = multiprocessing.get_context("spawn")

    def start(channel: socket.socket) -> BaseProcess:
        process = context.Process(target=_worker_main, args=(channel, settings, log_level, loop),
                                  daemon=False)
        process.start()
        return process

    acceptor = _Acceptor(listener, workers, start)

    def stop(*_: Any) -> None:
        acceptor.stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        acceptor.run()
    finally:
        acceptor.stop()
        listener.close()
        for s, handler in previous.items():
            signal.signal(s, handler)


def _worker_main(channel: socket.socket, settings: str, log_level: str, loop: str) -> None:
    """A worker process: the app from ``settings``, served on what the parent hands over."""
    from policy_match.server.app import SETTINGS_ENV, app_from_env

    os.environ[SETTINGS_ENV] = settings
    config = uvicorn.Config(app_from_env(), log_level=log_level, loop=loop)
    HandedServer(config, channel).run()


class HandedServer(uvicorn.Server):
    """A uvicorn server that listens on nothing: it serves the connections that arrive on
    ``channel`` (one file descriptor per message) and writes a note there when one closes.
    Only :meth:`startup` differs from uvicorn's."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self.channel = channel

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await self.lifespan.startup()
        if self.lifespan.should_exit:
            sys.exit(3)  # uvicorn's exit status for a failed startup
        self.servers = []
        loop = asyncio.get_running_loop()
        self.channel.setblocking(False)
        loop.add_reader(self.channel.fileno(), self._receive, loop, self._protocol_class())
        self.started = True

    def _protocol_class(self) -> type[asyncio.Protocol]:
        """uvicorn's HTTP protocol, telling the parent when a connection closes, and
        writing each response's head with its body (:mod:`.onewrite`)."""
        channel = self.channel
        base: type[Any] = writing_once(self.config.http_protocol_class)

        class Noted(base):
            def connection_lost(self, exc: Exception | None) -> None:
                super().connection_lost(exc)
                with contextlib.suppress(OSError):
                    channel.send(CLOSED)

        return Noted

    def _receive(self, loop: asyncio.AbstractEventLoop, protocol: type[Any]) -> None:
        try:
            message, fds, _, _ = socket.recv_fds(self.channel, 64, 64)
        except BlockingIOError:
            return
        except OSError:
            message, fds = b"", []
        if not message:  # the parent is gone: finish what is under way and stop
            loop.remove_reader(self.channel.fileno())
            self.should_exit = True
            return

        def create_protocol() -> asyncio.Protocol:
            made: asyncio.Protocol = protocol(config=self.config, server_state=self.server_state,
                                              app_state=self.lifespan.state)
            return made

        for fd in fds:
            conn = socket.socket(fileno=fd)
            loop.create_task(loop.connect_accepted_socket(create_protocol, conn))
