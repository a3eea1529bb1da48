"""What colouring sent and received costs the page: ``python -m benchmarks.log_colours``.

The log's page code (``ui/js/logwidget.js``, bundled as the widget ships it) in Chromium,
fed a text flood the way the kernel sends one: ``UPDATES`` updates of 200 new lines each
(the oldest 200 trimmed), each followed by two animation frames, so that every update is
laid out and painted. Run with the direction colours (each line's time and arrow a range
in a CSS highlight, ``ui/js/heads.js``) and without (the page's ``Highlight`` set to
undefined first, so no range is made), alternately, ``ROUNDS`` times each, in one browser; the
figure is the page's main-thread busy time (CDP ``Performance.getMetrics``
TaskDuration) per update, and its ratio with colours to without, from the same run.
The page leaves a flood's lines plain until its updates stop (``LogPage.paceColour``),
so with colours on only the first update makes ranges: "sent heads at the end" is 0.
Before that (a5cd700), colouring the newest 64 lines of every update measured 1.07x.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from wsecho_widget.ui.frontend import bundle  # noqa: E402

CSS = (ROOT / "wsecho_widget" / "ui" / "logwidget.css").read_text(encoding="utf-8")
UPDATES = 150
ROUNDS = 3
LINES = 200

PAGE = """<!doctype html><html><head><style>%s
body { --jp-layout-color0: white; --jp-brand-color1: #1976d2; --jp-success-color0: #1b5e20; }
.wsecho-log { display: flex; flex-direction: column-reverse; max-height: 640px; overflow: auto; }
</style></head><body><div class="wsecho-log"><div id="el"></div></div></body></html>"""

# The log's page code mounted as anywidget mounts it (``source``: the bundle), rendered
# into #el; ``handlers`` take the kernel's messages, ``token`` is the view's snapshot
# request (a reset answers it). Each benchmark's script starts with it.
MOUNT = """    const url = URL.createObjectURL(new Blob([source], {type: "text/javascript"}));
    const widget = (await import(url)).default;
    const handlers = [];
    let token = null;
    const model = {
        send(m) { if (m.kind === "snapshot") token = m.token; },
        on(_, f) { handlers.push(f); },
        off() {},
    };
    widget.render({model, el: document.getElementById("el")});
"""

# The page's side: a model as anywidget gives one, the log rendered into #el, then
# `updates` floods of 200 lines, two frames after each.
FLOOD = (
    """async ([source, updates, lines, colours]) => {
    if (!colours) window.Highlight = undefined;  // heads.js then makes no range
"""
    + MOUNT
    + """
    const deliver = (msg) => handlers.forEach((f) => f(msg, []));
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
    const stamp = (seq) => `12:00:00.${String(seq % 1000).padStart(3, "0")}`;
    const arrow = (seq) => (seq % 2 ? "→" : "←");
    const line = (seq) => ({seq, text: `${stamp(seq)} ${arrow(seq)} flood ${seq} ${"x".repeat(24)}\\n`});
    const batch = (first) => Array.from({length: lines}, (_, i) => line(first + i));
    deliver({kind: "reset", token, entries: batch(0)});
    await frame();
    window.__start = performance.now();
    for (let u = 1; u <= updates; u++) {
        deliver({kind: "update", append: batch(u * lines), trim: lines});
        await frame();
        await frame();
    }
    const heads = globalThis.CSS?.highlights?.get("wsecho-sent")?.size ?? 0;
    const shown = document.getElementById("el").textContent.split("\\n").length - 1;
    return {ms: performance.now() - window.__start, heads, shown};
}"""
)


V = TypeVar("V", bound=Hashable)
R = TypeVar("R")


def options(doc: str | None, updates: int, rounds: int) -> argparse.Namespace:
    """The log benchmarks' command line: ``--updates`` and ``--rounds``."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--updates", type=int, default=updates)
    parser.add_argument("--rounds", type=int, default=rounds)
    return parser.parse_args()


def alternately(
    variants: Sequence[V],
    rounds: int,
    run: Callable[[object, V], R],
    warm_up: Callable[[object], object] | None = None,
) -> dict[V, list[R]]:
    """``run(browser, variant)`` for each variant, ``rounds`` times, in one Chromium: the
    variants take turns, each going first in every other round."""
    from playwright.sync_api import sync_playwright

    runs: dict[V, list[R]] = {variant: [] for variant in variants}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            if warm_up is not None:
                warm_up(browser)  # the first page of a browser runs slower
            for n in range(rounds):
                for variant in list(variants)[:: 1 if n % 2 == 0 else -1]:
                    runs[variant].append(run(browser, variant))
        finally:
            browser.close()
    return runs


def one_run(browser: object, source: str, colours: bool, updates: int) -> tuple[float, float, int]:
    """Busy ms per update, wall ms per update, and the sent heads left at the end."""
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.set_content(PAGE % CSS)
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        before = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        result = page.evaluate(FLOOD, [source, updates, LINES, colours])
        after = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        busy = (after["TaskDuration"] - before["TaskDuration"]) * 1000 / updates
        assert result["shown"] == LINES, result  # the log really showed each flood
        return busy, result["ms"] / updates, int(result["heads"])
    finally:
        page.close()


def main() -> None:
    args = options(__doc__, UPDATES, ROUNDS)
    source = bundle("logwidget.js")
    runs = alternately(
        (False, True), args.rounds, lambda browser, colours: one_run(browser, source, colours, args.updates)
    )
    print(f"{args.updates} updates of {LINES} lines, {args.rounds} rounds each, alternately\n")
    print("| log | main thread busy per update, ms (median) | wall per update, ms | sent heads at the end |")
    print("|---|---|---|---|")
    for colours, name in ((False, "plain"), (True, "coloured")):
        busy = statistics.median(r[0] for r in runs[colours])
        wall = statistics.median(r[1] for r in runs[colours])
        print(f"| {name} | {busy:.2f} | {wall:.1f} | {runs[colours][-1][2]} |")
    ratio = statistics.median(r[0] for r in runs[True]) / statistics.median(r[0] for r in runs[False])
    print(f"\ncoloured / plain, main thread busy: {ratio:.2f}x")


if __name__ == "__main__":
    main()
