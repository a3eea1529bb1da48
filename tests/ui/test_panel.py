"""The panel driven as a user would, against real servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import os
import socket

import ipywidgets as widgets
import pytest
from websockets.asyncio.server import ServerConnection, serve

from tests.helpers import live_widgets, make_png, page, wait_for
from wsecho_widget import ChannelError, EchoServer, WebSocketPanel
from wsecho_widget.model.message import format_size
from wsecho_widget.ui.controls.detail import DetailWidget
from wsecho_widget.ui.controls.sendbar import ComposerKeys
from wsecho_widget.ui.live import LiveWidget
from wsecho_widget.ui.logwidget import LogWidget


def submit(panel: WebSocketPanel, text: str) -> None:
    """What the front end does on Enter: the submit event, then the new value."""
    panel.text._handle_custom_msg({"event": "submit"}, [])
    panel.text.value = text


async def test_is_a_widget_with_the_parts_users_need(panel: WebSocketPanel) -> None:
    assert isinstance(panel, widgets.VBox)
    assert isinstance(panel.text, widgets.Text)
    assert isinstance(panel.send_button, widgets.Button)
    assert isinstance(panel.output, LogWidget)
    assert panel.status == "open"
    assert panel.url == panel.server.url  # type: ignore[union-attr]
    assert panel.url.startswith("ws://127.0.0.1:")
    assert panel.url_label.value == panel.url
    assert "open" in panel.status_label.value
    assert panel.connect_button.description == "Disconnect"


async def test_type_and_click_send_echoes(panel: WebSocketPanel) -> None:
    panel.text.value = "Hello!"
    panel.send_button.click()
    assert panel.text.value == ""  # cleared after the send
    await wait_for(lambda: len(panel.messages) == 2, what="the echo")
    sent, received = panel.messages
    assert (sent.direction, sent.data) == ("sent", "Hello!")
    assert (received.direction, received.data) == ("received", "Hello!")
    await wait_for(lambda: "← Hello!" in page(panel.output).text(), what="the echo in the log")
    assert "→ Hello!" in page(panel.output).text()
    assert "sent 1 (6 B) · received 1 (6 B)" in panel.stats_label.value


async def test_enter_sends_and_empty_input_sends_nothing(panel: WebSocketPanel) -> None:
    submit(panel, "by Enter")
    assert (await panel.receive(timeout=5)).data == "by Enter"
    panel.send_button.click()  # empty: nothing goes out
    submit(panel, "")
    await asyncio.sleep(0.4)  # past the submit grace period
    assert [m.data for m in panel.messages] == ["by Enter", "by Enter"]


async def test_enter_without_a_new_value_sends_what_the_input_holds(panel: WebSocketPanel) -> None:
    # The text was synced earlier (on blur); Enter alone must still send it.
    panel.text.value = "synced on blur"
    panel.text._handle_custom_msg({"event": "submit"}, [])
    assert (await panel.receive(timeout=5)).data == "synced on blur"
    assert panel.text.value == ""


async def test_api_send_text_and_binary(panel: WebSocketPanel) -> None:
    png = make_png()
    panel.send("text")
    panel.send(png)
    noise = os.urandom(50)
    panel.send(bytearray(noise))
    replies = [await panel.receive(timeout=5) for _ in range(3)]
    assert [r.data for r in replies] == ["text", png, noise]
    assert [r.image_format for r in replies] == [None, "png", None]
    await wait_for(lambda: len(page(panel.output).media()) == 1, what="the picture in the log")
    assert page(panel.output).media() == [png]  # the received one only: the sent one is a line
    (item,) = [i for c, _ in page(panel.output).messages for i in c.get("append", []) if "media" in i]
    assert (item["media"], item["size"]) == ("image/png", (32, 24))
    log = page(panel.output).text()
    assert f"← binary {format_size(len(png))} (png picture)" in log
    assert f"← binary 50 B: {noise[:32].hex(' ')} … (+18 more bytes)" in log


async def test_received_markup_stays_text(panel: WebSocketPanel) -> None:
    hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    panel.send(hostile)
    await panel.receive(timeout=5)
    await wait_for(lambda: f"← {hostile}" in page(panel.output).text(), what="the echo")
    # The page gets the line as text (logwidget.js sets it as a Text node), nothing else.
    for content, _ in page(panel.output).messages:
        for item in [*content.get("append", []), *content.get("entries", [])]:
            assert set(item) <= {"seq", "text", "media", "buffer", "size", "animated", "keep"}
            assert "media" not in item


async def test_disconnect_and_reconnect(panel: WebSocketPanel) -> None:
    await panel.disconnect()
    assert panel.status == "closed"
    assert panel.status_detail == "disconnected"
    assert panel.connect_button.description == "Connect"
    assert not panel.session.tasks
    panel.connect_button.click()  # Connect again
    await asyncio.wait_for(panel.ready, 5)
    assert panel.status == "open"
    panel.send("again")
    assert (await panel.receive(timeout=5)).data == "again"


async def test_disconnect_without_await_schedules_it(panel: WebSocketPanel) -> None:
    panel.disconnect()
    assert panel.status == "open"
    await wait_for(lambda: panel.status == "closed", what="closed")


async def test_typing_while_closed_keeps_the_text(panel: WebSocketPanel) -> None:
    await panel.disconnect()
    assert panel.send_button.disabled
    submit(panel, "keep me")
    await asyncio.sleep(0.05)
    assert panel.text.value == "keep me"
    assert "not sent: not connected" in panel.notice_label.value
    with pytest.raises(ChannelError, match="not sent"):
        panel.send("api too")
    assert not [m for m in panel.messages if m.data in ("keep me", "api too")]
    await panel.connect()
    panel.send_button.click()  # the kept text goes out now
    assert (await panel.receive(timeout=5)).data == "keep me"


async def test_sent_while_connecting_goes_out_in_order() -> None:
    panel = WebSocketPanel()
    try:
        assert panel.status == "connecting"
        for i in range(5):
            panel.send(f"early {i}")
        assert "5 queued" in panel.stats_label.value
        replies = [(await panel.receive(timeout=5)).data for _ in range(5)]
        assert replies == [f"early {i}" for i in range(5)]
    finally:
        panel.close()


async def test_clear_empties_the_log_not_the_history(panel: WebSocketPanel) -> None:
    panel.send(make_png())
    await panel.receive(timeout=5)
    await wait_for(lambda: page(panel.output).media(), what="picture")
    panel.clear_button.click()
    assert page(panel.output).entries == []  # the page lets go of the picture too
    assert len(panel.messages) == 2


async def test_receive_times_out_and_fails_when_closed(panel: WebSocketPanel) -> None:
    with pytest.raises(TimeoutError, match=r"within 0\.05 s"):
        await panel.receive(timeout=0.05)
    await panel.disconnect()
    with pytest.raises(ChannelError, match="nothing to receive"):
        await panel.receive(timeout=5)


async def test_status_is_observable(panel: WebSocketPanel) -> None:
    seen: list[str] = []
    panel.observe(lambda change: seen.append(change["new"]), "status")
    await panel.disconnect()
    await panel.connect()
    assert seen == ["closing", "closed", "connecting", "open"]


async def test_status_and_detail_change_together(panel: WebSocketPanel) -> None:
    # An observer of either trait sees the pair the session had: never "open"
    # with "closing with 1000", or "closing" with the URL.
    states: list[tuple[str, str]] = []
    panel.session.subscribe(on_status=lambda status, detail: states.append((status, detail)))
    seen: list[tuple[str, str, str]] = []
    panel.observe(
        lambda c: seen.append((c["name"], panel.status, panel.status_detail)), ["status", "status_detail"]
    )
    await panel.disconnect()
    await panel.connect()
    await panel.disconnect(4000, "bye")
    assert [s for s, _ in states] == ["closing", "closed", "connecting", "open", "closing", "closed"]
    assert {"status", "status_detail"} == {name for name, *_ in seen}
    for _, status, detail in seen:
        assert (status, detail) in states
    assert (panel.status, panel.status_detail) == states[-1]


async def test_connect_to_a_new_url(panel: WebSocketPanel) -> None:
    async with EchoServer() as other:
        await panel.connect(other.url)
        assert panel.url == other.url
        await wait_for(lambda: other.connections == 1, what="the new connection")
        panel.send("over there")
        assert (await panel.receive(timeout=5)).data == "over there"


async def test_panel_with_url_and_options_talks_to_a_plain_server() -> None:
    seen = {}

    async def handler(ws: ServerConnection) -> None:
        assert ws.request is not None
        seen["auth"] = ws.request.headers.get("Authorization")
        async for message in ws:
            await ws.send(f"server got {message!r}")

    async with serve(handler, "127.0.0.1", 0, subprotocols=["demo"]) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        panel = WebSocketPanel(
            f"ws://127.0.0.1:{port}/feed",
            additional_headers={"Authorization": "Bearer s3cret"},
            subprotocols=["demo"],
            open_timeout=5,
        )
        try:
            await asyncio.wait_for(panel.ready, 5)
            assert panel.server is None  # no embedded server with a URL
            assert "subprotocol demo" in panel.status_detail
            panel.send("hi")
            assert (await panel.receive(timeout=5)).data == "server got 'hi'"
            assert seen == {"auth": "Bearer s3cret"}
            assert "s3cret" not in panel.status_label.value + panel.url_label.value
        finally:
            panel.close()


async def test_close_ends_every_task_and_widget() -> None:
    before = set(live_widgets())
    panel = WebSocketPanel()
    await panel.ready
    panel.send(make_png())
    await panel.receive(timeout=5)
    await wait_for(lambda: page(panel.output).media(), what="picture")
    server = panel.server
    assert server is not None
    channel = panel.channel
    panel.close()
    assert panel.status == "closed"
    # close() is synchronous (ipywidgets' API); cancelled tasks end on the next turns.
    await wait_for(lambda: not panel.session.tasks and not channel.tasks, what="every task to end")
    await wait_for(lambda: channel.closed.done(), what="the connection to close")
    await wait_for(lambda: not server.is_serving, what="the embedded server to stop")
    assert set(live_widgets()) <= before
    with pytest.raises(ChannelError, match="closed"):
        panel.connect()


async def test_message_history_is_bounded() -> None:
    panel = WebSocketPanel(history_limit=10)
    try:
        for i in range(20):
            panel.send(str(i))
        await wait_for(lambda: panel.messages.totals.received_messages == 20, what="20 echoes")
        assert len(panel.messages) == 10
        assert [m.data for m in panel.messages][-2:] == ["18", "19"]
        # Unread messages are bounded the same way: receive() gives the newest 10.
        assert [(await panel.receive(timeout=1)).data for _ in range(10)] == [str(i) for i in range(10, 20)]
        assert panel.messages.totals.sent_messages == 20
        assert panel.messages.totals.received_messages == 20
    finally:
        panel.close()


def test_outside_a_running_loop_says_how_to_use_it() -> None:
    with pytest.raises(RuntimeError, match="running asyncio event loop"):
        WebSocketPanel()


async def test_invalid_url_fails_before_any_widget() -> None:
    before = len(live_widgets())
    with pytest.raises(ChannelError, match=r"invalid URL 'http://example\.org'"):
        WebSocketPanel("http://example.org")
    assert len(live_widgets()) == before


async def test_refused_then_panel_still_usable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        panel = WebSocketPanel(f"ws://127.0.0.1:{port}", reconnect=False)
        with pytest.raises(ChannelError):
            await panel.ready
    try:
        assert panel.status == "error"
        assert panel.status_detail == "connection refused (is the server running?)"
        assert "● error: connection refused" in panel.status_label.value
        assert panel.connect_button.description == "Connect"
        async with EchoServer() as server:
            await panel.connect(server.url)
            panel.send("works now")
            assert (await panel.receive(timeout=5)).data == "works now"
    finally:
        panel.close()


# -- keepalive, accessibility, themes (were in test_features) ----------------------------


async def test_keepalive_pings_update_the_status(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("wsecho_widget.ui.panel._LATENCY_REFRESH", 0.05)  # looks every 50 ms, not 2 s
    panel = WebSocketPanel(ping_interval=0.05)  # websockets' keepalive, every 50 ms
    try:
        await panel.ready
        await wait_for(lambda: panel.latency is not None, timeout=10, what="a keepalive round trip")
        assert "round trip" in panel.status_label.value
    finally:
        panel.close()


def all_widgets(panel: WebSocketPanel) -> list[widgets.Widget]:
    found: list[widgets.Widget] = []
    todo: list[widgets.Widget] = [panel]
    while todo:
        w = todo.pop()
        found.append(w)
        todo.extend(getattr(w, "children", ()))
    return found


async def test_every_control_has_a_readable_name(panel: WebSocketPanel) -> None:
    controls = [
        w for w in all_widgets(panel) if isinstance(w, widgets.DOMWidget) and not isinstance(w, widgets.Box)
    ]
    assert len(controls) >= 25
    for control in controls:
        # The anywidgets name their own controls in the page (aria-label, title).
        if isinstance(
            control, (widgets.Output, widgets.Label, LogWidget, LiveWidget, DetailWidget, ComposerKeys)
        ):
            if isinstance(control, widgets.Label):
                assert control.tooltip, control
            continue
        name = getattr(control, "description", "") or getattr(control, "tooltip", "")
        assert name, control
        if isinstance(control, widgets.Button):
            assert control.tooltip, control.description  # buttons say what they do too
    assert panel.options_button.description == "Connection options"


async def test_colours_come_from_the_jupyter_theme(panel: WebSocketPanel) -> None:
    colours = []
    for w in all_widgets(panel):
        for part in (getattr(w, "layout", None), getattr(w, "style", None)):
            if part is None:
                continue
            for key, value in part.get_state().items():
                if isinstance(value, str) and ("color" in key or key.startswith("border")) and value:
                    colours.append(value)
    colours.append(panel.status_label.style.text_color)
    assert colours
    for value in colours:
        assert "var(--jp-" in value, value


async def test_from_messages_shows_a_recording_read_only(tmp_path: os.PathLike[str]) -> None:
    from pathlib import Path

    from wsecho_widget import Message, load_har
    from wsecho_widget.model.har import to_har

    recorded = [
        Message("sent", "ping", 1_700_000_000.0),
        Message("received", "pong from the recording", 1_700_000_000.1),
        Message("received", make_png(), 1_700_000_000.2),
    ]
    (conversation,) = load_har(to_har(recorded, Path(tmp_path) / "feed.har", "ws://127.0.0.1:8765/feed"))
    panel = WebSocketPanel.from_messages(conversation.messages, url=conversation.url)
    try:
        assert list(panel.messages) == recorded
        assert panel.messages.to_pandas().equals(conversation.to_pandas())
        await wait_for(lambda: "pong from the recording" in page(panel.output).text(), what="the log")
        assert panel.url == "ws://127.0.0.1:8765/feed" and panel.status == "closed"
        assert panel.connect_button.disabled and panel.send_button.disabled
        assert "read-only" in panel.notice_label.value
        with pytest.raises(ChannelError, match="not connected"):
            panel.send("nobody is there")
        assert panel.session.server is None and panel.session.channel is None  # nothing was opened
    finally:
        panel.close()
