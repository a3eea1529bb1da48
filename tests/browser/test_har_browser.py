"""A HAR file from Chromium's own DevTools events, loaded back exactly.

A page served from ``http://127.0.0.1:PORT`` (a page at about:blank may not open a
WebSocket to 127.0.0.1) talks to the embedded echo server with Chromium's own
``WebSocket``: text, then binary. The test records the frames as DevTools does,
from the Chrome DevTools Protocol events ``Network.webSocketCreated``,
``webSocketWillSendHandshakeRequest`` (its wall time) and
``webSocketFrameSent`` / ``webSocketFrameReceived``, and writes them in DevTools' HAR
layout. ``load_har`` reads them back with the same count, directions and bytes;
``to_har`` then ``load_har`` again gives the same ``to_pandas()``; the loaded
conversation replays against the echo server with no difference.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import static_site
from wsecho_widget.model.har import load_har, to_har
from wsecho_widget.server.echo import EchoServer
from wsecho_widget.testing._replay import replay
from wsecho_widget.testing._thread import LoopThread

pytestmark = pytest.mark.browser

PAGE = """<!doctype html>
<meta charset="utf-8"><title>wsecho HAR client</title>
<script>
window.received = [];
window.talk = (url, texts, binaries) => new Promise((resolve, reject) => {
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  ws.onerror = () => reject(new Error("WebSocket error"));
  ws.onopen = () => {
    texts.forEach((t) => ws.send(t));
    binaries.forEach((b) => ws.send(new Uint8Array(b)));
  };
  ws.onmessage = (event) => {
    const data = event.data;
    window.received.push(typeof data === "string" ? data : Array.from(new Uint8Array(data)));
    if (window.received.length === texts.length + binaries.length) { ws.close(1000); resolve(); }
  };
});
</script>
"""

TEXTS = ["hello from Chromium", '{"op": "subscribe", "topic": "btc"}', "héllo ✓"]
BINARIES = [[0, 1, 2, 255], list(range(256)) * 4]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with static_site(tmp_path_factory.mktemp("har-site"), {"client.html": PAGE}) as port:
        yield f"http://127.0.0.1:{port}/client.html"


@pytest.fixture(scope="module")
def echo() -> Iterator[tuple[str, LoopThread]]:
    """The echo server in a loop of its own (Playwright's sync API holds this thread's loop)."""
    thread = LoopThread()

    async def start() -> EchoServer:
        return await EchoServer("127.0.0.1", 0).start()

    server = thread.run(start())
    try:
        yield server.url, thread
    finally:
        thread.run(server.stop())
        thread.close()


def devtools_har(events: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The HAR DevTools writes for these CDP events: one websocket entry per socket."""
    sockets: dict[str, dict[str, Any]] = {}
    for method, params in events:
        request_id = str(params.get("requestId"))
        if method == "Network.webSocketCreated":
            sockets[request_id] = {"url": params["url"], "frames": [], "clock": None}
        elif method == "Network.webSocketWillSendHandshakeRequest" and request_id in sockets:
            # DevTools turns the monotonic timestamps into wall time with this pair.
            sockets[request_id]["clock"] = params["wallTime"] - params["timestamp"]
        elif method in ("Network.webSocketFrameSent", "Network.webSocketFrameReceived"):
            socket = sockets[request_id]
            frame = params["response"]
            socket["frames"].append(
                {
                    "type": "send" if method.endswith("Sent") else "receive",
                    "time": socket["clock"] + params["timestamp"],
                    "opcode": frame["opcode"],
                    "data": frame["payloadData"],  # binary frames come base64-encoded already
                }
            )
    entries = [
        {
            "startedDateTime": "2026-01-01T00:00:00.000Z",
            "time": 0,
            "request": {"method": "GET", "url": s["url"], "httpVersion": "HTTP/1.1", "headers": []},
            "response": {"status": 101, "statusText": "Switching Protocols", "headers": []},
            "_resourceType": "websocket",
            "_webSocketMessages": s["frames"],
        }
        for s in sockets.values()
    ]
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "WebInspector", "version": "537.36"},
            "entries": entries,
        }
    }


def test_a_devtools_har_of_chromiums_websocket_loads_back_exactly(
    browser: Any, site: str, echo: tuple[str, LoopThread], tmp_path: Path
) -> None:
    echo_url, thread = echo
    page = browser.new_page()
    with contextlib.closing(page):
        cdp = page.context.new_cdp_session(page)
        events: list[tuple[str, dict[str, Any]]] = []
        for method in (
            "Network.webSocketCreated",
            "Network.webSocketWillSendHandshakeRequest",
            "Network.webSocketFrameSent",
            "Network.webSocketFrameReceived",
        ):
            cdp.on(method, functools.partial(lambda m, params: events.append((m, params)), method))
        cdp.send("Network.enable")
        page.goto(site)
        page.evaluate("([url, t, b]) => window.talk(url, t, b)", [echo_url, TEXTS, BINARIES])
        received = page.evaluate("() => window.received")
        expected = 2 * (len(TEXTS) + len(BINARIES))
        for _ in range(250):  # the last frame's event may trail the page's own callback
            if sum(method.startswith("Network.webSocketFrame") for method, _ in events) >= expected:
                break
            page.wait_for_timeout(20)  # CDP events are delivered while Playwright waits
    har = tmp_path / "chromium.har"
    har.write_text(json.dumps(devtools_har(events)), encoding="utf-8")

    (conversation,) = load_har(har)
    assert conversation.url.rstrip("/") == echo_url.rstrip("/")
    messages = list(conversation.messages)
    sent = [m.data for m in messages if m.direction == "sent"]
    got = [m.data for m in messages if m.direction == "received"]
    assert sent == [*TEXTS, *(bytes(b) for b in BINARIES)]
    assert got == [r if isinstance(r, str) else bytes(r) for r in received] == sent  # the echo
    assert len(messages) == 2 * (len(TEXTS) + len(BINARIES))
    assert all(m.timestamp > 1.7e9 for m in messages)  # epoch seconds, as DevTools writes them
    frames = json.loads(har.read_text())["log"]["entries"][0]["_webSocketMessages"]
    assert base64.b64decode(frames[len(TEXTS)]["data"]) == bytes(BINARIES[0])

    again = load_har(to_har(conversation.messages, tmp_path / "again.har", conversation.url))[0]
    assert again.to_pandas().equals(conversation.to_pandas())

    report = thread.run(replay(conversation, echo_url, settle=0.05))
    assert report.ok, str(report)
