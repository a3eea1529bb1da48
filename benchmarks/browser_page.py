"""The browser benchmarks' page: JupyterLab in Debian's Chromium, with the page's own counters.

One helper for ``benchmarks/browser_pictures.py`` and ``benchmarks/browser_charts.py``:
:func:`lab_page` starts a benchmark server and JupyterLab, opens a notebook in
Chromium (set up as the browser tests are) and runs its first cell; :class:`Browser`
measures a phase. Every figure comes from the browser's own counters: frames from
``requestAnimationFrame``, long tasks from a ``PerformanceObserver``, main-thread busy
time from CDP ``Performance.getMetrics`` (TaskDuration: wall time, which other jobs on
the machine stretch), the main thread's CPU time (``/proc``: what the page itself
used, whatever else runs), the JS heap after CDP ``HeapProfiler.collectGarbage``, the
renderer's RSS (psutil), ``<img>`` elements added to the page (a ``MutationObserver``),
bytes received on the kernel's WebSocket (CDP ``Network.webSocketFrameReceived``), key
press to the next paint in the panel's input, and a click on a log line to the frame
after its detail view shows it.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil

from benchmarks._serve import ServerProcess
from benchmarks.browser_report import Phase, print_profile, print_trace
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, JupyterServer
from tests.browser.pages import NotebookPage, write_test_notebook

# From an event's timestamp ``t0`` (a key press, a click) to a task queued right after
# the next frame's rendering steps, when what it changed is painted; ``done(ms)`` is told.
TO_PAINT = """(t0, done) => requestAnimationFrame(() => {
  const channel = new MessageChannel();
  channel.port1.onmessage = () => done(performance.now() - t0);
  channel.port2.postMessage(0);
})"""

# Counters kept by the page itself, installed before JupyterLab loads.
PAGE_COUNTERS = (
    """
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
// Key press to paint, in the panel.
document.addEventListener('keydown', e => {
  if (!e.target.closest || !e.target.closest('.wsecho-panel')) return;
  ("""
    + TO_PAINT
    + """)(e.timeStamp, ms => window.__bench.keys.push(ms));
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
  ("""
    + TO_PAINT
    + """)(t0, ms => window.__bench.clicks.push(ms));
}).observe(document, {subtree: true, childList: true, characterData: true});
"""
)


def press_key(cdp: Any, key: str) -> None:
    """A key press (``x`` or ``Backspace``) as the browser's input layer delivers one
    (CDP), without Playwright's actionability checks, whose scripts would count as the
    page's work."""
    code = {"x": ("KeyX", 88, "x"), "Backspace": ("Backspace", 8, "")}[key]
    event = {"key": key, "code": code[0], "windowsVirtualKeyCode": code[1]}
    cdp.send("Input.dispatchKeyEvent", {"type": "keyDown", "text": code[2], **event})
    cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", **event})


class Browser:
    """The page and its counters."""

    def __init__(self, notebook: NotebookPage, chromium: Any = None) -> None:
        self.notebook = notebook
        self.chromium = chromium
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
        press_key(self.cdp, key)

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

    @contextlib.contextmanager
    def trace(self, label: str, wanted: bool = True) -> Iterator[None]:
        """With ``WSECHO_PROFILE=trace``: where the page's main thread spends the block
        (style, layout, paint, script, GC apart); with ``WSECHO_PROFILE=1``: the page's
        scripts' self time by function (CDP Profiler)."""
        how = os.environ.get("WSECHO_PROFILE") if wanted else None
        if how == "trace":
            categories = ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8"]
            self.chromium.start_tracing(page=self.page, categories=categories)
        elif how == "1":
            self.cdp.send("Profiler.enable")
            self.cdp.send("Profiler.start")
        try:
            yield
        finally:
            if how == "trace":
                print_trace(json.loads(self.chromium.stop_tracing()), label)
            elif how == "1":
                print_profile(self.cdp.send("Profiler.stop")["profile"], label)

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
        start_cpu, start_main = cpu_seconds(page_process), main_thread_seconds(page_process)
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
        phase.main_cpu = (main_thread_seconds(page_process) - start_main) / wall
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


def main_thread_seconds(process: psutil.Process | None) -> float:
    """CPU time used so far by the main thread of ``process`` (its first thread, whose id
    is the process's): unlike TaskDuration, not stretched by other jobs taking the cores."""
    if process is None:
        return 0.0
    with contextlib.suppress(OSError, psutil.Error):
        fields = Path(f"/proc/{process.pid}/task/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return 0.0


def renderer_rss() -> int:
    """The largest RSS among Chromium renderers started by this process: the Lab page's."""
    process = renderer()
    if process is None:
        return 0
    with contextlib.suppress(psutil.Error):
        return int(process.memory_info().rss)
    return 0


def wait_prompt(prompt: Any) -> None:
    from playwright.sync_api import expect

    expect(prompt).to_have_text(re.compile(r"\[\d+\]:"), timeout=120_000)


@contextlib.contextmanager
def lab_page(
    server: str,
    notebook: str,
    cells: Callable[[str], list[str]],
    scratch: Path,
    kind: type[Browser] | None = None,
) -> Iterator[Browser]:
    """``benchmarks/<server>.py`` running, and a JupyterLab page showing ``notebook`` (made of
    ``cells(server_url)``) with its first cell run and its panel shown; the page's errors
    are printed when the block ends."""
    from playwright.sync_api import sync_playwright

    with ServerProcess(server) as process, sync_playwright() as p:
        lab = JupyterServer("lab", scratch).start()
        try:
            name = write_test_notebook(lab.root, notebook, cells(process.url))
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = chromium.new_context(viewport={"width": 1280, "height": 1800})
            page = context.new_page()
            page.add_init_script(PAGE_COUNTERS)
            opened = NotebookPage(page, lab.url(f"lab/tree/{name}"))
            b = (kind or Browser)(opened, chromium)
            opened.open()
            b.run_cell(0)
            page.locator(".wsecho-panel").wait_for()
            yield b
            if opened.widget_errors:
                print("page errors:", *opened.widget_errors, sep="\n", file=sys.stderr)
            context.close()
            chromium.close()
        finally:
            lab.stop()
