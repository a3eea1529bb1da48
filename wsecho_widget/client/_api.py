"""The panel's methods for code: send, receive, connect, ping, hooks — the session's API.

A base class of :class:`~wsecho_widget.ui.panel.WebSocketPanel` that holds what a
notebook's code calls (the widgets' side lives in ``panel.py``): each method
asks the session and puts a failure on the panel's notice line.

Must not import ipywidgets, the controls or the panel.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from wsecho_widget._util.loop import Debouncer
from wsecho_widget._util.observers import Unsubscribe, deprecated
from wsecho_widget.client._observers import OnMessages, OnStatus
from wsecho_widget.client.connection import ChannelError, WebSocketChannel
from wsecho_widget.client.hooks import DEFAULT_STREAM_SIZE, MessageHooks, MessageStream, callback_name
from wsecho_widget.client.session import Session
from wsecho_widget.decoders.core import encode
from wsecho_widget.model.match import Match
from wsecho_widget.model.message import History, Message
from wsecho_widget.server.echo import EchoServer

__all__ = ["ClientAPI"]

_Callback = TypeVar("_Callback", bound=Callable[[Message], Any])


class DecoderViews(Protocol):
    """What offers a panel's Binary views (the log's toolbar)."""

    def add_decoder(self, name: str, func: Callable[[bytes], Any]) -> None: ...


class ClientAPI:
    """Send, receive, connect, ping and subscribe, through ``self.session``.

    The panel provides ``session``, ``hooks``, ``decoder_views``, and where the results show:
    ``_notify`` (the notice line), ``_show_queued`` (after a send),
    ``_refresh_latency`` (after a ping).
    """

    session: Session
    hooks: MessageHooks
    decoder_views: DecoderViews
    #: The newest exceptions raised by on_message callbacks (for a traceback).
    callback_errors: deque[BaseException]

    def _start_hooks(self, loop: asyncio.AbstractEventLoop, pace: float) -> None:
        # A callback failing on every message of a flood: its news at most once per `pace`.
        self.callback_errors = deque(maxlen=20)
        self._callback_failures = 0
        self._hook_notice = ""
        self._hook_news = Debouncer(loop, pace, lambda: self._notify(self._hook_notice))
        self.hooks = MessageHooks(loop, self._callback_failed)
        self._hooks_subscribed = False

    def _stop_hooks(self) -> None:
        # Also from close() on an object whose __init__ failed early.
        if (hooks := getattr(self, "hooks", None)) is not None:
            hooks.close()
        if (news := getattr(self, "_hook_news", None)) is not None:
            news.cancel()

    def _notify(self, text: str) -> None:
        raise NotImplementedError

    def _replied(self, message: Message) -> Message:
        """A reply handed to code that waited for it (the feed's round trips count it)."""
        return message

    def _show_queued(self) -> None:
        raise NotImplementedError

    def _refresh_latency(self, latency: float | None = None) -> None:
        raise NotImplementedError

    @property
    def messages(self) -> History:
        """Sent and received messages, oldest first, bounded by ``history_limit``."""
        return self.session.history

    @property
    def ready(self) -> asyncio.Future[None]:
        """``await panel.ready``: wait until the latest connect is open.

        Raises :class:`ChannelError` with the reason when it failed.
        """
        return self.session.connected

    @property
    def server(self) -> EchoServer | None:
        """The embedded echo server, when the panel was made without a URL."""
        return self.session.server

    @property
    def channel(self) -> WebSocketChannel | None:
        """The current :class:`WebSocketChannel`, or None."""
        return self.session.channel

    @property
    def negotiated(self) -> dict[str, Any]:
        """What the server agreed to: ``{"subprotocol": str | None, "extensions": [...]}``."""
        channel = self.session.channel
        if channel is None or not channel.is_open:
            return {"subprotocol": None, "extensions": []}
        return {"subprotocol": channel.subprotocol, "extensions": channel.extensions}

    def send(self, data: str | bytes | bytearray | memoryview) -> None:
        """Send ``data``: ``str`` as a text frame, ``bytes`` as a binary frame.

        What Send does with the input's text. While connecting it waits in order for
        the connection; while closed it raises :class:`ChannelError` and says so.
        """
        try:
            self.session.send(data)
        except (ChannelError, TypeError) as exc:
            self._notify(str(exc))
            raise
        self._notify("")
        self._show_queued()

    def send_json(self, obj: Any, **dumps_options: Any) -> None:
        """Send ``json.dumps(obj)`` as a text frame.

        Non-ASCII text goes out as UTF-8, not as ``\\u`` escapes, unless
        ``ensure_ascii=True`` is passed; other keywords go to :func:`json.dumps`.
        An object JSON cannot encode raises TypeError (or ValueError) and sends nothing.
        """
        dumps_options.setdefault("ensure_ascii", False)
        try:
            text = json.dumps(obj, **dumps_options)
        except (TypeError, ValueError) as exc:
            self._notify(f"not sent: {exc}")
            raise
        self.send(text)

    def add_decoder(self, name: str, func: Callable[[bytes], Any]) -> None:
        """Offer ``func`` as the Binary view ``name`` in this panel's log.

        ``func(data: bytes)`` returns any object, shown pretty-printed like JSON;
        whatever it raises is shown as the frame's one-line reason. Adding one of
        the same name replaces it. For every panel, use
        :func:`wsecho_widget.decoders.register`; ``panel.binary_view.value = name``
        switches the log to it.
        """
        self.decoder_views.add_decoder(name, func)

    def send_msgpack(self, obj: Any) -> None:
        """Send ``obj`` packed as MessagePack, as one binary frame (needs the ``codecs`` extra).

        Aware datetimes go out as MessagePack timestamps. An object MessagePack
        cannot pack raises TypeError (or ValueError) and sends nothing; without
        msgpack installed, ImportError says how to install it.
        """
        self._send_encoded(obj, "msgpack")

    def send_cbor(self, obj: Any) -> None:
        """Send ``obj`` encoded as CBOR, as one binary frame (needs the ``codecs`` extra).

        Like :meth:`send_msgpack`; cbor2 also encodes datetimes, Decimals, sets….
        """
        self._send_encoded(obj, "cbor")

    def _send_encoded(self, obj: Any, name: str) -> None:
        try:
            data = encode(obj, name)
        except (ImportError, TypeError, ValueError) as exc:
            self._notify(f"not sent: {exc}")
            raise
        self.send(data)

    async def ping(self, timeout: float | None = 10.0) -> float:
        """Send a ping and wait for the pong: the round trip in seconds.

        The status line shows it too (and the keepalive pings' round trips, which
        websockets measures every 10 s by default). Raises :class:`ChannelError`
        when not connected, TimeoutError when no pong comes within ``timeout`` seconds.
        """
        try:
            latency = await self.session.ping(timeout)
        except (ChannelError, TimeoutError) as exc:
            self._notify(f"ping failed: {exc}")
            raise
        self._refresh_latency(latency)
        return latency

    def connect(self, url: str | None = None) -> asyncio.Future[None]:
        """(Re)connect to ``url``, or to the last URL; await it to wait until open."""
        try:
            return self.session.connect(url)
        except ChannelError as exc:
            self._notify(str(exc))
            raise

    def disconnect(self, code: int = 1000, reason: str = "") -> asyncio.Task[None]:
        """Close the connection with a closing handshake (1000 unless told).

        Returns a task: ``await panel.disconnect()`` waits for the close; calling it
        without ``await`` schedules it.
        """
        return self.session.disconnect(code, reason)

    async def receive(self, timeout: float | None = 5.0) -> Message:
        """The next received message not yet returned by ``receive()``."""
        return self._replied(await self.session.receive(timeout))

    async def expect(self, match: Match, within: float | None = 2.0) -> Message:
        """The first received message that ``match`` matches; the others stay for :meth:`receive`.

        ``match`` is a ``str`` (equal text), ``bytes``, a compiled regex, a ``dict`` (a
        subset of a JSON object, nested) or a callable taking a Message. Raises
        ExpectationFailed (an AssertionError) after ``within`` seconds, saying what was
        expected and the last five messages seen.
        """
        return self._replied(await self.session.expect(match, within))

    def wait_for_reply(self, timeout: float | None = 5.0) -> Message:
        """:meth:`receive`, blocking: for code that cannot ``await``.

        In a running loop (a notebook) this re-enters the loop with nest-asyncio2,
        applied to that loop on this call only, never at import. The kernel's
        Interrupt (or Ctrl-C) raises KeyboardInterrupt here and loses nothing: the
        next :meth:`receive` gets the next message.
        """
        return self._replied(self.session.wait_for_reply(timeout))

    def on_message(self, callback: _Callback, remove: bool = False) -> _Callback:
        """Call ``callback(message)`` once for every message received from now on.

        ``callback`` may be a plain function or ``async def``: an async one runs as
        a task (kept referenced until it ends). An exception it raises is shown on
        the notice line and kept in ``panel.callback_errors``; it never stops the
        receive loop. Returns ``callback``, so it can be used as a decorator:
        ``@panel.on_message``. To be able to stop it, use :meth:`subscribe`
        (``remove=True`` is deprecated).
        """
        if remove:
            deprecated(
                "on_message(callback, remove=True)",
                "subscribe(on_message=callback), which returns what stops it",
            )
            self.hooks.remove(callback)
        else:
            self.hooks.add(callback)
            self._listen()
        return callback

    def subscribe(
        self,
        *,
        on_message: Callable[[Message], Any] | None = None,
        on_messages: OnMessages | None = None,
        on_status: OnStatus | None = None,
    ) -> Unsubscribe:
        """Be told; returns the :class:`~wsecho_widget.Unsubscribe` that stops every callback given.

        ``on_message(message)``: as :meth:`on_message` (each received message, sync
        or async, a fault shown on the notice line). ``on_messages(batch)`` and
        ``on_status(status, detail)``: as ``Session.subscribe()``.
        """
        if on_message is not None and not callable(on_message):
            raise TypeError(f"on_message takes a callable, not {type(on_message).__name__}")
        stops = [self.session.subscribe(on_messages=on_messages, on_status=on_status)]
        if on_message is not None:
            stops.append(self.hooks.add(on_message))
            self._listen()
        return Unsubscribe(*stops)

    def stream(self, maxsize: int = DEFAULT_STREAM_SIZE) -> MessageStream:
        """``async for message in panel.stream():`` the messages received from now on.

        Each stream has its own queue of at most ``maxsize`` messages (a reader that
        falls further behind loses the oldest; ``stream.dropped`` counts them). The
        iteration ends when the panel closes, or on ``stream.close()``.
        """
        stream = self.hooks.stream(maxsize)
        self._listen()
        return stream

    def _listen(self) -> None:
        # Subscribed on first use only: without hooks, messages cost nothing more.
        if not self._hooks_subscribed:
            self.session.subscribe(on_messages=self.hooks.dispatch_many)
            self._hooks_subscribed = True

    def _callback_failed(self, callback: Callable[..., Any], exc: BaseException) -> None:
        self.callback_errors.append(exc)
        self._callback_failures += 1
        first = (str(exc).splitlines() or [""])[0][:200]
        what = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
        times = f" ({self._callback_failures:,} failures)" if self._callback_failures > 1 else ""
        self._hook_notice = f"on_message callback {callback_name(callback)} failed: {what}{times}"
        self._hook_news.start()
