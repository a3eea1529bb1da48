"""The detail view: a selected message shown whole, its bytes sent once, more on request."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import msgpack
import pytest

from tests.helpers import make_png, page, wait_for
from wsecho_widget import WebSocketPanel
from wsecho_widget.model.message import History, Message
from wsecho_widget.ui.controls import LogPanel
from wsecho_widget.ui.controls.detail import DetailWidget
from wsecho_widget.ui.frontend import conforms
from wsecho_widget.ui.inspect import CHUNK, MEDIA_WHOLE, describe, kind_label, shown_first


class Sent:
    """Every message a detail widget sends its page, checked against protocol.js."""

    def __init__(self, widget: DetailWidget) -> None:
        self.messages: list[tuple[dict[str, Any], list[bytes]]] = []
        original = widget.send

        def send(content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
            kind = {"detail": "DetailMessage", "more": "MoreMessage"}[content["kind"]]
            assert conforms(content, kind), content
            self.messages.append((content, [bytes(b) for b in buffers or []]))
            original(content, buffers)

        widget.send = send

    @property
    def bytes(self) -> int:
        return sum(len(b) for _, buffers in self.messages for b in buffers)


def from_page(widget: DetailWidget | Any, content: dict[str, Any]) -> None:
    """What the page sends, delivered the way the kernel does: from another thread."""
    thread = threading.Thread(target=widget._received, args=(widget, content, []))
    thread.start()
    thread.join()


async def test_a_selected_json_echo_is_sent_whole_once_with_its_facts(panel: WebSocketPanel) -> None:
    sent = Sent(panel.log_panel.detail.widget)
    panel.send('{"user": {"name": "ada"}, "n": [1, 2]}')
    echo = await panel.receive(timeout=5)
    assert panel.selected is None
    assert panel.select(echo.seq) is echo
    assert panel.selected is echo
    [(detail, [data])] = sent.messages
    assert data == echo.data.encode()
    assert detail["label"] == "JSON" and detail["direction"] == "received" and detail["seq"] == echo.seq
    assert detail["resend"] is True and detail["edit"] is True
    assert "origin" not in detail  # a client panel's messages have no client
    assert page(panel.output).messages[-1][0] == {
        "kind": "selected",
        "seq": echo.seq,
    }  # every view highlights it
    assert panel.log_panel.detail.widget.layout.display == ""
    panel.select(echo.seq)  # the same again: nothing more goes to the page
    assert len(sent.messages) == 1
    panel.selected = None
    assert panel.log_panel.detail.widget.layout.display == "none"
    assert sent.messages[-1][0] == {"kind": "detail", "seq": None}


async def test_a_click_in_the_page_selects_and_resend_and_edit_act_on_it(panel: WebSocketPanel) -> None:
    panel.send("first line\nsecond line")
    echo = await panel.receive(timeout=5)
    from_page(panel.output, {"kind": "select", "seq": echo.seq})  # a click on its line
    await wait_for(lambda: panel.selected is echo, what="the selection")
    from_page(panel.log_panel.detail.widget, {"kind": "resend", "seq": echo.seq})
    again = await panel.receive(timeout=5)  # the echo of the resent payload
    assert again.data == echo.data and again.seq > echo.seq
    from_page(panel.log_panel.detail.widget, {"kind": "edit", "seq": echo.seq})
    await wait_for(lambda: panel.send_bar.input.value == echo.data, what="the text in the composer")
    assert panel.send_bar.multiline  # it has a newline
    from_page(panel.log_panel.detail.widget, {"kind": "select", "seq": None})  # the page's Close or Esc
    await wait_for(lambda: panel.selected is None, what="the selection cleared")


async def test_bad_requests_from_a_page_change_nothing(panel: WebSocketPanel) -> None:
    panel.send("x")
    echo = await panel.receive(timeout=5)
    panel.select(echo.seq)
    detail = panel.log_panel.detail.widget
    for bad in (
        {"kind": "select", "seq": "1"},
        {"kind": "resend"},
        {"kind": "more?", "offset": "0"},
        "select",
        [],
    ):
        from_page(detail, bad)  # type: ignore[arg-type]
        from_page(panel.output, bad)  # type: ignore[arg-type]
    note = panel.log_panel.pick_note
    assert note.layout.display == "none"
    # A line that left the history (a pick read late, in a flood): the selection clears, a line says why.
    from_page(panel.output, {"kind": "select", "seq": 10**9})
    await wait_for(lambda: panel.selected is None, what="the selection cleared")
    await wait_for(lambda: note.layout.display == "", what="the note")
    assert note.value == (
        "Message #1000000000 has left the history: newer messages pushed it out"
        " (a larger history_limit keeps more)."
    )
    from_page(panel.output, {"kind": "select", "seq": echo.seq})  # the next pick takes the note away
    await wait_for(lambda: panel.selected is echo, what="the selection")
    assert note.layout.display == "none" and note.value == ""
    with pytest.raises(KeyError, match="no message #1000000000"):
        panel.select(10**9)


async def test_a_huge_frame_comes_in_parts_only_when_asked() -> None:
    history = History(10)
    big = Message("received", bytes(range(256)) * (3 * CHUNK // 256 + 7), time.time())
    history.append(big)
    log = LogPanel(asyncio.get_running_loop(), history)
    sent = Sent(log.detail.widget)
    try:
        log.select(big.seq)
        assert sent.bytes == CHUNK  # the first part only
        assert sent.messages[0][0]["shown"] == CHUNK
        from_page(log.detail.widget, {"kind": "more?", "seq": big.seq, "offset": CHUNK})
        await wait_for(lambda: len(sent.messages) == 2, what="the next part")
        assert sent.messages[1] == (
            {"kind": "more", "seq": big.seq, "offset": CHUNK},
            [big.data[CHUNK : 2 * CHUNK]],
        )
        from_page(log.detail.widget, {"kind": "more?", "seq": big.seq, "offset": 2 * CHUNK, "all": True})
        await wait_for(lambda: len(sent.messages) == 3, what="the rest")
        assert b"".join(b for _, buffers in sent.messages for b in buffers) == big.data  # each byte once
        from_page(log.detail.widget, {"kind": "more?", "seq": big.seq - 1, "offset": 0})  # another message
        await asyncio.sleep(0.05)
        assert len(sent.messages) == 3
    finally:
        log.close()


async def test_selecting_during_a_flood_sends_only_the_selected_message() -> None:
    history = History(100_000)
    log = LogPanel(asyncio.get_running_loop(), history)
    sent = Sent(log.detail.widget)
    mirror = page(log.output)
    try:
        for start in range(0, 100_000, 10_000):
            batch = [Message("received", f"flood {i}", time.time()) for i in range(start, start + 10_000)]
            history.extend(batch)
            log.add(batch)
            if start == 50_000:
                before = len(mirror.messages)
                chosen = log.select(batch[0].seq)
                assert chosen is not None
                assert len(mirror.messages) == before + 1  # one "selected" to the log's views
            await asyncio.sleep(0)
        assert len(sent.messages) == 1 and sent.bytes == len("flood 50000")
        assert log.find(history[0].seq) is history[0]
        assert log.find(history[-1].seq + 1) is None
    finally:
        log.close()


def test_what_the_detail_says_of_each_kind_of_message() -> None:
    packed = Message("received", msgpack.packb({"a": [1, 2]}), 0.0, client="c3")
    facts = describe(packed, origin="c3")
    assert (facts["label"], facts["decoder"], facts["origin"]) == ("binary", "msgpack", "c3")
    assert '"a": [' in facts["decoded"]
    assert describe(packed, view="protobuf")["decoder"] == "protobuf"
    assert describe(Message("sent", "not json {", 0.0))["label"] == "text"
    undecodable = describe(Message("sent", b"\xc1", 0.0))  # neither MessagePack nor CBOR
    assert "decoded" not in undecodable and undecodable["edit"] is False  # binary is not edited as text
    assert kind_label(Message("received", b"RIFF\x00\x00\x00\x00WAVEfmt ", 0.0)) == "wav audio"
    picture = Message("received", make_png(400, 300), 0.0)
    facts = describe(picture)
    assert (facts["media"], facts["dimensions"], facts["label"]) == ("image/png", [400, 300], "png picture")
    assert facts["shown"] == picture.size  # a picture comes whole, to be shown at once
    assert MEDIA_WHOLE >= 16 * 1024 * 1024
    text = Message("sent", "é" * CHUNK, 0.0)
    assert shown_first(text) == CHUNK and text.size == 2 * CHUNK
