"""Timing helpers: run widget handlers in the loop's thread, debounce, watch for silence.

Must not import ipywidgets or any wsecho_widget module: these work on any callable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

__all__ = ["Debouncer", "Throttle", "Watchdog", "in_loop"]


def in_loop(loop: asyncio.AbstractEventLoop, handler: Callable[..., object]) -> Callable[..., None]:
    """``handler`` wrapped to run in ``loop``'s thread, for ``on_click`` and ``observe``.

    JupyterLab 4 and Notebook 7 send widget messages over a kernel subshell when the
    kernel has subshells (ipykernel 7): clicks, Enter and value changes are then
    handled in the subshell's thread, not in the thread whose loop runs the socket.
    asyncio is not thread-safe, and a call from there does not even wake the loop
    (seen: echoes held until the next keepalive ping; Connect hanging). From
    another thread the call is handed to the loop; in the loop's thread (or with
    no loop running) it runs at once.
    """

    def run(*args: Any) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop.is_running() and running is not loop:
            loop.call_soon_threadsafe(handler, *args)
        else:
            handler(*args)

    return run


class Debouncer:
    """Runs ``action`` once, ``delay`` seconds after it is armed; call in the loop's thread.

    :meth:`restart` waits for a pause (typing in a filter: run ``delay`` after the
    last keystroke); :meth:`start` keeps a pace (a flood of news: run at most once
    per ``delay``); an action that calls :meth:`start` again makes a periodic tick.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, delay: float, action: Callable[[], object]) -> None:
        self.loop = loop
        self.delay = delay
        self.action = action
        self._handle: asyncio.TimerHandle | None = None

    @property
    def pending(self) -> bool:
        """True while the action is due."""
        return self._handle is not None

    def start(self) -> None:
        """Arm unless armed already."""
        if self._handle is None:
            self._handle = self.loop.call_later(self.delay, self._fire)

    def restart(self) -> None:
        """Arm afresh: the action runs ``delay`` after this call."""
        self.cancel()
        self._handle = self.loop.call_later(self.delay, self._fire)

    def cancel(self) -> None:
        """Disarm (nothing happens if not armed)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _fire(self) -> None:
        self._handle = None
        self.action()


class Throttle:
    """Calling it runs ``action`` at most once per ``interval``: at once after a quiet
    spell (the leading edge), else once at the end of the interval (the trailing
    edge), so the last call is never lost. Call in the loop's thread.

    For lines of figures the page shows (counts, rates): a person reads them a few
    times a second, and each change is a widget message the page must handle.
    """

    def __init__(
        self, loop: asyncio.AbstractEventLoop, interval: float, action: Callable[[], object]
    ) -> None:
        self.loop = loop
        self.interval = interval
        self.action = action
        self._last = -1e9
        self._trailing = Debouncer(loop, interval, self._run)

    def __call__(self) -> None:
        if self._trailing.pending:
            return  # the trailing edge is due and will see this call's news
        delay = self._last + self.interval - self.loop.time()
        if delay <= 0:
            self._run()
        else:
            self._trailing.delay = delay
            self._trailing.start()

    def cancel(self) -> None:
        """Drop a trailing run that is due (nothing happens if none is)."""
        self._trailing.cancel()

    def _run(self) -> None:
        self._last = self.loop.time()
        self.action()


class Watchdog:
    """Calls ``on_silence(wait)`` unless :meth:`arm` is called again within ``wait`` seconds.

    For a peer that must show signs of life (Engine.IO's pings): each sign re-arms
    it. A timer that fires far too late (past its deadline by half the wait, or 0.1 s)
    means the loop was blocked (a long cell) and the sign may sit unread in the
    socket: it waits once more instead of calling a live peer dead.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, on_silence: Callable[[float], object]) -> None:
        self.loop = loop
        self.on_silence = on_silence
        self._handle: asyncio.TimerHandle | None = None
        self._deadline = 0.0

    @property
    def armed(self) -> bool:
        """True while a wait is running."""
        return self._handle is not None

    def arm(self, wait: float) -> None:
        """(Re)start the wait: ``on_silence`` in ``wait`` seconds unless armed again."""
        self.disarm()
        self._deadline = self.loop.time() + wait
        self._handle = self.loop.call_later(wait, self._fire, wait)

    def disarm(self) -> None:
        """Stop waiting (nothing happens if not armed)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _fire(self, wait: float) -> None:
        self._handle = None
        if self.loop.time() - self._deadline > max(0.1, wait / 2):
            self.arm(wait)
        else:
            self.on_silence(wait)
