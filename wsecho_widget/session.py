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
import enum
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Literal

from ._reconnect import ReconnectDelays, default_reconnect_delays, delays_from, seconds
from ._tasks import keep_task, require_loop, run_nested
from .connection import (
    ChannelError,
    WebSocketChannel,
    check_url,
    describe_close,
    describe_error,
    is_final_close,
    is_retryable,
    redact_url,
    retry_after,
)
from .model import DEFAULT_HISTORY_LIMIT, History, Message
from .options import DEFAULT_OPTIONS, check_compression, check_headers, check_subprotocols
from .server import EchoServer

__all__ = [
    "DEFAULT_OPTIONS",
    "KEEP",
    "STATUSES",
    "Session",
    "Status",
    "default_reconnect_delays",
]

Status = Literal["connecting", "open", "closing", "closed", "error"]
STATUSES: tuple[Status, ...] = ("connecting", "open", "closing", "closed", "error")

OnMessages = Callable[[Sequence[Message]], None]
OnStatus = Callable[[Status, str], None]

#: A connection that stayed open this long resets the backoff: one that keeps
#: dropping at once is retried with growing delays, never in a tight loop.
STABLE_AFTER = 10.0

# The most frames the receive loop records before it lets other tasks (and cells)
# run: one turn of the loop stays well under a millisecond of this work.
_BATCH = 128


class _Keep(enum.Enum):
    KEEP = "keep"


#: ``configure(compression=KEEP)``: leave the setting as it is.
KEEP = _Keep.KEEP


class Session:
    """Connect, listen, send, close; keeps a bounded history and exact totals.

    With ``url=None`` it starts an :class:`EchoServer` on 127.0.0.1 in the running
    loop and talks to that. ``options`` go to websockets' ``connect()``, checked
    as :meth:`configure` checks them.

    ``reconnect`` (on by default): when the connection fails or drops, try again
    after ``reconnect_delays`` — a sequence of seconds (the last one repeats) or a
    callable that returns an iterator of them, like websockets' own option (a
    finite iterator bounds the number of attempts); the default is
    :func:`default_reconnect_delays`. Frames sent meanwhile wait in the outbox and
    go out in order, once, when the connection is back.

    Observers use :meth:`subscribe`. The constructor's ``on_status``,
    ``on_messages`` and ``on_message`` are shorthands for it.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        history_limit: int = DEFAULT_HISTORY_LIMIT,
        on_status: OnStatus | None = None,
        on_message: Callable[[Message], None] | None = None,
        on_messages: OnMessages | None = None,
        reconnect: bool = True,
        reconnect_delays: ReconnectDelays | None = None,
        **options: Any,
    ) -> None:
        self.loop = require_loop("wsecho_widget")
        if url is not None:
            check_url(url)
        if reconnect_delays is not None and not callable(reconnect_delays):
            delays_from(reconnect_delays)  # check it now, not at the first drop
        self.url = url
        self.reconnect = reconnect
        self.reconnect_delays = reconnect_delays
        #: Reconnect attempts since the connection was last open (0 when open).
        self.attempt = 0
        self.options: dict[str, Any] = dict(DEFAULT_OPTIONS)
        self.configure(**options)
        self.history = History(history_limit)
        self.status: Status = "closed"
        self.detail = ""
        self.channel: WebSocketChannel | None = None
        self.server: EchoServer | None = None
        self.tasks: set[asyncio.Task[Any]] = set()
        self._embedded = url is None
        self._on_messages: list[OnMessages] = []
        self._on_status: list[OnStatus] = []
        self._outbox: deque[str | bytes] = deque()
        self._outbox_ready = asyncio.Event()
        self._unread: deque[Message] = deque(maxlen=history_limit)
        # Futures of receive() calls waiting for a message, oldest first (a dict
        # keeps the order and removes in O(1)).
        self._waiters: dict[asyncio.Future[None], None] = {}
        self._closed = False
        self._stopping = False
        self._supervisor: asyncio.Task[None] | None = None
        #: Deprecated: use :meth:`subscribe`. Each callable here is called with each
        #: received message, after the subscribers (the panel's hooks use it).
        self.listeners: list[Callable[[Message], None]] = []
        if on_status is not None or on_messages is not None:
            self.subscribe(on_messages=on_messages, on_status=on_status)
        if on_message is not None:

            def each(messages: Sequence[Message]) -> None:
                for message in messages:
                    on_message(message)

            self.subscribe(on_messages=each)
        self.subscribe(on_messages=self._notify_listeners)
        #: Resolves when the connection is open; raises ChannelError when the session
        #: gives up (fatal error, reconnect off, disconnect). Replaced by a pending one
        #: while reconnecting, so ``await session.connected`` waits for the way back.
        self.connected: asyncio.Future[None] = self._new_future()

    # -- state -----------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called: the session can never connect again."""
        return self._closed

    @property
    def display_url(self) -> str:
        """The URL as shown to people: userinfo and query values masked."""
        return redact_url(self.url) if self.url else ""

    @property
    def queued(self) -> int:
        """How many frames wait in the outbox for a connection."""
        return len(self._outbox)

    @property
    def unread(self) -> int:
        """How many received messages :meth:`receive` has not returned yet (bounded like the history)."""
        return len(self._unread)

    def _set_status(self, status: Status, detail: str = "") -> None:
        # Both change before anyone hears of either: no observer sees a new status
        # with the old detail, or the reverse.
        self.status, self.detail = status, detail
        for on_status in tuple(self._on_status):
            self._call(on_status, status, detail)
        if status in ("closed", "error"):
            self._wake_waiters()

    # -- observers -------------------------------------------------------------------

    def subscribe(
        self, *, on_messages: OnMessages | None = None, on_status: OnStatus | None = None
    ) -> Callable[[], None]:
        """Be told of messages and status changes; returns the function that stops it.

        ``on_messages(messages)`` is called with each batch of received messages
        (frames that arrived together, oldest first) and with each sent message
        alone, after the history holds them: one call per batch keeps a flood cheap.
        ``on_status(status, detail)`` is called once per change, with both already
        set on the session. Subscribers are called in the order they subscribed.
        One that raises is reported to the loop's exception handler and never stops
        the receive loop or the others.
        """
        if on_messages is not None and not callable(on_messages):
            raise TypeError(f"on_messages takes a callable, not {type(on_messages).__name__}")
        if on_status is not None and not callable(on_status):
            raise TypeError(f"on_status takes a callable, not {type(on_status).__name__}")
        if on_messages is not None:
            self._on_messages.append(on_messages)
        if on_status is not None:
            self._on_status.append(on_status)

        def unsubscribe() -> None:
            for subscribers, callback in ((self._on_messages, on_messages), (self._on_status, on_status)):
                if callback is not None and callback in subscribers:
                    subscribers.remove(callback)  # type: ignore[arg-type]

        return unsubscribe

    def _call(self, callback: Callable[..., None], *args: Any) -> None:
        try:
            callback(*args)
        except Exception as exc:
            # Not ours to fix, and the receive loop must go on: let asyncio report it.
            self.loop.call_exception_handler(
                {"message": f"wsecho_widget subscriber {callback!r} failed", "exception": exc}
            )

    def _record(self, messages: Sequence[Message]) -> None:
        # The one record path, for a batch that arrived together or one sent
        # message (a batch has one direction): the history, then what receive()
        # reads, then every subscriber.
        self.history.extend(messages)
        if messages[0].direction == "received":
            self._unread.extend(messages)
            if self._waiters:
                self._wake_waiters()
        for on_messages in tuple(self._on_messages):
            self._call(on_messages, messages)

    def _notify_listeners(self, messages: Sequence[Message]) -> None:
        if not self.listeners or messages[0].direction != "received":
            return
        for message in messages:
            for listener in tuple(self.listeners):
                self._call(listener, message)

    # -- options ---------------------------------------------------------------------

    def configure(
        self,
        *,
        url: str | None = None,
        subprotocols: str | Iterable[str] | None = None,
        headers: Any = None,
        compression: str | _Keep | None = KEEP,
        **options: Any,
    ) -> None:
        """Check and set what the next :meth:`connect` uses; changes nothing on a bad value.

        ``url``: a ws:// or wss:// URL (None keeps the current one). ``subprotocols``:
        tokens to offer, in order of preference, or a comma-separated string (``[]``
        offers none; None keeps them). ``headers``: extra handshake headers, a
        mapping or (name, value) pairs (``[]`` sends none; None keeps them); names
        must be RFC 9110 tokens, values free of CR, LF and NUL. ``compression``:
        ``"deflate"`` or None. Other ``options`` go to websockets' ``connect()`` as
        they are (``additional_headers`` is the same as ``headers``).

        Raises ValueError with one line naming the bad value. Takes effect on the
        next :meth:`connect`, which reconnects if the session is connected.
        """
        if "additional_headers" in options:
            if headers is not None:
                raise ValueError("give headers or additional_headers, not both")
            headers = options.pop("additional_headers")
        changes: dict[str, Any] = dict(options)
        if url is not None:
            try:
                check_url(url)
            except ChannelError as exc:
                raise ValueError(str(exc)) from None
        if subprotocols is not None:
            changes["subprotocols"] = check_subprotocols(subprotocols) or None
        if headers is not None:
            changes["additional_headers"] = check_headers(headers) or None
        if compression is not KEEP:
            changes["compression"] = check_compression(compression)
        # Every check passed: apply them all.
        if url is not None:
            self.url, self._embedded = url, False
        for key, value in changes.items():
            if value is None and key in ("subprotocols", "additional_headers"):
                self.options.pop(key, None)
            else:
                self.options[key] = value

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
                    delays = delays_from(self.reconnect_delays)
                next_delay = next(delays, None)
                if next_delay is None:
                    # A finite iterator of delays bounds the attempts.
                    self._give_up(ended, f"{reason}; gave up after {self.attempt - 1} reconnect attempts")
                    return
                delay = max(0.0, next_delay, wait)
                self._set_status(
                    "connecting", f"reconnecting in {seconds(delay)} (attempt {self.attempt}): {reason}"
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
        # The hot path under a flood: a batch of frames that have already arrived
        # at a time. Frames taken together share one timestamp: when the session
        # took them.
        clock = time.time
        try:
            async for batch in channel.stream.batches(_BATCH):
                now = clock()
                self._record([Message("received", data, now) for data in batch])
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
                self._record((Message("sent", data, time.time()),))
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
        waiters, self._waiters = self._waiters, {}
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def receive(self, timeout: float | None = 5.0) -> Message:
        """The oldest received message not yet returned by ``receive()``.

        Like websockets' ``recv()``: messages that arrived before the call count.
        Raises TimeoutError after ``timeout`` seconds, ChannelError when the
        connection is closed and nothing is left to read. However the wait ends
        (a message, a timeout, a cancel), it leaves nothing waiting behind: a
        message is taken only by a call that returns it.
        """
        deadline = None if timeout is None else self.loop.time() + timeout
        while not self._unread:
            if self.status in ("closed", "error"):
                raise ChannelError(f"nothing to receive: {self.status} ({self.detail})")
            waiter = self.loop.create_future()
            self._waiters[waiter] = None
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
                self._waiters.pop(waiter, None)
        return self._unread.popleft()

    def wait_for_reply(self, timeout: float | None = 5.0) -> Message:
        """:meth:`receive`, blocking: for code that cannot ``await``.

        In a running loop (a notebook) this re-enters the loop with nest-asyncio2.
        The kernel's Interrupt (or Ctrl-C) raises KeyboardInterrupt here and leaves
        nothing behind: the next :meth:`receive` gets the next message.
        """
        return run_nested(self.loop, self.receive(timeout), undo=self._unread.appendleft)

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
