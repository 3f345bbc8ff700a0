"""A response's head and body sent in one write.

uvicorn writes a response's status line and headers as soon as the app starts the response,
then its body: two system calls and two TCP segments per answer. On a busy worker, sampled
under 64 clients, the socket writes were a tenth of the worker's time, the most of any one
function. :class:`OneWrite` stands between uvicorn's HTTP protocol and the connection's
transport and holds a write until the next one, which it sends with it: the head goes out
with the body. Whatever is held when the event loop next turns (a streamed body's last
part, a ``HEAD`` answer that has no body) is sent then, and before the connection closes,
so nothing waits longer than the turn that wrote it. ``policy-match serve`` uses it in one
process and in each worker (:func:`writing_once`); an app embedded in another server is
served as that server writes.
"""

from __future__ import annotations

import asyncio
from typing import Any

__all__ = ["OneWrite", "writing_once"]


class OneWrite:
    """The transport of one connection, writing each held write with the next one."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        held = self._held
        if held is None:
            self._held = bytes(data)
            self._loop.call_soon(self._release)
            return
        self._held = None
        self._transport.write(held + data)

    def writelines(self, parts: Any) -> None:
        self.write(b"".join(parts))

    def _release(self) -> None:
        held, self._held = self._held, None
        if held is not None and not self._transport.is_closing():
            self._transport.write(held)

    def write_eof(self) -> None:
        self._release()
        self._transport.write_eof()

    def close(self) -> None:
        self._release()
        self._transport.close()

    def abort(self) -> None:
        self._held = None
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)  # the rest is the transport's own


def writing_once(protocol: type[asyncio.Protocol]) -> type[asyncio.Protocol]:
    """``protocol`` (uvicorn's HTTP protocol class) writing through :class:`OneWrite`."""
    base: type[Any] = protocol

    class WritingOnce(base):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            loop = asyncio.get_running_loop()
            super().connection_made(OneWrite(transport, loop))  # type: ignore[arg-type]

    return WritingOnce
