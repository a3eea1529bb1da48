"""What ``Session.receive()`` reads: the unread messages and the calls waiting for one.

:class:`Inbox` keeps received messages that no ``receive()`` has returned yet
(bounded like the history) and the futures of the ``receive()`` calls waiting for
one. However a wait ends (a message, a timeout, a cancel, KeyboardInterrupt in a
nested loop) it leaves no waiter behind: a message is taken only by a call that
returns it.

Imports asyncio, the model and the errors only: never websockets' I/O, the
session or widgets.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable

from wsecho_widget.model.message import Message
from wsecho_widget.net.errors import ChannelError

__all__ = ["Inbox"]


class Inbox:
    """Unread messages, oldest first, and the ``receive()`` calls waiting for one.

    ``ended()`` says why nothing more will come (``"closed (why)"``), or None while
    messages may still arrive.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, limit: int, ended: Callable[[], str | None]) -> None:
        self.loop = loop
        self._ended = ended
        self._unread: deque[Message] = deque(maxlen=limit)
        # Futures of receive() calls waiting for a message, oldest first (a dict
        # keeps the order and removes in O(1)).
        self._waiters: dict[asyncio.Future[None], None] = {}

    def __len__(self) -> int:
        return len(self._unread)

    def put(self, messages: Iterable[Message]) -> None:
        """Keep received messages for ``receive()`` and wake whoever waits."""
        self._unread.extend(messages)
        if self._waiters:
            self.wake()

    def give_back(self, message: Message) -> None:
        """Put back a message a wait took but could not return (it is read next)."""
        self._unread.appendleft(message)

    def wake(self) -> None:
        """Wake every waiting ``receive()``: a message came, or the connection ended."""
        waiters, self._waiters = self._waiters, {}
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def discard(self) -> int:
        """Forget the unread messages; returns how many."""
        count = len(self._unread)
        self._unread.clear()
        return count

    async def receive(self, timeout: float | None) -> Message:
        """The oldest unread message; waits up to ``timeout`` seconds for one.

        Raises TimeoutError after ``timeout``, ChannelError once ``ended()`` says
        nothing more will come and nothing is left to read.
        """
        loop = self.loop
        deadline = None if timeout is None else loop.time() + timeout
        while not self._unread:
            if (why := self._ended()) is not None:
                raise ChannelError(f"nothing to receive: {why}")
            waiter = loop.create_future()
            self._waiters[waiter] = None
            # A timer on the waiter itself, not asyncio.wait_for: that costs two more
            # turns of the loop per message, 15 % of a round trip in a kernel.
            timer = None
            if deadline is not None:
                remaining = max(0.0, deadline - loop.time())
                timer = loop.call_later(remaining, _expire, waiter, timeout)
            try:
                await waiter
            finally:
                if timer is not None:
                    timer.cancel()
                self._waiters.pop(waiter, None)
        return self._unread.popleft()


def _expire(waiter: asyncio.Future[None], timeout: float | None) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError(f"no message received within {timeout} s"))
