"""A hostile Socket.IO server: malformed packets dropped with one line each, the connection kept.

The server here is websockets speaking Engine.IO by hand, because no real Socket.IO
server sends these shapes; the client is the real SocketIOClient.
"""

from __future__ import annotations

import asyncio

from hypothesis import given
from hypothesis import strategies as st
from websockets.asyncio.server import ServerConnection

from tests.helpers import wait_for
from tests.hostile import sized, socketio_by_hand
from wsecho_widget.protocols.socketio.protocol import Decoder, ProtocolError, parse_text

OPEN = '0{"sid":"e","upgrades":[],"pingInterval":25000,"pingTimeout":5000,"maxPayload":100000}'

# (frame, the notice it gives)
HOSTILE = [
    # CVE-2023-32695 (socket.io-parser, GHSA-cqmj-92xf-r6r9): an object where the event
    # name goes, whose toString key crashed the JS parser.
    ('42[{"toString":"foo"}]', "event packet without an event name"),
    # Placeholders whose num is negative, not an integer, or out of range: the same
    # advisory's fix checks `typeof num === "number" && num >= 0 && num < buffers.length`.
    ('451-["x",{"_placeholder":true,"num":-1}]', "placeholders that do not match its 1 attachments"),
    ('451-["x",{"_placeholder":true,"num":"0"}]', "placeholders that do not match its 1 attachments"),
    ('451-["x",{"_placeholder":true,"num":0.5}]', "placeholders that do not match its 1 attachments"),
    ('451-["x",{"_placeholder":true,"num":1}]', "placeholders that do not match its 1 attachments"),
    ('452-["x",{"_placeholder":true,"num":true}]', "placeholders that do not match its 2 attachments"),
    # Attachment counts over our cap, and absurd ones (python-socketio's decoder reads at
    # most 10 digits; a count is memory the client would reserve for what follows).
    ('45100000-["x"]', "declares 100,000 attachments"),
    ('4599999999999999999999-["x"]', "binary packet without its attachment count"),
    # 900-deep arguments (found here: the attachments were put in place recursively).
    ('42["deep",' + "[" * 900 + "]" * 900 + "]", "nested deeper than 100 levels"),
    ('451-["deep",' + "[" * 900 + '{"_placeholder":true,"num":0}' + "]" * 900 + "]", "deeper than 100"),
    # Names socket.io-parser's isPayloadValid refuses (RESERVED_EVENTS).
    ('42["connect"]', "reserved name 'connect'"),
    ('42["disconnect",1]', "reserved name 'disconnect'"),
    ('42["connect_error",{"message":"x"}]', "reserved name 'connect_error'"),
    ('42["removeListener"]', "reserved name 'removeListener'"),
]


async def test_each_malformed_packet_is_one_line_and_the_connection_stays_up() -> None:
    """Shapes of CVE-2023-32695 / GHSA-cqmj-92xf-r6r9 (socket.io-parser: toString as an
    event name, placeholders not checked) and socket.io-parser's RESERVED_EVENTS."""

    async def handler(ws: ServerConnection) -> None:
        await ws.send(OPEN)
        assert await ws.recv() == "40"
        await ws.send('40{"sid":"s1"}')
        for frame, _ in HOSTILE:
            await ws.send(frame)
        await ws.send('42["ok",1]')
        await ws.wait_closed()

    async with socketio_by_hand(handler) as (client, notices):
        await asyncio.wait_for(client.ready, 5)
        event = await client.receive_event(timeout=5)
        assert (event.name, event.args) == ("ok", [1])
        assert len(notices) == len(HOSTILE)
        for notice, (frame, expected) in zip(notices, HOSTILE, strict=True):
            assert notice.startswith("bad packet from the server: ") and expected in notice, frame
            assert "\n" not in notice
        assert client.status == "open" and client.session.status == "open"


async def test_a_half_received_binary_packet_is_dropped_on_reconnect() -> None:
    """A binary event whose attachment never came (the connection broke between the
    frames; the Socket.IO v5 protocol sends attachments as separate frames after the
    packet) must not swallow the next connection's first frames nor be completed by them."""
    joins = 0

    async def handler(ws: ServerConnection) -> None:
        nonlocal joins
        joins += 1
        await ws.send(OPEN)
        await ws.recv()
        await ws.send(f'40{{"sid":"s{joins}"}}')
        if joins == 1:
            await ws.send('451-["half",{"_placeholder":true,"num":0}]')
            await asyncio.sleep(0.05)
            ws.transport.abort()  # gone before the attachment
            return
        await ws.send(b"attachment of nothing")
        await ws.send('42["after",2]')
        await ws.wait_closed()

    async with socketio_by_hand(handler, reconnect_delays=[0.05]) as (client, notices):
        await asyncio.wait_for(client.ready, 5)
        await wait_for(lambda: client.sid == "s2", what="the rejoin")
        event = await client.receive_event(timeout=5)
        assert (event.name, event.args) == ("after", [2])
        assert "bad packet from the server: binary frame of 21 bytes that no packet announced" in notices
        assert not any("half" in n for n in notices)


_frames = st.one_of(
    st.text(max_size=60),
    st.builds(
        lambda t, s: t + s,
        st.sampled_from(["4", "40", "42", "43", "44", "45", "46", "451-", "0"]),
        st.text(max_size=60),
    ),
    st.binary(max_size=20),
)


@sized(300)
@given(frames=st.lists(_frames, max_size=6))
def test_the_codec_returns_items_or_protocol_error_for_any_frames(frames: list[str | bytes]) -> None:
    """Any frames at all: the decoder yields items or raises ProtocolError (a fuzz
    property over socket.io-parser's published crash shapes: CVE-2023-32695,
    CVE-2022-2421 placeholder type confusion)."""
    decoder = Decoder()
    for frame in frames:
        try:
            decoder.feed(frame)
        except ProtocolError as exc:
            assert str(exc) and "\n" not in str(exc)
        if isinstance(frame, str):
            try:
                parse_text(frame)
            except ProtocolError as exc:
                assert str(exc) and "\n" not in str(exc)
