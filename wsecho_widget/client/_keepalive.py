"""The channel's keepalive: ping the server every so often, drop it when it stops answering.

websockets' own keepalive, with two changes that matter in a notebook. A peer
that does not answer is dropped at once: websockets starts a closing handshake,
which waits ``close_timeout`` (10 s) more for that dead peer while the status
still says open. And time the kernel's loop spent blocked (a long synchronous
cell) is not held against the server: a pong that came while the loop could not
read it is not a dead peer.

Imports asyncio and websockets' public connection API only: never the channel,
the session or widgets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from websockets.asyncio.connection import Connection
from websockets.exceptions import ConnectionClosed

__all__ = ["keepalive"]


async def keepalive(
    ws: Connection, interval: float, timeout: float | None, lost: Callable[[str], None]
) -> None:
    """Ping ``ws`` every ``interval`` seconds until it closes.

    No pong within ``timeout`` seconds (None: wait for ever) calls ``lost(why)``
    and aborts the transport.
    """
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(interval)
        try:
            # A future in fact (websockets types it as an Awaitable).
            pong = asyncio.ensure_future(await ws.ping())
        except ConnectionClosed:
            return
        if timeout is None:
            continue
        deadline = loop.time() + timeout
        while not pong.done():
            await asyncio.wait({pong}, timeout=max(0.0, deadline - loop.time()))
            if pong.done():
                break
            now = loop.time()
            if now - deadline > max(0.1, timeout / 2):
                # We woke far past the deadline: the loop was blocked, and the
                # pong may be unread in the socket. Give the server a fair wait.
                deadline = now + timeout
            elif now >= deadline:
                lost(f"no pong from server within {timeout:g} s: connection lost")
                ws.transport.abort()
                return
