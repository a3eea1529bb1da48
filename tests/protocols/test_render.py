"""How the protocol panels' logs read frames (pure)."""

from __future__ import annotations

import json

from wsecho_widget.model.message import Message
from wsecho_widget.protocols._render import mask
from wsecho_widget.protocols.graphql.render import graphql_text
from wsecho_widget.protocols.socketio.protocol import encode_ack, encode_connect, encode_event
from wsecho_widget.protocols.socketio.render import is_heartbeat, socketio_text


def sent(data: str | bytes) -> Message:
    return Message("sent", data, 0.0)


def got(data: str | bytes) -> Message:
    return Message("received", data, 0.0)


def test_socketio_events_read_as_name_and_arguments() -> None:
    assert socketio_text(sent(str(encode_event("chat", ["hi", {"n": 1}])[0]))) == 'chat ["hi", {"n": 1}]'
    assert socketio_text(sent(str(encode_event("add", [1, 2], id=3)[0]))) == "add [1, 2] (asks ack 3)"
    assert socketio_text(got(str(encode_ack(3, [3])[0]))) == "ack 3 [3]"
    frames = encode_event("picture", ["dot.png", b"\x89PNG"], namespace="/m")
    assert socketio_text(sent(str(frames[0]))) == '/m picture ["dot.png", <binary 0>] (+1 binary)'
    assert socketio_text(got(b"\x89PNG")) is None  # the log shows it as a picture


def test_socketio_connection_packets_read_in_words() -> None:
    open_ = '0{"sid":"e1","upgrades":[],"pingInterval":1000,"pingTimeout":500,"maxPayload":100}'
    assert socketio_text(got(open_)) == "Engine.IO open · session e1 · heartbeat every 1 s (timeout 0.5 s)"
    assert socketio_text(sent("40")) == "join /"
    assert socketio_text(got('40{"sid":"s9"}')) == "joined / · sid s9"
    assert socketio_text(got('44/p,{"message":"Not authorized"}')) == "/p refused: Not authorized"
    assert socketio_text(got("41")) == "the server disconnected /"
    assert socketio_text(sent("41")) == "leave /"
    assert socketio_text(got("9x")) == "9x  (not Socket.IO: unknown Engine.IO packet type '9')"


def test_auth_is_masked_in_both_views() -> None:
    frame = sent(encode_connect("/p", {"token": "s3cret"}))
    assert socketio_text(frame) == 'join /p with auth {"token": "***"}'
    assert socketio_text(frame, raw=True) == '40/p,{"token":"***"}'
    assert "s3cret" not in str(socketio_text(frame, raw=True))
    assert socketio_text(sent('42["chat","x"]'), raw=True) == '42["chat","x"]'


def test_heartbeats() -> None:
    assert is_heartbeat(got("2")) and is_heartbeat(sent("3"))
    assert not is_heartbeat(got('42["2"]')) and not is_heartbeat(got(b"2"))


def test_graphql_messages() -> None:
    init = sent('{"type":"connection_init","payload":{"token":"s3cret"}}')
    assert graphql_text(init) == 'connection_init {"token": "***"}'
    assert json.loads(str(graphql_text(init, raw=True))) == {
        "type": "connection_init",
        "payload": {"token": "***"},
    }
    sub = sent('{"id":"1","type":"subscribe","payload":{"query":"query { hello }","variables":{"n":1}}}')
    assert graphql_text(sub) == 'subscribe #1\nquery { hello }\nvariables: {"n": 1}'
    result = got('{"id":"1","type":"next","payload":{"data":{"hello":"hi"}}}')
    assert graphql_text(result) == 'next #1\n{\n  "data": {\n    "hello": "hi"\n  }\n}'
    assert graphql_text(result, raw=True) == result.data
    assert graphql_text(got('{"id":"2","type":"error","payload":[{"message":"no"}]}')) == "error #2: no"
    assert graphql_text(got('{"id":"2","type":"complete"}')) == "complete #2"
    assert graphql_text(got('{"type":"ping"}')) == "ping"
    assert graphql_text(got("oops")) == "oops  (not JSON)"


def test_mask() -> None:
    assert mask({"a": 1, "b": {"c": 2}}) == {"a": "***", "b": "***"}
    assert mask("tok") == "***" and mask(None) is None
