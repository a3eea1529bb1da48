"""Watch a feed on real panels: stats, charts, series and scheduled sends against real servers."""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from collections.abc import AsyncIterator
from typing import Any

import pandas as pd
import pytest
from websockets.asyncio.server import ServerConnection, serve

from tests.helpers import wait_for
from wsecho_widget import ServerPanel, WebSocketPanel
from wsecho_widget.model.stats import FeedStats
from wsecho_widget.ui.chart import Chart


async def feed_handler(ws: ServerConnection) -> None:
    """``go N`` sends N JSON prices (every 7th one not a number), then ``done``; others are kept."""
    async for data in ws:
        if isinstance(data, str) and data.startswith("go "):
            for n in range(int(data.split()[1])):
                price: object = "n/a" if n % 7 == 6 else n
                await ws.send(json.dumps({"n": n, "price": price, "sym": "AB"[n % 2]}))
            await ws.send("done")


@pytest.fixture
async def feed_url() -> AsyncIterator[str]:
    async with serve(feed_handler, "127.0.0.1", 0) as server:
        yield f"ws://127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}"


async def run_feed(panel: WebSocketPanel, count: int) -> None:
    panel.send(f"go {count}")
    await panel.expect("done", within=10)


@pytest.mark.looptime
async def test_a_chart_holds_the_last_window_values_in_order(feed_url: str) -> None:
    panel = WebSocketPanel(feed_url)
    await panel.ready
    chart = panel.chart("$.price", window=50)
    by = panel.chart("$.price", by="$.sym", window=10)
    loop = asyncio.get_running_loop()
    start = loop.time()
    await run_feed(panel, 700)
    elapsed = loop.time() - start
    prices = [n for n in range(700) if n % 7 != 6]
    assert [y for _, y in chart.points()] == prices[-50:]
    xs = [x for x, _ in chart.points()]
    assert xs == sorted(xs)
    # Every message is still in the history; the bad prices (and "done") were skipped, not raised.
    assert panel.messages.totals.received_messages == 701
    assert chart.skipped == 100 + 1
    assert by.lines == ["A", "B"]
    assert [y for _, y in by.points("B")] == [n for n in prices if n % 2][-10:]
    # At most ten redraws a second reach the page, however fast the feed came.
    await asyncio.sleep(0.15)
    assert 1 <= chart.draws <= (loop.time() - start) * 10 + 2, (chart.draws, elapsed)
    df = chart.to_pandas()
    assert list(df.columns) == ["time", "line", "value"]
    assert df["value"].tolist() == prices[-50:]
    assert str(df["time"].dtype) == "datetime64[ns, UTC]"
    panel.close()
    assert chart.closed and by.closed
    assert [y for _, y in chart.points()] == prices[-50:]  # still readable after close


async def test_chart_of_a_callable_with_an_x_path_and_pause(feed_url: str) -> None:
    panel = WebSocketPanel(feed_url)
    await panel.ready
    chart = panel.chart(lambda m: {"double": json.loads(m.data)["n"] * 2}, x="$.n", window=5)
    chart.paused = True  # what the Pause toggle does
    assert chart.pause_button.value
    await run_feed(panel, 20)
    assert chart.draws == 0  # held still while paused ...
    assert chart.points("double") == [(float(n), 2.0 * n) for n in range(15, 20)]  # ... the data kept coming
    chart.pause_button.value = False
    await wait_for(lambda: chart.draws == 1, what="the redraw after resume")
    assert list(chart.to_pandas().columns) == ["$.n", "line", "value"]
    chart.close()
    await run_feed(panel, 3)
    assert chart.points("double")[-1] == (19.0, 38.0)  # a closed chart takes nothing more
    panel.close()


async def test_the_figure_is_plotly_with_the_kept_points(feed_url: str) -> None:
    panel = WebSocketPanel(feed_url)
    await panel.ready
    chart = panel.chart("$.price", window=5)
    await run_feed(panel, 10)
    await wait_for(lambda: chart.draws >= 1 and len(chart._drawer.widget.data[0].y) == 5, what="the draw")
    trace = chart._drawer.widget.data[0]
    assert list(trace.y) == [4.0, 5.0, 7.0, 8.0, 9.0]  # 6 is not a number
    assert trace.name == "price"
    panel.close()


async def test_chart_without_the_charts_extra_says_how_to_install(
    feed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel = WebSocketPanel(feed_url)
    monkeypatch.setitem(sys.modules, "plotly.graph_objects", None)  # as if plotly were not installed
    with pytest.raises(ImportError) as caught:
        panel.chart("$.price")
    assert str(caught.value) == 'charts need plotly: pip install "wsecho-widget[charts]"'
    with pytest.raises(ValueError, match="only names"):
        panel.chart("$..price")
    with pytest.raises(ValueError, match="picks a Socket"):
        panel.series("$.price", event="tick")
    panel.close()


@pytest.mark.looptime
async def test_series_gives_bounded_rate_limited_time_indexed_chunks(feed_url: str) -> None:
    panel = WebSocketPanel(feed_url)
    await panel.ready
    series = panel.series("$.price", "$.n", window=1000, interval=0.2)
    small = panel.series("$.n", window=10)
    loop = asyncio.get_running_loop()
    start = loop.time()
    chunks: list[pd.DataFrame] = []

    async def read() -> None:
        async for chunk in series:
            chunks.append(chunk)
            if chunks and sum(map(len, chunks)) == 300:
                break

    reader = asyncio.ensure_future(read())
    await run_feed(panel, 300)
    await asyncio.wait_for(reader, 5)
    elapsed = loop.time() - start
    assert len(chunks) <= elapsed / 0.2 + 1
    whole = pd.concat(chunks)
    assert whole.index.name == "time" and str(whole.index.dtype) == "datetime64[ns, UTC]"
    assert list(whole.columns) == ["price", "n"]
    assert whole["n"].tolist() == list(range(300))
    assert whole["price"].isna().sum() == 300 // 7  # the bad prices: NaN in their row
    # A reader that was not reading gets the newest `window` rows; the rest are counted.
    chunk = await anext(small)
    assert chunk["n"].tolist() == list(range(290, 300))
    assert small.dropped == 290
    assert panel.stats().dropped >= 290
    small.close()  # the reader is done: the panel forgets it, its losses still count
    await run_feed(panel, 1)
    assert small not in panel._feed_users and panel.stats().dropped >= 290
    assert [c async for c in small] == []
    panel.close()
    rest = [c async for c in series]  # the rows still waiting, then the end, with the panel
    assert [c["n"].tolist() for c in rest] == [[0]]


@pytest.mark.looptime
async def test_send_every_on_a_panel_lists_stops_and_ends_with_the_panel() -> None:
    received: list[str] = []

    async def keep(ws: ServerConnection) -> None:
        async for data in ws:
            received.append(str(data))

    async with serve(keep, "127.0.0.1", 0) as server:
        url = f"ws://127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}"
        panel = WebSocketPanel(url)
        await panel.ready
        ticks = iter(range(100))
        schedule = panel.send_every(0.2, lambda: {"tick": next(ticks)})
        other = panel.send_every(0.5, "heartbeat")
        assert panel.schedules == [schedule, other]
        rows = panel.feed_bar.schedules_box.children
        assert len(rows) == 2 and rows[0].children[0].description == "Stop"
        loop = asyncio.get_running_loop()
        start = loop.time()
        await asyncio.sleep(2.1)
        rows[0].children[0].click()  # Stop
        count, elapsed = schedule.sent, loop.time() - start
        await wait_for(lambda: sum(r.startswith('{"tick"') for r in received) == count, what="the ticks")
        # A turn at 0, 0.2, ... 2.0 s: 11 over 2.1 s.
        assert elapsed == pytest.approx(2.1) and count == 11, (count, elapsed)
        assert panel.schedules == [other]
        assert len(panel.feed_bar.schedules_box.children) == 1
        await asyncio.sleep(0.3)  # the turns at 2.2 and 2.4 s would have sent two more
        assert sum(r.startswith('{"tick"') for r in received) == count  # none after Stop
        # The heartbeats at 0, 0.5, ... 2.0 s arrived; close() at 2.4 s ends the schedule.
        await wait_for(lambda: received.count("heartbeat") == other.sent == 5, what="five heartbeats")
        panel.close()
        assert not other.active
        await asyncio.sleep(0.6)  # 2.5 and 3.0 s would have sent two more
        assert received.count("heartbeat") == 5


@pytest.mark.looptime
async def test_stats_line_and_round_trips_on_a_panel(feed_url: str) -> None:
    panel = WebSocketPanel(feed_url)
    await panel.ready
    shown: list[str] = []
    panel.feed_bar.stats_label.observe(lambda change: shown.append(change["new"]), "value")
    await run_feed(panel, 200)
    await panel.ping()
    await asyncio.sleep(1.2)
    stats = panel.stats()
    assert isinstance(stats, FeedStats)
    assert stats.round_trip_p50 is not None  # the ping, and "go 200" until its first reply
    assert len(shown) <= 1.2 / 0.5 + 2  # at most twice a second
    assert shown[-1].startswith("rate in ") and "▁" in shown[-1]
    assert "gap p50" in shown[-1]
    panel.close()


async def test_the_server_panel_has_the_feed_too() -> None:
    server = ServerPanel()
    await server.ready
    assert server.feed_bar in server.children
    schedule = server.send_every(0.05, "news")
    await wait_for(lambda: schedule.skipped >= 1, what="a turn")
    assert schedule.sent == 0  # the first turn: no client yet, skipped
    client = WebSocketPanel(server.url)
    await client.ready
    await client.expect("news", within=2)
    chart = server.chart("$.v")
    client.send_json({"v": 1.5})
    await wait_for(lambda: chart.points() == [(chart.points()[0][0], 1.5)] if chart.points() else False)
    await wait_for(lambda: server.stats().messages_in_10s > 0, what="the rate")  # whole 0.1 s buckets
    client.close()
    server.close()
    assert not server.schedules
    assert isinstance(chart, Chart) and chart.closed


def test_a_long_line_is_thinned_for_the_page_with_its_newest_point() -> None:
    from collections import deque

    from wsecho_widget.ui.chart import _thin

    xs, ys = deque(float(n) for n in range(1000)), deque(float(n) * 2 for n in range(1000))
    x, y = _thin(xs, ys, 300)
    assert len(x) <= 300 and x[-1] == 999.0 and y[-1] == 1998.0
    assert x == sorted(x) and all(b - a == 4 for a, b in itertools.pairwise(x))
    assert _thin(deque([1.0]), deque([2.0]), 300) == ([1.0], [2.0])


async def test_a_redraw_is_one_comm_message_at_most_every_interval(
    feed_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """plotly's own ``FigureWidget`` sends an update as four messages (two edit counters,
    the update, the update set back to None); the chart's figure sends one."""
    import comm
    from comm.base_comm import BaseComm

    sent: list[tuple[str, dict[str, Any]]] = []

    class Recording(BaseComm):  # type: ignore[misc]  # the comm a kernel would give, keeping what it sends
        def publish_msg(self, msg_type: str, data: object = None, *args: object, **kwargs: object) -> None:
            if msg_type == "comm_msg" and isinstance(data, dict):
                sent.append((self.comm_id, data))

    monkeypatch.setattr(comm, "create_comm", Recording)
    panel = WebSocketPanel(feed_url)
    await panel.ready
    with pytest.raises(ValueError, match="interval"):
        panel.chart("$.price", interval=0)
    chart = panel.chart("$.price", window=5, interval=0.3)
    await run_feed(panel, 3)
    await wait_for(lambda: chart.draws >= 1, what="the first draw")
    figure = chart._drawer.widget
    sent.clear()
    loop = asyncio.get_running_loop()
    start, draws = loop.time(), chart.draws
    await run_feed(panel, 40)
    last = [35.0, 36.0, 37.0, 38.0, 39.0]  # 34 is not a number
    await wait_for(lambda: [y for _, y in chart.points()] == last, what="the points")
    await wait_for(lambda: chart.draws > draws and not chart._throttle._trailing.pending, what="the redraws")
    redraws = chart.draws - draws
    assert 1 <= redraws <= (loop.time() - start) / 0.3 + 1
    mine = [data for comm_id, data in sent if comm_id == figure.model_id]
    # Nothing else of the figure's went to the page: no update set back to None, no edit counters apart.
    assert len(mine) == redraws
    keys = {"_py2js_update", "_last_trace_edit_id", "_last_layout_edit_id"}
    assert all(m["method"] == "update" and set(m["state"]) == keys for m in mine)
    assert list(figure.data[0].y) == last
    panel.close()
