"""The session: one conversation with a server, across connects and disconnects.

It owns the connection's lifecycle, the history, the outbox of frames waiting to
go out, and waiting for replies. It knows nothing of widgets: the panel observes it
through two callbacks and forwards user actions to it.

Reconnecting: one supervisor task per :meth:`Session.connect` opens a channel,
serves it until it ends, then decides: stop (the user disconnected, the server said
not to come back, reconnect is off) or wait a backoff delay and open a new one.
While it waits the status stays ``connecting`` and the detail says
``reconnecting in 2.0 s (attempt 3): <why the last one ended>``. The loop is ours
rather than websockets' ``async for ws in connect(...)`` so that the status can
name each delay before it starts, and so that a server that accepts and then drops
every connection is retried with growing delays, not at once.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

from websockets.client import backoff

from ._tasks import keep_task
from .connection import (
    ChannelError,
    WebSocketChannel,
    check_url,
    describe_close,
    describe_error,
    is_final_close,
    is_retryable,
    redact_url,
    require_loop,
    retry_after,
)
from .model import DEFAULT_HISTORY_LIMIT, History, Message
from .server import EchoServer

__all__ = ["DEFAULT_OPTIONS", "STATUSES", "Session", "Status", "default_reconnect_delays"]

Status = Literal["connecting", "open", "closing", "closed", "error"]
STATUSES: tuple[Status, ...] = ("connecting", "open", "closing", "closed", "error")

#: What the panel passes to websockets unless told otherwise. Compression is off:
#: permessage-deflate costs CPU on every frame and gains nothing on pictures
#: (see the README's "Defaults and why" for the numbers); max_size allows pictures.
#: Keepalive pings every 10 s with a 10 s timeout (websockets' defaults are 20/20):
#: a dead server shows within 20 s rather than 40, for one small frame per 10 s.
DEFAULT_OPTIONS: dict[str, Any] = {
    "compression": None,
    "max_size": 16 * 2**20,
    "ping_interval": 10.0,
    "ping_timeout": 10.0,
}

#: A connection that stayed open this long resets the backoff: one that keeps
#: dropping at once is retried with growing delays, never in a tight loop.
STABLE_AFTER = 10.0

ReconnectDelays = Callable[[], Iterator[float]] | Sequence[float]


def default_reconnect_delays() -> Iterator[float]:
    """The delays between reconnect attempts: websockets' ``backoff()``, for a notebook.

    First a random 0 to 1 s (RFC 6455 §7.2.3: clients that lost the same server
    must not all come back at once), then 1 s growing by 1.618 up to a 30 s cap
    (websockets' own defaults are 0 to 5 s, 3.1 s and 90 s: long for someone
    watching). Each later delay is also shortened by a random 0 to 20 % so that
    clients stay spread out.
    """
    for i, delay in enumerate(backoff(initial_delay=1.0, min_delay=1.0, max_delay=30.0)):
        yield delay if i == 0 else delay * random.uniform(0.8, 1.0)


def _delays_from(setting: ReconnectDelays | None) -> Iterator[float]:
    if setting is None:
        return default_reconnect_delays()
    if callable(setting):
        return iter(setting())
    values = [float(v) for v in setting]
    if not values:
        raise ValueError("reconnect_delays needs at least one delay")

    def repeat_last() -> Iterator[float]:
        yield from values
        while True:
            yield values[-1]

    return repeat_last()


def _seconds(delay: float) -> str:
    return f"{delay:.1f} s" if delay >= 0.1 else f"{delay * 1000:.0f} ms"


# The most frames the receive loop records before it lets other tasks (and cells)
# run: one turn of the loop stays well under a millisecond of this work.
_BATCH = 128


class Session:
    """Connect, listen, send, close; keeps a bounded history and exact totals.

    With ``url=None`` it starts an :class:`EchoServer` on 127.0.0.1 in the running
    loop and talks to that. ``options`` go to websockets' ``connect()``.

    ``reconnect`` (on by default): when the connection fails or drops, try again
    after ``reconnect_delays`` — a sequence of seconds (the last one repeats) or a
    callable that returns an iterator of them, like websockets' own option (a
    finite iterator bounds the number of attempts); the default is
    :func:`default_reconnect_delays`. Frames sent meanwhile wait in the outbox and
    go out in order, once, when the connection is back.

    ``on_message(message)`` is called for every message sent or received; or, if
    given instead, ``on_messages(messages)`` with each batch of received messages
    (and each sent one alone): one call per batch keeps a flood cheap.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        history_limit: int = DEFAULT_HISTORY_LIMIT,
        on_status: Callable[[Status, str], None] | None = None,
        on_message: Callable[[Message], None] | None = None,
        on_messages: Callable[[Sequence[Message]], None] | None = None,
        reconnect: bool = True,
        reconnect_delays: ReconnectDelays | None = None,
        **options: Any,
    ) -> None:
        self.loop = require_loop("wsecho_widget")
        if url is not None:
            check_url(url)
        if reconnect_delays is not None and not callable(reconnect_delays):
            _delays_from(reconnect_delays)  # check it now, not at the first drop
        self.url = url
        self.reconnect = reconnect
        self.reconnect_delays = reconnect_delays
        #: Reconnect attempts since the connection was last open (0 when open).
        self.attempt = 0
        self.options: dict[str, Any] = {**DEFAULT_OPTIONS, **options}
        self.history = History(history_limit)
        self.status: Status = "closed"
        self.detail = ""
        self.channel: WebSocketChannel | None = None
        self.server: EchoServer | None = None
        self.tasks: set[asyncio.Task[Any]] = set()
        self._embedded = url is None
        self._on_status = on_status
        self._on_message = on_message
        self._on_messages = on_messages
        self._outbox: deque[str | bytes] = deque()
        self._outbox_ready = asyncio.Event()
        self._unread: deque[Message] = deque(maxlen=history_limit)
        self._waiters: list[asyncio.Future[None]] = []
        self._closed = False
        self._stopping = False
        self._supervisor: asyncio.Task[None] | None = None
        #: Called with each received message after ``on_message`` (hooks for
        #: automation). A listener that raises is reported, never stops the receive loop.
        self.listeners: list[Callable[[Message], None]] = []
        #: Resolves when the connection is open; raises ChannelError when the session
        #: gives up (fatal error, reconnect off, disconnect). Replaced by a pending one
        #: while reconnecting, so ``await session.connected`` waits for the way back.
        self.connected: asyncio.Future[None] = self._new_future()

    # -- state -----------------------------------------------------------------------

    def _set_status(self, status: Status, detail: str = "") -> None:
        self.status, self.detail = status, detail
        if self._on_status is not None:
            self._on_status(status, detail)
        if status in ("closed", "error"):
            self._wake_waiters()

    @property
    def display_url(self) -> str:
        """The URL as shown to people: userinfo and query values masked."""
        return redact_url(self.url) if self.url else ""

    @property
    def queued(self) -> int:
        """How many frames wait in the outbox for a connection."""
        return len(self._outbox)

    def _record(self, message: Message) -> None:
        self.history.append(message)
        if message.direction == "received":
            self._unread.append(message)
            if self._waiters:
                self._wake_waiters()
        if self._on_messages is not None:
            self._on_messages((message,))
        elif self._on_message is not None:
            self._on_message(message)
        if self.listeners and message.direction == "received":
            self._notify_listeners(message)

    def _notify_listeners(self, message: Message) -> None:
        for listener in list(self.listeners):
            try:
                listener(message)
            except Exception as exc:
                # Not ours to fix, and the receive loop must go on: let asyncio report it.
                self.loop.call_exception_handler(
                    {"message": f"wsecho_widget listener {listener!r} failed", "exception": exc}
                )

    def _start(self, coro: Any) -> asyncio.Task[Any]:
        return keep_task(self.loop, self.tasks, coro, self._task_failed)

    def _task_failed(self, exc: BaseException) -> None:
        # A bug or fault in one of our tasks: say it, never lose it.
        self._set_status("error", describe_error(exc))

    # -- connect ---------------------------------------------------------------------

    def _new_future(self) -> asyncio.Future[None]:
        future: asyncio.Future[None] = self.loop.create_future()
        # Nobody has to await it: the status says the same.
        future.add_done_callback(lambda f: f.cancelled() or f.exception())
        return future

    def connect(self, url: str | None = None) -> asyncio.Future[None]:
        """(Re)connect, to ``url`` or the last one; the future says when it is open.

        Awaiting it raises :class:`ChannelError` if the session gives up (a fatal
        error, or any error with ``reconnect=False``); not awaiting it is fine, the
        status says the same. With ``reconnect`` on, a server that is down is tried
        again with backoff, so the future waits until it comes up.
        """
        if self._closed:
            raise ChannelError("this panel is closed: create a new one")
        if url is not None:
            check_url(url)
            self.url, self._embedded = url, False
        self._drop_channel()
        done = self.connected = self._new_future()
        self._stopping = False
        self.attempt = 0
        self._set_status("connecting", self.display_url or "starting the embedded echo server")
        self._supervisor = self._start(self._run(done))
        return done

    async def _run(self, done: asyncio.Future[None]) -> None:
        # The supervisor: open, serve, and after a failure or a drop decide whether
        # to try again. Exactly one runs per session; connect() replaces it.
        delays: Iterator[float] | None = None
        try:
            while True:
                wait = 0.0
                channel: WebSocketChannel | None = None
                try:
                    url = await self._target()
                    channel = self.channel = WebSocketChannel.connect(url, **self.options)
                    await channel.ready_or_raise()
                except (ChannelError, OSError) as exc:
                    failure = channel.failure if channel is not None and channel.failure else exc
                    reason = describe_error(exc)
                    if not (self.reconnect and is_retryable(failure)):
                        self._give_up("error", reason, final=self.reconnect)
                        return
                    wait = retry_after(failure)
                    ended: Status = "error"
                else:
                    opened = self.loop.time()
                    self._opened(channel, done)
                    await self._listen(channel)
                    await asyncio.shield(channel.closed)
                    ended, reason = self._how_it_ended(channel)
                    if self._stopping:
                        self._give_up("closed", "disconnected")
                        return
                    final = is_final_close(channel.close_exc) or (
                        self._embedded and not (self.server is not None and self.server.is_serving)
                    )
                    if not self.reconnect or final:
                        self._give_up(ended, reason, final=self.reconnect and ended == "error")
                        return
                    if self.loop.time() - opened >= STABLE_AFTER:
                        delays = None
                    # Until it is back, ``connected`` waits again.
                    done = self.connected = self._new_future()
                self.attempt += 1
                if delays is None:
                    delays = _delays_from(self.reconnect_delays)
                next_delay = next(delays, None)
                if next_delay is None:
                    # A finite iterator of delays bounds the attempts.
                    self._give_up(ended, f"{reason}; gave up after {self.attempt - 1} reconnect attempts")
                    return
                delay = max(0.0, next_delay, wait)
                self._set_status(
                    "connecting", f"reconnecting in {_seconds(delay)} (attempt {self.attempt}): {reason}"
                )
                await asyncio.sleep(delay)
                self._set_status("connecting", f"reconnecting now (attempt {self.attempt}): {reason}")
        finally:
            if not done.done():
                # Cancelled before it opened: by close(), disconnect() or a new connect().
                why = "panel closed" if self._closed else "disconnected" if self._stopping else "reconnected"
                done.set_exception(ChannelError(f"not connected: {why}"))

    def _opened(self, channel: WebSocketChannel, done: asyncio.Future[None]) -> None:
        self.attempt = 0
        negotiated = f" · subprotocol {channel.subprotocol}" if channel.subprotocol else ""
        self._set_status("open", f"{self.display_url}{negotiated}")
        if not done.done():
            done.set_result(None)
        self._outbox_ready.set()
        self._start(self._pump(channel))

    def _how_it_ended(self, channel: WebSocketChannel) -> tuple[Status, str]:
        if channel.error is not None:
            return "error", channel.error
        close = describe_close(channel.close_code, channel.close_reason)
        return "closed", f"closed by server: {close}"

    def _give_up(self, status: Status, reason: str, *, final: bool = False) -> None:
        # The supervisor ends here: say why, and fail whoever waits for "open".
        detail = f"{reason}; not reconnecting" if final else reason
        if self._outbox:
            detail += f"; {len(self._outbox)} queued for the next connect"
        self._set_status(status, detail)
        if not self.connected.done():
            self.connected.set_exception(ChannelError(detail))

    async def _target(self) -> str:
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

    async def _listen(self, channel: WebSocketChannel) -> None:
        # Records what arrives until the stream ends; the supervisor reports how.
        # The hot path under a flood: what _record does (keep the two in step), a
        # batch of frames that have already arrived at a time. Frames taken together
        # share one timestamp: when the session took them.
        clock = time.time
        try:
            async for batch in channel.stream.batches(_BATCH):
                now = clock()
                messages = [Message("received", data, now) for data in batch]
                self.history.extend(messages)
                self._unread.extend(messages)
                if self._waiters:
                    self._wake_waiters()
                if self._on_messages is not None:
                    self._on_messages(messages)
                elif self._on_message is not None:
                    for message in messages:
                        self._on_message(message)
                if self.listeners:
                    for message in messages:
                        self._notify_listeners(message)
                if len(batch) == _BATCH:
                    # More are waiting: let cells and other tasks run first.
                    await asyncio.sleep(0)
        except ChannelError:
            return

    async def _pump(self, channel: WebSocketChannel) -> None:
        # A frame leaves the outbox when websockets writes it to the socket, and not
        # before: one that waits while the connection is down goes out on the next
        # one, in order, and one that was handed over is never sent again. (A frame
        # handed over just as the network dies may be lost in flight, as with any
        # TCP client; only an application-level ack can tell.)
        # The pump sleeps on one event that send() sets, and so does the channel's
        # end: no helper task and no asyncio.wait per frame (two loop turns fewer
        # per round trip, ~10 % of one in a kernel).
        ready = self._outbox_ready
        channel.closed.add_done_callback(lambda _: ready.set())
        while channel is self.channel and not channel.closed.done():
            while self._outbox and channel.writable:
                data = self._outbox.popleft()
                self._record(Message("sent", data, time.time()))
                try:
                    await channel.send(data)
                except ChannelError:
                    return
            ready.clear()
            await ready.wait()

    # -- send ------------------------------------------------------------------------

    def send(self, data: str | bytes | bytearray | memoryview) -> None:
        """Send a frame: ``str`` as text, ``bytes`` as binary.

        While connecting, frames wait in the outbox and go out in order once open.
        While closed, nothing can go out: raises :class:`ChannelError` (nothing is
        queued behind the user's back).
        """
        if not isinstance(data, (str, bytes, bytearray, memoryview)):
            kind = type(data).__name__
            raise TypeError(f"send() takes str (text frame) or bytes (binary frame), not {kind}")
        if self.status not in ("open", "connecting"):
            reason = f" ({self.detail})" if self.detail else ""
            raise ChannelError(f"not sent: not connected{reason}; connect first")
        self._outbox.append(data if isinstance(data, str) else bytes(data))
        self._outbox_ready.set()

    # -- receive ---------------------------------------------------------------------

    def _wake_waiters(self) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def receive(self, timeout: float | None = 5.0) -> Message:
        """The oldest received message not yet returned by ``receive()``.

        Like websockets' ``recv()``: messages that arrived before the call count.
        Raises TimeoutError after ``timeout`` seconds, ChannelError when the
        connection is closed and nothing is left to read.
        """
        deadline = None if timeout is None else self.loop.time() + timeout
        while not self._unread:
            if self.status in ("closed", "error"):
                raise ChannelError(f"nothing to receive: {self.status} ({self.detail})")
            waiter = self.loop.create_future()
            self._waiters.append(waiter)
            # A timer on the waiter itself, not asyncio.wait_for: that costs two more
            # turns of the loop per message, 15 % of a round trip in a kernel.
            timer = None
            if deadline is not None:
                remaining = max(0.0, deadline - self.loop.time())
                timer = self.loop.call_later(remaining, _expire, waiter, timeout)
            try:
                await waiter
            finally:
                if timer is not None:
                    timer.cancel()
        return self._unread.popleft()

    def discard_queued(self) -> list[str | bytes]:
        """Take back the frames still waiting in the outbox (they will not be sent)."""
        frames = list(self._outbox)
        self._outbox.clear()
        return frames

    def discard_unread(self) -> int:
        """Forget the messages ``receive()`` has not returned; returns how many."""
        count = len(self._unread)
        self._unread.clear()
        return count

    async def ping(self, timeout: float | None = 10.0) -> float:
        """Send a ping and wait for its pong; returns the round trip in seconds.

        Raises ChannelError when not connected or when the connection closes first,
        TimeoutError after ``timeout`` seconds.
        """
        channel = self.channel
        if self.status != "open" or channel is None:
            reason = f" ({self.detail})" if self.detail else ""
            raise ChannelError(f"cannot ping: not connected{reason}")
        return await channel.ping(timeout)

    # -- close -----------------------------------------------------------------------

    def disconnect(self, code: int = 1000, reason: str = "") -> asyncio.Task[None]:
        """Close with a closing handshake and stop reconnecting; await the task or let it run.

        While connecting or waiting to reconnect, it stops trying at once. Frames
        still in the outbox stay there for the next :meth:`connect`.
        """
        # Set now, so a drop that happens before the task runs is not retried.
        self._stopping = True
        return self._start(self._disconnect(code, reason))

    async def _disconnect(self, code: int, reason: str) -> None:
        channel = self.channel
        supervisor = self._supervisor
        if channel is None or not channel.is_open:
            # Connecting, or waiting for the next attempt: stop trying.
            self._drop_channel()
            if self.status in ("connecting", "open", "closing"):
                self._give_up("closed", "disconnected")
            return
        self._set_status("closing", f"closing with {code}")
        await channel.close(code, reason)
        if supervisor is not None and not supervisor.done():
            # It records what arrived during the closing handshake, then reports.
            await asyncio.wait({supervisor})
        if self.status == "closing":
            self._give_up("closed", "disconnected")

    def _drop_channel(self) -> None:
        # Forget the current connection (closing it in the background) and end the
        # tasks that served it, except the one we are called from.
        channel, self.channel = self.channel, None
        if channel is not None and not channel.closed.done():
            if self.loop.is_running():
                _background(self.loop, channel.close(1000, ""))
            else:
                channel.abort()
        current = asyncio.current_task(self.loop)
        for task in list(self.tasks):
            if task is not current:
                task.cancel()

    def close(self) -> None:
        """End everything: the connection, the embedded server, every task.

        Safe to call from garbage collection, where no loop may be running.
        """
        if self._closed:
            return
        self._closed = True
        self._stopping = True
        channel = self.channel
        running = self.loop.is_running() and not self.loop.is_closed()
        self._set_status("closed", "panel closed")
        for task in list(self.tasks):
            task.cancel()
        if channel is not None and not channel.closed.done():
            if running:
                _background(self.loop, channel.close(1000, "panel closed"))
            else:
                channel.abort()
        if self.server is not None and running:
            _background(self.loop, self.server.stop())


def _expire(waiter: asyncio.Future[None], timeout: float | None) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError(f"no message received within {timeout} s"))


# Tasks that must outlive the object that started them (closing after close()).
_BACKGROUND: set[asyncio.Task[Any]] = set()


def _background(loop: asyncio.AbstractEventLoop, coro: Any) -> None:
    keep_task(loop, _BACKGROUND, coro)
