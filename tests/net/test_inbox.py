"""The one inbox behind every receive(): order, take-first-match, and no waiter left behind.

The same class serves the session, the hub and the Socket.IO client; the end-to-end
tests here drive each of them through real sockets on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from websockets.asyncio.client import connect

from wsecho_widget.client.session import Session
from wsecho_widget.net.errors import ChannelError
from wsecho_widget.net.inbox import Inbox
from wsecho_widget.server.hub import Hub


def inbox() -> Inbox[str]:
    return Inbox(asyncio.get_running_loop(), limit=100)


async def test_receive_returns_items_oldest_first() -> None:
    box = inbox()
    box.put_many(["a", "b"])
    box.put("c")
    assert [await box.receive(1) for _ in range(3)] == ["a", "b", "c"]


async def test_take_returns_the_first_match_and_leaves_the_rest_in_order() -> None:
    box = inbox()
    box.put_many(["tick 1", "reply", "tick 2", "reply 2"])
    assert await box.take(lambda item: item.startswith("reply"), 1) == "reply"
    assert [await box.receive(1) for _ in range(3)] == ["tick 1", "tick 2", "reply 2"]


async def test_take_waits_for_a_match_that_arrives_later_and_skips_new_non_matches() -> None:
    box = inbox()
    box.put("old")
    waiting = asyncio.ensure_future(box.take(lambda item: item == "wanted", 5))
    await asyncio.sleep(0)
    box.put("noise")
    await asyncio.sleep(0)
    assert not waiting.done()
    box.put("wanted")
    assert await waiting == "wanted"
    assert [await box.receive(1) for _ in range(2)] == ["old", "noise"]


async def test_take_tests_new_items_even_when_a_receive_took_older_ones_meanwhile() -> None:
    box = inbox()
    box.put_many(["a", "b"])
    tested: list[str] = []

    def wanted(item: str) -> bool:
        tested.append(item)
        return item == "z"

    waiting = asyncio.ensure_future(box.take(wanted, 5))
    await asyncio.sleep(0)
    assert await box.receive(1) == "a"  # the front moves while take() waits
    box.put("z")
    assert await waiting == "z"
    assert tested == ["a", "b", "z"]  # each item tested once, the new one not skipped


async def test_many_timed_out_waits_leave_no_waiter() -> None:
    box = inbox()
    for _ in range(200):
        with pytest.raises(TimeoutError, match=r"no message received within 0\.0 s"):
            await box.receive(0.0)
        with pytest.raises(TimeoutError):
            await box.take(lambda item: False, 0.0)
    assert box.waiters == 0
    box.put("after")
    assert await box.receive(1) == "after"


async def test_a_cancelled_wait_leaves_no_waiter_and_takes_nothing() -> None:
    box = inbox()
    waits = [asyncio.ensure_future(box.receive(None)) for _ in range(10)]
    await asyncio.sleep(0)
    assert box.waiters == 10
    for wait in waits:
        wait.cancel()
    for wait in waits:
        with contextlib.suppress(asyncio.CancelledError):
            await wait
    assert box.waiters == 0
    box.put("kept")
    assert len(box) == 1 and await box.receive(1) == "kept"


async def test_close_wakes_waiters_and_unread_items_are_still_read() -> None:
    box: Inbox[str] = Inbox(asyncio.get_running_loop(), 10, what="event")
    waiting = asyncio.ensure_future(box.receive(None))
    await asyncio.sleep(0)
    box.close("stopped")
    with pytest.raises(ChannelError, match="no event to receive: stopped"):
        await waiting
    box.put("late")
    assert await box.receive(1) == "late"
    assert box.waiters == 0


async def test_recent_remembers_the_last_five_arrivals_read_or_not() -> None:
    box = inbox()
    box.put_many([str(n) for n in range(8)])
    await box.receive(1)
    assert list(box.recent) == ["3", "4", "5", "6", "7"]


async def test_the_hub_leaves_no_stale_waiter_after_timed_out_receives() -> None:
    hub = Hub(mode="manual")
    await asyncio.wait_for(hub.ready, 10)
    try:
        for _ in range(50):
            with pytest.raises(TimeoutError):
                await hub.receive(timeout=0.0)
        assert hub._records.inbox.waiters == 0
        async with connect(hub.url) as ws:
            await ws.send("hello")
            assert (await hub.receive(timeout=5)).data == "hello"
    finally:
        hub.close()
        await asyncio.wait_for(hub.closed, 10)


async def test_the_session_leaves_no_waiter_after_timed_out_receives() -> None:
    session = Session()  # the embedded echo server
    await asyncio.wait_for(session.connect(), 10)
    try:
        for _ in range(50):
            with pytest.raises(TimeoutError):
                await session.receive(timeout=0.0)
        assert session._inbox.waiters == 0
        session.send("ping")
        assert (await session.receive(timeout=5)).data == "ping"
    finally:
        session.close()
