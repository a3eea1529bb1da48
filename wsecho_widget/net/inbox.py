"""The one inbox behind every ``receive()``: the session's, the hub's, the protocol clients'.

:class:`Inbox` keeps what arrived and no ``receive()`` has returned yet (bounded
like a history) and the futures of the calls waiting for something. However a
wait ends (an item, a timeout, a cancel, KeyboardInterrupt in a nested loop) it
leaves no waiter behind, and an item is taken only by a call that returns it.
:meth:`Inbox.take` returns the first item that passes a test and leaves the
others where they are, in order: what ``expect()`` is built on.

It lives in ``net`` because both ends share it (the server sits below the
client). Imports asyncio and the errors only: no websockets I/O, no session.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from wsecho_widget.model.match import failure
from wsecho_widget.net.errors import ChannelError

__all__ = ["Inbox"]

T = TypeVar("T")

#: How many of the newest arrivals an inbox remembers for a failure message.
RECENT = 5


class Inbox(Generic[T]):
    """Unread items, oldest first, and the calls waiting for one.

    ``ended()`` says why nothing more will come (``"closed (why)"``), or None while
    items may still arrive; :meth:`close` says it instead, for an owner that has no
    such function. ``what`` names the items in errors ("message", "event").
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        limit: int,
        ended: Callable[[], str | None] | None = None,
        what: str = "message",
    ) -> None:
        self.loop = loop
        self.what = what
        self._ended = ended
        self._closed: str | None = None
        self._unread: deque[T] = deque(maxlen=limit)
        self._arrived = 0  # items ever put: new ones are always the newest unread
        #: The newest arrivals, read or not (what a failed ``expect`` saw last).
        self.recent: deque[T] = deque(maxlen=RECENT)
        # Futures of waiting calls (a dict keeps the order and removes in O(1)).
        self._waiters: dict[asyncio.Future[None], None] = {}

    def __len__(self) -> int:
        return len(self._unread)

    @property
    def waiters(self) -> int:
        """How many calls wait now (0 once every wait has ended, however it ended)."""
        return len(self._waiters)

    def put(self, item: T) -> None:
        """Keep one arrival and wake whoever waits."""
        self._unread.append(item)
        self._arrived += 1
        self.recent.append(item)
        if self._waiters:
            self.wake()

    def put_many(self, items: Sequence[T]) -> None:
        """Keep arrivals in order and wake whoever waits."""
        self._unread.extend(items)
        self._arrived += len(items)
        self.recent.extend(items)
        if self._waiters:
            self.wake()

    def give_back(self, item: T) -> None:
        """Put back an item a wait took but could not return (it is read next)."""
        self._unread.appendleft(item)

    def close(self, why: str) -> None:
        """Nothing more will come: waits raise ChannelError once nothing is left."""
        self._closed = why
        self.wake()

    def reopen(self) -> None:
        """Items may come again (a server started again)."""
        self._closed = None

    def wake(self) -> None:
        """Wake every waiting call: something came, or the source ended."""
        waiters, self._waiters = self._waiters, {}
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def discard(self) -> int:
        """Forget the unread items; returns how many."""
        count = len(self._unread)
        self._unread.clear()
        return count

    def _check_ended(self) -> None:
        why = self._closed if self._closed is not None else self._ended() if self._ended is not None else None
        if why is not None:
            nothing = "nothing" if self.what == "message" else f"no {self.what}"
            raise ChannelError(f"{nothing} to receive: {why}")

    async def receive(self, timeout: float | None) -> T:
        """The oldest unread item; waits up to ``timeout`` seconds for one.

        Raises TimeoutError after ``timeout``, ChannelError once the source has
        ended and nothing is left to read.
        """
        loop = self.loop
        deadline = None if timeout is None else loop.time() + timeout
        while not self._unread:  # the hot path of every receive(): no test
            if self._closed is not None or self._ended is not None:
                self._check_ended()
            await self._wait(deadline, timeout)
        return self._unread.popleft()

    async def take(self, test: Callable[[T], bool] | None, timeout: float | None) -> T:
        """The first unread item that passes ``test`` (any, for None), removed.

        Items that fail the test stay, in order, for the next ``receive()``; each
        is tested once per call. Waits up to ``timeout`` seconds: TimeoutError then,
        ChannelError once the source has ended with no passing item left.
        """
        loop = self.loop
        deadline = None if timeout is None else loop.time() + timeout
        tested = None  # self._arrived when this call last looked: older items failed the test
        while True:
            untested = len(self._unread) if tested is None else self._arrived - tested
            found = self._find(test, max(0, len(self._unread) - untested))
            if found is not None:
                return found[0]
            tested = self._arrived
            self._check_ended()
            await self._wait(deadline, timeout)

    async def expect(
        self,
        match: Any,
        test: Callable[[T], bool],
        within: float | None,
        shown: Callable[[T], Any] | None = None,
    ) -> T:
        """:meth:`take` for ``expect()``: ExpectationFailed instead of a timeout or an end.

        ``match`` is what the caller was given (for the message), ``test`` its test;
        ``shown`` makes the items the failure lists of those kept (the hub's rows).
        """
        try:
            return await self.take(test, within)
        except TimeoutError:
            raise failure(match, within, self._seen(shown)) from None
        except ChannelError as exc:
            raise failure(match, within, self._seen(shown), ended=str(exc)) from None

    def _seen(self, shown: Callable[[T], Any] | None) -> list[Any]:
        return [shown(item) for item in self.recent] if shown is not None else list(self.recent)

    def _find(self, test: Callable[[T], bool] | None, start: int) -> tuple[T] | None:
        unread = self._unread
        if test is None:
            return (unread.popleft(),) if unread else None
        for index in range(start, len(unread)):
            item = unread[index]
            if test(item):
                del unread[index]
                return (item,)
        return None

    async def _wait(self, deadline: float | None, timeout: float | None) -> None:
        loop = self.loop
        waiter = loop.create_future()
        self._waiters[waiter] = None
        # A timer on the waiter itself, not asyncio.wait_for: that costs two more
        # turns of the loop per message, 15 % of a round trip in a kernel.
        timer = None
        if deadline is not None:
            timer = loop.call_later(max(0.0, deadline - loop.time()), _expire, waiter, timeout, self.what)
        try:
            await waiter
        finally:
            if timer is not None:
                timer.cancel()
            self._waiters.pop(waiter, None)


def _expire(waiter: asyncio.Future[None], timeout: float | None, what: str) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError(f"no {what} received within {timeout} s"))
