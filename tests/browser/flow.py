"""The steps a person takes with the panel, shared by the JupyterLab and Notebook 7 tests.

Each step checks what the page shows, not what the kernel says about itself.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from tests.browser.pages import PNG_SIZE, NotebookPage, PanelView, expect

# Realistic typing speeds, in ms between keys (the shared notes saw the Enter race
# at 15 ms with a naive handler, never at 40 ms).
TYPING_DELAYS = (20, 30, 40)


_numbers = itertools.count(1)


def tag() -> str:
    """``#1``, ``#2``, …: each message of a page session is unique, so a line in the
    log can only come from the step that looks for it."""
    return f"#{next(_numbers)}"


def open_and_run_all(notebook: NotebookPage) -> PanelView:
    """Open the notebook, Run All Cells from the menu, wait for the panel to read open."""
    notebook.open()
    notebook.run_all()
    panel = PanelView(notebook.page)
    expect(panel.root).to_be_visible()
    panel.wait_status("● open")
    expect(panel.root).to_contain_text(re.compile(r"ws://127\.0\.0\.1:\d+"))
    return panel


def type_and_click_send(panel: PanelView) -> None:
    message = f"Hello from Chromium! {tag()} (typed, then Send)"
    panel.type(message)
    panel.button("Send").click()
    panel.wait_echo(message)
    panel.wait_input_empty()


def type_and_press_enter(panel: PanelView) -> None:
    """Type and press Enter (no click) at each realistic speed: every echo arrives whole.

    A message that lost its last keystrokes would show up in the log cut short:
    each message is found by its unique head and its whole line compared.
    """
    for delay in TYPING_DELAYS:
        for _ in range(2):
            head = f"Enter {tag()}:"
            message = f"{head} typed at {delay} ms/key"
            panel.type(message, delay=delay)
            panel.input.press("Enter")
            panel.wait_input_empty()
            expect(panel.log).to_contain_text(f"← {head}")
            (line,) = [line for line in panel.log_lines() if f"← {head}" in line]
            assert line.endswith(f"← {message}"), f"typed {message!r}, the echo reads {line!r}"
            panel.wait_echo(message)


def send_picture(notebook: NotebookPage, panel: PanelView, screenshot: Path) -> None:
    """Send the PNG from a cell: a picture appears in the log and really decodes."""
    before = panel.pictures.count()
    notebook.run_cell("panel.send(png)")
    expect(panel.pictures).to_have_count(before + 1)
    frame = panel.pictures.last
    # The canvas itself: attached only while in view, and the panel may be out of it.
    picture = frame.evaluate_handle("f => f.__wsechoCanvas")
    notebook.page.wait_for_function("c => c.dataset.drawn === '1'", arg=picture)
    assert picture.evaluate("c => [c.width, c.height]") == list(PNG_SIZE)
    # Really drawn: the gradient's pixels are in the canvas (the corner is dark, then blue).
    # (read through a 2D copy: the picture's canvas is a bitmaprenderer and has no pixels API)
    corner = picture.evaluate(
        "c => { const t = document.createElement('canvas'); t.width = c.width; t.height = c.height;"
        " const x = t.getContext('2d'); x.drawImage(c, 0, 0);"
        " return Array.from(x.getImageData(95, 63, 1, 1).data); }"
    )
    assert corner[2] == 160 and corner[3] == 255 and corner[0] > 200, corner
    expect(panel.log).to_contain_text(re.compile(r"← binary [\d.,]+ [KM]?i?B \(png picture\)"))
    frame.scroll_into_view_if_needed()
    panel.root.screenshot(path=str(screenshot))
