"""The connection: one WebSocket client as asyncio tasks in the running loop.

:class:`WebSocketChannel` follows Flutter's ``web_socket_channel``: ``connect()``
returns at once, ``ready`` says when the handshake is done, ``sink`` takes frames to
send and ``stream`` gives the frames that arrive. No widgets here.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import (
    ConnectionClosed,
    ConnectionClosedOK,
    InvalidHandshake,
    InvalidStatus,
    InvalidURI,
    PayloadTooBig,
)
from websockets.frames import CloseCode, Frame, Opcode
from websockets.uri import parse_uri

__all__ = [
    "ChannelError",
    "Sink",
    "Stream",
    "WebSocketChannel",
    "check_url",
    "describe_close",
    "describe_error",
    "require_loop",
]

Data = str | bytes

#: The most bytes one socket read takes (asyncio's default is 256 KiB). websockets
#: parses a whole read in one callback: 256 KiB of small frames held the kernel's
#: loop for 20-50 ms, during which no cell could run; 32 KiB bounds that to ~3 ms,
#: with no measurable cost for small or large frames (README, "Performance").
READ_SIZE = 32 * 1024

#: The most frames one batch of ``Stream.batches()`` holds.
BATCH_SIZE = 256


class ChannelError(ConnectionError):
    """A connection could not be opened, or broke. ``str()`` is one short line."""


def require_loop(what: str) -> asyncio.AbstractEventLoop:
    """The running loop, or a ChannelError that says how to get one."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        raise RuntimeError(
            f"{what} needs a running asyncio event loop: use it in a Jupyter notebook "
            "(the kernel's loop is always running) or inside async code, for example "
            "asyncio.run(main())."
        ) from None


def check_url(url: str) -> None:
    """Raise ChannelError for a URL that is not ws:// or wss://."""
    try:
        parse_uri(url)
    except InvalidURI as exc:
        raise ChannelError(f"invalid URL {url!r}: use ws://host:port/path or wss://…") from exc


def describe_close(code: int | None, reason: str) -> str:
    """``1001 (going away): bye`` — a close code with its name and reason."""
    if code is None:
        return "connection lost (no close frame)"
    try:
        name = CloseCode(code).name.lower().replace("_", " ")
    except ValueError:
        name = "application code"
    text = f"{code} ({name})"
    return f"{text}: {reason}" if reason else text


def describe_error(exc: BaseException) -> str:
    """One short line that tells a person what went wrong, no traceback needed."""
    if isinstance(exc, ChannelError):
        return str(exc)
    if isinstance(exc, InvalidURI):
        return f"invalid URL: {exc}"
    if isinstance(exc, InvalidStatus):
        response = exc.response
        return f"server rejected the handshake: HTTP {response.status_code} {response.reason_phrase}"
    if isinstance(exc, InvalidHandshake):
        return f"handshake failed: {exc}"
    if isinstance(exc, ConnectionClosed):
        rcvd, sent = exc.rcvd, exc.sent
        if sent is not None and sent.code == CloseCode.MESSAGE_TOO_BIG:
            return f"message too big: {sent.reason or 'over max_size'}"
        if rcvd is not None:
            return f"closed by server: {describe_close(rcvd.code, rcvd.reason)}"
        if sent is not None:
            return f"closed: {describe_close(sent.code, sent.reason)}"
        return "connection lost (no close frame)"
    if isinstance(exc, PayloadTooBig):
        return f"message too big: {exc}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate verify failed: {exc.verify_message}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc.reason or exc}"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the server running?)"
    if isinstance(exc, ConnectionResetError):
        return "connection reset by peer"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve host: {exc.strerror}"
    if isinstance(exc, TimeoutError):
        return "timed out during the opening handshake"
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _silence(future: asyncio.Future[Any]) -> None:
    # Mark the exception as retrieved: the failure is reported elsewhere (status,
    # ready), so asyncio must not also log "exception was never retrieved".
    if not future.cancelled():
        future.exception()


class Sink:
    """Where frames to send go: ``add()`` queues them in order, ``close()`` ends."""

    def __init__(self, channel: WebSocketChannel) -> None:
        self._channel = channel

    def add(self, data: Data) -> None:
        """Queue a frame: ``str`` is sent as a text frame, ``bytes`` as a binary one."""
        self._channel._enqueue(data)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Send what is queued, then do the closing handshake."""
        await self._channel.close(code, reason)


class Stream:
    """The frames that arrive, as ``str`` and ``bytes``; ``async for`` them.

    The iteration ends when the connection closes normally (1000, 1001) and raises
    :class:`ChannelError` when it fails or breaks. One reader at a time.
    """

    def __init__(self, channel: WebSocketChannel) -> None:
        self._channel = channel

    def __aiter__(self) -> AsyncIterator[Data]:
        return self._channel._iterate()

    def batches(self, limit: int = BATCH_SIZE) -> AsyncIterator[list[Data]]:
        """The same frames, in order, as lists of those that have already arrived.

        Each list holds at least one frame and at most ``limit``; waits only when
        nothing has arrived. For receive loops under a flood: one step per batch
        instead of one per frame. Same ending as ``async for``.
        """
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        return self._channel._batches(limit)


class WebSocketChannel:
    """A WebSocket client connection, driven by tasks in the running event loop.

    Create it with :meth:`connect`. Every task it starts is kept in ``tasks`` until
    it ends; a failing task ends the channel with its error, it is never lost.
    """

    def __init__(self, url: str, options: dict[str, Any], loop: asyncio.AbstractEventLoop) -> None:
        self.url = url
        self.options = options
        self.loop = loop
        self.ready: asyncio.Future[None] = loop.create_future()
        self.ready.add_done_callback(_silence)
        self.closed: asyncio.Future[None] = loop.create_future()
        self.sink = Sink(self)
        self.stream = Stream(self)
        self.close_code: int | None = None
        self.close_reason: str = ""
        self.error: str | None = None
        self.tasks: set[asyncio.Task[Any]] = set()
        self._websocket: ClientConnection | None = None
        self._outbox: asyncio.Queue[Data | None] = asyncio.Queue()
        self._closing = False
        self._close_args: tuple[int, str] = (1000, "")

    @classmethod
    def connect(cls, url: str, **options: Any) -> WebSocketChannel:
        """Start connecting to ``url`` and return at once.

        ``options`` go to :func:`websockets.asyncio.client.connect` (``additional_headers``,
        ``subprotocols``, ``ssl``, ``max_size``, ``open_timeout``, ``compression``, …).
        ``await channel.ready`` raises :class:`ChannelError` if the connection fails.
        """
        loop = require_loop("WebSocketChannel.connect()")
        channel = cls(url, options, loop)
        try:
            check_url(url)
        except ChannelError as exc:
            channel._fail(exc)
        else:
            channel._start(channel._open())
        return channel

    # -- what users read -------------------------------------------------------------

    @property
    def websocket(self) -> ClientConnection | None:
        """The websockets connection once open (for ``latency``, ``subprotocol``, …)."""
        return self._websocket

    @property
    def subprotocol(self) -> str | None:
        """The subprotocol the server chose, if any."""
        return self._websocket.subprotocol if self._websocket else None

    @property
    def is_open(self) -> bool:
        return self.ready.done() and self.ready.exception() is None and not self.closed.done()

    def __repr__(self) -> str:
        state = "closed" if self.closed.done() else "open" if self.is_open else "connecting"
        return f"<WebSocketChannel {self.url} {state}>"

    # -- sending ---------------------------------------------------------------------

    def _enqueue(self, data: Data) -> None:
        if not isinstance(data, (str, bytes, bytearray, memoryview)):
            raise TypeError(f"a frame is str (text) or bytes (binary), not {type(data).__name__}")
        if self._closing or self.closed.done():
            raise ChannelError("the channel is closed: the frame was not sent")
        self._outbox.put_nowait(data if isinstance(data, str) else bytes(data))

    async def send(self, data: Data) -> None:
        """Send one frame now (after the handshake); raises ChannelError if closed."""
        await self.ready_or_raise()
        assert self._websocket is not None
        try:
            await self._websocket.send(data)
        except ConnectionClosed as exc:
            raise ChannelError(describe_error(exc)) from exc

    async def ready_or_raise(self) -> None:
        """Wait for the handshake; raise ChannelError if it failed."""
        await asyncio.shield(self.ready)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Send what the sink holds, then close with ``code`` and ``reason``."""
        if self.closed.done():
            return
        self._closing = True
        if not self.ready.done():
            # Closing while connecting: give up on the connection.
            self._fail(ChannelError("closed while connecting"))
        else:
            self._close_args = (code, reason)
            self._outbox.put_nowait(None)  # the sender closes after the queued frames
            await asyncio.shield(self.closed)
        # Return only once every task of the channel has ended.
        current = asyncio.current_task()
        if pending := [task for task in self.tasks if task is not current]:
            await asyncio.wait(pending)

    def abort(self) -> None:
        """Drop the connection without a handshake (for when no loop will run again)."""
        if self._websocket is not None:
            self._websocket.transport.abort()
        self._finish()

    # -- tasks -----------------------------------------------------------------------

    def _start(self, coro: Any) -> asyncio.Task[Any]:
        task = self.loop.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            self._fail(exc)

    def _fail(self, exc: BaseException) -> None:
        if self.error is None:
            self.error = describe_error(exc)
        if not self.ready.done():
            self.ready.set_exception(exc if isinstance(exc, ChannelError) else ChannelError(self.error))
        if self._websocket is not None and self._websocket.close_code is None:
            self._websocket.transport.abort()
        self._finish()

    def _finish(self) -> None:
        # The connection is gone: record how, end every task that is left.
        ws = self._websocket
        if ws is not None and ws.close_code is not None and self.close_code is None:
            self.close_code, self.close_reason = ws.close_code, ws.close_reason or ""
        if not self.closed.done():
            self.closed.set_result(None)
        current = asyncio.current_task(self.loop)
        for task in list(self.tasks):
            if task is not current:
                task.cancel()

    async def _open(self) -> None:
        self._websocket = await ws_connect(self.url, **self.options)
        _bound_reads(self._websocket.transport)
        self.ready.set_result(None)
        self._start(self._send_loop())
        self._start(self._watch())

    async def _send_loop(self) -> None:
        ws = self._websocket
        assert ws is not None
        while (data := await self._outbox.get()) is not None:
            await ws.send(data)
        await ws.close(*self._close_args)

    async def _watch(self) -> None:
        # Records how the connection ended, whoever ended it.
        ws = self._websocket
        assert ws is not None
        await ws.wait_closed()
        exc = ws.protocol.close_exc
        if not isinstance(exc, ConnectionClosedOK) and self.error is None:
            self.error = describe_error(exc)
        self._finish()

    async def _iterate(self) -> AsyncIterator[Data]:
        async for batch in self._batches(BATCH_SIZE):
            for data in batch:
                yield data

    async def _batches(self, limit: int) -> AsyncIterator[list[Data]]:
        await asyncio.shield(self.ready)
        ws = self._websocket
        assert ws is not None
        take = _frame_taker(ws)
        try:
            while True:
                batch = [await ws.recv()]
                if take is not None:
                    take(batch, limit)
                yield batch
        except ConnectionClosedOK:
            return
        except ConnectionClosed as exc:
            # Known now, before the TCP connection is fully gone.
            frame = exc.rcvd or exc.sent
            if frame is not None and self.close_code is None:
                self.close_code, self.close_reason = frame.code, frame.reason
            if self.error is None:
                self.error = describe_error(exc)
            raise ChannelError(self.error) from exc


def _bound_reads(transport: asyncio.BaseTransport) -> None:
    # asyncio's socket transports read at most ``max_size`` bytes per loop turn.
    # Not public API: where the attribute is missing (TLS, uvloop), reads stay as they are.
    if isinstance(getattr(transport, "max_size", None), int):
        transport.max_size = READ_SIZE  # type: ignore[attr-defined]


def _frame_taker(ws: ClientConnection) -> Callable[[list[Data], int], None] | None:
    """A function that moves frames websockets has already parsed into a batch.

    ``recv()`` costs three coroutine steps per message, about a quarter of the
    receive cost of a small frame. Frames that already wait in websockets' queue
    are taken here directly, exactly as ``recv()`` would return them; anything
    unusual (a fragment, a text frame that is not UTF-8) is left for ``recv()``,
    which handles it (and fails the connection with 1007 on bad UTF-8). This reads
    websockets' internal ``Assembler``; when that is not there (another version),
    returns None and every frame goes through ``recv()``.
    """
    try:
        assembler = ws.recv_messages
        queue: deque[Frame] = assembler.frames.queue
        resume = assembler.maybe_resume
    except AttributeError:
        return None
    if (
        not isinstance(queue, deque)
        or not hasattr(assembler, "get_in_progress")
        or not hasattr(assembler, "closed")
    ):
        return None
    text, binary = Opcode.TEXT, Opcode.BINARY

    def take(batch: list[Data], limit: int) -> None:
        if assembler.get_in_progress or assembler.closed:
            return  # recv() decides what happens then (it differs between versions)
        while queue and len(batch) < limit:
            frame = queue[0]
            if not frame.fin:
                break
            if frame.opcode is text:
                try:
                    data: Data = str(frame.data, "utf-8")
                except UnicodeDecodeError:
                    break
            elif frame.opcode is binary:
                data = bytes(frame.data)
            else:
                break
            queue.popleft()
            batch.append(data)
        resume()  # reading was paused while websockets' queue was full

    return take
