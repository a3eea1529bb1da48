"""Goal 7: permessage-deflate on vs off, for text and binary, from numbers.

A bare websockets client talks to the flood server (which accepts deflate when it
is offered), once offering ``compression="deflate"`` and once ``compression=None``;
the client alone decides. Echo round trips measure the cost of compressing and
decompressing on both ends; a text flood measures receiving. Bytes on the wire are
counted where they arrive (the client connection's ``data_received``).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from benchmarks.flood_server import FLOOD, noise_png


class CountingConnection(ClientConnection):
    """A websockets client connection that counts the bytes it receives."""

    received_bytes = 0

    def data_received(self, data: bytes) -> None:
        self.received_bytes += len(data)
        super().data_received(data)


def json_text(size: int) -> str:
    """A JSON document of about ``size`` bytes, like a feed's message."""
    items = []
    i = 0
    while len(json.dumps(items)) < size:
        items.append({"id": i, "symbol": "ABC", "price": 100 + i % 7 * 0.25, "side": "buy", "qty": i % 13})
        i += 1
    return json.dumps(items)


async def echo_rate(
    url: str, payload: str | bytes, deflate: bool, seconds: float, limit: int
) -> dict[str, Any]:
    options: dict[str, Any] = {"compression": "deflate" if deflate else None, "max_size": 64 * 2**20}
    async with connect(url, create_connection=CountingConnection, **options) as ws:
        assert isinstance(ws, CountingConnection)
        negotiated = bool(ws.response and "permessage-deflate" in str(ws.response.headers))
        for _ in range(3):  # warm up
            await ws.send(payload)
            await ws.recv()
        before = ws.received_bytes
        start = time.perf_counter()
        count = 0
        while count < limit and time.perf_counter() - start < seconds:
            await ws.send(payload)
            await ws.recv()
            count += 1
        elapsed = time.perf_counter() - start
        return {
            "rate": count / elapsed,
            "wire": (ws.received_bytes - before) / count,
            "negotiated": negotiated,
        }


async def flood_rate(url: str, count: int, deflate: bool) -> dict[str, Any]:
    options: dict[str, Any] = {"compression": "deflate" if deflate else None}
    async with connect(url, create_connection=CountingConnection, **options) as ws:
        assert isinstance(ws, CountingConnection)
        await ws.send(FLOOD + json.dumps({"count": count, "size": 40}))
        start = time.perf_counter()
        received = 0
        async for _ in ws:
            received += 1
            if received == count:
                break
        elapsed = time.perf_counter() - start
        return {"rate": count / elapsed, "wire": ws.received_bytes / count}


async def measure(url: str, row: Callable[..., None], quick: bool) -> None:
    seconds = 0.4 if quick else 0.8
    cases: list[tuple[str, str | bytes, int]] = [
        ("text 40 B", "x" * 40, 5000),
        ("text 4 KiB JSON", json_text(4096), 3000),
        ("binary 64 KiB random", os.urandom(64 * 1024), 2000),
        ("binary 1 MiB PNG", noise_png(2**20, seed=2), 200),
    ]
    for name, payload, limit in cases:
        off = await echo_rate(url, payload, False, seconds, limit)
        on = await echo_rate(url, payload, True, seconds, limit)
        assert on["negotiated"] and not off["negotiated"]
        size = len(payload) if isinstance(payload, bytes) else len(payload.encode())
        row(
            f"7. deflate on: {name} echo round trips",
            f"{on['rate']:,.0f}/s, {on['wire']:,.0f} B on the wire",
            f"off {off['rate']:,.0f}/s, {off['wire']:,.0f} B (payload {size:,} B)",
            f"{on['rate'] / off['rate']:.2f}",
            "default off unless it pays",
            None,
        )
    count = 10_000 if quick else 20_000
    off = await flood_rate(url, count, False)
    on = await flood_rate(url, count, True)
    row(
        f"7. deflate on: {count:,} x 40 B text flood",
        f"{on['rate']:,.0f} msg/s, {on['wire']:.1f} B/msg",
        f"off {off['rate']:,.0f} msg/s, {off['wire']:.1f} B/msg",
        f"{on['rate'] / off['rate']:.2f}",
        "default off unless it pays",
        None,
    )
