"""The panel base: every panel shares its parts, one LogOptions, and an ordered close()."""

from __future__ import annotations

import asyncio

import pytest
from websockets.asyncio.client import connect

from tests.helpers import live_widgets, make_png, wait_for
from tests.protocol_servers import GraphQLServer, SocketIOServer
from wsecho_widget import GraphQLPanel, LogOptions, ServerPanel, SocketIOPanel, WebSocketPanel
from wsecho_widget.ui._base import PanelBase


def test_log_options_take_the_flat_keywords_and_leave_the_rest() -> None:
    options = {"log_limit": 5, "render_interval": 0.2, "reconnect": False}
    log = LogOptions.take(options)
    assert (log.limit, log.interval, log.image_limit) == (5, 0.2, 20)
    assert options == {"reconnect": False}
    # A LogOptions object first, the keywords over it.
    both = LogOptions.take({"image_limit": 3}, LogOptions(limit=7))
    assert (both.limit, both.image_limit) == (7, 3)
    with pytest.raises(ValueError, match="log_limit must be >= 1"):
        LogOptions.take({"log_limit": 0})
    sized = LogOptions.take({"log_height": "min(50vh, 480px)", "relative_times": True})
    assert (sized.height, sized.relative_times) == ("min(50vh, 480px)", True)
    for bad in ("", "10px; color: red", "1px }", 10):
        with pytest.raises(ValueError, match="log_height must be a CSS length"):
            LogOptions(height=bad)  # type: ignore[arg-type]


async def test_every_panel_is_built_on_the_base_with_its_log_options() -> None:
    panels: list[PanelBase] = []
    async with SocketIOServer() as sio, GraphQLServer() as gql:
        panels = [
            WebSocketPanel(log_limit=5, image_limit=2),
            ServerPanel(log=LogOptions(limit=6), render_interval=0.02),
            SocketIOPanel(sio.url, log_limit=7),
            GraphQLPanel(gql.url, log=LogOptions(limit=8, image_limit=4)),
        ]
        try:
            limits = [(p.log_panel.options.limit, p.log_panel.log_view.image_limit) for p in panels]
            assert limits == [(5, 2), (6, 20), (7, 20), (8, 0)]  # GraphQL results have no pictures
            assert panels[1].log_panel.options.interval == 0.02
            for panel in panels:
                assert isinstance(panel, PanelBase)
                assert "wsecho-panel" in panel._dom_classes
                assert panel.status_bar in _descendants(panel) and panel.log_panel in _descendants(panel)
                assert panel.clear_button in _descendants(panel)
            # The server listens until closed: no Connect button; the others have one.
            assert [hasattr(p, "connect_button") for p in panels] == [True, False, True, True]
        finally:
            for panel in panels:
                panel.close()


async def test_the_server_panel_passes_every_hub_option_through() -> None:
    panel = ServerPanel(mode="manual", token="s3cret", max_clients=1, send_queue=1024, history_limit=50)
    try:
        await asyncio.wait_for(panel.ready, 10)
        assert panel.mode == "manual" and panel.hub.mode == "manual"
        assert panel.hub.messages.limit == 50
        async with connect(f"{panel.url}?token=s3cret") as ws:
            await ws.send("hi")
            await wait_for(lambda: len(panel.messages) == 1)
    finally:
        panel.close()


async def test_clear_empties_the_log_and_keeps_the_history() -> None:
    panel = WebSocketPanel()
    try:
        await asyncio.wait_for(panel.ready, 10)
        panel.send(make_png(4, 4))
        await panel.receive(timeout=5)
        panel.clear_button.click()
        await wait_for(lambda: not panel.log_panel.log_view.entries)
        assert len(panel.messages) == 2
    finally:
        panel.close()


async def test_close_ends_the_networking_first_then_every_widget() -> None:
    before = set(live_widgets())
    panel = ServerPanel()
    await asyncio.wait_for(panel.ready, 10)
    async with connect(panel.url) as ws:
        await ws.send("hello")
        await ws.recv()
        panel.close()
        await asyncio.wait_for(panel.hub.closed, 10)
        await asyncio.wait_for(ws.wait_closed(), 10)
        assert ws.close_code == 1001
    # The clients' goodbyes came after close(): the panel's timers show nothing of them.
    shown = panel.events.value
    await asyncio.sleep(4 * panel.log_panel.options.interval)
    assert panel.events.value == shown
    assert not [t for t in panel._tasks if not t.done()]
    assert set(live_widgets()) <= before


def _descendants(widget: object) -> list[object]:
    found: list[object] = []
    todo = list(getattr(widget, "children", ()))
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(getattr(child, "children", ()))
    return found


async def test_a_misspelt_keyword_fails_every_panel_at_once_naming_the_closest_one() -> None:
    # Before any widget or socket: the panel, its log, and what it hands its options to.
    before = len(live_widgets())
    cases = [
        (
            lambda: WebSocketPanel(reconect=False),
            r"WebSocketPanel\(\) .* 'reconect'; did you mean 'reconnect'\?",
        ),
        (lambda: WebSocketPanel(log_limt=5), r"'log_limt'; did you mean 'log_limit'\?"),
        (lambda: WebSocketPanel(open_timout=5), r"'open_timout'; did you mean 'open_timeout'\?"),
        (lambda: ServerPanel(max_client=3), r"ServerPanel\(\) .* 'max_client'; did you mean 'max_clients'\?"),
        (lambda: SocketIOPanel(namespce="/"), r"SocketIOPanel\(\) .* 'namespce'; did you mean 'namespace'\?"),
        (
            lambda: GraphQLPanel("ws://127.0.0.1:1/", quer="{ a }"),
            r"GraphQLPanel\(\) .* 'quer'; did you mean 'query'\?",
        ),
    ]
    for make, said in cases:
        with pytest.raises(TypeError, match=said):
            make()
    assert len(live_widgets()) == before
    panel = WebSocketPanel(log_limit=5, reconnect=False, user_agent_header="probe/1", autoconnect=False)
    assert panel.session.options["user_agent_header"] == "probe/1"
    panel.close()
