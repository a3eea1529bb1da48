"""SocketIOPanel's controls against a real python-socketio server (no browser)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

pytest.importorskip("socketio", reason="install the test extra: pip install -e .[test]")

from tests.helpers import make_png, page, wait_for
from tests.panel_helpers import choose_files
from tests.protocol_servers import TOKEN, SocketIOServer
from wsecho_widget import SocketIOPanel
from wsecho_widget.ui.socketio_panel import parse_args


def log(panel: SocketIOPanel) -> str:
    return page(panel.log_panel.output).text()


@pytest.fixture
async def server() -> AsyncIterator[SocketIOServer]:
    async with SocketIOServer(ping_interval=0.2, ping_timeout=1) as server:
        yield server  # type: ignore[misc]


@pytest.fixture
async def panel(server: SocketIOServer) -> AsyncIterator[SocketIOPanel]:
    panel = SocketIOPanel(server.url, event="chat", render_interval=0.01)
    await asyncio.wait_for(panel.ready, 5)
    yield panel
    panel.close()


def test_parse_args() -> None:
    assert parse_args('"hi", {"n": 1}') == ["hi", {"n": 1}]
    assert parse_args("[1, 2]") == [[1, 2]]
    assert parse_args("  ") == []
    with pytest.raises(ValueError, match="arguments are not JSON: Expecting value at column 7"):
        parse_args('"hi", nope')


async def test_status_shows_namespace_sid_and_heartbeats(panel: SocketIOPanel) -> None:
    assert panel.status == "open"
    assert f"namespace / · sid {panel.sid}" in panel.status_bar.url_label.value
    await wait_for(lambda: panel.heartbeats >= 2, what="heartbeats")
    await wait_for(lambda: f"· {panel.heartbeats:,} heartbeats" in panel.status_bar.url_label.value)
    assert "heartbeat" not in log(panel).replace("heartbeat every", "")  # counted, not logged


async def test_the_emit_bar_emits_and_the_log_shows_events(panel: SocketIOPanel) -> None:
    panel.emit_bar.text.value = '"hi", {"n": 1}'
    panel.emit_bar.send_text()
    await wait_for(lambda: 'chat ["echo", "hi", {"n": 1}]' in log(panel), what="the echo in the log")
    assert '→ chat ["hi", {"n": 1}]' in log(panel)
    assert panel.emit_bar.text.value == ""
    assert "joined / · sid" in log(panel)
    # Raw shows the packets.
    panel.raw_button.value = True
    await wait_for(lambda: '42["chat","echo","hi",{"n":1}]' in log(panel), what="raw packets")
    assert '→ 42["chat","hi",{"n":1}]' in log(panel)
    # Heartbeats stay out in Raw too.
    assert not any(line.endswith((" 2", " 3")) for line in log(panel).splitlines())


async def test_bad_json_is_checked_before_sending(panel: SocketIOPanel) -> None:
    def sent() -> list[str | bytes]:
        return [m.data for m in panel.messages if m.direction == "sent" and m.data != "3"]

    before = sent()
    panel.emit_bar.text.value = '"hi", {n: 1}'
    panel.emit_bar.send_text()
    assert panel.notice_bar.notice.startswith("arguments are not JSON")
    assert panel.emit_bar.text.value == '"hi", {n: 1}'  # kept, to fix
    panel.event_input.value = "connect"
    panel.emit_bar.text.value = "1"
    panel.emit_bar.send_text()
    assert panel.notice_bar.notice == "'connect' is a reserved event name in Socket.IO"
    await asyncio.sleep(0.3)
    assert sent() == before  # nothing but heartbeats went out


async def test_ask_ack_shows_the_answer(panel: SocketIOPanel) -> None:
    panel.event_input.value = "add"
    panel.ack_box.value = True
    panel.emit_bar.text.value = "2, 3"
    panel.emit_bar.send_text()
    await wait_for(lambda: panel.notice_bar.notice == "ack for 'add': [5]", what="the ack")
    await wait_for(lambda: "ack 1 [5]" in log(panel), what="the ack in the log")


async def test_a_picture_sent_as_an_attachment_is_shown_as_a_picture(
    server: SocketIOServer, panel: SocketIOPanel
) -> None:
    png = make_png()
    panel.event_input.value = "picture"
    choose_files(panel.emit_bar.file_upload, ("dot.png", png))
    panel.emit_bar.send_files()
    await wait_for(lambda: len(page(panel.log_panel.output).media()) == 1, what="the picture")
    assert page(panel.log_panel.output).media() == [png]
    assert '→ picture ["dot.png", <binary 0>] (+1 binary)' in log(panel)
    assert '← picture ["dot.png", <binary 0>] (+1 binary)' in log(panel)
    assert ("picture", panel.sid, ["dot.png", png]) in server.seen


async def test_auth_is_masked_in_the_log(server: SocketIOServer) -> None:
    panel = SocketIOPanel(server.url, namespace="/private", auth={"token": TOKEN}, render_interval=0.01)
    try:
        await asyncio.wait_for(panel.ready, 5)
        await wait_for(lambda: "joined /private" in log(panel), what="joined")
        assert 'join /private with auth {"token": "***"}' in log(panel)
        panel.raw_button.value = True
        await wait_for(lambda: '40/private,{"token":"***"}' in log(panel), what="raw")
        assert TOKEN not in log(panel)
    finally:
        panel.close()


async def test_connect_button_and_refusal(server: SocketIOServer) -> None:
    panel = SocketIOPanel(server.url, namespace="/private", auth={"token": "no"})
    try:
        with pytest.raises(ConnectionError, match="refused by the server: Not authorized"):
            await asyncio.wait_for(panel.ready, 5)
        assert panel.status == "error"
        assert "Not authorized; not reconnecting" in panel.status_bar.status_label.value
        assert panel.connect_button.description == "Connect"
    finally:
        panel.close()


async def test_resend_emits_the_event_again_and_edit_puts_it_in_the_emit_bar(panel: SocketIOPanel) -> None:
    from tests.ui.controls.test_detail import from_page

    panel.emit("chat", "hi", {"n": 1})
    await wait_for(lambda: 'chat ["echo", "hi", {"n": 1}]' in log(panel), what="the echo")
    frame = '42["chat","hi",{"n":1}]'
    sent = next(m for m in panel.messages if m.data == frame)
    panel.select(sent.seq)
    widget = panel.log_panel.detail.widget
    from_page(widget, {"kind": "resend", "seq": sent.seq})
    await wait_for(lambda: sum(m.data == frame for m in panel.messages) == 2, what="the same event again")
    await wait_for(lambda: log(panel).count('chat ["echo", "hi", {"n": 1}]') == 2, what="its echo")
    assert f"emitted 'chat' again (message #{sent.seq})" in panel.notice_bar.notice

    echo = next(m for m in panel.messages if m.data == '42["chat","echo","hi",{"n":1}]')
    panel.select(echo.seq)  # a received event edits the same way
    panel.event_input.value = "other"
    from_page(widget, {"kind": "edit", "seq": echo.seq})
    await wait_for(lambda: panel.event_input.value == "chat", what="the event's name")
    assert panel.emit_bar.text.value == '"echo", "hi", {"n": 1}'

    joined = next(m for m in panel.messages if m.direction == "received" and m.data.startswith("40"))
    panel.select(joined.seq)  # not an event: said in a line, nothing sent
    before = len(panel.messages)
    from_page(widget, {"kind": "resend", "seq": joined.seq})
    await wait_for(lambda: "is not an event" in panel.notice_bar.notice, what="the reason")
    assert [m.data for m in panel.messages[before:] if m.direction == "sent" and m.data != "3"] == []


async def test_a_chart_by_path_reads_each_events_first_argument() -> None:
    # plotly first: importing it holds the loop longer than the fixture's ping timeout.
    pytest.importorskip("plotly.graph_objects", reason="install the charts extra")
    async with SocketIOServer() as server:
        panel = SocketIOPanel(server.url)
        await asyncio.wait_for(panel.ready, 5)
        ticks = panel.chart("$.price", event="tick", window=10)
        every = panel.chart("$.price", by="$.sym", window=100)  # every event's first argument
        series = panel.series("$.price", event="tick", interval=0.05)
        panel.emit("ticks", 12)
        await wait_for(lambda: any(e.name == "done" for e in panel.events), what="the feed's end")
        assert [y for _, y in ticks.points()] == [float(n) for n in range(2, 12)]
        # The bad tick and the argument-less one are skipped; the join, the "other"
        # events and "done" are passed over, not counted.
        assert ticks.skipped == 2
        assert every.lines == ["A", "B"]
        assert [y for _, y in every.points("B")] == [float(n) for n in range(1, 12, 2)]
        chunk = await asyncio.wait_for(anext(aiter(series)), 5)
        assert chunk["price"].tolist() == [float(n) for n in range(12)]
        panel.close()
        assert ticks.closed and series.closed


async def test_calls_answered_are_round_trips_in_stats(panel: SocketIOPanel) -> None:
    assert panel.stats().round_trip_p50 is None
    for _ in range(3):
        assert await panel.call("slow", 0.15) == ["ok"]  # the server waits 0.15 s to answer
    stats = panel.stats()
    assert stats.round_trip_p50 is not None and stats.round_trip_p95 is not None
    assert 0.15 <= stats.round_trip_p50 <= stats.round_trip_p95 < 0.6
    # An ack that never comes (the call times out) is no round trip.
    with pytest.raises(TimeoutError):
        await panel.call("unheard", timeout=0.2)  # no handler on the server: no ack
    assert panel.stats().round_trip_p50 == stats.round_trip_p50
    assert not panel.client._asked  # nothing kept for it
