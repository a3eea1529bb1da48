"""The server's door: who is let in, and what the server says about who came and went.

:class:`Doorman` applies the :class:`~.gate.Gate` in websockets' opening-handshake
hooks and says each refusal in one line. :class:`HandshakeLog` is the ``logger``
given to websockets' ``serve()``: its errors (a failed opening handshake, a broken
handler) become one notice each instead of a traceback in the notebook.
:func:`describe_end` reads a finished connection's close frames and says who
closed it and why. No widgets; must not import the hub.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, MutableMapping
from typing import Any

from websockets.asyncio.server import ServerConnection
from websockets.frames import CloseCode
from websockets.http11 import Request, Response
from websockets.protocol import State

from wsecho_widget.net._internals import close_frames
from wsecho_widget.net.errors import describe_close
from wsecho_widget.server.gate import Gate, Refusal, mask_path
from wsecho_widget.server.peers import Client

__all__ = ["Doorman", "HandshakeLog", "describe_end"]

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


class Doorman:
    """websockets' ``process_request`` and ``process_response`` for one server.

    ``connected()`` counts the clients in; those that passed the gate but have not
    reached the handler yet count too, so a burst of handshakes cannot overshoot
    ``max_clients``. Call :meth:`admitted` when the handler takes a connection.
    """

    def __init__(self, gate: Gate, connected: Callable[[], int], say: Say) -> None:
        self.gate = gate
        self.connected = connected
        self.say = say
        self._admitting: set[ServerConnection] = set()
        self._refusals: dict[ServerConnection, Refusal] = {}

    def admitted(self, connection: ServerConnection) -> None:
        self._admitting.discard(connection)

    def process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        self._admitting = {c for c in self._admitting if c.state is not State.CLOSED}
        refusal = self.gate.check(request, self.connected() + len(self._admitting))
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
            why = body.splitlines()[0] if body else ""
        address = Client.format_address(connection.remote_address)
        code = f"HTTP {response.status_code} {response.reason_phrase}"
        self.say(f"refused {address} {mask_path(request.path)}: {code}: {why}", None, "warning")
