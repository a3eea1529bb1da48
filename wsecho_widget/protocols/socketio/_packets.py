"""Engine.IO and Socket.IO packets as values: their types, limits and the one error.

The vocabulary :mod:`._reading` and :mod:`._writing` share; the public names are
re-exported by :mod:`.protocol`. Must not import asyncio, websockets or other
wsecho_widget modules beyond ``_util.errors``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from wsecho_widget._util.errors import WsechoError

Frame = str | bytes

#: The most binary attachments one packet may declare; a server that declares more
#: is not believed (python-socketio's own decoder allows at most 10 digits).
MAX_ATTACHMENTS = 1000

#: Event names socket.io-parser refuses in an event packet (its ``RESERVED_EVENTS``); we too.
RESERVED_EVENTS = frozenset(
    {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}
)

#: The deepest nesting of a packet's data, both ways (the decoder walks it recursively).
MAX_DEPTH = 100

# Engine.IO v4 packet types, as the first character of a text frame.
_OPEN, _CLOSE, _PING, _PONG, _MESSAGE, _UPGRADE, _NOOP = "0123456"


class ProtocolError(WsechoError, ValueError):
    """A frame that is not valid Engine.IO / Socket.IO. ``str()`` is one short line."""


class PacketType(IntEnum):
    """The Socket.IO packet types (the first digit after the Engine.IO ``4``)."""

    CONNECT = 0
    DISCONNECT = 1
    EVENT = 2
    ACK = 3
    CONNECT_ERROR = 4
    BINARY_EVENT = 5
    BINARY_ACK = 6


@dataclass(frozen=True, slots=True)
class EngineOpen:
    """The server's Engine.IO handshake (``0{...}``): the session and its heartbeat."""

    sid: str
    ping_interval: float  # seconds between the server's pings
    ping_timeout: float  # seconds the server waits for our pong
    max_payload: int  # the largest packet the server takes, in bytes


@dataclass(frozen=True, slots=True)
class EngineClose:
    """The server closes the Engine.IO session (``1``)."""


@dataclass(frozen=True, slots=True)
class EnginePing:
    """A heartbeat from the server (``2``, with an optional payload); answer it with :meth:`pong`."""

    payload: str = ""

    def pong(self) -> str:
        """The answer: ``3`` with the same payload."""
        return _PONG + self.payload


@dataclass(frozen=True, slots=True)
class Packet:
    """One Socket.IO packet, with its binary attachments already put in place.

    ``data`` is what the JSON held: for events ``[name, *args]``, for acks the
    argument list, for connect ``{"sid": ...}``, for connect_error the reason.
    """

    type: PacketType
    namespace: str = "/"
    data: Any = None
    id: int | None = None


Item = EngineOpen | EngineClose | EnginePing | Packet
