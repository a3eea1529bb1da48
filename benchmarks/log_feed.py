"""The log's page code under a steady feed, before and after a change: ``python -m benchmarks.log_feed``.

The log's page code (``ui/js/logwidget.js`` and its CSS, bundled as the widget ships
them) in Chromium, fed the way the kernel sends a steady ``--rate`` messages a second
(200) of small JSON lines: an update of ``rate * pace`` new lines every ``--pace`` seconds
(0.2: the steady pace of ``LogView``), the oldest trimmed past 200, for ``--seconds`` of
real time, in a 640 px log box. Meanwhile a key is pressed in an input beside the log
every 50 ms (CDP input events, as a person's), timed from the keydown to the next frame's
paint, as ``benchmarks/browser_page.py`` times them. ``--rate 1000`` is a text flood at the
steady pace: each update replaces the whole log. The page code of a git ref (``--before``,
by default ``main``) and of the working tree, in two pages of one browser (after a
warm-up page), alternately, each first in turn, ``--rounds`` times each: load from the
machine's other work hits both alike. The figures are the page's main-thread busy fraction (CDP
``Performance.getMetrics`` TaskDuration over wall time), its ratio, and key to paint p95.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.browser_page import TO_PAINT, press_key  # noqa: E402
from benchmarks.browser_report import p95  # noqa: E402
from benchmarks.log_colours import MOUNT, PAGE, alternately  # noqa: E402
from wsecho_widget.ui import frontend  # noqa: E402

UI = "wsecho_widget/ui"

FEED = (
    """async ([source, seconds, pace, rate]) => {
"""
    + MOUNT
    + """
    const deliver = (msg) => handlers.forEach((f) => f(msg, []));
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const line = (n) => {
        const t = n / rate;
        const sample = {n, a: 100 + 5 * Math.sin(t), b: 50 + 3 * Math.cos(t / 2), c: 20 + (n % 50) / 10};
        const ms = String(n % 1000).padStart(3, "0");
        return {seq: n, text: `12:00:0${n % 10}.${ms} ← ${JSON.stringify(sample)}\\n`};
    };
    deliver({kind: "reset", token, entries: []});
    const per = Math.round(rate * pace);
    let seq = 0;
    let shown = 0;
    const start = performance.now();
    for (let u = 1; performance.now() - start < seconds * 1000; u++) {
        const append = Array.from({length: per}, () => line(++seq));
        const trim = Math.max(0, shown + per - 200);
        shown += per - trim;
        deliver({kind: "update", append, trim});
        await sleep(Math.max(0, start + u * pace * 1000 - performance.now()));
    }
    return document.getElementById("el").textContent.split("\\n").length - 1;
}"""
)


def sources(ref: str) -> tuple[str, str]:
    """The bundled page code and CSS of git ``ref``."""
    with tempfile.TemporaryDirectory() as scratch:
        tree = Path(scratch)
        archive = subprocess.run(["git", "archive", ref, UI], cwd=ROOT, check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", scratch], input=archive.stdout, check=True)
        saved, frontend.JS = frontend.JS, tree / UI / "js"
        try:
            return frontend.bundle("logwidget.js"), (tree / UI / "logwidget.css").read_text(encoding="utf-8")
        finally:
            frontend.JS = saved


# An input beside the log, focused, and each key press's time to the next paint.
KEYS = (
    """() => {
    const input = document.createElement("input");
    document.body.prepend(input);
    input.focus();
    window.__keys = [];
    input.addEventListener("keydown", (e) => ("""
    + TO_PAINT
    + """)(e.timeStamp, (ms) => window.__keys.push(ms)));
}"""
)


def one_run(
    browser: object, code: tuple[str, str], seconds: float, pace: float, rate: int
) -> tuple[float, list[float]]:
    """The main thread's busy fraction, and each key press's milliseconds to paint."""
    source, css = code
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.set_content(PAGE % css)
        page.evaluate(KEYS)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        before = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        page.evaluate(
            f"args => {{ window.__shown = null; ({FEED})(args).then(n => {{ window.__shown = n; }}); }}",
            [source, seconds, pace, rate],
        )
        while page.evaluate("() => window.__shown") is None:
            press_key(cdp, "x")
            time.sleep(0.05)
        after = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        shown = page.evaluate("() => window.__shown")
        assert shown == 200, shown  # the log really showed the feed
        wall = after["Timestamp"] - before["Timestamp"]
        busy: float = (after["TaskDuration"] - before["TaskDuration"]) / wall
        return busy, list(page.evaluate("() => window.__keys"))
    finally:
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="main", help="the git ref to compare with (default: main)")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--pace", type=float, default=0.2)
    parser.add_argument("--rate", type=int, default=200, help="lines a second (1000: a flood)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    here = (frontend.bundle("logwidget.js"), (ROOT / UI / "logwidget.css").read_text(encoding="utf-8"))
    codes = {args.before: sources(args.before), "working tree": here}
    runs = alternately(
        list(codes),
        args.rounds,
        lambda browser, name: one_run(browser, codes[name], args.seconds, args.pace, args.rate),
        warm_up=lambda browser: one_run(browser, here, 2, args.pace, args.rate),
    )
    per = round(args.rate * args.pace)
    print(f"{args.rate} lines/s as an update of {per} lines every {args.pace:g} s, {args.seconds:g} s a run,")
    print(f"{args.rounds} rounds of each, alternately; a key press every 50 ms\n")
    print("| page code | main thread busy, each round | median | key to paint p95 (presses) |")
    print("|---|---|---|---|")
    for name, results in runs.items():
        each = ", ".join(f"{busy:.1%}" for busy, _ in results)
        keys = [k for _, pressed in results for k in pressed]
        median = statistics.median(busy for busy, _ in results)
        print(f"| {name} | {each} | {median:.1%} | {p95(keys):.0f} ms ({len(keys)}) |")
    old, new = (statistics.median(busy for busy, _ in runs[name]) for name in codes)
    print(f"\nworking tree / {args.before}, main thread busy: {new / old:.2f}x")


if __name__ == "__main__":
    main()
