"""The log's rendering mechanism: batched, bounded, pictures closed when they leave."""

from __future__ import annotations

import asyncio
import time

import ipywidgets as widgets

from tests.helpers import image_ids, live_widgets, make_png, texts, wait_for
from wsecho_widget.logview import LogView
from wsecho_widget.model import Message


class CountingOutput(widgets.Output):  # type: ignore[misc]
    """A real Output that counts how often its outputs are replaced."""

    def __init__(self) -> None:
        super().__init__()
        self.updates = 0
        self.observe(self._count, "outputs")

    def _count(self, _: object) -> None:
        self.updates += 1


def received(data: str | bytes) -> Message:
    return Message("received", data, time.time())


async def test_a_burst_is_rendered_in_one_update() -> None:
    output = CountingOutput()
    view = LogView(output, asyncio.get_running_loop(), limit=50, interval=0.05)
    for i in range(1000):
        view.add(received(f"m{i}"))
    assert output.updates == 0  # nothing per message
    await wait_for(lambda: output.updates == 1, what="one render")
    log = texts(output.outputs)
    assert log.count("\n") == 50  # only the newest `limit` entries are shown
    assert "← m950\n" in log and "← m999\n" in log and "← m949\n" not in log
    assert len(output.outputs) == 1  # consecutive text lines share one output


async def test_updates_are_throttled_while_flooded() -> None:
    output = CountingOutput()
    view = LogView(output, asyncio.get_running_loop(), interval=0.05)
    loop = asyncio.get_running_loop()
    start = loop.time()
    sent = 0
    while loop.time() - start < 0.5:
        view.add(received(f"m{sent}"))
        sent += 1
        await asyncio.sleep(0)
    await asyncio.sleep(0.1)
    assert sent > 100
    # 0.6 s at one render per 50 ms at most, plus the leading and trailing edges.
    assert 2 <= output.updates <= 14, output.updates
    assert f"← m{sent - 1}\n" in texts(output.outputs)  # nothing is left unrendered


async def test_pictures_beyond_the_limits_are_closed() -> None:
    output = widgets.Output()
    view = LogView(output, asyncio.get_running_loop(), limit=6, image_limit=2, interval=0)
    before = set(live_widgets())
    png = make_png()
    for _ in range(5):
        view.add(received(png))
        view.flush()
    assert len(view.live_images) == 2
    assert len(image_ids(output.outputs)) == 2
    assert "(picture no longer shown)" in texts(output.outputs)
    for i in range(10):  # pushes every picture out of the log
        view.add(received(f"t{i}"))
    view.flush()
    assert view.live_images == []
    assert image_ids(output.outputs) == []
    assert set(live_widgets()) <= before  # Image and its Layout both closed


async def test_a_burst_of_pictures_makes_only_the_kept_widgets() -> None:
    output = widgets.Output()
    view = LogView(output, asyncio.get_running_loop(), limit=100, image_limit=3, interval=0)
    before = len(live_widgets())
    for _ in range(50):
        view.add(received(make_png()))
    view.flush()
    assert len(view.live_images) == 3
    assert len(live_widgets()) - before == 6  # 3 Images + their 3 Layouts
    view.close()
    assert len(live_widgets()) == before


async def test_sent_pictures_are_not_shipped_twice() -> None:
    output = widgets.Output()
    view = LogView(output, asyncio.get_running_loop(), interval=0)
    view.add(Message("sent", make_png(), time.time()))
    view.flush()
    assert image_ids(output.outputs) == []
    assert "(png picture)" in texts(output.outputs)
