"""Hostile frames against the hub: the offender is closed with the right code, no one else is.

Raw TCP clients (asyncio streams) write hand-made frames (tests/hostile.py), since
websockets' own client refuses to send these shapes.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.client import connect

from tests.helpers import wait_for
from tests.hostile import close_payload, frame, open_raw, read_close
from wsecho_widget.server.hub import Hub

TEXT, BINARY, CONT, CLOSE, PING = 1, 2, 0, 8, 9


@pytest.fixture
async def hub() -> AsyncIterator[Hub]:
    hub = Hub(max_size=4096, send_queue=256 * 1024)
    await asyncio.wait_for(hub.ready, 10)
    yield hub
    hub.close()
    await asyncio.wait_for(hub.closed, 10)


def _ended(hub: Hub) -> list[str]:
    return [n.text for n in hub.notices if n.text.startswith(("closed by server", "disconnected", "gone"))]


BAD = {
    # RFC 6455 5.1: "a server MUST close the connection upon receiving a frame that is
    # not masked".
    "unmasked frame": (frame(TEXT, b"hi", mask=False), 1002),
    # RFC 6455 5.2: opcodes 3-7 and 11-15 are reserved (Autobahn cases 4.1.1-4.2.5).
    "reserved opcode 3": (frame(3, b"x"), 1002),
    "reserved opcode 11": (frame(11, b"x"), 1002),
    # A continuation with no message started (Autobahn case 5.9).
    "continuation without a start": (frame(CONT, b"x"), 1002),
    # RSV bits set with no extension negotiated (Autobahn cases 3.1-3.7).
    "reserved bit without an extension": (frame(TEXT, b"x", rsv=4), 1002),
    # A fragmented control frame (Autobahn case 5.1).
    "fragmented ping": (frame(PING, b"x", fin=False), 1002),
    # Invalid UTF-8 in a text frame (Autobahn cases 6.3.x): 1007.
    "invalid UTF-8": (frame(TEXT, b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited"), 1007),
    # More than max_size (4096 here): 1009.
    "oversized message": (frame(BINARY, b"x" * 5000), 1009),
    "oversized in fragments": (frame(TEXT, b"x" * 3000, fin=False) + frame(CONT, b"y" * 3000), 1009),
}


@pytest.mark.parametrize("case", list(BAD))
async def test_a_bad_frame_closes_its_sender_with_the_right_code_and_no_one_else(hub: Hub, case: str) -> None:
    """Autobahn testsuite shapes for RFC 6455 sections 5.1, 5.2, 5.4, 8.1 and 10.4; a
    protocol error must close that one client, never the server or its neighbours."""
    data, code = BAD[case]
    async with connect(hub.url) as neighbour:
        reader, writer = await open_raw(hub.port)
        writer.write(data)
        assert await read_close(reader) == code
        writer.close()
        await wait_for(lambda: len(_ended(hub)) == 1, what="the close line")
        (line,) = _ended(hub)
        assert f"{code} " in line and "\n" not in line, line
        await neighbour.send("still fine")
        assert await neighbour.recv() == "still fine"
    assert hub.status == "listening"


async def test_a_flood_of_empty_fragments_is_closed(hub: Hub) -> None:
    """An endless message of empty continuation frames never reaches max_size while the
    server keeps every fragment: ws PR 2329 ("count empty continuation frames toward
    the maxFragments limit") and ws issue 2331 (1-byte fragments pin 15x their size,
    GHSA-96hv-2xvq-fx4p). Closed with 1008 past 1,024 fragments under 16 bytes."""
    reader, writer = await open_raw(hub.port)
    writer.write(frame(TEXT, b"", fin=False) + frame(CONT, b"", fin=False) * 5000)
    assert await read_close(reader) == 1008
    writer.close()
    await wait_for(lambda: _ended(hub), what="the close line")
    assert "fragments of under 16 bytes" in _ended(hub)[0]


async def test_a_client_that_pings_and_never_reads_is_closed_at_its_send_queue(hub: Hub) -> None:
    """websockets 17.4 answers every ping with a pong whether or not the client reads
    (python-websockets issue 105 discusses pongs sent automatically; measured here, 52 MB
    of pings left 46.6 MB queued). The hub closes such a client with 1008 once its send
    queue (256 KiB here) is full and reads no more from it: the bytes waiting stay near
    the bound, not near the 16 MiB sent."""
    _, writer = await open_raw(hub.port)
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # and we never read
    ping = frame(PING, b"p" * 125)
    await wait_for(lambda: hub.clients, what="the client")
    (client,) = hub.clients
    sent = 0
    peak = 0
    try:
        async with asyncio.timeout(10):
            while sent < 16 * 2**20 and client.is_open:
                writer.write(ping * 512)
                sent += len(ping) * 512
                await asyncio.sleep(0)
                peak = max(peak, client.waiting)
    except TimeoutError:
        pass
    await wait_for(lambda: any("send queue full" in n.text for n in hub.notices), what="the 1008")
    line = next(n.text for n in hub.notices if "send queue full" in n.text)
    assert line.startswith("closing with 1008: send queue full") and "pings pile up" in line
    assert peak <= 2 * hub.send_queue + 256 * 1024, f"{peak:,} bytes waited"
    writer.transport.abort()


async def test_a_close_reason_past_123_bytes_is_cut_on_a_character_boundary(hub: Hub) -> None:
    """websockets raises ProtocolError for a close reason over 123 bytes (RFC 6455 5.5:
    control frames carry at most 125 bytes); "é" * 62 is 124. The hub cuts it instead."""
    async with connect(hub.url) as ws:
        await wait_for(lambda: hub.clients, what="the client")
        await hub.disconnect(hub.clients[0], 4000, "é" * 62)
        await ws.wait_closed()
        assert ws.close_code == 4000 and ws.close_reason == "é" * 61
    with pytest.raises(ValueError, match="not a close code"):
        await hub.disconnect("c1", 1005)


async def test_a_client_closing_with_a_long_reason_is_said_in_one_line(hub: Hub) -> None:
    """A peer's close frame with a 123-byte reason of control characters and invalid
    UTF-8 (Autobahn cases 7.5.1 and 7.3.6): 1007/1002 or its reason shown in one line."""
    reader, writer = await open_raw(hub.port)
    writer.write(frame(CLOSE, close_payload(4001, b"\n\r\x00" * 41)))
    assert await read_close(reader) == 4001
    writer.close()
    await wait_for(lambda: _ended(hub), what="the close line")
    assert "\n" not in _ended(hub)[0]
