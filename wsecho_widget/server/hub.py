"""The server panel's core: a WebSocket server in the running loop that people watch.

:class:`Hub` listens with websockets' asyncio server in the kernel's own loop (no
threads), names clients "c1", "c2", ..., records every frame in a bounded
:class:`~wsecho_widget.model.History` (``Message.client`` says whose), echoes or
not, sends to one, some or all clients, and says what happens as one-line
:class:`Notice` records: connections, refused handshakes, closes and callback
failures, never a traceback. Handshake rules: :mod:`.gate`; a client and its send
queue: :mod:`.peers`; who is let in: :mod:`.door`; notices and callbacks: :mod:`.events`;
the history and the inbox: :mod:`._records`. No widgets: the panel observes the hub through ``subscribe()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
import time
from collections import deque
from collections.abc import Iterable, Sequence
from ssl import SSLContext
from typing import Any, Literal

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from wsecho_widget._util.options import check_options, keyword_names
from wsecho_widget._util.tasks import keep_task, quiet_future, require_loop
from wsecho_widget.model.match import Match
from wsecho_widget.model.message import DEFAULT_HISTORY_LIMIT, Message
from wsecho_widget.net.errors import ChannelError, check_close_code
from wsecho_widget.server._records import Records
from wsecho_widget.server.addresses import connect_urls, local_url
from wsecho_widget.server.door import Doorman, HandshakeLog, describe_end
from wsecho_widget.server.events import CallbackMethods, Callbacks, Notice
from wsecho_widget.server.gate import Gate
from wsecho_widget.server.options import HUB_OPTIONS, SERVE_OPTIONS
from wsecho_widget.server.peers import DEFAULT_SEND_QUEUE, Client, Target, resolve, server_frame, stalled

__all__ = ["BROADCAST", "HUB_OPTIONS", "Hub", "HubStatus", "Mode", "Notice", "Target"]

HubStatus = Literal["starting", "listening", "closed", "error"]
Mode = Literal["echo", "manual"]

#: ``Message.client`` of a frame sent to every connected client.
BROADCAST = "*"

#: How many notices the hub keeps (the panel's log shows them as they come).
NOTICE_LIMIT = 1000


class Hub(CallbackMethods):
    """A WebSocket server on ``host:port`` (port 0 picks a free one), started at once.

    ``await hub.ready`` raises :class:`ChannelError` with one clear line when it
    cannot listen. ``mode`` "echo" sends each frame back to its sender; "manual"
    leaves answering to people and code. See :class:`~.gate.Gate` for ``path``,
    ``origins``, ``token`` and ``max_clients``; ``send_queue`` bounds each
    client's waiting bytes (:data:`~.peers.DEFAULT_SEND_QUEUE`). Other ``options``
    go to :func:`websockets.asyncio.server.serve`; one it does not take raises
    TypeError at once, naming the closest valid one.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        mode: Mode = "echo",
        path: str | None = None,
        subprotocols: Sequence[str] | None = None,
        ssl: SSLContext | None = None,
        max_size: int | None = 16 * 2**20,
        max_clients: int = 1000,
        origins: Iterable[str | None] | None = None,
        token: str | None = None,
        send_queue: int = DEFAULT_SEND_QUEUE,
        history_limit: int = DEFAULT_HISTORY_LIMIT,
        **options: Any,
    ) -> None:
        check_options(options, hub_options(), "Hub()")
        self.loop = require_loop("the server panel")
        if mode not in ("echo", "manual"):
            raise ValueError(f"mode must be 'echo' or 'manual', not {mode!r}")
        if isinstance(subprotocols, str):
            raise TypeError(f"subprotocols is a list, e.g. [{subprotocols!r}], not one string")
        self.gate = Gate(path=path, origins=origins, token=token, max_clients=max_clients)
        self.host, self.port, self.mode = host, port, mode
        self.tls = ssl is not None
        self.send_queue = send_queue
        self.options: dict[str, Any] = {**HUB_OPTIONS, **options}
        self.options.update(max_size=max_size, subprotocols=subprotocols, ssl=ssl)
        self.notices: deque[Notice] = deque(maxlen=NOTICE_LIMIT)
        self.status: HubStatus = "starting"
        self.detail = ""
        self.tasks: set[asyncio.Task[Any]] = set()
        #: Who is told of what: ``subscribe()``, ``on_message()``... (see :class:`Callbacks`).
        self.callbacks = Callbacks(self.loop, lambda text, client: self.notice(text, client, "error"))
        self._clients: dict[str, Client] = {}
        self._ids = itertools.count(1)
        self._issued = 0
        self._door = Doorman(self.gate, lambda: len(self._clients), self.notice, self._dropped)
        self._records = Records(self.loop, history_limit, self.callbacks)
        #: Every frame sent or received, oldest first, bounded by ``history_limit`` (exact totals kept).
        self.messages = self._records.history
        self._server: Server | None = None
        self._closing = False
        self.ready: asyncio.Future[None] = quiet_future(self.loop)
        self.closed: asyncio.Future[None] = self.loop.create_future()
        self._start(self._listen())

    # -- state -----------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The URL to connect to from this machine (``ws://127.0.0.1:PORT``)."""
        return local_url(self.host, self.port, tls=self.tls)

    @property
    def urls(self) -> list[str]:
        """Every URL to connect to: this machine's, then (for 0.0.0.0) the LAN's and the emulator's."""
        return connect_urls(self.host, self.port, tls=self.tls)

    @property
    def clients(self) -> list[Client]:
        """The connected clients, oldest first."""
        return list(self._clients.values())

    def client(self, client_id: str) -> Client:
        """The connected client with this id; ChannelError if it has gone."""
        return resolve(self._clients, self._issued, client_id)[0]

    def _set_status(self, status: HubStatus, detail: str = "") -> None:
        self.status, self.detail = status, detail
        self.callbacks.status(status, detail)
        if status in ("closed", "error"):
            self._records.inbox.close(f"the server is {status}")

    def notice(self, text: str, client: str | None = None, level: Any = "info") -> Notice:
        """Add one line to what the server says (the panel's log shows it)."""
        item = Notice(text, client, level)
        self.notices.append(item)
        self.callbacks.notice(item)
        return item

    def _start(self, coro: Any) -> asyncio.Task[Any]:
        return keep_task(self.loop, self.tasks, coro, self._task_failed)

    def _task_failed(self, exc: BaseException) -> None:
        self.notice(f"internal error: {type(exc).__name__}: {exc}", level="error")

    def __repr__(self) -> str:
        token = " · token required" if self.gate.has_token else ""
        return f"<Hub {self.url} {self.status} · {len(self._clients)} clients · {self.mode}{token}>"

    # -- listening -------------------------------------------------------------------

    async def _listen(self) -> None:
        try:
            server = await serve(
                self._handle,
                self.host,
                self.port,
                process_request=self._door.process_request,
                process_response=self._door.process_response,
                logger=HandshakeLog(self.notice),
                create_connection=self._door.connection_class,
                **self.options,
            )
        except OSError as exc:
            why = exc.strerror or str(exc)
            message = f"cannot listen on {self.host}:{self.port}: {why}"
            self._set_status("error", message)
            self.notice(message, level="error")
            self.ready.set_exception(ChannelError(message))
            self.closed.set_result(None)
            return
        self._server = server
        if self.port == 0:
            self.port = next(iter(server.sockets)).getsockname()[1]
        if self._closing:
            server.close()
            return
        self._set_status("listening", self.url)
        self.notice(f"listening on {', '.join(self.urls)}")
        self.ready.set_result(None)
        if self.options.get("ping_interval") is not None:
            self._start(_watch_stalls(self, self.options["ping_interval"], self.options.get("ping_timeout")))

    async def _handle(self, websocket: ServerConnection) -> None:
        number = next(self._ids)
        self._issued = number
        client = Client(f"c{number}", websocket, self.send_queue)
        self._door.admitted(websocket, client)
        self._clients[client.id] = client
        protocol = f" · subprotocol {client.subprotocol}" if client.subprotocol else ""
        self.notice(f"connected from {client.address} {client.path}{protocol}", client.id)
        self._changed(client)
        self.callbacks.fire("connect", client, client.id)
        try:
            with contextlib.suppress(ConnectionClosed):  # how it ended is read from the connection
                async for data in websocket:
                    self._received(client, data)
            await websocket.wait_closed()
        finally:  # also when cancelled: the client is gone for us either way
            del self._clients[client.id]
            client.close_code = websocket.close_code
            client.close_reason = websocket.close_reason or ""
            self.notice(describe_end(client, self.options.get("ping_timeout")), client.id)
            self._changed(client)
            self.callbacks.fire("disconnect", client, client.id)
            client.ended.set_result(None)

    def _changed(self, client: Client) -> None:
        self.callbacks.client(client)

    def _received(self, client: Client, data: str | bytes) -> None:
        now = time.time()
        client.received += 1
        item = self._records.record("received", data, now, client.id)
        self._records.inbox.put(item)
        if self.mode == "echo":
            self._write((client,), data, client.id, now)
        if type(item) is Message:  # a row: no one to tell
            self.callbacks.fire("message", item, client.id)

    # -- sending ---------------------------------------------------------------------

    def send(self, data: str | bytes | bytearray | memoryview, to: Target = None) -> int:
        """Send a frame (``str`` as text, bytes as binary); returns to how many clients.

        ``to=None`` sends to every connected client (recorded once, with client
        ``"*"``); ``to`` may be a :class:`Client`, an id, or a list of them (one
        record each). A client that is gone raises ChannelError before anything
        is sent. A client whose send queue is full is closed with 1008 instead.
        Call it from the loop's thread (a cell, a callback, a task).
        """
        if not isinstance(data, (str, bytes, bytearray, memoryview)):
            raise TypeError(
                f"send() takes str (text frame) or bytes (binary frame), not {type(data).__name__}"
            )
        if self._closing:
            raise ChannelError("not sent: the server is closed")
        if not isinstance(data, str):
            data = bytes(data)
        if to is None:
            return self._write(list(self._clients.values()), data, BROADCAST, time.time())
        return self._write(resolve(self._clients, self._issued, to), data, None, time.time())

    def _write(self, clients: Sequence[Client], data: str | bytes, label: str | None, now: float) -> int:
        # The hot path of a broadcast: encode once, write to each transport.
        text = isinstance(data, str)
        try:
            payload = data.encode() if isinstance(data, str) else data
        except UnicodeEncodeError as exc:  # a lone surrogate: no UTF-8 for it
            raise ValueError(f"not sent: the text is not valid Unicode (at position {exc.start})") from None
        wire = server_frame(payload, text)
        sent = 0
        for client in clients:
            if client.write(payload, text, wire):
                sent += 1
                if label is None:
                    self._records.record("sent", data, now, client.id)
            elif client.dropped_because is not None:
                self._dropped(client)
        if label is not None and sent:
            self._records.record("sent", data, now, label)
        return sent

    def _dropped(self, client: Client) -> None:
        # Say once why the server closed this client, and cut it off if it stays mute.
        if not client.reported:
            client.reported = True
            self.notice(f"closing with 1008: {client.dropped_because}", client.id, "warning")
            self._start(client.finish_close(self.options["close_timeout"]))

    # -- receiving -------------------------------------------------------------------

    async def receive(self, timeout: float | None = 5.0) -> Message:
        """The oldest unread message; TimeoutError after ``timeout`` s, ChannelError once closed."""
        return await self._records.receive(timeout)

    async def expect(self, match: Match, within: float | None = 2.0, client: str | None = None) -> Message:
        """The first unread message ``match`` matches, from ``client`` (an id) or any (see ServerAPI)."""
        return await self._records.expect(match, within, client)

    # -- closing ---------------------------------------------------------------------

    async def disconnect(self, client: Client | str, code: int = 1000, reason: str = "") -> None:
        """Close one client with ``code`` and ``reason`` (cut to the 123 bytes a close frame
        holds); returns when it has gone. ValueError for a code no close frame may carry."""
        check_close_code(code)
        found = self._clients.get(client.id if isinstance(client, Client) else client)
        if found is None:
            return
        found.drop(code, reason)
        await found.finish_close(self.options["close_timeout"])
        await asyncio.shield(found.ended)

    def close(self) -> None:
        """Close every client with 1001, stop listening, end every task.

        Returns at once; ``await hub.closed`` waits until all is gone. Safe to call
        from garbage collection, where no loop may be running.
        """
        if self._closing:
            return
        self._closing = True
        if not self.loop.is_running() or self.loop.is_closed():
            _abandon(self)
            return
        for client in self._clients.values():
            client.drop(1001, "server closing")
        if not self.ready.done():
            self.ready.set_exception(ChannelError("the server was closed before it listened"))
        self._set_status("closed", "closed")
        self.notice("closed")
        keep_task(self.loop, _BACKGROUND, self._shut_down())

    async def _shut_down(self) -> None:
        timeout = self.options["close_timeout"]
        clients = list(self._clients.values())
        if clients:
            await asyncio.gather(*(client.finish_close(timeout) for client in clients))
        server = self._server
        if server is not None:
            server.close(close_connections=False)
            await server.wait_closed()
        current = asyncio.current_task()
        pending = [task for task in self.tasks | self.callbacks.tasks if task is not current]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)
        if not self.closed.done():
            self.closed.set_result(None)


def hub_options() -> frozenset[str]:
    """Every keyword ``Hub()`` takes: its own and :data:`SERVE_OPTIONS`."""
    return keyword_names(Hub.__init__) | SERVE_OPTIONS


async def _watch_stalls(hub: Hub, every: float, timeout: float | None) -> None:
    # A client that takes nothing of what waits for it for interval + timeout
    # is as gone as one that does not answer a ping: drop it the same way.
    checks = 1 + math.ceil((timeout or every) / every)
    while True:
        start = hub.loop.time()
        await asyncio.sleep(every)
        timely = hub.loop.time() - start < every * 1.5 + 0.1
        for client in stalled(hub.clients, checks, timely):
            why = f"took nothing of the {client.waiting:,} bytes waiting for it in {checks * every:g} s"
            client.drop(1008, "not reading", why)
            hub._dropped(client)


def _abandon(hub: Hub) -> None:
    # No loop will run a closing handshake again: drop the sockets and tasks now.
    hub.status, hub.detail = "closed", "closed"
    with contextlib.suppress(Exception):
        for client in hub._clients.values():
            client.websocket.transport.abort()
    with contextlib.suppress(Exception):
        for sock in hub._server.sockets if hub._server is not None else ():
            sock.close()
    with contextlib.suppress(Exception):
        for task in list(hub.tasks):
            task.cancel()


# Tasks that outlive the hub that started them (closing after close()).
_BACKGROUND: set[asyncio.Task[Any]] = set()
