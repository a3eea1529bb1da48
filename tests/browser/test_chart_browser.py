"""A feed's chart in JupyterLab: the plotted points reach the page, hovering one reads its value,
a zoom survives the redraws and Pause holds the picture."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import JupyterServer
from tests.browser.pages import NotebookPage, expect, open_notebook

pytestmark = pytest.mark.browser

CELLS = [
    """\
import asyncio

from wsecho_widget import WebSocketPanel

panel = WebSocketPanel()
await panel.ready
chart = panel.chart("$.price", window=10)
for value in (11, 22, 33, 44, 55):
    panel.send_json({"price": value, "symbol": "ABC"})
    await panel.receive()
chart""",
    "[y for _, y in chart.points()], chart.draws",
]

# Where plotly drew the point `index` of the first trace, in page pixels: the plot
# area's corner plus the axes' own data-to-pixel maps (plotly.js's layout objects).
POINT_XY = """index => {
  const gd = document.querySelector('.wsecho-chart .js-plotly-plot');
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  const box = gd.querySelector('.nsewdrag').getBoundingClientRect();
  const trace = gd.data[0];
  return [box.left + xa.l2p(xa.d2l(trace.x[index])), box.top + ya.l2p(ya.d2l(trace.y[index]))];
}"""


FIGURE = "document.querySelector('.wsecho-chart .js-plotly-plot')"
RANGE = f"() => Array.from(({FIGURE})._fullLayout.xaxis.range)"


# The page pixel at fraction `f` of the plot area's width, half way down it.
AREA_XY = """f => {
  const box = document.querySelector('.wsecho-chart .js-plotly-plot .nsewdrag').getBoundingClientRect();
  return [box.left + f * box.width, box.top + box.height / 2];
}"""


def drag_zoom(page: Any, start: float, end: float) -> list[float]:
    """Drag across the plot area from fraction ``start`` of its width to ``end``; the x range
    once plotly has zoomed to it.

    Fractions of the area, not data points: the points' x values are receive times, and
    under load the kernel receives several within a millisecond, a few pixels apart, a
    drag plotly takes for a click. A drag that starts while a redraw replaces plotly's
    drag layer zooms nothing: it is made again (at most three times), the check unchanged.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError  # the browser extra's

    before = page.evaluate(RANGE)
    for _ in range(3):
        (x1, y1), (x2, _) = page.evaluate(AREA_XY, start), page.evaluate(AREA_XY, end)
        page.mouse.move(x1, y1)
        page.mouse.down()
        page.mouse.move(x2, y1 + 2, steps=5)
        page.mouse.up()
        try:
            page.wait_for_function(f"before => ({RANGE})()[0] !== before[0]", arg=before, timeout=3000)
        except PlaywrightTimeoutError:
            continue
        return list(page.evaluate(RANGE))
    raise AssertionError(f"three drags across the plot area left the x range at {before}")


@pytest.fixture(scope="module")
def notebook(browser: Any, lab_server: JupyterServer) -> Iterator[NotebookPage]:
    with open_notebook(browser, lab_server, "lab/tree/{name}", "chart.ipynb", CELLS) as notebook:
        yield notebook


def test_hovering_a_point_reads_its_value(notebook: NotebookPage, artifacts: Path) -> None:
    notebook.open()
    notebook.run_all()
    page = notebook.page
    figure = page.locator(".wsecho-chart .js-plotly-plot")
    expect(figure).to_be_visible()
    result = notebook.cells.nth(1).locator(".jp-OutputArea-output")
    expect(result).to_have_text(re.compile(r"\(\[11\.0, 22\.0, 33\.0, 44\.0, 55\.0\], \d+\)"))
    # The page has the five points the kernel kept, in order.
    page.wait_for_function(
        "() => { const gd = document.querySelector('.wsecho-chart .js-plotly-plot');"
        " return gd && gd.data && gd.data[0] && gd.data[0].y && gd.data[0].y.length === 5; }"
    )
    assert list(
        page.evaluate("() => Array.from(document.querySelector('.wsecho-chart .js-plotly-plot').data[0].y)")
    ) == [11, 22, 33, 44, 55]
    figure.scroll_into_view_if_needed()
    x, y = page.evaluate(POINT_XY, 2)
    page.mouse.move(x, y)
    readout = page.locator(".wsecho-chart .hoverlayer .hovertext")
    expect(readout).to_be_visible()
    expect(readout).to_contain_text(re.compile(r", 33\)"))  # (seconds, value)
    page.locator(".wsecho-chart").screenshot(path=str(artifacts / "lab-chart-hover.png"))
    # Another point, another value: the readout follows the pointer.
    x, y = page.evaluate(POINT_XY, 4)
    page.mouse.move(x, y)
    expect(readout).to_contain_text(re.compile(r", 55\)"))
    page.mouse.move(0, 0)
    # Drag across the middle of the plot: plotly zooms the x axis to about that part of the
    # points' span; the zoom survives the next redraws.
    last = page.evaluate(f"() => ({FIGURE}).data[0].x[4]")
    zoomed = drag_zoom(page, 0.25, 0.75)
    assert 0.2 * last < zoomed[0] < 0.3 * last and 0.7 * last < zoomed[1] < 0.8 * last
    notebook.run_cell('for v in (66, 77): panel.send_json({"price": v}); await panel.receive()')
    page.wait_for_function(f"() => ({FIGURE}).data[0].y.length === 7")
    assert page.evaluate(RANGE) == zoomed
    # Pause holds the picture while the points keep coming; resuming draws them.
    page.locator('.wsecho-chart button:has-text("Pause")').click()
    notebook.run_cell('panel.send_json({"price": 88}); await panel.receive(); await asyncio.sleep(1.2)')
    assert page.evaluate(f"() => ({FIGURE}).data[0].y.length") == 7
    page.locator('.wsecho-chart button:has-text("Pause")').click()
    page.wait_for_function(f"() => ({FIGURE}).data[0].y.length === 8")
    assert notebook.widget_errors == []
