"""The reconnect loop behind ``Session.connect()``: open, serve, decide, wait, again.

One :class:`Supervisor` per session; ``run()`` runs as one task per connect. It
opens a channel (starting the embedded echo server when the session has no URL),
has the session serve it until it ends, then decides: stop (the user
disconnected, the server said not to come back, reconnect is off) or wait a
backoff delay and open a new one. While it waits the status stays ``connecting``
and the detail says ``reconnecting in 2.0 s (attempt 3): <why the last one
ended>``. The loop is ours rather than websockets' ``async for ws in
connect(...)`` so that the status can name each delay before it starts, and so
that a server that accepts and then drops every connection is retried with
growing delays, not at once.

It reads and sets the session's public state only (``url``, ``options``,
``server``, ``channel``, ``attempt``, ``connected``, ``is_final``) and reaches the rest
through the two callables the session gives it. Imports the channel, the
errors and the echo server: never widgets.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING

from wsecho_widget._util.tasks import quiet_future
from wsecho_widget.client._observers import Status
from wsecho_widget.client._reconnect import delays_from, seconds
from wsecho_widget.client.connection import WebSocketChannel
from wsecho_widget.net.errors import (
    ChannelError,
    describe_close,
    describe_error,
    is_final_close,
    is_retryable,
    retry_after,
)
from wsecho_widget.server.echo import EchoServer

if TYPE_CHECKING:
    from wsecho_widget.client.session import Session

__all__ = ["STABLE_AFTER", "Supervisor"]

# How one connection ended: the status, why, the least wait before the next
# attempt, and how long it was open (None if it never opened).
_Ended = tuple[Status, str, float, float | None]

#: A connection that stayed open this long resets the backoff: one that keeps
#: dropping at once is retried with growing delays, never in a tight loop.
STABLE_AFTER = 10.0


class Supervisor:
    """Opens, serves and reopens a session's connections.

    ``set_status(status, detail)`` changes the session's status; ``serve(channel)``
    serves an open channel (sends and records) until its stream ends.
    """

    def __init__(
        self,
        session: Session,
        *,
        set_status: Callable[[Status, str], None],
        serve: Callable[[WebSocketChannel], Awaitable[None]],
        embedded: bool,
    ) -> None:
        self.session = session
        self.set_status = set_status
        self.serve = serve
        #: Whether the session talks to its own echo server (no URL was given).
        self.embedded = embedded
        #: Set by a disconnect or a close: a drop from now on is not retried.
        self.stopping = False
        #: The task that runs :meth:`run` for the latest connect.
        self.task: asyncio.Task[None] | None = None

    async def run(self, done: asyncio.Future[None]) -> None:
        """Open, serve, and after a failure or a drop decide whether to try again.

        Exactly one runs per session; ``Session.connect()`` replaces it. ``done``
        resolves when the first connection is open, and fails if it gives up first.
        """
        session = self.session
        delays: Iterator[float] | None = None
        try:
            while True:
                outcome = await self._open_and_serve(done)
                if outcome is None:
                    return
                ended, reason, wait, open_for = outcome
                if open_for is not None:
                    if open_for >= STABLE_AFTER:
                        delays = None
                    # Until it is back, ``connected`` waits again.
                    done = session.connected = quiet_future(session.loop)
                session.attempt += 1
                if delays is None:
                    delays = delays_from(session.reconnect_delays)
                next_delay = next(delays, None)
                if next_delay is None:
                    # A finite iterator of delays bounds the attempts.
                    self.give_up(ended, f"{reason}; gave up after {session.attempt - 1} reconnect attempts")
                    return
                delay = max(0.0, next_delay, wait)
                self.set_status(
                    "connecting", f"reconnecting in {seconds(delay)} (attempt {session.attempt}): {reason}"
                )
                await asyncio.sleep(delay)
                self.set_status("connecting", f"reconnecting now (attempt {session.attempt}): {reason}")
        finally:
            if not done.done():
                # Cancelled before it opened: by close(), disconnect() or a new connect().
                why = "panel closed" if session.closed else "disconnected" if self.stopping else "reconnected"
                done.set_exception(ChannelError(f"not connected: {why}"))

    async def _open_and_serve(self, done: asyncio.Future[None]) -> _Ended | None:
        # One connection, start to end; None when the supervisor gave up.
        session = self.session
        channel: WebSocketChannel | None = None
        try:
            url = await self._target()
            channel = session.channel = WebSocketChannel.connect(url, **session.options)
            await channel.ready_or_raise()
        except (ChannelError, OSError) as exc:
            failure = channel.failure if channel is not None and channel.failure else exc
            reason = describe_error(exc)
            if not (session.reconnect and is_retryable(failure)):
                self.give_up("error", reason, final=session.reconnect)
                return None
            return "error", reason, retry_after(failure), None
        opened = session.loop.time()
        self._opened(channel, done)
        await self.serve(channel)
        await asyncio.shield(channel.closed)
        ended, reason = _how_it_ended(channel)
        if self.stopping:
            self.give_up("closed", "disconnected")
            return None
        server = session.server
        decided = session.is_final(channel) if session.is_final is not None else None
        final = (is_final_close(channel.close_exc) if decided is None else decided) or (
            self.embedded and not (server is not None and server.is_serving)
        )
        if not session.reconnect or final:
            self.give_up(ended, reason, final=session.reconnect and ended == "error")
            return None
        return ended, reason, 0.0, session.loop.time() - opened

    def _opened(self, channel: WebSocketChannel, done: asyncio.Future[None]) -> None:
        session = self.session
        session.attempt = 0
        negotiated = f" · subprotocol {channel.subprotocol}" if channel.subprotocol else ""
        self.set_status("open", f"{session.display_url}{negotiated}")
        if not done.done():
            done.set_result(None)

    def give_up(self, status: Status, reason: str, *, final: bool = False) -> None:
        """Say why the session stopped trying, and fail whoever waits for ``open``."""
        session = self.session
        detail = f"{reason}; not reconnecting" if final else reason
        if session.queued:
            detail += f"; {session.queued} queued for the next connect"
        self.set_status(status, detail)
        if not session.connected.done():
            session.connected.set_exception(ChannelError(detail))

    async def disconnect(self, code: int, reason: str, drop_channel: Callable[[], None]) -> None:
        """Close the open connection with a closing handshake, or stop trying to open one."""
        session, task = self.session, self.task
        channel = session.channel
        if channel is None or not channel.is_open:
            # Connecting, or waiting for the next attempt: stop trying.
            drop_channel()
            if session.status in ("connecting", "open", "closing"):
                self.give_up("closed", "disconnected")
            return
        self.set_status("closing", f"closing with {code}")
        await channel.close(code, reason)
        if task is not None and not task.done():
            # It records what arrived during the closing handshake, then reports.
            await asyncio.wait({task})
        if session.status == "closing":
            self.give_up("closed", "disconnected")

    async def _target(self) -> str:
        session = self.session
        if not self.embedded:
            assert session.url is not None
            return session.url
        if session.server is None or not session.server.is_serving:
            # Restart on the same port when it is free, so the URL stays the same.
            port = session.server.port if session.server is not None else 0
            max_size = session.options.get("max_size")
            try:
                session.server = await EchoServer("127.0.0.1", port, max_size=max_size).start()
            except OSError:
                session.server = await EchoServer("127.0.0.1", 0, max_size=max_size).start()
        session.url = session.server.url
        return session.url


def _how_it_ended(channel: WebSocketChannel) -> tuple[Status, str]:
    if channel.error is not None:
        return "error", channel.error
    close = describe_close(channel.close_code, channel.close_reason)
    return "closed", f"closed by server: {close}"
