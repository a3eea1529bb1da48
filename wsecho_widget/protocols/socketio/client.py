"""A Socket.IO client on the session: join a namespace, emit, call, listen.

:class:`SocketIOClient` speaks Socket.IO v5 over Engine.IO v4 on the WebSocket a
:class:`~wsecho_widget.client.session.Session` keeps open (reconnect with backoff,
keepalive, TLS, secrets masking, the raw history). It answers the server's
heartbeats itself (counted, never shown as events), joins the namespace again
after each reconnect (a new Engine.IO session), and keeps the events sent and
received, bounded. The packets themselves are :mod:`~wsecho_widget.protocols.socketio.protocol`'s.
No widgets here.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Literal

from wsecho_widget._util.loop import Watchdog
from wsecho_widget._util.observers import Observers
from wsecho_widget._util.tasks import require_loop
from wsecho_widget.client.connection import ChannelError, WebSocketChannel
from wsecho_widget.model.match import contains
from wsecho_widget.model.message import DEFAULT_HISTORY_LIMIT, Direction, Message
from wsecho_widget.net.inbox import Inbox
from wsecho_widget.protocols._client import ProtocolClient
from wsecho_widget.protocols.socketio.handlers import Handlers, PendingAcks
from wsecho_widget.protocols.socketio.protocol import (
    RESERVED_EVENTS,
    Decoder,
    EngineClose,
    EngineOpen,
    EnginePing,
    Frame,
    Packet,
    PacketType,
    ProtocolError,
    encode_ack,
    encode_connect,
    encode_disconnect,
    encode_event,
    socketio_url,
)
from wsecho_widget.protocols.socketio.render import socketio_event

__all__ = ["Event", "SocketIOClient", "SocketIOError"]


class SocketIOError(ChannelError):
    """The server refused to let us join the namespace (a CONNECT_ERROR)."""


@dataclass(frozen=True, slots=True)
class Event:
    """One Socket.IO event (or ack) sent or received.

    ``kind`` is ``"event"`` or ``"ack"`` (then ``name`` is the acknowledged event's
    name when we know it). ``ack`` is the ack id the event asked for, or answers.
    """

    name: str
    args: list[Any]
    namespace: str = "/"
    direction: Direction = "received"
    timestamp: float = field(default_factory=time.time)
    kind: Literal["event", "ack"] = "event"
    ack: int | None = None

    @property
    def time(self) -> datetime:
        """When it was sent or received (aware, local time zone)."""
        return datetime.fromtimestamp(self.timestamp).astimezone()


EventMatch = str | Mapping[str, Any] | Callable[[Event], bool]


class SocketIOClient(ProtocolClient):
    """``await client.ready``, then ``emit``, ``call``, ``on`` and ``receive_event``.

    ``url`` is the server as people write it (``http://127.0.0.1:5000``); the WebSocket
    goes to ``{path}/?EIO=4&transport=websocket``. ``auth`` (a dict) is sent when joining
    ``namespace``; ``options`` go to the session and on to websockets' ``connect()``.
    """

    protocol = "Socket.IO"
    columns: ClassVar = {"event": socketio_event}  # messages.to_pandas(): each event's name

    def __init__(
        self,
        url: str = "http://127.0.0.1:5000",
        *,
        namespace: str = "/",
        auth: Mapping[str, Any] | None = None,
        path: str = "/socket.io",
        event_limit: int = 1000,
        history_limit: int = DEFAULT_HISTORY_LIMIT,
        autoconnect: bool = True,
        **options: Any,
    ) -> None:
        encode_connect(namespace, auth)  # check both now, not at the first join
        if event_limit < 1:
            raise ValueError(f"event_limit must be at least 1, not {event_limit}")
        self.namespace = namespace
        self.auth = dict(auth) if auth is not None else None
        #: The namespace's session id once joined (a new one after each reconnect).
        self.sid: str | None = None
        #: The Engine.IO handshake of the current connection.
        self.engine: EngineOpen | None = None
        #: Heartbeats (Engine.IO pings) answered since the client was created.
        self.heartbeats = 0
        #: Events sent and received, oldest first, at most ``event_limit``.
        self.events: deque[Event] = deque(maxlen=event_limit)
        self._handlers = Handlers(self._answer, self._notice, self._start)
        loop = require_loop("SocketIOClient")
        self._events_seen: Observers[[Event]] = Observers(loop, name="SocketIOClient.on_event")
        self._asked: dict[int, float] = {}  # ack id -> when the request went (or was queued)
        self._inbox: Inbox[Event] = Inbox(loop, event_limit, self._why_done, "event")
        self._acks = PendingAcks(loop)
        self._outbox: deque[Frame] = deque()  # frames waiting for the namespace to be joined
        self._decoder = Decoder()
        self._watchdog = Watchdog(loop, self._no_heartbeat)
        super().__init__(
            socketio_url(url, path), url, history_limit=history_limit, autoconnect=autoconnect, **options
        )

    def _observed(self) -> dict[str, Observers[Any]]:
        # on_round_trip (the base's): an emit that asked for an ack (call(), request()), to its ack.
        return {**super()._observed(), "on_event": self._events_seen}

    @property
    def on_event(self) -> Observers[[Event]]:
        """Deprecated: ``observe(on_event=...)``, called with each Event (and ack) sent or received."""
        return self._events_seen

    @property
    def joined(self) -> bool:
        return self.sid is not None and self.status == "open"

    # -- sending ---------------------------------------------------------------------

    def emit(self, event: str, *args: Any) -> None:
        """Send an event with ``args`` (JSON values; bytes go as binary attachments).

        Before the namespace is joined (or while reconnecting) it waits and goes out
        in order once joined. Raises ValueError for arguments JSON cannot carry,
        ChannelError when the client has stopped.
        """
        self._emit(event, args, None)

    async def call(self, event: str, *args: Any, timeout: float | None = 5.0) -> list[Any]:
        """Emit ``event`` asking for an acknowledgement; return the ack's arguments.

        Raises TimeoutError when no ack comes within ``timeout`` seconds,
        ChannelError when the connection ends first.
        """
        future = self.request(event, *args)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            raise TimeoutError(f"no ack for {event!r} within {timeout} s") from None

    def request(self, event: str, *args: Any) -> asyncio.Future[list[Any]]:
        """Emit ``event`` asking for an ack, now; the future gets the ack's arguments.

        What :meth:`call` awaits: raises at once for bad arguments, like :meth:`emit`.
        Cancelling the future forgets the ack.
        """
        id = self._acks.next_id()
        self._emit(event, args, id)
        self._asked[id] = time.time()
        future = self._acks.wait(id, event)
        future.add_done_callback(lambda _: self._asked.pop(id, None))
        return future

    def _emit(self, event: str, args: tuple[Any, ...], id: int | None) -> None:
        _check_name(event)
        if self.stopped:
            raise self._not_sent()
        frames = encode_event(event, args, self.namespace, id)
        _check_size(frames, self.engine)
        record = Event(event, list(args), self.namespace, "sent", ack=id)
        if self.joined:
            self._send(frames)
        else:
            self._outbox.extend(frames)
        self._record(record)

    def _send(self, frames: list[Frame]) -> None:
        for frame in frames:
            self.session.send(frame)

    def _goodbye(self) -> None:
        if self.joined:
            self.session.send(encode_disconnect(self.namespace))

    # -- receiving -------------------------------------------------------------------

    def on(self, event: str, callback: Callable[..., Any] | None = None) -> Any:
        """Call ``callback(*args)`` for each received ``event``; sync or async.

        What a callback returns answers the server's ack request, if it made one
        (a tuple gives several arguments). A callback that raises is reported as a
        notice. Returns ``callback``; without one, a decorator: ``@client.on("chat")``.
        """
        if callback is None:
            return lambda function: self.on(event, function)
        self._handlers.add(event, callback)
        return callback

    def off(self, event: str, callback: Callable[..., Any]) -> None:
        """Forget ``callback`` for ``event`` (ValueError if it was not registered)."""
        self._handlers.remove(event, callback)

    async def receive_event(self, timeout: float | None = 5.0) -> Event:
        """The oldest received event not yet returned here.

        Raises TimeoutError after ``timeout`` seconds, ChannelError when the client
        has stopped and nothing is left to read.
        """
        return await self._inbox.receive(timeout)

    def _record(self, event: Event) -> None:
        self.events.append(event)
        if event.direction == "received" and event.kind == "event":
            self._inbox.put(event)
        self._events_seen(event)

    async def expect(self, match: EventMatch, within: float | None = 2.0) -> Event:
        """The first unread event ``match`` matches (its name, a dict: a subset of its first argument,
        or a callable taking an Event); others stay for :meth:`receive_event`. ExpectationFailed
        (an AssertionError) after ``within`` seconds, with the last five events seen."""
        if isinstance(match, str):
            test: Callable[[Event], bool] = lambda event: event.name == match  # noqa: E731
        elif isinstance(match, Mapping):
            test = lambda event: bool(event.args) and contains(match, event.args[0])  # noqa: E731
        elif callable(match):
            test = match
        else:
            raise TypeError(f"expect() takes an event name, a dict or a callable, not {type(match).__name__}")
        return await self._inbox.expect(match, test, within)

    def _why_done(self) -> str | None:
        # Called by the inbox only, after __init__: None while events may still come.
        return f"{self.status} ({self.detail})" if self.stopped else None

    def _received(self, message: Message) -> None:
        try:
            items = self._decoder.feed(message.data)
        except ProtocolError as exc:
            self._notice(f"bad packet from the server: {exc}")
            return
        for item in items:
            if isinstance(item, EnginePing):
                self.heartbeats += 1
                self.session.send(item.pong())
                self._arm_watchdog()
                self._changed()
            elif isinstance(item, Packet):
                if item.namespace == self.namespace:
                    self._packet(item, message.timestamp)
            elif isinstance(item, EngineOpen):
                self.engine = item
                self._arm_watchdog()
                self.session.send(encode_connect(self.namespace, self.auth))
                self._set("connecting", f"{self.display_url}: joining namespace {self.namespace}…")
            elif isinstance(item, EngineClose):
                self._notice("the server closed the Engine.IO session")

    def _packet(self, packet: Packet, timestamp: float) -> None:
        kind = packet.type
        if kind == PacketType.EVENT:
            name, *args = packet.data
            self._record(Event(name, args, packet.namespace, "received", timestamp, ack=packet.id))
            self._handlers.dispatch(name, args, packet.id)
        elif kind == PacketType.ACK:
            assert packet.id is not None
            name = self._acks.event(packet.id)
            asked = self._asked.pop(packet.id, None)
            if asked is not None and timestamp >= asked:
                self._round_trips(timestamp - asked)
            self._record(Event(name, packet.data, packet.namespace, "received", timestamp, "ack", packet.id))
            self._acks.resolve(packet.id, packet.data)
        elif kind == PacketType.CONNECT:
            self.sid = packet.data["sid"]
            self._handshake_done(f"{self.display_url} · namespace {self.namespace} · sid {self.sid}")
            frames, self._outbox = list(self._outbox), deque()
            self._send(frames)
            now = time.time()  # requests that waited for the join go now: their round trips start
            self._asked = dict.fromkeys(self._asked, now)
        elif kind == PacketType.CONNECT_ERROR:
            data = packet.data
            why = data.get("message") if isinstance(data, dict) else data
            why = str(why or "no reason given")[:200]
            reason = f"namespace {self.namespace} refused by the server: {why}"
            self.sid = None
            self._refuse(reason, SocketIOError(reason))
        elif kind == PacketType.DISCONNECT:
            self.sid = None
            self._ended(f"the server disconnected namespace {self.namespace}")

    def _answer(self, ack: int, value: Any) -> None:
        args = list(value) if isinstance(value, tuple) else [] if value is None else [value]
        try:
            frames = encode_ack(ack, args, self.namespace)
        except ValueError as exc:
            self._notice(f"ack {ack} not sent: {exc}")
            return
        if self.joined:
            self._send(frames)
            self._record(Event("ack", args, self.namespace, "sent", kind="ack", ack=ack))

    # -- the connection's life -------------------------------------------------------

    def _websocket_open(self) -> None:
        # A new Engine.IO session: the server speaks first (its open packet). Frames
        # the session still holds from the last connection belong to the old Engine.IO
        # session; resend our packets after the new join, drop the stale pongs/joins.
        self._decoder.reset()
        stale = self.session.discard_queued()
        keep = [f for f in stale if not isinstance(f, str) or f[:2] not in ("3", "40", "41")]
        self._outbox.extendleft(reversed(keep))

    def _arm_watchdog(self) -> None:
        # Engine.IO's liveness rule: no ping within pingInterval + pingTimeout means the
        # server is gone, even while TCP (and WebSocket pings) still answer.
        if self.engine is not None:
            self._watchdog.arm(self.engine.ping_interval + self.engine.ping_timeout)

    def _no_heartbeat(self, wait: float) -> None:
        channel = self.session.channel
        if channel is not None and channel.is_open:
            # Dropped without a closing handshake: the session reconnects (a new Engine.IO session).
            reason = f"no heartbeat from the Socket.IO server within {wait:g} s: connection lost"
            self._notice(reason)
            channel.fail(reason)

    def _stopped(self) -> None:
        self._inbox.wake()  # receive_event() waiters see that nothing more will come

    def _lost(self, reason: str) -> None:
        self._watchdog.disarm()
        self.sid = None
        self.engine = None
        self._acks.fail_all(reason)
        self._inbox.wake()

    def _is_final(self, channel: WebSocketChannel) -> bool | None:
        # Engine.IO ends every session with a normal closure, even a server restart:
        # only a namespace disconnect (handled as final already) means "do not return".
        return False if channel.close_code in (1000, 1005) else None

    def close(self) -> None:
        self._watchdog.disarm()
        super().close()

    def __repr__(self) -> str:
        return f"<SocketIOClient {self.display_url} {self.namespace} {self.status} sid={self.sid}>"


def _check_name(event: object) -> None:
    if not isinstance(event, str) or not event:
        raise ValueError("an event name is a non-empty str")
    if event in RESERVED_EVENTS:
        raise ValueError(f"{event!r} is a reserved event name in Socket.IO")


def _check_size(frames: list[Frame], engine: EngineOpen | None) -> None:
    # The server's maxPayload, from its Engine.IO handshake (unknown before it).
    limit = engine.max_payload if engine is not None else None
    for frame in frames:
        size = len(frame.encode()) if isinstance(frame, str) else len(frame)
        if limit is not None and size > limit:
            raise ValueError(f"not sent: a packet of {size:,} bytes; the server takes at most {limit:,}")
