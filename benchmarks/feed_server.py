"""The chart benchmark's server, run in its own process: a paced feed of JSON prices.

``python -m benchmarks.feed_server`` listens on 127.0.0.1 (a free port, printed as
``PORT <n>``). The text frame ``!feed RATE SECONDS TAG`` starts RATE messages a second
for SECONDS, on a clock (no drift), each ``{"n": ..., "a": ..., "b": ..., "c": ...}``:
three series; then one text frame ``done !feed RATE SECONDS TAG``. Other frames are echoed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from benchmarks._serve import run


async def feed(ws: ServerConnection, rate: float, seconds: float) -> None:
    loop = asyncio.get_running_loop()
    due = loop.time()
    for n in range(round(rate * seconds)):
        t = n / rate
        sample = {"n": n, "a": 100 + 5 * math.sin(t), "b": 50 + 3 * math.cos(t / 2), "c": 20 + (n % 50) / 10}
        await ws.send(json.dumps(sample))
        due += 1 / rate
        await asyncio.sleep(max(0.0, due - loop.time()))


async def handle(ws: ServerConnection) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for data in ws:
            if isinstance(data, str) and data.startswith("!feed "):
                _, rate, seconds, *_ = data.split()
                await feed(ws, float(rate), float(seconds))
                await ws.send(f"done {data}")
            else:
                await ws.send(data)


if __name__ == "__main__":
    run(handle, __doc__, compression=None)
