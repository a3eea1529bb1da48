"""The two timing helpers: handlers run in the loop's thread, and the debouncer's two paces."""

from __future__ import annotations

import asyncio
import threading

from tests.helpers import wait_for
from wsecho_widget._loop import Debouncer, in_loop


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


async def test_restart_runs_once_after_the_last_call() -> None:
    loop = asyncio.get_running_loop()
    times: list[float] = []
    debouncer = Debouncer(loop, 0.05, lambda: times.append(loop.time()))
    start = loop.time()
    for _ in range(5):  # typing: one call every 20 ms
        debouncer.restart()
        await asyncio.sleep(0.02)
    last = loop.time() - 0.02
    await wait_for(lambda: times, what="the action")
    await asyncio.sleep(0.1)
    assert len(times) == 1 and times[0] >= last + 0.05 > start + 0.1
    assert not debouncer.pending


async def test_start_keeps_a_pace_and_cancel_stops_it() -> None:
    loop = asyncio.get_running_loop()
    runs: list[float] = []
    debouncer = Debouncer(loop, 0.03, lambda: runs.append(loop.time()))
    for _ in range(10):  # a flood of news: the first call arms, the others wait with it
        debouncer.start()
    assert debouncer.pending
    await wait_for(lambda: runs, what="the action")
    await asyncio.sleep(0.06)
    assert len(runs) == 1
    debouncer.start()
    debouncer.cancel()
    await asyncio.sleep(0.06)
    assert len(runs) == 1 and not debouncer.pending


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
