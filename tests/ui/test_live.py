"""The live view: the newest picture at most once per interval; skipped frames stay in the kernel.

The paces are proven on looptime's fake loop clock (``@pytest.mark.looptime``).
"""

from __future__ import annotations

import asyncio
import time

import pytest
from websockets.asyncio.server import ServerConnection

from tests.helpers import make_png, page, wait_for
from tests.model.test_media import png_bomb
from wsecho_widget import WebSocketPanel
from wsecho_widget.model.message import Message
from wsecho_widget.ui.live import LiveView


def received(data: bytes) -> Message:
    return Message("received", data, time.time())


class Sends:
    """Records the frames the live view sends to the page (each one binary buffer)."""

    def __init__(self, live: LiveView) -> None:
        self.values: list[bytes] = []
        self.messages: list[dict[str, object]] = []
        original = live.picture.send

        def send(content: dict[str, object], buffers: list[bytes] | None = None) -> None:
            self.messages.append(content)
            if content["kind"] == "frame":
                assert buffers is not None and len(buffers) == 1
                self.values.append(bytes(buffers[0]))
            original(content, buffers)

        live.picture.send = send  # type: ignore[method-assign]


async def stream(live: LiveView, seconds: float, pause: float) -> int:
    """Offer ``live`` one small PNG every ``pause`` seconds for ``seconds``; how many."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    count = 0
    while loop.time() - start < seconds:
        live.offer([received(make_png(10 + count % 50, 10))])
        count += 1
        await asyncio.sleep(pause)
    return count


@pytest.mark.looptime
async def test_a_burst_shows_only_its_newest_frame() -> None:
    live = LiveView(asyncio.get_running_loop(), interval=0.05)
    sends = Sends(live)
    live.start()
    frames = [make_png(10 + i, 10) for i in range(100)]
    live.offer([received(f) for f in frames])
    await wait_for(lambda: live.shown == 1, what="one frame shown")
    await asyncio.sleep(0.1)
    assert sends.values == [frames[-1]]  # the 99 others never left the kernel
    assert (live.received, live.shown, live.skipped) == (100, 1, 99)
    assert "99 skipped" in live.label.value and "png 109x10" in live.label.value
    live.close()


@pytest.mark.looptime
async def test_a_steady_stream_is_shown_at_most_once_per_interval() -> None:
    live = LiveView(asyncio.get_running_loop(), interval=0.05)
    sends = Sends(live)
    live.start()
    loop = asyncio.get_running_loop()
    start = loop.time()
    count = await stream(live, seconds=0.5, pause=0.005)
    await asyncio.sleep(0.1)
    elapsed = loop.time() - start
    assert count > 40
    assert 5 <= live.shown <= elapsed / 0.05 + 2, (live.shown, elapsed)
    assert len(sends.values) == live.shown  # one send per frame shown, none for skipped ones
    assert live.skipped == count - live.shown
    assert "fps received" in live.label.value and "fps shown" in live.label.value
    live.close()


@pytest.mark.looptime
async def test_the_counts_line_changes_a_few_times_a_second_and_ends_exact() -> None:
    # 20 frames shown a second; the line of counts (one widget message per change)
    # follows at most every 5 x interval, and its last change tells the final counts.
    live = LiveView(asyncio.get_running_loop(), interval=0.05)
    changes: list[str] = []
    live.label.observe(lambda change: changes.append(change["new"]), "value")
    live.start()
    count = await stream(live, seconds=1.0, pause=0.01)
    await asyncio.sleep(0.4)
    assert live.shown >= 12
    assert 3 <= len(changes) <= 6, changes
    assert changes[-1].endswith(f"{live.skipped:,} skipped") and live.skipped == count - live.shown
    live.close()


@pytest.mark.looptime
async def test_bombs_and_other_frames_are_not_shown_live() -> None:
    live = LiveView(asyncio.get_running_loop(), interval=0)
    live.start()
    live.offer([received(png_bomb()), received(b"not a picture"), Message("sent", make_png(), 0.0)])
    await asyncio.sleep(0.05)
    assert (live.received, live.shown) == (0, 0)
    assert live.picture.frame is None
    live.close()


async def test_a_new_view_gets_the_frame_shown_now() -> None:
    live = LiveView(asyncio.get_running_loop(), interval=0)
    sends = Sends(live)
    live.start()
    png = make_png()
    live.offer([received(png)])
    await wait_for(lambda: live.shown == 1, what="the frame")
    live.picture._received(live.picture, {"kind": "frame?"}, [])  # what a view sends on render
    live.picture._received(live.picture, "garbage", [])
    await wait_for(lambda: len(sends.values) == 2, what="the frame again")
    assert sends.values == [png, png] and live.shown == 1
    live.close()


@pytest.mark.looptime
async def test_stopping_lets_the_page_free_the_picture() -> None:
    live = LiveView(asyncio.get_running_loop(), interval=0)
    sends = Sends(live)
    live.start()
    live.offer([received(make_png())])
    await wait_for(lambda: live.shown == 1, what="the frame")
    assert live.widget.layout.display is None
    live.stop()
    assert sends.messages[-1] == {"kind": "clear"}  # the page empties its canvas
    assert live.picture.frame is None and live.widget.layout.display == "none"
    live.offer([received(make_png())])  # ignored while stopped
    await asyncio.sleep(0.02)
    assert live.shown == 1
    live.close()


async def test_a_panel_in_live_mode_keeps_every_frame_and_sends_few(unused_tcp_port: int) -> None:
    from websockets.asyncio.server import serve

    frames = [make_png(20 + i, 20) for i in range(60)]

    async def camera(ws: ServerConnection) -> None:
        async for _ in ws:  # any message starts a burst of frames, 2 ms apart
            for frame in frames:
                await ws.send(frame)
                await asyncio.sleep(0.002)
            await ws.send("done")

    async with serve(camera, "127.0.0.1", unused_tcp_port):
        panel = WebSocketPanel(f"ws://127.0.0.1:{unused_tcp_port}", live=True)
        try:
            await panel.ready
            assert panel.live and panel.log_panel.toolbar.live_button.value
            sends = Sends(panel.log_panel.live_view)
            panel.send("go")
            await wait_for(lambda: "← done" in page(panel.output).text(), what="the stream", timeout=10)
            await asyncio.sleep(0.1)
            live = panel.log_panel.live_view
            assert [m.data for m in panel.messages if m.kind == "binary"] == frames  # every frame kept
            assert page(panel.output).buffers == []  # none went to the page through the log
            assert page(panel.output).text().count("(png picture)") == 60  # each has its line
            assert 1 <= live.shown < 60 and len(sends.values) == live.shown
            assert sends.values[-1] == frames[-1]  # the newest is what stays on screen
            assert live.skipped == 60 - live.shown

            panel.live = False  # as unticking the Live toggle does
            assert not panel.log_panel.toolbar.live_button.value
            assert live.picture.frame is None
            assert len(page(panel.output).media()) == 20  # pictures back in the log
            panel.log_panel.toolbar.live_button.value = True  # the toggle sets the trait
            assert panel.live
        finally:
            panel.close()
