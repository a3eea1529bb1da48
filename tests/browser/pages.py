"""A notebook page in JupyterLab 4 or Notebook 7, used the way a person uses it.

Everything here waits on something visible in the page (a selector, a text, a
kernel status), never on a fixed delay. The selectors work in both front ends:
Notebook 7 is built from JupyterLab's own notebook components.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

# Generous: a 2-core machine shared with other test runs can be slow, and every
# wait ends as soon as its condition holds.
TIMEOUT_MS = 30_000


def expect(actual: Any) -> Any:
    """Playwright's ``expect`` with our timeout, imported late: these modules must
    import without Playwright (the wheel matrix collects them with ``-m "not
    browser"``); a missing Playwright is reported by the fixtures instead."""
    from playwright.sync_api import expect as playwright_expect

    playwright_expect.set_options(timeout=TIMEOUT_MS)
    return playwright_expect(actual)


def wait_until(predicate: Callable[[], object], timeout: float = 15.0, what: str = "condition") -> None:
    """Poll ``predicate`` until it is true; AssertionError naming ``what`` after ``timeout`` s.

    For conditions Playwright's ``expect`` cannot state (a scroll offset, a count of options).
    """
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


# The test notebook uses the public API only: a panel on the embedded echo
# server, and a PNG made with the standard library (a colour gradient).
SETUP_CELLS = [
    "from wsecho_widget import WebSocketPanel\n\npanel = WebSocketPanel()\npanel",
    "await panel.ready\npanel.status",
    """\
import struct
import zlib


def make_png(width=96, height=64):
    rows = b"".join(
        b"\\x00" + bytes(v for x in range(width) for v in (x * 255 // width, y * 255 // height, 160))
        for y in range(height)
    )

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return b"\\x89PNG\\r\\n\\x1a\\n" + body


png = make_png()
len(png)""",
]
PNG_SIZE = (96, 64)

# Text a person can type that a careless log would turn into elements and run.
HOSTILE = "<img src=x onerror=alert(1)><script>alert(2)</script>"


def write_test_notebook(
    folder: Path, name: str = "panel-test.ipynb", cells: Sequence[str] = tuple(SETUP_CELLS)
) -> str:
    """Write a notebook of ``cells`` (by default the test notebook) into ``folder``; its
    file name."""
    import nbformat  # here, not at the top: it loads jsonschema (a second of work) at collection

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    nbformat.write(nb, folder / name)
    return name


@contextlib.contextmanager
def open_notebook(
    browser: Any,
    server: Any,
    route: str,
    name: str = "panel-test.ipynb",
    cells: Sequence[str] = tuple(SETUP_CELLS),
) -> Iterator[NotebookPage]:
    """Write a notebook into ``server``'s root and open it in a fresh browser context at
    ``route`` (``lab/tree/{name}`` or ``notebooks/{name}``); the context closes after."""
    name = write_test_notebook(server.root, name, cells)
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    try:
        yield NotebookPage(context.new_page(), server.url(route.format(name=name)))
    finally:
        context.close()


class NotebookPage:
    """One open notebook with the panel in it; records any dialog the page opens and
    any uncaught JavaScript error."""

    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.url = url
        self.dialogs: list[str] = []
        self.page_errors: list[str] = []
        page.on("dialog", self._on_dialog)
        page.on("pageerror", lambda error: self.page_errors.append(f"{error}\n{error.stack}"))

    @property
    def widget_errors(self) -> list[str]:
        """Uncaught errors thrown from the widget manager's code (ipywidgets' front end).

        Not every page error: Notebook 7.6 sometimes throws one of its own while it
        loads settings ("reading 'schema'"), which has nothing to do with the panel.
        """
        return [error for error in self.page_errors if "@jupyter-widgets" in error]

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    # -- the notebook ----------------------------------------------------------------

    @property
    def cells(self) -> Locator:
        return self.page.locator(".jp-Notebook .jp-Cell")

    def open(self) -> None:
        """Load the notebook and wait until its kernel is started and idle.

        The execution indicator reads "idle" before any kernel exists (and Run All
        then does nothing), so also wait for the kernel's name in the toolbar.
        """
        self.page.goto(self.url)
        expect(self.cells.first).to_be_visible()
        self.page.wait_for_function(
            """() => {
                const name = document.querySelector('.jp-KernelName');
                const state = document.querySelector('.jp-Notebook-ExecutionIndicator');
                return name !== null && name.textContent.includes('ipykernel')
                    && state !== null && state.dataset.status === 'idle';
            }""",
            timeout=TIMEOUT_MS,
        )

    def run_all(self) -> None:
        """Run ▸ Run All Cells, from the menu bar."""
        self.page.locator('.lm-MenuBar-itemLabel:text-is("Run")').click()
        self.page.locator(
            '.lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel:text-is("Run All Cells")'
        ).click()

    def run_cell(self, code: str) -> Locator:
        """Add a cell at the end, type ``code`` into it, run it with Shift+Enter.

        Waits until the cell has run (its prompt shows a number) and checks it
        raised nothing; returns the cell.
        """
        last = self.cells.last
        last.locator(".jp-InputArea-editor").click()
        count = self.cells.count()
        self.page.keyboard.press("Escape")  # command mode
        self.page.keyboard.press("b")  # a new cell below, made active
        expect(self.cells).to_have_count(count + 1)
        cell = self.cells.nth(count)
        editor = cell.locator(".cm-content")
        editor.click()
        editor.press_sequentially(code)
        expect(editor).to_have_text(code)  # no auto-closed bracket left over
        self.page.keyboard.press("Shift+Enter")
        expect(cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]:"))
        expect(cell.locator('[data-mime-type="application/vnd.jupyter.stderr"]')).to_have_count(0)
        return cell


class PanelView:
    """The panel as it appears in the page, found by its CSS classes."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.root = page.locator(".wsecho-panel")
        self.status = self.root.locator(".wsecho-status")
        self.input = self.root.locator(".wsecho-input input")
        self.log = self.root.locator(".wsecho-log")

    def button(self, label: str) -> Locator:
        return self.root.locator(f'button.jupyter-button:text-is("{label}")')

    def wait_status(self, text: str | re.Pattern[str]) -> None:
        """Wait until the status line reads ``text`` (while open it may also show the
        last round trip: "● open · round trip 0.3 ms")."""
        if isinstance(text, str):
            text = re.compile(rf"^{re.escape(text)}( · round trip .+)?$")
        expect(self.status).to_have_text(text)

    def wait_echo(self, message: str) -> None:
        """Wait until the log shows ``message`` sent and received, as whole lines."""
        escaped = re.escape(message)
        expect(self.log).to_contain_text(re.compile(rf"→ {escaped}\n"))
        expect(self.log).to_contain_text(re.compile(rf"← {escaped}(\n|$)"))

    def log_lines(self) -> list[str]:
        return self.log.inner_text().splitlines()

    def type(self, text: str, delay: float = 30) -> None:
        """Type ``text`` into the empty input with real key events, ``delay`` ms apart."""
        expect(self.input).to_have_value("")  # else the click below puts the caret mid-text
        self.input.click()
        self.input.press_sequentially(text, delay=delay)

    def wait_input_empty(self) -> None:
        # The kernel empties the input once it has sent what was typed.
        expect(self.input).to_have_value("")

    @property
    def pictures(self) -> Locator:
        """The still pictures in the log: each a frame that keeps its place, drawn once
        into a canvas that is attached only while in or near view (ui/js/media.js)."""
        return self.log.locator(".wsecho-frame")

    @property
    def attached_pictures(self) -> Locator:
        """The pictures' canvases in the page now (those in or near the log's view)."""
        return self.log.locator(".wsecho-frame > canvas.wsecho-image")

    def decoded_sizes(self) -> list[tuple[int, int]]:
        """(width, height) of every picture in the log that has been decoded and drawn,
        attached or not."""
        sizes: list[list[int]] = self.pictures.evaluate_all(
            "fs => fs.map(f => f.__wsechoCanvas).filter(c => c && c.dataset.drawn === '1')"
            ".map(c => [c.width, c.height])"
        )
        return [(w, h) for w, h in sizes]
