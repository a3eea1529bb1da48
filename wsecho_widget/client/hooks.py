"""Hooks for automation: callbacks and async streams fed with received messages.

:class:`MessageHooks` is one subscriber of a :class:`~wsecho_widget.client.session.Session`
(``session.subscribe(on_messages=hooks.dispatch_many)``): it calls each registered
callback once per received message (an :class:`~wsecho_widget._util.observers.Observers`:
sync callbacks at once, async ones as kept tasks), and feeds every open
:class:`MessageStream`. A failing callback is reported through ``report`` and never
stops the receive loop. Imports ``_util`` and the model only: no widgets, no session.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from wsecho_widget._util.feed import Feed
from wsecho_widget._util.observers import Observers, Report, Unsubscribe, callback_name
from wsecho_widget.model.message import Message

__all__ = ["MessageHooks", "MessageStream", "callback_name"]

#: What a stream keeps for a slow reader before it drops the oldest messages.
DEFAULT_STREAM_SIZE = 1000


class MessageStream(Feed[Message]):
    """``async for message in stream``: the received messages from now on.

    Each stream has its own bounded queue: a reader that falls behind by more than
    ``maxsize`` messages loses the oldest ones (``dropped`` counts them) instead of
    making the kernel's memory grow. The iteration ends when the panel closes, or
    after :meth:`close`.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, maxsize: int = DEFAULT_STREAM_SIZE) -> None:
        if maxsize < 1:
            raise ValueError(f"a stream keeps at least 1 message, not {maxsize}")
        super().__init__(loop, maxsize)

    @property
    def closed(self) -> bool:
        return self._ended

    def __len__(self) -> int:
        """How many messages wait to be read."""
        return len(self._items)

    def put(self, message: Message) -> None:
        if not self._ended:
            self._push(message)

    def close(self) -> None:
        """End the iteration once the messages already queued are read."""
        self._finish()

    def __repr__(self) -> str:
        state = "closed" if self._ended else "open"
        return f"<MessageStream {state}, {len(self._items)} waiting, {self.dropped} dropped>"


class MessageHooks:
    """Callbacks and streams for received messages; ``dispatch_many`` is the subscriber.

    ``report(callback, exc)`` is told about every exception a callback raises (or
    an async callback's task ends with), so no failure is lost.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, report: Report) -> None:
        self.loop = loop
        self.report = report
        self.callbacks: Observers[[Message]] = Observers(loop, report, name="on_message()")
        # A stream nobody reads any more (the loop that iterated it ended) is
        # garbage, and stops being fed.
        self._streams: weakref.WeakSet[MessageStream] = weakref.WeakSet()
        self._closed = False

    @property
    def tasks(self) -> set[asyncio.Task[Any]]:
        """Tasks of async callbacks still running: the loop only keeps weak references."""
        return self.callbacks.tasks

    @property
    def active(self) -> bool:
        """Whether any callback or open stream wants messages."""
        return bool(self.callbacks) or any(not s.closed for s in self._streams)

    def add(self, callback: Callable[[Message], Any]) -> Unsubscribe:
        """Call ``callback`` with each received message; the :class:`Unsubscribe` stops it."""
        return self.callbacks.subscribe(callback)

    def remove(self, callback: Callable[[Message], Any]) -> None:
        """Forget ``callback`` (ValueError if it was not registered)."""
        if not self.callbacks.unsubscribe(callback):
            raise ValueError(f"{callback_name(callback)} is not an on_message callback")

    def stream(self, maxsize: int = DEFAULT_STREAM_SIZE) -> MessageStream:
        stream = MessageStream(self.loop, maxsize)
        if self._closed:
            stream.close()
        else:
            self._streams.add(stream)
        return stream

    def dispatch(self, message: Message) -> None:
        """Give ``message`` to every callback and stream; never raises."""
        for stream in list(self._streams):
            stream.put(message)
        self.callbacks(message)

    def dispatch_many(self, messages: Sequence[Message]) -> None:
        """:meth:`dispatch` each received message of a batch (sent ones are skipped)."""
        for message in messages:
            if message.direction == "received":
                self.dispatch(message)

    def close(self) -> None:
        """End every stream and cancel the async callbacks still running."""
        self._closed = True
        for stream in list(self._streams):
            stream.close()
        self._streams = weakref.WeakSet()
        for task in list(self.tasks):
            task.cancel()
