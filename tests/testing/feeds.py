"""The same small feed served three ways for the testing tools: websockets, aiohttp, Node's ``ws``.

"ping" -> "pong"; ``{"op": "subscribe", "topic": T}`` -> ``subscribed`` (a fresh ``id``
and ``ts`` each time), then two ticks; binary -> the bytes reversed. ``version=2``
changes the tick prices: what a replay's diff should find.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import WSMsgType, web
from websockets.asyncio.server import ServerConnection, serve

NODE_FEED = Path(__file__).parent.parent / "node" / "feed_server.js"
_ids = itertools.count(1)


def answers(data: str | bytes, version: int) -> list[str | bytes]:
    """What the feed says to one client message."""
    if isinstance(data, bytes):
        return [data[::-1]]
    if data == "ping":
        return ["pong"]
    request: dict[str, Any] = json.loads(data)
    topic, ts = request.get("topic"), time.time()
    replies: list[str | bytes] = [
        json.dumps({"type": "subscribed", "topic": topic, "id": f"py-{next(_ids)}", "ts": ts})
    ]
    for n in (1, 2):
        replies.append(
            json.dumps({"type": "tick", "topic": topic, "n": n, "price": 100 + n * version, "ts": ts})
        )
    return replies


@contextlib.asynccontextmanager
async def websockets_feed(version: int = 1) -> AsyncIterator[str]:
    async def handler(ws: ServerConnection) -> None:
        async for data in ws:
            for reply in answers(data, version):
                await ws.send(reply)

    async with serve(handler, "127.0.0.1", 0) as server:
        yield f"ws://127.0.0.1:{server.sockets[0].getsockname()[1]}/"


@contextlib.asynccontextmanager
async def aiohttp_feed(version: int = 1) -> AsyncIterator[str]:
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            data = msg.data if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY) else None
            for reply in answers(data, version) if data is not None else []:
                await (ws.send_str(reply) if isinstance(reply, str) else ws.send_bytes(reply))
        return ws

    async with aiohttp_site(handler) as url:
        yield url


@contextlib.asynccontextmanager
async def aiohttp_site(
    handler: Callable[[web.Request], Awaitable[web.WebSocketResponse]],
) -> AsyncIterator[str]:
    """``handler`` as aiohttp's WebSocket server at ``/`` on 127.0.0.1 until the block ends;
    its ws:// URL."""
    app = web.Application()
    app.router.add_get("/", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"ws://127.0.0.1:{site._server.sockets[0].getsockname()[1]}/"  # type: ignore[union-attr]
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def node_feed(node_modules: Path, version: int = 1) -> AsyncIterator[str]:
    process = await asyncio.create_subprocess_exec(
        "node", str(NODE_FEED), str(version),
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "NODE_PATH": str(node_modules)},
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), 10)
        yield f"ws://127.0.0.1:{json.loads(line)['port']}/"
    finally:
        process.kill()
        await process.wait()


Feed = Callable[..., AbstractAsyncContextManager[str]]


@pytest.fixture(params=["websockets", "aiohttp", "node ws"])
async def feed(request: pytest.FixtureRequest) -> AsyncIterator[Feed]:
    """The feed, once per server kind: call it (``version=``) for a running server's URL."""
    if request.param == "websockets":
        yield websockets_feed
    elif request.param == "aiohttp":
        yield aiohttp_feed
    else:
        modules = request.getfixturevalue("node_modules")
        yield lambda version=1: node_feed(modules, version)
