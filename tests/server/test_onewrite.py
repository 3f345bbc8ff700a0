"""A response's head and body leave in one write; nothing held waits past the loop's turn
or is lost at close. Real sockets, a real event loop."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from policy_match.server.onewrite import OneWrite


class _Kept(asyncio.Protocol):
    def __init__(self) -> None:
        self.transport: Any = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport


async def _connected() -> tuple[OneWrite, list[bytes], socket.socket]:
    """A OneWrite over a real socket transport whose writes are counted; the peer's end."""
    ours, peer = socket.socketpair()
    loop = asyncio.get_running_loop()
    _, protocol = await loop.connect_accepted_socket(_Kept, ours)
    transport = protocol.transport
    writes: list[bytes] = []
    real_write = transport.write

    def counted(data: bytes) -> None:
        writes.append(bytes(data))
        real_write(data)

    transport.write = counted
    peer.setblocking(False)
    return OneWrite(transport, loop), writes, peer


async def _read(peer: socket.socket, size: int) -> bytes:
    loop = asyncio.get_running_loop()
    got = b""
    while len(got) < size:
        part = await loop.sock_recv(peer, size - len(got))
        if not part:
            break
        got += part
    return got


def test_a_head_and_its_body_are_one_write() -> None:
    async def scenario() -> tuple[list[bytes], bytes]:
        wrapped, writes, peer = await _connected()
        head, body = b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n", b"hello"
        wrapped.write(head)
        wrapped.write(body)
        got = await _read(peer, len(head) + len(body))
        await asyncio.sleep(0)  # the turn ends: nothing more is sent
        wrapped.close()
        peer.close()
        return writes, got

    writes, got = asyncio.run(scenario())
    assert writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello"]
    assert got == writes[0]


def test_a_write_alone_leaves_when_the_loop_turns() -> None:
    async def scenario() -> tuple[list[bytes], bytes, list[bytes]]:
        wrapped, writes, peer = await _connected()
        wrapped.write(b"HTTP/1.1 204 No Content\r\n\r\n")  # a head with no body to follow
        assert writes == []  # held for now
        got = await asyncio.wait_for(_read(peer, 27), timeout=5)
        wrapped.write(b"part one,")  # then a streamed body: each part in its turn
        await asyncio.sleep(0.01)
        wrapped.write(b"part two")
        later = await asyncio.wait_for(_read(peer, 17), timeout=5)
        wrapped.close()
        peer.close()
        return writes, got + later, writes

    writes, got, _ = asyncio.run(scenario())
    assert got == b"HTTP/1.1 204 No Content\r\n\r\npart one,part two"
    assert writes == [b"HTTP/1.1 204 No Content\r\n\r\n", b"part one,", b"part two"]


def test_what_is_held_is_sent_before_the_connection_closes() -> None:
    async def scenario() -> bytes:
        wrapped, _, peer = await _connected()
        wrapped.writelines([b"HTTP/1.1 200 OK\r\n", b"connection: close\r\n\r\n"])
        wrapped.close()  # at once, in the same turn
        got = await asyncio.wait_for(_read(peer, 1 << 16), timeout=5)
        peer.close()
        return got

    assert asyncio.run(scenario()) == b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n"
