"""What the log's height costs the page during a picture stream: ``python -m benchmarks.log_height``.

The log's page code (as :mod:`benchmarks.log_colours` loads it) in Chromium, fed a stream
the way the kernel sends one: ``UPDATES`` updates of 3 new JPEGs (the stream server's
288 x 216 noise pictures, ~48 KB) each, the log holding the newest 20 (``image_limit``),
each update followed by three animation frames (the pictures decode off the main thread
and are drawn when ready). The same run in a log 360 px high (the old default) and one
640 px high (the new default's cap), alternately, ``ROUNDS`` times each, in one browser;
the figure is the page's main-thread busy time per update and its ratio, from the same run.
"""

from __future__ import annotations

import base64
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.log_colours import CSS, MOUNT, PAGE, alternately, options  # noqa: E402
from benchmarks.stream_server import jpegs  # noqa: E402
from wsecho_widget.ui.frontend import bundle  # noqa: E402

UPDATES = 100
ROUNDS = 3
KEPT = 20
HEIGHTS = ("360px", "640px")

STREAM = (
    """async ([source, updates, pictures, kept, height]) => {
    document.querySelector(".wsecho-log").style.maxHeight = height;
"""
    + MOUNT
    + """
    const bytes = pictures.map((b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer);
    const deliver = (msg, buffers) => handlers.forEach((f) => f(msg, buffers));
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
    const item = (seq, buffer) => ({
        seq, text: `12:00:00.000 ← binary 48 KiB (jpeg picture)\\n`, media: "image/jpeg", buffer,
        size: [288, 216], animated: false,
    });
    deliver({kind: "reset", token, entries: []}, []);
    let seq = 0;
    let shown = 0;
    const start = performance.now();
    for (let u = 0; u < updates; u++) {
        const append = [0, 1, 2].map((i) => item(++seq, i));
        const buffers = append.map((it) => bytes[it.seq % bytes.length]);
        const trim = Math.max(0, shown + 3 - kept);
        shown += 3 - trim;
        deliver({kind: "update", append, trim}, buffers);
        await frame();
        await frame();
        await frame();
    }
    const drawn = [...document.querySelectorAll(".wsecho-frame")].length;
    return {ms: performance.now() - start, drawn};
}"""
)


def one_run(browser: object, source: str, pictures: list[str], height: str, updates: int) -> float:
    """Main-thread busy ms per update."""
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.set_content(PAGE % CSS)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        before = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        result = page.evaluate(STREAM, [source, updates, pictures, KEPT, height])
        after = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        assert result["drawn"] == KEPT, result  # the log held the newest 20 pictures
        return float(after["TaskDuration"] - before["TaskDuration"]) * 1000 / updates
    finally:
        page.close()


def main() -> None:
    args = options(__doc__, UPDATES, ROUNDS)
    source = bundle("logwidget.js")
    pictures = [base64.b64encode(b).decode("ascii") for b in jpegs(16)]
    runs = alternately(
        HEIGHTS, args.rounds, lambda browser, height: one_run(browser, source, pictures, height, args.updates)
    )
    print(f"{args.updates} updates of 3 pictures, {KEPT} kept, {args.rounds} rounds each, alternately\n")
    print("| log height | main thread busy per update, ms (median) | runs |")
    print("|---|---|---|")
    for height in HEIGHTS:
        each = ", ".join(f"{r:.2f}" for r in runs[height])
        print(f"| {height} | {statistics.median(runs[height]):.2f} | {each} |")
    ratio = statistics.median(runs[HEIGHTS[1]]) / statistics.median(runs[HEIGHTS[0]])
    print(f"\n{HEIGHTS[1]} / {HEIGHTS[0]}, main thread busy: {ratio:.2f}x")


if __name__ == "__main__":
    main()
