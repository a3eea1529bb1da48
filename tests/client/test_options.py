"""The connection options' rules, without widgets: header names and values, subprotocols, options.

One set of rules (``wsecho_widget.client.options``): ``Session.configure`` applies them,
and the options form checks a header with them as it is added.
"""

from __future__ import annotations

import pytest
from websockets.datastructures import Headers

from wsecho_widget.client.connection import WebSocketChannel
from wsecho_widget.client.options import (
    CONNECT_OPTIONS,
    check_header,
    check_subprotocols,
    header_pairs,
    updated_options,
)
from wsecho_widget.client.session import Session
from wsecho_widget.server.echo import EchoServer


@pytest.mark.parametrize("name", ["Authorization", "X-Trace", "x_y.z", "!#$%&'*+-.^_`|~09"])
def test_token_names_pass(name: str) -> None:
    assert check_header(name, "any value at all: even ; and ,") == (name, "any value at all: even ; and ,")


@pytest.mark.parametrize("name", ["", "Bad Name", "X:Y", "Ünï", "a\r\nb", "(x)"])
def test_a_name_that_is_not_a_token_is_refused_by_name(name: str) -> None:
    with pytest.raises(ValueError, match="is not a valid header name") as info:
        check_header(name, "s3cret")
    assert "s3cret" not in str(info.value)  # the value may be a secret


@pytest.mark.parametrize("value", ["a\rb", "a\nb", "a\0b"])
def test_a_value_that_would_break_the_header_block_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="X-Key not added: its value has a line break or NUL") as info:
        check_header("X-Key", value)
    assert value not in str(info.value)


def test_headers_come_as_websockets_takes_them() -> None:
    pairs = [("A", "1"), ("B", "2")]
    assert header_pairs(pairs) == pairs
    assert header_pairs({"A": "1", "B": 2}) == pairs
    assert header_pairs(Headers([("A", "1"), ("A", "x")])) == [("A", "1"), ("A", "x")]  # repeats kept


def test_subprotocols_are_comma_separated() -> None:
    assert check_subprotocols(" chat,  json ,, ") == ["chat", "json"]
    assert check_subprotocols("") == []


def test_options_take_the_settings_and_drop_empty_ones() -> None:
    before = {"max_size": 1, "subprotocols": ["old"], "additional_headers": [("A", "1")], "compression": None}
    after = updated_options(before, subprotocols=["chat"], headers=[("B", "2")], compression="deflate")
    assert after == {
        "max_size": 1,
        "subprotocols": ["chat"],
        "additional_headers": [("B", "2")],
        "compression": "deflate",
    }
    assert before["subprotocols"] == ["old"]  # a new dict: the old one is untouched
    cleared = updated_options(after, subprotocols=[], headers=[], compression=None)
    assert cleared == {"max_size": 1, "compression": None}


def test_options_with_a_bad_header_are_refused() -> None:
    with pytest.raises(ValueError, match="not a valid header name"):
        updated_options({}, subprotocols=[], headers=[("Bad Name", "v")], compression=None)


# -- unknown keyword options: a TypeError when the object is made --------------------------


async def test_a_misspelt_session_option_is_a_type_error_naming_the_closest_one() -> None:
    said = (
        r"^Session\(\) got an unexpected keyword argument 'reconnect_delay';"
        r" did you mean 'reconnect_delays'\?$"
    )
    with pytest.raises(TypeError, match=said):
        Session(reconnect_delay=[1.0])
    with pytest.raises(TypeError, match=r"'ping_intervall'; did you mean 'ping_interval'\?"):
        Session(ping_intervall=5)  # websockets' option, read from connect()'s signature
    with pytest.raises(TypeError, match=r"'zzz'$"):
        Session(zzz=1)  # nothing close: no guess


async def test_every_option_websockets_connect_takes_is_accepted_and_reaches_it(
    echo_server: EchoServer,
) -> None:
    # user_agent_header is connect()'s own; happy_eyeballs_delay goes on to create_connection().
    assert {"user_agent_header", "open_timeout", "ssl", "server_hostname"} <= CONNECT_OPTIONS
    session = Session(echo_server.url, user_agent_header="probe/1", happy_eyeballs_delay=0.1, open_timeout=5)
    await session.connect()
    assert session.channel is not None and session.channel.websocket is not None
    assert session.channel.websocket.request is not None
    assert session.channel.websocket.request.headers["User-Agent"] == "probe/1"
    session.close()


async def test_configure_and_the_channel_check_their_options_too(echo_server: EchoServer) -> None:
    session = Session(echo_server.url)
    before = dict(session.options)
    with pytest.raises(TypeError, match=r"^configure\(\) got .* 'max_sise'; did you mean 'max_size'\?$"):
        session.configure(max_sise=10)
    assert session.options == before  # nothing changed
    with pytest.raises(
        TypeError, match=r"WebSocketChannel.connect\(\) got .* 'compresion'; did you mean 'compression'"
    ):
        WebSocketChannel.connect(echo_server.url, compresion=None)
    session.close()
