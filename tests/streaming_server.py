"""A server for the fault tests that runs as its own process, so a test can kill it.

``python -m tests.streaming_server PORT`` listens on 127.0.0.1:PORT. On each
connection it sends ``tick 0``, ``tick 1``, … every 5 ms and echoes what it gets.
It prints ``ready`` once it listens.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sys

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed


async def handler(ws: ServerConnection) -> None:
    async def ticks() -> None:
        for n in itertools.count():
            await ws.send(f"tick {n}")
            await asyncio.sleep(0.005)

    ticker = asyncio.create_task(ticks())
    try:
        with contextlib.suppress(ConnectionClosed):
            async for message in ws:
                await ws.send(message)
    finally:
        ticker.cancel()


async def main(port: int) -> None:
    async with serve(handler, "127.0.0.1", port, compression=None):
        print("ready", flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
