"""Issue 10's picture path in a real browser: each picture drawn once, released when it
leaves, bombs refused in words, sound without autoplay, the live view.

Uses the shared fixtures of ``conftest.py`` (JupyterLab of its own, Debian's Chromium
through Playwright). The page counts every ``<img>`` and ``<canvas>`` element it creates
(a wrapper of ``document.createElement`` installed before JupyterLab loads); the tests, in file order,
drive the panel from notebook cells and read the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import flow
from tests.browser.conftest import JupyterServer
from tests.browser.pages import SETUP_CELLS, NotebookPage, PanelView, expect, open_notebook, wait_until

pytestmark = pytest.mark.browser

# What the tests run, as one-line calls (typing into a cell auto-indents).
HELPERS = """\
import asyncio
import io
import struct
import wave


async def pictures(count, first_width, pause):
    for i in range(count):
        panel.send(make_png(first_width + i, 30 if first_width < 50 else 20))
        await asyncio.sleep(pause)
    while panel.log_view.scheduled:
        await asyncio.sleep(0.01)


async def texts(count):
    for i in range(count):
        panel.send(f"text {i}")
        await asyncio.sleep(0.01)


# 35 bytes of GIF whose header declares 65535 x 65535 pixels (~17 GB decoded).
bomb = (
    b"GIF89a" + struct.pack("<HHBBB", 65535, 65535, 0x80, 0, 0) + bytes(3) + b"\\xff" * 3
    + b"," + struct.pack("<HHHHB", 0, 0, 65535, 65535, 0) + b"\\x02\\x02D\\x01\\x00;"
)


def wav():
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(bytes(3200))
    return out.getvalue()"""

CELLS = [
    "from wsecho_widget import WebSocketPanel\n\n"
    "panel = WebSocketPanel(image_limit=3, log_height='360px')\npanel",
    SETUP_CELLS[1],
    SETUP_CELLS[2],  # make_png(width, height), from the standard library
    HELPERS,
]

COUNTERS = """
window.__added = {pictures: 0};
const create = Document.prototype.createElement;
Document.prototype.createElement = function (name, ...rest) {
  if (/^(img|canvas)$/i.test(name)) window.__added.pictures++;
  return create.call(this, name, ...rest);
};
"""


@pytest.fixture(scope="module")
def notebook(browser: Any, lab_server: JupyterServer) -> Iterator[NotebookPage]:
    with open_notebook(browser, lab_server, "lab/tree/{name}", "pictures.ipynb", cells=CELLS) as notebook:
        notebook.page.add_init_script(COUNTERS)
        yield notebook


@pytest.fixture(scope="module")
def panel(notebook: NotebookPage) -> PanelView:
    return flow.open_and_run_all(notebook)


def added(panel: PanelView) -> int:
    return int(panel.page.evaluate("() => window.__added.pictures"))


def test_each_picture_is_drawn_once_and_released_when_it_leaves(
    notebook: NotebookPage, panel: PanelView
) -> None:
    before = added(panel)
    notebook.run_cell("await pictures(8, 40, 0.15)")
    expect(panel.log).to_contain_text(re.compile(r"(← binary .* \(png picture\)\n.*){8}", re.DOTALL))
    expect(panel.pictures).to_have_count(3)  # image_limit: the older ones are gone from the page
    panel.page.wait_for_function(
        "() => [...document.querySelectorAll('.wsecho-log .wsecho-frame')]"
        ".every(f => f.__wsechoCanvas.dataset.drawn === '1')"
    )
    assert panel.decoded_sizes() == [(45, 30), (46, 30), (47, 30)]
    assert added(panel) - before == 8  # one element per picture, never made again
    assert sum("(png picture) (picture no longer shown)" in line for line in panel.log_lines()) == 5

    # Many later renders (text, a view change): no picture is drawn again.
    settled = added(panel)
    notebook.run_cell("await texts(30)")
    panel.wait_echo("text 29")
    panel.page.locator(".wsecho-panel button:text-is('JSON')").click()
    expect(panel.log).to_contain_text("← text 29")
    assert added(panel) == settled
    expect(panel.pictures).to_have_count(3)
    assert notebook.widget_errors == []


def test_only_pictures_in_view_keep_their_canvas_attached(notebook: NotebookPage, panel: PanelView) -> None:
    # Three pictures 300 px tall in a log made 360 px high (log_height; the default is
    # 60% of the window, resizable): the oldest is out of view (and
    # beyond the margin of half a view), so its canvas is detached, bitmap and all
    # kept; scrolled back into view, the same canvas is attached again, not redrawn.
    before = added(panel)
    notebook.run_cell("for i in range(3): panel.send(make_png(200 + i, 300))")
    panel.page.wait_for_function(
        "() => { const fs = [...document.querySelectorAll('.wsecho-log .wsecho-frame')];"
        " return fs.map(f => f.__wsechoCanvas.dataset.drawn + f.__wsechoCanvas.width).join()"
        " === '1200,1201,1202'; }"
    )
    assert panel.decoded_sizes() == [(200, 300), (201, 300), (202, 300)]
    panel.log.scroll_into_view_if_needed()  # out of the notebook's view, none is attached
    attached = (
        "() => [...document.querySelectorAll('.wsecho-log .wsecho-frame')]"
        ".map(f => f.contains(f.__wsechoCanvas))"
    )
    panel.page.wait_for_function(f"() => JSON.stringify(({attached})()) === '[false,true,true]'")
    size = panel.pictures.first.evaluate("f => [f.offsetWidth, f.offsetHeight]")
    assert size == [200, 300]  # its place is kept while detached
    # Scrolled back to the oldest, then to the end (the box scrolls in reverse: its
    # end, where the newest entry is, is scrollTop 0).
    panel.pictures.first.evaluate("f => f.scrollIntoView({block: 'nearest'})")
    panel.page.wait_for_function(f"() => ({attached})()[0] === true")
    panel.log.evaluate("box => { box.scrollTop = 0; }")
    panel.page.wait_for_function(f"() => JSON.stringify(({attached})()) === '[false,true,true]'")
    assert added(panel) - before == 3  # one canvas per picture, however often attached
    assert notebook.widget_errors == []


def test_the_page_keeps_exactly_the_logs_newest_entries(notebook: NotebookPage, panel: PanelView) -> None:
    # Lines of text in a row share one Text node in the page; trimming the oldest
    # entries cuts the start of such a node. With a log of 7 entries and a picture
    # among the texts, the page must show what the kernel's log holds, line for line.
    notebook.run_cell("panel.log_view.limit = 7")
    notebook.run_cell("await texts(5); panel.send(make_png(33, 20)); await texts(6)")
    panel.wait_echo("text 5")
    cell = notebook.run_cell("print(panel.log_view.text(), end='')")
    kernel = cell.locator(".jp-OutputArea-output").inner_text().splitlines()
    assert len(kernel) == 7 and kernel[-1].endswith("← text 5")
    wait_until(  # exactly, character for character (to_have_text would fold whitespace)
        lambda: panel.log.evaluate("box => box.textContent") == "\n".join(kernel) + "\n",
        what="the page's log to hold the kernel's 7 entries",
    )
    notebook.run_cell("panel.log_view.limit = 200")
    assert notebook.widget_errors == []


def test_a_bomb_is_refused_in_words(notebook: NotebookPage, panel: PanelView) -> None:
    before = added(panel)
    notebook.run_cell("panel.send(bomb)")
    expect(panel.log).to_contain_text(
        re.compile(r"← binary 35 B \(gif picture\) · gif 65535x65535 not shown: larger than 50 Mpx")
    )
    assert added(panel) == before  # nothing was drawn


def test_sound_plays_only_when_asked(notebook: NotebookPage, panel: PanelView) -> None:
    notebook.run_cell("panel.send(wav())")
    audio = panel.log.locator("audio.wsecho-audio")
    expect(audio).to_have_count(1)
    state = audio.evaluate("a => [a.controls, a.autoplay, a.paused, a.src.startsWith('blob:')]")
    assert state == [True, False, True, True]
    expect(panel.log).to_contain_text("(wav audio)")


def test_the_live_view_draws_the_newest_picture_in_place(notebook: NotebookPage, panel: PanelView) -> None:
    live_button = panel.page.locator(".wsecho-panel button:text-is('Live')")
    live_button.click()
    live = panel.page.locator(".wsecho-live")
    expect(live).to_be_visible()
    expect(panel.pictures).to_have_count(0)  # pictures leave the log, and the page frees them
    before = added(panel)
    notebook.run_cell("await pictures(60, 50, 0.005)")
    picture = live.locator("canvas.wsecho-live-picture")
    expect(picture).to_have_count(1)
    panel.page.wait_for_function(  # the newest frame, 109 x 20, drawn
        "() => { const c = document.querySelector('.wsecho-live canvas.wsecho-live-picture');"
        " return c && c.width === 109 && c.height === 20; }"
    )
    frames = int(picture.evaluate("c => Number(c.dataset.frames)"))
    expect(live).to_contain_text(re.compile(r"live · png 109x20 · .* fps shown · \d+ skipped"))
    assert added(panel) == before  # the same canvas, redrawn in place
    assert 1 <= frames < 60
    expect(panel.pictures).to_have_count(0)
    skipped = int(re.search(r"(\d+) skipped", live.text_content() or "").group(1))  # type: ignore[union-attr]
    assert skipped > 0
    live_button.click()
    expect(live).to_be_hidden()
    expect(panel.pictures).to_have_count(3)  # back in the log
    assert notebook.widget_errors == []
