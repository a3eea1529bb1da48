"""The receive path gives the same frames, in order, with websockets' internals or without."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from websockets.asyncio.server import ServerConnection, serve

from wsecho_widget import EchoServer, WebSocketChannel
from wsecho_widget.net import _internals as internals

FRAMES = 5_000


async def flood(ws: ServerConnection) -> None:
    # Text and binary, a fragmented message, and an empty frame: every kind recv() handles.
    for i in range(FRAMES):
        await ws.send(str(i) if i % 3 else i.to_bytes(4, "big"))
        if i == FRAMES // 2:
            await ws.send(["frag", "mented"])
            await ws.send(b"")
    await ws.close(1000, "done")


def expected() -> list[str | bytes]:
    frames: list[str | bytes] = []
    for i in range(FRAMES):
        frames.append(str(i) if i % 3 else i.to_bytes(4, "big"))
        if i == FRAMES // 2:
            frames += ["fragmented", b""]
    return frames


async def test_same_frames_in_order_either_way(fast_path: bool) -> None:
    async with serve(flood, "127.0.0.1", 0, compression=None) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        channel = WebSocketChannel.connect(f"ws://127.0.0.1:{port}", compression=None)
        await channel.ready
        ws = channel.websocket
        assert ws is not None
        assert (internals.frame_taker(ws) is not None) is fast_path
        sizes = []
        got: list[str | bytes] = []
        async for batch in channel.stream.batches(256):
            sizes.append(len(batch))
            got += batch
        assert got == expected()
        assert channel.close_code == 1000
        # The fast path takes what already arrived in batches; without it, one by one.
        assert (max(sizes) > 1) is fast_path
        await asyncio.wait_for(channel.closed, 5)


async def test_public_fallbacks_agree() -> None:
    for setting in (True, False):
        internals.fast_path = setting
        try:
            async with EchoServer(compression="deflate") as server:
                channel = WebSocketChannel.connect(server.url, compression="deflate")
                await channel.ready
                assert channel.extensions == ["permessage-deflate"]
                assert channel.writable
                await channel.close()
                assert not channel.writable
        finally:
            internals.fast_path = True


def test_the_switch_is_an_environment_variable() -> None:
    code = "from wsecho_widget.net import _internals as i; print(i.fast_path)"
    env = {**os.environ, "WSECHO_WIDGET_NO_FAST_PATH": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
