"""Tasks that are never lost: one helper shared by the channel and the session."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any


def keep_task(
    loop: asyncio.AbstractEventLoop,
    tasks: set[asyncio.Task[Any]],
    coro: Coroutine[Any, Any, Any],
    on_error: Callable[[BaseException], None] | None = None,
) -> asyncio.Task[Any]:
    """Run ``coro`` as a task held in ``tasks`` until it ends.

    The loop keeps only weak references to tasks, so a task nobody holds can vanish
    mid-flight. A task that fails hands its exception to ``on_error`` (when given)
    instead of leaving it for asyncio's "never retrieved" log.
    """
    task = loop.create_task(coro)
    tasks.add(task)

    def done(task: asyncio.Task[Any]) -> None:
        tasks.discard(task)
        if on_error is not None and not task.cancelled() and (exc := task.exception()) is not None:
            on_error(exc)

    task.add_done_callback(done)
    return task
