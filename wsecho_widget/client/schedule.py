"""Scheduled sends: ``panel.send_every(seconds, payload)``.

A :class:`Schedule` is a task in the loop (kept referenced by its owner, so an
interrupted cell does not end it) that sends ``payload`` every ``seconds``: a
``str`` or ``bytes`` as it is, a dict or list as JSON, a callable evaluated at
each send. The ticks keep their pace from the start (no drift); a tick that
finds the connection down is skipped, not kept for later, so a reconnect brings
no burst of catch-up sends. ``cancel()`` ends it, and so does the owner's close.

Imports asyncio only: the sending is the owner's (a session's, a hub's).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from wsecho_widget._util.tasks import keep_task

__all__ = ["Payload", "Schedule", "describe_payload"]

Payload = str | bytes | dict[str, Any] | list[Any] | Callable[[], Any]

#: The shortest period: a schedule is for heartbeats and polls, not a flood.
MIN_SECONDS = 0.01


def describe_payload(payload: Payload) -> str:
    """A short label of what a schedule sends (for the panel's list)."""
    if callable(payload):
        name = getattr(payload, "__name__", None) or type(payload).__name__
        return f"{name}()"
    text = payload if isinstance(payload, str) else repr(payload)
    return text if len(text) <= 40 else text[:39] + "…"


def _frame(value: Any) -> str | bytes:
    if isinstance(value, (str, bytes)):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return json.dumps(value, ensure_ascii=False)


class Schedule:
    """Sends ``payload`` every ``seconds`` through ``send`` while ``can_send()`` says so.

    ``sent`` counts the frames that went out, ``skipped`` the ticks that found the
    connection down, ``errors`` the ticks whose payload or send failed (the first
    failure's text is in ``last_error``, and ``on_error`` hears each). ``done``
    resolves when it has ended.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        seconds: float,
        payload: Payload,
        *,
        send: Callable[[str | bytes], Any],
        can_send: Callable[[], bool],
        on_error: Callable[[Schedule, str], None] | None = None,
        on_end: Callable[[Schedule], None] | None = None,
    ) -> None:
        if not isinstance(seconds, (int, float)) or not seconds >= MIN_SECONDS:
            raise ValueError(f"send_every() needs a period of at least {MIN_SECONDS} s, not {seconds!r}")
        if not callable(payload):
            _frame(payload)  # a payload JSON cannot encode fails now, not at the first tick
        self.loop = loop
        self.seconds = float(seconds)
        self.payload = payload
        self.label = describe_payload(payload)
        self.sent = 0
        self.skipped = 0
        self.errors = 0
        self.last_error = ""
        self._send, self._can_send = send, can_send
        self._on_error, self._on_end = on_error, on_end
        self.done: asyncio.Future[None] = loop.create_future()
        self.task: asyncio.Task[None] | None = None

    @property
    def active(self) -> bool:
        """True until cancelled or ended."""
        return not self.done.done()

    def start(self, tasks: set[asyncio.Task[Any]]) -> asyncio.Task[None]:
        """Start sending: the task is kept in ``tasks`` (the owner's) until it ends."""
        self.task = keep_task(self.loop, tasks, self._run())
        return self.task

    def cancel(self) -> None:
        """Stop sending: nothing more goes out after this call."""
        if self.task is not None:
            self.task.cancel()
        self._ended()

    def _ended(self) -> None:
        if not self.done.done():
            self.done.set_result(None)
            if self._on_end is not None:
                self._on_end(self)

    async def _run(self) -> None:
        loop = self.loop
        due = loop.time()
        try:
            while self.active:
                self._tick()
                due += self.seconds
                now = loop.time()
                if due < now:  # the loop was blocked: skip the ticks missed, keep the phase
                    missed = int((now - due) / self.seconds) + 1
                    self.skipped += missed
                    due += missed * self.seconds
                await asyncio.sleep(due - now)
        finally:
            self._ended()

    def _tick(self) -> None:
        if not self._can_send():
            self.skipped += 1
            return
        try:
            value = self.payload() if callable(self.payload) else self.payload
            if value is not None:  # None: the callable sent what it wanted itself (an emit)
                self._send(_frame(value))
        except Exception as exc:  # the user's callable or a send refused: say it, go on
            self.errors += 1
            first = (str(exc).splitlines() or [""])[0][:200]
            self.last_error = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
            if self._on_error is not None:
                self._on_error(self, self.last_error)
            return
        self.sent += 1

    def __repr__(self) -> str:
        state = "active" if self.active else "ended"
        return f"<Schedule every {self.seconds:g} s: {self.label} · {state} · sent {self.sent}>"
