"""expect() on the session, the panel's API and the channel, against real servers on 127.0.0.1.

The servers: the project's echo server, a websockets server that sends a feed, and an
aiohttp server. Matches that miss leave the messages where receive() and the stream find them.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator

import pytest
from aiohttp import WSMsgType, web
from websockets.asyncio.server import ServerConnection, serve

from tests.testing.feeds import aiohttp_site
from wsecho_widget import WebSocketChannel
from wsecho_widget.client.session import Session
from wsecho_widget.model.match import ExpectationFailed


async def feed(ws: ServerConnection) -> None:
    # Three ticks, then the answer to each request.
    for n in range(3):
        await ws.send(json.dumps({"type": "tick", "n": n}))
    async for request in ws:
        await ws.send(json.dumps({"type": "reply", "to": request}))


@pytest.fixture
async def feed_url() -> AsyncIterator[str]:
    async with serve(feed, "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/"


@pytest.fixture
async def aiohttp_url() -> AsyncIterator[str]:
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_bytes(b"\x89PNG\r\n\x1a\n")
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                await ws.send_str(msg.data.upper())
        return ws

    async with aiohttp_site(handler) as url:
        yield url


async def test_session_expect_skips_ticks_and_leaves_them_for_receive(feed_url: str) -> None:
    session = Session(feed_url)
    try:
        await asyncio.wait_for(session.connect(), 5)
        session.send("hello")
        reply = await session.expect({"type": "reply"}, within=5)
        assert json.loads(str(reply.data)) == {"type": "reply", "to": "hello"}
        ticks = [json.loads(str((await session.receive(1)).data))["n"] for _ in range(3)]
        assert ticks == [0, 1, 2]
        assert session.unread == 0 and session._inbox.waiters == 0
    finally:
        session.close()


async def test_session_expect_fails_with_the_last_five_seen(feed_url: str) -> None:
    session = Session(feed_url)
    try:
        await asyncio.wait_for(session.connect(), 5)
        with pytest.raises(ExpectationFailed) as failed:
            await session.expect({"type": "pong"}, within=0.3)
        text = str(failed.value)
        assert text.startswith('expected JSON containing {"type": "pong"} within 0.3 s; the last 3 seen:')
        assert '"n": 2' in text
        assert session.unread == 3 and session._inbox.waiters == 0  # nothing eaten
    finally:
        session.close()


async def test_panel_api_expect_on_the_embedded_echo_server() -> None:
    from wsecho_widget import WebSocketPanel

    panel = WebSocketPanel()
    try:
        await asyncio.wait_for(panel.ready, 10)
        panel.send("one")
        panel.send(b"\x00\x01")
        panel.send("two")
        assert (await panel.expect(re.compile("^t"), within=5)).data == "two"
        assert (await panel.expect(b"\x00\x01", within=5)).data == b"\x00\x01"
        assert (await panel.receive(1)).data == "one"
    finally:
        panel.close()


async def test_channel_expect_puts_skipped_frames_back_in_front_of_the_stream(aiohttp_url: str) -> None:
    channel = WebSocketChannel.connect(aiohttp_url)
    await asyncio.wait_for(channel.ready, 5)
    channel.sink.add("abc")
    assert (await channel.expect("ABC", within=5)).data == "ABC"
    frames = channel.stream.__aiter__()
    assert await anext(frames) == b"\x89PNG\r\n\x1a\n"  # read by expect, skipped, kept
    channel.sink.add("x")
    assert await anext(frames) == "X"
    await channel.close()


async def test_channel_expect_fails_when_the_connection_ends_first(feed_url: str) -> None:
    async with serve(lambda ws: ws.close(4001, "bye"), "127.0.0.1", 0) as server:
        port = server.sockets[0].getsockname()[1]
        channel = WebSocketChannel.connect(f"ws://127.0.0.1:{port}/")
        await asyncio.wait_for(channel.ready, 5)
        with pytest.raises(ExpectationFailed, match=r"within 5 s \(the connection closed \(4001 bye\)\)"):
            await channel.expect("never", within=5)
        await channel.close()
