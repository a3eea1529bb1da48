"""What the server tells its users: notices, callbacks, and messages waiting to be read.

:class:`Notice` is one line the server says. :class:`Callbacks` holds who is
told of what (the package's one way to observe): the ``on_message`` /
``on_connect`` / ``on_disconnect`` callbacks, sync or async, whose fault is a
notice instead of stopping the server, and the panel's listeners.
The hub's inbox is :class:`wsecho_widget.net.inbox.Inbox`, shared with the client. No
sockets, no widgets; must not import the hub.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from wsecho_widget._util.observers import Observers, Unsubscribe, callback_name, deprecated
from wsecho_widget.model.message import Message

__all__ = ["EVENTS", "Callback", "CallbackMethods", "Callbacks", "Notice"]

Level = Literal["info", "warning", "error"]
Callback = Callable[[Any], Any]

#: The events a callback can follow.
EVENTS = ("message", "connect", "disconnect")


@dataclass(frozen=True, slots=True)
class Notice:
    """One line about the server: ``level`` is "info", "warning" or "error"."""

    text: str
    client: str | None = None
    level: Level = "info"
    timestamp: float = field(default_factory=time.time)


class Callbacks:
    """Who the hub tells, each kind an :class:`~wsecho_widget._util.observers.Observers`.

    People's callbacks (``message``, ``connect``, ``disconnect``), sync or async:
    :meth:`fire` calls them, and ``report(text, client)`` says a fault in one line
    (the hub's notices). The panel's listeners (``status``, ``record``, ``notice``,
    ``client``): called directly, a fault goes to the loop's exception handler.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, report: Callable[[str, str | None], object]) -> None:
        self.loop = loop
        self.report = report
        self._by_event: dict[str, Observers[[Any]]] = {
            event: Observers(loop, name=f"on_{event}()") for event in EVENTS
        }
        #: Each status change: ``(status, detail)``.
        self.status: Observers[[Any, str]] = Observers(loop, name="Hub.status_listeners")
        #: Each message the hub records, sent or received.
        self.record: Observers[[Message]] = Observers(loop, name="Hub.message_listeners")
        #: Each :class:`Notice`.
        self.notice: Observers[[Notice]] = Observers(loop, name="Hub.notice_listeners")
        #: Each client that connects or goes.
        self.client: Observers[[Any]] = Observers(loop, name="Hub.client_listeners")

    @property
    def watched(self) -> bool:
        """Whether anyone is told of each message (``record`` listeners, ``message`` callbacks)."""
        return bool(self.record) or bool(self._by_event["message"])

    @property
    def tasks(self) -> set[asyncio.Task[Any]]:
        """The tasks of async callbacks still running."""
        return set().union(*(observers.tasks for observers in self._by_event.values()))

    def observers(self, event: str) -> Observers[[Any]]:
        """The callbacks of ``event`` ("message", "connect", "disconnect")."""
        return self._by_event[event]

    def add(self, event: str, callback: Callback) -> Unsubscribe:
        return self._by_event[event].subscribe(callback)

    def remove(self, callback: Callback) -> None:
        for observers in self._by_event.values():
            observers.unsubscribe(callback)

    def fire(self, event: str, argument: Any, client: str | None) -> None:
        """Call each ``event`` callback with ``argument``; ``client`` names whose event it is."""
        observers = self._by_event[event]
        if not observers:  # the common case under load: no closure to make
            return

        def failed(callback: Callable[..., Any], exc: BaseException) -> None:
            name = callback_name(callback)
            self.report(f"on_{event} callback {name} failed: {type(exc).__name__}: {exc}", client)

        observers.notify(failed, argument)

    def close(self) -> None:
        """Cancel the async callbacks still running."""
        for observers in self._by_event.values():
            for task in list(observers.tasks):
                task.cancel()


class CallbackMethods:
    """``on_message``, ``on_connect``, ``on_disconnect``, ``subscribe()``: the face of ``self.callbacks``."""

    callbacks: Callbacks

    def on_message(self, callback: Callback) -> Callback:
        """Call ``callback(message)`` for each frame a client sends; sync or async.

        Returns ``callback`` (a decorator: ``@server.on_message``); to be able to stop
        it, use :meth:`subscribe`.
        """
        self.callbacks.add("message", callback)
        return callback

    def on_connect(self, callback: Callback) -> Callback:
        """Call ``callback(client)`` when a client connects; sync or async."""
        self.callbacks.add("connect", callback)
        return callback

    def on_disconnect(self, callback: Callback) -> Callback:
        """Call ``callback(client)`` when a client has gone; sync or async."""
        self.callbacks.add("disconnect", callback)
        return callback

    def subscribe(
        self,
        *,
        on_message: Callback | None = None,
        on_connect: Callback | None = None,
        on_disconnect: Callback | None = None,
        on_status: Callable[[Any, str], object] | None = None,
        on_record: Callable[[Message], object] | None = None,
        on_notice: Callable[[Notice], object] | None = None,
        on_client: Callback | None = None,
    ) -> Unsubscribe:
        """Be told; returns the :class:`Unsubscribe` that stops every callback given here.

        ``on_message``, ``on_connect``, ``on_disconnect``: as the methods of those
        names (sync or async; a fault is a notice). For views, called at once (a
        fault goes to asyncio's exception handler): ``on_status(status, detail)``,
        ``on_record(message)`` for each message sent or received,
        ``on_notice(notice)``, ``on_client(client)`` when one connects or goes.
        """
        callbacks = self.callbacks
        given: list[tuple[str, Any, Observers[Any]]] = [
            ("message", on_message, callbacks.observers("message")),
            ("connect", on_connect, callbacks.observers("connect")),
            ("disconnect", on_disconnect, callbacks.observers("disconnect")),
            ("status", on_status, callbacks.status),
            ("record", on_record, callbacks.record),
            ("notice", on_notice, callbacks.notice),
            ("client", on_client, callbacks.client),
        ]
        for name, callback, _ in given:
            if callback is not None and not callable(callback):
                raise TypeError(f"on_{name} takes a callable, not {type(callback).__name__}")
        stops = [observers.subscribe(callback) for _, callback, observers in given if callback is not None]
        return Unsubscribe(*stops)

    def remove_callback(self, callback: Callback) -> None:
        """Deprecated: call what :meth:`subscribe` returned. Unknown callbacks are ignored."""
        deprecated("remove_callback()", "subscribe(on_...=callback), which returns what stops it")
        self.callbacks.remove(callback)

    # -- deprecated: the hub's listener lists ----------------------------------------

    @property
    def status_listeners(self) -> Observers[[Any, str]]:
        """Deprecated: ``subscribe(on_status=...)``."""
        return self.callbacks.status

    @property
    def message_listeners(self) -> Observers[[Message]]:
        """Deprecated: ``subscribe(on_record=...)``."""
        return self.callbacks.record

    @property
    def notice_listeners(self) -> Observers[[Notice]]:
        """Deprecated: ``subscribe(on_notice=...)``."""
        return self.callbacks.notice

    @property
    def client_listeners(self) -> Observers[[Any]]:
        """Deprecated: ``subscribe(on_client=...)``."""
        return self.callbacks.client
