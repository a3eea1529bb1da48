"""What the hostile-peer tests share: hypothesis sizing, hand-made WebSocket frames, and
servers that speak a protocol by hand.

Property tests run a few seconds by default; ``WSECHO_HYPOTHESIS_LONG=1`` runs them
a hundred times longer. Frames are built by hand (websockets refuses to send the
shapes under test) and written with asyncio streams. :func:`by_hand` serves a
handler that writes a protocol's messages itself (no real Socket.IO or GraphQL
server sends the shapes under test) to the real client: :func:`socketio_by_hand`,
:func:`graphql_by_hand`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, TypeVar

from hypothesis import HealthCheck, settings
from websockets.asyncio.server import ServerConnection, serve

from wsecho_widget.protocols.graphql.client import GraphQLClient
from wsecho_widget.protocols.socketio.client import SocketIOClient

LONG = os.environ.get("WSECHO_HYPOTHESIS_LONG", "") not in ("", "0")


def sized(examples: int) -> settings:
    """hypothesis settings: ``examples`` cases (x100 with WSECHO_HYPOTHESIS_LONG=1), no deadline."""
    return settings(
        max_examples=examples * (100 if LONG else 1),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )


def frame(opcode: int, payload: bytes = b"", *, fin: bool = True, mask: bool = True, rsv: int = 0) -> bytes:
    """One frame's bytes as written on the wire; ``mask=False`` for a server's (or a bad client's)."""
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    size = len(payload)
    bit = 0x80 if mask else 0
    if size < 126:
        head += bytes([bit | size])
    elif size < 1 << 16:
        head += bytes([bit | 126]) + struct.pack(">H", size)
    else:
        head += bytes([bit | 127]) + struct.pack(">Q", size)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def close_payload(code: int, reason: bytes = b"") -> bytes:
    return struct.pack(">H", code) + reason


def upgrade_request(path: str = "/", **headers: str) -> bytes:
    """A valid opening handshake; ``headers`` add or (with "") remove headers (``_`` for ``-``)."""
    fields = {
        "Host": "127.0.0.1",
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": base64.b64encode(os.urandom(16)).decode(),
        "Sec-WebSocket-Version": "13",
    }
    for name, value in headers.items():
        fields[name.replace("_", "-")] = value
    lines = [f"GET {path} HTTP/1.1"] + [f"{k}: {v}" for k, v in fields.items() if v != ""]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def open_raw(port: int, path: str = "/") -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A raw TCP connection that has completed the opening handshake (101 read)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(upgrade_request(path))
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101"), head
    return reader, writer


async def read_frame(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """(opcode, payload) of the next frame a server sends (unmasked)."""
    first, second = await reader.readexactly(2)
    size = second & 0x7F
    if size == 126:
        (size,) = struct.unpack(">H", await reader.readexactly(2))
    elif size == 127:
        (size,) = struct.unpack(">Q", await reader.readexactly(8))
    key = await reader.readexactly(4) if second & 0x80 else b""
    data = await reader.readexactly(size)
    if key:
        data = bytes(b ^ key[i % 4] for i, b in enumerate(data))
    return first & 0x0F, data


async def read_close(reader: asyncio.StreamReader, timeout: float = 5.0) -> int | None:
    """The close code of the first close frame the server sends (other frames skipped)."""
    async with asyncio.timeout(timeout):
        while True:
            try:
                opcode, data = await read_frame(reader)
            except asyncio.IncompleteReadError:
                return None
            if opcode == 8:
                return struct.unpack(">H", data[:2])[0] if len(data) >= 2 else 1005


class _Client(Protocol):
    def observe(self, **callbacks: Any) -> Any: ...
    def close(self) -> None: ...


C = TypeVar("C", bound=_Client)


@contextlib.asynccontextmanager
async def by_hand(
    handler: Callable[[ServerConnection], Awaitable[None]],
    connect: Callable[[str], C],
    subprotocols: list[str] | None = None,
) -> AsyncIterator[tuple[C, list[str]]]:
    """Serve ``handler`` (websockets on 127.0.0.1) to the client ``connect("127.0.0.1:PORT")``
    makes; the client and the notices it gives, in order. The client is closed after."""
    async with serve(handler, "127.0.0.1", 0, subprotocols=subprotocols) as server:  # type: ignore[arg-type]
        client = connect(f"127.0.0.1:{server.sockets[0].getsockname()[1]}")
        notices: list[str] = []
        client.observe(on_notice=notices.append)
        try:
            yield client, notices
        finally:
            client.close()


Handler = Callable[[ServerConnection], Awaitable[None]]


def socketio_by_hand(
    handler: Handler, **options: Any
) -> AbstractAsyncContextManager[tuple[SocketIOClient, list[str]]]:
    """:func:`by_hand` with a :class:`SocketIOClient` (Engine.IO at the root path)."""
    return by_hand(handler, lambda address: SocketIOClient(f"http://{address}", path="/", **options))


def graphql_by_hand(
    handler: Handler, *, subprotocol: bool = True, **options: Any
) -> AbstractAsyncContextManager[tuple[GraphQLClient, list[str]]]:
    """:func:`by_hand` with a :class:`GraphQLClient`; the server speaks graphql-transport-ws
    unless ``subprotocol=False``."""
    subprotocols = ["graphql-transport-ws"] if subprotocol else None
    return by_hand(handler, lambda address: GraphQLClient(f"ws://{address}/", **options), subprotocols)
