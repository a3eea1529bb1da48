"""How messages and status read as text: log lines, pretty JSON, hex dumps, the filter, the status line."""

from __future__ import annotations

import json
import os
import time

import cbor2
import msgpack
import pytest

from tests.helpers import make_png
from tests.ui.test_logview import wav
from wsecho_widget.model.message import Message
from wsecho_widget.ui.render import (
    FilterError,
    LogFormat,
    format_seconds,
    message_filter,
    pretty_json,
    render_line,
    searchable_text,
    status_text,
)

TS = time.mktime((2024, 5, 6, 13, 14, 15, 0, 0, -1)) + 0.25
HEAD = "13:14:15.250 ← "


def received(data: str | bytes) -> Message:
    return Message("received", data, TS)


def test_pretty_json_reindents_objects_and_arrays() -> None:
    text = '{"name":"wsecho","tags":["a","b"],"empty":{},"none":[],"n":1}'
    assert pretty_json(text) == (
        "{\n"
        '  "name": "wsecho",\n'
        '  "tags": [\n'
        '    "a",\n'
        '    "b"\n'
        "  ],\n"
        '  "empty": {},\n'
        '  "none": [],\n'
        '  "n": 1\n'
        "}"
    )
    assert json.loads(pretty_json(text) or "") == json.loads(text)


def test_pretty_json_changes_only_whitespace() -> None:
    # Numbers keep their spelling, duplicate keys stay, strings with structural
    # characters and escapes are copied as they are.
    text = '{"x": 1.000000000000000001, "x": 2E+3, "s": "a, b: {c} [d] \\" \\\\", "u": "\\u00e9"}'
    pretty = pretty_json(text)
    assert pretty is not None
    assert "".join(pretty.split()) == "".join(text.split())
    assert '"s": "a, b: {c} [d] \\" \\\\"' in pretty


def test_not_json_or_not_a_container_stays_plain() -> None:
    for text in ("hello", "42", '"a string"', "true", "{not json}", "[1, 2", ""):
        assert pretty_json(text) is None, text


def test_json_view_renders_text_not_markup() -> None:
    fmt = LogFormat(pretty_json=True)
    line = fmt.render(received('{"html":"<b>bold</b>"}'))
    assert line == HEAD + "{\n" + " " * len(HEAD) + '  "html": "<b>bold</b>"\n' + " " * len(HEAD) + "}\n"
    # Off by default: the text as it came.
    assert LogFormat().render(received('{"a":1}')) == HEAD + '{"a":1}\n'
    assert fmt.render(received("plain")) == render_line(received("plain"))


def test_hex_view_dumps_binary_with_offsets_and_ascii() -> None:
    data = b"Hello, hex view!" + bytes(range(256)) + bytes(44)
    line = LogFormat(binary="hex", hex_bytes=32).render(received(data))
    lines = line.splitlines()
    pad = " " * len(HEAD)
    assert lines[0] == HEAD + "binary 316 B"
    assert lines[1] == pad + "00000000  48 65 6c 6c 6f 2c 20 68 65 78 20 76 69 65 77 21  Hello, hex view!"
    assert lines[2] == pad + "00000010  00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f  ................"
    assert lines[3] == pad + "… 284 more bytes"
    assert len(lines) == 4


def test_hex_view_of_a_picture_names_its_format() -> None:
    png = make_png()
    fmt = LogFormat(binary="hex")
    assert not fmt.show_pictures
    assert LogFormat().show_pictures
    first = fmt.render(received(png)).splitlines()[:2]
    assert first[0].endswith("(png picture)")
    assert "89 50 4e 47 0d 0a 1a 0a" in first[1] and ".PNG...." in first[1]


def test_filter_is_case_insensitive_substring() -> None:
    keep = message_filter("  STRASSE ")
    assert keep is not None
    assert keep(received("die Straße"))
    assert keep(received("strasse"))
    assert not keep(received("street"))
    assert message_filter("") is None
    assert message_filter("   ") is None


def test_filter_finds_binary_frames_by_their_summary() -> None:
    png = received(make_png())
    noise = received(bytes([0xDE, 0xAD, 0xBE, 0xEF]))
    assert searchable_text(png).startswith("binary ") and "(png picture)" in searchable_text(png)
    assert searchable_text(noise) == "binary 4 B: de ad be ef"
    assert message_filter("png")(png)  # type: ignore[misc]
    assert message_filter("DE AD")(noise)  # type: ignore[misc]
    assert not message_filter("png")(noise)  # type: ignore[misc]
    assert not message_filter("13:14")(noise)  # type: ignore[misc]  # the time is not searched


def test_render_line() -> None:
    ts = time.mktime((2026, 1, 2, 13, 14, 15, 0, 0, -1)) + 0.25
    assert render_line(Message("sent", "hi", ts)) == "13:14:15.250 → hi\n"
    assert render_line(Message("received", "a\nb", ts)) == "13:14:15.250 ← a\n               b\n"
    assert render_line(Message("received", b"", ts)) == "13:14:15.250 ← binary 0 B: (empty)\n"
    noise = os.urandom(8)
    assert render_line(Message("received", noise, ts)).endswith(f"binary 8 B: {noise.hex(' ')}\n")
    assert render_line(Message("received", wav(), ts)).endswith("binary 1.6 KiB (wav audio)\n")
    cut = make_png()[:20]  # a PNG signature without a whole header: not a picture
    assert render_line(Message("received", cut, ts)).endswith(f"binary 20 B: {cut.hex(' ')}\n")


def test_status_line_shows_the_detail_unless_open_and_the_round_trip_when_open() -> None:
    assert status_text("connecting", "ws://127.0.0.1:1/") == "● connecting: ws://127.0.0.1:1/"
    assert status_text("open", "ws://127.0.0.1:1/") == "● open"  # the URL has its own label
    assert status_text("open", "", 0.0123) == "● open · round trip 12.3 ms"
    assert status_text("error", "refused", 0.0123) == "● error: refused"  # no stale round trip
    assert status_text("closed") == "● closed"


def test_durations_read_at_their_scale() -> None:
    assert format_seconds(None) == "—"
    assert format_seconds(0.00035) == "0.35 ms"
    assert format_seconds(0.0123) == "12.3 ms"
    assert format_seconds(1.2) == "1.20 s"


# -- decoding views ----------------------------------------------------------------------


def test_each_decoding_view_shows_the_frame_decoded_under_its_line() -> None:
    pad = " " * len(HEAD)
    packed = msgpack.packb({"sym": "EURUSD", "bid": 1.5})
    assert LogFormat(binary="msgpack").render(received(packed)) == (
        f'{HEAD}binary 25 B msgpack\n{pad}{{\n{pad}  "sym": "EURUSD",\n{pad}  "bid": 1.5\n{pad}}}\n'
    )
    assert LogFormat(binary="cbor").render(received(cbor2.dumps([1, b"\x00"]))) == (
        f"{HEAD}binary 4 B cbor\n{pad}[\n{pad}  1,\n{pad}  <1 bytes: 00>\n{pad}]\n"
    )
    assert LogFormat(binary="protobuf").render(received(b"\x08\x96\x01\x12\x02hi")) == (
        f'{HEAD}binary 7 B protobuf\n{pad}{{\n{pad}  "1 (varint)": 150,\n{pad}  "2 (len)": "hi"\n{pad}}}\n'
    )
    assert LogFormat(binary="text").render(received(b"caf\xc3\xa9\x00\nok")) == (
        f"{HEAD}binary 9 B text\n{pad}café\\x00\n{pad}ok\n"
    )
    mine = LogFormat(binary="mine", decoders={"mine": lambda data: {"n": len(data)}})
    assert mine.render(received(b"abc")) == f'{HEAD}binary 3 B mine\n{pad}{{\n{pad}  "n": 3\n{pad}}}\n'


def test_a_frame_that_does_not_decode_is_its_hex_and_the_reason_on_one_line() -> None:
    line = LogFormat(binary="msgpack").render(received(b"\x93\x01\x02"))
    reason = "not MessagePack: an array header claims 3 items but only 2 bytes follow"
    assert line == f"{HEAD}binary 3 B: 93 01 02 ({reason})\n"
    failing = LogFormat(binary="boom", decoders={"boom": lambda data: 1 / 0})
    assert (
        failing.render(received(b"\x01"))
        == f"{HEAD}binary 1 B: 01 (boom: ZeroDivisionError: division by zero)\n"
    )
    unknown = LogFormat(binary="gone").render(received(b"\x01"))
    assert unknown.startswith(f"{HEAD}binary 1 B: 01 (no decoder called 'gone'")


def test_decoding_views_leave_pictures_and_text_frames_alone() -> None:
    png = make_png()
    for view in ("text", "msgpack", "cbor", "protobuf"):
        fmt = LogFormat(binary=view)
        assert fmt.render(received(png)) == render_line(received(png))  # "(png picture)"
        assert fmt.render(received('{"a": 1}')) == HEAD + '{"a": 1}\n'
        assert not fmt.show_pictures
    assert LogFormat(binary="msgpack", pretty_json=True).render(received('{"a":1}')) == (
        HEAD + "{\n" + " " * len(HEAD) + '  "a": 1\n' + " " * len(HEAD) + "}\n"
    )


def test_a_huge_frame_in_a_decoding_view_stays_a_few_kilobytes() -> None:
    frame = msgpack.packb(list(range(1_000_000)))
    line = LogFormat(binary="msgpack").render(received(frame))
    assert len(line) < 8_000  # of a 4.6 MiB frame: 2,000 characters, indented
    assert "… cut: the rest is over 2,000 characters" in line


def test_a_regex_filter_searches_and_a_bad_one_says_why_in_one_line() -> None:
    hello, other = Message("received", "Hello 42", 0.0), Message("sent", "hello forty", 0.0)
    digits = message_filter("/o \\d+$/")
    assert digits is not None and digits(hello) and not digits(other)
    case = message_filter("/^HELLO/i")
    assert case is not None and case(hello) and case(other)
    assert message_filter("/^HELLO/")(hello) is False  # type: ignore[misc]  # no i: case counts
    assert message_filter("//") is not None  # not a regex: the text "//"
    with pytest.raises(FilterError) as caught:
        message_filter("/(unclosed/")
    assert str(caught.value).startswith("not a regular expression: missing ), unterminated subpattern")
    assert "\n" not in str(caught.value)


def test_direction_and_kind_narrow_with_the_text() -> None:
    png = Message("received", make_png(), 0.0)
    messages = [
        Message("sent", "ping", 0.0),
        Message("received", "ping", 0.0),
        Message("received", b"\x00\x01", 0.0),
        png,
    ]

    def kept(**how: str) -> list[Message]:
        keep = message_filter(**how)
        return messages if keep is None else [m for m in messages if keep(m)]

    assert kept(direction="all", kind="all") == messages
    assert kept(direction="sent") == messages[:1]
    assert kept(direction="received", kind="text") == messages[1:2]
    assert kept(kind="binary") == messages[2:]
    assert kept(kind="pictures") == [png]
    assert kept(kind="notices") == []  # no protocol says what a notice is
    keep = message_filter("ping", "received", "notices", notice=lambda m: m.kind == "text")
    assert keep is not None and [m for m in messages if keep(m)] == messages[1:2]
