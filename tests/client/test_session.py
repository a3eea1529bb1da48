"""Session against a real echo server: options, observers, receiving, closing. No widgets."""

from __future__ import annotations

import asyncio
import sys
from asyncio.subprocess import PIPE
from collections.abc import Sequence
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers

from tests.helpers import wait_for
from wsecho_widget import ChannelError, EchoServer, Message, Session, WebSocketChannel
from wsecho_widget.client.session import Status

# -- configure -------------------------------------------------------------------------


async def test_configure_sets_what_the_next_connect_uses() -> None:
    seen: dict[str, Any] = {}

    async def handler(ws: ServerConnection) -> None:
        assert ws.request is not None
        seen.update(auth=ws.request.headers.get("Authorization"), sub=ws.subprotocol)
        seen["ext"] = ws.request.headers.get("Sec-WebSocket-Extensions")
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0, subprotocols=["chat"]) as server:
        url = f"ws://127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}"
        session = Session(reconnect=False, additional_headers=Headers({"X-Old": "1"}))
        assert session.options["additional_headers"] == [("X-Old", "1")]
        session.configure(
            url=url,
            subprotocols="chat, json",
            headers={"Authorization": " Bearer t0k "},
            compression="deflate",
        )
        assert session.url == url
        assert session.options["subprotocols"] == ["chat", "json"]
        assert session.options["additional_headers"] == [("Authorization", "Bearer t0k")]
        await session.connect()
        assert session.channel is not None and session.channel.subprotocol == "chat"
        assert seen["auth"] == "Bearer t0k"
        assert "permessage-deflate" in seen["ext"]
        # Empty means none; KEEP (the default) leaves compression alone.
        session.configure(subprotocols=[], headers=[])
        assert "subprotocols" not in session.options
        assert "additional_headers" not in session.options
        assert session.options["compression"] == "deflate"
        session.configure(compression=None)
        assert session.options["compression"] is None
        session.close()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"headers": {"Bad Name": "x"}}, "header not added: 'Bad Name' is not a valid header name"),
        ({"headers": [("X-A", "1\r\nX-Injected: 2")]}, "header X-A not added: its value has a line break"),
        ({"headers": {"X-A": "nul\0"}}, "header X-A not added: its value has a line break or NUL"),
        ({"headers": {"": "v"}}, "header not added: '' is not a valid header name"),
        ({"headers": "Authorization: x"}, "headers are a mapping or (name, value) pairs, not a string"),
        ({"subprotocols": ["chat v2"]}, "'chat v2' is not a valid subprotocol name"),
        ({"subprotocols": 'a, "b"'}, "'\"b\"' is not a valid subprotocol name"),
        ({"compression": "gzip"}, "compression is 'deflate' or None, not 'gzip'"),
        ({"url": "http://u:pw@host/?t=1"}, "invalid URL 'http://***@host/?t=***'"),
    ],
)
async def test_configure_rejects_bad_values_with_one_line_and_changes_nothing(
    kwargs: dict[str, Any], message: str
) -> None:
    session = Session(subprotocols=["keep"], additional_headers={"X-Keep": "1"})
    before = (session.url, dict(session.options))
    # The good values given with the bad one are not applied either.
    with pytest.raises(ValueError) as info:
        session.configure(**{"compression": "deflate", "subprotocols": ["other"], **kwargs})
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)
    assert (session.url, session.options) == before
    session.close()


async def test_header_values_are_never_quoted_in_errors() -> None:
    session = Session()
    with pytest.raises(ValueError) as info:
        session.configure(headers=[("Authorization", "s3cret\n")])
    assert "s3cret" not in str(info.value)
    session.close()


async def test_constructor_options_are_checked_like_configure() -> None:
    with pytest.raises(ValueError, match="not a valid header name"):
        Session(additional_headers={"a b": "1"})


# -- observers -------------------------------------------------------------------------


async def test_subscribe_sees_every_message_once_in_order_and_unsubscribes(echo_server: EchoServer) -> None:
    session = Session(echo_server.url)
    batches: list[list[tuple[str, Any]]] = []
    statuses: list[tuple[Status, str]] = []
    stop = session.subscribe(
        on_messages=lambda ms: batches.append([(m.direction, m.data) for m in ms]),
        on_status=lambda status, detail: statuses.append((status, detail)),
    )
    await session.connect()
    for text in ("one", "two", "three"):
        session.send(text)
    await wait_for(lambda: session.history.totals.received_messages == 3)
    flat = [item for batch in batches for item in batch]
    assert [m for m in flat if m[0] == "sent"] == [("sent", "one"), ("sent", "two"), ("sent", "three")]
    assert [m for m in flat if m[0] == "received"] == [
        ("received", "one"),
        ("received", "two"),
        ("received", "three"),
    ]
    assert flat == [(m.direction, m.data) for m in session.history]
    assert statuses[0][0] == "connecting" and statuses[-1][0] == "open"
    stop()
    stop()  # twice is fine
    session.send("four")
    await session.receive()
    await session.receive()
    await session.receive()
    assert (await session.receive()).data == "four"
    assert len(flat) == 6 and sum(len(b) for b in batches) == 6
    session.close()


async def test_status_and_detail_change_together(echo_server: EchoServer) -> None:
    session = Session(echo_server.url)
    seen: list[tuple[Status, str, Status, str]] = []
    session.subscribe(on_status=lambda s, d: seen.append((s, d, session.status, session.detail)))
    await session.connect()
    await session.disconnect(4000, "bye")
    assert seen, "no status change seen"
    for status, detail, now_status, now_detail in seen:
        assert (status, detail) == (now_status, now_detail)
    assert [s for s, *_ in seen] == ["connecting", "open", "closing", "closed"]
    session.close()


async def test_a_failing_subscriber_is_reported_and_never_stops_the_others(echo_server: EchoServer) -> None:
    loop = asyncio.get_running_loop()
    reported: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _, context: reported.append(context))
    try:
        got: list[str | bytes] = []

        def broken(messages: Sequence[Message]) -> None:
            raise ValueError("bug in a subscriber")

        session = Session(echo_server.url, on_messages=broken)
        session.subscribe(on_messages=lambda ms: got.extend(m.data for m in ms if m.direction == "received"))
        await session.connect()
        session.send("a")
        session.send("b")
        assert [(await session.receive()).data, (await session.receive()).data] == ["a", "b"]
        assert got == ["a", "b"]
        assert session.status == "open"
        assert {str(c["exception"]) for c in reported} == {"bug in a subscriber"}
        session.close()
    finally:
        loop.set_exception_handler(None)


async def test_constructor_shorthands_and_listeners_still_work(echo_server: EchoServer) -> None:
    each: list[Message] = []
    heard: list[Message] = []
    session = Session(echo_server.url, on_message=each.append)
    with pytest.warns(DeprecationWarning, match="Session.listeners.append"):
        session.listeners.append(heard.append)  # deprecated, still called once per received message
    await session.connect()
    session.send("x")
    await session.receive()
    assert [(m.direction, m.data) for m in each] == [("sent", "x"), ("received", "x")]
    assert [(m.direction, m.data) for m in heard] == [("received", "x")]
    session.close()


def test_subscribe_takes_callables_only() -> None:
    async def main() -> None:
        session = Session()
        with pytest.raises(TypeError, match="on_messages takes a callable, not str"):
            session.subscribe(on_messages="nope")  # type: ignore[arg-type]
        session.close()

    asyncio.run(main())


# -- receive and close -----------------------------------------------------------------


async def test_receive_that_times_out_or_is_cancelled_leaves_no_waiter(echo_server: EchoServer) -> None:
    session = Session(echo_server.url)
    await session.connect()
    with pytest.raises(TimeoutError):
        await session.receive(timeout=0.01)
    task = asyncio.ensure_future(session.receive(timeout=None))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    session.send("mine")
    assert (await session.receive()).data == "mine"
    assert session.unread == 0
    session.close()


# In a process of its own: nest-asyncio2 swaps asyncio's C Task and Future for the
# pure-Python ones for the rest of the process, which would skew every later test
# (the leak test in test_network_faults.py measures 3 times the memory).
RUNNING_LOOP = """
import asyncio, sys
from wsecho_widget import Session

async def main(url):
    session = Session(url)
    await session.connect()
    session.send("hi")
    print(session.wait_for_reply(5).data)
    try:
        session.wait_for_reply(0.05)
    except TimeoutError as exc:
        print(exc)
    session.send("next")
    print((await session.receive()).data)
    session.close()
    print("nested with nest-asyncio2:", hasattr(asyncio, "_nest_patched"))

asyncio.run(main(sys.argv[1]))
"""


async def test_wait_for_reply_in_a_running_loop(echo_server: EchoServer) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", RUNNING_LOOP, echo_server.url, stdout=PIPE, stderr=PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert out.decode().splitlines() == [
        "hi",
        "no message received within 0.05 s",
        "next",
        "nested with nest-asyncio2: True",
    ]


async def test_closed_is_public_and_final(echo_server: EchoServer) -> None:
    session = Session(echo_server.url)
    await session.connect()
    assert not session.closed
    session.close()
    assert session.closed
    assert (session.status, session.detail) == ("closed", "panel closed")
    with pytest.raises(ChannelError, match="closed: create a new one"):
        session.connect()


@pytest.mark.parametrize(("code", "status", "retried"), [(1000, "closed", False), (4000, "error", True)])
async def test_server_closes_are_classified_as_before(code: int, status: str, retried: bool) -> None:
    # The stream now ends quietly on any close; the session still decides on the code.
    async def handler(ws: ServerConnection) -> None:
        await ws.close(code, "bye")

    async with serve(handler, "127.0.0.1", 0) as server:
        url = f"ws://127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}"
        session = Session(url, reconnect_delays=[5.0])
        await session.connect()
        await wait_for(lambda: session.status != "open")
        assert session.status == ("connecting" if retried else status)
        assert f"closed by server: {code}" in session.detail
        session.close()


@pytest.mark.parametrize(("code", "final", "status"), [(1000, False, "connecting"), (4000, True, "error")])
async def test_is_final_overrides_the_close_code(code: int, final: bool, status: str) -> None:
    # A protocol's own reconnect policy: Engine.IO closes with 1000 when its server
    # restarts (retry), GraphQL closes with 44xx to refuse us (stop).
    seen: list[int | None] = []

    def is_final(channel: WebSocketChannel) -> bool:
        seen.append(channel.close_code)
        return final

    async def handler(ws: ServerConnection) -> None:
        await ws.close(code, "bye")

    async with serve(handler, "127.0.0.1", 0) as server:
        url = f"ws://127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}"
        session = Session(url, reconnect_delays=[5.0], is_final=is_final)
        await session.connect()
        await wait_for(lambda: session.status != "open")
        assert (session.status, seen) == (status, [code])
        assert session.detail.startswith("reconnecting in 5.0 s") != final
        assert session.detail.endswith("not reconnecting") == final
        session.close()
