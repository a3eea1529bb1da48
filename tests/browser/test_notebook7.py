"""The core flow in Jupyter Notebook 7 (``jupyter notebook``), in Chromium.

Open the notebook at /notebooks/<name>.ipynb, Run All, type and Send, type and
press Enter, and a PNG that really decodes; one server and one page for the module.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import flow
from tests.browser.conftest import JupyterServer
from tests.browser.pages import NotebookPage, PanelView, expect, open_notebook

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def notebook(browser: Any, notebook_server: JupyterServer) -> Iterator[NotebookPage]:
    with open_notebook(browser, notebook_server, "notebooks/{name}") as notebook:
        yield notebook


@pytest.fixture(scope="module")
def panel(notebook: NotebookPage) -> PanelView:
    return flow.open_and_run_all(notebook)


def test_it_is_notebook_7(notebook: NotebookPage, panel: PanelView) -> None:
    # Notebook 7's own shell, not JupyterLab's, serves this page.
    assert "/notebooks/" in notebook.page.url
    expect(notebook.page.locator("#main-panel")).to_be_visible()
    expect(notebook.page.locator(".jp-LabShell")).to_have_count(0)


def test_run_all_shows_the_panel_open(panel: PanelView) -> None:
    panel.wait_status("● open")


def test_type_and_click_send_echoes(panel: PanelView) -> None:
    flow.type_and_click_send(panel)


def test_type_and_press_enter_echoes_every_keystroke(panel: PanelView) -> None:
    flow.type_and_press_enter(panel)


def test_png_from_a_cell_shows_a_decoded_picture(
    notebook: NotebookPage, panel: PanelView, artifacts: Path
) -> None:
    flow.send_picture(notebook, panel, artifacts / "notebook7-panel.png")
    assert notebook.dialogs == []
    assert notebook.widget_errors == []
