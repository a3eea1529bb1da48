"""The server panel behind a Jupyter server's URL prefix, reached through jupyter-server-proxy.

As on JupyterHub: a real ``jupyter server`` runs with ``base_url=/user/alice/`` and
jupyter-server-proxy, a kernel started by that server (its REST API) makes a
``ServerPanel``, and the panel's address line shows
``ws://127.0.0.1:PORT/user/alice/proxy/NNNN/`` (read from the server's info file: the
kernel's parent process). A page served from the Jupyter server's own origin opens
Chromium's own WebSocket to that address, and text and a picture go both ways
through the proxy. (The page comes through the proxy too, from a static server of
the test: Jupyter's ``/files/`` sends pages with ``Content-Security-Policy: sandbox``,
which gives them an opaque origin that Jupyter's WebSocket origin check refuses.)
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import JupyterServer, missing, start_server, static_site
from tests.helpers import make_png

pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<meta charset="utf-8"><title>through the proxy</title>
<script>
window.received = [];
window.openSocket = (path) => new Promise((resolve, reject) => {
  const url = new URL(path, location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  ws.onopen = () => resolve(url.href);
  ws.onerror = () => reject(new Error("WebSocket error"));
  ws.onmessage = (event) => window.received.push(
    typeof event.data === "string" ? event.data : Array.from(new Uint8Array(event.data)));
  window.ws = ws;
});
</script>
"""

SETUP = """
import json
from wsecho_widget import ServerPanel
panel = ServerPanel(mode="manual")
await panel.ready
print(json.dumps({"port": panel.hub.port, "addresses": panel.address_label.value, "urls": panel.proxy_urls}))
"""


class Kernel:
    """A kernel the Jupyter server started, driven through its connection file."""

    def __init__(self, server: JupyterServer) -> None:
        from jupyter_client import BlockingKernelClient

        self.id = server.api("kernels", method="POST")["id"]
        runtime = server.scratch / "jupyter-runtime"
        self.client = BlockingKernelClient(connection_file=str(runtime / f"kernel-{self.id}.json"))
        self.client.load_connection_file()
        self.client.start_channels(hb=False)  # is_alive() would be False until the first beat
        self.client.wait_for_ready(timeout=60)

    def run(self, code: str) -> str:
        """Run ``code``; its stdout (fails the test on an error)."""
        out: list[str] = []

        def output(msg: dict[str, Any]) -> None:
            content = msg["content"]
            if msg["msg_type"] == "stream":
                out.append(content["text"])
            elif msg["msg_type"] == "error":
                out.append("\n".join(content["traceback"]))

        reply = self.client.execute_interactive(code, timeout=60, output_hook=output)
        assert reply["content"]["status"] == "ok", "".join(out)
        return "".join(out)

    def close(self) -> None:
        self.client.stop_channels()


@pytest.fixture(scope="module")
def hub_like(
    browser_prerequisites: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JupyterServer]:
    """``jupyter server`` with ``base_url=/user/alice/`` and jupyter-server-proxy."""
    import importlib.util

    if importlib.util.find_spec("jupyter_server_proxy") is None:
        missing("jupyter-server-proxy is not installed (pip install -e '.[browser]')")
    yield from start_server("server", tmp_path_factory, base_url="/user/alice/")


@pytest.fixture(scope="module")
def page_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """A static server of the client page on 127.0.0.1 (reached through the proxy)."""
    with static_site(tmp_path_factory.mktemp("proxy-page"), {"client.html": PAGE}) as port:
        yield port


def test_a_page_of_the_jupyter_server_reaches_the_server_panel_through_the_proxy(
    browser: Any, hub_like: JupyterServer, page_port: int
) -> None:
    kernel = Kernel(hub_like)
    try:
        shown = json.loads(kernel.run(SETUP).strip().splitlines()[-1])
        port = shown["port"]
        # The address a browser can use: the server's origin, its prefix, the proxy.
        absolute = f"ws://127.0.0.1:{hub_like.port}/user/alice/proxy/{port}/"
        assert absolute in shown["addresses"], shown
        assert f"/user/alice/proxy/{port}/" in shown["addresses"]
        assert shown["urls"] == [absolute, f"/user/alice/proxy/{port}/"]

        context = browser.new_context()
        with contextlib.closing(context.new_page()) as page:
            page.goto(hub_like.url(f"proxy/{page_port}/client.html"))  # the token logs the page in
            opened = page.evaluate("path => window.openSocket(path)", f"/user/alice/proxy/{port}/")
            assert opened == absolute
            page.evaluate("() => window.ws.send('hello through the proxy')")
            png = make_png(64, 48)
            page.evaluate(
                "b => window.ws.send(new Blob([new Uint8Array(b)], {type: 'image/png'}))", list(png)
            )
            got = kernel.run(
                "first = await panel.receive(timeout=10)\n"
                "second = await panel.receive(timeout=10)\n"
                "print(json.dumps([first.client, first.data, second.image_format, len(second.data)]))\n"
                "panel.send('hello from the kernel')\n"
                "panel.send(second.data)\n"
            )
            assert json.loads(got.strip().splitlines()[-1]) == [
                "c1",
                "hello through the proxy",
                "png",
                len(png),
            ]
            page.wait_for_function("() => window.received.length >= 2")
            received = page.evaluate("() => window.received")
            assert received[0] == "hello from the kernel" and bytes(received[1]) == png
            page.evaluate("() => window.ws.close(1000)")
        context.close()
        kernel.run("panel.close()")
    finally:
        kernel.close()
        hub_like.api(f"kernels/{kernel.id}", method="DELETE")
