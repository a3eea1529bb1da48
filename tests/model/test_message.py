from __future__ import annotations

import gc
import os

import pytest

from tests.helpers import encode_image, make_png
from wsecho_widget.model.message import (
    History,
    Message,
    format_size,
    hex_dump,
    hex_preview,
    sniff_image_format,
)


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [("PNG", "png"), ("JPEG", "jpeg"), ("GIF", "gif"), ("WEBP", "webp")],
)
def test_sniffs_each_real_image_format(fmt: str, expected: str) -> None:
    assert sniff_image_format(encode_image(fmt)) == expected


def test_sniffs_stdlib_png() -> None:
    assert sniff_image_format(make_png()) == "png"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x89PN",  # truncated PNG signature
        b"\xff\xd8",  # truncated JPEG
        b"GIF8",  # truncated GIF
        b"RIFF\x00\x00\x00\x00WEB",  # truncated WebP
        b"RIFF\x00\x00\x00\x00WAVEfmt ",  # RIFF, but audio
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"hello world",
    ],
)
def test_no_format_for_truncated_or_other_bytes(data: bytes) -> None:
    assert sniff_image_format(data) is None


def test_header_followed_by_garbage_is_still_sniffed_by_magic_only() -> None:
    # The magic number decides; the rest is the renderer's problem, not a crash.
    assert sniff_image_format(b"\x89PNG\r\n\x1a\n" + os.urandom(100)) == "png"


def test_random_bytes_are_rarely_images() -> None:
    rng = [os.urandom(64) for _ in range(200)]
    assert sum(sniff_image_format(b) is not None for b in rng) <= 1


def test_message_properties() -> None:
    text = Message("sent", "héllo", 1_700_000_000.25)
    assert text.kind == "text"
    assert text.size == 6  # UTF-8 bytes, not characters
    assert text.image_format is None
    assert text.time.timestamp() == pytest.approx(1_700_000_000.25)
    assert text.time.tzinfo is not None
    png = Message("received", make_png(), 1.0)
    assert png.kind == "binary"
    assert png.image_format == "png"
    assert png.size == len(png.data)


def test_message_is_immutable_and_ordered() -> None:
    a = Message("sent", "a", 1.0)
    b = Message("sent", "b", 1.0)
    assert b.seq > a.seq
    with pytest.raises(AttributeError):
        a.data = "x"  # type: ignore[misc]


def test_history_is_bounded_and_totals_stay_exact() -> None:
    history = History(limit=3)
    for i in range(10):
        history.append(Message("sent" if i % 2 else "received", f"m{i}", float(i)))
    assert len(history) == 3
    assert [m.data for m in history] == ["m7", "m8", "m9"]
    assert history[0].data == "m7"
    assert history[-1].data == "m9"
    assert [m.data for m in history[1:]] == ["m8", "m9"]
    assert history.dropped == 7
    totals = history.totals
    assert (totals.sent_messages, totals.received_messages) == (5, 5)
    assert totals.sent_bytes == totals.received_bytes == 10
    history.clear()
    assert len(history) == 0
    assert history.totals.sent_messages == 5


def test_recorded_rows_are_not_tracked_and_read_as_the_same_messages_every_time() -> None:
    """A server records every frame as a row the collector stops tracking at its first pass."""
    history = History(limit=4)
    first = Message("sent", "before", 0.5)
    history.append(first)
    rows = [history.record("received", "héllo", 1.0, "c1"), history.record("sent", b"\x00", 2.0, "c1")]
    gc.collect()
    assert not any(gc.is_tracked(row) for row in rows)
    assert gc.is_tracked(first)
    totals = history.totals
    assert (totals.sent_messages, totals.sent_bytes, totals.received_messages, totals.received_bytes) == (
        2,
        7,
        1,
        6,
    )
    made = history.message(rows[0])
    assert made == Message("received", "héllo", 1.0, client="c1") and made.seq == rows[0][3] > first.seq
    assert history.message(rows[0]) is made is history[1]  # made once, kept in its place
    assert history[0] is first and history.message(first) is first
    assert list(history) == [first, made, history[2]] and history[2].data == b"\x00"
    assert history[2] is history[-1] and history[1:] == [made, history[2]]
    later = history.record("received", "x", 3.0)
    assert [m.seq for m in history] == sorted(m.seq for m in history) and history[3].seq == later[3]


def test_a_row_that_left_the_history_is_read_as_an_equal_message() -> None:
    history = History(limit=2)
    old = history.record("received", "old", 1.0, "c1")
    for i in range(3):
        history.record("sent", f"m{i}", 2.0 + i, "c1")
    assert history.dropped == 2 and [m.data for m in history] == ["m1", "m2"]
    assert history.message(old) == Message("received", "old", 1.0, client="c1")
    assert history.message(old).seq == old[3]


def test_history_rejects_nonsense_limit() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        History(0)


def test_summaries_and_previews() -> None:
    assert format_size(999) == "999 B"
    assert format_size(1536) == "1.5 KiB"
    assert format_size(3 * 2**20) == "3.0 MiB"
    assert hex_preview(bytes(range(4))) == "00 01 02 03"
    assert hex_preview(bytes(40), limit=2) == "00 00 … (+38 more bytes)"
    dump = hex_dump(b"ABC\x00" * 5, limit=16)
    assert dump.splitlines()[0].startswith("00000000  41 42 43 00")
    assert dump.splitlines()[0].endswith("ABC.ABC.ABC.ABC.")
    assert dump.splitlines()[-1] == "… 4 more bytes"
