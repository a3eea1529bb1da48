"""A hostile server against the client: closed with the right code, said in words, nothing raised.

The server is asyncio streams writing a real opening handshake by hand and then
frames websockets' own server would never send.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.utils import accept_key

from tests.helpers import wait_for
from tests.hostile import frame, read_frame
from wsecho_widget import ChannelError, WebSocketChannel

TEXT, BINARY = 1, 2


async def _handshake(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    key = next(
        line.split(b":", 1)[1].strip()
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"sec-websocket-key")
    )
    accept = accept_key(key.decode()).encode()
    writer.write(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
    )


class RawServer:
    """Answers the handshake, writes ``bad`` and records the close code the client sends."""

    def __init__(self, bad: bytes) -> None:
        self.bad = bad
        self.codes: list[int | None] = []
        self.port = 0
        self._server: asyncio.Server | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _handshake(reader, writer)
        writer.write(frame(TEXT, b"hello", mask=False) + self.bad)
        try:
            async with asyncio.timeout(5):
                while True:
                    opcode, data = await read_frame(reader)
                    if opcode == 8:
                        self.codes.append(struct.unpack(">H", data[:2])[0] if len(data) >= 2 else 1005)
                        break
        except (asyncio.IncompleteReadError, ConnectionError, TimeoutError):
            self.codes.append(None)
        writer.close()

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()


@pytest.fixture
async def loop_errors() -> AsyncIterator[list[dict[str, Any]]]:
    """What reaches the loop's exception handler (nothing may)."""
    loop = asyncio.get_running_loop()
    seen: list[dict[str, Any]] = []
    previous: Callable[..., Any] | None = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: seen.append(context))
    yield seen  # type: ignore[misc]
    loop.set_exception_handler(previous)


CASES = {
    # RFC 6455 5.1: "a client MUST close a connection if it detects a masked frame".
    "a masked frame": (frame(TEXT, b"masked", mask=True), {}, 1002, "incorrect masking"),
    # RFC 6455 5.2: RSV1 without a negotiated extension (Autobahn cases 3.1-3.7).
    "RSV1 without compression": (frame(TEXT, b"x", mask=False, rsv=4), {}, 1002, "reserved bits must be 0"),
    "RSV3 without an extension": (
        frame(BINARY, b"x", mask=False, rsv=1),
        {},
        1002,
        "reserved bits must be 0",
    ),
    # A frame over the client's max_size (1 KiB here): 1009 (Autobahn cases 9.x shape).
    "a frame over max_size": (
        frame(BINARY, b"x" * 2000, mask=False),
        {"max_size": 1024},
        1009,
        "limit 1,024",
    ),
    "a reserved opcode": (frame(5, b"x", mask=False), {}, 1002, "invalid opcode"),
    "invalid UTF-8": (frame(TEXT, b"\xff\xfe", mask=False), {}, 1007, "invalid start byte"),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_a_server_breaking_the_protocol_is_closed_with_the_right_code_in_words(
    case: str, loop_errors: list[dict[str, Any]]
) -> None:
    """RFC 6455 sections 5.1 (masking), 5.2 (reserved bits, opcodes), 8.1 (UTF-8) and
    10.4 (size limits); the Autobahn testsuite's cases 3.x, 4.x, 6.x and 9.x, sent by a
    server."""
    bad, options, code, words = CASES[case]
    async with RawServer(bad) as server:
        channel = WebSocketChannel.connect(f"ws://127.0.0.1:{server.port}/", **options)
        await asyncio.wait_for(channel.ready, 5)
        received = []
        with pytest.raises(ChannelError) as raised:  # the stream ends with why, in words
            async for data in channel.stream:
                received.append(data)
        assert received == ["hello"] and words in str(raised.value)
        await asyncio.wait_for(channel.closed, 5)
        assert server.codes == [code]
        assert channel.error is not None and words in channel.error, channel.error
        assert "\n" not in channel.error and "Traceback" not in channel.error
    assert loop_errors == []


async def test_our_close_reason_past_123_bytes_is_cut_not_raised() -> None:
    """websockets raises ProtocolError for a close reason over 123 bytes (RFC 6455 5.5);
    "é" * 62 is 124 bytes. The channel cuts it on a character boundary."""
    reasons: list[str] = []

    async def handler(ws: ServerConnection) -> None:
        await ws.wait_closed()
        reasons.append(ws.close_reason or "")

    async with serve(handler, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        channel = WebSocketChannel.connect(f"ws://127.0.0.1:{port}/")
        await asyncio.wait_for(channel.ready, 5)
        await asyncio.wait_for(channel.close(4000, "é" * 62), 5)
        await wait_for(lambda: bool(reasons), what="the close")
    assert reasons == ["é" * 61]
    assert channel.error == "closed: 4000 (application code): " + "é" * 61  # no ProtocolError
