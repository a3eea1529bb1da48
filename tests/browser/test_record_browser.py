"""A saved notebook's records and a session report, opened in Chromium with the network blocked.

The notebook of tests/record_notebook.py runs in a real kernel, is saved and
converted by nbconvert; Chromium opens the HTML file from disk with every request
that is not a ``file:`` URL refused (as nbviewer's or GitHub's reader offline, or a
file sent by mail), and shows each conversation: its text, received markup as text,
the pictures decoded. The report the same notebook wrote holds no script at all and
shows its pictures. And in JupyterLab a panel that closes turns into its record in
place. Screenshots go to the artifacts folder (docs/ keeps one of each).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import JupyterServer
from tests.browser.pages import PanelView, expect, open_notebook
from tests.html_checks import HOSTILE
from tests.record_notebook import Run, run

pytestmark = [pytest.mark.browser, pytest.mark.kernel]


@pytest.fixture(scope="module")
def executed(browser_prerequisites: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    yield run(tmp_path_factory.mktemp("record-browser"))


@pytest.fixture
def offline(browser: Any) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A page that may load ``file:`` URLs only; the refused URLs; the dialogs opened."""
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    refused: list[str] = []
    dialogs: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    yield page, refused, dialogs
    context.close()


def decoded_pictures(page: Any, selector: str) -> list[list[int]]:
    return page.eval_on_selector_all(  # type: ignore[no-any-return]
        selector, "imgs => imgs.map(i => [i.complete ? 1 : 0, i.naturalWidth, i.naturalHeight])"
    )


def test_the_converted_notebook_shows_every_conversation_offline(
    executed: Run, offline: tuple[Any, list[str], list[str]], artifacts: Path
) -> None:
    page, refused, dialogs = offline
    page.goto(executed.html.as_uri())
    records = page.locator(".wsecho-snapshot")
    assert records.count() == 3
    client_log = records.nth(0).locator("pre").inner_text()
    assert "→ hello record" in client_log and "← hello record" in client_log
    assert f"← {HOSTILE}" in client_log  # the markup is shown as text
    assert records.nth(1).inner_text().startswith("ServerPanel · ● closed")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.wsecho-snapshot img')]"
        ".every(i => i.complete && i.naturalWidth)"
    )
    assert decoded_pictures(page, ".wsecho-snapshot img") == [[1, 96, 64], [1, 96, 64]]
    assert dialogs == []
    # What was refused is nbconvert's (CDN scripts and fonts), never a record's.
    assert refused and all("wsecho" not in url for url in refused)
    records.nth(0).screenshot(path=str(artifacts / "record-nbconvert.png"))


def test_the_report_shows_its_pictures_and_runs_nothing(
    executed: Run, offline: tuple[Any, list[str], list[str]], artifacts: Path
) -> None:
    page, refused, dialogs = offline
    page.goto(executed.report.as_uri())
    assert page.evaluate("() => document.scripts.length") == 0
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth)")
    assert decoded_pictures(page, "img") == [[1, 96, 64]]
    cells = page.locator("td pre").all_inner_texts()
    assert HOSTILE in cells and "hello record" in cells
    assert page.locator("h2").all_inner_texts() == [
        "Connection",
        "Timings",
        "Statistics",
        "Pictures",
        "Messages",
    ]
    assert refused == [] and dialogs == []
    page.screenshot(path=str(artifacts / "report.png"), full_page=True)


def test_in_jupyterlab_a_closed_panel_turns_into_its_record(
    browser: Any, lab_server: JupyterServer, artifacts: Path
) -> None:
    cells = [
        "from wsecho_widget import WebSocketPanel\n\npanel = WebSocketPanel()\npanel",
        "await panel.ready\npanel.send('<b>not bold</b>')\nawait panel.receive(timeout=5)\npanel.status",
    ]
    with open_notebook(browser, lab_server, "lab/tree/{name}", "record-lab.ipynb", cells) as notebook:
        notebook.open()
        notebook.run_all()
        panel = PanelView(notebook.page)
        panel.wait_echo("<b>not bold</b>")
        notebook.run_cell("panel.close()")
        record = notebook.cells.first.locator(".wsecho-snapshot")
        expect(record).to_contain_text("WebSocketPanel · ● closed")
        expect(record.locator("pre")).to_contain_text("← <b>not bold</b>")
        expect(notebook.page.locator(".wsecho-panel")).to_have_count(0)
        assert notebook.widget_errors == [] and notebook.dialogs == []
        record.screenshot(path=str(artifacts / "record-lab.png"))


def test_jupyterlab_shows_the_saved_records_of_a_reopened_untrusted_notebook(
    executed: Run, browser: Any, lab_server: JupyterServer
) -> None:
    # A notebook from elsewhere is untrusted: JupyterLab sanitises its HTML outputs.
    shutil.copy(executed.ipynb, lab_server.root / "saved-records.ipynb")
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    try:
        page = context.new_page()
        page.goto(lab_server.url("lab/tree/saved-records.ipynb"))
        records = page.locator(".wsecho-snapshot")
        expect(records).to_have_count(3)
        expect(records.nth(0).locator("pre")).to_contain_text(f"← {HOSTILE}")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.wsecho-snapshot img')]"
            ".every(i => i.complete && i.naturalWidth)"
        )
        assert decoded_pictures(page, ".wsecho-snapshot img") == [[1, 96, 64], [1, 96, 64]]
    finally:
        context.close()
