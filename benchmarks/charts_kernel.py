"""What the chart benchmark's notebook runs in its kernel (imported there by path)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from wsecho_widget import Chart, WebSocketPanel


async def chart_phase(
    panel: WebSocketPanel, chart: Chart, command: str, timeout: float = 300
) -> dict[str, Any]:
    """Send ``command`` (a ``!feed``) and wait for its ``done`` marker; what the chart did meanwhile."""
    marker = f"done {command}"
    received, draws = panel.messages.totals.received_messages, chart.draws
    start = time.monotonic()
    panel.send(command)
    deadline = start + timeout
    while not (len(panel.messages) and panel.messages[-1].data == marker):
        if time.monotonic() > deadline:
            raise TimeoutError("the feed did not finish in time")
        await asyncio.sleep(0.05)
    seconds = time.monotonic() - start
    return {
        "received": panel.messages.totals.received_messages - received,
        "seconds": round(seconds, 2),
        "draws": chart.draws - draws,
        "skipped": chart.skipped,
        "points": [len(chart.points(line)) for line in chart.lines],
    }


def model_ids(widget: Any) -> list[str]:
    """The comm ids of ``widget`` and every widget it holds (a bqplot figure's marks, scales, axes)."""
    from ipywidgets import Widget

    seen: dict[str, None] = {}
    todo = [widget]
    while todo:
        item = todo.pop()
        if isinstance(item, Widget):
            if item.model_id in seen:
                continue
            seen[item.model_id] = None
            todo.extend(getattr(item, name, None) for name in item.keys)
        elif isinstance(item, (list, tuple)):
            todo.extend(item)
        elif isinstance(item, dict):
            todo.extend(item.values())
    return list(seen)
