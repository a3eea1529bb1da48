"""What a live chart costs the browser: ``python -m benchmarks.browser_charts``.

One JupyterLab page in Debian's Chromium (set up as the browser tests and
``benchmarks/browser_pictures.py`` do) shows a panel connected to
``benchmarks/feed_server.py`` and, below it, ``panel.chart("$.a", "$.b", "$.c",
window=1000)``. After an idle phase (the same page, nothing arriving: the
baseline), the server sends 200 messages a second of three series for 30 s, three
times over, while the panel's text log shows every message and a key is pressed
in the panel's input every 250 ms. Measured per run: the page's main thread busy
(CDP TaskDuration) against the idle page, chart updates reaching the page (the
kernel's redraws, and the comm messages of the chart's widgets seen on the
kernel's WebSocket), key press to paint p95, and the JS heap and renderer RSS after
a forced GC. ``--library`` picks plotly, bqplot or both (one page each).
"""

from __future__ import annotations

import argparse
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

from benchmarks._serve import ServerProcess  # noqa: E402
from benchmarks.browser_pictures import PAGE_COUNTERS, Browser, wait_prompt  # noqa: E402
from benchmarks.browser_report import Phase  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, JupyterServer  # noqa: E402
from tests.browser.pages import NotebookPage, write_test_notebook  # noqa: E402

RATE = 200
_COMM_ID = re.compile(rb'"comm_id":\s*"([0-9a-f]+)"')


class CountingBrowser(Browser):
    """The page's counters, and the kernel-to-page messages per comm (widget) id."""

    def __init__(self, notebook: NotebookPage) -> None:
        super().__init__(notebook)
        self.per_comm: collections.Counter[str] = collections.Counter()

    def _frame(self, event: dict[str, Any]) -> None:
        super()._frame(event)
        if event["requestId"] not in self.kernel_sockets:
            return
        import base64

        response = event["response"]
        data = response["payloadData"]
        raw = base64.b64decode(data) if response["opcode"] == 2 else data.encode()
        for match in _COMM_ID.finditer(raw[:4096]):
            self.per_comm[match.group(1).decode()] += 1


def cells(url: str, library: str, seconds: float, runs: int) -> list[str]:
    source = [
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
        "from benchmarks import charts_kernel as bench\n"
        "from wsecho_widget import WebSocketPanel\n\n"
        f"panel = WebSocketPanel({url!r})\npanel",
        "await panel.ready\n"
        f'chart = panel.chart("$.a", "$.b", "$.c", window=1000, library={library!r})\nchart',
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


def run(library: str, seconds: float, runs: int, scratch: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    phases: list[Phase] = []
    comm: list[int] = []
    with ServerProcess("feed_server") as server, sync_playwright() as p:
        lab = JupyterServer("lab", scratch).start()
        try:
            name = write_test_notebook(
                lab.root, f"charts-{library}.ipynb", cells(server.url, library, seconds, runs)
            )
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 1800})
            page = context.new_page()
            page.add_init_script(PAGE_COUNTERS)
            notebook = NotebookPage(page, lab.url(f"lab/tree/{name}"))
            b = CountingBrowser(notebook)
            notebook.open()
            b.run_cell(0)
            page.locator(".wsecho-panel").wait_for()
            wait_prompt(b.run_cell(1))
            page.locator(".wsecho-chart").wait_for()
            page.wait_for_timeout(3000)
            idle = b.measure("idle", None, seconds=8)
            before_heap, before_rss = idle.heap_mb, idle.rss_mb
            base = b.measure("log only", 3)
            for n in range(runs):
                b.per_comm.clear()
                phase = b.measure(f"run {n + 1}", 4 + n, marker="")
                ids_cell = b.run_cell(4 + runs)
                wait_prompt(ids_cell)
                ids = _literal(notebook, 4 + runs)
                comm.append(sum(b.per_comm[i] for i in ids))
                phases.append(phase)
            errors = notebook.widget_errors
            if errors:
                print("page errors:", *errors, sep="\n", file=sys.stderr)
            context.close()
            browser.close()
        finally:
            lab.stop()
    return {
        "idle": idle,
        "base": base,
        "runs": phases,
        "comm": comm,
        "heap0": before_heap,
        "rss0": before_rss,
    }


def _literal(notebook: NotebookPage, index: int) -> Any:
    import ast

    output = notebook.cells.nth(index).locator(".jp-OutputArea-output")
    return ast.literal_eval(output.first.inner_text())


def report(library: str, got: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    idle: Phase = got["idle"]
    print(f"\n## {library}\n")
    print("| phase | s | busy | above idle | redraws/s | chart msgs/s | key p95 | heap MB | RSS MB | got |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    print(
        f"| idle | {idle.seconds:.0f} | {idle.busy:.0%} | | | | {_ms(idle.key_p95)} | "
        f"{idle.heap_mb:.0f} | {idle.rss_mb:.0f} | |"
    )
    worst_busy = worst_rate = worst_key = 0.0
    base: Phase = got["base"]
    print(
        f"| log only (chart paused) | {base.seconds:.0f} | {base.busy:.0%} | {base.busy - idle.busy:+.0%} | "
        f"0 | | {_ms(base.key_p95)} | {base.heap_mb:.0f} | {base.rss_mb:.0f} | "
        f"{base.result.get('received', '?')} in {base.result.get('seconds', '?')} s |"
    )
    for phase, messages in zip(got["runs"], got["comm"], strict=True):
        result = phase.result
        wall = result.get("seconds") or phase.seconds
        redraws = result.get("draws", 0) / wall
        worst_busy = max(worst_busy, phase.busy - idle.busy)
        worst_rate = max(worst_rate, redraws)
        worst_key = max(worst_key, phase.key_p95 or 0.0)
        print(
            f"| {phase.name} | {phase.seconds:.0f} | {phase.busy:.0%} | {phase.busy - idle.busy:+.0%} | "
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
    args = parser.parse_args()
    seconds, runs = (10.0, 2) if args.quick else (args.seconds, args.runs)
    info = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "?")
    print(f"# {platform.python_version()} on {cpu}, {os.cpu_count()} cores; load {os.getloadavg()[0]:.2f}")
    print(f"# {RATE} messages/s of three series, {runs} runs of {seconds:g} s, window=1000")
    goals = []
    for library in ("plotly", "bqplot") if args.library == "both" else (args.library,):
        with tempfile.TemporaryDirectory(prefix="wsecho-charts-") as scratch:
            goals += report(library, run(library, seconds, runs, Path(scratch)))
    print("\n| goal | measured | goal | met |\n|---|---|---|---|")
    for goal, value, target, met in goals:
        print(f"| {goal} | {value} | {target} | {'yes' if met else 'NO'} |")


if __name__ == "__main__":
    main()
