"""What the protocol clients share: a Session underneath, a protocol handshake on top.

:class:`ProtocolClient` owns a :class:`~wsecho_widget.client.session.Session` (reconnect
with backoff, keepalive, TLS, secrets masking, the history) and adds what a
protocol needs on top of it: ``ready`` resolves when the protocol's own handshake
is done (Socket.IO's namespace joined, GraphQL's ``connection_ack``), not when
the WebSocket is open; a protocol may declare a close final (a refused
``connection_init``) or worth retrying (Engine.IO ends every session with 1000,
which the session alone takes as final): its ``_is_final`` is the session's
reconnect policy. Subclasses speak the protocol; this module knows none. No
widgets here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar

from wsecho_widget._util.observers import Observers, Unsubscribe
from wsecho_widget._util.options import check_options, keyword_names
from wsecho_widget._util.tasks import keep_task, quiet_future
from wsecho_widget.client.connection import ChannelError, WebSocketChannel, redact_url
from wsecho_widget.client.session import Session, Status, session_options
from wsecho_widget.model.message import DEFAULT_HISTORY_LIMIT, History, Message

__all__ = ["ProtocolClient"]

#: The session's keywords the protocol client sets itself.
SESSION_OWN = frozenset({"url", "on_status", "on_messages", "on_message", "is_final"})


class ProtocolClient:
    """A session plus a protocol handshake; subclasses fill in the protocol.

    ``status``/``detail`` say where the protocol stands: ``open`` only once the
    handshake is done. :meth:`observe` says who is told: ``on_change()`` after
    every change of status, ``on_frames(messages)`` with the raw frames as the
    session records them, ``on_notice(text)`` with one-line notices (a bad packet
    from the server, a callback that failed).
    """

    #: The protocol's name in messages ("Socket.IO", "GraphQL").
    protocol = "protocol"
    #: Extra columns for ``messages.to_pandas()``, by name (see ``History.columns``).
    columns: ClassVar[Mapping[str, Callable[[Message], object]]] = {}

    def __init__(
        self,
        ws_url: str,
        display_url: str,
        *,
        history_limit: int = DEFAULT_HISTORY_LIMIT,
        autoconnect: bool = True,
        **options: Any,
    ) -> None:
        # Checked here to name this class (and its own keywords) in the message.
        check_options(options, type(self).accepted_options(), f"{type(self).__name__}()")
        self.display_url = redact_url(display_url)
        self.session = Session(
            ws_url,
            history_limit=history_limit,
            on_status=self._session_status,
            on_messages=self._frames,
            is_final=self._is_final,
            **options,
        )
        self.session.history.columns.update(self.columns)
        self.loop = self.session.loop
        self.status: Status = "closed"
        self.detail = ""
        self._changed: Observers[[]] = Observers(self.loop, name=f"{type(self).__name__}.on_change")
        self._frames_seen: Observers[[Sequence[Message]]] = Observers(
            self.loop, name=f"{type(self).__name__}.on_frames"
        )
        self._notices: Observers[[str]] = Observers(self.loop, name=f"{type(self).__name__}.on_notice")
        # Seconds from a request (call(), execute()) to its answer: a subclass times its own.
        self._round_trips: Observers[[float]] = Observers(
            self.loop, name=f"{type(self).__name__}.on_round_trip"
        )
        self.tasks: set[asyncio.Task[Any]] = set()
        #: Resolves once the protocol's handshake is done; raises ChannelError (or the
        #: protocol's refusal) when the client gives up. Replaced while reconnecting.
        self.ready: asyncio.Future[None] = quiet_future(self.loop)
        self._final: str | None = None  # why we stopped for good, in words
        self._user_stop = False
        self._closed = False
        self._seen: WebSocketChannel | None = None  # the last channel whose end we handled
        if autoconnect:
            self.connect()

    @classmethod
    def accepted_options(cls) -> frozenset[str]:
        """Every keyword the client takes: its own, the session's, websockets' ``connect()``'s."""
        own = keyword_names(cls.__init__, skip=("ws_url", "display_url", "url"))
        return own | (session_options() - SESSION_OWN)

    # -- what subclasses fill in -----------------------------------------------------

    def _websocket_open(self) -> None:
        """The WebSocket is open: start the protocol's handshake."""

    def _received(self, message: Message) -> None:
        """One frame from the server."""

    def _lost(self, reason: str) -> None:
        """The connection ended (``reason`` in words): fail what waited on it."""

    def _is_final(self, channel: WebSocketChannel) -> bool | None:
        """The session's reconnect policy: whether a connection that was open and ended
        this way is the end (True), worth another try (False), or None: as the
        session decides on its own.
        """
        return None

    def _goodbye(self) -> None:
        """Say goodbye in the protocol before a disconnect (queued frames go first)."""

    def _stopped(self) -> None:
        """The client is closed or in error and will not reconnect by itself: wake waiters."""

    def _describe_end(self, channel: WebSocketChannel, detail: str) -> str:
        """How a connection that the protocol takes as final ended, in words."""
        return detail

    # -- observers ---------------------------------------------------------------------

    def _observed(self) -> dict[str, Observers[Any]]:
        """What :meth:`observe` takes, by keyword (subclasses add theirs)."""
        return {
            "on_change": self._changed,
            "on_frames": self._frames_seen,
            "on_notice": self._notices,
            "on_round_trip": self._round_trips,
        }

    def observe(self, **callbacks: Callable[..., object] | None) -> Unsubscribe:
        """Be told; returns the :class:`~wsecho_widget.Unsubscribe` that stops every callback given.

        ``on_change()`` after every change of status (and each heartbeat),
        ``on_frames(messages)`` with the raw frames as the session records them,
        ``on_notice(text)`` with each one-line notice; Socket.IO adds
        ``on_event(event)``, GraphQL ``on_result(subscription, kind, payload)``, and
        both ``on_round_trip(seconds)`` for each ``call()`` / ``execute()`` answered.
        Named ``observe``, not ``subscribe``: ``GraphQLClient.subscribe()`` runs a
        GraphQL subscription.
        """
        observed = self._observed()
        check_options(callbacks, observed, f"{type(self).__name__}.observe()")
        for name, callback in callbacks.items():
            if callback is not None and not callable(callback):
                raise TypeError(f"{name} takes a callable, not {type(callback).__name__}")
        return Unsubscribe(*(observed[k].subscribe(cb) for k, cb in callbacks.items() if cb is not None))

    @property
    def on_change(self) -> Observers[[]]:
        """Deprecated: ``observe(on_change=...)``."""
        return self._changed

    @property
    def on_frames(self) -> Observers[[Sequence[Message]]]:
        """Deprecated: ``observe(on_frames=...)``."""
        return self._frames_seen

    @property
    def on_notice(self) -> Observers[[str]]:
        """Deprecated: ``observe(on_notice=...)``."""
        return self._notices

    # -- state -----------------------------------------------------------------------

    @property
    def messages(self) -> History:
        """The raw frames sent and received, exactly as ``WebSocketPanel.messages`` keeps them."""
        return self.session.history

    @property
    def stopped(self) -> bool:
        """Whether the client is closed or in error and will not reconnect by itself."""
        return self.status in ("closed", "error")

    def _set(self, status: Status, detail: str) -> None:
        self.status, self.detail = status, detail
        if status in ("closed", "error"):
            self._stopped()
        self._changed()

    def _not_sent(self) -> ChannelError:
        reason = f" ({self.detail})" if self.detail else ""
        return ChannelError(f"not sent: not connected{reason}; connect first")

    def _notice(self, text: str) -> None:
        self._notices(text)

    def _start(self, coro: Any) -> asyncio.Task[Any]:
        return keep_task(self.loop, self.tasks, coro, lambda e: self._notice(f"{type(e).__name__}: {e}"))

    def _handshake_done(self, detail: str) -> None:
        self._set("open", detail)
        if self.ready.done():
            self.ready = quiet_future(self.loop)
        self.ready.set_result(None)

    def _refuse(self, reason: str, error: Exception | None = None, code: int = 1000, why: str = "") -> None:
        """The server said no for good (a refused join, a 44xx close): stop, say why.

        ``code`` and ``why`` go in our close frame (4004 "Bad response" for a server
        that broke the protocol)."""
        self._final = reason
        self._fail_ready(error or ChannelError(reason))
        self._set("error", f"{reason}; not reconnecting")
        if self.session.status in ("open", "connecting"):
            self.session.disconnect(code, why)

    def _ended(self, reason: str) -> None:
        """The server ended the conversation normally (a namespace disconnect): stop."""
        self._final = reason
        self._fail_ready(ChannelError(reason))
        self._set("closed", f"{reason}; not reconnecting")
        if self.session.status in ("open", "connecting"):
            self.session.disconnect()

    def _fail_ready(self, error: Exception) -> None:
        if self.ready.done():
            self.ready = quiet_future(self.loop)
        self.ready.set_exception(error)

    # -- the session underneath ------------------------------------------------------

    def _frames(self, messages: Sequence[Message]) -> None:
        for message in messages:
            if message.direction == "received":
                self._received(message)
        self._frames_seen(messages)

    def _session_status(self, status: Status, detail: str) -> None:
        # The session names its WebSocket URL; people gave ours (Socket.IO's is long).
        if self.session.display_url:
            detail = detail.replace(self.session.display_url, self.display_url)
        channel = self.session.channel
        if channel is not None and channel.closed.done() and channel is not self._seen:
            self._seen = channel
            if channel.ready.done() and channel.ready.exception() is None:
                self._connection_ended(channel, status, detail)
                return
        if self._final is not None:
            return  # our own status says more than the session's
        if status == "open":
            self._set("connecting", f"{self.display_url}: WebSocket open, {self.protocol} handshake…")
            self._websocket_open()
            return
        if status in ("closed", "error") and not self.ready.done():
            self._fail_ready(ChannelError(detail or status))
        self._set(status, detail)

    def _connection_ended(self, channel: WebSocketChannel, status: Status, detail: str) -> None:
        # The session has decided already (with our _is_final): it is reconnecting,
        # or it stopped; a close the protocol calls final is shown in its words.
        self._lost(detail)
        if self._final is not None or self._user_stop:
            if self._final is None:
                self._set(status, detail)
            return
        if self.ready.done():
            self.ready = quiet_future(self.loop)
        if self._is_final(channel):
            self._refuse(self._describe_end(channel, detail))
            return
        if status in ("closed", "error"):
            self._fail_ready(ChannelError(detail))
        self._set(status, detail)

    # -- what users call ---------------------------------------------------------------

    def connect(self) -> asyncio.Future[None]:
        """(Re)connect; the returned future (``ready``) resolves once the handshake is done."""
        if self._closed:
            raise ChannelError("this client is closed: create a new one")
        self._final, self._user_stop = None, False
        if self.ready.done():
            self.ready = quiet_future(self.loop)
        self.session.connect()
        return self.ready

    def disconnect(self, code: int = 1000, reason: str = "") -> asyncio.Task[None]:
        """Say goodbye in the protocol, close the connection, stop reconnecting."""
        self._user_stop = True
        if self.session.status == "open":
            self._goodbye()
        if not self.ready.done():
            self.ready.set_exception(ChannelError("disconnected"))
        return self.session.disconnect(code, reason)

    def close(self) -> None:
        """End everything: the connection, every task. Safe from garbage collection."""
        if self._closed:
            return
        self._closed = self._user_stop = True
        self._lost("closed")
        for task in list(self.tasks):
            task.cancel()
        if not self.ready.done():
            self.ready.set_exception(ChannelError("closed"))
        self.session.close()
