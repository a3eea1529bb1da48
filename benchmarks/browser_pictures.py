"""What pictures cost the browser: ``python -m benchmarks.browser_pictures``.

One JupyterLab page in Debian's Chromium (driven by Playwright, set up as the browser
tests do) shows a panel connected to ``benchmarks/stream_server.py`` and goes
through: idle; a text flood (100,000 x 40 B, three times over); three streams of 300 JPEGs (~48 KB) at
30 per second; a live-view stream; ``panel.close()``. The same flood and one stream
are then received by a plain websockets client in the same kernel that shows
nothing: the non-rendering client each figure is set beside.

Every figure comes from the browser's own counters (``benchmarks/browser_page.py``
says which), and a click on a log line to the frame after its detail view shows it
is measured 40 times after the floods. ``--quick`` streams 90 pictures.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import browser_before  # noqa: E402
from benchmarks.browser_page import lab_page, wait_prompt  # noqa: E402
from benchmarks.browser_report import Phase, goals, p95, table  # noqa: E402
from benchmarks.stream_server import jpegs  # noqa: E402

FLOOD = "!flood 100000 40"
# A flood lasts ~2 s here: too few key presses for a p95. Its phases run it 3 times.
FLOODS = 3
RATE = 30
#: Click to detail times (ms) measured during the floods, for the goal's row.
CLICKS: list[float] = []


def cells(url: str, count: int, live: bool) -> tuple[list[str], dict[str, int]]:
    """The notebook: set-up, then one cell per phase; and which cell is which phase."""
    stream = f"!pictures {count} {RATE}"
    # For experiments: WSECHO_PANEL_OPTIONS="image_limit=0" and the like.
    options = f", {os.environ['WSECHO_PANEL_OPTIONS']}" if os.environ.get("WSECHO_PANEL_OPTIONS") else ""
    source = [
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
        "from benchmarks import browser_kernel as bench\n"
        "from wsecho_widget import WebSocketPanel\n\n"
        f"panel = WebSocketPanel({url!r}{options})\npanel",
        "await panel.ready",
        f"for _ in range({FLOODS}):\n    result = await bench.panel_phase(panel, {FLOOD!r})\nresult",
        f"await bench.panel_phase(panel, {stream + ' a'!r})",
        f"await bench.panel_phase(panel, {stream + ' b'!r})",
        f"await bench.panel_phase(panel, {stream + ' c'!r})",
    ]
    index = {"flood": 2, "stream 1": 3, "stream 2": 4, "stream 3": 5, "bare flood": 6, "bare stream": 7}
    source += [
        f"for _ in range({FLOODS}):\n    result = await bench.bare_phase({url!r}, {FLOOD!r})\nresult",
        f"await bench.bare_phase({url!r}, {stream + ' bare'!r})",
    ]
    if live:
        source += ["panel.live = True", f"await bench.panel_phase(panel, {stream + ' live'!r})"]
        index["live"] = len(source) - 1
    source.append("panel.close()")
    index["close"] = len(source) - 1
    return source, index


def run(count: int, scratch: Path) -> tuple[dict[str, Phase], bool]:
    from wsecho_widget import WebSocketPanel

    live = WebSocketPanel.class_traits().get("live") is not None
    phases: dict[str, Phase] = {}
    index: dict[str, int] = {}

    def notebook(url: str) -> list[str]:
        source, where = cells(url, count, live)
        index.update(where)
        return source

    with lab_page("stream_server", "pictures-benchmark.ipynb", notebook, scratch) as b:
        wait_prompt(b.run_cell(1))
        b.page.wait_for_timeout(3000)
        phases["idle"] = b.measure("idle", None, seconds=8)
        with b.trace("flood"):
            phases["flood"] = b.measure("flood", index["flood"], marker=f"done {FLOOD}")
        # Click to detail, on the 200 lines the floods left in the log.
        CLICKS.extend(b.click_phase())
        stream = f"!pictures {count} {RATE}"
        picture_bytes = sum(map(len, jpegs(count)))
        for n, tag in ((1, "a"), (2, "b"), (3, "c")):
            with b.trace(f"stream {n}", n == 2):
                phase = b.measure(f"stream {n}", index[f"stream {n}"], marker=f"done {stream} {tag}")
            phase.pictures, phase.picture_bytes = count, picture_bytes
            phases[phase.name] = phase
        with b.trace("bare flood"):
            phases["bare flood"] = b.measure("bare flood", index["bare flood"])
        with b.trace("bare stream"):
            phase = b.measure("bare stream", index["bare stream"])
        phase.pictures, phase.picture_bytes = count, picture_bytes
        phases["bare stream"] = phase
        if live:
            wait_prompt(b.run_cell(index["live"] - 1))
            phase = b.measure("live", index["live"], marker=f"done {stream} live")
            phase.pictures, phase.picture_bytes = count, picture_bytes
            phases["live"] = phase
        phases["close"] = b.measure("close", index["close"], seconds=3, keys=False)
    return phases, live


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="90 pictures per stream instead of 300")
    parser.add_argument(
        "--before",
        metavar="REV",
        help="first measure the code at git revision REV the same way (a temporary worktree)\n"
        "and judge the text flood against it instead of issue 10's figures",
    )
    parser.add_argument("--json", metavar="PATH", help=argparse.SUPPRESS)  # for --before
    args = parser.parse_args()
    info = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), "?")
    print(f"# {platform.python_version()} on {cpu}, {os.cpu_count()} cores; load {os.getloadavg()[0]:.2f}")
    before = browser_before.measure(args.before, args.quick) if args.before else None
    with tempfile.TemporaryDirectory(prefix="wsecho-bench-") as scratch:
        phases, live = run(90 if args.quick else 300, Path(scratch))
    if args.json:
        browser_before.save(phases, args.json)
    print()
    print("\n".join(table(phases)))
    if before is not None:
        print(f"\nThe code at {args.before}, measured the same way before it:\n")
        print("\n".join(table(before)))
    print()
    print("| goal | measured | goal | met |\n|---|---|---|---|")
    for goal, value, target, met in goals(phases, before, args.before or ""):
        print(f"| {goal} | {value} | {target} | {'yes' if met else 'NO'} |")
    if CLICKS:
        clicks = p95(CLICKS)
        print(
            f"| click a log line to its detail shown, p95 ({len(CLICKS)} clicks) "
            f"| {clicks:.0f} ms | <= 100 ms | {'yes' if clicks <= 100 else 'NO'} |"
        )
    if not live:
        print("\n(this panel has no live view: its row is left out)")


if __name__ == "__main__":
    main()
