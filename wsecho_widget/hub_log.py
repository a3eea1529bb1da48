"""What the server says in one line: how a client ended, and websockets' own log.

:func:`describe_end` reads a finished connection's close frames and says who
closed it and why. :class:`HandshakeLog` is the ``logger`` given to websockets'
``serve()``: its errors (a failed opening handshake, a broken handler) become one
notice each instead of a traceback in the notebook. No widgets; imports nothing
of the hub at run time.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

from websockets.frames import CloseCode

from .connection import describe_close

if TYPE_CHECKING:
    from .hub import Hub
    from .peers import Client

__all__ = ["HandshakeLog", "describe_end"]


def describe_end(client: Client, ping_timeout: float | None) -> str:
    """``disconnected: 1000 (normal closure)``, ``closed by server: 1009 ...``, ``gone: ...``."""
    protocol = client.websocket.protocol
    rcvd, sent = protocol.close_rcvd, protocol.close_sent
    if rcvd is not None and (sent is None or protocol.close_rcvd_then_sent):
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

    def __init__(self, hub: Hub) -> None:
        super().__init__(logging.getLogger("websockets.server"), {})
        self.hub = hub

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
        self.hub.notice(text, level="error" if level >= logging.ERROR else "warning")
