"""The session: one conversation with a server, across connects and disconnects.

It owns the connection's lifecycle, the history, the outbox of frames waiting to
go out, and waiting for replies. It knows nothing of widgets: the panel observes it
through two callbacks and forwards user actions to it.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Literal

from .connection import (
    ChannelError,
    WebSocketChannel,
    check_url,
    describe_close,
    describe_error,
    require_loop,
)
from .model import DEFAULT_HISTORY_LIMIT, History, Message
from .server import EchoServer

__all__ = ["DEFAULT_OPTIONS", "STATUSES", "Session", "Status"]

Status = Literal["connecting", "open", "closing", "closed", "error"]
STATUSES: tuple[Status, ...] = ("connecting", "open", "closing", "closed", "error")

#: What the panel passes to websockets unless told otherwise. Compression is off:
#: permessage-deflate costs CPU on every frame and gains nothing on pictures
#: (see the README's "Defaults" section for the numbers); max_size allows pictures.
DEFAULT_OPTIONS: dict[str, Any] = {"compression": None, "max_size": 16 * 2**20}

# The most frames the receive loop records before it lets other tasks (and cells)
# run: one turn of the loop stays well under a millisecond of this work.
_BATCH = 128


class Session:
    """Connect, listen, send, close; keeps a bounded history and exact totals.

    With ``url=None`` it starts an :class:`EchoServer` on 127.0.0.1 in the running
    loop and talks to that. ``options`` go to websockets' ``connect()``.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        history_limit: int = DEFAULT_HISTORY_LIMIT,
        on_status: Callable[[Status, str], None] | None = None,
        on_message: Callable[[Message], None] | None = None,
        **options: Any,
    ) -> None:
        self.loop = require_loop("wsecho_widget")
        if url is not None:
            check_url(url)
        self.url = url
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
        self._outbox: deque[str | bytes] = deque()
        self._outbox_ready = asyncio.Event()
        self._unread: deque[Message] = deque(maxlen=history_limit)
        self._waiters: list[asyncio.Future[None]] = []
        self._closed = False
        #: Resolves when the latest connect() is open; raises ChannelError if it failed.
        self.connected: asyncio.Future[None] = self.loop.create_future()

    # -- state -----------------------------------------------------------------------

    def _set_status(self, status: Status, detail: str = "") -> None:
        self.status, self.detail = status, detail
        if self._on_status is not None:
            self._on_status(status, detail)
        if status in ("closed", "error"):
            self._wake_waiters()

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
        if self._on_message is not None:
            self._on_message(message)

    def _start(self, coro: Any) -> asyncio.Task[Any]:
        task = self.loop.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if task.cancelled():
            return
        if (exc := task.exception()) is not None:
            # A bug or fault in one of our tasks: say it, never lose it.
            self._set_status("error", describe_error(exc))

    # -- connect ---------------------------------------------------------------------

    def connect(self, url: str | None = None) -> asyncio.Future[None]:
        """(Re)connect, to ``url`` or the last one; the future says when it is open.

        Awaiting it raises :class:`ChannelError` if the connection fails; not awaiting
        it is fine, the status says the same.
        """
        if self._closed:
            raise ChannelError("this panel is closed: create a new one")
        if url is not None:
            check_url(url)
            self.url, self._embedded = url, False
        self._drop_channel()
        done: asyncio.Future[None] = self.loop.create_future()
        done.add_done_callback(lambda f: f.cancelled() or f.exception())
        self.connected = done
        self._set_status("connecting", self.url or "starting the embedded echo server")
        self._start(self._run(done))
        return done

    async def _run(self, done: asyncio.Future[None]) -> None:
        try:
            url = await self._target()
            channel = self.channel = WebSocketChannel.connect(url, **self.options)
            await channel.ready_or_raise()
        except (ChannelError, OSError) as exc:
            if self.status == "closing":
                self._set_status("closed", "disconnected while connecting")
            else:
                self._set_status("error", describe_error(exc))
            if not done.done():
                error = exc if isinstance(exc, ChannelError) else ChannelError(describe_error(exc))
                done.set_exception(error)
            return
        negotiated = f" · subprotocol {channel.subprotocol}" if channel.subprotocol else ""
        self._set_status("open", f"{url}{negotiated}")
        if not done.done():
            done.set_result(None)
        self._outbox_ready.set()
        self._start(self._pump(channel))
        await self._listen(channel)

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
        # The hot path under a flood: what _record does, per batch of frames that
        # have already arrived, with the lookups done once per batch.
        clock = time.time
        try:
            async for batch in channel.stream.batches(_BATCH):
                append, unread, on_message = self.history.append, self._unread.append, self._on_message
                for data in batch:
                    message = Message("received", data, clock())
                    append(message)
                    unread(message)
                    if on_message is not None:
                        on_message(message)
                if self._waiters:
                    self._wake_waiters()
                if len(batch) == _BATCH:
                    # More are waiting: let cells and other tasks run first.
                    await asyncio.sleep(0)
        except ChannelError as exc:
            if channel is self.channel:
                self._set_status("error", str(exc))
            return
        if channel is self.channel:
            await asyncio.shield(channel.closed)
            if channel.error is not None:
                self._set_status("error", channel.error)
            elif self.status == "closing":
                self._set_status("closed", "disconnected")
            else:
                close = describe_close(channel.close_code, channel.close_reason)
                self._set_status("closed", f"closed by server: {close}")

    async def _pump(self, channel: WebSocketChannel) -> None:
        # Frames leave the outbox only once websockets has taken them, so a frame
        # is neither lost nor sent twice when the connection drops.
        while channel is self.channel and not channel.closed.done():
            while self._outbox:
                data = self._outbox[0]
                try:
                    await channel.send(data)
                except ChannelError:
                    return
                self._outbox.popleft()
                self._record(Message("sent", data, time.time()))
            self._outbox_ready.clear()
            waiter: asyncio.Future[Any] = self.loop.create_task(self._outbox_ready.wait())
            try:
                await asyncio.wait({waiter, channel.closed}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                waiter.cancel()

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
            remaining = None if deadline is None else max(0.0, deadline - self.loop.time())
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                raise TimeoutError(f"no message received within {timeout} s") from None
        return self._unread.popleft()

    def discard_unread(self) -> int:
        """Forget the messages ``receive()`` has not returned; returns how many."""
        count = len(self._unread)
        self._unread.clear()
        return count

    # -- close -----------------------------------------------------------------------

    def disconnect(self, code: int = 1000, reason: str = "") -> asyncio.Task[None]:
        """Close with a closing handshake; await the task or let it run."""
        return self._start(self._disconnect(code, reason))

    async def _disconnect(self, code: int, reason: str) -> None:
        channel = self.channel
        if channel is None or channel.closed.done():
            self._drop_channel()
            if self.status in ("connecting", "open", "closing"):
                self._set_status("closed", "disconnected")
            return
        self._set_status("closing", f"closing with {code}")
        await channel.close(code, reason)
        if self.status == "closing":
            # _listen reports the close; this covers a channel that never opened.
            await asyncio.sleep(0)
            if self.status == "closing":
                self._set_status("closed", "disconnected")

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


# Tasks that must outlive the object that started them (closing after close()).
_BACKGROUND: set[asyncio.Task[Any]] = set()


def _background(loop: asyncio.AbstractEventLoop, coro: Any) -> None:
    task = loop.create_task(coro)
    _BACKGROUND.add(task)
    task.add_done_callback(_BACKGROUND.discard)
