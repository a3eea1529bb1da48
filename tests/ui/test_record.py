"""What panels leave in a saved notebook: the static record, freeze(), report().

First without a kernel (what the record and the report read from a panel), then in a
real one: the notebook of tests/record_notebook.py runs in a kernel (nbclient), is
saved and converted with ``jupyter nbconvert --to html``: every panel's output is its
static record (no widget view left), the converted page holds the conversation's text
and pictures, received markup stays text, and the panel brings no script.
"""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from tests.helpers import wait_for
from tests.html_checks import HOSTILE, audit
from tests.record_notebook import PNG, Run, run
from wsecho_widget import ServerPanel, WebSocketPanel

kernel = pytest.mark.kernel

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


async def test_what_a_server_panel_records_and_reports(tmp_path: Path) -> None:
    server = ServerPanel(mode="manual")
    await asyncio.wait_for(server.ready, 10)
    try:
        assert server.proxy_urls == []  # not under a Jupyter server
        async with connect(server.url) as ws:
            await ws.send(HOSTILE)
            await server.receive(timeout=5)
            server.send(PNG)
            assert await ws.recv() == PNG
        await wait_for(lambda: not server.clients)
        bundle = server.freeze()  # not displayed: nothing to update, the bundle is returned
        found = audit(bundle["text/html"])
        assert bundle["text/plain"].startswith("ServerPanel · ● listening")
        assert "c1   " in found.all_text and HOSTILE in found.all_text and len(found.pictures) == 1
        assert "by freeze()" in found.all_text and "connect to: ws://127.0.0.1:" in found.all_text
        path = server.report(tmp_path / "server.html")
        assert path == tmp_path / "server.html"
        report = audit(path.read_text(encoding="utf-8")).all_text
        assert "c1 connected from 127.0.0.1:" in report  # the events
        assert "client c1sent 0 · received 1" in report.replace("\n", "")
        assert "all clients (broadcast)sent 1 · received 0" in report.replace("\n", "")
        assert "modemanual" in report.replace("\n", "")
    finally:
        server.close()
        await asyncio.wait_for(server.hub.closed, 10)


async def test_what_a_client_panel_reports_and_the_budget(tmp_path: Path) -> None:
    panel = WebSocketPanel()
    await asyncio.wait_for(panel.ready, 10)
    try:
        for i in range(60):
            panel.send(f"message {i:02d} " + "x" * 2_000)
            await panel.receive(timeout=5)
        html = panel.report_html(budget=100_000)
        assert len(html.encode()) <= 100_000
        text = audit(html).all_text
        assert "messages left out here" in text and "message 59" in text and "message 00" in text
        assert "subprotocol" in text and "last round trip" in text
        assert len(panel.freeze()["text/plain"].splitlines()) < 60  # the last 50 entries, and a head
    finally:
        panel.close()


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    yield run(tmp_path_factory.mktemp("record"))


def data(output: dict[str, object]) -> dict[str, str]:
    value = output.get("data", {})
    assert isinstance(value, dict)
    return value


async def test_protocol_panels_record_and_report_without_their_secrets() -> None:
    """The GraphQL ``connection_init`` token and the Socket.IO ``auth`` stay masked (the
    log masks them; the report used to show the raw frames)."""
    pytest.importorskip("socketio")
    pytest.importorskip("strawberry")
    from tests.protocol_servers import TOKEN, GraphQLServer, SocketIOServer
    from wsecho_widget import GraphQLPanel, SocketIOPanel

    async with GraphQLServer() as gql_server, SocketIOServer() as sio_server:
        gql = GraphQLPanel(gql_server.url, connection_params={"token": TOKEN})
        sio = SocketIOPanel(sio_server.url, namespace="/private", auth={"token": TOKEN})
        try:
            await asyncio.wait_for(gql.ready, 5)
            await asyncio.wait_for(sio.ready, 5)
            assert await gql.execute("{ hello }", timeout=5) == {"data": {"hello": "Hello, world!"}}
            assert TOKEN in str([m.data for m in gql.messages] + [m.data for m in sio.messages])
            for panel, kind in ((gql, "GraphQLPanel"), (sio, "SocketIOPanel")):
                record = panel.freeze()
                report = panel.report_html()
                assert record["text/plain"].startswith(f"{kind} · ● open")
                assert TOKEN not in record["text/html"] and TOKEN not in report
                assert '"token": "***"' in audit(report).all_text
        finally:
            gql.close()
            sio.close()


@kernel
def test_a_live_panel_is_a_widget_whose_text_says_what_it_is(executed: Run) -> None:
    (live,) = executed.seen[0]
    assert live["output_type"] == "display_data" and WIDGET_VIEW in data(live)
    text = data(live)["text/plain"]
    assert text.startswith("WebSocketPanel ") and "(a live wsecho-widget panel)" in text
    assert "has the front-end files" in text  # this environment has them


@kernel
def test_on_close_every_panel_output_becomes_its_static_record(executed: Run) -> None:
    import nbformat  # here, not at the top: it loads jsonschema (a second of work) at collection

    saved = nbformat.read(executed.ipynb, as_version=4)
    (client,) = saved.cells[0].outputs
    (server,) = saved.cells[2].outputs
    for output, kind in ((client, "WebSocketPanel"), (server, "ServerPanel")):
        assert set(data(output)) == {"text/html", "text/plain"}, "no widget view is left"
        assert data(output)["text/plain"].startswith(f"{kind} · ● closed")
        found = audit(data(output)["text/html"])
        assert "when the panel closed" in found.all_text
    client_text = audit(data(client)["text/html"]).all_text
    assert "→ hello record" in client_text and "← hello record" in client_text
    assert f"← {HOSTILE}" in client_text  # markup received is text
    (picture,) = audit(data(client)["text/html"]).pictures  # the picture and its echo: once
    assert picture.startswith("data:image/png;base64,")
    server_found = audit(data(server)["text/html"])
    assert "c1" in server_found.all_text and "connect to: ws://127.0.0.1:" in server_found.all_text
    assert len(server_found.pictures) == 1  # the picture it sent


@kernel
def test_freeze_replaces_the_output_while_the_panel_runs(executed: Run) -> None:
    frozen = [o for o in executed.seen[3] if o["output_type"] == "display_data"]
    assert len(frozen) == 1 and set(data(frozen[0])) == {"text/html", "text/plain"}
    text = data(frozen[0])["text/plain"]
    assert "WebSocketPanel · ● open" in text and "by freeze()" in text and "← frozen in time" in text


@kernel
def test_report_writes_a_file_and_shows_it_in_a_sandboxed_frame(executed: Run) -> None:
    shown = [o for o in executed.seen[4] if o["output_type"] == "display_data"]
    html = data(shown[0])["text/html"]
    assert html.startswith('<iframe sandbox="" srcdoc="&lt;!DOCTYPE html&gt;')
    page = executed.report.read_text(encoding="utf-8")
    found = audit(page)
    assert "<script" not in page and len(found.pictures) == 1
    assert HOSTILE in found.all_text and "hello record" in found.all_text


@kernel
def test_nbconvert_shows_the_records_and_the_panel_adds_no_script(executed: Run) -> None:
    page = executed.html.read_text(encoding="utf-8")
    # nbconvert re-serialises the HTML (attributes sorted): audit each record as it is there.
    records = re.findall(r'<div class="wsecho-snapshot".*?static record made[^<]*</div>\s*</div>', page, re.S)
    assert len(records) == 3
    found = [audit(record) for record in records]
    assert "← hello record" in found[0].all_text and f"← {HOSTILE}" in found[0].all_text
    assert "ServerPanel · ● closed" in found[1].all_text
    assert [len(f.pictures) for f in found] == [1, 1, 0]
    assert base64.b64decode(found[0].pictures[0].partition(",")[2]) == PNG
    assert '<script>alert("pwned")' not in page
    # Every script of the page is nbconvert's: the same notebook with no outputs has
    # them, except the widget-state loader that nbconvert adds because nbclient keeps
    # the state of widgets closed during the run (JupyterLab saves none by default).
    scripts = set(re.findall(r"<script[^>]*>", page))
    blank = set(re.findall(r"<script[^>]*>", executed.blank_html.read_text(encoding="utf-8")))
    assert scripts - blank <= {'<script type="application/vnd.jupyter.widget-state+json">', "<script>"}
    assert f'<script type="{WIDGET_VIEW}">' not in page  # no widget view is left to render
