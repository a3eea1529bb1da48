"""The server's door: who is let in, and what the server says about who came and went.

:class:`Doorman` applies the :class:`~.gate.Gate` in websockets' opening-handshake
hooks and says each refusal in one line. :class:`GuardedConnection` is the
connection websockets makes for each client: it says the refusals the hooks never
see (oversized headers, garbage, a request that never completes) and closes a
client whose unread answers (pongs) pass its send queue. :class:`HandshakeLog` is the ``logger``
given to websockets' ``serve()``: its errors (a failed opening handshake, a broken
handler) become one notice each instead of a traceback in the notebook.
:func:`describe_end` reads a finished connection's close frames and says who
closed it and why. No widgets; must not import the hub.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sys
from collections.abc import Callable, MutableMapping
from typing import Any, ClassVar

from websockets.asyncio.server import ServerConnection
from websockets.frames import CloseCode, Frame, Opcode
from websockets.http11 import Request, Response
from websockets.protocol import State

from wsecho_widget.net._internals import close_frames
from wsecho_widget.net.errors import describe_close
from wsecho_widget.server.gate import Gate, Refusal, mask_path
from wsecho_widget.server.peers import Client

__all__ = ["Doorman", "GuardedConnection", "HandshakeLog", "describe_end", "short_reason"]

#: A message may hold at most this many fragments under SMALL_FRAGMENT bytes (a real
#: client that fragments sends kilobytes per fragment); past it the client is
#: closed with 1008 (the empty-fragment flood).
MAX_SMALL_FRAGMENTS = 1024
SMALL_FRAGMENT = 16
_DATA = (Opcode.TEXT, Opcode.BINARY, Opcode.CONT)

#: The longest reason a refusal line quotes from websockets (a hostile header is long).
REASON_CHARS = 160

#: ``notice(text, client, level)``: how the door speaks (the hub's ``notice``).
Say = Callable[[str, str | None, Any], Any]


def describe_end(client: Client, ping_timeout: float | None) -> str:
    """``disconnected: 1000 (normal closure)``, ``closed by server: 1009 ...``, ``gone: ...``."""
    rcvd, sent, rcvd_first = close_frames(client.websocket)
    if rcvd_first is None:  # only the code is known, not who closed
        return f"closed: {describe_close(rcvd.code, rcvd.reason)}" if rcvd else "gone: connection lost"
    if rcvd is not None and (sent is None or rcvd_first):
        return f"disconnected: {describe_close(rcvd.code, rcvd.reason)}"
    if sent is None:
        return "gone: connection lost (no close frame)"
    if sent.code == CloseCode.INTERNAL_ERROR and sent.reason == "keepalive ping timeout":
        within = f"within {ping_timeout:g} s" if ping_timeout is not None else "in time"
        return f"gone: no pong {within} (vanished without a close)"
    why = f" ({client.dropped_because})" if client.dropped_because and sent.code == 1008 else ""
    answered = "" if rcvd is not None else "; no close frame back"
    return f"closed by server: {describe_close(sent.code, sent.reason)}{why}{answered}"


class HandshakeLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    """websockets' logger for one hub: warnings and errors become notices.

    Info and debug records (listening, connection open) are left to websockets'
    own logger; the hub says those itself.
    """

    def __init__(self, say: Say) -> None:
        super().__init__(logging.getLogger("websockets.server"), {})
        self.say = say

    def process(self, msg: Any, kwargs: MutableMapping[str, Any]) -> tuple[Any, MutableMapping[str, Any]]:
        return msg, kwargs

    def log(self, level: int, msg: Any, *args: Any, **kwargs: Any) -> None:
        if level < logging.WARNING:
            if self.logger.isEnabledFor(level):
                self.logger.log(level, msg, *args, **kwargs)
            return
        text = str(msg) % args if args else str(msg)
        exc_info = kwargs.get("exc_info")
        exc = (
            sys.exc_info()[1]
            if exc_info is True
            else exc_info
            if isinstance(exc_info, BaseException)
            else None
        )
        if exc is not None:
            text += f": {type(exc).__name__}: {exc}" if str(exc) else f": {type(exc).__name__}"
        self.say(text, None, "error" if level >= logging.ERROR else "warning")


def short_reason(text: str) -> str:
    """websockets' refusal text in one short line, without its common preamble."""
    text = " ".join(text.split()).removeprefix("Failed to open a WebSocket connection: ")
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1] + "…"


class GuardedConnection(ServerConnection):
    """websockets' server connection with two guards for a hostile peer.

    A handshake that fails before the hooks run (431 for too many or too long
    headers, a request that is not HTTP, one that never completes within
    ``open_timeout``) is said in one line, as the hooks say theirs. And since
    websockets 17.4 answers every ping with a pong written whether or not the
    client reads (52 MB of pings left 46.6 MB queued here), each read checks the
    bytes waiting: past the client's send queue it is closed with 1008 and read no
    more; past twice that the TCP connection is dropped.
    """

    door: ClassVar[Doorman]
    peer: Client | None = None
    #: Fragments under SMALL_FRAGMENT bytes in the message being received.
    small_fragments = 0

    async def handshake(self, *args: Any, **kwargs: Any) -> None:
        try:
            await super().handshake(*args, **kwargs)
        except asyncio.CancelledError:  # open_timeout
            if self.request is None:
                self._say_refused("no complete request in time: closed")
            raise
        if self.request is None:
            exc = self.protocol.handshake_exc
            if exc is None:
                self._say_refused("closed before a complete request")
            else:
                cause = exc.__cause__ if exc.__cause__ is not None else exc
                status = _STATUS.get(type(exc).__name__, "")
                self._say_refused(f"{status}{short_reason(str(cause) or type(cause).__name__)}")

    def start_keepalive(self) -> None:
        # websockets pings ping_interval after each connection opens, so clients that
        # came in a burst are pinged in the same loop turn, every interval after:
        # 10,000 pings at once hold the kernel's loop. A random wait of up to one
        # interval before the first spreads them evenly over the interval.
        if self.ping_interval is not None:
            delay = random.uniform(0, self.ping_interval)
            self.keepalive_task = self.loop.create_task(self._keepalive_after(delay))

    async def _keepalive_after(self, delay: float) -> None:
        await asyncio.sleep(delay)
        await self.keepalive()

    def _say_refused(self, why: str) -> None:
        address = Client.format_address(self.remote_address)
        self.door.say(f"refused {address}: {why}", None, "warning")

    def process_event(self, event: Any) -> None:
        # A message of endless empty fragments never reaches max_size, yet websockets
        # keeps every fragment until the last: count the small ones.
        if isinstance(event, Frame) and event.opcode in _DATA and self.state is State.OPEN:
            if event.opcode is not Opcode.CONT:
                self.small_fragments = 0
            if len(event.data) < SMALL_FRAGMENT and not event.fin:
                self.small_fragments += 1
                if self.small_fragments > MAX_SMALL_FRAGMENTS:
                    self.protocol.fail(CloseCode.POLICY_VIOLATION, "too many fragments")
                    self.send_data()
                    self.transport.resume_reading()  # websockets may have paused it: see the EOF
                    count = f"{MAX_SMALL_FRAGMENTS:,} fragments of under {SMALL_FRAGMENT} bytes"
                    self._say_closed(f"more than {count} in one message")
                    return
        super().process_event(event)

    def _say_closed(self, why: str) -> None:
        peer = self.peer
        if peer is not None and peer.dropped_because is None:
            peer.dropped_because = why

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        peer = self.peer
        if peer is None:
            return
        waiting = self.transport.get_write_buffer_size()
        if waiting > peer.send_queue:
            self.door.overflow(peer, waiting)


_STATUS = {
    "TooManyHeaders": "HTTP 431 Request Header Fields Too Large: ",
    "HeaderLineTooLong": "HTTP 431 Request Header Fields Too Large: ",
    "RequestLineTooLong": "HTTP 414 URI Too Long: ",
    "InvalidMessage": "no valid HTTP request: ",
}


class Doorman:
    """websockets' ``process_request`` and ``process_response`` for one server.

    ``connected()`` counts the clients in; those that passed the gate but have not
    reached the handler yet count too, so a burst of handshakes cannot overshoot
    ``max_clients``. Call :meth:`admitted` when the handler takes a connection.
    """

    def __init__(
        self,
        gate: Gate,
        connected: Callable[[], int],
        say: Say,
        dropped: Callable[[Client], None] = lambda client: None,
    ) -> None:
        self.gate = gate
        self.connected = connected
        self.say = say
        self.dropped = dropped
        self._admitting: set[ServerConnection] = set()
        self._refusals: dict[ServerConnection, Refusal] = {}
        #: The connection class to give websockets' ``serve(create_connection=...)``.
        self.connection_class: type[GuardedConnection] = type(
            "HubConnection", (GuardedConnection,), {"door": self}
        )

    def admitted(self, connection: ServerConnection, client: Client | None = None) -> None:
        self._admitting.discard(connection)
        if isinstance(connection, GuardedConnection):
            connection.peer = client

    def overflow(self, client: Client, waiting: int) -> None:
        """``client``'s unread bytes passed its send queue: close it with 1008, read no more."""
        transport = client.websocket.transport
        if client.dropped_because is not None and waiting > 2 * client.send_queue:
            transport.abort()  # still growing: its close frame waits behind what it never reads
            return
        transport.pause_reading()
        why = (
            f"send queue full: {waiting:,} bytes waiting (bound {client.send_queue:,}); "
            "the client sends but does not read (the answers to its pings pile up)"
        )
        client.drop(1008, "send queue full", why)
        self.dropped(client)

    def process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        connected = self.connected()
        if connected + len(self._admitting) >= self.gate.max_clients:
            # Only near the bound does the count matter: forget those that closed
            # before their handler ran (pruning on every request is quadratic in a burst).
            self._admitting = {c for c in self._admitting if c.state is not State.CLOSED}
        refusal = self.gate.check(request, connected + len(self._admitting))
        if refusal is None:
            self._admitting.add(connection)
            return None
        self._refusals[connection] = refusal
        response = connection.respond(refusal.status, f"{refusal.reason}\n")
        if refusal.status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    def process_response(self, connection: ServerConnection, request: Request, response: Response) -> None:
        # Every refused handshake passes here, ours and websockets' own (a bad
        # request, a subprotocol it cannot agree on): one line each.
        if response.status_code == 101:
            return
        self._admitting.discard(connection)
        refusal = self._refusals.pop(connection, None)
        if refusal is not None:
            why = refusal.reason
        else:
            body = response.body.decode(errors="replace").strip()
            why = short_reason(body.splitlines()[0]) if body else ""
        address = Client.format_address(connection.remote_address)
        code = f"HTTP {response.status_code} {response.reason_phrase}"
        self.say(f"refused {address} {mask_path(request.path)}: {code}: {why}", None, "warning")
