"""The feed's figures from real traffic: a server sending at a known rate, pings, reconnects.

The rates are proven on looptime's fake loop clock (``@pytest.mark.looptime``), with the
wall clock that stamps each message following it (``follow_the_loop``): the server runs in
the test's loop, so 2.6 s of traffic take no real time and a busy machine cannot skew a rate.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable

import pytest
from websockets.asyncio.server import ServerConnection, serve

from tests.helpers import wait_for
from wsecho_widget import EchoServer, Session
from wsecho_widget.client.stats import FeedWatch
from wsecho_widget.model.stats import FeedCounter
from wsecho_widget.server.hub import Hub

RATE = 100  # messages a second


async def paced(ws: ServerConnection) -> None:
    """Sends RATE messages a second for ever, on an absolute schedule (no drift)."""
    loop = asyncio.get_running_loop()
    due = loop.time()
    n = 0
    while True:
        n += 1
        await ws.send(json.dumps({"n": n, "price": 100 + n % 7}))
        due += 1 / RATE
        await asyncio.sleep(max(0.0, due - loop.time()))


def follow_the_loop(monkeypatch: pytest.MonkeyPatch) -> Callable[[], float]:
    """Make ``time.time()`` (the messages' timestamps) run on the running loop's clock, which
    looptime fakes; the same clock, to hand to a :class:`FeedCounter`."""
    loop = asyncio.get_running_loop()
    offset = time.time() - loop.time()

    def wall() -> float:
        return loop.time() + offset

    monkeypatch.setattr(time, "time", wall)
    return wall


@pytest.fixture
async def paced_url() -> AsyncIterator[str]:
    async with serve(paced, "127.0.0.1", 0) as server:
        yield f"ws://127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}"


@pytest.mark.looptime
async def test_the_rates_of_a_server_sending_at_a_known_rate(
    paced_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    wall = follow_the_loop(monkeypatch)
    session = Session(paced_url)
    counter = FeedCounter(clock=wall)
    watch = FeedWatch(session, counter)
    await session.connect()
    first = wall()
    await asyncio.sleep(2.6)
    stats = counter.snapshot()
    elapsed = wall() - first
    received = session.history.totals.received_messages
    watch.close()
    session.close()
    # The server's rate, and what the figures say of it: 260 messages in 2.6 s.
    assert received == 260 and received / elapsed == pytest.approx(RATE)
    assert stats.messages_in_1s == pytest.approx(RATE)
    # Over the time since counting began, the connect included: within 5 %.
    assert stats.messages_in_10s == pytest.approx(RATE, rel=0.05)
    assert stats.inter_arrival_p50 == pytest.approx(1 / RATE, rel=0.01)
    size = len(session.history[-1].data)
    assert stats.bytes_in_1s == pytest.approx(RATE * size, rel=0.05)
    assert stats.messages_out_1s == 0


async def test_ping_and_request_reply_round_trips_and_reconnects() -> None:
    async with EchoServer("127.0.0.1", 0) as server:
        session = Session(server.url, reconnect_delays=[0.05])
        counter = FeedCounter()
        watch = FeedWatch(session, counter)
        await session.connect()
        latency = await session.ping()
        watch.sample()
        watch.sample()  # the same measurement is counted once
        stats = counter.snapshot()
        assert stats.round_trip_p50 == pytest.approx(latency)
        session.send("question")
        reply = await session.receive()
        watch.replied(reply)
        watch.replied(reply)  # no request since: nothing counted
        assert len(counter._round_trips) == 2
        sent = next(m for m in session.history if m.direction == "sent")
        assert max(counter._round_trips) >= reply.timestamp - sent.timestamp - 1e-9
        # The connection drops; the session comes back: one reconnect.
        assert session.channel is not None
        session.channel.abort()
        await wait_for(lambda: counter.reconnects == 1 and session.status == "open", what="the reconnect")
        watch.close()
        session.close()


async def test_a_hub_is_counted_too() -> None:
    hub = Hub()
    await hub.ready
    counter = FeedCounter()
    watch = FeedWatch(hub, counter)
    client = Session(hub.url)
    await client.connect()
    for n in range(20):
        client.send(f"m{n}")
    await wait_for(lambda: hub.messages.totals.sent_messages == 20, what="the echoes")
    watch.close()
    client.send("after close")
    await wait_for(lambda: hub.messages.totals.sent_messages == 21, what="one more echo")
    # Every frame each way, and not the one after close().
    assert (sum(counter._in.counts), sum(counter._out.counts)) == (20, 20)
    client.close()
    hub.close()
    await hub.closed
