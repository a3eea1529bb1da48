"""The send bar: in a panel (files sent as binary frames, echoed back), and alone."""

from __future__ import annotations

import asyncio
from typing import Any

import ipywidgets as widgets

from tests.helpers import encode_image, make_png, page, wait_for
from tests.panel_helpers import choose_files, log
from wsecho_widget import Message, WebSocketPanel
from wsecho_widget.model.message import format_size
from wsecho_widget.ui.controls import SendBar
from wsecho_widget.ui.controls.sendbar import SUBMIT_GRACE, recent_label


async def test_a_chosen_picture_goes_out_binary_and_comes_back_as_that_picture(panel: WebSocketPanel) -> None:
    jpeg = encode_image("JPEG", (40, 30))
    assert panel.send_file_button.disabled  # nothing chosen yet
    choose_files(panel.file_upload, ("photo.jpg", jpeg))
    assert not panel.send_file_button.disabled
    assert "photo.jpg" in panel.notice_label.value
    panel.send_file_button.click()
    echo = await panel.receive(timeout=5)
    assert echo.data == jpeg and echo.kind == "binary" and echo.image_format == "jpeg"
    assert panel.messages[-2] == Message("sent", jpeg, panel.messages[-2].timestamp)
    # The frame's size is in the log, and the echo is shown as the picture itself.
    await wait_for(lambda: page(panel.output).media() == [jpeg], what="the picture in the log")
    assert f"→ binary {format_size(len(jpeg))} (jpeg picture)" in log(panel)
    assert f"← binary {format_size(len(jpeg))} (jpeg picture)" in log(panel)
    # The upload is reset: its bytes are not kept in the widget, the button is off again.
    assert panel.file_upload.value == ()
    assert panel.send_file_button.disabled
    assert panel.notice_label.value == f"sent photo.jpg ({format_size(len(jpeg))}) as binary"


async def test_several_files_go_out_in_order(panel: WebSocketPanel) -> None:
    files = [("a.bin", b"\x00\x01\x02"), ("b.txt", "héllo".encode()), ("c.png", make_png())]
    choose_files(panel.file_upload, *files)
    panel.send_file_button.click()
    echoes = [(await panel.receive(timeout=5)).data for _ in files]
    assert echoes == [data for _, data in files]
    assert all(isinstance(e, bytes) for e in echoes)  # a text file still goes out as binary


async def test_a_file_chosen_while_closed_stays_chosen(panel: WebSocketPanel) -> None:
    await panel.disconnect()
    choose_files(panel.file_upload, ("later.bin", b"later"))
    panel.send_file_button.click()
    assert "not sent: not connected" in panel.notice_label.value
    assert len(panel.file_upload.value) == 1  # kept, to send once connected
    assert not [m for m in panel.messages if m.data == b"later"]
    await panel.connect()
    panel.send_file_button.click()
    assert (await panel.receive(timeout=5)).data == b"later"
    assert panel.file_upload.value == ()


# -- the send bar alone -------------------------------------------------------------------


class Recorder:
    """A parent for a SendBar: records what it is asked to send, accepts or refuses."""

    def __init__(self, accept: bool = True) -> None:
        self.accept = accept
        self.texts: list[str] = []
        self.files: list[list[tuple[str, bytes]]] = []
        self.notices: list[str] = []

    def on_text(self, text: str) -> bool:
        self.texts.append(text)
        return self.accept

    def on_files(self, files: list[tuple[str, bytes]]) -> bool:
        self.files.append(files)
        return self.accept

    def bar(self, **extra: Any) -> SendBar:
        return SendBar(
            asyncio.get_running_loop(),
            on_text=self.on_text,
            on_files=self.on_files,
            notify=self.notices.append,
            **extra,
        )


async def test_a_parent_places_its_own_widgets_before_and_after_the_input() -> None:
    # A Socket.IO panel: the event's name before the input, an "ask ack" box after.
    parent = Recorder()
    first, last = widgets.Text(description="Event"), widgets.Checkbox(description="ask ack")
    bar = parent.bar(text_row_first=[first], text_row_extra=[last])
    try:
        row = bar.children[0].children
        assert row == (first, bar.text, bar.textarea, bar.send_button, bar.multiline_button, bar.recent, last)
        assert bar.children[1].children == (bar.file_upload, bar.send_file_button)
        bar.text.value = "hello"
        bar.send_button.click()
        assert parent.texts == ["hello"]
    finally:
        bar.close()


async def test_click_sends_the_text_and_clears_it_only_when_sent() -> None:
    parent = Recorder()
    extra = widgets.Button(description="Extra", tooltip="a parent's own button")
    bar = parent.bar(text_row_extra=[extra])
    try:
        assert bar.children[0].children == (
            bar.text,
            bar.textarea,
            bar.send_button,
            bar.multiline_button,
            bar.recent,
            extra,
        )
        bar.text.value = "hello"
        bar.send_button.click()
        assert parent.texts == ["hello"] and bar.text.value == ""
        parent.accept = False  # e.g. not connected
        bar.text.value = "keep me"
        bar.send_button.click()
        assert parent.texts == ["hello", "keep me"] and bar.text.value == "keep me"
    finally:
        bar.close()


async def test_enter_waits_for_the_value_or_the_grace_period() -> None:
    parent = Recorder()
    bar = parent.bar()
    try:
        bar.text._handle_custom_msg({"event": "submit"}, [])  # Enter, then the new value
        assert parent.texts == []
        bar.text.value = "typed"
        assert parent.texts == ["typed"]
        bar.text.value = "unchanged"
        parent.texts.clear()
        bar.text._handle_custom_msg({"event": "submit"}, [])  # Enter, no value update follows
        assert parent.texts == []
        await wait_for(
            lambda: parent.texts == ["unchanged"], timeout=SUBMIT_GRACE * 4, what="the grace period"
        )
    finally:
        bar.close()


async def test_chosen_files_are_named_sent_as_bytes_and_released_once_sent() -> None:
    parent = Recorder(accept=False)
    bar = parent.bar()
    try:
        assert bar.send_file_button.disabled
        choose_files(bar.file_upload, ("a.bin", b"\x00\x01"), ("b.txt", b"hi"))
        assert not bar.send_file_button.disabled
        assert parent.notices == ["chosen: a.bin (2 B), b.txt (2 B); Send file sends it as binary"]
        bar.send_file_button.click()
        assert parent.files == [[("a.bin", b"\x00\x01"), ("b.txt", b"hi")]]
        assert len(bar.file_upload.value) == 2  # refused: still chosen
        parent.accept = True
        bar.send_file_button.click()
        assert bar.file_upload.value == () and bar.send_file_button.disabled
    finally:
        bar.close()


# -- the composer: multi-line mode and Recent ---------------------------------------------

PAYLOAD = '{\n  "op": "subscribe",\n  "args": ["EURUSD", "GBPUSD"]\n}'


async def test_multi_line_mode_sends_the_whole_text_as_one_frame_and_stays_on() -> None:
    parent = Recorder()
    bar = parent.bar()
    try:
        assert not bar.multiline and bar.input is bar.text
        assert bar.textarea.layout.display == "none"
        bar.text.value = "{"  # typed before switching: goes along
        bar.multiline_button.value = True  # what a click on the toggle sends
        assert bar.multiline and bar.input is bar.textarea
        assert bar.textarea.value == "{" and bar.text.value == ""
        assert bar.text.layout.display == "none" and bar.textarea.layout.display is None
        # The text area syncs when it loses focus, i.e. just before the click: the
        # click waits for that value.
        bar.send_button.click()
        assert parent.texts == []
        bar.textarea.value = PAYLOAD
        assert parent.texts == [PAYLOAD]  # one text, newlines and all
        assert bar.textarea.value == ""
        assert bar.multiline  # the mode stays for the next message
        # A click whose value does not change (sent again as it is) goes after the grace.
        bar.textarea.value = "[1,\n 2]"
        bar.send_button.click()
        await wait_for(lambda: parent.texts[-1] == "[1,\n 2]", timeout=SUBMIT_GRACE * 4, what="the grace")
        bar.multiline = False
        assert bar.input is bar.text and bar.text.layout.display is None
    finally:
        bar.close()


async def test_recent_offers_the_last_20_distinct_texts_newest_first() -> None:
    parent = Recorder()
    bar = parent.bar()
    try:
        assert bar.recent.options == (("Recent…", ""),)
        for i in range(25):
            bar.text.value = f"message {i}"
            bar.send_button.click()
        bar.text.value = "message 22"  # sent again: moves to the top, not a second entry
        bar.send_button.click()
        assert bar.recent_texts == [
            "message 22",
            "message 24",
            "message 23",
            *(f"message {i}" for i in range(21, 4, -1)),
        ]
        assert len(bar.recent_texts) == 20
        labels = [label for label, _ in bar.recent.options]
        assert labels[:3] == ["Recent…", "message 22", "message 24"]
        parent.accept = False
        bar.text.value = "refused"
        bar.send_button.click()
        assert "refused" not in bar.recent_texts  # only what went out
    finally:
        bar.close()


async def test_choosing_a_recent_text_puts_it_in_the_input() -> None:
    parent = Recorder()
    bar = parent.bar()
    try:
        bar.text.value = "ping"
        bar.send_button.click()
        bar.multiline = True
        bar.textarea.value = PAYLOAD
        bar.send_button.click()
        await wait_for(lambda: len(parent.texts) == 2, timeout=SUBMIT_GRACE * 4, what="the grace")
        bar.multiline = False
        assert [label for label, _ in bar.recent.options] == ["Recent…", "{ (4 lines)", "ping"]
        bar.recent.value = PAYLOAD  # what choosing the option sends (by index, as the browser does)
        assert bar.multiline and bar.textarea.value == PAYLOAD  # several lines: multi-line mode
        assert bar.recent.value == ""  # back to the prompt
        bar.recent.index = 2
        assert bar.textarea.value == "ping"
        bar.forget_recent()
        assert bar.recent_texts == [] and bar.recent.options == (("Recent…", ""),)
    finally:
        bar.close()


def test_recent_labels_are_short() -> None:
    assert recent_label("x" * 100) == "x" * 39 + "…"
    assert recent_label("  {\n}") == "{ (2 lines)"
    assert recent_label("") == ""


def _keys(bar: SendBar, content: dict[str, Any]) -> None:
    """What the page's composer keys send, delivered as the kernel does (its widget message)."""
    bar.composer_keys._received(bar.composer_keys, content, [])


async def test_up_in_the_empty_input_recalls_earlier_sends_like_a_shell(panel: WebSocketPanel) -> None:
    bar = panel.send_bar
    for text in ("first", "second", "third"):
        bar.text.value = text
        bar.send_text()
        await panel.receive(timeout=5)
    _keys(bar, {"kind": "recall", "step": 1})
    assert bar.text.value == "third"
    _keys(bar, {"kind": "recall", "step": 1})
    _keys(bar, {"kind": "recall", "step": 1})
    _keys(bar, {"kind": "recall", "step": 1})  # stays at the oldest
    assert bar.text.value == "first"
    _keys(bar, {"kind": "recall", "step": -1})
    assert bar.text.value == "second"
    bar.send_text()  # sent again: the next Up starts from the newest
    await panel.receive(timeout=5)
    _keys(bar, {"kind": "recall", "step": 1})
    assert bar.text.value == "second"
    _keys(bar, {"kind": "recall", "step": -1})  # past the newest: empty again
    assert bar.text.value == ""
    _keys(bar, {"kind": "recall", "step": "up"})  # not a ComposerRequest: ignored
    assert bar.text.value == ""


async def test_ctrl_enter_sends_the_multi_line_text_the_page_holds(panel: WebSocketPanel) -> None:
    bar = panel.send_bar
    _keys(bar, {"kind": "submit", "text": "not in multi-line mode"})
    assert bar.text.value == "" and panel.messages.totals.sent_messages == 0
    bar.multiline = True
    _keys(bar, {"kind": "submit", "text": "line one\nline two"})  # the area has not synced yet
    echo = await panel.receive(timeout=5)
    assert echo.data == "line one\nline two"
    assert bar.textarea.value == ""
