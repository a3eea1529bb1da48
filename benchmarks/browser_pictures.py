"""What pictures cost the browser: ``python -m benchmarks.browser_pictures``.

One JupyterLab page in Debian's Chromium (driven by Playwright, set up as the browser
tests do) shows a panel connected to ``benchmarks/stream_server.py`` and goes
through: idle; a text flood (100,000 x 40 B, three times over); three streams of 300 JPEGs (~48 KB) at
30 per second; a live-view stream; ``panel.close()``. The same flood and one stream
are then received by a plain websockets client in the same kernel that shows
nothing: the non-rendering client each figure is set beside.

Every figure comes from the browser's own counters: frames from
``requestAnimationFrame``, long tasks from a ``PerformanceObserver``, main-thread
busy time from CDP ``Performance.getMetrics`` (TaskDuration), the JS heap after CDP
``HeapProfiler.collectGarbage``, the renderer's RSS (psutil), ``<img>`` elements
added to the page (a ``MutationObserver``), bytes received on the kernel's WebSocket
(CDP ``Network.webSocketFrameReceived``), and key press to the next paint in the
panel's input (keydown, then the frame after it), and a click on a log line to the
frame after its detail view shows it (40 clicks after the floods). ``--quick`` streams
90 pictures.
"""

from __future__ import annotations

import argparse
import ast
import base64
import contextlib
import json
import math
import os
import platform
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import browser_before  # noqa: E402
from benchmarks._serve import ServerProcess  # noqa: E402
from benchmarks.browser_report import Phase, goals, print_profile, print_trace, table  # noqa: E402
from benchmarks.stream_server import jpegs  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, JupyterServer  # noqa: E402
from tests.browser.pages import NotebookPage, write_test_notebook  # noqa: E402

FLOOD = "!flood 100000 40"
# A flood lasts ~2 s here: too few key presses for a p95. Its phases run it 3 times.
FLOODS = 3
RATE = 30
#: Click to detail times (ms) measured during the floods, for the goal's row.
CLICKS: list[float] = []

# Counters kept by the page itself, installed before JupyterLab loads.
PAGE_COUNTERS = """
window.__bench = {raf: 0, imgs: 0, longMs: 0, keys: []};
(function frame() { requestAnimationFrame(() => { window.__bench.raf++; frame(); }); })();
new PerformanceObserver(list => {
  for (const e of list.getEntries()) window.__bench.longMs += e.duration;
}).observe({type: 'longtask'});
// <img> and <canvas>: every element a picture is drawn in, counted once however
// often it is attached (the log detaches the canvases of pictures out of view).
const seen = new WeakSet();
const count = n => { if (!seen.has(n)) { seen.add(n); window.__bench.imgs++; } };
new MutationObserver(records => {
  for (const r of records) for (const n of r.addedNodes) {
    if (n.nodeType !== 1) continue;
    if (n.tagName === 'IMG' || n.tagName === 'CANVAS') count(n);
    else for (const m of n.querySelectorAll('img, canvas')) count(m);
  }
}).observe(document, {childList: true, subtree: true});
// Key press to paint: from the keydown's timestamp to a task queued right after the
// next frame's rendering steps.
document.addEventListener('keydown', e => {
  if (!e.target.closest || !e.target.closest('.wsecho-panel')) return;
  const t0 = e.timeStamp;
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => window.__bench.keys.push(performance.now() - t0);
    channel.port2.postMessage(0);
  });
}, true);
// Click to detail: from a click in the log to the frame after the detail view shows
// the line the click selected (its facts name the selected sequence number).
window.__bench.clicks = [];
let clicked = null;
// Bubbling, after the log's own handler: the line it selected is known then (a flood
// may trim that line from the log before its detail arrives; the detail still comes).
document.addEventListener('click', e => {
  const entries = e.target.closest && e.target.closest('.wsecho-entries');
  if (entries && entries.dataset.selected) clicked = {t0: e.timeStamp, seq: entries.dataset.selected};
});
new MutationObserver(() => {
  if (clicked === null) return;
  const facts = document.querySelector('.wsecho-detail-facts');
  if (!facts || !facts.textContent.split(' · ').includes('#' + clicked.seq)) return;
  const t0 = clicked.t0;
  clicked = null;
  requestAnimationFrame(() => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => window.__bench.clicks.push(performance.now() - t0);
    channel.port2.postMessage(0);
  });
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


class Browser:
    """The page and its counters."""

    def __init__(self, notebook: NotebookPage) -> None:
        self.notebook = notebook
        self.page = notebook.page
        self.cdp = self.page.context.new_cdp_session(self.page)
        self.cdp.send("Performance.enable")
        self.cdp.send("Network.enable")
        self.kernel_sockets: set[str] = set()
        self.ws_bytes = 0
        self.ws_frames = 0
        self.cdp.on("Network.webSocketCreated", self._created)
        self.cdp.on("Network.webSocketFrameReceived", self._frame)

    def _created(self, event: dict[str, Any]) -> None:
        if "/api/kernels/" in event["url"]:
            self.kernel_sockets.add(event["requestId"])

    def _frame(self, event: dict[str, Any]) -> None:
        if event["requestId"] in self.kernel_sockets:
            self.ws_frames += 1
            response = event["response"]
            data = response["payloadData"]
            self.ws_bytes += len(base64.b64decode(data)) if response["opcode"] == 2 else len(data.encode())

    def metrics(self) -> dict[str, float]:
        return {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}

    def counters(self) -> dict[str, Any]:
        return dict(self.page.evaluate("() => ({...window.__bench, keys: window.__bench.keys.length})"))

    def keys_since(self, start: int) -> list[float]:
        return list(self.page.evaluate(f"() => window.__bench.keys.slice({start})"))

    def collect(self) -> tuple[float, float]:
        """JS heap used (MB) after a forced GC, and the renderers' RSS (MB)."""
        for _ in range(2):
            self.cdp.send("HeapProfiler.collectGarbage")
        heap = self.metrics()["JSHeapUsedSize"] / 1e6
        return heap, renderer_rss() / 1e6

    def press(self, key: str) -> None:
        """A key press as the browser's input layer delivers one (CDP), without
        Playwright's actionability checks, whose scripts would count as the page's work."""
        code = {"x": ("KeyX", 88, "x"), "Backspace": ("Backspace", 8, "")}[key]
        event = {"key": key, "code": code[0], "windowsVirtualKeyCode": code[1]}
        self.cdp.send("Input.dispatchKeyEvent", {"type": "keyDown", "text": code[2], **event})
        self.cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", **event})

    def click_log(self, n: int) -> None:
        """A mouse click on a line of the log (CDP, like ``press``): one of two lines near its
        top, alternately, so that each click selects another line."""
        box = self.page.evaluate(
            "() => { const r = document.querySelector('.wsecho-panel .wsecho-log').getBoundingClientRect();"
            " return [r.left, r.top]; }"
        )
        point = {"x": box[0] + 80, "y": box[1] + 12 + 17 * (n % 2), "button": "left", "clickCount": 1}
        self.cdp.send("Input.dispatchMouseEvent", {"type": "mousePressed", **point})
        self.cdp.send("Input.dispatchMouseEvent", {"type": "mouseReleased", **point})

    def clicks_since(self, start: int) -> list[float]:
        return list(self.page.evaluate(f"() => window.__bench.clicks.slice({start})"))

    def click_phase(self, count: int = 40) -> list[float]:
        """Click ``count`` lines of the log, 150 ms apart (each a line the one before did
        not select); the click to detail times."""
        start = len(self.clicks_since(0))
        for n in range(count):
            self.click_log(n)
            self.page.wait_for_timeout(150)
        self.page.wait_for_timeout(500)
        times = self.clicks_since(start)
        print(f"  click to detail: {count} clicks, {len(times)} measured", file=sys.stderr)
        return times

    def run_cell(self, index: int) -> Any:
        """Start cell ``index`` (Shift+Enter); its prompt locator, to wait on."""
        cell = self.notebook.cells.nth(index)
        cell.locator(".jp-InputArea-editor").click()
        self.page.keyboard.press("Shift+Enter")
        return cell.locator(".jp-InputPrompt")

    def measure(
        self, name: str, cell: int | None, seconds: float = 0.0, marker: str = "", keys: bool = True
    ) -> Phase:
        """Run ``cell``, pressing keys in the panel's input every 250 ms (unless not
        ``keys``), until the cell has run, ``marker`` is in the page's log and at least
        ``seconds`` have passed."""
        phase = Phase(name)
        box = self.page.locator(".wsecho-panel .wsecho-input input")
        start_counts, start_metrics, start_bytes = self.counters(), self.metrics(), self.ws_bytes
        start_frames = self.ws_frames
        page_process = renderer()
        start_cpu = cpu_seconds(page_process)
        t0 = time.monotonic()
        prompt = self.run_cell(cell) if cell is not None else None
        if keys:
            box.focus()
        pressed = 0
        while True:
            if keys:
                self.press("x" if pressed % 2 == 0 else "Backspace")
                pressed += 1
            self.page.wait_for_timeout(250)
            done = prompt is None or (
                (prompt.text_content() or "").strip() not in ("[*]:", "[ ]:", "")
                and (not marker or self.page.evaluate(LOG_HAS, marker))
            )
            if done and time.monotonic() - t0 >= seconds:
                break
            if time.monotonic() - t0 > 600:
                raise TimeoutError(f"{name} did not finish")
        elapsed = time.monotonic() - t0
        end_counts, end_metrics = self.counters(), self.metrics()
        wall = end_metrics["Timestamp"] - start_metrics["Timestamp"]
        phase.seconds = elapsed
        phase.busy = (end_metrics["TaskDuration"] - start_metrics["TaskDuration"]) / wall
        phase.long_ms_per_s = (end_counts["longMs"] - start_counts["longMs"]) / wall
        phase.fps = (end_counts["raf"] - start_counts["raf"]) / wall
        phase.imgs = end_counts["imgs"] - start_counts["imgs"]
        phase.ws_bytes = self.ws_bytes - start_bytes
        phase.ws_frames = self.ws_frames - start_frames
        phase.cpu = (cpu_seconds(page_process) - start_cpu) / wall
        phase.keys = self.keys_since(start_counts["keys"])
        if keys and len(phase.keys) < pressed * 0.9:
            print(f"  {name}: {pressed} keys pressed, {len(phase.keys)} measured", file=sys.stderr)
        if keys:
            box.fill("")
        phase.heap_mb, phase.rss_mb = self.collect()
        if cell is not None:
            output = self.notebook.cells.nth(cell).locator(".jp-OutputArea-output")
            with contextlib.suppress(ValueError, SyntaxError):
                if output.count():
                    phase.result = ast.literal_eval(output.first.inner_text())
        return phase


LOG_HAS = """marker => [...document.querySelectorAll('.wsecho-log')]
    .some(el => el.textContent.includes(marker))"""


def renderer() -> psutil.Process | None:
    """The Lab page's renderer: the Chromium renderer started by this process with the largest RSS."""
    best: tuple[int, psutil.Process | None] = (0, None)
    for process in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            if "--type=renderer" in " ".join(process.cmdline()):
                best = max(best, (process.memory_info().rss, process), key=lambda pair: pair[0])
    return best[1]


def cpu_seconds(process: psutil.Process | None) -> float:
    """CPU time used so far by ``process`` (all its threads: decoding, raster, ...)."""
    if process is None:
        return 0.0
    with contextlib.suppress(psutil.Error):
        times = process.cpu_times()
        return float(times.user + times.system)
    return 0.0


def renderer_rss() -> int:
    """The largest RSS among Chromium renderers started by this process: the Lab page's."""
    process = renderer()
    if process is None:
        return 0
    with contextlib.suppress(psutil.Error):
        return int(process.memory_info().rss)
    return 0


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
    from playwright.sync_api import sync_playwright

    from wsecho_widget import WebSocketPanel

    live = WebSocketPanel.class_traits().get("live") is not None
    phases: dict[str, Phase] = {}
    with ServerProcess("stream_server") as server, sync_playwright() as p:
        lab = JupyterServer("lab", scratch).start()
        try:
            source, index = cells(server.url, count, live)
            name = write_test_notebook(lab.root, "pictures-benchmark.ipynb", source)
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 1800})
            page = context.new_page()
            page.add_init_script(PAGE_COUNTERS)
            notebook = NotebookPage(page, lab.url(f"lab/tree/{name}"))
            b = Browser(notebook)
            notebook.open()
            b.run_cell(0)
            page.locator(".wsecho-panel").wait_for()
            wait_prompt(b.run_cell(1))
            page.wait_for_timeout(3000)
            phases["idle"] = b.measure("idle", None, seconds=8)
            with trace(browser, page, "flood"):
                phases["flood"] = b.measure("flood", index["flood"], marker=f"done {FLOOD}")
            # Click to detail, on the 200 lines the floods left in the log.
            CLICKS.extend(b.click_phase())
            stream = f"!pictures {count} {RATE}"
            picture_bytes = sum(map(len, jpegs(count)))
            for n, tag in ((1, "a"), (2, "b"), (3, "c")):
                if n == 2 and os.environ.get("WSECHO_PROFILE") == "1":
                    b.cdp.send("Profiler.enable")
                    b.cdp.send("Profiler.start")
                with trace(browser, page, f"stream {n}", n == 2):
                    phase = b.measure(f"stream {n}", index[f"stream {n}"], marker=f"done {stream} {tag}")
                if n == 2 and os.environ.get("WSECHO_PROFILE") == "1":
                    print_profile(b.cdp.send("Profiler.stop")["profile"])
                phase.pictures, phase.picture_bytes = count, picture_bytes
                phases[phase.name] = phase
            with trace(browser, page, "bare flood"):
                phases["bare flood"] = b.measure("bare flood", index["bare flood"])
            with trace(browser, page, "bare stream"):
                phase = b.measure("bare stream", index["bare stream"])
            phase.pictures, phase.picture_bytes = count, picture_bytes
            phases["bare stream"] = phase
            if live:
                wait_prompt(b.run_cell(index["live"] - 1))
                phase = b.measure("live", index["live"], marker=f"done {stream} live")
                phase.pictures, phase.picture_bytes = count, picture_bytes
                phases["live"] = phase
            phases["close"] = b.measure("close", index["close"], seconds=3, keys=False)
            errors = notebook.widget_errors
            if errors:
                print("page errors:", *errors, sep="\n", file=sys.stderr)
            context.close()
            browser.close()
        finally:
            lab.stop()
    return phases, live


@contextlib.contextmanager
def trace(browser: Any, page: Any, label: str, wanted: bool = True) -> Any:
    """With ``WSECHO_PROFILE=trace``: where the page's main thread spends the phase."""
    if not wanted or os.environ.get("WSECHO_PROFILE") != "trace":
        yield
        return
    categories = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8"]
    browser.start_tracing(page=page, categories=categories)
    try:
        yield
    finally:
        print_trace(json.loads(browser.stop_tracing()), label)


def wait_prompt(prompt: Any) -> None:
    from playwright.sync_api import expect

    expect(prompt).to_have_text(re.compile(r"\[\d+\]:"), timeout=120_000)


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
        ordered = sorted(CLICKS)
        p95 = ordered[math.ceil(0.95 * len(ordered)) - 1]
        print(
            f"| click a log line to its detail shown, p95 ({len(ordered)} clicks) "
            f"| {p95:.0f} ms | <= 100 ms | {'yes' if p95 <= 100 else 'NO'} |"
        )
    if not live:
        print("\n(this panel has no live view: its row is left out)")


if __name__ == "__main__":
    main()
