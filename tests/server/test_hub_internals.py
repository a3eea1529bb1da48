"""The server core gives the same results with websockets' internals or with its public API only."""

from __future__ import annotations

import asyncio

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.helpers import make_png, wait_for
from wsecho_widget.server.hub import Hub


async def test_broadcasts_and_closes_either_way(fast_path: bool) -> None:
    hub = Hub(mode="manual", compression="deflate")
    await hub.ready
    frames: list[str | bytes] = ["héllo", make_png(), b"", "x" * 70_000]
    try:
        async with (
            connect(hub.url) as deflated,
            connect(hub.url, compression=None) as plain,
            connect(hub.url, compression=None) as leaving,
        ):
            await wait_for(lambda: len(hub.clients) == 3, what="three clients")
            for frame in frames:
                assert hub.send(frame) == 3
            for ws in (deflated, plain, leaving):
                assert [await ws.recv() for _ in frames] == frames
            await hub.disconnect("c3", 4001, "go")
            assert leaving.close_code == 4001 and leaving.close_reason == "go"
            said = hub.notices[-1].text
            assert said == (
                "closed by server: 4001 (application code): go"
                if fast_path
                else "closed: 4001 (application code): go"
            )
    finally:
        hub.close()
        await hub.closed


async def test_a_stalled_client_is_dropped_either_way(fast_path: bool) -> None:
    hub = Hub(mode="manual", send_queue=64 * 1024, close_timeout=10)
    await hub.ready
    stalled = await connect(hub.url, ping_interval=None)
    try:
        await wait_for(lambda: hub.clients, what="a client")
        stalled.transport.pause_reading()
        sent = 0
        while not hub.clients[0].dropped_because and sent < 100_000:
            hub.send(b"z" * 1000)
            sent += 1
            if sent % 50 == 0:
                await asyncio.sleep(0)
        assert any("closing with 1008: send queue full" in n.text for n in hub.notices)
        stalled.transport.resume_reading()  # it reads again: the backlog, then the close frame
        with pytest.raises(ConnectionClosed):
            while True:
                await stalled.recv()
        assert stalled.close_code == 1008 and stalled.close_reason == "send queue full"
        await wait_for(lambda: not hub.clients, timeout=10, what="the stalled client gone")
    finally:
        stalled.transport.abort()
        hub.close()
        await hub.closed
