"""Issue 13's panels in a real browser: SocketIOPanel's emit bar, Raw and pictures;
GraphQLPanel's query form, Run, Subscribe and Stop.

Uses the shared fixtures of ``conftest.py`` (a JupyterLab server of its own and
Debian's Chromium through Playwright; skipped with the reason on a developer's
machine when a prerequisite is missing, failed under ``CI``). The notebook starts
a python-socketio server and a strawberry GraphQL server inside the kernel, on
127.0.0.1, then shows one panel for each; the tests drive the page in file order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ROOT, JupyterServer
from tests.browser.pages import NotebookPage, expect, open_notebook
from tests.helpers import make_png

pytestmark = pytest.mark.browser

CELLS = [
    f"""\
import sys
sys.path.insert(0, {str(ROOT)!r})  # the test servers live in the repository's tests
from tests.protocol_servers import TOKEN, GraphQLServer, SocketIOServer
from wsecho_widget import GraphQLPanel, SocketIOPanel

sio_server = await SocketIOServer().start()
gql_server = await GraphQLServer().start()""",
    'sio = SocketIOPanel(sio_server.url, event="chat")\nsio',
    'gql = GraphQLPanel(gql_server.url, connection_params={"token": TOKEN}, query="{ hello }")\ngql',
]


@pytest.fixture(scope="module")
def notebook(browser: Any, lab_server: JupyterServer) -> Iterator[NotebookPage]:
    with open_notebook(browser, lab_server, "lab/tree/{name}", "protocols.ipynb", cells=CELLS) as notebook:
        notebook.open()
        notebook.run_all()
        yield notebook


def _status(panel: Any) -> Any:
    return panel.locator(".wsecho-status")


def test_socketio_panel_emits_and_shows_events(notebook: NotebookPage) -> None:
    page = notebook.page
    sio = page.locator(".wsecho-socketio")
    expect(_status(sio)).to_have_text(re.compile(r"^● open"))
    expect(sio).to_contain_text(re.compile(r"namespace / · sid \S+"))
    args = sio.locator(".wsecho-input input")
    args.fill('"hi from Chromium", {"n": 1}')
    sio.locator("button:text-is('Emit')").click()
    log = sio.locator(".wsecho-log")
    expect(log).to_contain_text('→ chat ["hi from Chromium", {"n": 1}]')
    expect(log).to_contain_text('← chat ["echo", "hi from Chromium", {"n": 1}]')
    expect(args).to_have_value("")

    # Arguments that are not JSON stay in the box, with the reason; nothing is sent.
    args.fill('"hi", {n: 1}')
    args.press("Enter")
    expect(sio).to_contain_text("arguments are not JSON: Expecting property name enclosed in double quotes")
    expect(args).to_have_value('"hi", {n: 1}')

    # Raw shows the packets as they went.
    sio.locator("button:text-is('Raw')").click()
    expect(log).to_contain_text('← 42["chat","echo","hi from Chromium",{"n":1}]')
    sio.locator("button:text-is('Raw')").click()
    expect(log).to_contain_text('← chat ["echo"')
    assert notebook.widget_errors == []


def test_socketio_panel_shows_a_picture_sent_as_an_attachment(notebook: NotebookPage, tmp_path: Path) -> None:
    page = notebook.page
    sio = page.locator(".wsecho-socketio")
    event = sio.locator(".wsecho-event input")
    event.fill("picture")
    event.press("Tab")
    picture = tmp_path / "dot.png"
    picture.write_bytes(make_png(40, 30))
    with page.expect_file_chooser() as chooser:
        sio.locator("button.widget-upload").click()
    chooser.value.set_files(str(picture))
    emit_file = sio.locator("button:text-is('Emit file')")
    expect(emit_file).to_be_enabled()
    emit_file.click()
    log = sio.locator(".wsecho-log")
    expect(log).to_contain_text('← picture ["dot.png", <binary 0>] (+1 binary)')
    img = log.locator(".wsecho-frame")  # the canvas inside is attached while in view
    expect(img).to_have_count(1)
    page.wait_for_function(
        "() => { const f = document.querySelector('.wsecho-socketio .wsecho-log .wsecho-frame');"
        " const c = f && f.__wsechoCanvas;"
        " return c && c.dataset.drawn === '1' && c.width === 40 && c.height === 30; }"
    )


def test_graphql_panel_runs_subscribes_and_stops(notebook: NotebookPage) -> None:
    page = notebook.page
    gql = page.locator(".wsecho-graphql")
    expect(_status(gql)).to_have_text(re.compile(r"^● open"))
    log = gql.locator(".wsecho-log")
    query = gql.locator(".wsecho-query textarea")
    variables = gql.locator(".wsecho-variables textarea")
    query.fill("query Q($n: String!) { hello(name: $n) }")
    variables.fill('{"n": "Chromium"}')
    gql.locator("button:text-is('Run')").click()
    expect(log).to_contain_text('"hello": "Hello, Chromium!"')

    # Variables that are not a JSON object are refused before sending.
    variables.fill("[1]")
    gql.locator("button:text-is('Run')").click()
    expect(gql).to_contain_text("variables are a JSON object")

    variables.fill("")
    query.fill("subscription { count(to: 100000, delay: 0.2) }")
    gql.locator("button:text-is('Subscribe')").click()
    rows = gql.locator(".wsecho-subscription")
    expect(rows).to_have_count(1)
    # #2: the refused variables above never became an operation.
    expect(rows.first).to_contain_text("#2 subscription { count(to: 100000, delay: 0.2) }")
    expect(log).to_contain_text(re.compile(r'next #2\s+\{\s+"data": \{\s+"count": 2'))
    expect(gql).to_contain_text("1 active subscriptions")
    rows.first.locator("button:text-is('Stop')").click()
    expect(rows).to_have_count(0)
    expect(log).to_contain_text("complete #2")
    expect(gql).to_contain_text(re.compile(r"#2 done \(\d+ results\)"))
    assert notebook.widget_errors == []


def test_stop_the_servers(notebook: NotebookPage) -> None:
    cell = notebook.run_cell("sio.close(); gql.close(); await sio_server.stop(); await gql_server.stop()")
    expect(cell.locator(".jp-OutputArea-output")).to_have_count(0)
