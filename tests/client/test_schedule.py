"""Scheduled sends against real servers: the count, cancel, pauses while disconnected.

The paces are proven on looptime's fake loop clock (``@pytest.mark.looptime``): the
server runs in the test's loop, so every frame is stamped on the same clock, the
counts are exact and a busy machine cannot stretch a gap.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator

import pytest
from websockets.asyncio.server import Server, ServerConnection, serve

from tests.helpers import wait_for
from wsecho_widget import Session
from wsecho_widget.client.schedule import Schedule, describe_payload


class Counting:
    """A server that keeps what it receives, with the loop time of each frame."""

    def __init__(self) -> None:
        self.frames: list[tuple[float, str | bytes]] = []

    async def __call__(self, ws: ServerConnection) -> None:
        loop = asyncio.get_running_loop()
        async for data in ws:
            self.frames.append((loop.time(), data))


@pytest.fixture
async def counting() -> AsyncIterator[tuple[Counting, Server, str]]:
    handler = Counting()
    async with serve(handler, "127.0.0.1", 0) as server:
        yield handler, server, f"ws://127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}"


def schedule_on(
    session: Session, seconds: float, payload: object, tasks: set[asyncio.Task[object]]
) -> Schedule:
    schedule = Schedule(
        session.loop,
        seconds,
        payload,  # type: ignore[arg-type]
        send=session.send,
        can_send=lambda: session.status == "open",
    )
    schedule.start(tasks)  # type: ignore[arg-type]
    return schedule


@pytest.mark.looptime
async def test_every_0_2_s_for_2_1_s_gives_eleven_and_none_after_cancel(
    counting: tuple[Counting, Server, str],
) -> None:
    server, _, url = counting
    session = Session(url)
    await session.connect()
    tasks: set[asyncio.Task[object]] = set()
    numbers = iter(range(1000))
    schedule = schedule_on(session, 0.2, lambda: {"n": next(numbers)}, tasks)
    assert tasks  # the task is referenced by its owner's set
    start = asyncio.get_running_loop().time()
    await asyncio.sleep(2.1)
    schedule.cancel()
    at_cancel, elapsed = schedule.sent, asyncio.get_running_loop().time() - start
    await wait_for(lambda: len(server.frames) == at_cancel, what="the frames sent before cancel")
    # A turn at 0, 0.2, ... 2.0 s: 11 over 2.1 s, each arriving 0.2 s after the last.
    assert elapsed == pytest.approx(2.1) and at_cancel == 11, (at_cancel, elapsed)
    assert [json.loads(d)["n"] for _, d in server.frames] == list(range(at_cancel))
    gaps = [b[0] - a[0] for a, b in zip(server.frames, server.frames[1:], strict=False)]
    assert gaps == [pytest.approx(0.2)] * 10
    await asyncio.sleep(0.5)
    assert len(server.frames) == at_cancel  # none after cancel()
    assert not schedule.active and schedule.done.done()
    await wait_for(lambda: not tasks, what="the task to end")
    session.close()


@pytest.mark.looptime
async def test_pauses_while_disconnected_and_does_not_burst_after(
    counting: tuple[Counting, Server, str],
) -> None:
    server, _, url = counting
    session = Session(url, reconnect=False)
    await session.connect()
    tasks: set[asyncio.Task[object]] = set()
    schedule = schedule_on(session, 0.05, "tick", tasks)
    await wait_for(lambda: len(server.frames) >= 3, what="three ticks")
    await session.disconnect()
    before = len(server.frames)
    await asyncio.sleep(0.5)  # ten turns while closed
    assert schedule.skipped == 10
    assert len(server.frames) == before
    await session.connect()
    back = asyncio.get_running_loop().time()
    await asyncio.sleep(0.27)
    after = [t for t, _ in server.frames if t >= back]
    # One a turn over 0.27 s, not the ten skipped ones at once.
    assert len(after) == 5, [t - back for t in after]
    assert [b - a for a, b in itertools.pairwise(after)] == [pytest.approx(0.05)] * 4
    schedule.cancel()
    session.close()


async def test_a_failing_payload_is_reported_and_the_schedule_goes_on(
    counting: tuple[Counting, Server, str],
) -> None:
    server, _, url = counting
    session = Session(url)
    await session.connect()
    errors: list[str] = []
    calls = iter(range(100))

    def payload() -> str:
        n = next(calls)
        if n % 2:
            raise RuntimeError(f"odd {n}\nsecond line")
        return f"even {n}"

    schedule = Schedule(
        session.loop,
        0.02,
        payload,
        send=session.send,
        can_send=lambda: True,
        on_error=lambda s, text: errors.append(text),
    )
    tasks: set[asyncio.Task[object]] = set()
    schedule.start(tasks)  # type: ignore[arg-type]
    await wait_for(lambda: len(server.frames) >= 3, what="three good sends")
    schedule.cancel()
    assert errors[0] == "RuntimeError: odd 1"
    assert schedule.errors >= 2
    assert [d for _, d in server.frames[:3]] == ["even 0", "even 2", "even 4"]
    session.close()


def test_checks_before_it_starts() -> None:
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(ValueError, match="period"):
            Schedule(loop, 0, "x", send=print, can_send=lambda: True)
        with pytest.raises(TypeError):
            Schedule(loop, 1, {"when": object()}, send=print, can_send=lambda: True)
    finally:
        loop.close()
    assert describe_payload("x" * 100).endswith("…")
    assert describe_payload(lambda: 1) == "<lambda>()"
