"""What the benchmark runs inside the kernel, one coroutine per measurement.

The runner executes cells such as ``_result = await in_kernel.panel_flood(url, 100_000)``
in a real kernel; each function returns plain numbers (JSON) and leaves no widget
or task behind, so the next measurement starts clean.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import statistics
import time
from typing import Any

import ipywidgets as widgets
import psutil
from IPython.display import display
from websockets.asyncio.client import connect

from benchmarks.flood_server import FLOOD, index_of, noise_png
from wsecho_widget import WebSocketPanel

_POLL = 0.002  # how often a measurement checks whether a flood has fully arrived
_state: dict[str, Any] = {}


def flood_command(count: int, size: int = 40, batched: bool = True, **extra: int) -> str:
    return FLOOD + json.dumps({"count": count, "size": size, "batched": batched, **extra})


async def _until(predicate: Any, timeout: float = 120) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("the flood did not arrive in time")
        await asyncio.sleep(_POLL)


async def _rendered(panel: WebSocketPanel) -> None:
    # Wait for the log's trailing render, so its traffic belongs to this cell.
    view = panel.log_view
    await _until(lambda: view._handle is None and not view._pending, timeout=10)


def _check_tail(panel: WebSocketPanel, count: int) -> bool:
    """The kept history ends with flood messages count-N … count-1, in order."""
    received = [m.data for m in panel.messages if m.direction == "received" and isinstance(m.data, str)]
    indexes = [index_of(text) for text in received]
    return bool(indexes) and indexes == list(range(count - len(indexes), count))


# -- throughput -----------------------------------------------------------------------


async def bare_flood(url: str, count: int, batched: bool = True) -> dict[str, Any]:
    """A bare websockets client receives ``count`` messages: the baseline rate."""
    async with connect(url, compression=None, max_size=16 * 2**20) as ws:
        await ws.send(flood_command(count, batched=batched))
        start, cpu = time.perf_counter(), time.process_time()
        received = 0
        last = ""
        async for message in ws:
            received += 1
            if received == count:
                last = str(message)
                break
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
    return {
        "seconds": seconds,
        "rate": count / seconds,
        "cpu_us": cpu / count * 1e6,
        "in_order": index_of(last) == count - 1,
    }


async def panel_flood(url: str, count: int, batched: bool = True) -> dict[str, Any]:
    """The panel, default settings, displayed, receives ``count`` messages."""
    panel = WebSocketPanel(url)
    display(panel)
    await panel.ready
    await _rendered(panel)
    totals = panel.messages.totals
    flushes = panel.log_view.flushes
    panel.send(flood_command(count, batched=batched))
    start, cpu = time.time(), time.process_time()
    await _until(lambda: totals.received_messages >= count)
    cpu = time.process_time() - cpu
    # The end is when the session recorded the last message (its timestamp), not
    # when this poll noticed: polling every 2 ms would cost a short flood 2-4 %.
    seconds = panel.messages[-1].timestamp - start
    await _rendered(panel)
    result = {
        "seconds": seconds,
        "rate": count / seconds,
        "cpu_us": cpu / count * 1e6,
        "received": totals.received_messages,
        "received_bytes": totals.received_bytes,
        "sent": totals.sent_messages,
        "in_order": _check_tail(panel, count),
        "stats_label": panel.stats_label.value,
        "renders": panel.log_view.flushes - flushes,
        "log_limit": panel.log_view.limit,
        "output_id": panel.output.model_id,
        "history": len(panel.messages),
    }
    panel.close()
    return result


async def naive_flood(url: str, count: int) -> dict[str, Any]:
    """The obvious way: ``output.append_stdout`` for every received message."""
    output = widgets.Output()
    display(output)
    async with connect(url, compression=None) as ws:
        await ws.send(flood_command(count))
        start = time.perf_counter()
        received = 0
        async for message in ws:
            output.append_stdout(f"← {message}\n")
            received += 1
            if received == count:
                break
        seconds = time.perf_counter() - start
    model_id = output.model_id
    output.close()
    return {"seconds": seconds, "rate": count / seconds, "output_id": model_id}


# -- responsiveness ---------------------------------------------------------------------


async def _watch_lag(stalls: list[tuple[float, float]]) -> None:
    # How late a 1 ms sleep wakes up: how long the loop was held. With the CPU time
    # this thread used meanwhile, which tells our own work (CPU) from waiting for a
    # core that other processes on the machine had (no CPU).
    loop = asyncio.get_running_loop()
    while True:
        before, cpu = loop.time(), time.thread_time()
        await asyncio.sleep(0.001)
        stalls.append((loop.time() - before - 0.001, time.thread_time() - cpu))


async def start_flood(url: str, count: int) -> dict[str, Any]:
    """Open a default panel and start a flood; return at once (cells run meanwhile)."""
    panel = WebSocketPanel(url)
    display(panel)
    await panel.ready
    await _rendered(panel)
    stalls: list[tuple[float, float]] = []
    _state.update(panel=panel, count=count, stalls=stalls, watch=asyncio.create_task(_watch_lag(stalls)))
    panel.send(flood_command(count))
    _state["start"] = time.perf_counter()
    _state["cpu"] = time.process_time()
    return {"started": True}


def received() -> int:
    """What the trivial probe cell asks: how many flood messages arrived so far."""
    panel: WebSocketPanel = _state["panel"]
    return panel.messages.totals.received_messages


async def finish_flood() -> dict[str, Any]:
    panel: WebSocketPanel = _state["panel"]
    count = _state["count"]
    await _until(lambda: panel.messages.totals.received_messages >= count)
    seconds = time.perf_counter() - _state["start"]
    cpu = time.process_time() - _state["cpu"]
    await _rendered(panel)
    _state["watch"].cancel()
    stalls = sorted(_state["stalls"]) or [(0.0, 0.0)]
    worst, worst_cpu = stalls[-1]
    result = {
        "seconds": seconds,
        "rate": count / seconds,
        "in_order": _check_tail(panel, count),
        "max_stall_ms": worst * 1000,
        "max_stall_cpu_ms": worst_cpu * 1000,
        "p99_stall_ms": stalls[int(len(stalls) * 0.99)][0] * 1000,
        # The longest the loop was held by work in this process (CPU time while a
        # 1 ms sleep waited): what bounded reads and batches are meant to bound.
        "max_hold_ms": max(cpu for _, cpu in stalls) * 1000,
        "cpu_share": cpu / seconds,
    }
    panel.close()
    _state.clear()
    return result


# -- memory ---------------------------------------------------------------------------


def _rss() -> int:
    gc.collect()
    return int(psutil.Process().memory_info().rss)


async def memory_flood(url: str, count: int, picture_every: int, picture_size: int) -> dict[str, Any]:
    """``count`` messages (every ``picture_every``-th a picture) into a default panel."""
    widgets_before = len(widgets.Widget.widgets)
    panel = WebSocketPanel(url)
    display(panel)
    await panel.ready
    await _rendered(panel)
    widgets_with_panel = len(widgets.Widget.widgets)
    rss_before = _rss()
    totals = panel.messages.totals
    command = flood_command(count, picture_every=picture_every, picture_size=picture_size)
    panel.send(command)
    await _until(lambda: totals.received_messages >= count)
    await _rendered(panel)
    rss_after = _rss()
    result = {
        "rss_before": rss_before,
        "rss_after": rss_after,
        "widgets_before": widgets_before,
        "widgets_with_panel": widgets_with_panel,
        "widgets_after": len(widgets.Widget.widgets),
        "image_limit": panel.log_view.image_limit,
        "live_images": len(panel.log_view.shown_media),
        "pictures_received": sum(1 for _ in range(picture_every - 1, count, picture_every)),
        "history": len(panel.messages),
        "history_limit": panel.messages.limit,
        "unread": panel.session.unread,
        "log_entries": len(panel.log_view.entries),
        "log_limit": panel.log_view.limit,
        "received": totals.received_messages,
    }
    panel.close()
    gc.collect()
    result["widgets_after_close"] = len(widgets.Widget.widgets)
    return result


# -- pictures -------------------------------------------------------------------------


async def picture_panel() -> dict[str, Any]:
    """A default panel on its embedded echo server, kept for the next cells."""
    panel = WebSocketPanel()
    display(panel)
    await panel.ready
    await _rendered(panel)
    _state["panel"] = panel
    return {"url": panel.url}


async def send_picture(size: int) -> dict[str, Any]:
    """Send a ``size``-byte PNG; its echo comes back and is shown as a picture."""
    panel: WebSocketPanel = _state["panel"]
    png = noise_png(size, seed=1)
    panel.send(png)
    echo = await panel.receive(timeout=30)
    await _rendered(panel)
    (shown,) = panel.log_view.shown_media
    return {
        "png_size": len(png),
        "echo_is_same": echo.data == png == shown.data,
        "output_id": panel.output.model_id,
    }


async def send_texts(count: int) -> dict[str, Any]:
    """``count`` text messages after the picture, one round trip each."""
    panel: WebSocketPanel = _state["panel"]
    for i in range(count):
        panel.send(f"after the picture {i}")
        await panel.receive(timeout=30)
    await _rendered(panel)
    return {"live_images": len(panel.log_view.shown_media)}


async def close_panel() -> dict[str, Any]:
    panel: WebSocketPanel = _state.pop("panel")
    panel.close()
    return {"closed": True}


# -- latency --------------------------------------------------------------------------


async def pingpong_bare(url: str, count: int, warmup: int = 50) -> list[float]:
    """Round trips of a bare websockets client: send, then wait for the echo."""
    times = []
    async with connect(url, compression=None) as ws:
        for i in range(warmup + count):
            start = time.perf_counter()
            await ws.send(f"ping {i}")
            await ws.recv()
            times.append(time.perf_counter() - start)
    return times[warmup:]


async def pingpong_panel(url: str, count: int, warmup: int = 50) -> list[float]:
    """Round trips through the panel: ``panel.send`` → echo → ``panel.receive()``."""
    panel = WebSocketPanel(url)
    display(panel)
    await panel.ready
    times = []
    for i in range(warmup + count):
        start = time.perf_counter()
        panel.send(f"ping {i}")
        await panel.receive()
        times.append(time.perf_counter() - start)
    panel.close()
    return times[warmup:]


def median_us(times: list[float]) -> float:
    return statistics.median(times) * 1e6


async def big_echo_bare(url: str, count: int, size: int, picture: bool) -> float:
    """Round trips per second of ``size``-byte binary frames, bare client."""
    payload = noise_png(size, seed=3) if picture else os.urandom(size)
    async with connect(url, compression=None, max_size=16 * 2**20) as ws:
        await ws.send(payload)
        await ws.recv()
        start = time.perf_counter()
        for _ in range(count):
            await ws.send(payload)
            await ws.recv()
        return count / (time.perf_counter() - start)


async def big_echo_panel(url: str, count: int, size: int, picture: bool) -> float:
    """The same through a default panel (a picture is shown, other bytes as hex)."""
    payload = noise_png(size, seed=3) if picture else os.urandom(size)
    panel = WebSocketPanel(url)
    display(panel)
    await panel.ready
    panel.send(payload)
    await panel.receive(timeout=30)
    start = time.perf_counter()
    for _ in range(count):
        panel.send(payload)
        await panel.receive(timeout=30)
    rate = count / (time.perf_counter() - start)
    await _rendered(panel)
    panel.close()
    return rate
