"""What the text log costs the page at 200 messages/s, by render pace: ``python -m benchmarks.log_pace``.

One JupyterLab page in Debian's Chromium (``benchmarks/browser_page.py``) shows a panel
connected to ``benchmarks/feed_server.py`` (small JSON lines, no chart). After an idle
phase (the baseline), the server sends 200 messages a second for ``--seconds``, with the
log rendering a steady feed every 0.05 s (``steady_interval=0.05``: the pace before the
steady pace existed, 20 renders a second), every 0.2 s (the default: 5 a second), and
every 0.2 s with the stats line not following each render (its share), alternately,
``--rounds`` times each, in the same page: load from the machine's other work hits all
alike. A key is pressed in the panel's input every 250 ms. Per phase: the page's main
thread busy above idle (CDP TaskDuration), kernel-to-page WebSocket messages a second,
key press to paint p95. ``WSECHO_PROFILE=trace`` prints where the main thread spent each
first phase.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.browser_page import lab_page, wait_prompt  # noqa: E402
from benchmarks.browser_report import Phase  # noqa: E402

RATE = 200
#: (label, steady_interval, whether each render updates the stats line)
PHASES = (("0.05 s", 0.05, True), ("0.2 s", 0.2, True), ("0.2 s, stats line not updated", 0.2, False))

SETUP = """import asyncio
from wsecho_widget import WebSocketPanel

stats_line = None  # the log's on_flush: the panel's stats line follows each render

async def feed(panel, pace, tag, stats=True):
    global stats_line
    view = panel.log_panel.log_view
    stats_line = stats_line or view.on_flush
    view.steady_interval = pace
    view.on_flush = stats_line if stats else None
    marker = f"done !feed {tag}"
    received = panel.messages.totals.received_messages
    panel.send(f"!feed {tag}")
    while not (len(panel.messages) and panel.messages[-1].data == marker):
        await asyncio.sleep(0.05)
    return {"received": panel.messages.totals.received_messages - received,
            "renders": panel.log_panel.log_view.flushes}

panel = WebSocketPanel(%r)
panel"""


def cells(url: str, seconds: float, rounds: int) -> list[str]:
    source = [SETUP % url, "await panel.ready"]
    for n in range(rounds):
        source += [
            f"await feed(panel, {pace}, '{RATE} {seconds:g} phase{k}r{n}', {stats})"
            for k, (_, pace, stats) in enumerate(PHASES)
        ]
    return [*source, "panel.close()"]


def run(seconds: float, rounds: int, scratch: Path) -> tuple[Phase, dict[str, list[Phase]]]:
    got: dict[str, list[Phase]] = {label: [] for label, _, _ in PHASES}
    with lab_page("feed_server", "log-pace.ipynb", lambda url: cells(url, seconds, rounds), scratch) as b:
        wait_prompt(b.run_cell(1))
        b.page.wait_for_timeout(3000)
        idle = b.measure("idle", None, seconds=8)
        cell = 2
        for n in range(rounds):
            for label, _, _ in PHASES:
                with b.trace(f"steady_interval {label}", n == 0):
                    got[label].append(b.measure(f"{label} #{n + 1}", cell))
                cell += 1
    return idle, got


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        idle, got = run(args.seconds, args.rounds, Path(scratch))
    print(f"{RATE} messages/s for {args.seconds:g} s, {args.rounds} rounds of each phase, alternately")
    print(f"idle page: main thread busy {idle.busy:.0%}, main-thread CPU {idle.main_cpu:.0%}\n")
    print("| steady_interval | busy above idle, each round | median | CPU above idle | msgs/s | key p95 ms |")
    print("|---|---|---|---|---|---|")
    medians = {}
    for label, phases in got.items():
        above = [p.busy - idle.busy for p in phases]
        medians[label] = statistics.median(above)
        frames = statistics.median(p.ws_frames / p.seconds for p in phases)
        keys = max((p.key_p95 or 0.0) for p in phases)
        cpu = statistics.median(p.main_cpu - idle.main_cpu for p in phases)
        rounds = ", ".join(f"{a:+.0%}" for a in above)
        print(f"| {label} | {rounds} | {medians[label]:+.1%} | {cpu:+.1%} | {frames:.1f} | {keys:.0f} |")
    old, new = medians[PHASES[0][0]], medians[PHASES[1][0]]
    print(f"\nbusy above idle, 0.2 s / 0.05 s: {new / old:.2f}x" if old > 0 else "")


if __name__ == "__main__":
    main()
