"""The Socket.IO / Engine.IO packet codec, checked against python-socketio's own codec."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("socketio", reason="install the test extra: pip install -e .[test]")
from socketio import packet as sio_packet

from wsecho_widget.protocols.socketio.protocol import (
    MAX_ATTACHMENTS,
    Decoder,
    EngineClose,
    EngineOpen,
    EnginePing,
    Packet,
    PacketType,
    ProtocolError,
    encode_ack,
    encode_connect,
    encode_disconnect,
    encode_event,
    socketio_url,
)


def theirs(frames: list[str | bytes]) -> sio_packet.Packet:
    """Decode our frames with python-socketio's decoder (the Engine.IO ``4`` stripped)."""
    first = frames[0]
    assert isinstance(first, str) and first.startswith("4")
    pkt = sio_packet.Packet(encoded_packet=first[1:])
    for attachment in frames[1:]:
        pkt.add_attachment(attachment)
    return pkt


def ours(pkt: sio_packet.Packet) -> list[str | bytes]:
    """Encode with python-socketio, as Engine.IO message frames."""
    encoded = pkt.encode()
    frames = encoded if isinstance(encoded, list) else [encoded]
    return ["4" + frames[0], *frames[1:]]


@pytest.mark.parametrize(
    ("url", "path", "expected"),
    [
        ("http://127.0.0.1:5000", "/socket.io", "ws://127.0.0.1:5000/socket.io/?EIO=4&transport=websocket"),
        ("https://example.test", "socket.io/", "wss://example.test/socket.io/?EIO=4&transport=websocket"),
        ("ws://h:1/app", "/sio", "ws://h:1/app/sio/?EIO=4&transport=websocket"),
        ("http://h:1?token=abc", "/socket.io", "ws://h:1/socket.io/?EIO=4&transport=websocket&token=abc"),
    ],
)
def test_socketio_url(url: str, path: str, expected: str) -> None:
    assert socketio_url(url, path) == expected


def test_socketio_url_rejects_other_schemes() -> None:
    with pytest.raises(ValueError, match="http://host:port"):
        socketio_url("ftp://h/x")


def test_event_with_args_matches_python_socketio() -> None:
    frames = encode_event("chat", ["hi", {"n": 1}], id=7)
    assert frames == ['427["chat","hi",{"n":1}]']
    pkt = theirs(frames)
    assert (pkt.packet_type, pkt.id, pkt.data) == (sio_packet.EVENT, 7, ["chat", "hi", {"n": 1}])


def test_binary_event_has_placeholders_and_attachments() -> None:
    frames = encode_event("pic", [b"\x89PNG", {"thumb": b"ab", "name": "x"}], namespace="/media")
    assert frames[0] == (
        '452-/media,["pic",{"_placeholder":true,"num":0},{"thumb":{"_placeholder":true,"num":1},"name":"x"}]'
    )
    assert frames[1:] == [b"\x89PNG", b"ab"]
    pkt = theirs(frames)
    assert pkt.namespace == "/media"
    assert pkt.data == ["pic", b"\x89PNG", {"thumb": b"ab", "name": "x"}]


def test_connect_disconnect_ack_frames() -> None:
    assert encode_connect() == "40"
    assert encode_connect("/admin", {"token": "t"}) == '40/admin,{"token":"t"}'
    assert encode_disconnect("/admin") == "41/admin,"
    assert encode_ack(3, [1, b"z"]) == ['461-3[1,{"_placeholder":true,"num":0}]', b"z"]
    assert theirs(encode_ack(3, [1, b"z"])).data == [1, b"z"]
    with pytest.raises(TypeError, match="auth is a dict"):
        encode_connect("/", "token")  # type: ignore[arg-type]


def test_encode_rejects_what_json_cannot_carry() -> None:
    with pytest.raises(ValueError, match="not JSON-serialisable"):
        encode_event("x", [object()])
    with pytest.raises(ValueError, match="not JSON-serialisable"):
        encode_event("x", [float("nan")])
    with pytest.raises(ValueError, match="event name"):
        encode_event("", [])
    with pytest.raises(ValueError, match="namespace"):
        encode_event("x", [], namespace="admin")


def test_decoder_reads_python_socketio_packets() -> None:
    decoder = Decoder()
    frames = ours(sio_packet.Packet(sio_packet.EVENT, ["news", {"a": [1, 2]}], namespace="/n", id=12))
    assert decoder.feed(frames[0]) == [Packet(PacketType.EVENT, "/n", ["news", {"a": [1, 2]}], 12)]
    frames = ours(sio_packet.Packet(sio_packet.ACK, [b"\x00\x01", "ok"], id=4))
    assert frames[0].startswith("461-4")
    assert decoder.feed(frames[0]) == []
    assert decoder.waiting == 1
    assert decoder.feed(frames[1]) == [Packet(PacketType.ACK, "/", [b"\x00\x01", "ok"], 4)]
    assert decoder.waiting == 0
    frames = ours(sio_packet.Packet(sio_packet.CONNECT_ERROR, {"message": "Not authorized"}, namespace="/p"))
    assert decoder.feed(frames[0]) == [Packet(PacketType.CONNECT_ERROR, "/p", {"message": "Not authorized"})]
    assert decoder.feed(ours(sio_packet.Packet(sio_packet.DISCONNECT))[0]) == [Packet(PacketType.DISCONNECT)]


def test_decoder_engine_packets() -> None:
    decoder = Decoder()
    opened = decoder.feed(
        '0{"sid":"abc","upgrades":[],"pingInterval":1000,"pingTimeout":500,"maxPayload":1000000}'
    )
    assert opened == [EngineOpen("abc", 1.0, 0.5, 1_000_000)]
    (ping,) = decoder.feed("2")
    assert isinstance(ping, EnginePing) and ping.pong() == "3"
    assert decoder.feed("2probe")[0] == EnginePing("probe")
    assert decoder.feed("1") == [EngineClose()]
    assert decoder.feed("6") == []


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        ("9", "unknown Engine.IO packet type"),
        ("49", "unknown Socket.IO packet type"),
        ("42", "event packet without an event name"),
        ("42[1]", "event packet without an event name"),
        ('42["a"', "invalid JSON"),
        ("43[1]", "ack packet without an id"),
        ('40{"nosid":1}', "connect packet without a sid"),
        ('45-["a"]', "attachment count"),
        (f'45{MAX_ATTACHMENTS + 1}-["a"]', r"attachments \(at most"),
        ('451-["a",{"_placeholder":true,"num":1}]', "placeholders that do not match"),
        ("42" + "[" * 100_000, "nested too deeply"),
        ("0{}", "without a sid"),
        ('0{"sid":"x","pingInterval":-1}', "bad pingInterval"),
        ("421" + "2" * 30 + '["a"]', "ack id too long"),
    ],
)
def test_decoder_refuses_bad_frames_in_one_line(frame: str, message: str) -> None:
    with pytest.raises(ProtocolError, match=message) as info:
        Decoder().feed(frame)
    assert "\n" not in str(info.value)


def test_decoder_refuses_unannounced_binary_and_recovers() -> None:
    decoder = Decoder()
    with pytest.raises(ProtocolError, match="no packet announced"):
        decoder.feed(b"xyz")
    decoder.feed('451-["a",{"_placeholder":true,"num":0}]')
    with pytest.raises(ProtocolError, match="attachments were expected"):
        decoder.feed('42["b"]')
    assert decoder.waiting == 0
    assert decoder.feed('42["c"]') == [Packet(PacketType.EVENT, "/", ["c"])]


def test_round_trip_keeps_unicode_text() -> None:
    frames = encode_event("msg", ["héllo ✓"])
    assert json.loads(str(frames[0])[2:]) == ["msg", "héllo ✓"]
    assert Decoder().feed(frames[0])[0] == Packet(PacketType.EVENT, "/", ["msg", "héllo ✓"])
