"""The log's mechanism: batched, bounded, each medium sent to the page once, bombs refused.

What reaches the page is read from the messages the log widget really sends
(tests.helpers.page applies them as a view does); the browser tests check the page.
The paces are proven on looptime's fake loop clock (``@pytest.mark.looptime``): exact,
and no real waiting.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import time
import wave
from pathlib import Path

import pytest

import wsecho_widget
from tests.helpers import make_png, page, wait_for
from tests.model.test_media import gif_bomb, jpeg_bomb, png_bomb, webp_bomb
from wsecho_widget.model.media import MediaLimits
from wsecho_widget.model.message import Message
from wsecho_widget.ui.logview import LogView
from wsecho_widget.ui.render import render_line

DATA = Path(__file__).parent.parent / "data"


def received(data: str | bytes) -> Message:
    return Message("received", data, time.time())


def view(**options: object) -> LogView:
    options.setdefault("interval", 0)
    return LogView(asyncio.get_running_loop(), **options)  # type: ignore[arg-type]


@pytest.mark.looptime
async def test_a_burst_is_rendered_in_one_message() -> None:
    log = view(limit=50, interval=0.05)
    mirror = page(log.widget)
    for i in range(1000):
        log.add(received(f"m{i}"))
    assert mirror.messages == []  # nothing per message
    await wait_for(lambda: len(mirror.messages) == 1, what="one render")
    text = mirror.text()
    assert text.count("\n") == 50  # only the newest `limit` entries are shown
    assert "← m950\n" in text and "← m999\n" in text and "← m949\n" not in text
    log.close()


@pytest.mark.looptime
async def test_updates_are_throttled_while_flooded() -> None:
    log = view(interval=0.05)
    mirror = page(log.widget)
    loop = asyncio.get_running_loop()
    start = loop.time()
    sent = 0
    while loop.time() - start < 0.5:  # a message every 1 ms of the loop's clock
        log.add(received(f"m{sent}"))
        sent += 1
        await asyncio.sleep(0.001)
    await asyncio.sleep(0.1)
    assert sent > 100
    # 0.6 s at one render per 50 ms at most, plus the leading and trailing edges.
    assert 2 <= len(mirror.messages) <= 14, len(mirror.messages)
    assert mirror.text().endswith(f"← m{sent - 1}\n")  # nothing is left unrendered
    # Each render sends only what is new: the page already has the rest.
    assert all(len(c.get("append", [])) <= log.limit for c, _ in mirror.messages)
    log.close()


@pytest.mark.looptime
async def test_a_steady_feed_is_rendered_at_the_steady_pace() -> None:
    # 200 messages a second for 3 s: 20 renders a second for the first second, then 5
    # a second (4 x interval); every message still reaches the page, in order.
    log = view(interval=0.05)
    assert (log.pace.steady_interval, log.pace.steady_after) == (0.2, 1.0)
    mirror = page(log.widget)
    loop = asyncio.get_running_loop()
    start = loop.time()
    for n in range(600):
        log.add(received(f"m{n}"))
        await asyncio.sleep(start + (n + 1) / 200 - loop.time())
    assert log.pace.steady
    await wait_for(lambda: not log.scheduled, what="the last render")
    times = list(mirror.times)
    first = [t for t in times if t - start < 1.0]
    later = [t for t in times if t - start >= 1.2]
    assert 19 <= len(first) <= 21, len(first)
    assert 8 <= len(later) <= 10, len(later)  # 1.8 s at 0.2 s a render
    assert min(b - a for a, b in itertools.pairwise(later)) >= 0.199
    lines = mirror.text().splitlines()
    assert [line.split("← ")[1] for line in lines] == [f"m{n}" for n in range(400, 600)]
    # A quiet spell of one steady pace: the next message is shown at once, at the fast pace.
    await asyncio.sleep(0.25)
    assert not log.pace.steady
    sent = loop.time()
    log.add(received("reply"))
    await wait_for(lambda: len(mirror.times) == len(times) + 1, what="the reply")
    assert mirror.times[-1] - sent < 0.01
    log.close()


@pytest.mark.looptime
async def test_media_are_rendered_at_their_own_slower_pace() -> None:
    # 30 pictures a second for 1 s: renders that carry pictures come at most once per
    # media_interval (the first at once); text alone keeps the text interval.
    assert view(interval=0.05).pace.media_interval == 0.25  # 5 x interval by default
    log = view(interval=0.02, media_interval=0.2, image_limit=50)
    mirror = page(log.widget)
    png = make_png()
    start = asyncio.get_running_loop().time()
    for _ in range(30):
        log.add(received(png))
        await asyncio.sleep(1 / 30)
    await wait_for(lambda: not log.scheduled, what="the last render")
    times = mirror.times
    assert times[0] - start < 0.02  # the first picture after a quiet spell: at once
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert 5 <= len(times) <= 7 and min(gaps) >= 0.19, gaps
    assert len(mirror.buffers) == 30  # every picture reached the page, in fewer messages
    # Text after the pictures: back to the text's pace.
    await asyncio.sleep(0.2)
    before = len(times)
    for i in range(20):
        log.add(received(f"t{i}"))
        await asyncio.sleep(0.01)
    await wait_for(lambda: not log.scheduled, what="the last render")
    assert len(times) - before >= 6, times
    log.close()


@pytest.mark.looptime
async def test_lines_of_media_shown_elsewhere_keep_the_media_pace() -> None:
    # Live view: the pictures are not in the log, their lines are; a camera's 30 lines
    # a second still reach the page at most once per media_interval.
    log = view(interval=0.02, media_interval=0.2)
    log.live = True
    mirror = page(log.widget)
    for _ in range(30):
        log.add(received(make_png()))
        await asyncio.sleep(1 / 30)
    await wait_for(lambda: not log.scheduled, what="the last render")
    assert 5 <= len(mirror.messages) <= 7, len(mirror.messages)
    assert mirror.media() == [] and mirror.text().count("(png picture)") == 30
    log.close()


@pytest.mark.looptime
async def test_a_medium_arriving_behind_text_waits_with_it_for_the_media_pace() -> None:
    log = view(interval=0.01, media_interval=0.3)
    mirror = page(log.widget)
    log.add(received(make_png()))
    await wait_for(lambda: len(mirror.messages) == 1, what="the first picture, at once")
    log.add(received("text"))
    log.add(received(make_png(5, 5)))
    await asyncio.sleep(0.1)
    assert len(mirror.messages) == 1  # held back, the text with it, in order
    await wait_for(lambda: len(mirror.messages) == 2, what="the second render")
    assert mirror.text().splitlines()[-2:][0].endswith("← text")
    assert len(mirror.media()) == 2
    log.close()


async def test_a_picture_is_sent_once_and_never_again_by_later_renders() -> None:
    log = view()
    mirror = page(log.widget)
    png = make_png()
    log.add(received(png))
    log.flush()
    for i in range(30):
        log.add(received(f"after {i}"))
        log.flush()
    log.render = lambda m: "view 2: " + render_line(m)  # a change of view re-renders every line
    log.refresh(log.entries)
    assert mirror.buffers == [png]  # once, as a binary buffer
    assert mirror.media() == [png]
    assert mirror.text().startswith("view 2: ")
    assert len(mirror.messages) == 32
    log.close()


async def test_pictures_that_leave_the_log_are_released() -> None:
    log = view(limit=6, image_limit=2)
    mirror = page(log.widget)
    pictures = [make_png(8 + i, 8) for i in range(5)]
    for png in pictures:
        log.add(received(png))
        log.flush()
    assert mirror.media() == pictures[-2:]
    assert [m.data for m in log.shown_media] == pictures[-2:]
    assert mirror.text().count("(picture no longer shown)") == 3
    dropped = [seq for c, _ in mirror.messages for seq, _ in c.get("drop", [])]
    assert len(dropped) == 3  # the page was told to let each of them go
    for i in range(10):  # pushes every picture out of the log
        log.add(received(f"t{i}"))
    log.flush()
    assert mirror.media() == [] and log.shown_media == []
    assert len(mirror.entries) == 6
    assert mirror.buffers == pictures  # each sent once, in all
    log.close()


async def test_a_burst_of_pictures_sends_only_the_kept_ones() -> None:
    log = view(limit=100, image_limit=3)
    mirror = page(log.widget)
    for i in range(50):
        log.add(received(make_png(10 + i, 10)))
    log.flush()
    assert len(mirror.buffers) == 3
    assert mirror.media() == [make_png(10 + i, 10) for i in (47, 48, 49)]
    log.close()


async def test_sent_pictures_are_not_shipped_twice() -> None:
    log = view()
    log.add(Message("sent", make_png(), time.time()))
    log.flush()
    assert page(log.widget).buffers == []
    assert "(png picture)" in page(log.widget).text()
    log.close()


async def test_bombs_of_each_format_are_not_shown_and_say_why() -> None:
    log = view(image_limit=20)
    mirror = page(log.widget)
    bombs = {
        "png 30000x30000": png_bomb(),
        "gif 65535x65535": gif_bomb(),
        "jpeg 65500x65500": jpeg_bomb(),
        "webp 16383x16383": webp_bomb("VP8"),
        "webp 16384x16384": webp_bomb("VP8L"),
        "webp 16777216x16777216": webp_bomb("VP8X"),
    }
    messages = [received(data) for data in bombs.values()]
    log.extend(messages)
    log.flush()
    assert mirror.buffers == []  # not one byte of them reached the page
    lines = mirror.text().splitlines()
    for line, (what, data), message in zip(lines, bombs.items(), messages, strict=True):
        assert line.endswith(f"· {what} not shown: larger than 50 Mpx"), line
        assert message.data == data  # the exact bytes stay in the message
    log.close()


async def test_limits_are_options() -> None:
    log = view(limits=MediaLimits(max_side=100, max_pixels=5_000))
    wide, big, fine = make_png(101, 2), make_png(80, 80), make_png(60, 60)
    log.extend([received(wide), received(big), received(fine)])
    log.flush()
    lines = page(log.widget).text().splitlines()
    assert lines[0].endswith("· png 101x2 not shown: more than 100 px on a side")
    assert lines[1].endswith("· png 80x80 not shown: larger than 0.005 Mpx")
    assert page(log.widget).media() == [fine]
    log.close()


def wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x10" * 800)
    return out.getvalue()


async def test_audio_and_video_are_shown_as_media_under_the_same_rules() -> None:
    log = view(image_limit=3)
    mirror = page(log.widget)
    media = [wav(), *((DATA / name).read_bytes() for name in ("tone.ogg", "tone.mp3", "clip.webm"))]
    log.extend([received(data) for data in media])
    log.flush()
    items = [i for c, _ in mirror.messages for i in c.get("append", [])]
    assert [i.get("media") for i in items] == [None, "audio/ogg", "audio/mpeg", "video/webm"]
    assert mirror.media() == media[1:]  # the newest image_limit, each sent once
    assert "(wav audio) (picture no longer shown)" not in mirror.text()  # never shown: no note
    text = mirror.text()
    assert "(ogg audio)" in text and "(mp3 audio)" in text and "(webm video)" in text
    log.close()


@pytest.mark.looptime
async def test_a_new_view_gets_a_snapshot_of_its_own() -> None:
    log = view(image_limit=1)
    mirror = page(log.widget)
    png = make_png()
    log.extend([received("hello"), received(png)])
    log.flush()
    # What a view sends when it renders (logwidget.js), then bad requests from a page.
    log.widget._received(log.widget, {"kind": "snapshot", "token": "view-2"}, [])
    log.widget._received(log.widget, {"kind": "snapshot", "token": "x" * 500}, [])
    log.widget._received(log.widget, {"kind": "snapshot", "token": 7}, [])
    log.widget._received(log.widget, ["not", "a", "dict"], [])
    await wait_for(lambda: len(mirror.messages) == 2, what="the snapshot")
    await asyncio.sleep(0.05)
    assert len(mirror.messages) == 2  # one answer, to the one good request
    snapshot, sizes = mirror.messages[-1]
    assert snapshot["kind"] == "reset" and snapshot["token"] == "view-2"
    texts = [i["text"].split(" ", 2)[-1] for i in snapshot["entries"]]
    assert texts == ["hello\n", "binary 1.4 KiB (png picture)\n"]
    assert sizes == [len(png)]  # the new view needs the picture's bytes
    assert mirror.media() == [png]  # the views already in step ignore it
    log.close()


async def test_live_mode_keeps_pictures_out_of_the_log() -> None:
    log = view()
    log.live = True
    log.extend([received(make_png()), received(wav())])
    log.flush()
    assert page(log.widget).media() == [wav()]  # sounds still play in the log
    assert "(png picture)" in page(log.widget).text()
    log.close()


def test_no_module_of_the_panel_reads_the_log_views_private_entries() -> None:
    ui = Path(wsecho_widget.__file__).parent / "ui"
    for path in [ui / "panel.py", *(ui / "controls").glob("*.py")]:
        assert "._entries" not in path.read_text(encoding="utf-8"), path
