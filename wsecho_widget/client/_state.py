"""Where a session stands, and the only code that changes it.

:class:`SessionState` owns the session's state: where it talks to (``url``,
``options``, the embedded echo server), where it stands (``status``, ``detail``,
``attempt``, ``channel``, ``connected``, whether a disconnect or close asked it
to stop) and the transitions between (connecting, opening, opened, lost, given
up, closing). ``Session`` is a ``SessionState`` plus what users call; the
reconnect loop (``_supervisor``) reads this state and changes it only through
these methods, so each field has one writer.

Imports the channel, the echo server and the observers: never the session, the
reconnect loop or widgets.
"""

from __future__ import annotations

import asyncio
from typing import Any

from wsecho_widget._util.tasks import keep_task, quiet_future
from wsecho_widget.client._observers import SessionObservers, Status
from wsecho_widget.client._pumps import Outbox
from wsecho_widget.client._reconnect import ReconnectDelays
from wsecho_widget.client.connection import ChannelError, WebSocketChannel, redact_url
from wsecho_widget.model.message import Message
from wsecho_widget.net.inbox import Inbox
from wsecho_widget.server.echo import EchoServer

__all__ = ["SessionState"]


class SessionState:
    """A session's state and its transitions; ``Session`` adds what users call."""

    loop: asyncio.AbstractEventLoop
    options: dict[str, Any]
    _observers: SessionObservers
    _inbox: Inbox[Message]

    def _init_state(
        self, url: str | None, reconnect: bool, reconnect_delays: ReconnectDelays | None, is_final: Any
    ) -> None:
        self.url = url
        self.reconnect = reconnect
        self.reconnect_delays = reconnect_delays
        #: ``is_final(channel)``: whether a connection that was open and ended is the end.
        self.is_final = is_final
        #: Reconnect attempts since the connection was last open (0 when open).
        self.attempt = 0
        self.status: Status = "closed"
        self.detail = ""
        self.channel: WebSocketChannel | None = None
        self.server: EchoServer | None = None
        self.tasks: set[asyncio.Task[Any]] = set()
        #: Resolves when the connection is open; raises ChannelError when the session
        #: gives up (fatal error, reconnect off, disconnect). Replaced by a pending one
        #: while reconnecting, so ``await session.connected`` waits for the way back.
        self.connected: asyncio.Future[None] = quiet_future(self.loop)
        self._outbox = Outbox()
        self._embedded = url is None  # talks to its own echo server
        self._stopping = False  # a disconnect or close: a drop from now on is not retried
        self._closed = False

    # -- what the reconnect loop reads -------------------------------------------------

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called: the session can never connect again."""
        return self._closed

    @property
    def stopping(self) -> bool:
        """Whether a disconnect or a close asked the session to stop: a drop is not retried."""
        return self._stopping

    @property
    def embedded(self) -> bool:
        """Whether the session talks to its own echo server (no URL was given)."""
        return self._embedded

    @property
    def display_url(self) -> str:
        """The URL as shown to people: userinfo and query values masked."""
        return redact_url(self.url) if self.url else ""

    @property
    def queued(self) -> int:
        """How many frames wait in the outbox for a connection."""
        return len(self._outbox)

    # -- transitions -------------------------------------------------------------------

    def _set_status(self, status: Status, detail: str = "") -> None:
        # Both change before anyone hears of either: no observer sees a new status
        # with the old detail, or the reverse.
        self.status, self.detail = status, detail
        self._observers.status(status, detail)
        if status in ("closed", "error"):
            self._inbox.wake()

    def _set_url(self, url: str) -> None:
        self.url, self._embedded = url, False

    def _connecting(self) -> asyncio.Future[None]:
        """A new connect: trying from the first attempt; the future says when it is open."""
        done = self.connected = quiet_future(self.loop)
        self._stopping = False
        self.attempt = 0
        self._set_status("connecting", self.display_url or "starting the embedded echo server")
        return done

    def _opening(self, url: str) -> WebSocketChannel:
        """Start one connection to ``url`` with the session's options; it is the current one."""
        channel = self.channel = WebSocketChannel.connect(url, **self.options)
        return channel

    def _opened(self, channel: WebSocketChannel, done: asyncio.Future[None]) -> None:
        self.attempt = 0
        negotiated = f" · subprotocol {channel.subprotocol}" if channel.subprotocol else ""
        self._set_status("open", f"{self.display_url}{negotiated}")
        if not done.done():
            done.set_result(None)

    def _trying_again(self, was_open: bool) -> tuple[int, asyncio.Future[None] | None]:
        """One more attempt: its number, and (after an open connection) the new ``connected``."""
        self.attempt += 1
        if not was_open:
            return self.attempt, None
        # Until it is back, ``connected`` waits again.
        self.connected = quiet_future(self.loop)
        return self.attempt, self.connected

    def _give_up(self, status: Status, reason: str, *, final: bool = False) -> None:
        """Say why the session stopped trying, and fail whoever waits for ``open``."""
        detail = f"{reason}; not reconnecting" if final else reason
        if self.queued:
            detail += f"; {self.queued} queued for the next connect"
        self._set_status(status, detail)
        if not self.connected.done():
            self.connected.set_exception(ChannelError(detail))

    async def _target(self) -> str:
        """The URL to open: the embedded echo server's, (re)started when it is down."""
        if not self._embedded:
            assert self.url is not None
            return self.url
        if self.server is None or not self.server.is_serving:
            # Restart on the same port when it is free, so the URL stays the same.
            port = self.server.port if self.server is not None else 0
            max_size = self.options.get("max_size")
            try:
                self.server = await EchoServer("127.0.0.1", port, max_size=max_size).start()
            except OSError:
                self.server = await EchoServer("127.0.0.1", 0, max_size=max_size).start()
        self.url = self.server.url
        return self.url

    def _drop_channel(self) -> None:
        # Forget the current connection (closing it in the background) and end the
        # tasks that served it, except the one we are called from.
        channel, self.channel = self.channel, None
        _end(self.loop, channel, "")
        current = asyncio.current_task(self.loop)
        for task in list(self.tasks):
            if task is not current:
                task.cancel()

    async def _disconnect(self, code: int, reason: str, run: asyncio.Task[None] | None) -> None:
        """Close the open connection with a closing handshake, or stop trying to open one.

        ``run`` is the reconnect loop's task: it records what arrives during the
        closing handshake, then reports how the connection ended.
        """
        self._stopping = True
        channel = self.channel
        if channel is None or not channel.is_open:
            # Connecting, or waiting for the next attempt: stop trying.
            self._drop_channel()
            if self.status in ("connecting", "open", "closing"):
                self._give_up("closed", "disconnected")
            return
        self._set_status("closing", f"closing with {code}")
        await channel.close(code, reason)
        if run is not None and not run.done():
            await asyncio.wait({run})
        if self.status == "closing":
            self._give_up("closed", "disconnected")

    def _close_state(self) -> None:
        """Closed for good: the connection, every task and the embedded server end."""
        self._closed = self._stopping = True
        channel = self.channel
        self._set_status("closed", "panel closed")
        for task in list(self.tasks):
            task.cancel()
        _end(self.loop, channel, "panel closed")
        if self.server is not None and _running(self.loop):
            _background(self.loop, self.server.stop())


# Tasks that must outlive the object that started them (closing after close()).
_BACKGROUND: set[asyncio.Task[Any]] = set()


def _background(loop: asyncio.AbstractEventLoop, coro: Any) -> None:
    keep_task(loop, _BACKGROUND, coro)


def _running(loop: asyncio.AbstractEventLoop) -> bool:
    return loop.is_running() and not loop.is_closed()


def _end(loop: asyncio.AbstractEventLoop, channel: WebSocketChannel | None, reason: str) -> None:
    # Close a channel in the background, or drop it when no loop will run again
    # (from garbage collection).
    if channel is not None and not channel.closed.done():
        if _running(loop):
            _background(loop, channel.close(1000, reason))
        else:
            channel.abort()
