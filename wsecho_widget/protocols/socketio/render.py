"""How a Socket.IO panel's log reads: one frame as a protocol line, secrets masked.

:func:`socketio_text` turns a raw Socket.IO frame into ``chat ["hi", {"n": 1}]``,
``ack 3 [3]``, ``joined / · sid …``. With ``raw=True`` it gives the frame as it
went, except that the ``auth`` a client sends to be let in is masked: logs get
shared. Binary frames give None (the log shows them as pictures or hex).
:func:`is_heartbeat` says which frames the log leaves out.

Pure: must not import asyncio, websockets or ipywidgets.
"""

from __future__ import annotations

import re
from typing import Any

from wsecho_widget.model.message import Message
from wsecho_widget.protocols._render import compact_json as _json
from wsecho_widget.protocols._render import mask
from wsecho_widget.protocols.socketio.protocol import (
    EngineOpen,
    Packet,
    PacketType,
    ProtocolError,
    encode_connect,
    parse_text,
)

__all__ = ["is_heartbeat", "socketio_event", "socketio_event_args", "socketio_text"]

_PLACEHOLDER = re.compile(r'\{"_placeholder": true, "num": (\d+)\}')


def is_heartbeat(message: Message) -> bool:
    """Engine.IO pings and pongs (``2``, ``3``): counted, not logged."""
    return message.data in ("2", "3")


def _args(args: Any) -> str:
    # Placeholders read as <binary 0>: the attachment follows as its own frame.
    return _PLACEHOLDER.sub(r"<binary \1>", _json(args))


def socketio_text(message: Message, raw: bool = False) -> str | None:
    """The log text of one Socket.IO frame, or None for a binary frame."""
    data = message.data
    if not isinstance(data, str):
        return None
    sent = message.direction == "sent"
    try:
        item, count = parse_text(data, from_server=not sent)
    except ProtocolError as exc:
        return f"{data[:200]}  (not Socket.IO: {exc})"
    if raw:
        if sent and isinstance(item, Packet) and item.type == PacketType.CONNECT and item.data is not None:
            return encode_connect(item.namespace, mask(item.data))
        return data
    if isinstance(item, EngineOpen):
        return (
            f"Engine.IO open · session {item.sid} · heartbeat every {item.ping_interval:g} s "
            f"(timeout {item.ping_timeout:g} s)"
        )
    if not isinstance(item, Packet):
        return {"1": "Engine.IO close", "6": "Engine.IO noop"}.get(data[:1], data)
    return _packet_text(item, count, sent)


def socketio_event(message: Message) -> str | None:
    """The event name of a Socket.IO event frame (``42["chat", ...]``), else None.

    The ``event`` column of a Socket.IO panel's ``messages.to_pandas()``.
    """
    found = socketio_event_args(message)
    return found[0] if found is not None else None


def socketio_event_args(message: Message) -> tuple[str, list[Any]] | None:
    """The event name and arguments of a Socket.IO event frame, else None (binary
    attachments are still placeholders: they come as frames of their own)."""
    data = message.data
    if not isinstance(data, str) or not data.startswith("4"):
        return None
    try:
        item, _ = parse_text(data, from_server=message.direction == "received")
    except ProtocolError:
        return None
    if not isinstance(item, Packet) or item.type not in (PacketType.EVENT, PacketType.BINARY_EVENT):
        return None
    name = item.data[0] if isinstance(item.data, list) and item.data else None
    return (name, item.data[1:]) if isinstance(name, str) else None


def _packet_text(packet: Packet, count: int, sent: bool) -> str:
    ns = "" if packet.namespace == "/" else f"{packet.namespace} "
    kind, data = packet.type, packet.data
    attachments = f" (+{count} binary)" if count else ""
    if kind in (PacketType.EVENT, PacketType.BINARY_EVENT):
        asks = f" (asks ack {packet.id})" if packet.id is not None else ""
        return f"{ns}{data[0]} {_args(data[1:])}{attachments}{asks}"
    if kind in (PacketType.ACK, PacketType.BINARY_ACK):
        return f"{ns}ack {packet.id} {_args(data)}{attachments}"
    if kind == PacketType.CONNECT:
        if sent:
            auth = f" with auth {_json(mask(data))}" if data is not None else ""
            return f"join {packet.namespace}{auth}"
        return f"joined {packet.namespace} · sid {data['sid']}"
    if kind == PacketType.DISCONNECT:
        return f"leave {packet.namespace}" if sent else f"the server disconnected {packet.namespace}"
    why = data.get("message") if isinstance(data, dict) else data
    return f"{packet.namespace} refused: {why}"
