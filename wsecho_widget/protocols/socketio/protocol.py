"""Socket.IO v5 over Engine.IO v4 on a WebSocket, sans I/O: frames in, packets out.

What a Socket.IO client says and hears, as pure functions and one small
:class:`Decoder`: the Engine.IO packets (open, close, ping, pong, message), the
Socket.IO packets inside messages (connect, disconnect, event, ack, connect_error
and their binary forms ``45N-`` / ``46N-`` whose attachments follow as binary
frames, referenced by ``{"_placeholder": true, "num": i}``), and the URL a
Socket.IO server answers WebSockets on. Everything a server sends is checked
before it is trusted; a bad packet raises :class:`ProtocolError` with one line.

Must not import asyncio, websockets, ipywidgets or any other wsecho_widget module.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from wsecho_widget._util.errors import WsechoError

__all__ = [
    "MAX_ATTACHMENTS",
    "MAX_DEPTH",
    "RESERVED_EVENTS",
    "Decoder",
    "EngineClose",
    "EngineOpen",
    "EnginePing",
    "Packet",
    "PacketType",
    "ProtocolError",
    "encode_ack",
    "encode_connect",
    "encode_disconnect",
    "encode_event",
    "encode_packet",
    "parse_text",
    "socketio_url",
]

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

# The longest ack id we accept, in digits (a 64-bit counter has 20).
_MAX_ID_DIGITS = 20

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


def socketio_url(url: str, path: str = "/socket.io") -> str:
    """The WebSocket URL of a Socket.IO server given as people write it.

    ``http://127.0.0.1:5000`` with path ``/socket.io`` becomes
    ``ws://127.0.0.1:5000/socket.io/?EIO=4&transport=websocket`` (``https`` gives
    ``wss``; ``ws``/``wss`` stay). A query in ``url`` (a token) is kept, after ours.
    """
    parts = urlsplit(url)
    schemes = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}
    scheme = schemes.get(parts.scheme.lower())
    if scheme is None or not parts.netloc:
        raise ValueError(f"a Socket.IO server URL looks like http://host:port, not {parts.scheme or url!r}")
    base = parts.path.rstrip("/")
    full_path = f"{base}/{path.strip('/')}/" if path.strip("/") else f"{base}/"
    query = "EIO=4&transport=websocket" + (f"&{parts.query}" if parts.query else "")
    return urlunsplit((scheme, parts.netloc, full_path, query, ""))


# -- encoding --------------------------------------------------------------------------


def _dumps(data: Any) -> str:
    try:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not JSON-serialisable: {exc}") from None


def _extract(data: Any, attachments: list[bytes], depth: int = 0) -> Any:
    # Replace each bytes value with a placeholder, in order (depth-first, like
    # python-socketio and the JS client).
    if depth > MAX_DEPTH:
        raise ValueError(f"arguments nested deeper than {MAX_DEPTH} levels")
    if isinstance(data, (bytes, bytearray, memoryview)):
        attachments.append(bytes(data))
        return {"_placeholder": True, "num": len(attachments) - 1}
    if isinstance(data, (list, tuple)):
        return [_extract(item, attachments, depth + 1) for item in data]
    if isinstance(data, Mapping):
        return {key: _extract(value, attachments, depth + 1) for key, value in data.items()}
    return data


def encode_packet(
    packet_type: PacketType, namespace: str = "/", data: Any = None, id: int | None = None
) -> list[Frame]:
    """The frames of one packet: the text frame, then one binary frame per attachment.

    An EVENT or ACK whose data holds bytes becomes a BINARY_EVENT / BINARY_ACK
    (``451-[...]``) with placeholders where the bytes were.
    """
    attachments: list[bytes] = []
    if data is not None and packet_type in (PacketType.EVENT, PacketType.ACK):
        data = _extract(data, attachments)
        if attachments:
            packet_type = PacketType(packet_type + 3)  # EVENT -> BINARY_EVENT, ACK -> BINARY_ACK
    text = _MESSAGE + str(int(packet_type))
    if attachments:
        text += f"{len(attachments)}-"
    if namespace != "/":
        _check_namespace(namespace)
        text += namespace + ","
    if id is not None:
        text += str(id)
    if data is not None:
        text += _dumps(data)
    return [text, *attachments]


def encode_connect(namespace: str = "/", auth: Mapping[str, Any] | None = None) -> str:
    """Join ``namespace`` (``40``, or ``40/admin,{"token":...}`` with auth)."""
    if auth is not None and not isinstance(auth, Mapping):
        raise TypeError(f"auth is a dict (sent as the CONNECT payload), not {type(auth).__name__}")
    return str(encode_packet(PacketType.CONNECT, namespace, dict(auth) if auth is not None else None)[0])


def encode_disconnect(namespace: str = "/") -> str:
    """Leave ``namespace`` (``41``)."""
    return str(encode_packet(PacketType.DISCONNECT, namespace)[0])


def encode_event(
    event: str, args: Iterable[Any] = (), namespace: str = "/", id: int | None = None
) -> list[Frame]:
    """An event ``["name", *args]``; ``id`` asks the server for an ack."""
    if not isinstance(event, str) or not event:
        raise ValueError("an event name is a non-empty str")
    return encode_packet(PacketType.EVENT, namespace, [event, *args], id)


def encode_ack(id: int, args: Iterable[Any] = (), namespace: str = "/") -> list[Frame]:
    """The answer to an event the server sent with ack id ``id``."""
    return encode_packet(PacketType.ACK, namespace, list(args), id)


def _check_namespace(namespace: str) -> None:
    if not namespace.startswith("/") or "," in namespace:
        raise ValueError(f"a namespace starts with '/' and has no ',': {namespace!r}")


# -- decoding --------------------------------------------------------------------------


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise ProtocolError("JSON nested too deeply") from None
    except ValueError as exc:
        raise ProtocolError(f"invalid JSON ({exc.args[0].partition(':')[0]})") from None


def _parse_open(payload: str) -> EngineOpen:
    data = _loads(payload)
    if not isinstance(data, dict) or not isinstance(data.get("sid"), str):
        raise ProtocolError("Engine.IO open packet without a sid")
    numbers = {}
    for key, default in (("pingInterval", 25000), ("pingTimeout", 20000), ("maxPayload", 1_000_000)):
        value = data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ProtocolError(f"Engine.IO open packet with a bad {key}: {value!r}")
        numbers[key] = value
    return EngineOpen(
        data["sid"], numbers["pingInterval"] / 1000, numbers["pingTimeout"] / 1000, numbers["maxPayload"]
    )


def _parse_packet(text: str, from_server: bool = True) -> tuple[Packet, int]:
    # ``<type>[<count>-][<namespace>,][<id>][<json>]``; returns the packet and how
    # many attachments follow.
    if not text or text[0] not in "0123456":  # str.isdigit() takes "²" too
        raise ProtocolError(f"unknown Socket.IO packet type {text[:1]!r}")
    kind = PacketType(int(text[0]))
    rest = text[1:]
    count = 0
    if kind in (PacketType.BINARY_EVENT, PacketType.BINARY_ACK):
        digits, dash, rest = rest.partition("-")
        if not dash or not (digits.isascii() and digits.isdigit()) or len(digits) > 6:
            raise ProtocolError("binary packet without its attachment count")
        count = int(digits)
        if count > MAX_ATTACHMENTS:
            raise ProtocolError(f"packet declares {count:,} attachments (at most {MAX_ATTACHMENTS:,})")
    namespace = "/"
    if rest.startswith("/"):
        namespace, comma, tail = rest.partition(",")
        rest = tail if comma else ""
        namespace = namespace.partition("?")[0]
    head = rest[: _MAX_ID_DIGITS + 1]
    digits = head[: len(head) - len(head.lstrip("0123456789"))]  # ASCII digits only
    if len(digits) > _MAX_ID_DIGITS:
        raise ProtocolError("ack id too long")
    rest = rest[len(digits) :]
    data = _loads(rest) if rest else None
    packet = Packet(kind, namespace, data, int(digits) if digits else None)
    _check_data(packet, count, from_server)
    return packet, count


def _check_data(packet: Packet, count: int, from_server: bool) -> None:
    kind, data = packet.type, packet.data
    if kind in (PacketType.EVENT, PacketType.BINARY_EVENT):
        if not isinstance(data, list) or not data or not isinstance(data[0], str):
            raise ProtocolError("event packet without an event name")
        if data[0] in RESERVED_EVENTS:
            raise ProtocolError(f"event packet with the reserved name {data[0]!r}")
    elif kind in (PacketType.ACK, PacketType.BINARY_ACK):
        if packet.id is None or not isinstance(data, list):
            raise ProtocolError("ack packet without an id or an argument list")
    elif (
        kind == PacketType.CONNECT
        and from_server
        and not (isinstance(data, dict) and isinstance(data.get("sid"), str))
    ):
        raise ProtocolError("connect packet without a sid")
    if (problem := _tree_problem(data, count)) is not None:
        raise ProtocolError(problem)


def _tree_problem(data: Any, count: int) -> str | None:
    # Iterative: depth (deep JSON would blow _fill's recursion), and placeholders that point home.
    stack = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"data nested deeper than {MAX_DEPTH} levels"
        if isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, dict):
            if count and item.get("_placeholder") is True:
                num = item.get("num")
                if not isinstance(num, int) or isinstance(num, bool) or not 0 <= num < count:
                    return f"binary packet with placeholders that do not match its {count} attachments"
            else:
                stack.extend((child, depth + 1) for child in item.values())
    return None


def _fill(data: Any, attachments: list[bytes]) -> Any:
    if isinstance(data, list):
        return [_fill(item, attachments) for item in data]
    if isinstance(data, dict):
        if data.get("_placeholder") is True and "num" in data:
            return attachments[data["num"]]
        return {key: _fill(value, attachments) for key, value in data.items()}
    return data


def parse_text(frame: str, from_server: bool = True) -> tuple[Item | None, int]:
    """One text frame on its own: the item (None for pong/noop/upgrade) and how many
    binary attachments follow it (their placeholders are still in the data).

    ``from_server=False`` reads a client's frame (a CONNECT carries auth, not a sid).
    """
    kind, payload = frame[:1], frame[1:]
    if kind == _MESSAGE:
        return _parse_packet(payload, from_server)
    if kind == _PING:
        return EnginePing(payload), 0
    if kind == _OPEN:
        return _parse_open(payload), 0
    if kind == _CLOSE:
        return EngineClose(), 0
    if kind in (_PONG, _NOOP, _UPGRADE):
        return None, 0
    raise ProtocolError(f"unknown Engine.IO packet type {kind!r}")


class Decoder:
    """Turns the frames a Socket.IO server sends into Engine.IO and Socket.IO items.

    ``feed(frame)`` returns what the frame completes: usually one item, none for a
    binary packet still waiting for attachments, and the packet itself with its
    bytes in place when the last attachment arrives. Raises :class:`ProtocolError`
    for a frame that is not valid; the decoder stays usable afterwards.
    """

    def __init__(self) -> None:
        self._pending: Packet | None = None
        self._expected = 0
        self._attachments: list[bytes] = []

    @property
    def waiting(self) -> int:
        """How many binary attachments the packet being assembled still needs."""
        return self._expected - len(self._attachments) if self._pending is not None else 0

    def reset(self) -> None:
        """Forget a partly assembled packet (a new connection starts clean)."""
        self._pending, self._expected, self._attachments = None, 0, []

    def feed(self, frame: Frame) -> list[Item]:
        if isinstance(frame, (bytes, bytearray, memoryview)):
            return self._attachment(bytes(frame))
        if self._pending is not None:
            self.reset()
            raise ProtocolError("text frame while binary attachments were expected; packet dropped")
        item, count = parse_text(frame)
        if item is None:
            return []
        if count:
            assert isinstance(item, Packet)
            self._pending, self._expected, self._attachments = item, count, []
            return []
        return [item]

    def _attachment(self, data: bytes) -> list[Item]:
        pending = self._pending
        if pending is None:
            raise ProtocolError(f"binary frame of {len(data):,} bytes that no packet announced")
        self._attachments.append(data)
        if len(self._attachments) < self._expected:
            return []
        attachments = self._attachments
        self.reset()
        kind = PacketType.EVENT if pending.type == PacketType.BINARY_EVENT else PacketType.ACK
        return [Packet(kind, pending.namespace, _fill(pending.data, attachments), pending.id)]
