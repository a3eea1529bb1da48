"""Issue 14's row: the MessagePack view on, under a MessagePack flood, vs the hex view.

``python -m benchmarks.decoders [--quick]`` starts the flood server and a real kernel
(as ``python -m benchmarks`` does), then floods a displayed panel with 100,000
binary MessagePack maps, once with ``binary_view`` at ``hex`` and once at
``msgpack``, in pairs (alternating which goes first) so both sides of a pair meet
the same load. The ratio is the median over pairs; the goal is ≥ 0.8. ``main()``
of ``benchmarks/run.py`` runs the same measurement as one row of its table.

``view_flood`` is what runs inside the kernel.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from benchmarks.flood_server import FLOOD
from benchmarks.pairs import cpu_row, rate_ratio

FLOOD_SIZE = 60  # bytes per MessagePack map: a small feed tick


async def view_flood(url: str, count: int, view: str) -> dict[str, Any]:
    """In the kernel: a displayed panel with ``binary_view=view`` receives ``count`` maps."""
    import json

    from IPython.display import display

    from benchmarks.in_kernel import _rendered, _until
    from wsecho_widget import WebSocketPanel

    panel = WebSocketPanel(url)
    display(panel)
    await panel.ready
    panel.binary_view.value = view
    await _rendered(panel)
    totals = panel.messages.totals
    panel.send(FLOOD + json.dumps({"count": count, "size": FLOOD_SIZE, "msgpack": True}))
    start, cpu = time.time(), time.process_time()
    await _until(lambda: totals.received_messages >= count)
    cpu = time.process_time() - cpu
    seconds = panel.messages[-1].timestamp - start
    await _rendered(panel)
    log = "".join(str(o.get("text", "")) for o in panel.output.outputs)
    # Proof that the view did its work: the last map, decoded, is in the log.
    decoded = f'"i": {count - 1},' in log
    result = {
        "rate": count / seconds,
        "cpu_us": cpu / count * 1e6,
        "received": totals.received_messages,
        "decoded_in_log": decoded,
        "renders": panel.log_view.flushes,
    }
    panel.close()
    return result


async def measure(kernel: Any, url: str, row: Callable[..., None], quick: bool) -> None:
    """Paired floods, hex then msgpack or the other way round; one row."""
    count = 100_000
    pairs = 2 if quick else 4
    await kernel.run(f"_result = await D.view_flood({url!r}, 20000, 'msgpack')")  # warm-up
    hex_runs: list[dict[str, Any]] = []
    msgpack_runs: list[dict[str, Any]] = []
    for turn in range(pairs):
        order = ("hex", "msgpack") if turn % 2 == 0 else ("msgpack", "hex")
        for view in order:
            result = await kernel.run(f"_result = await D.view_flood({url!r}, {count}, {view!r})")
            assert result["received"] == count, result
            (hex_runs if view == "hex" else msgpack_runs).append(result)
    assert all(r["decoded_in_log"] for r in msgpack_runs), "the msgpack view did not decode"
    assert not any(r["decoded_in_log"] for r in hex_runs), "the hex view decoded"
    ratio, ratio_text = rate_ratio(hex_runs, msgpack_runs, ("hex", "msgpack"))
    row(
        f"14. msgpack view, {count:,} x {FLOOD_SIZE} B MessagePack flood",
        f"{statistics.median(m['rate'] for m in msgpack_runs):,.0f} msg/s",
        f"hex view {statistics.median(h['rate'] for h in hex_runs):,.0f} msg/s",
        ratio_text,
        "≥ 0.80",
        ratio >= 0.8,
    )
    cpu_row(row, "14. kernel CPU per message of that flood, msgpack view", hex_runs, msgpack_runs, "hex view")


async def main(quick: bool) -> int:
    from benchmarks.kernel import Kernel
    from benchmarks.run import ROOT, ROWS, FloodServer, machine, print_table, row

    info = machine()
    with FloodServer() as server:
        kernel = await Kernel(ROOT).start()
        try:
            await kernel.run("from benchmarks import decoders as D; _result = 1")
            await measure(kernel, server.url, row, quick)
        finally:
            await kernel.stop()
    print_table(info)
    return 0 if all(r.ok is not False for r in ROWS) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.decoders", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="two pairs of floods instead of four")
    sys.exit(asyncio.run(main(parser.parse_args().quick)))
