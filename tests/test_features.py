"""Issue 6's features, driven as a user would: widget values, clicks, real servers."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pytest
from websockets.asyncio.server import ServerConnection, serve

from tests.helpers import encode_image, image_ids, live_widgets, make_png, texts, wait_for
from wsecho_widget import ChannelError, Message, WebSocketPanel
from wsecho_widget.model import format_size


class Counting:
    """Counts the assignments to an Output's outputs (one per render)."""

    def __init__(self, output: widgets.Output) -> None:
        self.updates = 0
        output.observe(self._count, "outputs")

    def _count(self, _: object) -> None:
        self.updates += 1


def choose_files(panel: WebSocketPanel, *files: tuple[str, bytes]) -> None:
    """What the browser sends when files are picked: the value, deserialised like a comm message."""
    now_ms = int(time.time() * 1000)
    panel.file_upload.set_state(
        {
            "value": [
                {
                    "name": name,
                    "type": "",
                    "size": len(data),
                    "content": memoryview(data),
                    "last_modified": now_ms,
                }
                for name, data in files
            ]
        }
    )


def log(panel: WebSocketPanel) -> str:
    return texts(panel.output.outputs)


# -- files as binary frames ---------------------------------------------------------------


async def test_a_chosen_picture_goes_out_binary_and_comes_back_as_that_picture(panel: WebSocketPanel) -> None:
    jpeg = encode_image("JPEG", (40, 30))
    assert panel.send_file_button.disabled  # nothing chosen yet
    choose_files(panel, ("photo.jpg", jpeg))
    assert not panel.send_file_button.disabled
    assert "photo.jpg" in panel.notice_label.value
    panel.send_file_button.click()
    echo = await panel.receive(timeout=5)
    assert echo.data == jpeg and echo.kind == "binary" and echo.image_format == "jpeg"
    assert panel.messages[-2] == Message("sent", jpeg, panel.messages[-2].timestamp)
    # The frame's size is in the log, and the echo is shown as the picture itself.
    await wait_for(lambda: image_ids(panel.output.outputs), what="the picture in the log")
    (image_id,) = image_ids(panel.output.outputs)
    image = live_widgets()[image_id]
    assert isinstance(image, widgets.Image) and image.value == jpeg and image.format == "jpeg"
    assert f"→ binary {format_size(len(jpeg))} (jpeg picture)" in log(panel)
    assert f"← binary {format_size(len(jpeg))} (jpeg picture)" in log(panel)
    # The upload is reset: its bytes are not kept in the widget, the button is off again.
    assert panel.file_upload.value == ()
    assert panel.send_file_button.disabled
    assert panel.notice_label.value == f"sent photo.jpg ({format_size(len(jpeg))}) as binary"


async def test_several_files_go_out_in_order(panel: WebSocketPanel) -> None:
    files = [("a.bin", b"\x00\x01\x02"), ("b.txt", "héllo".encode()), ("c.png", make_png())]
    choose_files(panel, *files)
    panel.send_file_button.click()
    echoes = [(await panel.receive(timeout=5)).data for _ in files]
    assert echoes == [data for _, data in files]
    assert all(isinstance(e, bytes) for e in echoes)  # a text file still goes out as binary


async def test_a_file_chosen_while_closed_stays_chosen(panel: WebSocketPanel) -> None:
    await panel.disconnect()
    choose_files(panel, ("later.bin", b"later"))
    panel.send_file_button.click()
    assert "not sent: not connected" in panel.notice_label.value
    assert len(panel.file_upload.value) == 1  # kept, to send once connected
    assert not [m for m in panel.messages if m.data == b"later"]
    await panel.connect()
    panel.send_file_button.click()
    assert (await panel.receive(timeout=5)).data == b"later"
    assert panel.file_upload.value == ()


# -- JSON ---------------------------------------------------------------------------------


async def test_send_json_and_the_json_view(panel: WebSocketPanel) -> None:
    panel.send_json({"type": "greet", "to": "世界", "n": [1, 2]})
    echo = await panel.receive(timeout=5)
    assert echo.kind == "text"
    assert echo.data == '{"type": "greet", "to": "世界", "n": [1, 2]}'  # UTF-8, not \u escapes
    panel.send("not json {")
    await panel.receive(timeout=5)
    await wait_for(lambda: "← not json {" in log(panel), what="the echoes")
    assert '← {"type": "greet", "to": "世界", "n": [1, 2]}' in log(panel)  # plain by default

    renders = Counting(panel.output)
    panel.json_button.value = True  # the user clicks JSON
    assert renders.updates == 1  # the log is re-rendered in one update
    shown = log(panel)
    assert "← {\n" in shown and '  "to": "世界",\n' in shown and '  "n": [\n' in shown
    assert "← not json {\n" in shown  # not JSON: as it came
    # Still plain text in the log, never HTML.
    assert {o["output_type"] for o in panel.output.outputs} == {"stream"}
    assert echo.data == '{"type": "greet", "to": "世界", "n": [1, 2]}'  # the data is untouched

    panel.send_json([{"later": True}])  # new messages use the view too
    await panel.receive(timeout=5)
    await wait_for(lambda: '"later": true' in log(panel), what="the new JSON entry")
    assert "← [\n" in log(panel)
    panel.json_button.value = False
    assert '← [{"later": true}]' in log(panel)


async def test_send_json_refuses_what_json_cannot_encode(panel: WebSocketPanel) -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        panel.send_json({"when": datetime.now(UTC)})
    assert "not sent" in panel.notice_label.value
    assert len(panel.messages) == 0
    panel.send_json({"ascii": "é"}, ensure_ascii=True)
    assert (await panel.receive(timeout=5)).data == '{"ascii": "\\u00e9"}'


# -- binary views -------------------------------------------------------------------------


async def test_hex_view_and_back_to_pictures(panel: WebSocketPanel) -> None:
    png = make_png()
    noise = bytes(range(256)) * 3
    panel.send(png)
    panel.send(noise)
    replies = [await panel.receive(timeout=5) for _ in range(2)]
    await wait_for(lambda: image_ids(panel.output.outputs), what="the picture")
    (first_id,) = image_ids(panel.output.outputs)

    renders = Counting(panel.output)
    panel.binary_view.value = "hex"
    assert renders.updates == 1
    shown = log(panel)
    assert image_ids(panel.output.outputs) == []  # hex instead of the picture...
    assert first_id not in live_widgets()  # ...and its widget is closed
    assert "00000000  89 50 4e 47 0d 0a 1a 0a" in shown
    assert f"← binary {format_size(len(noise))}\n" in shown
    assert f"… {len(noise) - 256:,} more bytes" in shown  # a preview, not the whole frame
    assert [r.data for r in replies] == [png, noise]  # the data is exact whatever the view

    panel.binary_view.value = "auto"
    assert renders.updates == 2
    assert len(image_ids(panel.output.outputs)) == 1  # the picture again
    assert f"← binary {format_size(len(noise))}: 00 01 02" in log(panel)


async def test_view_changes_keep_pictures_that_stay(panel: WebSocketPanel) -> None:
    panel.send(make_png())
    await panel.receive(timeout=5)
    await wait_for(lambda: image_ids(panel.output.outputs), what="the picture")
    before = image_ids(panel.output.outputs)
    panel.json_button.value = True  # a view change that does not touch pictures
    assert image_ids(panel.output.outputs) == before  # same widget: no bytes sent again


# -- log search ---------------------------------------------------------------------------


async def filtered(panel: WebSocketPanel, query: str) -> str:
    renders = Counting(panel.output)
    panel.filter_text.value = query  # what typing in the box does
    await wait_for(lambda: renders.updates >= 1, what="the filtered log")
    await asyncio.sleep(0.15)  # past the typing delay: no second render comes
    assert renders.updates == 1
    return log(panel)


async def test_filter_narrows_the_log(panel: WebSocketPanel) -> None:
    for word in ("Apple pie", "banana", "pineapple", "cherry"):
        panel.send(word)
        await panel.receive(timeout=5)
    panel.send(make_png())
    await panel.receive(timeout=5)
    await wait_for(lambda: "← cherry" in log(panel), what="everything")

    shown = await filtered(panel, "APPLE")
    assert "← Apple pie" in shown and "← pineapple" in shown and "→ pineapple" in shown
    assert "banana" not in shown and "cherry" not in shown
    assert image_ids(panel.output.outputs) == []
    assert "filter shows 4" in panel.stats_label.value

    # New messages: only those that match join the log.
    panel.send("crab apple")
    panel.send("durian")
    await panel.receive(timeout=5)
    await panel.receive(timeout=5)
    await wait_for(lambda: "← crab apple" in log(panel), what="the new match")
    await asyncio.sleep(0.1)
    assert "durian" not in log(panel)
    await wait_for(lambda: "received 7" in panel.stats_label.value, what="the totals to count every echo")

    shown = await filtered(panel, "png")  # binary frames match on their summary
    assert shown.count("png picture") == 2
    assert len(image_ids(panel.output.outputs)) == 1

    shown = await filtered(panel, "")  # back to everything kept
    assert all(w in shown for w in ("Apple pie", "banana", "cherry", "durian", "crab apple"))
    assert "filter shows" not in panel.stats_label.value


async def test_filter_respects_clear_and_reads_the_history_not_the_screen() -> None:
    panel = WebSocketPanel(log_limit=3)
    try:
        await panel.ready
        for i in range(10):
            panel.send(f"msg {i}")
        await wait_for(lambda: panel.messages.totals.received_messages == 10, what="10 echoes")
        await wait_for(lambda: "← msg 9" in log(panel), what="the log")
        assert "msg 1\n" not in log(panel)  # only the newest 3 entries are on screen
        shown = await filtered(panel, "msg 1")
        assert "→ msg 1\n" in shown and "← msg 1\n" in shown  # found in the history
        panel.clear_button.click()
        panel.filter_text.value = "msg"
        await wait_for(lambda: "filter shows 0" in panel.stats_label.value, what="the filter")
        assert log(panel) == ""  # cleared entries stay cleared
        panel.send("msg after clear")
        await wait_for(lambda: "← msg after clear" in log(panel), what="the new entry")
    finally:
        panel.close()


# -- pause (hold the log still to read it) ------------------------------------------------


async def test_pause_holds_the_log_and_resume_catches_up(panel: WebSocketPanel) -> None:
    panel.send("before")
    await panel.receive(timeout=5)
    await wait_for(lambda: "← before" in log(panel), what="the first entry")
    panel.pause_button.value = True
    assert panel.pause_button.description == "Resume"
    renders = Counting(panel.output)
    for i in range(5):
        panel.send(f"while paused {i}")
    for _ in range(5):
        await panel.receive(timeout=5)
    await wait_for(lambda: "log paused (10 new)" in panel.stats_label.value, what="the paused count")
    assert renders.updates == 0  # the log held still
    assert "received 6" in panel.stats_label.value  # the totals did not
    panel.pause_button.value = False
    assert renders.updates == 1
    assert "← while paused 4" in log(panel)
    assert "paused" not in panel.stats_label.value


# -- latency ------------------------------------------------------------------------------


async def test_ping_returns_the_round_trip_and_the_status_shows_it(panel: WebSocketPanel) -> None:
    assert panel.latency is None  # no ping yet
    rtt = await panel.ping()
    assert isinstance(rtt, float) and 0 < rtt < 5
    assert panel.latency == rtt
    assert "● open · round trip " in panel.status_label.value
    assert panel.status_label.value.endswith(" ms")
    await panel.disconnect()
    assert "round trip" not in panel.status_label.value
    with pytest.raises(ChannelError, match="cannot ping: not connected"):
        await panel.ping()
    assert panel.notice_label.value.startswith("ping failed: cannot ping")


async def test_keepalive_pings_update_the_status() -> None:
    panel = WebSocketPanel(ping_interval=0.05)  # websockets' keepalive, every 50 ms
    try:
        await panel.ready
        await wait_for(lambda: panel.latency is not None, timeout=10, what="a keepalive round trip")
        assert "round trip" in panel.status_label.value
    finally:
        panel.close()


# -- connection options -------------------------------------------------------------------


def every_synced_value(widget: widgets.Widget) -> str:
    """Everything the panel's widgets would sync to the browser (and a notebook could save)."""
    seen = []
    for model in list(live_widgets().values()):
        state = model.get_state()
        seen.append(json.dumps(state, default=repr))
    return "\n".join(seen)


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


# -- transcripts --------------------------------------------------------------------------


async def test_save_and_load_a_transcript(panel: WebSocketPanel, tmp_path: Path) -> None:
    png = make_png()
    panel.send("Grüße 🌍")
    panel.send(png)
    panel.send_json({"k": "v"})
    for _ in range(3):
        await panel.receive(timeout=5)
    path = panel.save_transcript(tmp_path / "session.jsonl")
    assert path == tmp_path / "session.jsonl"
    assert panel.notice_label.value == f"saved 6 messages to {path}"
    loaded = WebSocketPanel.load_transcript(path)
    assert loaded == list(panel.messages)  # direction, exact data, timestamp
    assert [m.data for m in loaded if m.direction == "received"] == ["Grüße 🌍", png, '{"k": "v"}']
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(r["direction"], r["kind"]) for r in lines[:2]] == [("sent", "text"), ("sent", "binary")]
    assert datetime.fromisoformat(lines[0]["time"]).tzinfo is not None


def transcripts(folder: Path) -> list[Path]:
    return sorted(folder.glob("wsecho-transcript-*.jsonl"))


async def test_the_save_button_writes_into_the_working_directory(
    panel: WebSocketPanel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    panel.send(b"\x00\xff")
    await panel.receive(timeout=5)
    panel.save_button.click()
    panel.save_button.click()  # twice in the same second: two files, none overwritten
    await wait_for(lambda: panel.notice_label.value.startswith("saved"), what="the save")
    await wait_for(lambda: len(transcripts(tmp_path)) == 2, what="both files")
    files = transcripts(tmp_path)
    assert len(files) == 2
    assert str(files[0].parent) in panel.notice_label.value
    for file in files:
        assert [m.data for m in WebSocketPanel.load_transcript(file)] == [b"\x00\xff", b"\x00\xff"]


async def test_a_failed_save_is_one_line_in_the_notice(
    panel: WebSocketPanel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()  # the working directory no longer exists
    panel.save_button.click()
    await wait_for(lambda: panel.notice_label.value.startswith("transcript not saved"), what="the failure")
    assert "\n" not in panel.notice_label.value


async def test_a_save_that_fails_while_writing_is_reported(
    panel: WebSocketPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir("/proc")  # exists, but no file can be created there, even by root
    panel.save_button.click()
    assert panel.notice_label.value.startswith("saving")  # the thread writes it
    await wait_for(lambda: panel.notice_label.value.startswith("transcript not saved"), what="the failure")
    assert panel.notice_label.value.startswith("transcript not saved: No such file or directory (/proc/")
    with pytest.raises(FileNotFoundError):
        panel.save_transcript()
    assert panel.notice_label.value == "transcript not saved: No such file or directory"


# -- hooks --------------------------------------------------------------------------------


async def test_on_message_calls_sync_and_async_callbacks_once_per_message(panel: WebSocketPanel) -> None:
    got_sync: list[str | bytes] = []
    got_async: list[str | bytes] = []

    @panel.on_message
    def collect(message: Message) -> None:
        got_sync.append(message.data)

    async def slow(message: Message) -> None:
        await asyncio.sleep(0.01)
        got_async.append(message.data)

    assert panel.on_message(slow) is slow
    for i in range(5):
        panel.send(f"m{i}")
    panel.send(b"\x01")
    await wait_for(lambda: len(got_async) == 6, what="the async callbacks")
    expected = ["m0", "m1", "m2", "m3", "m4", b"\x01"]
    assert got_sync == expected  # received only, once each, in order
    assert sorted(map(str, got_async)) == sorted(map(str, expected))
    await wait_for(lambda: not panel.hooks.tasks, what="the callback tasks to end")

    panel.on_message(collect, remove=True)
    panel.send("after remove")
    await wait_for(lambda: len(got_async) == 7, what="the remaining callback")
    assert got_sync == expected


async def test_a_failing_callback_is_reported_and_the_loop_goes_on(panel: WebSocketPanel) -> None:
    good: list[str | bytes] = []

    def broken(message: Message) -> None:
        raise ValueError(f"cannot handle {message.data!r}\nsecond line")

    async def broken_later(message: Message) -> None:
        await asyncio.sleep(0)
        raise KeyError("async boom")

    panel.on_message(broken)
    panel.on_message(lambda m: good.append(m.data))
    panel.send("one")
    await wait_for(lambda: "failed" in panel.notice_label.value, what="the report")
    notice = panel.notice_label.value
    assert notice == (
        "on_message callback test_a_failing_callback_is_reported_and_the_loop_goes_on.<locals>.broken"
        " failed: ValueError: cannot handle 'one'"
    )
    panel.on_message(broken_later)
    panel.send("two")
    await wait_for(lambda: "KeyError" in panel.notice_label.value, what="the async failure")
    assert "(3 failures)" in panel.notice_label.value
    assert [type(e) for e in panel.callback_errors] == [ValueError, ValueError, KeyError]
    assert panel.status == "open"  # the receive loop is alive
    assert good == ["one", "two"]
    panel.send("three")
    assert [(await panel.receive(timeout=5)).data for _ in range(3)] == ["one", "two", "three"]


async def test_stream_yields_new_messages_and_ends_when_the_panel_closes() -> None:
    panel = WebSocketPanel()
    await panel.ready
    panel.send("old")
    await panel.receive(timeout=5)
    stream = panel.stream()
    other = panel.stream()
    got: list[str | bytes] = []

    async def read() -> None:
        async for message in stream:
            got.append(message.data)

    reader = asyncio.get_running_loop().create_task(read())
    for word in ("a", "b", "c"):
        panel.send(word)
    await wait_for(lambda: got == ["a", "b", "c"], what="the streamed messages")  # not "old"
    assert len(other) == 3  # each stream has its own queue
    panel.close()
    await asyncio.wait_for(reader, 5)  # the iteration ended
    assert [m.data async for m in other] == ["a", "b", "c"]  # what was queued is still read


async def test_a_slow_stream_is_bounded(panel: WebSocketPanel) -> None:
    stream = panel.stream(maxsize=3)
    for i in range(10):
        panel.send(str(i))
    await wait_for(lambda: panel.messages.totals.received_messages == 10, what="10 echoes")
    assert stream.dropped == 7
    assert [(await stream.__anext__()).data for _ in range(3)] == ["7", "8", "9"]
    stream.close()
    with pytest.raises(StopAsyncIteration):
        await stream.__anext__()


async def test_break_out_of_a_stream_stops_feeding_it(panel: WebSocketPanel) -> None:
    asyncio.get_running_loop().call_soon(panel.send, "x")  # once the loop below waits
    async for message in panel.stream():
        assert message.data == "x"
        break
    # The stream the loop used is garbage now: no longer fed.
    assert not panel.hooks.active
    panel.send("y")
    assert (await panel.receive(timeout=5)).data == "x"
    assert (await panel.receive(timeout=5)).data == "y"


# -- autoscroll, themes, accessibility ----------------------------------------------------


async def test_log_box_is_a_column_reverse_scroller(panel: WebSocketPanel) -> None:
    # The browser test checks that this keeps the newest entry in view.
    assert panel.log_box.children == (panel.output,)
    layout = panel.log_box.layout
    assert (layout.display, layout.flex_flow, layout.overflow) == ("flex", "column-reverse", "auto")
    assert panel.output.layout.flex == "0 0 auto"  # the Output grows; the box scrolls


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
        if isinstance(control, (widgets.Output, widgets.Label)):
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
