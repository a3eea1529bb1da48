"""The server core with real websockets clients on 127.0.0.1: modes, sending, callbacks, closing."""

from __future__ import annotations

import asyncio
import gc
import socket
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.helpers import make_png, wait_for
from wsecho_widget.client.connection import ChannelError
from wsecho_widget.model.message import Message
from wsecho_widget.model.transcript import dump_message, parse_message
from wsecho_widget.server.hub import Hub


@pytest.fixture
async def hub() -> AsyncIterator[Hub]:
    hub = Hub(mode="manual")
    await asyncio.wait_for(hub.ready, 10)
    yield hub
    hub.close()
    await asyncio.wait_for(hub.closed, 10)


def notes(hub: Hub) -> list[str]:
    return [f"{n.client or '-'} {n.text}" for n in hub.notices]


async def test_echo_mode_sends_each_frame_back_to_its_sender_only() -> None:
    hub = Hub()  # 127.0.0.1, a free port, echo
    await hub.ready
    assert hub.status == "listening" and hub.mode == "echo"
    assert hub.url.startswith("ws://127.0.0.1:") and hub.port > 0
    png = make_png()
    async with connect(hub.url) as a, connect(hub.url) as b:
        await a.send("héllo")
        await a.send(png)
        assert await a.recv() == "héllo"
        assert await a.recv() == png
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(b.recv(), 0.2)
    got = [(m.direction, m.client, m.data) for m in hub.messages]
    assert got == [
        ("received", "c1", "héllo"),
        ("sent", "c1", "héllo"),
        ("received", "c1", png),
        ("sent", "c1", png),
    ]
    hub.close()
    await hub.closed


async def test_clients_are_named_in_order_and_say_who_they_are(hub: Hub) -> None:
    async with (
        connect(hub.url + "/feed?room=1", additional_headers={"Authorization": "Bearer x"}) as a,
        connect(hub.url + "/other") as b,
    ):
        await wait_for(lambda: len(hub.clients) == 2, what="two clients")
        c1, c2 = hub.clients
        assert (c1.id, c2.id) == ("c1", "c2")
        assert c1.remote_address == a.local_address[:2]
        assert c1.path == "/feed?room=1" and c2.path == "/other"
        assert c1.subprotocol is None
        assert isinstance(c1.connected_at, datetime) and c1.connected_at.tzinfo is not None
        assert c1.request_headers["Authorization"] == "Bearer x"  # as received
        assert "Bearer" not in repr(c1)
        assert hub.client("c2") is c2
        del b
    await wait_for(lambda: not hub.clients, what="both gone")
    assert any(n.startswith("c1 disconnected: 1000") for n in notes(hub)), notes(hub)


async def test_manual_mode_receive_and_send_to_one_some_or_all(hub: Hub) -> None:
    async with connect(hub.url) as a, connect(hub.url) as b, connect(hub.url) as c:
        await wait_for(lambda: len(hub.clients) == 3, what="three clients")
        await b.send("from b")
        message = await hub.receive(timeout=5)
        assert (message.client, message.data) == ("c2", "from b")
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(b.recv(), 0.1)  # manual: no echo
        assert hub.send("to b", to=message.client) == 1
        assert await b.recv() == "to b"
        assert hub.send(b"\x00\x01", to=[hub.clients[0], "c3"]) == 2
        assert await a.recv() == b"\x00\x01" and await c.recv() == b"\x00\x01"
        assert hub.send("all") == 3
        assert [await ws.recv() for ws in (a, b, c)] == ["all"] * 3
    sent = [(m.client, m.data) for m in hub.messages if m.direction == "sent"]
    assert sent == [("c2", "to b"), ("c1", b"\x00\x01"), ("c3", b"\x00\x01"), ("*", "all")]


async def test_send_to_a_client_that_left_or_never_was_says_so(hub: Hub) -> None:
    async with connect(hub.url):
        await wait_for(lambda: hub.clients, what="a client")
        gone = hub.clients[0]
    await wait_for(lambda: not hub.clients, what="gone")
    with pytest.raises(ChannelError, match="c1 has disconnected"):
        hub.send("x", to="c1")
    with pytest.raises(ChannelError, match="c1 has disconnected"):
        hub.send("x", to=gone)
    with pytest.raises(ValueError, match="no client 'c9'"):
        hub.send("x", to="c9")
    with pytest.raises(TypeError, match="not int"):
        hub.send(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"not valid Unicode \(at position 2\)"):
        hub.send("ab\ud800")
    assert hub.send("nobody") == 0
    assert not [m for m in hub.messages if m.direction == "sent"]


async def test_callbacks_sync_and_async_reply_and_their_faults_are_reported(hub: Hub) -> None:
    seen: list[str] = []

    def shout(message: object) -> None:
        hub.send(str(getattr(message, "data", "")).upper(), to=getattr(message, "client", None))

    async def slow_reply(message: object) -> None:
        await asyncio.sleep(0.01)
        hub.send("later", to=getattr(message, "client", None))

    def broken(message: object) -> None:
        raise ValueError("boom")

    async def broken_async(client: object) -> None:
        raise RuntimeError("async boom")

    hub.on_message(shout)
    hub.on_message(slow_reply)
    hub.on_message(broken)
    hub.on_connect(lambda client: seen.append(f"+{client.id}"))
    hub.on_connect(broken_async)
    hub.on_disconnect(lambda client: seen.append(f"-{client.id}"))
    async with connect(hub.url) as ws:
        await ws.send("hi")
        assert await ws.recv() == "HI"
        assert await ws.recv() == "later"
        await ws.send("again")  # the server still works after the faults
        assert await ws.recv() == "AGAIN"
        assert await ws.recv() == "later"
    await wait_for(lambda: seen == ["+c1", "-c1"], what="connect and disconnect callbacks")
    faults = [n for n in notes(hub) if "failed" in n]
    assert sum("broken failed: ValueError: boom" in n for n in faults) == 2, faults
    assert sum("broken_async failed: RuntimeError: async boom" in n for n in faults) == 1, faults
    with pytest.warns(DeprecationWarning, match=r"remove_callback\(\) is deprecated since 0.3"):
        hub.remove_callback(shout)
    async with connect(hub.url) as ws:
        await ws.send("quiet")
        assert await ws.recv() == "later"


async def test_one_subscribe_tells_of_everything_and_what_it_returns_stops_it_all(hub: Hub) -> None:
    told: list[str] = []
    stop = hub.subscribe(
        on_message=lambda m: told.append(f"message {m.data}"),
        on_connect=lambda c: told.append(f"connect {c.id}"),
        on_disconnect=lambda c: told.append(f"disconnect {c.id}"),
        on_record=lambda m: told.append(f"record {m.direction} {m.data}"),
        on_notice=lambda n: told.append(f"notice {n.text.split()[0]}"),
        on_client=lambda c: told.append(f"client {c.id}"),
    )
    async with connect(hub.url) as ws:
        await ws.send("hi")
        assert (await hub.receive()).data == "hi"
        hub.send("hi", to="c1")
        assert await ws.recv() == "hi"
    await wait_for(lambda: "disconnect c1" in told, what="the disconnect callback")
    assert told == [
        "notice connected",
        "client c1",
        "connect c1",
        "record received hi",
        "message hi",
        "record sent hi",
        "notice disconnected:",
        "client c1",
        "disconnect c1",
    ]
    stop()
    stop()  # twice is fine
    told.clear()
    async with connect(hub.url) as ws:
        await ws.send("again")
        assert (await hub.receive()).data == "again"
    await wait_for(lambda: not hub.clients, what="the client to go")
    assert told == []
    with pytest.raises(TypeError, match="on_notice takes a callable, not int"):
        hub.subscribe(on_notice=1)  # type: ignore[arg-type]


async def test_the_old_listener_lists_still_work_and_warn(hub: Hub) -> None:
    statuses: list[str] = []
    with pytest.warns(DeprecationWarning, match=r"Hub.status_listeners.append\(\) is deprecated"):
        hub.status_listeners.append(lambda status, detail: statuses.append(status))
    hub.close()
    await hub.closed
    assert statuses == ["closed"]


async def test_close_codes_both_ways(hub: Hub) -> None:
    async with connect(hub.url) as ws:
        await wait_for(lambda: hub.clients, what="a client")
        await hub.disconnect("c1", 4001, "go away")
        assert ws.close_code == 4001 and ws.close_reason == "go away"
    assert notes(hub)[-1] == "c1 closed by server: 4001 (application code): go away"
    async with connect(hub.url) as ws:
        await wait_for(lambda: hub.clients, what="a client")
        await ws.close(4000, "bye")
    await wait_for(lambda: not hub.clients, what="c2 gone")
    assert notes(hub)[-1] == "c2 disconnected: 4000 (application code): bye"
    assert (hub.messages.totals.sent_messages, hub.messages.totals.received_messages) == (0, 0)


async def test_oversize_closes_that_client_with_1009_and_bad_utf8_with_1007() -> None:
    hub = Hub(max_size=1000)
    await hub.ready
    async with connect(hub.url) as big, connect(hub.url) as bystander, connect(hub.url) as bad:
        await big.send(b"x" * 2000)
        with pytest.raises(ConnectionClosed):
            await big.recv()
        assert big.close_code == 1009
        # A text frame that is not UTF-8, written by hand: websockets' client would refuse.
        bad.protocol.send_text(b"\xff\xfe")
        bad.send_data()
        with pytest.raises(ConnectionClosed):
            await bad.recv()
        assert bad.close_code == 1007
        await bystander.send("still here")
        assert await bystander.recv() == "still here"
    said = notes(hub)
    assert any(n.startswith("c1 closed by server: 1009 (message too big)") for n in said), said
    assert any(n.startswith("c3 closed by server: 1007 (invalid data)") for n in said), said
    hub.close()
    await hub.closed


async def test_a_client_that_vanishes_is_noticed_by_keepalive() -> None:
    hub = Hub(ping_interval=0.2, ping_timeout=0.3, close_timeout=0.3)
    await hub.ready
    gone = []
    hub.on_disconnect(gone.append)
    async with connect(hub.url, ping_interval=None) as ws:
        await wait_for(lambda: hub.clients, what="a client")
        ws.transport.pause_reading()  # no more pongs: to the server it has vanished
        await wait_for(lambda: gone, timeout=5, what="the vanished client noticed")
        ws.transport.abort()
    assert notes(hub)[-1] == "c1 gone: no pong within 0.3 s (vanished without a close)"
    hub.close()
    await hub.closed


async def test_close_ends_clients_with_1001_tasks_and_the_socket() -> None:
    hub = Hub()
    await hub.ready
    port = hub.port
    async with connect(hub.url) as a, connect(hub.url) as b:
        await wait_for(lambda: len(hub.clients) == 2, what="two clients")
        hub.close()
        assert hub.status == "closed"
        await asyncio.wait_for(hub.closed, 10)
        await a.wait_closed()
        await b.wait_closed()
        assert a.close_code == b.close_code == 1001
    assert not hub.tasks and not hub.clients
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # nothing listens any more
    with pytest.raises(ChannelError, match="closed"):
        hub.send("late")
    with pytest.raises(ChannelError, match="nothing to receive"):
        await hub.receive(timeout=1)


async def test_ready_fails_with_one_line_when_the_port_is_taken(hub: Hub) -> None:
    other = Hub(port=hub.port)
    with pytest.raises(ChannelError, match=rf"cannot listen on 127.0.0.1:{hub.port}: .*in use"):
        await other.ready
    assert other.status == "error"
    other.close()


async def test_receive_times_out_with_a_clear_message(hub: Hub) -> None:
    with pytest.raises(TimeoutError, match=r"no message received within 0\.05 s"):
        await hub.receive(timeout=0.05)


def test_a_server_message_round_trips_through_a_transcript_with_its_client() -> None:
    from wsecho_widget.model.message import Message

    message = Message("received", "hi", 1.5, client="c7")
    again = parse_message(dump_message(message))
    assert again == message and again.client == "c7"
    assert '"client"' not in dump_message(Message("sent", "x", 1.0))


async def test_broadcast_to_clients_with_and_without_compression() -> None:
    # A frame is framed once for all; a client that negotiated permessage-deflate
    # gets it framed (and compressed) by websockets instead.
    hub = Hub(mode="manual", compression="deflate")
    await hub.ready
    async with connect(hub.url) as deflated, connect(hub.url, compression=None) as plain:
        await wait_for(lambda: len(hub.clients) == 2, what="two clients")
        assert [bool(c.websocket.protocol.extensions) for c in hub.clients] == [True, False]
        for frame in ("x" * 500, b"\x00" * 300, "é"):
            assert hub.send(frame) == 2
            assert await deflated.recv() == frame
            assert await plain.recv() == frame
    hub.close()
    await hub.closed


async def test_bad_settings_fail_at_once_with_one_line() -> None:
    with pytest.raises(ValueError, match="mode must be 'echo' or 'manual'"):
        Hub(mode="loud")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"subprotocols is a list, e.g. \['chat'\]"):
        Hub(subprotocols="chat")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="path must start with '/'"):
        Hub(path="ws")


def test_without_a_running_loop_it_says_how_to_get_one() -> None:
    with pytest.raises(RuntimeError, match="needs a running asyncio event loop"):
        Hub()


async def test_a_subprotocol_is_agreed_and_shown() -> None:
    hub = Hub(subprotocols=["chat.v2"])
    await hub.ready
    async with connect(hub.url, subprotocols=["chat.v2"]) as ws:
        await wait_for(lambda: hub.clients, what="a client")
        assert ws.subprotocol == "chat.v2" and hub.clients[0].subprotocol == "chat.v2"
    assert "subprotocol chat.v2" in notes(hub)[1]
    hub.close()
    await hub.closed


def test_a_server_history_as_a_table_has_the_client_column() -> None:
    pytest.importorskip("pandas")
    from wsecho_widget.model.message import History, Message

    history = History()
    history.extend([Message("received", "hi", 1.0, client="c1"), Message("sent", "all", 2.0, client="*")])
    assert history.to_pandas()["client"].tolist() == ["c1", "*"]


async def test_tls_gives_a_wss_url_and_the_token_travels_inside_it() -> None:
    import ssl

    import trustme

    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    ca.configure_trust(client_context)
    hub = Hub(ssl=server_context, token="over-tls")
    await hub.ready
    try:
        assert hub.url.startswith("wss://127.0.0.1:")
        async with connect(f"{hub.url}/?token=over-tls", ssl=client_context) as ws:
            await ws.send("secure")
            assert await ws.recv() == "secure"
        with pytest.raises(InvalidStatus):
            await connect(hub.url, ssl=client_context)
    finally:
        hub.close()
        await hub.closed


async def test_a_misspelt_hub_option_is_a_type_error_before_it_listens() -> None:
    with pytest.raises(TypeError, match=r"^Hub\(\) got .* 'max_client'; did you mean 'max_clients'\?$"):
        Hub(max_client=3)
    with pytest.raises(TypeError, match=r"'backlg'; did you mean 'backlog'\?"):
        Hub(backlg=10)  # create_server()'s, through serve()
    hub = Hub(backlog=10, open_timeout=3)  # both valid: listens
    await hub.ready
    hub.close()
    await hub.closed


async def test_expect_takes_one_clients_match_and_leaves_the_rest_in_order(hub: Hub) -> None:
    from wsecho_widget.model.match import ExpectationFailed

    async with connect(hub.url) as a, connect(hub.url) as b:
        await a.send("ready")
        await wait_for(lambda: len(hub.messages) == 1, what="a's message")
        await b.send("ready")
        await b.send("done")
        first_b = await hub.expect("ready", within=5, client=hub.clients[1].id)
        assert first_b.client == hub.clients[1].id
        assert [(await hub.receive(1)).data for _ in range(2)] == ["ready", "done"]  # a's, then b's
        with pytest.raises(ExpectationFailed, match=r"expected text 'nope' within 0\.05 s; the last 3 seen"):
            await hub.expect("nope", within=0.05)
        assert hub._records.inbox.waiters == 0


async def test_unwatched_frames_are_rows_the_collector_skips_and_read_as_one_message_each() -> None:
    """With nobody told of each message, the hub keeps rows (issue: load, GC pauses), yet every
    read gives one Message: receive(), expect() and the history agree on the very object."""
    from wsecho_widget.model.match import ExpectationFailed

    hub = Hub()  # echo: each frame recorded twice
    await hub.ready
    try:
        assert not hub.callbacks.watched
        async with connect(hub.url) as ws:
            for text in ("one", "two", "three"):
                await ws.send(text)
                assert await ws.recv() == text
        kept = list(hub.messages._messages)
        gc.collect()
        assert len(kept) == 6 and all(type(row) is tuple and not gc.is_tracked(row) for row in kept)
        assert hub.messages.totals.summary() == "sent 3 (11 B) · received 3 (11 B)"
        first = await hub.receive(1)
        assert first.data == "one" and first.client == "c1" and first is hub.messages[0]
        three = await hub.expect("three", within=1, client="c1")
        assert three is hub.messages[4] and three.direction == "received"
        assert [(m.direction, m.data) for m in hub.messages][-2:] == [
            ("received", "three"),
            ("sent", "three"),
        ]
        assert (await hub.receive(1)) is hub.messages[2]  # "two", left in its place by expect()
        with pytest.raises(ExpectationFailed) as failed:
            await hub.expect("nope", within=0.05)
        assert "'three'" in str(failed.value) and "('received'" not in str(failed.value)
    finally:
        hub.close()
        await hub.closed


async def test_watched_frames_are_the_messages_the_callbacks_were_given() -> None:
    """The path with subscribers still tells each one, with the object the history keeps."""
    hub = Hub()
    await hub.ready
    recorded: list[Message] = []
    told: list[Message] = []
    try:
        stop = hub.subscribe(on_record=recorded.append)
        hub.on_message(told.append)
        assert hub.callbacks.watched
        async with connect(hub.url) as ws:
            await ws.send("watched")
            assert await ws.recv() == "watched"
            await wait_for(lambda: len(told) == 1, what="the on_message callback")
            stop()
            assert hub.callbacks.watched  # on_message still listens
            await ws.send("still")
            assert await ws.recv() == "still"
            await wait_for(lambda: len(told) == 2, what="the second on_message call")
        assert [(m.direction, m.data) for m in recorded] == [("received", "watched"), ("sent", "watched")]
        assert recorded == list(hub.messages)[:2] and all(
            a is b for a, b in zip(recorded, hub.messages[:2], strict=True)
        )
        assert told[0] is hub.messages[0] and told[1] is hub.messages[2]
        assert all(type(item) is Message for item in hub.messages._messages)
        assert (await hub.receive(1)) is told[0] and (await hub.receive(1)) is told[1]
    finally:
        hub.close()
        await hub.closed
