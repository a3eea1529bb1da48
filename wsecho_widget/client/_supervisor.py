"""The reconnect loop behind ``Session.connect()``: open, serve, decide, wait, again.

:class:`Supervisor` runs as one task per connect. It opens a channel (the
session starts its embedded echo server when it has no URL), has the session
serve it until it ends, then decides: stop (the user disconnected, the server
said not to come back, reconnect is off) or wait a backoff delay and open a new
one. While it waits the status stays ``connecting`` and the detail says
``reconnecting in 2.0 s (attempt 3): <why the last one ended>``. The loop is ours
rather than websockets' ``async for ws in connect(...)`` so that the status can
name each delay before it starts, and so that a server that accepts and then
drops every connection is retried with growing delays, not at once.

It drives a :class:`~wsecho_widget.client._state.SessionState`: it reads that
state and changes it only through the state's transitions; it keeps nothing of
the session's itself. Imports the state, the channel and the errors: never the
session or widgets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator

from wsecho_widget.client._observers import Status
from wsecho_widget.client._reconnect import delays_from, seconds
from wsecho_widget.client._state import SessionState
from wsecho_widget.client.connection import WebSocketChannel
from wsecho_widget.net.errors import (
    ChannelError,
    describe_close,
    describe_error,
    is_final_close,
    is_retryable,
    retry_after,
)

__all__ = ["STABLE_AFTER", "Supervisor"]

# How one connection ended: the status, why, the least wait before the next
# attempt, and how long it was open (None if it never opened).
_Ended = tuple[Status, str, float, float | None]

#: A connection that stayed open this long resets the backoff: one that keeps
#: dropping at once is retried with growing delays, never in a tight loop.
STABLE_AFTER = 10.0


class Supervisor:
    """Opens, serves and reopens the connections of ``state``.

    ``serve(channel)`` serves an open channel (sends and records) until its stream ends.
    """

    def __init__(self, state: SessionState, serve: Callable[[WebSocketChannel], Awaitable[None]]) -> None:
        self.state = state
        self.serve = serve

    async def run(self, done: asyncio.Future[None]) -> None:
        """Open, serve, and after a failure or a drop decide whether to try again.

        Exactly one runs per session; ``Session.connect()`` replaces it. ``done``
        resolves when the first connection is open, and fails if it gives up first.
        """
        state = self.state
        delays: Iterator[float] | None = None
        try:
            while (outcome := await self._open_and_serve(done)) is not None:
                ended, reason, wait, open_for = outcome
                if open_for is not None and open_for >= STABLE_AFTER:
                    delays = None
                attempt, again = state._trying_again(was_open=open_for is not None)
                done = again or done
                if delays is None:
                    delays = delays_from(state.reconnect_delays)
                next_delay = next(delays, None)
                if next_delay is None:
                    # A finite iterator of delays bounds the attempts.
                    state._give_up(ended, f"{reason}; gave up after {attempt - 1} reconnect attempts")
                    return
                delay = max(0.0, next_delay, wait)
                state._set_status(
                    "connecting", f"reconnecting in {seconds(delay)} (attempt {attempt}): {reason}"
                )
                await asyncio.sleep(delay)
                state._set_status("connecting", f"reconnecting now (attempt {attempt}): {reason}")
        finally:
            if not done.done():
                # Cancelled before it opened: by close(), disconnect() or a new connect().
                why = "panel closed" if state.closed else "disconnected" if state.stopping else "reconnected"
                done.set_exception(ChannelError(f"not connected: {why}"))

    async def _open_and_serve(self, done: asyncio.Future[None]) -> _Ended | None:
        # One connection, start to end; None when the supervisor gave up.
        state = self.state
        channel: WebSocketChannel | None = None
        try:
            channel = state._opening(await state._target())
            await channel.ready_or_raise()
        except (ChannelError, OSError) as exc:
            failure = channel.failure if channel is not None and channel.failure else exc
            reason = describe_error(exc)
            if not (state.reconnect and is_retryable(failure)):
                state._give_up("error", reason, final=state.reconnect)
                return None
            return "error", reason, retry_after(failure), None
        opened = state.loop.time()
        state._opened(channel, done)
        await self.serve(channel)
        await asyncio.shield(channel.closed)
        ended, reason = _how_it_ended(channel)
        if state.stopping:
            state._give_up("closed", "disconnected")
            return None
        if not state.reconnect or self._final(channel):
            state._give_up(ended, reason, final=state.reconnect and ended == "error")
            return None
        return ended, reason, 0.0, state.loop.time() - opened

    def _final(self, channel: WebSocketChannel) -> bool:
        # The session's policy first, then the close code; an embedded echo server
        # that is gone (stopped by code) is not waited for.
        state, server = self.state, self.state.server
        decided = state.is_final(channel) if state.is_final is not None else None
        final = is_final_close(channel.close_exc) if decided is None else decided
        return bool(final) or (state.embedded and not (server is not None and server.is_serving))


def _how_it_ended(channel: WebSocketChannel) -> tuple[Status, str]:
    if channel.error is not None:
        return "error", channel.error
    close = describe_close(channel.close_code, channel.close_reason)
    return "closed", f"closed by server: {close}"
