"""One connected client of the server panel, and how frames are written to it.

:class:`Client` holds what the handshake told (address, path, subprotocol, headers)
and writes frames straight into its connection's transport, the way
``websockets.broadcast`` does, with a bound: the bytes waiting for that client
(:data:`DEFAULT_SEND_QUEUE`). No widgets; must not import the hub.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.protocol import State

from wsecho_widget.net._internals import send_close_now, write_frame
from wsecho_widget.net.errors import ChannelError, close_reason
from wsecho_widget.server.gate import mask_headers, mask_path

__all__ = ["DEFAULT_SEND_QUEUE", "Client", "Target", "resolve", "server_frame", "stalled"]

#: The most bytes that may wait for one client (written by the server, not yet
#: taken by that client's TCP connection) before one more frame closes it with
#: 1008. 4 MiB: hundreds of thousands of small frames, or a few pictures, in
#: flight to a client that is slow but alive; a client that stopped reading
#: reaches it and is dropped instead of growing the kernel's memory. A frame is
#: accepted whenever less than the bound waits, so one frame of any size (up to
#: ``max_size``) always goes out to a client that keeps up.
DEFAULT_SEND_QUEUE = 4 * 2**20

_OPEN = State.OPEN


def server_frame(payload: bytes, text: bool) -> bytes:
    """One whole unmasked frame (FIN set, no extension) as a server writes it.

    RFC 6455 5.2 framing by hand: a fifth of the time of websockets'
    ``Frame.serialize``, which checks and handles what a server frame without
    extensions never needs; the echo of every frame pays it.
    """
    first, size = (0x81 if text else 0x82), len(payload)
    if size < 126:
        return bytes((first, size)) + payload
    if size < 1 << 16:
        return struct.pack("!BBH", first, 126, size) + payload
    return struct.pack("!BBQ", first, 127, size) + payload


class Client:
    """A client connected to the server panel.

    ``id`` is short and stable ("c1", "c2", ... in connection order). ``path`` is the
    request path with a ``token`` query value masked; ``request_headers`` are the
    headers as received (mask them with :func:`~wsecho_widget.server.gate.mask_headers`
    before showing them). ``close_code`` and ``close_reason`` say how it ended.
    """

    def __init__(self, client_id: str, websocket: ServerConnection, send_queue: int) -> None:
        self.id = client_id
        self.websocket = websocket
        self.remote_address: tuple[Any, ...] = tuple(websocket.remote_address or ())
        request = websocket.request
        self.path = mask_path(request.path) if request is not None else "/"
        self.request_headers: Headers = request.headers if request is not None else Headers()
        self.subprotocol: str | None = websocket.subprotocol
        self.connected_at = datetime.now().astimezone()
        self.send_queue = send_queue
        self.close_code: int | None = None
        self.close_reason = ""
        #: Why the server ended this client, when it did (send queue full, ...).
        self.dropped_because: str | None = None
        #: Whether the hub has said why it dropped this client.
        self.reported = False
        self.sent = 0
        #: Bytes written for this client, and how many checks in a row found it
        #: taking none of those that wait (see :func:`stalled`).
        self.written = 0
        self._taken = 0
        self._idle_checks = 0
        self._close_task: asyncio.Future[None] | None = None
        self.received = 0
        #: Done once the client has gone and the hub has said so.
        self.ended: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    @staticmethod
    def format_address(address: Any) -> str:
        """``host:port`` of a socket address (``[::1]:port`` for IPv6)."""
        if not isinstance(address, tuple) or len(address) < 2:
            return "?"
        host, port = address[0], address[1]
        return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"

    @property
    def address(self) -> str:
        """``host:port`` of the client (``[::1]:port`` for IPv6)."""
        return self.format_address(self.remote_address)

    @property
    def is_open(self) -> bool:
        """Whether frames can be sent to it now (open, not closing)."""
        return self.websocket.state is _OPEN

    @property
    def waiting(self) -> int:
        """Bytes written for this client that its connection has not taken yet."""
        return self.websocket.transport.get_write_buffer_size()

    def write(self, payload: bytes, text: bool, wire: bytes) -> bool:
        """Write one frame now (``payload`` is UTF-8 for text); False if not written.

        Not written to a client that is closing, nor to one whose send queue is
        full: that one is closed with 1008 (``dropped_because`` says why). The
        caller encodes and frames once for many clients: ``wire`` is the whole
        frame as a server sends it (see ``net._internals.write_frame``).
        """
        ws = self.websocket
        if ws.state is not _OPEN:
            return False
        waiting = ws.transport.get_write_buffer_size()
        if waiting > self.send_queue:
            why = (
                f"send queue full: {waiting:,} bytes waiting (bound {self.send_queue:,}); "
                "the client is not reading"
            )
            self.drop(1008, "send queue full", why)
            return False
        self.written += len(wire)
        write_frame(ws, payload, text, wire)  # framed once for every client
        self.sent += 1
        return True

    def drop(self, code: int, reason: str, why: str | None = None) -> None:
        """Start the closing handshake with ``code`` without waiting for the socket.

        ``Connection.close()`` waits until the write buffer drains, which never
        happens for a client that stopped reading; here the close frame is queued
        behind what waits, and :meth:`finish_close` aborts the TCP connection if
        the client has not answered in time.
        """
        ws = self.websocket
        reason = close_reason(reason)  # longer than 123 bytes, websockets raises instead
        if why is not None and self.dropped_because is None:
            self.dropped_because = why
        if ws.state is _OPEN and not send_close_now(ws, code, reason):
            self._close_task = asyncio.ensure_future(ws.close(code, reason))

    async def finish_close(self, timeout: float) -> None:
        """Wait for the connection to end, at most ``timeout`` seconds, then abort it."""
        ws = self.websocket
        try:
            async with asyncio.timeout(timeout):
                await ws.wait_closed()
        except TimeoutError:
            ws.transport.abort()
            await ws.wait_closed()

    def describe(self) -> str:
        """Who this client is, for people: a summary line, then its handshake headers.

        Credential headers (Authorization, Cookie, ...) are shown as ``***``.
        """
        protocol = self.subprotocol or "none"
        head = (
            f"{self.id} from {self.address} · path {self.path} · subprotocol {protocol} · "
            f"connected {self.connected_at:%H:%M:%S}"
        )
        headers = [f"{name}: {value}" for name, value in mask_headers(self.request_headers)]
        return "\n".join([head, *headers])

    def __repr__(self) -> str:
        state = "open" if self.is_open else "closed" if self.close_code is not None else "closing"
        return f"<Client {self.id} {self.address} {self.path} {state}>"


#: Whom to send to: None (every client), a client, its id, or a list of them.
Target = Client | str | Iterable[Client | str] | None


def resolve(clients: Mapping[str, Client], issued: int, to: Target) -> list[Client]:
    """The open clients ``to`` names (not None); ``issued`` is the highest id number given.

    A client that has gone raises ChannelError ("c3 has disconnected"), an id
    never given ValueError: both before anything is sent.
    """
    items = [to] if isinstance(to, (Client, str)) else list(to or ())
    found = []
    for item in items:
        client_id = item.id if isinstance(item, Client) else item
        client = clients.get(client_id)
        if client is not None and client.is_open:
            found.append(client)
        elif isinstance(item, Client) or _was_issued(client_id, issued):
            raise ChannelError(f"not sent: {client_id} has disconnected")
        else:
            known = ", ".join(clients) or "none"
            raise ValueError(f"no client {client_id!r} (connected: {known})")
    return found


def _was_issued(client_id: str, issued: int) -> bool:
    return (
        client_id.startswith("c")
        and client_id[1:].isascii()
        and client_id[1:].isdigit()
        and 0 < int(client_id[1:]) <= issued
    )


def stalled(clients: Iterable[Client], checks: int, timely: bool) -> list[Client]:
    """The open clients that took none of the bytes waiting for them ``checks`` checks in a row.

    Call once per keepalive interval. websockets' keepalive cannot see such a
    client: its ping waits behind the data the client does not read. ``timely``
    False (the loop woke late, e.g. after a long blocking cell, during which
    nothing could be written) starts every count again.
    """
    found = []
    for client in clients:
        waiting = client.waiting if client.is_open else 0
        taken = client.written - waiting
        if not timely or waiting == 0 or taken != client._taken:
            client._taken, client._idle_checks = taken, 0
            continue
        client._idle_checks += 1
        if client._idle_checks >= checks:
            found.append(client)
    return found
