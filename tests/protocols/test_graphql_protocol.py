"""The graphql-transport-ws message codec."""

from __future__ import annotations

import json

import pytest

from wsecho_widget.protocols.graphql.protocol import (
    ProtocolError,
    ServerMessage,
    decode,
    describe_close,
    encode_complete,
    encode_init,
    encode_ping,
    encode_pong,
    encode_subscribe,
    is_final_close,
)


def test_client_messages() -> None:
    assert json.loads(encode_init()) == {"type": "connection_init"}
    assert json.loads(encode_init({"token": "t"})) == {"type": "connection_init", "payload": {"token": "t"}}
    assert json.loads(encode_ping()) == {"type": "ping"}
    assert json.loads(encode_pong({"x": 1})) == {"type": "pong", "payload": {"x": 1}}
    assert json.loads(encode_complete("3")) == {"id": "3", "type": "complete"}
    sub = json.loads(encode_subscribe("1", "query Q($n: Int) { a(n: $n) }", {"n": 2}, "Q"))
    assert sub == {
        "id": "1",
        "type": "subscribe",
        "payload": {"query": "query Q($n: Int) { a(n: $n) }", "variables": {"n": 2}, "operationName": "Q"},
    }


def test_client_messages_refuse_bad_arguments() -> None:
    with pytest.raises(ValueError, match="empty"):
        encode_subscribe("1", "  ")
    with pytest.raises(TypeError, match="JSON object"):
        encode_subscribe("1", "{ a }", [1])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="payload is a dict"):
        encode_init("token")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not JSON-serialisable"):
        encode_subscribe("1", "{ a }", {"x": object()})


def test_decode_server_messages() -> None:
    assert decode('{"type":"connection_ack"}') == ServerMessage("connection_ack")
    assert decode('{"type":"ping","payload":{"a":1}}') == ServerMessage("ping", None, {"a": 1})
    assert decode('{"type":"next","id":"1","payload":{"data":{"a":1}}}') == ServerMessage(
        "next", "1", {"data": {"a": 1}}
    )
    assert decode('{"type":"error","id":"1","payload":[{"message":"no"}]}') == ServerMessage(
        "error", "1", [{"message": "no"}]
    )
    assert decode('{"type":"complete","id":"1"}') == ServerMessage("complete", "1")


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (b"\x00", "binary frame"),
        ("nope", "not JSON"),
        ("[1]", "without a type"),
        ('{"type":"connection_error"}', "unknown message type"),
        ('{"type":"next","payload":{}}', "next without an id"),
        ('{"type":"next","id":"1","payload":[1]}', "result object"),
        ('{"type":"error","id":"1","payload":{"message":"x"}}', "list of GraphQL errors"),
        ('{"type":"ping","payload":[1]}', "not an object"),
        ('{"type":"next","id":"1","payload":' + "[" * 100_000, "not JSON|nested too deeply"),
    ],
)
def test_decode_refuses_bad_messages_in_one_line(frame: str | bytes, message: str) -> None:
    with pytest.raises(ProtocolError, match=message) as info:
        decode(frame)
    assert "\n" not in str(info.value)


def test_close_codes() -> None:
    assert is_final_close(4403) and is_final_close(4400) and is_final_close(4429)
    assert not is_final_close(4500) and not is_final_close(1000) and not is_final_close(None)
    assert (
        describe_close(4403, "Forbidden") == "4403 forbidden (the server refused connection_init): Forbidden"
    )
    assert describe_close(4999) == "4999 application code"
