"""What a Socket.IO client does with events and acks: handlers by name, acks in flight.

:class:`Handlers` holds the ``on(event)`` callbacks and calls them for each
received event, sync or async; what the first one returns answers the server's
ack request. :class:`PendingAcks` holds the futures of our own ack requests until
the server answers or the connection is lost. Both report through callables the
client gives them: no sockets, no session, no widgets.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Coroutine
from typing import Any

from wsecho_widget.client.hooks import callback_name
from wsecho_widget.net.errors import ChannelError

__all__ = ["Handlers", "PendingAcks"]


class Handlers:
    """``on(event)`` callbacks by event name, and how a received event reaches them.

    ``answer(ack, value)`` sends the answer to an ack request, ``notice(text)``
    says a failure in one line, ``start(coro)`` runs an async callback's result
    as a kept task.
    """

    def __init__(
        self,
        answer: Callable[[int, Any], None],
        notice: Callable[[str], None],
        start: Callable[[Coroutine[Any, Any, None]], object],
    ) -> None:
        self._answer = answer
        self._notice = notice
        self._start = start
        self._by_event: dict[str, list[Callable[..., Any]]] = {}

    def add(self, event: str, callback: Callable[..., Any]) -> None:
        if not callable(callback):
            raise TypeError(f"on() takes a callable, not {type(callback).__name__}")
        self._by_event.setdefault(event, []).append(callback)

    def remove(self, event: str, callback: Callable[..., Any]) -> None:
        """Forget ``callback`` for ``event`` (ValueError if it was not registered)."""
        self._by_event.get(event, []).remove(callback)

    def dispatch(self, name: str, args: list[Any], ack: int | None) -> None:
        """Call each ``name`` handler with ``args``; the first one's result answers ``ack``."""
        for i, handler in enumerate(list(self._by_event.get(name, ()))):
            try:
                result = handler(*args)
            except Exception as exc:
                self._failed(name, handler, exc)
                continue
            answer = ack if i == 0 else None
            if inspect.isawaitable(result):
                self._start(self._finish(name, handler, result, answer))
            elif answer is not None:
                self._answer(answer, result)

    async def _finish(self, name: str, handler: Callable[..., Any], result: Any, ack: int | None) -> None:
        try:
            value = await result
        except Exception as exc:
            self._failed(name, handler, exc)
            return
        if ack is not None:
            self._answer(ack, value)

    def _failed(self, name: str, handler: Callable[..., Any], exc: Exception) -> None:
        self._notice(f"on({name!r}) callback {callback_name(handler)} failed: {exc!r}")


class PendingAcks:
    """Our ack requests waiting for the server's answer, by ack id."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._next_id = 0
        self._pending: dict[int, tuple[str, asyncio.Future[list[Any]]]] = {}

    def next_id(self) -> int:
        """The id for the next request (ids start at 1)."""
        self._next_id += 1
        return self._next_id

    def wait(self, id: int, event: str) -> asyncio.Future[list[Any]]:
        """The future that the answer to ``id`` resolves; cancelling it forgets the request."""
        future: asyncio.Future[list[Any]] = self.loop.create_future()
        self._pending[id] = (event, future)
        future.add_done_callback(lambda _: self._pending.pop(id, None))
        return future

    def event(self, id: int) -> str:
        """The name of the event that ``id`` acknowledges ("?" when we asked for none)."""
        pending = self._pending.get(id)
        return pending[0] if pending else "?"

    def resolve(self, id: int, args: list[Any]) -> None:
        pending = self._pending.get(id)
        if pending is not None and not pending[1].done():
            pending[1].set_result(args)

    def fail_all(self, reason: str) -> None:
        """The connection is lost: every request still waiting raises ChannelError."""
        for name, future in list(self._pending.values()):
            if not future.done():
                future.set_exception(ChannelError(f"connection lost before the ack of {name!r}: {reason}"))
