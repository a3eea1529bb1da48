"""The session's subscribers: who is told of messages and status changes, and how.

:class:`SessionObservers` holds what ``Session.subscribe()`` was given, each kind
in an :class:`~wsecho_widget._util.observers.Observers` (the package's one way to
observe): called in the order they subscribed; one that raises is reported to
the loop's exception handler and never stops the receive loop or the others.

Imports asyncio, ``_util`` and the model only: never websockets, the session or widgets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Literal

from wsecho_widget._util.observers import Observers, Unsubscribe, deprecated
from wsecho_widget.model.message import Message

__all__ = ["STATUSES", "OnMessages", "OnStatus", "SessionObservers", "Status"]

Status = Literal["connecting", "open", "closing", "closed", "error"]
STATUSES: tuple[Status, ...] = ("connecting", "open", "closing", "closed", "error")

OnMessages = Callable[[Sequence[Message]], None]
OnStatus = Callable[[Status, str], None]


class SessionObservers:
    """The subscribers of one session, in the order they subscribed.

    The constructor's callbacks are subscribed first, as ``Session()``'s
    shorthands: ``on_message(message)`` is called once per message, sent and
    received. Then :attr:`listeners` (deprecated), called with each received message.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        on_status: OnStatus | None = None,
        on_messages: OnMessages | None = None,
        on_message: Callable[[Message], None] | None = None,
    ) -> None:
        self.messages: Observers[[Sequence[Message]]] = Observers(loop, name="subscriber on_messages")
        self.status: Observers[[Status, str]] = Observers(loop, name="subscriber on_status")
        self._listeners: Observers[[Message]] = Observers(loop, name="Session.listeners")
        self.subscribe(on_messages=on_messages, on_status=on_status)
        if on_message is not None:

            def each(messages: Sequence[Message]) -> None:
                for message in messages:
                    on_message(message)

            self.subscribe(on_messages=each)
        self.subscribe(on_messages=self._notify_listeners)

    def subscribe(
        self, *, on_messages: OnMessages | None = None, on_status: OnStatus | None = None
    ) -> Unsubscribe:
        """Add the callbacks given; returns the :class:`Unsubscribe` that removes them (twice is fine)."""
        if on_messages is not None and not callable(on_messages):
            raise TypeError(f"on_messages takes a callable, not {type(on_messages).__name__}")
        if on_status is not None and not callable(on_status):
            raise TypeError(f"on_status takes a callable, not {type(on_status).__name__}")
        stops = []
        if on_messages is not None:
            stops.append(self.messages.subscribe(on_messages))
        if on_status is not None:
            stops.append(self.status.subscribe(on_status))
        return Unsubscribe(*stops)

    @property
    def listeners(self) -> Observers[[Message]]:
        """Deprecated: ``subscribe(on_messages=...)``. Called with each received message."""
        return self._listeners

    def replace_listeners(self, listeners: Sequence[Callable[[Message], None]]) -> None:
        """Deprecated (``session.listeners = [...]``): these listeners instead of the current ones."""
        deprecated("Session.listeners = [...]", "Session.subscribe(on_messages=...)")
        self._listeners.close()
        for listener in listeners:
            self._listeners.subscribe(listener)

    def _notify_listeners(self, messages: Sequence[Message]) -> None:
        if not self._listeners or messages[0].direction != "received":
            return
        for message in messages:
            self._listeners(message)
