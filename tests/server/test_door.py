"""The hub's door (wsecho_widget.server.door): keepalive spread over the interval."""

from __future__ import annotations

import asyncio

from tests.hostile import open_raw, read_frame
from wsecho_widget.server.hub import Hub


async def test_clients_that_came_in_a_burst_are_not_pinged_in_the_same_loop_turn() -> None:
    """websockets pings each connection ping_interval after it opened: 100 clients that
    connect at once would be pinged at once, every interval (10,000 of them hold the
    loop for seconds; the issue measured a 559 ms loop lag at p99 with 10,000 clients).
    The hub's first waits are spread over the interval."""
    hub = Hub(ping_interval=1.0, ping_timeout=5.0)
    await asyncio.wait_for(hub.ready, 10)
    loop = asyncio.get_running_loop()
    try:
        clients = await asyncio.gather(*(open_raw(hub.port) for _ in range(100)))
        opened = loop.time()

        async def first_ping(reader: asyncio.StreamReader) -> float:
            opcode, _ = await read_frame(reader)
            assert opcode == 9
            return loop.time() - opened

        async with asyncio.timeout(5):
            times = sorted(await asyncio.gather(*(first_ping(reader) for reader, _ in clients)))
        assert times[-1] < 2.5  # within two intervals
        assert times[-1] - times[0] > 0.4, f"every first ping within {times[-1] - times[0]:.3f} s"
        for _, writer in clients:
            writer.transport.abort()
    finally:
        hub.close()
        await asyncio.wait_for(hub.closed, 10)
