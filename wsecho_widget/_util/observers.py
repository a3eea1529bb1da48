"""The one way to be told of something: :class:`Observers`, subscribe returns unsubscribe.

Every callback the package takes (the session's subscribers, ``on_message``
hooks, the hub's callbacks and listeners, the protocol clients' observers) is
held by an :class:`Observers`. :meth:`Observers.subscribe` returns an
:class:`Unsubscribe`: calling it (or its ``unsubscribe()``) removes that
subscription, and twice is fine. Observers are called in the order they
subscribed; one that raises is reported and never stops the others or the
caller (a receive loop); an ``async def`` one runs as a kept task, its failure
reported the same way.

Also :func:`deprecated` (the dated warning of an old entry point) and
:func:`callback_name`. Imports asyncio only: never the model, websockets or widgets.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import warnings
from collections.abc import Callable, Iterator
from typing import Any, Generic, ParamSpec

from wsecho_widget._util.tasks import keep_task

__all__ = ["Observers", "Report", "Unsubscribe", "callback_name", "deprecated"]

P = ParamSpec("P")

#: ``report(callback, exc)``: told of every exception an observer raises.
Report = Callable[[Callable[..., Any], BaseException], None]

#: When the old ways to observe (lists of callbacks, ``remove=True``,
#: ``remove_callback()``, ``off()``) were deprecated, and when they go.
DEPRECATED_SINCE = "0.3 (2026-12-06)"
REMOVED_IN = "0.4"


def deprecated(old: str, new: str) -> None:
    """Warn once per call site that ``old`` is deprecated in favour of ``new``."""
    warnings.warn(
        f"{old} is deprecated since {DEPRECATED_SINCE} and goes in {REMOVED_IN}: use {new}",
        DeprecationWarning,
        stacklevel=3,
    )


def callback_name(callback: Callable[..., Any]) -> str:
    """A short name for a callback in a one-line report."""
    name = getattr(callback, "__qualname__", None) or getattr(callback, "__name__", None)
    return str(name) if name else type(callback).__name__


class Unsubscribe:
    """What ``subscribe()`` returns: call it, or its :meth:`unsubscribe`, to stop; twice is fine."""

    __slots__ = ("_undo",)

    def __init__(self, *undo: Callable[[], None]) -> None:
        self._undo: tuple[Callable[[], None], ...] | None = undo

    @property
    def active(self) -> bool:
        """Whether the subscription still holds."""
        return self._undo is not None

    def unsubscribe(self) -> None:
        """Stop being told; nothing happens the second time."""
        undo, self._undo = self._undo, None
        for step in undo or ():
            step()

    __call__ = unsubscribe

    def __repr__(self) -> str:
        return f"<Unsubscribe {'active' if self.active else 'done'}>"


class _Entry:
    # One subscription: the same callback subscribed twice is two entries.
    __slots__ = ("callback",)

    def __init__(self, callback: Callable[..., Any]) -> None:
        self.callback = callback


class Observers(Generic[P]):
    """Callbacks called with the same arguments, in the order they subscribed.

    ``report(callback, exc)`` is told of each failure (by default the loop's
    exception handler, as asyncio reports a failed callback). An observer that
    returns an awaitable (an ``async def``) has it run as a task kept in
    :attr:`tasks` until it ends.
    """

    def __init__(
        self, loop: asyncio.AbstractEventLoop, report: Report | None = None, *, name: str = "callback"
    ) -> None:
        self.loop = loop
        self.report = report or self._to_loop
        self.name = name
        #: The tasks of async observers still running.
        self.tasks: set[asyncio.Task[Any]] = set()
        self._entries: list[_Entry] = []

    def subscribe(self, callback: Callable[P, object]) -> Unsubscribe:
        """Call ``callback`` from now on; the returned :class:`Unsubscribe` stops it."""
        if not callable(callback):
            raise TypeError(f"{self.name} takes a callable, not {type(callback).__name__}")
        entry = _Entry(callback)
        self._entries.append(entry)
        return Unsubscribe(lambda: self._drop(entry))

    def _drop(self, entry: _Entry) -> None:
        if entry in self._entries:
            self._entries.remove(entry)

    def unsubscribe(self, callback: Callable[..., Any]) -> bool:
        """Drop every subscription of ``callback``; whether there was one (for old entry points)."""
        found = [e for e in self._entries if e.callback == callback]
        for entry in found:
            self._entries.remove(entry)
        return bool(found)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Call every observer (those subscribed when the call starts); never raises."""
        self.notify(self.report, *args, **kwargs)

    def notify(self, report: Report, /, *args: P.args, **kwargs: P.kwargs) -> None:
        """Call every observer, telling ``report`` (not :attr:`report`) of a failure.

        For a failure that must say more than the callback (which client's event it was).
        """
        for entry in tuple(self._entries):
            callback = entry.callback
            try:
                result = callback(*args, **kwargs)
            except Exception as exc:
                report(callback, exc)
                continue
            if inspect.isawaitable(result):
                # The coroutine itself, not wrapped: cancelled before it starts, it is closed.
                coro = result if inspect.iscoroutine(result) else _awaited(result)
                keep_task(self.loop, self.tasks, coro, functools.partial(report, callback))

    def __len__(self) -> int:
        return len(self._entries)

    def __bool__(self) -> bool:
        return bool(self._entries)

    def __iter__(self) -> Iterator[Callable[P, object]]:
        """The callbacks, in order (a snapshot: unsubscribing while iterating is fine)."""
        return iter([entry.callback for entry in self._entries])

    def close(self) -> None:
        """Forget every observer and cancel the async ones still running."""
        self._entries.clear()
        for task in list(self.tasks):
            task.cancel()

    # -- the old list API, deprecated ---------------------------------------------------

    def append(self, callback: Callable[P, object]) -> None:
        """Deprecated: :meth:`subscribe`. (These were plain lists.)"""
        deprecated(f"{self.name}.append()", "subscribe(), which returns the function that stops it")
        self.subscribe(callback)

    def remove(self, callback: Callable[P, object]) -> None:
        """Deprecated: call what :meth:`subscribe` returned. ValueError if not subscribed."""
        deprecated(f"{self.name}.remove()", "the function subscribe() returned")
        if not self.unsubscribe(callback):
            raise ValueError(f"{callback_name(callback)} is not subscribed")

    def _to_loop(self, callback: Callable[..., Any], exc: BaseException) -> None:
        # Not ours to fix, and the caller must go on: let asyncio report it.
        self.loop.call_exception_handler(
            {"message": f"wsecho_widget {self.name} {callback!r} failed", "exception": exc}
        )

    def __repr__(self) -> str:
        return f"<Observers {self.name}: {len(self._entries)}>"


async def _awaited(awaitable: Any) -> Any:
    return await awaitable
