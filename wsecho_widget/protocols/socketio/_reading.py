"""What a Socket.IO server sends, read and checked before it is trusted.

:func:`parse_text` reads one text frame; :class:`Decoder` also puts binary
attachments in place. Every bad frame raises :class:`ProtocolError` with one line:
limits on depth, attachment counts, placeholders and ack ids hold against the
published malformed-packet shapes (docs/security.md). Re-exported by :mod:`.protocol`.
"""

from __future__ import annotations

import json
from typing import Any

from wsecho_widget.protocols.socketio._packets import (
    _CLOSE,
    _MESSAGE,
    _NOOP,
    _OPEN,
    _PING,
    _PONG,
    _UPGRADE,
    MAX_ATTACHMENTS,
    MAX_DEPTH,
    RESERVED_EVENTS,
    EngineClose,
    EngineOpen,
    EnginePing,
    Frame,
    Item,
    Packet,
    PacketType,
    ProtocolError,
)

# The longest ack id we accept, in digits (a 64-bit counter has 20).
_MAX_ID_DIGITS = 20


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
