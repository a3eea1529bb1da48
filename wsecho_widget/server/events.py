"""What the server tells its users: notices, callbacks, and messages waiting to be read.

:class:`Notice` is one line the server says. :class:`Callbacks` holds the
``on_message`` / ``on_connect`` / ``on_disconnect`` callbacks, sync or async, and
reports a callback's fault as a notice instead of letting it stop the server.
The hub's inbox is :class:`wsecho_widget.net.inbox.Inbox`, shared with the client. No
sockets, no widgets; must not import the hub.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from wsecho_widget._util.tasks import keep_task

__all__ = ["EVENTS", "Callback", "CallbackMethods", "Callbacks", "Notice", "guarded"]

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
    """Callbacks by event; :meth:`fire` calls them, awaiting async ones in kept tasks.

    ``report(text, client)`` says a fault in one line (the hub's notices).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, report: Callable[[str, str | None], object]) -> None:
        self.loop = loop
        self.report = report
        #: The tasks of async callbacks still running.
        self.tasks: set[asyncio.Task[Any]] = set()
        self._by_event: dict[str, list[Callback]] = {event: [] for event in EVENTS}

    def add(self, event: str, callback: Callback) -> Callback:
        if not callable(callback):
            raise TypeError(f"on_{event}() takes a function, not {type(callback).__name__}")
        self._by_event[event].append(callback)
        return callback

    def remove(self, callback: Callback) -> None:
        for callbacks in self._by_event.values():
            while callback in callbacks:
                callbacks.remove(callback)

    def fire(self, event: str, argument: Any, client: str | None) -> None:
        """Call each ``event`` callback with ``argument``; ``client`` names whose event it is."""
        for callback in list(self._by_event[event]):
            name = getattr(callback, "__qualname__", repr(callback))

            def failed(exc: BaseException, name: str = name) -> None:
                self.report(f"on_{event} callback {name} failed: {type(exc).__name__}: {exc}", client)

            try:
                result = callback(argument)
                if inspect.isawaitable(result):
                    keep_task(self.loop, self.tasks, _awaited(result), failed)
            except Exception as exc:
                failed(exc)


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


class CallbackMethods:
    """``on_message``, ``on_connect``, ``on_disconnect``: the public face of ``self.callbacks``."""

    callbacks: Callbacks

    def on_message(self, callback: Callback) -> Callback:
        """Call ``callback(message)`` for each frame a client sends; sync or async."""
        return self.callbacks.add("message", callback)

    def on_connect(self, callback: Callback) -> Callback:
        """Call ``callback(client)`` when a client connects; sync or async."""
        return self.callbacks.add("connect", callback)

    def on_disconnect(self, callback: Callback) -> Callback:
        """Call ``callback(client)`` when a client has gone; sync or async."""
        return self.callbacks.add("disconnect", callback)

    def remove_callback(self, callback: Callback) -> None:
        """Stop calling ``callback`` (given to any ``on_...``); unknown ones are ignored."""
        self.callbacks.remove(callback)


def guarded(loop: asyncio.AbstractEventLoop, function: Callable[..., Any], *args: Any) -> None:
    """Call a listener (the panel's); a fault there goes to asyncio's handler, not up."""
    try:
        function(*args)
    except Exception as exc:
        loop.call_exception_handler(
            {"message": f"wsecho_widget listener {function!r} failed", "exception": exc}
        )
