"""The session's subscribers: who is told of messages and status changes, and how.

:class:`Observers` holds the callbacks given to ``Session.subscribe()`` and calls
them in the order they subscribed; one that raises is reported to the loop's
exception handler and never stops the receive loop or the others.

Imports asyncio and the model only: never websockets, the session or widgets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, Literal

from wsecho_widget.model.message import Message

__all__ = ["STATUSES", "Observers", "OnMessages", "OnStatus", "Status"]

Status = Literal["connecting", "open", "closing", "closed", "error"]
STATUSES: tuple[Status, ...] = ("connecting", "open", "closing", "closed", "error")

OnMessages = Callable[[Sequence[Message]], None]
OnStatus = Callable[[Status, str], None]


class Observers:
    """The subscribers of one session, in the order they subscribed.

    The constructor's callbacks are subscribed first, as ``Session()``'s
    shorthands: ``on_message(message)`` is called once per message, sent and
    received. Then :attr:`listeners`, a deprecated list of callables called with
    each received message.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        on_status: OnStatus | None = None,
        on_messages: OnMessages | None = None,
        on_message: Callable[[Message], None] | None = None,
    ) -> None:
        self.loop = loop
        self._on_messages: list[OnMessages] = []
        self._on_status: list[OnStatus] = []
        #: Called once per received message, after the subscribers (see ``Session.listeners``).
        self.listeners: list[Callable[[Message], None]] = []
        if on_status is not None or on_messages is not None:
            self.subscribe(on_messages=on_messages, on_status=on_status)
        if on_message is not None:

            def each(messages: Sequence[Message]) -> None:
                for message in messages:
                    on_message(message)

            self.subscribe(on_messages=each)
        self.subscribe(on_messages=self._notify_listeners)

    def subscribe(
        self, *, on_messages: OnMessages | None = None, on_status: OnStatus | None = None
    ) -> Callable[[], None]:
        """Add the callbacks given; returns the function that removes them (twice is fine)."""
        if on_messages is not None and not callable(on_messages):
            raise TypeError(f"on_messages takes a callable, not {type(on_messages).__name__}")
        if on_status is not None and not callable(on_status):
            raise TypeError(f"on_status takes a callable, not {type(on_status).__name__}")
        if on_messages is not None:
            self._on_messages.append(on_messages)
        if on_status is not None:
            self._on_status.append(on_status)

        def unsubscribe() -> None:
            if on_messages is not None and on_messages in self._on_messages:
                self._on_messages.remove(on_messages)
            if on_status is not None and on_status in self._on_status:
                self._on_status.remove(on_status)

        return unsubscribe

    def messages(self, messages: Sequence[Message]) -> None:
        """Tell every ``on_messages`` subscriber of a batch (one direction, oldest first)."""
        for on_messages in tuple(self._on_messages):
            self._call(on_messages, messages)

    def status(self, status: Status, detail: str) -> None:
        """Tell every ``on_status`` subscriber of a change (already set on the session)."""
        for on_status in tuple(self._on_status):
            self._call(on_status, status, detail)

    def _notify_listeners(self, messages: Sequence[Message]) -> None:
        if not self.listeners or messages[0].direction != "received":
            return
        for message in messages:
            for listener in tuple(self.listeners):
                self._call(listener, message)

    def _call(self, callback: Callable[..., None], *args: Any) -> None:
        try:
            callback(*args)
        except Exception as exc:
            # Not ours to fix, and the receive loop must go on: let asyncio report it.
            self.loop.call_exception_handler(
                {"message": f"wsecho_widget subscriber {callback!r} failed", "exception": exc}
            )
