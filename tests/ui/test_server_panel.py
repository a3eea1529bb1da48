"""The server panel's widgets, driven as the browser drives them, with real clients on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import ipywidgets as widgets
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.helpers import live_widgets, make_png, page, wait_for
from tests.panel_helpers import choose_files
from wsecho_widget import Message, ServerPanel
from wsecho_widget.client.connection import ChannelError
from wsecho_widget.ui.server_panel import EVENT_LINES


@pytest.fixture
async def server() -> AsyncIterator[ServerPanel]:
    panel = ServerPanel(mode="manual")
    await asyncio.wait_for(panel.ready, 10)
    yield panel
    panel.close()
    await asyncio.wait_for(panel.hub.closed, 10)


def log(panel: ServerPanel) -> str:
    return page(panel.log_panel.output).text()


async def test_defaults_listen_on_loopback_in_echo_mode() -> None:
    panel = ServerPanel()
    assert panel.status == "starting"
    await panel.ready
    assert panel.status == "listening" and panel.mode == "echo"
    assert panel.url.startswith("ws://127.0.0.1:")
    assert panel.urls == [panel.url, f"ws://10.0.2.2:{panel.hub.port}"]  # the Android emulator's way
    assert isinstance(panel, widgets.VBox)
    assert "listening" in panel.status_bar.status_label.value
    assert (
        panel.address_label.value
        == f"connect to: {panel.url} · Android emulator: ws://10.0.2.2:{panel.hub.port}"
    )
    assert panel.warning_label.layout.display == "none"
    async with connect(panel.url) as ws:
        await ws.send("echo me")
        assert await ws.recv() == "echo me"
    assert [(m.direction, m.client) for m in panel.messages] == [("received", "c1"), ("sent", "c1")]
    assert repr(panel).startswith("<ServerPanel ws://127.0.0.1:")
    panel.close()
    await panel.hub.closed
    assert panel.status == "closed"


async def test_the_log_and_the_events_name_the_client_on_every_line(server: ServerPanel) -> None:
    async with connect(server.url + "/feed") as a, connect(server.url) as b:
        await a.send("from a")
        await b.send("from b")
        await b.send(make_png())
        await wait_for(lambda: len(server.messages) == 3, what="three messages")
        server.send("to all")
        await wait_for(lambda: "to all" in log(server), what="the log")
        lines = log(server).splitlines()
        assert lines[0].startswith("c1   ") and lines[0].endswith("← from a")
        assert lines[1].startswith("c2   ") and lines[1].endswith("← from b")
        assert lines[2].startswith("c2   ") and "(png picture)" in lines[2]
        assert lines[3].startswith("all  ") and lines[3].endswith("→ to all")
        await wait_for(lambda: page(server.log_panel.output).media(), what="the picture")
        await wait_for(lambda: "c2 connected" in server.events.value, what="the events")
        assert "c1 connected from 127.0.0.1:" in server.events.value and "/feed" in server.events.value
        events = server.events.value
        assert events.index("c1 connected") < events.index("c2 connected")  # oldest first, like the log
        await wait_for(lambda: "2 connected" in server.notice_bar.stats_label.value, what="stats")


async def test_the_selector_lists_clients_and_the_send_bar_sends_to_the_choice(server: ServerPanel) -> None:
    async with connect(server.url) as a, connect(server.url) as b:
        await wait_for(lambda: len(server.client_selector.options) == 3, what="two clients listed")
        labels = [label for label, _ in server.client_selector.options]
        assert labels[0] == "all clients" and labels[1].startswith("c1 127.0.0.1:")
        server.send_bar.text.value = "everyone"
        server.send_bar.send_button.click()
        assert await a.recv() == "everyone" and await b.recv() == "everyone"
        assert server.notice_bar.notice == "sent the text to 2 clients"
        server.client_selector.value = "c2"
        server.send_bar.text.value = "just b"
        server.send_bar.send_button.click()
        assert await b.recv() == "just b"
        png = make_png()
        choose_files(server.send_bar.file_upload, ("pic.png", png))
        server.send_bar.send_file_button.click()
        assert await b.recv() == png
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(a.recv(), 0.1)
        await a.close()
        await wait_for(lambda: len(server.client_selector.options) == 2, what="c1 unlisted")
        assert server.client_selector.value == "c2"  # the choice stays
        await b.close()
        await wait_for(lambda: server.client_selector.value == "*", what="back to all clients")
    server.send_bar.text.value = "nobody"
    server.send_bar.send_button.click()
    assert server.notice_bar.notice == "the text was not sent: no client is connected"
    assert server.send_bar.text.value == "nobody"  # kept


async def test_choosing_a_client_shows_who_it_is_with_credentials_masked(server: ServerPanel) -> None:
    headers = {"Authorization": "Bearer sekrit", "Cookie": "sid=sekrit", "X-Device": "pixel-7"}
    async with connect(server.url + "/app?token=sekrit&v=2", additional_headers=headers, subprotocols=None):
        await wait_for(lambda: len(server.client_selector.options) == 2, what="listed")
        assert server.client_info.layout.display == "none"  # "all clients": nothing to show
        server.client_selector.value = "c1"
        info = server.client_info.value
        assert info.startswith("c1 from 127.0.0.1:") and "path /app?token=***&v=2" in info
        assert "Authorization: ***" in info and "Cookie: ***" in info and "X-Device: pixel-7" in info
        assert "sekrit" not in info and server.client_info.layout.display is None
        assert server.clients[0].request_headers["Authorization"] == "Bearer sekrit"  # as received
    await wait_for(lambda: server.client_info.layout.display == "none", what="hidden once gone")


async def test_the_mode_toggle_and_trait_are_one(server: ServerPanel) -> None:
    async with connect(server.url) as ws:
        await ws.send("quiet")
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(ws.recv(), 0.1)
        server.mode_toggle.value = "echo"
        assert server.mode == "echo" and server.hub.mode == "echo"
        await ws.send("loud")
        assert await ws.recv() == "loud"
        server.mode = "manual"
        assert server.mode_toggle.value == "manual" and server.hub.mode == "manual"
    with pytest.raises(Exception, match="manual"):
        server.mode = "shout"


async def test_disconnect_client_closes_the_chosen_one(server: ServerPanel) -> None:
    async with connect(server.url) as ws:
        await wait_for(lambda: len(server.client_selector.options) == 2, what="listed")
        server.disconnect_button.click()
        assert server.notice_bar.notice == "choose a client to disconnect"
        server.client_selector.value = "c1"
        server.disconnect_button.click()
        await ws.wait_closed()
        assert ws.close_code == 1000
    await wait_for(lambda: "c1 disconnected" in server.events.value or "c1 closed" in server.events.value)


async def test_code_answers_with_on_message(server: ServerPanel) -> None:
    def answer(message: Message) -> None:
        server.send(f"you said {message.data!r}", to=message.client)

    server.on_message(answer)
    async with connect(server.url) as ws:
        await ws.send("ping")
        assert await ws.recv() == "you said 'ping'"
        assert (await server.receive(timeout=1)).data == "ping"


async def test_beyond_loopback_without_token_warns_and_lists_lan_and_emulator_addresses() -> None:
    panel = ServerPanel(host="0.0.0.0")
    await panel.ready
    try:
        assert panel.urls[0] == panel.url == f"ws://127.0.0.1:{panel.hub.port}"
        assert panel.urls[-1] == f"ws://10.0.2.2:{panel.hub.port}"
        assert f"Android emulator: ws://10.0.2.2:{panel.hub.port}" in panel.address_label.value
        assert panel.warning_label.layout.display is None
        assert "anyone on the network can connect" in panel.warning_label.value
    finally:
        panel.close()
    secret = "t0ken-for-lan"
    guarded = ServerPanel(host="0.0.0.0", token=secret)
    await guarded.ready
    try:
        assert guarded.warning_label.layout.display == "none"
        with pytest.raises(InvalidStatus):
            await connect(guarded.url)
        async with connect(f"{guarded.url}/?token={secret}"):
            await wait_for(lambda: "c1 connected" in guarded.events.value, what="connected")
        await wait_for(lambda: "HTTP 401" in guarded.events.value, what="the refusal line")
        # The token is in no widget's state, nor the repr or the status.
        states = [str(w.get_state()) for w in _descendants_of(guarded)]
        assert all(secret not in s for s in [*states, repr(guarded), guarded.status, guarded.events.value])
    finally:
        guarded.close()


def _descendants_of(box: widgets.Box) -> list[Any]:
    found: list[Any] = [box]
    for child in box.children:
        found.extend(_descendants_of(child) if isinstance(child, widgets.Box) else [child])
    return found


async def test_clicks_from_another_thread_act_in_the_loop(server: ServerPanel) -> None:
    async with connect(server.url) as ws:
        await wait_for(lambda: server.clients, what="a client")
        server.send_bar.text.value = "from a subshell"
        await asyncio.to_thread(server.send_bar.send_button.click)
        assert await ws.recv() == "from a subshell"


async def test_an_address_in_use_is_one_clear_line(server: ServerPanel) -> None:
    other = ServerPanel(port=server.hub.port)
    with pytest.raises(ChannelError, match=r"cannot listen on 127\.0\.0\.1"):
        await other.ready
    assert other.status == "error" and "cannot listen" in other.status_bar.status_label.value
    other.close()


async def test_close_leaves_no_client_task_socket_or_widget() -> None:
    before = set(live_widgets())
    panel = ServerPanel()
    await panel.ready
    port = panel.hub.port
    async with connect(panel.url) as ws:
        await ws.send(make_png())
        await ws.recv()
        await wait_for(lambda: page(panel.log_panel.output).media(), what="the picture")
        panel.close()
        await ws.wait_closed()
        assert ws.close_code == 1001
    await asyncio.wait_for(panel.hub.closed, 10)
    assert not panel.hub.tasks and not panel.clients
    assert set(live_widgets()) <= before
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


async def test_a_burst_of_clients_and_refusals_updates_the_widgets_a_few_times_not_once_each() -> None:
    panel = ServerPanel(path="/only")
    await panel.ready
    updates = {"options": 0, "events": 0}
    panel.client_selector.observe(lambda _: updates.__setitem__("options", updates["options"] + 1), "options")
    panel.events.observe(lambda _: updates.__setitem__("events", updates["events"] + 1), "value")
    clients = await asyncio.gather(*(connect(panel.url + "/only") for _ in range(40)))
    for _ in range(40):
        with pytest.raises(InvalidStatus):
            await connect(panel.url + "/wrong")
    await wait_for(lambda: len(panel.client_selector.options) == 41, what="40 clients listed")
    await wait_for(lambda: panel.events.value.count("HTTP 404") == 40, what="40 refusals shown")
    assert updates["options"] <= 10 and updates["events"] <= 20, updates
    await asyncio.gather(*(ws.close() for ws in clients))
    panel.close()
    await panel.hub.closed


async def test_expect_with_client_takes_that_clients_match(server: ServerPanel) -> None:
    async with connect(server.url) as a, connect(server.url) as b:
        await wait_for(lambda: len(server.clients) == 2, what="two clients")
        first, second = server.clients
        await a.send('{"op": "join", "who": "a"}')
        await b.send('{"op": "join", "who": "b"}')
        joined = await server.expect({"op": "join"}, within=5, client=second)
        assert joined.client == second.id and '"b"' in str(joined.data)
        assert (await server.receive(1)).client == first.id


async def test_the_events_box_is_oldest_first_bounded_and_scrolls_like_the_log() -> None:
    panel = ServerPanel(path="/only")
    await panel.ready
    try:
        box = panel.events_box
        assert box.children == (panel.events,) and "wsecho-events" in box._dom_classes
        layout = box.layout
        assert (layout.display, layout.flex_flow, layout.overflow) == ("flex", "column-reverse", "auto")
        assert layout.max_height  # a few lines tall; it scrolls
        for i in range(EVENT_LINES + 5):
            with pytest.raises(InvalidStatus):
                await connect(f"{panel.url}/<b>{i}</b>")  # a peer's path is text, not markup
        await wait_for(
            lambda: f"/&lt;b&gt;{EVENT_LINES + 4}&lt;/b&gt;" in panel.events.value, what="the last"
        )
        shown = panel.events.value
        assert "<b>" not in shown and shown.count("HTTP 404") == EVENT_LINES  # the newest EVENT_LINES
        assert "/&lt;b&gt;4&lt;/b&gt;" not in shown and "/&lt;b&gt;5&lt;/b&gt;" in shown
        assert shown.index("&lt;b&gt;5&lt;") < shown.index(f"&lt;b&gt;{EVENT_LINES + 4}&lt;")
    finally:
        panel.close()
        await panel.hub.closed
