"""The connection: one WebSocket client as asyncio tasks in the running loop.

:class:`WebSocketChannel` follows Flutter's ``web_socket_channel``: ``connect()``
returns at once, ``ready`` says when the handshake is done, ``sink`` takes frames to
send and ``stream`` gives the frames that arrive. Uses websockets' public API;
the few internals it reaches for live in ``net._internals``. How failures
read is in ``errors`` (re-exported here), the keepalive in ``_keepalive``, ``expect`` in ``_expect``,
the sink and the stream in ``_streams``.

Must not import widgets or the session.
"""

from __future__ import annotations

import asyncio
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as ws_connect
from websockets.exceptions import ConnectionClosed, ConnectionClosedOK

from wsecho_widget._util.options import check_options
from wsecho_widget._util.tasks import keep_task, require_loop, silence
from wsecho_widget.client._expect import expect_frame
from wsecho_widget.client._keepalive import keepalive
from wsecho_widget.client._streams import BATCH_SIZE, Data, Sink, Stream
from wsecho_widget.client.options import CONNECT_OPTIONS, PING_INTERVAL, PING_TIMEOUT
from wsecho_widget.model.match import Match
from wsecho_widget.model.message import Message
from wsecho_widget.net import _internals as internals
from wsecho_widget.net.errors import (
    FINAL_CLOSE_CODES,
    ChannelError,
    check_url,
    close_reason,
    describe_close,
    describe_error,
    is_final_close,
    is_retryable,
    redact_url,
    retry_after,
)

__all__ = [
    "BATCH_SIZE",
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

#: The most bytes one socket read takes (asyncio's default is 256 KiB). websockets
#: parses a whole read in one callback: 256 KiB of small frames held the kernel's
#: loop for 20-50 ms, during which no cell could run; 32 KiB bounds that to ~3 ms,
#: with no measurable cost for small or large frames (README, "Performance").
READ_SIZE = 32 * 1024


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
        self.ready.add_done_callback(silence)
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
        self._held: list[Data] = []  # frames expect() read and skipped: the stream's next
        self._closing = False
        self._close_args: tuple[int, str] = (1000, "")

    @classmethod
    def connect(cls, url: str, **options: Any) -> WebSocketChannel:
        """Start connecting to ``url`` and return at once.

        ``options`` go to :func:`websockets.asyncio.client.connect` (``additional_headers``,
        ``subprotocols``, ``ssl``, ``max_size``, ``open_timeout``, ``compression``, …).
        ``await channel.ready`` raises :class:`ChannelError` if the connection fails;
        an option ``connect()`` does not take raises TypeError at once.
        """
        check_options(options, CONNECT_OPTIONS, "WebSocketChannel.connect()")
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
        return internals.extension_names(ws) if ws is not None else []

    @property
    def is_open(self) -> bool:
        return self.ready.done() and self.ready.exception() is None and not self.closed.done()

    @property
    def writable(self) -> bool:
        """Whether a frame given to :meth:`send` now is written to the socket at once: only while
        open and not closing (then ``send()`` hands it to the transport before its first ``await``)."""
        ws = self._websocket
        return self.is_open and ws is not None and internals.is_writable(ws)

    def __repr__(self) -> str:
        state = "closed" if self.closed.done() else "open" if self.is_open else "connecting"
        return f"<WebSocketChannel {redact_url(self.url)} {state}>"

    def describe(self, exc: BaseException) -> str:
        """:func:`describe_error` with what this connection knows (its ping timeout)."""
        ping_timeout = self.options.get("ping_timeout", PING_TIMEOUT)
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
        """Send a ping, wait for the pong; returns the round trip in seconds. ChannelError when not
        open or closed first, TimeoutError when no pong comes within ``timeout`` seconds."""
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

    async def expect(self, match: Match, within: float | None = 2.0) -> Message:
        """The first arriving frame ``match`` matches; the skipped stay first in ``stream`` (``_expect``)."""
        return await expect_frame(self, match, within)

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
            self._close_args = (code, close_reason(reason))  # websockets raises past 123 bytes
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

    def fail(self, reason: str) -> None:
        """Drop the connection now, without a closing handshake, because ``reason``.

        For a check above the WebSocket that finds the peer gone (a protocol's
        heartbeat): ``reason`` becomes :attr:`error` unless something already said
        why it ended, and the stream ends with it. A session reconnects as after
        any lost connection.
        """
        if self.error is None:
            self.error = reason
        self.abort()

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
        # Keepalive is ours (see _keepalive.py); websockets' own is switched off.
        interval = options.pop("ping_interval", PING_INTERVAL)
        timeout = options.pop("ping_timeout", PING_TIMEOUT)
        self._websocket = await ws_connect(self.url, ping_interval=None, ping_timeout=None, **options)
        internals.bound_reads(self._websocket.transport, READ_SIZE)
        self.ready.set_result(None)
        self._start(self._send_loop())
        self._start(self._watch())
        if interval is not None:
            self._start(keepalive(self._websocket, interval, timeout, self._lost))

    def _lost(self, why: str) -> None:
        # The keepalive's verdict: kept unless something already said why it ended.
        if self.error is None:
            self.error = why

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
