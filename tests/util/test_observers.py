"""The one way to observe: subscribe returns unsubscribe; failures reported, never raised."""

from __future__ import annotations

import asyncio
import gc
import warnings
from typing import Any

import pytest

from tests.helpers import wait_for
from wsecho_widget._util.observers import Observers, Unsubscribe, callback_name
from wsecho_widget._util.tasks import quiet_future


def observers(failures: list[tuple[str, str]] | None = None) -> Observers[[int]]:
    def report(callback: Any, exc: BaseException) -> None:
        assert failures is not None
        failures.append((callback_name(callback), str(exc)))

    return Observers(asyncio.get_running_loop(), report if failures is not None else None, name="on_number")


async def test_observers_are_called_in_the_order_they_subscribed_until_unsubscribed() -> None:
    told = observers()
    seen: list[str] = []
    stop_a = told.subscribe(lambda n: seen.append(f"a{n}"))
    stop_b = told.subscribe(lambda n: seen.append(f"b{n}"))
    told(1)
    stop_a()
    told(2)
    stop_a()  # twice is fine
    stop_b.unsubscribe()
    told(3)
    assert seen == ["a1", "b1", "b2"]
    assert not stop_a.active and not told


async def test_the_same_callback_subscribed_twice_is_two_subscriptions() -> None:
    told = observers()
    seen: list[int] = []
    first = told.subscribe(seen.append)
    told.subscribe(seen.append)
    first()
    told(7)
    assert seen == [7] and len(told) == 1


async def test_an_observer_that_unsubscribes_another_while_called_does_not_break_the_round() -> None:
    told = observers()
    seen: list[str] = []
    handles: list[Unsubscribe] = []
    told.subscribe(lambda n: handles[0]())
    handles.append(told.subscribe(lambda n: seen.append("second")))
    told(1)  # the round started with both: the second is still told this time
    told(2)
    assert seen == ["second"]


async def test_a_failing_observer_is_reported_and_the_others_are_still_called() -> None:
    failures: list[tuple[str, str]] = []
    told = observers(failures)
    seen: list[int] = []

    def broken(n: int) -> None:
        raise RuntimeError(f"boom {n}")

    told.subscribe(broken)
    told.subscribe(seen.append)
    told(3)
    assert seen == [3]
    assert failures == [
        ("test_a_failing_observer_is_reported_and_the_others_are_still_called.<locals>.broken", "boom 3")
    ]


async def test_without_a_report_a_failure_goes_to_the_loops_exception_handler() -> None:
    loop = asyncio.get_running_loop()
    contexts: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _, context: contexts.append(context))
    try:
        told = observers()
        told.subscribe(lambda n: 1 / n)
        told(0)
    finally:
        loop.set_exception_handler(None)
    assert isinstance(contexts[0]["exception"], ZeroDivisionError)
    assert "on_number" in contexts[0]["message"]


async def test_an_async_observer_runs_as_a_kept_task_and_its_failure_is_reported() -> None:
    failures: list[tuple[str, str]] = []
    told = observers(failures)
    seen: list[int] = []

    async def later(n: int) -> None:
        await asyncio.sleep(0)
        seen.append(n)
        raise ValueError("late")

    told.subscribe(later)
    told(5)
    assert len(told.tasks) == 1
    await wait_for(lambda: not told.tasks, what="the task")
    assert seen == [5] and failures == [(later.__qualname__, "late")]


async def test_close_cancels_the_async_observers_still_running() -> None:
    told = observers()

    async def forever(n: int) -> None:
        await asyncio.Event().wait()

    told.subscribe(forever)
    told(1)
    task = next(iter(told.tasks))
    told.close()
    await asyncio.sleep(0)
    assert task.cancelled() and not told


async def test_only_callables_can_subscribe() -> None:
    with pytest.raises(TypeError, match="on_number takes a callable, not int"):
        observers().subscribe(3)  # type: ignore[arg-type]


async def test_the_old_list_api_still_works_and_warns_with_its_date() -> None:
    told = observers()
    seen: list[int] = []
    with pytest.warns(
        DeprecationWarning, match=r"on_number.append\(\) is deprecated since 0.3 \(2026-12-06\)"
    ):
        told.append(seen.append)
    told(1)
    with pytest.warns(DeprecationWarning, match="remove"):
        told.remove(seen.append)
    told(2)
    assert seen == [1]
    with pytest.warns(DeprecationWarning), pytest.raises(ValueError, match="not subscribed"):
        told.remove(seen.append)


async def test_a_quiet_future_that_fails_unawaited_logs_nothing() -> None:
    loop = asyncio.get_running_loop()
    contexts: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _, context: contexts.append(context))
    try:
        quiet_future(loop).set_exception(ConnectionError("down"))
        noisy: asyncio.Future[None] = loop.create_future()
        noisy.set_exception(ConnectionError("down"))
        del noisy
        with warnings.catch_warnings():
            gc.collect()
    finally:
        loop.set_exception_handler(None)
    # The control: a plain future is logged, the quiet one is not.
    assert [c["message"] for c in contexts] == ["Future exception was never retrieved"]
