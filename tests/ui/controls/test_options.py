"""The options form: in a panel (URL, subprotocols, masked headers, compression), and alone."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from tests.panel_helpers import every_synced_value
from wsecho_widget import ChannelError, WebSocketPanel
from wsecho_widget.ui.controls import OptionsForm


async def test_options_area_reconnects_with_url_subprotocol_headers_and_compression(
    panel: WebSocketPanel,
) -> None:
    secret = "Bearer s3cret-value"
    seen: dict[str, Any] = {}

    async def handler(ws: ServerConnection) -> None:
        assert ws.request is not None
        seen["auth"] = ws.request.headers.get("Authorization")
        seen["trace"] = ws.request.headers.get("X-Trace")
        async for message in ws:
            await ws.send(message)

    async with serve(
        handler, "127.0.0.1", 0, subprotocols=["superchat", "chat"], compression="deflate"
    ) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        url = f"ws://127.0.0.1:{port}/feed"
        assert panel.options_box.layout.display == "none"  # collapsed until opened
        panel.options_button.value = True  # what clicking "Connection options" does
        assert panel.options_box.layout.display is None
        assert panel.negotiated_label.value == "negotiated: subprotocol none · extensions none"

        panel.url_input.value = url
        panel.subprotocols_input.value = "chat, superchat"
        panel.header_name.value = "Authorization"
        panel.header_value.value = secret
        panel.add_header_button.click()
        assert panel.header_value.value == ""  # the secret leaves the widget at once
        assert panel.headers_label.value == "Authorization: ***"
        panel.header_name.value = "X-Trace"
        panel.header_value.value = "abc"  # typed, not added: Apply adds it
        panel.compression_box.value = True
        panel.apply_button.click()
        await asyncio.wait_for(panel.ready, 5)

        assert panel.url == url
        assert seen == {"auth": secret, "trace": "abc"}
        # websockets' server picks by its own order of preference.
        assert panel.negotiated == {"subprotocol": "superchat", "extensions": ["permessage-deflate"]}
        assert panel.negotiated_label.value == (
            "negotiated: subprotocol superchat · extensions permessage-deflate"
        )
        assert panel.headers_label.value == "Authorization: *** · X-Trace: ***"
        assert panel.headers == ["Authorization", "X-Trace"]
        panel.send("compressed and all")
        assert (await panel.receive(timeout=5)).data == "compressed and all"
        # The secret is in no widget state that could end up in the notebook.
        assert secret not in every_synced_value(panel)
        assert "abc" not in panel.headers_label.value

        # Clear the headers, apply again with an empty URL: same server, no headers.
        panel.clear_headers_button.click()
        panel.subprotocols_input.value = "chat"
        panel.compression_box.value = False
        panel.apply_button.click()
        await asyncio.wait_for(panel.ready, 5)
        assert panel.url == url
        assert seen["auth"] is None
        assert panel.negotiated == {"subprotocol": "chat", "extensions": []}


async def test_bad_options_change_nothing(panel: WebSocketPanel) -> None:
    url = panel.url
    panel.url_input.value = "http://not-a-websocket"
    panel.apply_button.click()
    assert "invalid URL" in panel.notice_label.value
    assert panel.status == "open" and panel.url == url
    panel.url_input.value = ""
    panel.header_name.value = "Bad Name"
    panel.header_value.value = "secret"
    panel.apply_button.click()
    assert "not a valid header name" in panel.notice_label.value
    assert panel.header_value.value == ""  # cleared even when refused
    assert panel.status == "open" and panel.url == url
    with pytest.raises(ChannelError, match="invalid URL"):
        panel.url_input.value = "nonsense"
        panel.apply_options()


async def test_constructor_headers_are_masked_too() -> None:
    async with serve(lambda ws: ws.wait_closed(), "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        panel = WebSocketPanel(f"ws://127.0.0.1:{port}", additional_headers={"X-Api-Key": "k3y"})
        try:
            await panel.ready
            assert panel.headers_label.value == "X-Api-Key: ***"
            assert "k3y" not in every_synced_value(panel)
        finally:
            panel.close()


# -- the form alone ------------------------------------------------------------------------


async def test_the_form_alone_keeps_header_values_out_of_every_widget() -> None:
    notices: list[str] = []
    applied: list[bool] = []
    form = OptionsForm(
        asyncio.get_running_loop(),
        on_apply=lambda: applied.append(True),
        notify=notices.append,
        subprotocols=["chat"],
        headers=[("X-Api-Key", "k3y")],
    )
    try:
        assert form.layout.display == "none" and "wsecho-options" in form._dom_classes
        form.toggle_button.value = True
        assert form.layout.display is None and form.toggle_button.icon == "caret-down"
        assert form.subprotocols == ["chat"] and form.url is None and not form.compression
        assert form.headers_label.value == "X-Api-Key: ***"

        form.header_name.value = "authorization"
        form.header_value.value = " Bearer t0ken "
        form.add_header_button.click()
        assert form.headers == [("X-Api-Key", "k3y"), ("authorization", "Bearer t0ken")]
        assert form.header_value.value == "" and form.header_name.value == ""
        form.header_name.value = "Authorization"  # same name, another case: replaces it
        form.header_value.value = "Basic x"
        assert form.add_header()
        assert form.headers == [("X-Api-Key", "k3y"), ("Authorization", "Basic x")]
        assert notices[-1] == "header Authorization added; Apply and reconnect uses it"
        assert "t0ken" not in every_synced_value(form) and "k3y" not in every_synced_value(form)

        form.header_name.value = "Bad Name"
        form.header_value.value = "secret"
        assert not form.add_header()
        assert notices[-1] == "header not added: 'Bad Name' is not a valid header name"
        assert form.header_value.value == ""  # cleared even when refused

        form.clear_headers_button.click()
        assert form.headers == [] and form.headers_label.value == "no extra headers"
        form.apply_button.click()
        assert applied == [True]
        form.show_connection("open", "ws://h:1/", {"subprotocol": "chat", "extensions": []})
        assert form.negotiated_label.value == "negotiated: subprotocol chat · extensions none"
        assert form.url_input.placeholder == "ws://h:1/ (empty: keep this URL)"
        form.show_connection("connecting", None, {"subprotocol": None, "extensions": []})
        assert form.negotiated_label.value.startswith("negotiated")  # kept while reconnecting
        form.show_connection("closed", None, {"subprotocol": None, "extensions": []})
        assert form.negotiated_label.value == ""
    finally:
        form.close()
