"""Socket.IO v5 over Engine.IO v4 on a WebSocket, sans I/O: frames in, packets out.

What a Socket.IO client says and hears, as pure functions and one small
:class:`Decoder`: the Engine.IO packets (open, close, ping, pong, message), the
Socket.IO packets inside messages (connect, disconnect, event, ack, connect_error
and their binary forms ``45N-`` / ``46N-`` whose attachments follow as binary
frames, referenced by ``{"_placeholder": true, "num": i}``), and the URL a
Socket.IO server answers WebSockets on. Everything a server sends is checked
before it is trusted; a bad packet raises :class:`ProtocolError` with one line.

The codec is three private parts, re-exported here as one public module:
``_packets`` (the values, limits and :class:`ProtocolError`), ``_reading`` (what a
server sends, checked) and ``_writing`` (what a client sends). None of them imports
asyncio, websockets, ipywidgets or any wsecho_widget module beyond ``_util.errors``.
"""

from wsecho_widget.protocols.socketio._packets import (
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
from wsecho_widget.protocols.socketio._reading import Decoder, parse_text
from wsecho_widget.protocols.socketio._writing import (
    encode_ack,
    encode_connect,
    encode_disconnect,
    encode_event,
    encode_packet,
    socketio_url,
)

__all__ = [
    "MAX_ATTACHMENTS",
    "MAX_DEPTH",
    "RESERVED_EVENTS",
    "Decoder",
    "EngineClose",
    "EngineOpen",
    "EnginePing",
    "Frame",
    "Item",
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
