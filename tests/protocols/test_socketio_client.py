"""SocketIOClient against a real python-socketio server on 127.0.0.1."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

pytest.importorskip("socketio", reason="install the test extra: pip install -e .[test]")

from websockets.asyncio.server import ServerConnection

from tests.helpers import make_png, wait_for
from tests.hostile import socketio_by_hand
from tests.protocol_servers import (
    FAST,
    TOKEN,
    SocketIOServer,
    socketio_client,  # noqa: F401 (the fixture `client`)
    socketio_server,  # noqa: F401 (the fixture `server`)
)
from wsecho_widget import ChannelError
from wsecho_widget.protocols.socketio.client import SocketIOClient, SocketIOError


async def test_joins_the_namespace_with_a_sid(server: SocketIOServer, client: SocketIOClient) -> None:
    assert client.status == "open"
    assert client.sid is not None and len(client.sid) > 8
    assert ("connect", client.sid, None) in server.seen
    assert client.session.url == f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket"
    assert f"sid {client.sid}" in client.detail
    # The raw frames are the session's history: Engine.IO open, our join, the server's answer.
    raw = [m.data for m in client.messages]
    assert raw[0].startswith("0{") and raw[1] == "40" and raw[2] == f'40{{"sid":"{client.sid}"}}'


async def test_events_both_ways(server: SocketIOServer, client: SocketIOClient) -> None:
    got: list[tuple[Any, ...]] = []
    client.on("chat", lambda *args: got.append(args))
    client.emit("chat", "hi", {"n": 1})
    event = await client.receive_event(timeout=5)
    assert (event.name, event.args, event.namespace, event.direction) == (
        "chat",
        ["echo", "hi", {"n": 1}],
        "/",
        "received",
    )
    assert event.time.tzinfo is not None
    assert ("chat", client.sid, ["hi", {"n": 1}]) in server.seen
    assert got == [("echo", "hi", {"n": 1})]
    assert [(e.direction, e.name) for e in client.events] == [("sent", "chat"), ("received", "chat")]
    assert '42["chat","hi",{"n":1}]' in [m.data for m in client.messages]


async def test_async_callback_and_ack_to_a_server_call(
    server: SocketIOServer, client: SocketIOClient
) -> None:
    @client.on("question")
    async def answer(question: str) -> str:
        await asyncio.sleep(0.01)
        return f"{question} 4"

    client.emit("ask", "2+2?")
    await wait_for(lambda: any(s[0] == "answer" for s in server.seen), what="the server got its ack")
    assert ("answer", client.sid, "2+2? 4") in server.seen


async def test_call_returns_the_ack_arguments(client: SocketIOClient) -> None:
    assert await client.call("add", 1, 2, timeout=5.0) == [3]
    # An event the server has no handler for gets no ack: the call times out, in words.
    with pytest.raises(TimeoutError, match=r"no ack for 'nobody-listens' within 0\.3 s"):
        await client.call("nobody-listens", timeout=0.3)


async def test_binary_attachments_both_ways(server: SocketIOServer, client: SocketIOClient) -> None:
    png = make_png()
    assert await client.call("picture", "dot.png", png, timeout=5.0) == ["bytes", len(png)]
    assert ("picture", client.sid, ["dot.png", png]) in server.seen
    event = await client.receive_event(timeout=5)
    assert event.name == "picture" and event.args == ["dot.png", png]
    sent = [m.data for m in client.messages if m.direction == "sent"]
    assert any(
        isinstance(d, str) and d.startswith('451-1["picture","dot.png",{"_placeholder":true') for d in sent
    )
    assert png in sent


async def test_a_refusing_namespace_says_why_and_does_not_retry(server: SocketIOServer) -> None:
    client = SocketIOClient(server.url, namespace="/private", auth={"token": "wrong"}, **FAST)
    try:
        with pytest.raises(SocketIOError, match="namespace /private refused by the server: Not authorized"):
            await asyncio.wait_for(client.ready, 5)
        await wait_for(lambda: client.session.status == "closed", what="the session closed")
        assert client.status == "error"
        assert client.detail.endswith("not reconnecting")
        await asyncio.sleep(0.5)  # longer than the reconnect delays: nothing tries again
        assert client.session.status == "closed"
        assert sum(1 for m in client.messages if m.data == '40/private,{"token":"wrong"}') == 1
        with pytest.raises(ChannelError, match="not connected"):
            client.emit("chat", "x")
    finally:
        client.close()
    good = SocketIOClient(server.url, namespace="/private", auth={"token": TOKEN})
    try:
        await asyncio.wait_for(good.ready, 5)
        assert ("connect /private", good.sid, {"token": TOKEN}) in server.seen
    finally:
        good.close()


@pytest.mark.slow
async def test_heartbeats_keep_it_alive_for_ten_intervals() -> None:
    # The server pings every 0.25 s, so ten intervals take 2.5 s. python-engineio tells
    # the client whole seconds (int() of interval + grace period), so a 0.75 s grace makes
    # it say 1 s. A client that did not answer the pings is dropped by the server after
    # 0.25 + 1 s; a client watchdog (told 1 + 1 s) that the pings did not re-arm fires after 2 s.
    async with SocketIOServer(ping_interval=(0.25, 0.75), ping_timeout=1) as server:
        client = SocketIOClient(server.url, ping_interval=None)  # only Engine.IO's heartbeats
        try:
            await asyncio.wait_for(client.ready, 5)
            assert client.engine is not None
            assert (client.engine.ping_interval, client.engine.ping_timeout) == (1, 1)
            sid = client.sid
            await asyncio.sleep(2.5)
            assert client.status == "open" and client.sid == sid
            assert client.heartbeats >= 8
            assert not [s for s in server.seen if s[0] == "disconnect"]
            assert not [e for e in client.events]  # heartbeats are not events
            assert sum(1 for m in client.messages if m.data == "3") == client.heartbeats
            assert await client.call("add", 2, 2) == [4]
        finally:
            client.close()


@pytest.mark.slow
async def test_a_server_restart_is_followed_by_a_rejoin(server: SocketIOServer) -> None:
    client = SocketIOClient(server.url, **FAST)
    try:
        await asyncio.wait_for(client.ready, 5)
        first = client.sid
        await server.stop()
        await wait_for(lambda: client.status == "connecting", what="reconnecting")
        assert "reconnecting" in client.detail
        client.emit("chat", "while down")  # waits for the next join
        await asyncio.sleep(0.3)
        await server.start()
        await asyncio.wait_for(client.ready, 10)
        assert client.sid is not None and client.sid != first
        event = await client.receive_event(timeout=5)
        assert event.args == ["echo", "while down"]
        assert ("chat", client.sid, ["while down"]) in server.seen
    finally:
        client.close()


async def test_the_server_disconnecting_the_namespace_is_final(server: SocketIOServer) -> None:
    client = SocketIOClient(server.url, **FAST)
    try:
        await asyncio.wait_for(client.ready, 5)
        client.emit("kick")
        await wait_for(lambda: client.session.status == "closed", what="closed")
        assert client.status == "closed"
        assert client.detail == "the server disconnected namespace /; not reconnecting"
        await asyncio.sleep(0.5)
        assert sum(1 for s in server.seen if s[0] == "connect") == 1
        with pytest.raises(ChannelError, match="no event to receive"):
            await client.receive_event(timeout=1)
        await asyncio.wait_for(client.connect(), 5)  # the user may join again
        assert client.status == "open"
    finally:
        client.close()


async def test_disconnect_leaves_the_namespace(server: SocketIOServer, client: SocketIOClient) -> None:
    sid = client.sid
    await client.disconnect()
    assert client.status == "closed"
    assert "41" in [m.data for m in client.messages if m.direction == "sent"]
    await wait_for(lambda: ("disconnect", sid, "client disconnect") in server.seen, what="server saw it")


async def test_bad_packets_are_notices_not_failures() -> None:
    async def handler(ws: ServerConnection) -> None:
        await ws.send('0{"sid":"e","upgrades":[],"pingInterval":25000,"pingTimeout":5000,"maxPayload":64}')
        assert await ws.recv() == "40"
        await ws.send('40{"sid":"s1"}')
        for frame in ("42", b"\x00stray", '451-["x",{"_placeholder":true,"num":5}]', '42["ok",1]'):
            await ws.send(frame)
        await ws.wait_closed()

    async with socketio_by_hand(handler) as (client, notices):
        await asyncio.wait_for(client.ready, 5)
        event = await client.receive_event(timeout=5)
        assert (event.name, event.args) == ("ok", [1])
        assert notices == [
            "bad packet from the server: event packet without an event name",
            "bad packet from the server: binary frame of 6 bytes that no packet announced",
            "bad packet from the server: binary packet with placeholders that do not match its 1 attachments",
        ]
        with pytest.raises(ValueError, match="the server takes at most 64"):
            client.emit("chat", "x" * 100)  # maxPayload from the server's open packet
        with pytest.raises(ValueError, match="reserved"):
            client.emit("connect")


async def test_a_server_that_stops_pinging_is_dropped_and_rejoined() -> None:
    # Engine.IO's rule: no ping within pingInterval + pingTimeout (0.2 + 0.2 s here)
    # means the server is gone, though its TCP and WebSocket still answer.
    joins: list[str] = []

    async def handler(ws: ServerConnection) -> None:
        await ws.send('0{"sid":"e","upgrades":[],"pingInterval":200,"pingTimeout":200,"maxPayload":1000}')
        joins.append(str(await ws.recv()))
        await ws.send(f'40{{"sid":"s{len(joins)}"}}')
        await ws.wait_closed()  # and never pings

    async with socketio_by_hand(handler, reconnect_delays=[0.05]) as (client, notices):
        await asyncio.wait_for(client.ready, 5)
        assert client.sid == "s1"
        await wait_for(lambda: client.sid == "s2", what="the rejoin")
        assert notices[0] == "no heartbeat from the Socket.IO server within 0.4 s: connection lost"
        assert joins[:2] == ["40", "40"]


async def test_disconnect_while_waiting_to_reconnect(server: SocketIOServer) -> None:
    client = SocketIOClient(server.url, reconnect_delays=[5.0])
    try:
        await asyncio.wait_for(client.ready, 5)
        await server.stop()
        await wait_for(lambda: client.detail.startswith("reconnecting in 5.0 s"), what="the wait")
        await client.disconnect()
        assert (client.status, client.detail) == ("closed", "disconnected")
        await server.start()
        await asyncio.sleep(0.3)
        assert client.session.status == "closed" and client.status == "closed"
        with pytest.raises(ChannelError, match="disconnected"):
            await client.ready
    finally:
        client.close()


async def test_messages_as_a_table_name_each_event_frame(client: SocketIOClient) -> None:
    pytest.importorskip("pandas")
    client.emit("chat", "hi")
    await client.receive_event(timeout=5)
    table = client.messages.to_pandas()
    events = [(row.direction, row.event) for row in table.itertuples() if row.event is not None]
    assert events == [("sent", "chat"), ("received", "chat")]
    # Engine.IO open, the join and its answer are frames too, with no event name.
    assert table.event.iloc[:3].isna().all() and len(table) == len(client.messages)


async def test_a_misspelt_option_names_the_client_and_the_closest_option() -> None:
    with pytest.raises(
        TypeError, match=r"^SocketIOClient\(\) got .* 'namespce'; did you mean 'namespace'\?$"
    ):
        SocketIOClient("http://127.0.0.1:1", namespce="/chat")
    with pytest.raises(TypeError, match=r"'open_timout'; did you mean 'open_timeout'"):
        SocketIOClient("http://127.0.0.1:1", open_timout=1)  # websockets' option, through the session


async def test_observe_tells_of_changes_events_and_frames_until_stopped(server: SocketIOServer) -> None:
    told: list[str] = []
    client = SocketIOClient(server.url, autoconnect=False, **FAST)
    stop = client.observe(
        on_change=lambda: told.append(f"change {client.status}"),
        on_event=lambda event: told.append(f"event {event.direction} {event.kind} {event.name}"),
        on_frames=lambda frames: told.append("frames"),
    )
    client.connect()
    await asyncio.wait_for(client.ready, 5)
    assert await client.call("add", 1, 2) == [3]
    assert "change open" in told and "frames" in told
    assert "event sent event add" in told and "event received ack add" in told
    stop()
    told.clear()
    assert await client.call("add", 2, 2) == [4]
    assert told == []
    with pytest.raises(TypeError, match=r"observe\(\) got .* 'on_evnt'; did you mean 'on_event'\?"):
        client.observe(on_evnt=print)
    with pytest.warns(DeprecationWarning, match=r"SocketIOClient.on_event.append\(\) is deprecated"):
        client.on_event.append(lambda event: None)
    client.close()


async def test_expect_an_event_by_name_or_first_argument_leaving_others(client: SocketIOClient) -> None:
    from wsecho_widget.model.match import ExpectationFailed

    client.emit("chat", "first")
    client.emit("chat", {"n": 2, "tag": "x"})
    # The server echoes ["echo", *args]: the first argument is "echo" for both.
    second = await client.expect(lambda e: e.args[1:] == [{"n": 2, "tag": "x"}], within=5)
    assert second.args == ["echo", {"n": 2, "tag": "x"}]
    assert (await client.expect("chat", within=5)).args == ["echo", "first"]
    with pytest.raises(ExpectationFailed, match=r"within 0\.05 s"):
        await client.expect({"n": 3}, within=0.05)


async def test_calls_are_round_trips_from_the_frame_sent_to_the_ack(server: SocketIOServer) -> None:
    client = SocketIOClient(server.url, autoconnect=False, **FAST)
    trips: list[float] = []
    client.observe(on_round_trip=trips.append)
    client.connect()
    assert not client.joined
    answer = client.request("slow", 0.1)  # queued until the join; answered 0.1 s after it arrives
    assert await asyncio.wait_for(answer, 5) == ["ok"]
    await wait_for(lambda: trips, what="the round trip")
    assert 0.1 <= trips[0] < 0.5
    assert await client.call("add", 1, 2) == [3]
    await wait_for(lambda: len(trips) == 2, what="the second round trip")
    assert trips[1] < 0.1 and not client._asked
    client.close()
