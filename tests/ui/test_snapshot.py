"""The static record a panel leaves in the notebook: escaped, script-free, within its budget."""

from __future__ import annotations

import base64
import struct
import time

from tests.helpers import encode_image, make_png
from tests.html_checks import HOSTILE, audit
from wsecho_widget.model.message import Message
from wsecho_widget.ui._html import esc, pick_pictures, picture_uri
from wsecho_widget.ui.render import render_line
from wsecho_widget.ui.snapshot import MAX_LINES, Record, snapshot_bundle

T0 = 1_790_000_000.0


def conversation(count: int) -> list[Message]:
    out = []
    for i in range(count):
        out.append(Message("sent", f"hello {i}", T0 + i))
        out.append(Message("received", f"hello {i}", T0 + i + 0.01))
    return out


def record(messages: list[Message], **kw: object) -> Record:
    values: dict[str, object] = {
        "kind": "WebSocketPanel",
        "status": "● closed: disconnected",
        "url": "ws://user:pw@127.0.0.1:8765/feed?token=abc",
        "counts": "sent 3 (15 B) · received 3 (15 B)",
        "lines": [render_line(m) for m in messages],
        "messages": messages,
        "made": T0 + 100,
    }
    values.update(kw)
    return Record(**values)  # type: ignore[arg-type]


def test_the_record_holds_status_masked_url_counts_and_the_conversation() -> None:
    bundle = snapshot_bundle(record(conversation(3)))
    assert set(bundle) == {"text/html", "text/plain"}
    for text in (audit(bundle["text/html"]).all_text, bundle["text/plain"]):
        assert "WebSocketPanel · ● closed: disconnected" in text
        assert "ws://***@127.0.0.1:8765/feed?token=***" in text
        assert "abc" not in text and "pw" not in text
        assert "sent 3 (15 B) · received 3 (15 B)" in text
        assert "→ hello 0" in text and "← hello 2" in text
        assert "when the panel closed" in text


def test_only_the_last_lines_are_kept_and_the_record_says_so() -> None:
    messages = conversation(40)  # 80 entries
    bundle = snapshot_bundle(record(messages))
    text = audit(bundle["text/html"]).all_text
    assert "← hello 14" not in text and "→ hello 15" in text  # entries 31..80
    assert text.count("hello") == MAX_LINES
    assert "the 30 older log entries are not in it" in text


def test_received_markup_is_text_never_markup() -> None:
    messages = [Message("received", HOSTILE, T0)]
    bundle = snapshot_bundle(record(messages, kind="<b>x</b>", counts=HOSTILE))
    found = audit(bundle["text/html"])  # fails on any <script>, handler, external src
    assert found.all_text.count(HOSTILE) == 2 and "<b>x</b>" in found.all_text
    assert "<script>" not in bundle["text/html"] and "onerror=" not in bundle["text/html"].replace(
        "onerror=alert", ""
    )
    assert set(found.tags) <= {"div", "pre"}


def test_pictures_are_data_uris_newest_eight_within_the_budget() -> None:
    pictures = [Message("received", make_png(40 + i, 30), T0 + i) for i in range(12)]
    bundle = snapshot_bundle(record(pictures))
    found = audit(bundle["text/html"])
    assert len(found.pictures) == 8
    # The newest eight, oldest first, byte for byte.
    shown = [base64.b64decode(uri.partition(",")[2]) for uri in found.pictures]
    assert shown == [m.data for m in pictures[4:]]
    assert "4 older pictures left out" in found.all_text
    assert "8 pictures in the HTML view" in bundle["text/plain"]


def test_the_byte_budget_holds_and_smaller_older_pictures_still_fit() -> None:
    big = Message("received", encode_image("PNG", (600, 400)) + bytes(300_000), T0 + 2)
    small = Message("received", make_png(), T0 + 1)
    chosen, left_out = pick_pictures([small, big], count=8, budget=100_000)
    assert [p.message for p in chosen] == [small] and left_out == 1
    bundle = snapshot_bundle(record([small, big], lines=[]), budget=100_000)
    assert len(bundle["text/html"]) < 100_000 + 5_000


def test_every_picture_format_but_svg_and_no_bomb() -> None:
    gif_bomb = (
        b"GIF89a" + struct.pack("<HHBBB", 65535, 65535, 0x80, 0, 0) + b"\x00" * 6 + b","
        + struct.pack("<HHHHB", 0, 0, 65535, 65535, 0) + b"\x02\x02D\x01\x00;"
    )  # fmt: skip
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
    formats = [encode_image(fmt) for fmt in ("PNG", "JPEG", "GIF", "WEBP")]
    messages = [Message("received", data, T0) for data in (*formats, gif_bomb, svg)]
    uris = [picture_uri(m) for m in messages]
    assert [u.split(";")[0] if u else None for u in uris] == [
        "data:image/png",
        "data:image/jpeg",
        "data:image/gif",
        "data:image/webp",
        None,  # 65535x65535 declared: a decompression bomb stays out of the notebook
        None,  # SVG is markup
    ]
    found = audit(snapshot_bundle(record(messages))["text/html"])
    assert len(found.pictures) == 4


def test_a_huge_text_frame_is_cut_and_a_lone_surrogate_still_encodes() -> None:
    messages = [Message("received", "x" * 100_000, T0), Message("sent", "bad \ud800 text", T0 + 1)]
    bundle = snapshot_bundle(record(messages))
    assert len(bundle["text/html"]) < 10_000
    assert "more characters)" in bundle["text/plain"]
    bundle["text/html"].encode("utf-8")
    assert esc("\ud800<").endswith("\ufffd&lt;")


def test_an_empty_log_and_freeze_say_so() -> None:
    bundle = snapshot_bundle(record([], url=None, counts="", reason="frozen", made=time.time()))
    assert "(no messages)" in bundle["text/plain"] and "by freeze()" in bundle["text/plain"]
    audit(bundle["text/html"])


def test_a_picture_and_its_echo_are_shown_once() -> None:
    png = make_png()
    echo = [Message("sent", png, T0), Message("received", png, T0 + 0.01)]
    chosen, left_out = pick_pictures(echo, count=8, budget=10**6)
    assert [p.message.direction for p in chosen] == ["received"] and left_out == 0
