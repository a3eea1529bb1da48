"""What the browser benchmark's notebook runs in its kernel (imported there by path).

:func:`panel_phase` has the panel ask the stream server for a flood or a picture
stream and returns once the server's ``done`` marker is in the panel's history and
has been rendered; :func:`bare_phase` does the same with a plain websockets client
that shows nothing: the non-rendering client the figures are compared with.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from websockets.asyncio.client import connect

from wsecho_widget import WebSocketPanel


async def _until(predicate: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the phase did not finish in time")
        await asyncio.sleep(0.02)


async def panel_phase(panel: WebSocketPanel, command: str, timeout: float = 300) -> dict[str, Any]:
    """Send ``command`` from the panel; wait for its marker to arrive and be rendered."""
    marker = f"done {command}"
    before = panel.messages.totals.received_messages
    start = time.monotonic()
    panel.send(command)
    await _until(lambda: len(panel.messages) > 0 and panel.messages[-1].data == marker, timeout)
    # Then the render that shows it.
    await _until(lambda: (shown := panel.log_view.entries) and shown[-1].data == marker, 5)
    result = {
        "received": panel.messages.totals.received_messages - before,
        "seconds": time.monotonic() - start,
    }
    live = getattr(getattr(panel, "log_panel", None), "live_view", None)
    if live is not None and live.enabled:
        result.update(shown=live.shown, skipped=live.skipped)
    return result


async def bare_phase(url: str, command: str, timeout: float = 300) -> dict[str, Any]:
    """The same exchange with a websockets client that keeps nothing and shows nothing."""
    marker = f"done {command}"
    received = 0
    start = time.monotonic()
    async with asyncio.timeout(timeout), connect(url, max_size=None, compression=None) as ws:
        await ws.send(command)
        async for message in ws:
            received += 1
            if message == marker:
                break
    return {"received": received, "seconds": time.monotonic() - start}
