"""The panel in JupyterLab 4, in Chromium, used like a person uses it.

One JupyterLab server and one page serve the whole module; the tests run in
file order on that page, as one session of a person at the keyboard: open and
Run All, type and Send, press Enter, a picture, hostile text, Disconnect and
Connect, and last the server going away.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import flow
from tests.browser.conftest import JupyterServer
from tests.browser.pages import HOSTILE, NotebookPage, PanelView, expect, open_notebook

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def notebook(browser: Any, lab_server: JupyterServer) -> Iterator[NotebookPage]:
    with open_notebook(browser, lab_server, "lab/tree/{name}") as notebook:
        yield notebook


@pytest.fixture(scope="module")
def panel(notebook: NotebookPage) -> PanelView:
    return flow.open_and_run_all(notebook)


def test_run_all_shows_the_panel_open(notebook: NotebookPage, panel: PanelView) -> None:
    expect(notebook.page.locator(".jp-LabShell")).to_have_count(1)  # JupyterLab's own shell
    panel.wait_status("● open")
    expect(panel.button("Disconnect")).to_be_enabled()


def test_type_and_click_send_echoes(panel: PanelView) -> None:
    flow.type_and_click_send(panel)


def test_type_and_press_enter_echoes_every_keystroke(panel: PanelView) -> None:
    flow.type_and_press_enter(panel)


def test_png_from_a_cell_shows_a_decoded_picture(
    notebook: NotebookPage, panel: PanelView, artifacts: Path
) -> None:
    flow.send_picture(notebook, panel, artifacts / "lab-panel.png")


def test_hostile_text_stays_text(notebook: NotebookPage, panel: PanelView) -> None:
    images = panel.log.locator("img").count()
    panel.type(HOSTILE, delay=5)
    panel.button("Send").click()
    # textContent holds the markup only if it was written as text.
    panel.wait_echo(HOSTILE)
    expect(panel.log.locator("script")).to_have_count(0)
    expect(panel.log.locator("img")).to_have_count(images)
    expect(notebook.page.locator('img[src="x"]')).to_have_count(0)
    # A round trip more, so an onerror that was going to fire has had its chance.
    flow.type_and_click_send(panel)
    assert notebook.dialogs == []
    assert notebook.widget_errors == []


def test_disconnect_then_connect_again(panel: PanelView) -> None:
    panel.button("Disconnect").click()
    panel.wait_status("● closed: disconnected")
    expect(panel.button("Send")).to_be_disabled()
    panel.button("Connect").click()
    panel.wait_status("● open")
    flow.type_and_click_send(panel)


def test_server_stopped_from_a_cell_shows_the_loss_in_words(notebook: NotebookPage, panel: PanelView) -> None:
    notebook.run_cell("await panel.server.stop()")
    panel.wait_status("● closed: closed by server: 1001 (going away)")
    # The page and the kernel still answer: what is typed is kept and the reason
    # is given, Connect says why it cannot, and a cell still runs.
    panel.type("still here", delay=5)
    panel.input.press("Enter")
    expect(panel.root).to_contain_text(re.compile(r"not sent: not connected \(closed by server: 1001"))
    expect(panel.input).to_have_value("still here")
    cell = notebook.run_cell("6 * 7")
    expect(cell.locator(".jp-OutputArea-output")).to_have_text("42")
    # Connect starts the embedded server again, and what was typed goes out.
    panel.button("Connect").click()
    panel.wait_status("● open")
    panel.button("Send").click()
    panel.wait_echo("still here")
    assert notebook.dialogs == []
    assert notebook.widget_errors == []
