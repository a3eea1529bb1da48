"""Hostile opening handshakes against the hub: each refused at once, in one line, no traceback.

Raw TCP clients (asyncio streams) write the requests by hand, since no WebSocket
client library sends these shapes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import connect

from tests.helpers import wait_for
from tests.hostile import upgrade_request
from wsecho_widget.server.hub import Hub


@pytest.fixture
async def hub() -> AsyncIterator[Hub]:
    hub = Hub(subprotocols=["chat"], open_timeout=0.5)
    await asyncio.wait_for(hub.ready, 10)
    yield hub
    hub.close()
    await asyncio.wait_for(hub.closed, 10)


async def _status(port: int, request: bytes) -> tuple[int, float]:
    """The HTTP status the server answers ``request`` with, and how long it took."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    start = time.perf_counter()
    writer.write(request)
    try:
        line = await asyncio.wait_for(reader.readline(), 5)
    finally:
        writer.close()
    return int(line.split()[1]), time.perf_counter() - start


def _refusals(hub: Hub) -> list[str]:
    return [n.text for n in hub.notices if n.text.startswith("refused")]


def _many_headers(count: int) -> bytes:
    extra = b"".join(b"X-H%d: v\r\n" % i for i in range(count))
    return upgrade_request().replace(b"\r\n\r\n", b"\r\n" + extra + b"\r\n")


CASES = {
    # ws GHSA-3h5v-q93c-6h6q (CVE-2024-37890): a request with more headers than the
    # server expected crashed it.
    "too many headers": (_many_headers(200), 431, "expected no more than 128 headers"),
    # Node's http and ws cap header size (CVE-2018-12121 "HTTP header size DoS").
    "a 9 KB header line": (upgrade_request(X_Big="a" * 9000), 431, "expected no more than 8192 bytes"),
    # RFC 6455 4.2.1 requirements, refused the way websockets' and ws' servers do.
    "no key": (upgrade_request(Sec_WebSocket_Key=""), 400, "missing Sec-WebSocket-Key"),
    "a key that is not 16 bytes": (
        upgrade_request(Sec_WebSocket_Key="abc"),
        400,
        "invalid Sec-WebSocket-Key",
    ),
    "version 8": (upgrade_request(Sec_WebSocket_Version="8"), 400, "invalid Sec-WebSocket-Version"),
    "no version": (upgrade_request(Sec_WebSocket_Version=""), 400, "missing Sec-WebSocket-Version"),
    "POST": (upgrade_request().replace(b"GET", b"POST", 1), 405, "unsupported HTTP method: POST"),
    "no Upgrade": (upgrade_request(Upgrade=""), 426, "missing Upgrade header"),
    "HTTP/1.0": (upgrade_request().replace(b"HTTP/1.1", b"HTTP/1.0", 1), 505, "unsupported HTTP version"),
    "a 9 KB request line": (upgrade_request("/" + "a" * 9000), 414, "expected no more than 8192 bytes"),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_a_malformed_upgrade_is_refused_with_its_status_in_one_line(hub: Hub, case: str) -> None:
    """Shapes: ws GHSA-3h5v-q93c-6h6q (many headers), CVE-2018-12121 (header size),
    and RFC 6455 section 4.2.1's required fields, each missing or wrong."""
    request, status, words = CASES[case]
    assert (await _status(hub.port, request))[0] == status
    await wait_for(lambda: _refusals(hub), what="the refusal's line")
    lines = _refusals(hub)
    assert len(lines) == 1 and f"HTTP {status} " in lines[0] and words in lines[0], lines
    assert "\n" not in lines[0] and "Traceback" not in lines[0] and len(lines[0]) < 300


REDOS = {
    # CVE-2021-32640 / GHSA-6fc8-4gx4-v693 (ws): 'b' + ' ' * n + 'x' in Sec-WebSocket-Protocol.
    "protocol spaces": ("Sec-WebSocket-Protocol", "b" + " " * 8000 + "x"),
    "protocol commas": ("Sec-WebSocket-Protocol", "chat" + ", " * 4000),
    # CVE-2020-7662 / GHSA-g78m-2chm-r7qv (websocket-extensions): an unclosed quoted
    # parameter of repeated backslash pairs in Sec-WebSocket-Extensions.
    "extension backslashes": ("Sec-WebSocket-Extensions", 'a; b="' + "\\c" * 4000),
    "extension semicolons": ("Sec-WebSocket-Extensions", "permessage-deflate" + ";" * 8000),
    # ws 3.3.1's crash: Object.prototype names as extension and parameter names.
    "extension constructor": ("Sec-WebSocket-Extensions", "constructor; __proto__=1, toString"),
}


@pytest.mark.parametrize("case", list(REDOS))
async def test_redos_shaped_header_values_are_answered_at_once(hub: Hub, case: str) -> None:
    """ReDoS shapes of CVE-2021-32640 (ws, Sec-WebSocket-Protocol) and CVE-2020-7662
    (websocket-extensions, Sec-WebSocket-Extensions): websockets parses headers
    without backtracking regexes, so each is answered (101 or 400) in milliseconds."""
    name, value = REDOS[case]
    status, took = await _status(hub.port, upgrade_request(**{name.replace("-", "_"): value}))
    assert status in (101, 400)
    assert took < 0.5, f"{case} took {took:.3f} s"  # a ReDoS takes seconds at this size
    for line in _refusals(hub):
        assert "\n" not in line and len(line) < 300


async def test_hundreds_of_half_open_handshakes_time_out_while_others_connect(hub: Hub) -> None:
    """Slowloris (Hansen 2009; CVE-2007-6750 for Apache): connect, send part of a request,
    go silent. Each is closed after open_timeout (0.5 s here) with one line, and a real
    client connects and echoes meanwhile."""
    silent = []
    for _ in range(200):
        reader, writer = await asyncio.open_connection("127.0.0.1", hub.port)
        writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and no more
        silent.append((reader, writer))
    start = time.perf_counter()
    async with connect(hub.url, open_timeout=2, subprotocols=["chat"]) as ws:
        await ws.send("still here")
        assert await ws.recv() == "still here"
    assert time.perf_counter() - start < 0.4  # before the silent ones' timeout, under their load
    async with asyncio.timeout(5):
        for reader, writer in silent:
            assert await reader.read() == b""  # closed by the server
            writer.close()
    timeouts = [line for line in _refusals(hub) if line.endswith("no complete request in time: closed")]
    assert len(timeouts) == 200
