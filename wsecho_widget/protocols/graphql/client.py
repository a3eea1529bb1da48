"""A GraphQL client on the session: queries and subscriptions over graphql-transport-ws.

:class:`GraphQLClient` opens the WebSocket with the ``graphql-transport-ws``
subprotocol on a :class:`~wsecho_widget.client.session.Session`, sends
``connection_init`` and is ready on ``connection_ack``. :meth:`~GraphQLClient.execute`
runs one operation and returns its result; :meth:`~GraphQLClient.subscribe` gives
an async iterator of results that ends on ``complete``. Pings are answered. A
refused ``connection_init`` (a 44xx close) is shown in words and never retried.
Active subscriptions are sent again after a reconnect. The messages themselves are
:mod:`~wsecho_widget.protocols.graphql.protocol`'s. No widgets here.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Mapping
from typing import Any

from wsecho_widget._util.errors import WsechoError
from wsecho_widget._util.feed import Feed
from wsecho_widget._util.observers import Observers
from wsecho_widget._util.tasks import require_loop
from wsecho_widget.client.connection import ChannelError, WebSocketChannel
from wsecho_widget.model.message import DEFAULT_HISTORY_LIMIT, Message
from wsecho_widget.protocols._client import ProtocolClient
from wsecho_widget.protocols.graphql.protocol import (
    SUBPROTOCOL,
    ProtocolError,
    decode,
    describe_close,
    encode_complete,
    encode_init,
    encode_pong,
    encode_subscribe,
    is_final_close,
)

__all__ = ["GraphQLClient", "GraphQLError", "Subscription"]

#: Results a subscription keeps for a slow reader before it drops the oldest.
DEFAULT_BUFFER = 1000


class GraphQLError(WsechoError):
    """The server answered an operation with ``error``: ``errors`` holds its GraphQL errors."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        messages = [str(e.get("message", e))[:300] for e in errors] or ["(no message)"]
        super().__init__("; ".join(messages))


class Subscription(Feed[dict[str, Any]]):
    """One operation's results: ``async for result in sub``, ``await sub.cancel()``.

    Each result is a ``next`` payload (a dict with ``data`` and/or ``errors``), in
    order. The iteration ends on ``complete``; an ``error`` raises
    :class:`GraphQLError`; a lost connection raises ChannelError unless the
    subscription is sent again after a reconnect (then it goes on). A reader more
    than ``buffer`` results behind loses the oldest (``dropped`` counts them).
    """

    def __init__(
        self,
        client: GraphQLClient,
        id: str,
        query: str,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        buffer: int = DEFAULT_BUFFER,
    ) -> None:
        super().__init__(client.loop, buffer)
        self.client = client
        self.id = id
        self.query = query
        self.variables = dict(variables) if variables is not None else None
        self.operation_name = operation_name
        self.frame = encode_subscribe(id, query, variables, operation_name)  # checks the arguments
        self.received = 0
        #: Sent again after a reconnect (subscriptions); execute()'s operations are not.
        self.resume = True
        self.sent = False

    @property
    def done(self) -> bool:
        return self._ended

    @property
    def error(self) -> Exception | None:
        """What ended it, if not ``complete`` or :meth:`cancel`."""
        return self._error

    @property
    def active(self) -> bool:
        return not self._ended

    def _put(self, result: dict[str, Any]) -> None:
        self.received += 1
        self._push(result)

    def _end(self, error: Exception | None = None) -> None:
        self._finish(error)

    async def cancel(self) -> None:
        """Stop it: send ``complete`` (when still running) and end the iteration."""
        if not self.done:
            self.client._cancel(self)
            self._end()

    def __repr__(self) -> str:
        state = "done" if self.done else "active"
        return f"<Subscription {self.id} {state}, {self.received} results>"


class GraphQLClient(ProtocolClient):
    """``await client.ready``, then ``execute`` and ``subscribe``.

    ``connection_params`` go in ``connection_init`` (a token, say; masked in views).
    ``options`` go to the session and websockets' ``connect()``.
    """

    protocol = "GraphQL"

    def __init__(
        self,
        url: str,
        *,
        connection_params: Mapping[str, Any] | None = None,
        history_limit: int = DEFAULT_HISTORY_LIMIT,
        autoconnect: bool = True,
        **options: Any,
    ) -> None:
        encode_init(connection_params)  # checks it now
        self.connection_params = dict(connection_params) if connection_params is not None else None
        #: Operations running now, by id.
        self.operations: dict[str, Subscription] = {}
        #: Pings from the server answered.
        self.pings = 0
        self._results: Observers[[Subscription, str, Any]] = Observers(
            require_loop("GraphQLClient"), name="GraphQLClient.on_result"
        )
        self._asked: dict[str, float] = {}  # execute()'s operations sent: id -> when
        self._ids = itertools.count(1)
        self._acked = False
        options.setdefault("subprotocols", [SUBPROTOCOL])
        super().__init__(url, url, history_limit=history_limit, autoconnect=autoconnect, **options)

    def _observed(self) -> dict[str, Observers[Any]]:
        # on_round_trip (the base's): an execute() from its operation sent to its result (or error).
        return {**super()._observed(), "on_result": self._results}

    @property
    def on_result(self) -> Observers[[Subscription, str, Any]]:
        """Deprecated: ``observe(on_result=...)``, called with (subscription, kind, payload)."""
        return self._results

    # -- operations ------------------------------------------------------------------

    def subscribe(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
        *,
        buffer: int = DEFAULT_BUFFER,
    ) -> Subscription:
        """Start an operation; ``async for result in`` the returned subscription.

        Sent at once when the connection is acknowledged, else as soon as it is.
        Raises ValueError/TypeError for a bad query or variables, ChannelError when
        the client has stopped.
        """
        return self._start_operation(query, variables, operation_name, buffer, resume=True)

    def _start_operation(
        self,
        query: str,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
        buffer: int,
        *,
        resume: bool,
    ) -> Subscription:
        if self.stopped:
            raise self._not_sent()
        sub = Subscription(self, str(next(self._ids)), query, variables, operation_name, buffer)
        sub.resume = resume
        self.operations[sub.id] = sub
        if self._acked and self.status == "open":
            self._send_operation(sub)
        return sub

    def _send_operation(self, sub: Subscription) -> None:
        sub.sent = True
        if not sub.resume:  # execute()'s: one result to time (a subscription's come when they come)
            self._asked[sub.id] = time.time()
        self.session.send(sub.frame)

    async def execute(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
        *,
        timeout: float | None = 5.0,
    ) -> dict[str, Any]:
        """Run one operation and return its result: ``{"data": ...}`` (and ``"errors"``).

        Raises GraphQLError on ``error``, TimeoutError (after sending ``complete``)
        when no result comes within ``timeout`` seconds.
        """
        # Not resumed after a reconnect: a mutation must not run twice.
        sub = self._start_operation(query, variables, operation_name, DEFAULT_BUFFER, resume=False)

        async def result() -> dict[str, Any]:
            # A query or mutation: one `next`, then the server's `complete` (waiting
            # for it spares a `complete` of ours for an operation already done).
            # Only the first is kept: a server that floods `next` grows nothing here.
            first: dict[str, Any] | None = None
            async for item in sub:
                first = item if first is None else first
            if first is None:
                raise ChannelError("the server completed the operation without a result")
            return first

        try:
            return await asyncio.wait_for(result(), timeout)
        except TimeoutError:
            raise TimeoutError(f"no result within {timeout} s") from None
        finally:
            await sub.cancel()  # sends `complete` only if the server has not

    def _cancel(self, sub: Subscription) -> None:
        self._asked.pop(sub.id, None)
        if self.operations.pop(sub.id, None) is not None and self._acked and self.status == "open":
            self.session.send(encode_complete(sub.id))
            self._report(sub, "cancelled", None)

    def _report(self, sub: Subscription, kind: str, payload: Any) -> None:
        self._results(sub, kind, payload)

    # -- receiving -------------------------------------------------------------------

    def _received(self, message: Message) -> None:
        try:
            msg = decode(message.data)
        except ProtocolError as exc:
            self._bad_response(str(exc))
            return
        if msg.type in ("next", "error", "complete") and not self._acked:
            self._bad_response(f"{msg.type} before connection_ack")
            return
        if msg.type == "ping":
            self.pings += 1
            self.session.send(encode_pong())
        elif msg.type == "connection_ack":
            self._acked = True
            self._handshake_done(f"{self.display_url} · {SUBPROTOCOL}")
            for sub in list(self.operations.values()):
                self._send_operation(sub)  # new ones, and subscriptions again after a reconnect
        elif msg.id is not None:
            op = self.operations.get(msg.id)
            asked = self._asked.pop(msg.id, None)
            if op is None:
                return  # a late result for an operation we stopped
            if asked is not None and msg.type in ("next", "error") and message.timestamp >= asked:
                self._round_trips(message.timestamp - asked)
            if msg.type == "next":
                op._put(msg.payload)
            elif msg.type == "error":
                del self.operations[msg.id]
                op._end(GraphQLError(msg.payload))
            else:
                del self.operations[msg.id]
                op._end()
            self._report(op, msg.type, msg.payload)

    def _bad_response(self, why: str) -> None:
        # graphql-ws's client answers a message it cannot trust by closing with 4004
        # "Bad response" and does not retry: the same server would say it again.
        self._notice(f"bad message from the server: {why}")
        self._refuse(f"4004 bad response from the server: {why}", code=4004, why="Bad response")

    # -- the connection's life -------------------------------------------------------

    def _websocket_open(self) -> None:
        channel = self.session.channel
        chosen = channel.subprotocol if channel is not None else None
        if chosen != SUBPROTOCOL:
            self._refuse(f"the server does not speak {SUBPROTOCOL} (it chose {chosen or 'no subprotocol'})")
            return
        self.session.send(encode_init(self.connection_params))

    def _lost(self, reason: str) -> None:
        # Subscriptions go on after a reconnect; an execute() that was sent cannot.
        self._acked = False
        self._asked.clear()
        for sub in list(self.operations.values()):
            if sub.sent and not sub.resume:
                del self.operations[sub.id]
                sub._end(ChannelError(f"connection lost before the result: {reason}"))
            sub.sent = False

    def _stopped(self) -> None:
        for sub in list(self.operations.values()):
            sub._end(ChannelError(f"not connected: {self.detail}"))
        self.operations.clear()

    def _is_final(self, channel: WebSocketChannel) -> bool | None:
        return True if is_final_close(channel.close_code) else None

    def _describe_end(self, channel: WebSocketChannel, detail: str) -> str:
        return f"server refused the connection: {describe_close(channel.close_code, channel.close_reason)}"

    def __repr__(self) -> str:
        return f"<GraphQLClient {self.display_url} {self.status}, {len(self.operations)} operations>"
