"""The log's page code under a steady feed, before and after a change: ``python -m benchmarks.log_feed``.

The log's page code (``ui/js/logwidget.js`` and its CSS, bundled as the widget ships
them) in Chromium, fed the way the kernel sends a steady 200 messages a second of small
JSON lines: an update of ``200 / pace`` new lines every ``--pace`` seconds (0.2: the steady
pace of ``LogView``), the oldest trimmed past 200, for ``--seconds`` of real time, in a
640 px log box. The page code of a git ref (``--before``, by default ``main``) and of the
working tree, in two pages of one browser (after a warm-up page), alternately, each
first in turn, ``--rounds`` times each: load from the machine's other work hits both
alike. The figure is the page's main-thread busy fraction (CDP
``Performance.getMetrics`` TaskDuration over wall time) and its ratio.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.log_colours import MOUNT, PAGE  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
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


def one_run(browser: object, code: tuple[str, str], seconds: float, pace: float) -> float:
    """The main thread's busy fraction."""
    source, css = code
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.set_content(PAGE % css)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        before = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        shown = page.evaluate(FEED, [source, seconds, pace, 200])
        after = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        assert shown == 200, shown  # the log really showed the feed
        wall = after["Timestamp"] - before["Timestamp"]
        busy: float = (after["TaskDuration"] - before["TaskDuration"]) / wall
        return busy
    finally:
        page.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="main", help="the git ref to compare with (default: main)")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--pace", type=float, default=0.2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    here = (frontend.bundle("logwidget.js"), (ROOT / UI / "logwidget.css").read_text(encoding="utf-8"))
    codes = {args.before: sources(args.before), "working tree": here}
    runs: dict[str, list[float]] = {name: [] for name in codes}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            one_run(browser, here, 2, args.pace)  # warm-up: the first page of a browser runs slower
            for n in range(args.rounds):
                for name, code in list(codes.items())[:: 1 if n % 2 == 0 else -1]:  # each goes first in turn
                    runs[name].append(one_run(browser, code, args.seconds, args.pace))
        finally:
            browser.close()
    per = round(200 * args.pace)
    print(f"200 lines/s as an update of {per} lines every {args.pace:g} s, {args.seconds:g} s a run,")
    print(f"{args.rounds} rounds of each, alternately\n")
    print("| page code | main thread busy, each round | median |")
    print("|---|---|---|")
    for name, busy in runs.items():
        print(f"| {name} | {', '.join(f'{b:.1%}' for b in busy)} | {statistics.median(busy):.1%} |")
    old, new = (statistics.median(runs[name]) for name in codes)
    print(f"\nworking tree / {args.before}, main thread busy: {new / old:.2f}x")


if __name__ == "__main__":
    main()
