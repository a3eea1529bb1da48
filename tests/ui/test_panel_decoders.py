"""The panel's Binary views, decoders, send_msgpack/send_cbor and composer, on a real echo server."""

from __future__ import annotations

import datetime
import struct

import cbor2
import msgpack
import pytest

from tests.helpers import make_png, wait_for
from tests.panel_helpers import log
from wsecho_widget import WebSocketPanel, decode
from wsecho_widget.ui.controls.sendbar import SUBMIT_GRACE


async def test_send_msgpack_and_cbor_go_out_binary_and_each_view_reads_its_own(panel: WebSocketPanel) -> None:
    when = datetime.datetime(2026, 11, 30, 8, 0, tzinfo=datetime.UTC)
    panel.send_msgpack({"type": 1, "args": ["EURUSD", 1.5], "at": when})
    panel.send_cbor({"sensor": "t1", "celsius": 21.5})
    packed, encoded = (await panel.receive(timeout=5)).data, (await panel.receive(timeout=5)).data
    assert isinstance(packed, bytes) and isinstance(encoded, bytes)
    assert msgpack.unpackb(packed, timestamp=3) == {"type": 1, "args": ["EURUSD", 1.5], "at": when}
    assert cbor2.loads(encoded) == {"sensor": "t1", "celsius": 21.5}

    panel.binary_view.value = "msgpack"
    await wait_for(lambda: '"args": [' in log(panel), what="the msgpack view")
    text = log(panel)
    assert text.count("msgpack\n") == 2  # sent and echoed, each decoded under its line
    assert '"at": "2026-11-30T08:00:00+00:00"' in text
    # The CBOR frames are not MessagePack: their hex and the reason, one line each.
    cbor_lines = [line for line in text.splitlines() if "a2 66 73 65" in line]
    assert len(cbor_lines) == 2 and all("(not MessagePack:" in line for line in cbor_lines)

    panel.binary_view.value = "cbor"
    await wait_for(lambda: '"celsius": 21.5' in log(panel), what="the cbor view")
    assert log(panel).count("binary 28 B cbor\n") == 2

    panel.binary_view.value = "hex"
    await wait_for(lambda: "00000000  a2 66 73 65" in log(panel), what="the hex view")
    assert '"celsius"' not in log(panel)


async def test_protobuf_and_text_views(panel: WebSocketPanel) -> None:
    panel.send(b"\x08\x96\x01\x12\x07testing\x1a\x03\x08\xac\x02")
    await panel.receive(timeout=5)
    panel.binary_view.value = "protobuf"
    await wait_for(lambda: '"3 (len)": {' in log(panel), what="the protobuf view")
    assert '"1 (varint)": 150' in log(panel) and '"2 (len)": "testing"' in log(panel)
    panel.binary_view.value = "text"
    await wait_for(lambda: "binary 17 B text" in log(panel), what="the text view")
    assert "\\x08\\x96\\x01\\x12\\x07testing" in log(panel)


async def test_add_decoder_offers_it_and_a_failure_is_one_line(panel: WebSocketPanel) -> None:
    def u16(data: bytes) -> list[int]:
        return [value for (value,) in struct.iter_unpack(">H", data)]

    panel.add_decoder("u16", u16)
    assert panel.binary_view.options[-1] == "u16"
    panel.send(bytes([0, 1, 1, 0]))
    panel.send(bytes([1, 2, 3]))  # odd length: struct.error
    await panel.receive(timeout=5)
    await panel.receive(timeout=5)
    panel.binary_view.value = "u16"
    await wait_for(lambda: "binary 4 B u16\n" in log(panel), what="the u16 view")
    assert "  1,\n" in log(panel) and "  256\n" in log(panel)
    failure = (
        "binary 3 B: 01 02 03 (u16: error: iterative unpacking requires a buffer of a multiple of 2 bytes)"
    )
    assert log(panel).count(failure) == 2
    # Replaced while shown: re-rendered with the new one.
    panel.add_decoder("u16", lambda data: len(data))
    await wait_for(lambda: "binary 4 B u16\n" in log(panel) and "  4\n" in log(panel), what="the new decoder")
    # A picture is still a picture line in a decoding view, never a decoder's input.
    panel.send(make_png())
    await panel.receive(timeout=5)
    await wait_for(lambda: "(png picture)" in log(panel), what="the picture line")
    with pytest.raises(ValueError, match="built-in view"):
        panel.add_decoder("hex", u16)
    assert decode(bytes([0, 7]), "u16", decoders=panel.log_panel.toolbar.decoders) == 2


async def test_the_composer_sends_a_multi_line_payload_and_recent_forgets_on_clear(
    panel: WebSocketPanel,
) -> None:
    bar = panel.send_bar
    bar.multiline = True
    payload = '{\n  "op": "subscribe",\n  "id": 7\n}'
    bar.textarea.value = payload  # typed, then Send: the value has arrived before the click
    panel.send_button.click()
    await wait_for(lambda: len(panel.messages) == 2, timeout=SUBMIT_GRACE * 8, what="the echo")
    assert [m.data for m in panel.messages] == [payload, payload]  # one text frame, newlines and all
    assert bar.recent_texts == [payload] and bar.multiline
    panel.clear()
    assert bar.recent_texts == [] and bar.recent.options == (("Recent…", ""),)


async def test_without_the_codecs_extra_send_msgpack_says_how_to_install(panel: WebSocketPanel) -> None:
    import sys

    saved = sys.modules.get("msgpack")
    sys.modules["msgpack"] = None  # type: ignore[assignment]  # an import now fails, as when not installed
    try:
        with pytest.raises(ImportError, match=r'pip install "wsecho-widget\[codecs\]"'):
            panel.send_msgpack({"a": 1})
        assert (
            panel.notice_label.value
            == 'not sent: msgpack is not installed: pip install "wsecho-widget[codecs]"'
        )
        panel.send(b"\x81\xa1a\x01")
        await panel.receive(timeout=5)
        panel.binary_view.value = "msgpack"
        reason = '(msgpack: msgpack is not installed: pip install "wsecho-widget[codecs]")'
        await wait_for(lambda: f"binary 4 B: 81 a1 61 01 {reason}" in log(panel), what="the install hint")
    finally:
        sys.modules["msgpack"] = saved  # type: ignore[assignment]
    assert len([m for m in panel.messages if m.direction == "sent"]) == 1  # nothing else went out
