"""WebSocketChannel against real servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Response

from tests.helpers import wait_for
from wsecho_widget import ChannelError, EchoServer, WebSocketChannel
from wsecho_widget.client.connection import check_url, describe_close, redact_url


async def test_connect_send_listen_close(echo_server: EchoServer) -> None:
    channel = WebSocketChannel.connect(echo_server.url)
    assert repr(channel).endswith("connecting>")
    channel.sink.add("Hello!")  # queued before the handshake: order is kept
    channel.sink.add(b"\x00\x01")
    channel.sink.add("last")
    await channel.ready
    assert channel.is_open
    received = []
    async for message in channel.stream:
        received.append(message)
        if len(received) == 3:
            await channel.sink.close(1000, "done")
    assert received == ["Hello!", b"\x00\x01", "last"]
    assert channel.close_code == 1000
    assert channel.close_reason == "done"
    assert not channel.tasks
    with pytest.raises(ChannelError, match="closed"):
        channel.sink.add("too late")


async def test_connect_needs_a_running_loop_in_sync_code() -> None:
    def sync() -> None:
        WebSocketChannel.connect("ws://127.0.0.1:1")

    loop = asyncio.get_running_loop()
    with pytest.raises(RuntimeError, match="running asyncio event loop"):
        await loop.run_in_executor(None, sync)


async def test_refused_connection_is_a_clear_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: refused
        channel = WebSocketChannel.connect(f"ws://127.0.0.1:{port}")
        with pytest.raises(ChannelError, match="connection refused"):
            await channel.ready
    assert channel.closed.done()
    assert not channel.tasks


@pytest.mark.parametrize("url", ["http://127.0.0.1:80", "127.0.0.1:8765", "ws://", "wss//x"])
async def test_invalid_url(url: str) -> None:
    channel = WebSocketChannel.connect(url)
    with pytest.raises(ChannelError, match="invalid URL"):
        await channel.ready


async def test_handshake_rejected_with_403() -> None:
    def reject(connection: ServerConnection, request: object) -> Response:
        return connection.respond(403, "go away\n")

    async with serve(lambda ws: ws.wait_closed(), "127.0.0.1", 0, process_request=reject) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        channel = WebSocketChannel.connect(f"ws://127.0.0.1:{port}")
        with pytest.raises(ChannelError, match="HTTP 403 Forbidden"):
            await channel.ready


@pytest.mark.parametrize(
    ("code", "reason"),
    [(1000, "done"), (1001, "restarting"), (4000, "session over"), (1011, "boom")],
)
async def test_stream_ends_quietly_on_every_closing_handshake(code: int, reason: str) -> None:
    # Like web_socket_channel: whatever the code, a server that says goodbye with a
    # close frame ends the stream; close_code and close_reason say how.
    async def handler(ws: ServerConnection) -> None:
        await ws.send("bye")
        await ws.close(code, reason)

    async with serve(handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        channel = WebSocketChannel.connect(f"ws://127.0.0.1:{port}")
        assert [m async for m in channel.stream] == ["bye"]
        assert (channel.close_code, channel.close_reason) == (code, reason)
        await asyncio.wait_for(channel.closed, 5)
        assert (channel.close_code, channel.close_reason) == (code, reason)


async def test_stream_ends_quietly_when_we_close_with_an_application_code(echo_server: EchoServer) -> None:
    channel = WebSocketChannel.connect(echo_server.url)
    channel.sink.add("one")
    got = []
    async for message in channel.stream:
        got.append(message)
        await channel.sink.close(4000, "session over")
    assert got == ["one"]
    assert (channel.close_code, channel.close_reason) == (4000, "session over")


async def test_stream_raises_when_the_connection_drops_without_a_close() -> None:
    async def handler(ws: ServerConnection) -> None:
        await ws.send("bye")
        await asyncio.sleep(0.05)
        ws.transport.abort()  # TCP reset, no close frame

    async with serve(handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        channel = WebSocketChannel.connect(f"ws://127.0.0.1:{port}")
        got = []
        with pytest.raises(ChannelError, match=r"connection (lost|reset by peer) \(no close frame\)"):
            async for message in channel.stream:
                got.append(message)
        assert got == ["bye"]
        await asyncio.wait_for(channel.closed, 5)
        assert channel.close_code is None or channel.close_code == 1006


async def test_fail_drops_the_connection_and_says_why(echo_server: EchoServer) -> None:
    channel = WebSocketChannel.connect(echo_server.url)
    await channel.ready
    channel.sink.add("before")
    assert await anext(aiter(channel.stream)) == "before"
    channel.fail("no heartbeat within 0.4 s")
    await asyncio.wait_for(channel.closed, 5)
    assert not channel.is_open and channel.error == "no heartbeat within 0.4 s"
    with pytest.raises(ChannelError, match=r"no heartbeat within 0\.4 s"):
        async for _ in channel.stream:
            pass
    channel.fail("a second verdict")  # the first reason stays
    assert channel.error == "no heartbeat within 0.4 s"
    # The cancelled tasks leave the set from their done callbacks, a loop turn later.
    await wait_for(lambda: not channel.tasks, what="the channel's tasks to end")


async def test_options_reach_websockets() -> None:
    seen: dict[str, object] = {}

    async def handler(ws: ServerConnection) -> None:
        seen["auth"] = ws.request.headers.get("Authorization") if ws.request else None
        seen["subprotocol"] = ws.subprotocol
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0, subprotocols=["chat.v2"]) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        channel = WebSocketChannel.connect(
            f"ws://127.0.0.1:{port}",
            additional_headers=Headers(Authorization="Bearer t0ken"),
            subprotocols=["chat.v2"],
        )
        await channel.ready
        assert channel.subprotocol == "chat.v2"
        await channel.sink.close()
    assert seen == {"auth": "Bearer t0ken", "subprotocol": "chat.v2"}


async def test_too_big_frame_is_named() -> None:
    async with EchoServer() as server:
        channel = WebSocketChannel.connect(server.url, max_size=1000)
        channel.sink.add(b"x" * 5000)
        with pytest.raises(ChannelError, match="message too big"):
            async for _ in channel.stream:
                pass
        assert channel.close_code == 1009
        assert channel.error == "message too big (5,000 bytes, limit 1,000 bytes)"


async def test_close_while_connecting() -> None:
    # A listening socket that never answers the handshake.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        channel = WebSocketChannel.connect(f"ws://127.0.0.1:{s.getsockname()[1]}")
        await asyncio.sleep(0.05)
        await channel.close()
        with pytest.raises(ChannelError, match="closed while connecting"):
            await channel.ready
        assert not channel.tasks


async def test_sink_rejects_other_types(echo_server: EchoServer) -> None:
    channel = WebSocketChannel.connect(echo_server.url)
    with pytest.raises(TypeError, match=r"str .* or bytes"):
        channel.sink.add(42)  # type: ignore[arg-type]
    await channel.ready
    await channel.sink.close()


def test_describe_close() -> None:
    assert describe_close(1001, "bye") == "1001 (going away): bye"
    assert describe_close(4000, "") == "4000 (application code)"
    assert describe_close(None, "") == "connection lost (no close frame)"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("ws://127.0.0.1:8765", "ws://127.0.0.1:8765"),
        ("ws://127.0.0.1:8765/feed?token=abc", "ws://127.0.0.1:8765/feed?token=***"),
        ("wss://alice:pw@example.org/x?a=1&b=&c", "wss://***@example.org/x?a=***&b=***&***"),
        ("ws://tok3n@[::1]:9/#frag", "ws://***@[::1]:9/#***"),
        ("ws://[::1", "(invalid URL)"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_invalid_url_error_is_redacted_and_not_chained() -> None:
    with pytest.raises(ChannelError) as info:
        check_url("http://alice:pw@host/?token=t0p")
    assert str(info.value) == "invalid URL 'http://***@host/?token=***': use ws://host:port/path or wss://…"
    assert info.value.__cause__ is None and info.value.__suppress_context__
