"""Faults seen from the panel: each leaves a one-line status and a usable panel.

Most cases here run with ``reconnect=False`` (the off switch): one attempt, one
status. What the default (reconnecting) panel does with the same faults, and the
harder ones, is in ``test_network_faults.py``.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.frames import Frame, Opcode
from websockets.http11 import Response

from tests.helpers import wait_for
from wsecho_widget import ChannelError, EchoServer, WebSocketPanel


async def assert_still_usable(panel: WebSocketPanel) -> None:
    """After a fault: Connect to a healthy server works and echoes."""
    async with EchoServer() as server:
        await asyncio.wait_for(panel.connect(server.url), 5)
        panel.send("still alive")
        assert (await panel.receive(timeout=5)).data == "still alive"
        await panel.disconnect()


async def serve_with(handler: Callable[[ServerConnection], Awaitable[None]], **kw: object):  # type: ignore[no-untyped-def]
    server = await serve(handler, "127.0.0.1", 0, **kw)  # type: ignore[arg-type]
    return server, f"ws://127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}"


async def test_server_down_at_connect() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        panel = WebSocketPanel(f"ws://127.0.0.1:{s.getsockname()[1]}", reconnect=False)
        with pytest.raises(ChannelError):
            await panel.ready
    assert (panel.status, panel.status_detail) == ("error", "connection refused (is the server running?)")
    await assert_still_usable(panel)
    panel.close()


async def test_no_handshake_times_out() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()  # accepts TCP, never answers the HTTP upgrade
        # 1.5 s, not less: the same timeout then holds for the healthy server of
        # assert_still_usable, whose handshake took over 0.3 s with the matrix's runs side by side.
        panel = WebSocketPanel(f"ws://127.0.0.1:{s.getsockname()[1]}", open_timeout=1.5, reconnect=False)
        with pytest.raises(ChannelError):
            await asyncio.wait_for(panel.ready, 10)
    assert panel.status == "error"
    assert panel.status_detail == "timed out during the opening handshake"
    await assert_still_usable(panel)
    panel.close()


async def test_handshake_rejected() -> None:
    def reject(connection: ServerConnection, request: object) -> Response:
        return connection.respond(401, "who are you?\n")

    server, url = await serve_with(lambda ws: ws.wait_closed(), process_request=reject)
    async with server:
        panel = WebSocketPanel(url)
        with pytest.raises(ChannelError):
            await panel.ready
    # 401 is not retried even with reconnect on (the default): it says so.
    assert panel.status_detail == "server rejected the handshake: HTTP 401 Unauthorized; not reconnecting"
    assert "Traceback" not in panel.status_label.value
    await assert_still_usable(panel)
    panel.close()


async def test_server_closes_with_an_error_code() -> None:
    async def handler(ws: ServerConnection) -> None:
        await ws.recv()
        await ws.close(1011, "database on fire")

    server, url = await serve_with(handler)
    async with server:
        panel = WebSocketPanel(url, reconnect=False)
        await panel.ready
        panel.send("trigger")
        await wait_for(lambda: panel.status == "error", what="the error status")
    assert panel.status_detail == "closed by server: 1011 (internal error): database on fire"
    await assert_still_usable(panel)
    panel.close()


async def test_server_closes_normally() -> None:
    panel = WebSocketPanel()
    await panel.ready
    assert panel.server is not None
    await panel.server.stop()  # what "stop the echo server from a cell" does
    await wait_for(lambda: panel.status == "closed", what="closed")
    assert panel.status_detail == "closed by server: 1001 (going away)"
    # Connect again restarts the embedded server on the same URL.
    url = panel.url
    await asyncio.wait_for(panel.connect(), 5)
    assert panel.url == url
    panel.send("back")
    assert (await panel.receive(timeout=5)).data == "back"
    panel.close()


async def test_server_vanishes_without_a_close_frame() -> None:
    connections: list[ServerConnection] = []

    async def handler(ws: ServerConnection) -> None:
        connections.append(ws)
        await ws.wait_closed()

    server, url = await serve_with(handler)
    async with server:
        panel = WebSocketPanel(url, reconnect=False)
        await panel.ready
        await wait_for(lambda: connections, what="the server side")
        connections[0].transport.abort()  # TCP reset, no closing handshake
        await wait_for(lambda: panel.status == "error", what="the loss")
    assert panel.status_detail == "connection lost (no close frame)"
    with pytest.raises(ChannelError, match="not sent"):
        panel.send("lost?")  # refused, never silently dropped
    await assert_still_usable(panel)
    panel.close()


async def test_invalid_utf8_from_server() -> None:
    async def handler(ws: ServerConnection) -> None:
        # A text frame whose payload is not UTF-8: a protocol error (1007).
        await ws.recv()
        ws.protocol.send_frame(Frame(Opcode.TEXT, b"\xff\xfe bad"))
        ws.send_data()
        await ws.wait_closed()

    server, url = await serve_with(handler)
    async with server:
        panel = WebSocketPanel(url)
        await panel.ready
        panel.send("go")
        await wait_for(lambda: panel.status == "error", what="the protocol error")
    # Not retried (1007 is in FINAL_CLOSE_CODES), even with reconnect on.
    assert panel.status_detail == (
        "invalid UTF-8 in a text frame from the server (invalid start byte at position 0); not reconnecting"
    )
    await assert_still_usable(panel)
    panel.close()


async def test_loop_stays_responsive_while_connecting_to_a_silent_server() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        panel = WebSocketPanel(f"ws://127.0.0.1:{s.getsockname()[1]}", open_timeout=1)
        loop = asyncio.get_running_loop()
        worst = 0.0
        for _ in range(20):
            start = loop.time()
            await asyncio.sleep(0.01)
            worst = max(worst, loop.time() - start - 0.01)
        assert worst < 0.5  # the loop is never blocked by the pending connect
        panel.close()
