"""The connection: one WebSocket client as asyncio tasks in the running loop.

:class:`WebSocketChannel` follows Flutter's ``web_socket_channel``: ``connect()``
returns at once, ``ready`` says when the handshake is done, ``sink`` takes frames to
send and ``stream`` gives the frames that arrive. No widgets here.
"""

from __future__ import annotations

import asyncio
import re
import socket
import ssl
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.client import process_exception
from websockets.exceptions import (
    ConnectionClosed,
    ConnectionClosedOK,
    InvalidHandshake,
    InvalidStatus,
    InvalidURI,
    PayloadTooBig,
)
from websockets.frames import Close, CloseCode, Frame, Opcode
from websockets.protocol import State
from websockets.uri import parse_uri

from ._tasks import keep_task

__all__ = [
    "FINAL_CLOSE_CODES",
    "ChannelError",
    "Sink",
    "Stream",
    "WebSocketChannel",
    "check_url",
    "describe_close",
    "describe_error",
    "is_final_close",
    "is_retryable",
    "redact_url",
    "require_loop",
    "retry_after",
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


def redact_url(url: str) -> str:
    """The URL as it may be shown: userinfo and query values masked.

    ``ws://user:pw@host:8765/feed?token=abc&room=1`` becomes
    ``ws://***@host:8765/feed?token=***&room=***``. Every query value is masked,
    not only the ones that look secret: a name cannot tell whether a value is a
    token. The path is shown as it is, so keep secrets out of paths.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(invalid URL)"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rpartition("@")[2]
    query = "&".join(
        f"{item.partition('=')[0]}=***" if "=" in item else "***" for item in parts.query.split("&") if item
    )
    fragment = "***" if parts.fragment else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, fragment))


def check_url(url: str) -> None:
    """Raise ChannelError for a URL that is not ws:// or wss://."""
    try:
        parse_uri(url)
    except InvalidURI:
        # Not chained: websockets' message quotes the whole URL, secrets included.
        raise ChannelError(f"invalid URL {redact_url(url)!r}: use ws://host:port/path or wss://…") from None


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


#: Close codes after which reconnecting would meet the same end, so the session
#: does not retry: the server ended normally (1000, or 1005 with no code), or the
#: peer said the conversation itself is wrong: protocol error (1002), data it
#: cannot take (1003, 1007), policy (1008), too big (1009), missing extension
#: (1010), and the registered "unauthorized"/"forbidden" codes 3000 and 3003.
#: Everything else (no close frame, 1001 going away, 1011-1014, other 3xxx/4xxx
#: application codes) is retried with backoff.
FINAL_CLOSE_CODES = frozenset({1000, 1002, 1003, 1005, 1007, 1008, 1009, 1010, 3000, 3003})

# websockets' reason when a frame is over max_size (the server says the same).
_TOO_BIG = re.compile(
    r"frame (?:with (\d+) bytes )?(?:after reading (\d+) bytes )?exceeds limit of (\d+) bytes"
)


def _too_big(size: int | None, already: int | None, limit: int) -> str:
    if size is None:
        return f"limit {limit:,} bytes"
    total = size + (already or 0)
    return f"{'at least ' if already else ''}{total:,} bytes, limit {limit:,} bytes"


def _too_big_from_reason(reason: str) -> str | None:
    match = _TOO_BIG.search(reason)
    if match is None:
        return None
    size, already, limit = (int(g) if g is not None else None for g in match.groups())
    assert limit is not None
    return _too_big(size, already, limit)


def _initiator(exc: ConnectionClosed) -> tuple[Close | None, bool]:
    """The close frame of whoever closed first, and whether that was the server."""
    rcvd, sent = exc.rcvd, exc.sent
    if rcvd is not None and (sent is None or exc.rcvd_then_sent):
        return rcvd, True
    return sent, False


def _describe_closed(exc: ConnectionClosed, ping_timeout: float | None, cause: BaseException | None) -> str:
    frame, by_server = _initiator(exc)
    if frame is None:
        if isinstance(cause, ConnectionResetError):
            return "connection reset by peer (no close frame)"
        return "connection lost (no close frame)"
    if by_server:
        if frame.code == CloseCode.MESSAGE_TOO_BIG and (sizes := _too_big_from_reason(frame.reason)):
            return f"server refused a message too big ({sizes})"
        return f"closed by server: {describe_close(frame.code, frame.reason)}"
    # We closed it: websockets found a fault in what the server sent, or a timeout.
    if frame.code == CloseCode.MESSAGE_TOO_BIG:
        if isinstance(cause, PayloadTooBig):
            return f"message too big ({_too_big(cause.size, cause.current_size, cause.max_size)})"
        sizes = _too_big_from_reason(frame.reason)
        return f"message too big ({sizes})" if sizes else f"message too big: {frame.reason}"
    if frame.code == CloseCode.INVALID_DATA and isinstance(cause, UnicodeDecodeError):
        return f"invalid UTF-8 in a text frame from the server ({frame.reason})"
    if frame.code == CloseCode.INTERNAL_ERROR and frame.reason == "keepalive ping timeout":
        within = f"within {ping_timeout:g} s" if ping_timeout is not None else "in time"
        return f"no pong from server {within}: connection lost"
    if frame.code == CloseCode.PROTOCOL_ERROR:
        return f"protocol error from the server: {frame.reason}"
    return f"closed: {describe_close(frame.code, frame.reason)}"


def describe_error(exc: BaseException, *, ping_timeout: float | None = None) -> str:
    """One short line that tells a person what went wrong, no traceback needed.

    Never quotes a URL's userinfo or query, nor any header: see :func:`redact_url`.
    ``ping_timeout`` names the wait in "no pong from server within N s".
    """
    if isinstance(exc, ChannelError):
        return str(exc)
    if isinstance(exc, InvalidURI):
        return f"invalid URL {redact_url(exc.uri)!r}: {exc.msg}"
    if isinstance(exc, InvalidStatus):
        response = exc.response
        return f"server rejected the handshake: HTTP {response.status_code} {response.reason_phrase}"
    if isinstance(exc, InvalidHandshake):
        return f"handshake failed: {exc}"
    if isinstance(exc, ConnectionClosed):
        return _describe_closed(exc, ping_timeout, exc.__cause__)
    if isinstance(exc, PayloadTooBig):
        return f"message too big ({_too_big(exc.size, exc.current_size, exc.max_size)})"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate verify failed: {(exc.verify_message or exc.reason or '').rstrip('.')}"
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


def is_retryable(exc: BaseException) -> bool:
    """Whether a failed opening handshake may succeed if tried again, unchanged.

    websockets' own rule (:func:`websockets.client.process_exception`: network
    errors, timeouts, HTTP 500/502/503/504) plus 408 and 429. Not retried: an
    invalid URL or option, a TLS or certificate failure (an ``OSError`` that
    trying again will not fix) and every other HTTP answer, 401 and 403 included.
    """
    if isinstance(exc, (ChannelError, ssl.SSLError)) or not isinstance(exc, Exception):
        return False
    if isinstance(exc, InvalidStatus) and exc.response.status_code in (408, 429):
        return True
    return process_exception(exc) is None


def retry_after(exc: BaseException | None) -> float:
    """Seconds the server asked to wait (``Retry-After`` on a 429/503), else 0."""
    if isinstance(exc, InvalidStatus):
        value = exc.response.headers.get("Retry-After", "")
        if value.strip().isdigit():
            return float(value)
    return 0.0


def is_final_close(exc: ConnectionClosed | None) -> bool:
    """Whether a connection that ended this way should not be reopened by itself.

    Decided on the close frame of whoever closed first: see :data:`FINAL_CLOSE_CODES`.
    A connection lost without a close frame is never final.
    """
    if exc is None:
        return False
    frame, _ = _initiator(exc)
    return frame is not None and frame.code in FINAL_CLOSE_CODES


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
        #: What made the opening handshake fail (the original exception), if it did.
        self.failure: BaseException | None = None
        #: How an open connection ended, as websockets reports it (frames and cause).
        self.close_exc: ConnectionClosed | None = None
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
    def latency(self) -> float | None:
        """The last ping's round trip in seconds (keepalive or :meth:`ping`), or None."""
        ws = self._websocket
        return ws.latency if ws is not None and ws.latency > 0 else None

    @property
    def extensions(self) -> list[str]:
        """The extensions the server agreed to, e.g. ``["permessage-deflate"]``."""
        ws = self._websocket
        return [str(ext.name) for ext in ws.protocol.extensions] if ws is not None else []

    @property
    def is_open(self) -> bool:
        return self.ready.done() and self.ready.exception() is None and not self.closed.done()

    @property
    def writable(self) -> bool:
        """Whether a frame given to :meth:`send` now is written to the socket at once.

        True only while the connection is open and not closing: then ``send()``
        hands the frame to the transport before its first ``await``.
        """
        ws = self._websocket
        return self.is_open and ws is not None and ws.protocol.state is State.OPEN

    def __repr__(self) -> str:
        state = "closed" if self.closed.done() else "open" if self.is_open else "connecting"
        return f"<WebSocketChannel {redact_url(self.url)} {state}>"

    def describe(self, exc: BaseException) -> str:
        """:func:`describe_error` with what this connection knows (its ping timeout)."""
        ping_timeout = self.options.get("ping_timeout", 20)
        return describe_error(exc, ping_timeout=ping_timeout)

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

    async def ping(self, timeout: float | None = 10.0) -> float:
        """Send a ping, wait for the pong; returns the round trip in seconds.

        Raises ChannelError when the connection is not open or closes first,
        TimeoutError when no pong comes within ``timeout`` seconds.
        """
        ws = self._websocket
        if ws is None or not self.is_open:
            raise ChannelError("cannot ping: the channel is not open")
        start = self.loop.time()
        try:
            pong = await ws.ping()
            # shield: on timeout, websockets still owns (and settles) its future.
            result = await asyncio.wait_for(asyncio.shield(pong), timeout)
        except ConnectionClosed as exc:
            raise ChannelError(describe_error(exc)) from exc
        except TimeoutError:
            raise TimeoutError(f"no pong within {timeout} s") from None
        # websockets >= 13 gives the latency it measured; older ones give None.
        return float(result) if isinstance(result, float) else self.loop.time() - start

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
        # A failing task ends the channel with its error.
        return keep_task(self.loop, self.tasks, coro, self._fail)

    def _fail(self, exc: BaseException) -> None:
        if self.error is None:
            self.error = self.describe(exc)
        if not self.ready.done():
            self.failure = exc
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
        options = dict(self.options)
        # Keepalive is ours (see _keepalive); websockets' own is switched off.
        interval = options.pop("ping_interval", 20)
        timeout = options.pop("ping_timeout", 20)
        self._websocket = await ws_connect(self.url, ping_interval=None, ping_timeout=None, **options)
        _bound_reads(self._websocket.transport)
        self.ready.set_result(None)
        self._start(self._send_loop())
        self._start(self._watch())
        if interval is not None:
            self._start(self._keepalive(interval, timeout))

    async def _keepalive(self, interval: float, timeout: float | None) -> None:
        # websockets' keepalive, with two changes that matter in a notebook. A peer
        # that does not answer is dropped at once: websockets starts a closing
        # handshake, which waits close_timeout (10 s) more for that dead peer while
        # the status still says open. And time the kernel's loop spent blocked (a
        # long synchronous cell) is not held against the server: a pong that came
        # while the loop could not read it is not a dead peer.
        ws = self._websocket
        assert ws is not None
        loop = self.loop
        while True:
            await asyncio.sleep(interval)
            try:
                # A future in fact (websockets types it as an Awaitable).
                pong = asyncio.ensure_future(await ws.ping())
            except ConnectionClosed:
                return
            if timeout is None:
                continue
            deadline = loop.time() + timeout
            while not pong.done():
                await asyncio.wait({pong}, timeout=max(0.0, deadline - loop.time()))
                if pong.done():
                    break
                now = loop.time()
                if now - deadline > max(0.1, timeout / 2):
                    # We woke far past the deadline: the loop was blocked, and the
                    # pong may be unread in the socket. Give the server a fair wait.
                    deadline = now + timeout
                elif now >= deadline:
                    if self.error is None:
                        self.error = f"no pong from server within {timeout:g} s: connection lost"
                    ws.transport.abort()
                    return

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
        exc = ws.close_exc  # chained to the socket's or the decoder's error, if any
        if self.close_exc is None:
            self.close_exc = exc
        if not isinstance(exc, ConnectionClosedOK) and self.error is None:
            self.error = self.describe(exc)
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
            if self.close_exc is None:
                self.close_exc = exc
            if self.error is None:
                self.error = self.describe(exc)
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
