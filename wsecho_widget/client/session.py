"""The session: one conversation with a server, across connects and disconnects.

:class:`Session` owns the connection's lifecycle, the history, the outbox of
frames waiting to go out, and waiting for replies. It is the public face of
small private parts, one job each: ``_state`` (its state and the only code that
changes it, a base class), ``_supervisor`` (the reconnect loop, which drives that state),
``_pumps`` (frames out of the outbox, frames in to the record), ``net.inbox``
(what ``receive()`` reads), ``_observers`` (who is told). It knows nothing of
widgets: the panel subscribes to it and forwards user actions to it.

Must not import ipywidgets, the controls or the panel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from wsecho_widget._util.observers import Observers, Unsubscribe
from wsecho_widget._util.options import check_options, keyword_names
from wsecho_widget._util.tasks import keep_task, require_loop, run_nested
from wsecho_widget.client._observers import STATUSES, OnMessages, OnStatus, SessionObservers, Status
from wsecho_widget.client._pumps import listen
from wsecho_widget.client._reconnect import ReconnectDelays, default_reconnect_delays, delays_from
from wsecho_widget.client._state import SessionState
from wsecho_widget.client._supervisor import STABLE_AFTER, Supervisor
from wsecho_widget.client.connection import (
    ChannelError,
    WebSocketChannel,
    check_url,
    describe_error,
)
from wsecho_widget.client.options import CONNECT_OPTIONS, DEFAULT_OPTIONS, KEEP, Keep, updated_options
from wsecho_widget.client.scenario import RecordedHistory
from wsecho_widget.model.match import Match, matcher
from wsecho_widget.model.message import DEFAULT_HISTORY_LIMIT, Message
from wsecho_widget.net.inbox import Inbox

__all__ = [
    "DEFAULT_OPTIONS",
    "KEEP",
    "STABLE_AFTER",
    "STATUSES",
    "Session",
    "Status",
    "default_reconnect_delays",
]


class Session(SessionState):
    """Connect, listen, send, close; keeps a bounded history and exact totals.

    With ``url=None`` it starts an :class:`EchoServer` on 127.0.0.1 in the running
    loop and talks to that. ``options`` go to websockets' ``connect()``, checked
    as :meth:`configure` checks them.

    ``reconnect`` (on by default): when the connection fails or drops, try again
    after ``reconnect_delays`` — a sequence of seconds (the last one repeats) or a
    callable that returns an iterator of them, like websockets' own option (a
    finite iterator bounds the number of attempts); the default is
    :func:`default_reconnect_delays`. Frames sent meanwhile wait in the outbox and
    go out in order, once, when the connection is back. While it waits, the status
    stays ``connecting`` and the detail says
    ``reconnecting in 2.0 s (attempt 3): <why the last one ended>``.
    ``is_final(channel)`` decides whether a connection that was open and ended is the
    end (True) or retried (False); None leaves it to :func:`is_final_close`.

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
        is_final: Callable[[WebSocketChannel], bool | None] | None = None,
        **options: Any,
    ) -> None:
        check_options(options, session_options(), "Session()")
        self.loop = require_loop("wsecho_widget")
        if url is not None:
            check_url(url)
        if reconnect_delays is not None and not callable(reconnect_delays):
            delays_from(reconnect_delays)  # check it now, not at the first drop
        self._init_state(url, reconnect, reconnect_delays, is_final)
        self.options: dict[str, Any] = dict(DEFAULT_OPTIONS)
        self.configure(**options)
        self.history: RecordedHistory = RecordedHistory(history_limit)
        self._observers = SessionObservers(self.loop, on_status, on_messages, on_message)
        self._inbox = Inbox(self.loop, history_limit, self._nothing_more)
        self._supervisor = Supervisor(self, self._serve)
        self._run: asyncio.Task[None] | None = None  # the reconnect loop of the latest connect

    # -- state and observers ---------------------------------------------------------

    @property
    def unread(self) -> int:
        """How many received messages :meth:`receive` has not returned yet (bounded like the history)."""
        return len(self._inbox)

    @property
    def listeners(self) -> Observers[[Message]]:
        """Deprecated (use :meth:`subscribe`): callables called with each received message."""
        return self._observers.listeners

    @listeners.setter
    def listeners(self, listeners: Sequence[Callable[[Message], None]]) -> None:
        self._observers.replace_listeners(listeners)

    def _nothing_more(self) -> str | None:
        # What receive() says once nothing more can arrive.
        return f"{self.status} ({self.detail})" if self.status in ("closed", "error") else None

    def subscribe(
        self, *, on_messages: OnMessages | None = None, on_status: OnStatus | None = None
    ) -> Unsubscribe:
        """Be told of messages and status changes; returns the :class:`Unsubscribe` that stops it.

        ``on_messages(messages)`` is called with each batch of received messages
        (frames that arrived together, oldest first) and with each sent message
        alone, after the history holds them: one call per batch keeps a flood cheap.
        ``on_status(status, detail)`` is called once per change, with both already
        set on the session. Subscribers are called in the order they subscribed.
        One that raises is reported to the loop's exception handler and never stops
        the receive loop or the others.
        """
        return self._observers.subscribe(on_messages=on_messages, on_status=on_status)

    def _record(self, messages: Sequence[Message]) -> None:
        # The one record path, for a batch that arrived together or one sent
        # message (a batch has one direction): the history, then what receive()
        # reads, then every subscriber.
        self.history.extend(messages)
        if messages[0].direction == "received":
            self._inbox.put_many(messages)
        self._observers.messages(messages)

    # -- options ---------------------------------------------------------------------

    def configure(
        self,
        *,
        url: str | None = None,
        subprotocols: str | Iterable[str] | None = None,
        headers: Any = None,
        compression: str | Keep | None = KEEP,
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
        check_options(options, CONFIGURE_OPTIONS, "configure()")
        updated = updated_options(
            self.options, subprotocols=subprotocols, headers=headers, compression=compression, **options
        )
        if url is not None:
            try:
                check_url(url)
            except ChannelError as exc:
                raise ValueError(str(exc)) from None
            self._set_url(url)
        # Every check passed: apply them all (the same dict: code may hold it).
        self.options.clear()
        self.options.update(updated)

    def _start(self, coro: Any) -> asyncio.Task[Any]:
        # A bug or fault in one of our tasks: say it, never lose it.
        return keep_task(self.loop, self.tasks, coro, lambda e: self._set_status("error", describe_error(e)))

    # -- connect ---------------------------------------------------------------------

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
            self._set_url(url)
        self._drop_channel()
        done = self._connecting()
        self._run = self._start(self._supervisor.run(done))
        return done

    async def _serve(self, channel: WebSocketChannel) -> None:
        # An open channel: send what the outbox holds, record what arrives until
        # the stream ends (the supervisor then says how it ended).
        self._start(self._outbox.pump(channel, self._record, lambda: channel is self.channel))
        await listen(channel, self._record)

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
        self._outbox.add(data if isinstance(data, str) else bytes(data))

    # -- receive ---------------------------------------------------------------------

    async def receive(self, timeout: float | None = 5.0) -> Message:
        """The oldest received message not yet returned by ``receive()``.

        Like websockets' ``recv()``: messages that arrived before the call count.
        Raises TimeoutError after ``timeout`` seconds, ChannelError when the
        connection is closed and nothing is left to read. However the wait ends
        (a message, a timeout, a cancel), it leaves nothing waiting behind: a
        message is taken only by a call that returns it.
        """
        return await self._inbox.receive(timeout)

    async def expect(self, match: Match, within: float | None = 2.0) -> Message:
        """The first unread message that ``match`` matches (see :mod:`wsecho_widget.model.match`).

        Messages that don't match stay, in order, for :meth:`receive`. Raises
        ExpectationFailed (an AssertionError) after ``within`` seconds, or when the
        connection ends first, saying what was expected and the last messages seen.
        """
        return await self._inbox.expect(match, matcher(match), within)

    def wait_for_reply(self, timeout: float | None = 5.0) -> Message:
        """:meth:`receive`, blocking: for code that cannot ``await``.

        In a running loop (a notebook) this re-enters the loop with nest-asyncio2.
        The kernel's Interrupt (or Ctrl-C) raises KeyboardInterrupt here and leaves
        nothing behind: the next :meth:`receive` gets the next message.
        """
        return run_nested(self.loop, self._inbox.receive(timeout), undo=self._inbox.give_back)

    def discard_queued(self) -> list[str | bytes]:
        """Take back the frames still waiting in the outbox (they will not be sent)."""
        return self._outbox.take_all()

    def discard_unread(self) -> int:
        """Forget the messages ``receive()`` has not returned; returns how many."""
        return self._inbox.discard()

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
        return self._start(self._disconnect(code, reason, self._run))

    def close(self) -> None:
        """End everything: the connection, the embedded server, every task.

        Safe to call from garbage collection, where no loop may be running.
        """
        if not self._closed:
            self._close_state()


#: What ``configure()`` takes: its own keywords and websockets' ``connect()``'s.
CONFIGURE_OPTIONS = keyword_names(Session.configure) | CONNECT_OPTIONS


def session_options() -> frozenset[str]:
    """Every keyword ``Session()`` takes (its own, ``configure()``'s, ``connect()``'s)."""
    return keyword_names(Session.__init__) | CONFIGURE_OPTIONS
