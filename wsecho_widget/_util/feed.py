"""A bounded feed for one ``async for`` reader: :class:`Feed`.

Items are put in as they arrive; a reader that falls more than ``maxsize`` items
behind loses the oldest (``dropped`` counts them) instead of making the kernel's
memory grow. Once the feed ends, the reader gets what is left, then the end: the
error it ended with, or StopAsyncIteration. Hooks' ``MessageStream`` and GraphQL's
``Subscription`` are feeds.

Imports asyncio only: never the model, the session, websockets or widgets.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, Self, TypeVar

__all__ = ["Feed"]

T = TypeVar("T")


class Feed(Generic[T]):
    """Items for one reader, oldest first, bounded; ``async for`` ends when the feed does."""

    def __init__(self, loop: asyncio.AbstractEventLoop, maxsize: int) -> None:
        self.loop = loop
        self.dropped = 0
        self._items: deque[T] = deque()
        self._maxsize = maxsize
        self._waiter: asyncio.Future[None] | None = None
        self._ended = False
        self._error: Exception | None = None

    def _push(self, item: T) -> None:
        if len(self._items) >= self._maxsize:
            self._items.popleft()
            self.dropped += 1
        self._items.append(item)
        self._wake()

    def _finish(self, error: Exception | None = None) -> None:
        """End the feed (the first end counts); the reader still gets what is queued."""
        if not self._ended:
            self._ended, self._error = True, error
        self._wake()

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> T:
        while not self._items:
            if self._ended:
                if self._error is not None:
                    raise self._error
                raise StopAsyncIteration
            self._waiter = self.loop.create_future()
            await self._waiter
        return self._items.popleft()
