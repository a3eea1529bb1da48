"""The server panel in JupyterLab, with Chromium's own WebSocket as its client.

A notebook shows a ``ServerPanel``; a second page, served from
``http://127.0.0.1:PORT`` by a tiny static server in the test (a page at
about:blank may not open a WebSocket to 127.0.0.1), connects to it with the
browser's ``WebSocket``, sends text and a PNG as a ``Blob``; the panel's log
shows both, with the client's id, and the picture; the echo of each comes back
to the page; a reply typed into the panel arrives in the page.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import JupyterServer, static_site
from tests.browser.pages import NotebookPage, PanelView, expect, open_notebook
from tests.helpers import make_png

pytestmark = pytest.mark.browser

CELLS = [
    "from wsecho_widget import ServerPanel\n\nserver = ServerPanel()\nserver",
    "await server.ready\nserver.status",
]

# The client page: it records every frame it gets (text as text, binary as a list
# of bytes) so the test can read them back.
CLIENT_PAGE = """<!doctype html>
<meta charset="utf-8"><title>wsecho test client</title>
<script>
window.received = [];
window.openSocket = (url) => new Promise((resolve, reject) => {
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  ws.onopen = () => resolve();
  ws.onerror = () => reject(new Error("WebSocket error"));
  ws.onmessage = (event) => window.received.push(
    typeof event.data === "string" ? event.data : Array.from(new Uint8Array(event.data)));
  window.ws = ws;
});
</script>
"""


@pytest.fixture(scope="module")
def client_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``http://127.0.0.1:PORT/client.html``, served from a thread until the module ends."""
    with static_site(tmp_path_factory.mktemp("client-site"), {"client.html": CLIENT_PAGE}) as port:
        yield f"http://127.0.0.1:{port}/client.html"


@pytest.fixture(scope="module")
def notebook(browser: Any, lab_server: JupyterServer) -> Iterator[NotebookPage]:
    with open_notebook(browser, lab_server, "lab/tree/{name}", "server-panel.ipynb", CELLS) as notebook:
        yield notebook


def test_a_browser_page_talks_to_the_server_panel(
    notebook: NotebookPage, client_site: str, artifacts: Path
) -> None:
    notebook.open()
    notebook.run_all()
    panel = PanelView(notebook.page)
    expect(panel.root).to_be_visible()
    panel.wait_status("● listening")
    address = panel.root.locator(".widget-label", has_text="connect to:")
    expect(address).to_have_text(re.compile(r"connect to: ws://127\.0\.0\.1:\d+"))
    url = re.search(r"ws://127\.0\.0\.1:\d+", address.inner_text())
    assert url is not None

    with contextlib.closing(notebook.page.context.new_page()) as client:
        client.goto(client_site)
        client.evaluate("url => window.openSocket(url)", url.group(0))
        events = panel.root.locator(".wsecho-events pre")
        expect(events).to_contain_text(re.compile(r"c1 connected from 127\.0\.0\.1:\d+ /"))

        # Text from the page: in the log with its client id, and echoed back.
        client.evaluate("() => window.ws.send('hello from Chromium')")
        expect(panel.log).to_contain_text(re.compile(r"c1 +\d\d:\d\d:\d\d\.\d{3} ← hello from Chromium"))
        # A PNG as a Blob: one binary frame, shown as the picture, echoed byte for byte.
        png = make_png(96, 64)
        client.evaluate(
            "bytes => window.ws.send(new Blob([new Uint8Array(bytes)], {type: 'image/png'}))", list(png)
        )
        expect(panel.log).to_contain_text(
            re.compile(r"c1 +\S+ ← binary \d+ B \(png picture\)|c1 +\S+ ← binary [\d.]+ KiB \(png picture\)")
        )
        notebook.page.wait_for_function(  # drawn once into a canvas (ui/js/media.js)
            "() => [...document.querySelectorAll('.wsecho-log .wsecho-frame')].map(f => f.__wsechoCanvas)"
            ".some(c => c.dataset.drawn === '1' && c.width === 96 && c.height === 64)"
        )
        client.wait_for_function("n => window.received.length >= n", arg=2)
        received = client.evaluate("() => window.received")
        assert received[0] == "hello from Chromium" and bytes(received[1]) == png

        # A reply typed into the panel (to "all clients") arrives in the page.
        panel.type("a reply typed in the panel")
        panel.button("Send").click()
        client.wait_for_function("() => window.received.includes('a reply typed in the panel')")
        expect(panel.log).to_contain_text(re.compile(r"all +\S+ → a reply typed in the panel"))
        panel.root.screenshot(path=str(artifacts / "lab-server-panel.png"))

        client.evaluate("() => window.ws.close(4000, 'page bye')")
        expect(events).to_contain_text(re.compile(r"c1 disconnected: 4000 \(application code\): page bye"))
        # Oldest first, like the log: the connection's line above its close.
        shown = events.inner_text()
        assert shown.index("c1 connected") < shown.index("c1 disconnected")
    assert notebook.widget_errors == []
    assert notebook.dialogs == []
    # The same panel in JupyterLab Dark (docs/server-panel-dark.png).
    page = notebook.page
    page.locator(".lm-MenuBar-itemLabel:text-is('Settings')").click()
    page.locator(".lm-Menu-item .lm-Menu-itemLabel:text-is('Theme')").hover()
    page.locator(".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel:text-is('JupyterLab Dark')").click()
    page.wait_for_selector("body[data-jp-theme-name='JupyterLab Dark']", state="attached", timeout=30_000)
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=30_000)
    panel.root.screenshot(path=str(artifacts / "lab-server-panel-dark.png"))
