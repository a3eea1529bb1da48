"""Fast under a flood: the mechanisms, not the timings (those are in benchmarks/).

A real websockets server on 127.0.0.1 writes floods the way a fast server does,
hundreds of frames per socket write, so frames arrive many per read and the
batched receive path is the one exercised.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pytest
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from tests.helpers import live_widgets, make_png, page, wait_for
from tests.panel_helpers import Counting
from wsecho_widget import ChannelError, Message, Session, WebSocketChannel, WebSocketPanel
from wsecho_widget.client.connection import READ_SIZE
from wsecho_widget.model.message import History, format_size

PNG = make_png()
ROOT = Path(__file__).resolve().parent.parent


def payload(index: int) -> str:
    """Flood message ``index``: its number first, so order can be checked."""
    return f"{index:09d} flood message"


def index_of(text: str) -> int:
    return int(text[:9])


async def _flood(ws: ServerConnection, count: int, picture_every: int = 0) -> None:
    # Like a fast server: many frames per socket write, pacing on TCP flow control.
    for start in range(0, count, 256):
        for i in range(start, min(count, start + 256)):
            if picture_every and i % picture_every == picture_every - 1:
                ws.protocol.send_binary(PNG)
            else:
                ws.protocol.send_text(payload(i).encode())
        ws.send_data()
        await ws.drain()


async def _handler(ws: ServerConnection) -> None:
    try:
        async for message in ws:
            request = json.loads(message)
            await _flood(ws, request["count"], request.get("picture_every", 0))
    except ConnectionClosed:
        pass


@pytest.fixture
async def flood_url() -> AsyncIterator[str]:
    """A flood server: send ``{"count": N}`` and N text frames come back at once."""
    async with serve(_handler, "127.0.0.1", 0) as server:
        yield f"ws://127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}"


def flood(count: int, picture_every: int = 0) -> str:
    return json.dumps({"count": count, "picture_every": picture_every})


class Counter:
    """Counts the changes of one widget trait."""

    def __init__(self, widget: widgets.Widget, name: str) -> None:
        self.count = 0
        widget.observe(self._changed, name)

    def _changed(self, _: object) -> None:
        self.count += 1


async def test_a_flood_arrives_complete_in_order_and_renders_in_few_updates(flood_url: str) -> None:
    count = 20_000
    panel = WebSocketPanel(flood_url, history_limit=30_000)
    try:
        await panel.ready
        interval = panel.log_view.pace.interval
        outputs = Counting(panel.output)
        stats = Counter(panel.stats_label, "value")
        loop = asyncio.get_running_loop()
        start = loop.time()
        panel.send(flood(count))
        await wait_for(lambda: panel.messages.totals.received_messages == count, timeout=60, what="the flood")
        await wait_for(lambda: not panel.log_view.scheduled, what="the last render")
        elapsed = loop.time() - start

        received = [m for m in panel.messages if m.direction == "received"]
        assert [m.data for m in received] == [payload(i) for i in range(count)]  # nothing lost or reordered
        seqs = [m.seq for m in received]
        assert seqs == sorted(seqs)
        assert [(await panel.receive()).data for _ in range(3)] == [payload(i) for i in range(3)]

        # Rendering is throttled: one update per interval at most (plus the leading
        # edge), however many messages arrived; the stats line follows the same pace.
        assert 1 <= outputs.updates <= elapsed / interval + 2, (outputs.updates, elapsed)
        assert stats.count <= elapsed / interval + 3, (stats.count, elapsed)
        log = page(panel.output).text()
        assert log.count("\n") == panel.log_view.limit
        assert log.endswith(f"← {payload(count - 1)}\n")
        size = sum(len(payload(i)) for i in range(count))
        assert f"received 20,000 ({format_size(size)})" in panel.stats_label.value
    finally:
        panel.close()


async def test_totals_stay_exact_when_the_history_is_capped(flood_url: str) -> None:
    panel = WebSocketPanel(flood_url, history_limit=100)
    try:
        await panel.ready
        panel.send(flood(5_000))
        await wait_for(lambda: panel.messages.totals.received_messages == 5_000, timeout=30, what="the flood")
        history = panel.messages
        assert len(history) == 100 and history.dropped == 5_001 - 100
        assert [index_of(str(m.data)) for m in history] == list(range(4_900, 5_000))
        assert history.totals.received_bytes == sum(len(payload(i)) for i in range(5_000))
        assert panel.session.unread == 100  # unread is capped like the history
        await wait_for(lambda: "received 5,000" in panel.stats_label.value, what="the stats line")
        assert "history keeps the newest 100" in panel.stats_label.value
    finally:
        panel.close()


@pytest.mark.slow
async def test_caps_hold_and_pictures_that_leave_are_released(flood_url: str) -> None:
    before = set(live_widgets())
    panel = WebSocketPanel(flood_url, history_limit=1_000, log_limit=50, image_limit=3)
    try:
        await panel.ready
        with_panel = len(live_widgets())
        mirror = page(panel.output)
        # Ten rounds, each ending with a picture that is shown: seven of them are
        # pushed out by later ones, and the page is told to let them go.
        for round_ in range(10):
            total = (round_ + 1) * 10
            panel.send(flood(10, picture_every=10))
            await wait_for(lambda t=total: panel.messages.totals.received_messages == t, what="a round")
            await wait_for(lambda: not panel.log_view.scheduled, what="its render")
        assert len(mirror.buffers) == 10  # each picture's bytes went to the page once
        assert len(mirror.media()) == 3
        assert len(live_widgets()) == with_panel  # no widget per picture
        assert "(picture no longer shown)" in page(panel.output).text()

        # A burst of 50 pictures among 5,000 messages: every cap holds.
        panel.send(flood(5_000, picture_every=100))
        await wait_for(lambda: panel.messages.totals.received_messages == 5_100, timeout=30, what="the burst")
        await wait_for(lambda: not panel.log_view.scheduled, what="its render")
        assert len(panel.messages) == 1_000
        assert panel.session.unread <= 1_000
        assert len(panel.log_view.entries) == 50
        assert 1 <= len(mirror.media()) <= 3 and len(panel.log_view.shown_media) == len(mirror.media())
        assert len(mirror.entries) == 50
        assert len(mirror.buffers) <= 10 + 3 * 2  # only the newest of a burst are sent
    finally:
        panel.close()
    assert set(live_widgets()) <= before


async def test_a_burst_of_sends_updates_the_stats_at_the_render_pace(flood_url: str) -> None:
    panel = WebSocketPanel()  # the embedded echo server
    try:
        await panel.ready
        stats = Counter(panel.stats_label, "value")
        loop = asyncio.get_running_loop()
        start = loop.time()
        for i in range(1_000):
            panel.send(f"burst {i}")
        await wait_for(
            lambda: panel.messages.totals.received_messages == 1_000, timeout=30, what="the echoes"
        )
        await wait_for(lambda: not panel.log_view.scheduled, what="the last render")
        elapsed = loop.time() - start
        assert stats.count <= elapsed / panel.log_view.pace.interval + 3, (stats.count, elapsed)
        assert "sent 1,000" in panel.stats_label.value and "received 1,000" in panel.stats_label.value
    finally:
        panel.close()


def test_history_extend_is_append_in_order() -> None:
    one, many = History(50), History(50)
    messages = [
        Message("received" if i % 3 else "sent", f"m{i} é" if i % 5 else b"\x00" * i, 0.0) for i in range(120)
    ]
    for message in messages:
        one.append(message)
    for start in range(0, 120, 7):
        many.extend(messages[start : start + 7])
    assert list(many) == list(one) == messages[-50:]
    assert many.dropped == one.dropped == 70
    assert many.totals == one.totals


async def test_a_session_calls_on_message_for_each_or_on_messages_per_batch(flood_url: str) -> None:
    each: list[Message] = []
    batches: list[list[Message]] = []
    one = Session(flood_url, on_message=each.append)
    many = Session(flood_url, on_messages=lambda ms: batches.append(list(ms)))
    try:
        for session in (one, many):
            session.connect()
            await session.connected
            session.send(flood(3_000))
        await wait_for(lambda: len(each) == 3_001 and sum(map(len, batches)) == 3_001, what="both floods")
        assert [m.data for m in each[1:]] == [payload(i) for i in range(3_000)]
        assert [m.data for b in batches for m in b][1:] == [payload(i) for i in range(3_000)]
        assert batches[0][0].direction == "sent" and len(batches[0]) == 1
        assert max(map(len, batches)) > 1  # received ones come in batches
    finally:
        one.close()
        many.close()


async def test_batches_hold_what_already_arrived_in_order(flood_url: str) -> None:
    channel = WebSocketChannel.connect(flood_url)
    await channel.ready
    channel.sink.add(flood(10_000))
    got: list[str | bytes] = []
    sizes = []
    async for batch in channel.stream.batches(64):
        got.extend(batch)
        sizes.append(len(batch))
        if len(got) == 10_000:
            break
    await channel.close()
    assert got == [payload(i) for i in range(10_000)]
    assert max(sizes) == 64  # frames that already arrived are taken together, up to the limit
    assert len(sizes) < 10_000 / 8


async def test_fragments_and_bad_utf8_among_fast_frames() -> None:
    # One socket write holds small frames, a fragmented message, more small frames
    # and a text frame that is not UTF-8: order is kept, the fragments are joined,
    # and the bad frame fails the connection as websockets' recv() does (1007).
    async def handler(ws: ServerConnection) -> None:
        await ws.recv()
        for i in range(100):
            ws.protocol.send_text(payload(i).encode())
        ws.protocol.send_text(b"frag", fin=False)
        ws.protocol.send_continuation(b"mented", fin=True)
        ws.protocol.send_binary(b"\x00\x01")
        ws.protocol.send_text(b"\xff\xfe not utf-8")
        ws.send_data()
        await ws.wait_closed()

    async with serve(handler, "127.0.0.1", 0) as server:
        url = f"ws://127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}"
        channel = WebSocketChannel.connect(url)
        await channel.ready
        channel.sink.add("go")
        got: list[str | bytes] = []
        with pytest.raises(ChannelError, match="invalid UTF-8"):
            async for data in channel.stream:
                got.append(data)
    assert got == [*(payload(i) for i in range(100)), "fragmented", b"\x00\x01"]


class CountingConnection(ClientConnection):
    """A websockets client connection that records the size of every read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reads: list[int] = []

    def data_received(self, data: bytes) -> None:
        self.reads.append(len(data))
        super().data_received(data)


async def test_one_read_is_bounded(flood_url: str) -> None:
    # websockets parses one read in one go: a bounded read bounds how long the
    # loop (and so every cell) waits behind it.
    channel = WebSocketChannel.connect(flood_url, create_connection=CountingConnection, compression=None)
    await channel.ready
    ws = channel.websocket
    assert isinstance(ws, CountingConnection)
    assert getattr(ws.transport, "max_size", READ_SIZE) == READ_SIZE
    channel.sink.add(flood(50_000))  # about 1.2 MB
    received = 0
    async for _ in channel.stream:
        received += 1
        if received == 50_000:
            break
    await channel.close()
    assert sum(ws.reads) > 1_000_000
    assert max(ws.reads) <= READ_SIZE


async def test_receive_waits_on_its_own_timer() -> None:
    # receive() waits on a plain future with a timer (fewer loop turns per round
    # trip than asyncio.wait_for): timeouts, cancellation and order still hold.
    panel = WebSocketPanel()
    try:
        await panel.ready
        with pytest.raises(TimeoutError, match=r"within 0\.02 s"):
            await panel.receive(timeout=0.02)
        pending = asyncio.ensure_future(panel.receive(timeout=5))
        await asyncio.sleep(0.01)
        pending.cancel()
        with pytest.raises(asyncio.CancelledError):
            await pending
        for i in range(3):
            panel.send(f"after {i}")
        assert [(await panel.receive()).data for _ in range(3)] == ["after 0", "after 1", "after 2"]
        waiting = asyncio.ensure_future(panel.receive(timeout=None))
        await asyncio.sleep(0.01)
        panel.send("late")
        assert (await asyncio.wait_for(waiting, 5)).data == "late"
    finally:
        panel.close()


# -- in a real kernel: what reaches the front end --------------------------------------


@pytest.mark.kernel
async def test_in_a_kernel_pictures_go_once_as_binary_and_floods_in_few_updates(flood_url: str) -> None:
    from benchmarks.kernel import Kernel, Traffic

    kernel = await Kernel(ROOT).start()
    try:
        await kernel.run(
            "import asyncio\n"
            "from tests.helpers import make_png\n"
            "from wsecho_widget import WebSocketPanel\n"
            "from IPython.display import display\n"
            "panel = WebSocketPanel()\n"
            "display(panel)\n"
            "await panel.ready\n"
            "png = make_png(400, 300)\n"
            "_result = len(png)"
        )
        picture = Traffic()
        size = await kernel.run(
            "panel.send(png)\n"
            "await panel.receive()\n"
            "while panel.log_view.scheduled: await asyncio.sleep(0.01)\n"
            "_result = len(png)",
            picture,
        )
        buffers = [b for m in picture.messages for b in m.buffers]
        assert buffers == [size]  # once, as a binary buffer
        assert picture.widget_bytes < size * 1.1 + 4_000

        later = Traffic()
        await kernel.run(
            "for i in range(50):\n"
            "    panel.send(f'after {i}')\n"
            "    await panel.receive()\n"
            "while panel.log_view.scheduled: await asyncio.sleep(0.01)\n"
            "_result = 1",
            later,
        )
        assert later.buffer_bytes == 0  # never re-sent
        assert not [m for m in [*picture.messages, *later.messages] if "iVBORw0KGgo" in str(m.content)]

        flooded = Traffic()
        result = await kernel.run(
            "import time, json\n"
            f"flooding = WebSocketPanel({flood_url!r})\n"
            "display(flooding)\n"
            "await flooding.ready\n"
            "start = time.perf_counter()\n"
            "flooding.send(json.dumps({'count': 20000}))\n"
            "while flooding.messages.totals.received_messages < 20000: await asyncio.sleep(0.005)\n"
            "while flooding.log_view.scheduled: await asyncio.sleep(0.01)\n"
            "_result = {'seconds': time.perf_counter() - start, 'output': flooding.output.model_id,\n"
            "           'interval': flooding.log_view.pace.interval, 'limit': flooding.log_view.limit}\n"
            "flooding.close()",
            flooded,
        )
        # The log's page gets one custom message per render, with the new lines only.
        updates = [
            m
            for m in flooded.messages
            if m.method == "custom" and m.content.get("comm_id") == result["output"]
        ]
        assert 1 <= len(updates) <= result["seconds"] / result["interval"] + 2
        for update in updates:
            assert len(update.content["data"]["content"].get("append", [])) <= result["limit"]
        assert flooded.widget_bytes < 2_000_000
    finally:
        await kernel.run("panel.close(); _result = 1")
        await kernel.stop()


def test_the_benchmark_server_and_harness_import() -> None:
    # The benchmark is not run by the tests (it measures, it does not assert);
    # this keeps it from rotting unnoticed.
    import benchmarks.browser_pictures
    import benchmarks.browser_report
    import benchmarks.compression
    import benchmarks.in_kernel
    import benchmarks.run
    import benchmarks.stream_server

    assert benchmarks.run.ROOT.joinpath("benchmarks", "flood_server.py").exists()
    assert time.perf_counter() > 0
