"""The hub's options: its defaults for websockets' ``serve()``, and every keyword it takes.

:data:`SERVE_OPTIONS` is read from ``serve()``'s signature (and the loop's
``create_server()``, which ``serve()`` hands the rest to), so a new websockets
option is valid the day it exists; ``Hub()`` raises TypeError for any other.
Pure: opens nothing, imports no widgets.
"""

from __future__ import annotations

import asyncio
from typing import Any

from websockets.asyncio.server import serve

from wsecho_widget._util.options import keyword_names

__all__ = ["HUB_OPTIONS", "SERVE_OPTIONS"]

#: What the hub passes to websockets' ``serve()`` unless told otherwise: no
#: compression (the same frame bytes go to every client; see the README),
#: keepalive every 10 s with a 10 s timeout (a vanished client shows as gone
#: within 20 s; 30 s before its first ping, see ``door.GuardedConnection``), and
#: 10 s for a whole opening handshake (a silent client holds a socket no longer).
HUB_OPTIONS: dict[str, Any] = {
    "compression": None,
    "open_timeout": 10.0,
    "ping_interval": 10.0,
    "ping_timeout": 10.0,
    "close_timeout": 5.0,
}

#: Every keyword websockets' ``serve()`` takes, and those it hands on to the loop's
#: ``create_server()``, except the ones the hub sets itself.
SERVE_OPTIONS = keyword_names(
    serve,
    asyncio.BaseEventLoop.create_server,
    skip=(
        "handler",
        "protocol_factory",
        "process_request",
        "process_response",
        "logger",
        "create_connection",
    ),
)
