"""What a live chart costs the browser: ``python -m benchmarks.browser_charts``.

One JupyterLab page in Debian's Chromium (``benchmarks/browser_page.py``, as for
``benchmarks/browser_pictures.py``) shows a panel connected to
``benchmarks/feed_server.py`` and, below it, ``panel.chart("$.a", "$.b", "$.c",
window=1000)``. After an idle phase (the same page, nothing arriving: the
baseline), the server sends 200 messages a second of three series for 30 s, three
times over, while the panel's text log shows every message and a key is pressed
in the panel's input every 250 ms. Measured per run: the page's main thread busy
(CDP TaskDuration, wall time) and its CPU time against the idle page and against
the same feed with the chart paused (the log's share), chart updates reaching the page (the
kernel's redraws, and the comm messages of the chart's widgets seen on the
kernel's WebSocket), key press to paint p95, and the JS heap and renderer RSS after
a forced GC. ``--library`` picks plotly, bqplot or both (one page each).
``WSECHO_PROFILE=trace`` (or ``=1``) prints where the page's main thread spent the
log-only phase and run 1.
"""

from __future__ import annotations

import argparse
import base64
import collections
import os
import platform
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.browser_page import Browser, lab_page, wait_prompt  # noqa: E402
from benchmarks.browser_report import Phase  # noqa: E402
from tests.browser.pages import NotebookPage  # noqa: E402
from wsecho_widget.ui.chart import REDRAW  # noqa: E402

RATE = 200
_COMM_ID = re.compile(rb'"comm_id":\s*"([0-9a-f]+)"')


class CountingBrowser(Browser):
    """The page's counters, and the kernel-to-page messages per comm (widget) id."""

    def __init__(self, notebook: NotebookPage, chromium: Any = None) -> None:
        super().__init__(notebook, chromium)
        self.per_comm: collections.Counter[str] = collections.Counter()

    def _frame(self, event: dict[str, Any]) -> None:
        super()._frame(event)
        if event["requestId"] not in self.kernel_sockets:
            return
        response = event["response"]
        data = response["payloadData"]
        raw = base64.b64decode(data) if response["opcode"] == 2 else data.encode()
        for match in _COMM_ID.finditer(raw[:4096]):
            self.per_comm[match.group(1).decode()] += 1


def cells(url: str, library: str, seconds: float, runs: int, interval: float) -> list[str]:
    source = [
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
        "from benchmarks import charts_kernel as bench\n"
        "from wsecho_widget import WebSocketPanel\n\n"
        f"panel = WebSocketPanel({url!r})\npanel",
        "await panel.ready\n"
        'chart = panel.chart("$.a", "$.b", "$.c", window=1000, '
        f"library={library!r}, interval={interval})\nchart",
        "bench.model_ids(chart)",
        # The same feed with the chart paused: what the log and the kernel cost without it.
        "chart.paused = True\n"
        f"result = await bench.chart_phase(panel, chart, '!feed {RATE} {seconds:g} base')\n"
        "chart.paused = False\nresult",
    ]
    source += [
        f"await bench.chart_phase(panel, chart, '!feed {RATE} {seconds:g} run{n}')" for n in range(runs)
    ]
    source += ["bench.model_ids(chart)", "panel.close()"]
    return source


def run(library: str, seconds: float, runs: int, interval: float, scratch: Path) -> dict[str, Any]:
    phases: list[Phase] = []
    comm: list[int] = []

    def notebook(url: str) -> list[str]:
        return cells(url, library, seconds, runs, interval)

    with lab_page("feed_server", f"charts-{library}.ipynb", notebook, scratch, CountingBrowser) as b:
        assert isinstance(b, CountingBrowser)
        wait_prompt(b.run_cell(1))
        b.page.locator(".wsecho-chart").wait_for()
        b.page.wait_for_timeout(3000)
        idle = b.measure("idle", None, seconds=8)
        with b.trace("log only"):
            base = b.measure("log only", 3)
        for n in range(runs):
            b.per_comm.clear()
            with b.trace(f"run {n + 1}", n == 0):
                phase = b.measure(f"run {n + 1}", 4 + n)
            wait_prompt(b.run_cell(4 + runs))
            ids = _literal(b.notebook, 4 + runs)
            comm.append(sum(b.per_comm[i] for i in ids))
            phases.append(phase)
    return {"idle": idle, "base": base, "runs": phases, "comm": comm}


def _literal(notebook: NotebookPage, index: int) -> Any:
    import ast

    output = notebook.cells.nth(index).locator(".jp-OutputArea-output")
    return ast.literal_eval(output.first.inner_text())


def report(library: str, got: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """Print ``library``'s table; its goals' rows. "chart" columns are the run less the
    log-only phase of the same page: what the chart itself added, busy (wall) and CPU."""
    idle: Phase = got["idle"]
    base: Phase = got["base"]
    print(f"\n## {library}\n")
    print(
        "| phase | s | busy | above idle | chart busy | main CPU | chart CPU | redraws/s | chart msgs/s "
        "| key p95 | heap MB | RSS MB | got |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    print(
        f"| idle | {idle.seconds:.0f} | {idle.busy:.0%} | | | {idle.main_cpu:.0%} | | | | "
        f"{_ms(idle.key_p95)} | {idle.heap_mb:.0f} | {idle.rss_mb:.0f} | |"
    )
    print(
        f"| log only (chart paused) | {base.seconds:.0f} | {base.busy:.0%} | {base.busy - idle.busy:+.0%} | "
        f"| {base.main_cpu:.0%} | | 0 | | {_ms(base.key_p95)} | {base.heap_mb:.0f} | {base.rss_mb:.0f} | "
        f"{base.result.get('received', '?')} in {base.result.get('seconds', '?')} s |"
    )
    worst_busy = worst_rate = worst_key = 0.0
    for phase, messages in zip(got["runs"], got["comm"], strict=True):
        result = phase.result
        wall = result.get("seconds") or phase.seconds
        redraws = result.get("draws", 0) / wall
        worst_busy = max(worst_busy, phase.busy - idle.busy)
        worst_rate = max(worst_rate, redraws)
        worst_key = max(worst_key, phase.key_p95 or 0.0)
        print(
            f"| {phase.name} | {phase.seconds:.0f} | {phase.busy:.0%} | {phase.busy - idle.busy:+.0%} | "
            f"{phase.busy - base.busy:+.0%} | {phase.main_cpu:.0%} | {phase.main_cpu - base.main_cpu:+.0%} | "
            f"{redraws:.1f} | {messages / wall:.1f} | {_ms(phase.key_p95)} | {phase.heap_mb:.0f} | "
            f"{phase.rss_mb:.0f} | {result.get('received', '?')} in {result.get('seconds', '?')} s |"
        )
    runs = got["runs"]
    growth = max(runs[-1].heap_mb - runs[0].heap_mb, runs[-1].rss_mb - runs[0].rss_mb)
    return [
        (f"{library}: main thread busy above idle", f"{worst_busy:+.0%}", "<= +25%", worst_busy <= 0.25),
        (f"{library}: chart updates to the page", f"{worst_rate:.1f}/s", "<= 10/s", worst_rate <= 10.5),
        (f"{library}: key to paint p95", f"{worst_key:.0f} ms", "<= 60 ms", worst_key <= 60),
        (f"{library}: memory, run 1 to run {len(runs)}", f"{growth:+.0f} MB", "<= +50 MB", growth <= 50),
    ]


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--library", choices=["plotly", "bqplot", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=30, help="how long each run's feed lasts")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="two runs of 10 s")
    parser.add_argument(
        "--interval",
        type=float,
        default=REDRAW,
        help=f"the chart's shortest time between redraws (default {REDRAW})",
    )
    args = parser.parse_args()
    seconds, runs = (10.0, 2) if args.quick else (args.seconds, args.runs)
    info = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "?")
    print(f"# {platform.python_version()} on {cpu}, {os.cpu_count()} cores; load {os.getloadavg()[0]:.2f}")
    print(
        f"# {RATE} messages/s of three series, {runs} runs of {seconds:g} s, window=1000, "
        f"chart interval {args.interval:g} s"
    )
    goals = []
    for library in ("plotly", "bqplot") if args.library == "both" else (args.library,):
        with tempfile.TemporaryDirectory(prefix="wsecho-charts-") as scratch:
            goals += report(library, run(library, seconds, runs, args.interval, Path(scratch)))
    print("\n| goal | measured | goal | met |\n|---|---|---|---|")
    for goal, value, target, met in goals:
        print(f"| {goal} | {value} | {target} | {'yes' if met else 'NO'} |")


if __name__ == "__main__":
    main()
