"""Hooks for automation: callbacks and async streams fed with received messages.

:class:`MessageHooks` is one subscriber of a :class:`~wsecho_widget.client.session.Session`
(``session.subscribe(on_messages=hooks.dispatch_many)``): it calls each registered
callback once per received message (sync callbacks at once, async ones as tasks
it keeps referenced), and feeds every open
:class:`MessageStream`. A failing callback is reported through ``report`` and never
stops the receive loop. Imports the model only: no widgets, no session.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from wsecho_widget._util.feed import Feed
from wsecho_widget.model.message import Message

__all__ = ["MessageHooks", "MessageStream", "callback_name"]

#: What a stream keeps for a slow reader before it drops the oldest messages.
DEFAULT_STREAM_SIZE = 1000


def callback_name(callback: Callable[..., Any]) -> str:
    """A short name for a callback in a one-line report."""
    name = getattr(callback, "__qualname__", None) or getattr(callback, "__name__", None)
    return str(name) if name else type(callback).__name__


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

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        report: Callable[[Callable[..., Any], BaseException], None],
    ) -> None:
        self.loop = loop
        self.report = report
        self.callbacks: list[Callable[[Message], Any]] = []
        #: Tasks of async callbacks still running: the loop only keeps weak references.
        self.tasks: set[asyncio.Future[Any]] = set()
        # A stream nobody reads any more (the loop that iterated it ended) is
        # garbage, and stops being fed.
        self._streams: weakref.WeakSet[MessageStream] = weakref.WeakSet()
        self._closed = False

    @property
    def active(self) -> bool:
        """Whether any callback or open stream wants messages."""
        return bool(self.callbacks) or any(not s.closed for s in self._streams)

    def add(self, callback: Callable[[Message], Any]) -> None:
        if not callable(callback):
            raise TypeError(f"on_message() takes a callable, not {type(callback).__name__}")
        self.callbacks.append(callback)

    def remove(self, callback: Callable[[Message], Any]) -> None:
        """Forget ``callback`` (ValueError if it was not registered)."""
        self.callbacks.remove(callback)

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
        for callback in list(self.callbacks):
            try:
                result = callback(message)
            except Exception as exc:
                self.report(callback, exc)
                continue
            if inspect.isawaitable(result):
                task = asyncio.ensure_future(result, loop=self.loop)
                self.tasks.add(task)
                task.add_done_callback(functools.partial(self._task_done, callback))

    def dispatch_many(self, messages: Sequence[Message]) -> None:
        """:meth:`dispatch` each received message of a batch (sent ones are skipped)."""
        for message in messages:
            if message.direction == "received":
                self.dispatch(message)

    def _task_done(self, callback: Callable[..., Any], task: asyncio.Future[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            self.report(callback, exc)

    def close(self) -> None:
        """End every stream and cancel the async callbacks still running."""
        self._closed = True
        for stream in list(self._streams):
            stream.close()
        self._streams = weakref.WeakSet()
        for task in list(self.tasks):
            task.cancel()
