"""The timing helpers: handlers run in the loop's thread, the debouncer's two paces, the throttle.

The delays are proven on looptime's fake loop clock (``@pytest.mark.looptime``): the
timers run exactly when due, sleeps take no real time, and a busy machine cannot
stretch a gap. Only the late watchdog runs on the real clock: a blocked loop is the point.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time

import pytest

from tests.helpers import wait_for
from wsecho_widget._util.loop import Debouncer, Throttle, Watchdog, in_loop


async def test_a_handler_called_from_another_thread_runs_in_the_loops_thread() -> None:
    loop = asyncio.get_running_loop()
    ran_in: list[tuple[str, object]] = []
    handler = in_loop(loop, lambda change: ran_in.append((threading.current_thread().name, change)))
    thread = threading.Thread(target=handler, args=({"new": 1},), name="subshell")
    thread.start()
    thread.join()
    assert ran_in == []  # handed to the loop, not run in the subshell's thread
    await wait_for(lambda: ran_in, what="the handler")
    assert ran_in == [(threading.current_thread().name, {"new": 1})]


async def test_in_the_loops_thread_a_handler_runs_at_once() -> None:
    ran: list[int] = []
    in_loop(asyncio.get_running_loop(), ran.append)(1)
    assert ran == [1]


def test_with_no_loop_running_a_handler_runs_at_once() -> None:
    loop = asyncio.new_event_loop()
    try:
        ran: list[int] = []
        in_loop(loop, ran.append)(2)
        assert ran == [2]
    finally:
        loop.close()


@pytest.mark.looptime
async def test_restart_runs_once_after_the_last_call() -> None:
    loop = asyncio.get_running_loop()
    keys: list[float] = []
    times: list[float] = []
    debouncer = Debouncer(loop, 0.05, lambda: times.append(loop.time()))

    def key() -> None:
        keys.append(loop.time())
        debouncer.restart()

    # Typing: one call every 20 ms, on the loop's own clock. However late a busy
    # loop runs them, each key is due before the timer the previous key armed (50 ms
    # after that key ran), so the loop runs it first and the action cannot slip in.
    start = loop.time()
    for i in range(5):
        loop.call_at(start + 0.02 * i, key)
    await wait_for(lambda: times, what="the action")
    await asyncio.sleep(0.1)
    assert len(keys) == 5 and keys == sorted(keys) and keys[-1] >= start + 0.08
    assert len(times) == 1 and times[0] > keys[-1]
    # Not sooner than the delay after the last key (asyncio runs a timer that is
    # due within one tick of its clock: that tick is all the slack there is).
    assert times[0] - keys[-1] >= 0.05 - time.get_clock_info("monotonic").resolution
    assert times[0] == pytest.approx(keys[-1] + 0.05)  # the fake clock: exactly on time
    assert not debouncer.pending


@pytest.mark.looptime
async def test_start_keeps_a_pace_and_cancel_stops_it() -> None:
    loop = asyncio.get_running_loop()
    runs: list[float] = []
    debouncer = Debouncer(loop, 0.03, lambda: runs.append(loop.time()))
    start = loop.time()
    for _ in range(10):  # a flood of news: the first call arms, the others wait with it
        debouncer.start()
    assert debouncer.pending
    await wait_for(lambda: runs, what="the action")
    assert runs[0] == pytest.approx(start + 0.03)  # the first call's delay, not the last's
    await asyncio.sleep(0.06)
    assert len(runs) == 1
    debouncer.start()
    debouncer.cancel()
    await asyncio.sleep(0.06)
    assert len(runs) == 1 and not debouncer.pending


@pytest.mark.looptime
async def test_an_action_that_starts_again_ticks() -> None:
    loop = asyncio.get_running_loop()
    ticks: list[float] = []

    def tick() -> None:
        ticks.append(loop.time())
        if len(ticks) < 3:
            debouncer.start()

    debouncer = Debouncer(loop, 0.01, tick)
    debouncer.start()
    await wait_for(lambda: len(ticks) == 3, what="three ticks")
    await asyncio.sleep(0.03)
    assert len(ticks) == 3
    assert [b - a for a, b in itertools.pairwise(ticks)] == pytest.approx([0.01, 0.01])


@pytest.mark.looptime
async def test_a_watchdog_reports_silence_once_unless_rearmed_or_disarmed() -> None:
    loop = asyncio.get_running_loop()
    silences: list[float] = []
    times: list[float] = []
    watchdog = Watchdog(loop, lambda wait: (silences.append(wait), times.append(loop.time())))
    watchdog.arm(0.05)
    watchdog.disarm()
    await asyncio.sleep(0.1)
    assert silences == [] and not watchdog.armed
    await asyncio.sleep(0.03)
    watchdog.arm(0.05)
    await asyncio.sleep(0.03)
    watchdog.arm(0.05)  # a sign of life: the wait starts over, one timer only
    armed = loop.time()
    await wait_for(lambda: silences, what="the silence")
    assert times == [pytest.approx(armed + 0.05)]
    await asyncio.sleep(0.1)
    assert silences == [0.05] and not watchdog.armed


async def test_a_watchdog_that_wakes_late_waits_again_instead_of_reporting() -> None:
    # A long synchronous cell blocks the loop: the server's ping may be unread in the
    # socket, so the watchdog gives it a fair wait before calling it silent.
    loop = asyncio.get_running_loop()
    silences: list[float] = []
    watchdog = Watchdog(loop, silences.append)
    watchdog.arm(0.05)
    time.sleep(0.25)  # noqa: ASYNC251  # blocks the loop on purpose: the timer runs 0.2 s late
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert silences == [] and watchdog.armed
    await wait_for(lambda: silences, what="the silence after a fair wait")
    assert silences == [0.05]


@pytest.mark.looptime
async def test_a_throttle_runs_at_once_then_at_most_once_per_interval_and_never_drops_the_last() -> None:
    loop = asyncio.get_running_loop()
    runs: list[float] = []
    throttle = Throttle(loop, 0.1, lambda: runs.append(loop.time()))
    start = loop.time()
    throttle()
    assert len(runs) == 1  # leading edge: at once
    while loop.time() - start < 0.5:  # a flood of calls
        throttle()
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.15)
    gaps = [b - a for a, b in itertools.pairwise(runs)]
    assert 4 <= len(runs) <= 7 and min(gaps) >= 0.095, gaps
    assert runs[-1] >= start + 0.5  # the trailing edge came after the last call
    count = len(runs)
    throttle()  # quiet for longer than the interval: at once
    throttle()  # within it: trailing, due in 0.1 s ...
    throttle.cancel()  # ... and dropped
    await asyncio.sleep(0.15)
    assert len(runs) == count + 1
