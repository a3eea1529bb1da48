"""What a Socket.IO client sends: the server's WebSocket URL and packets as frames.

Bytes in the arguments become binary attachments behind placeholders, as
python-socketio and the JS client do. Re-exported by :mod:`.protocol`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from wsecho_widget.protocols.socketio._packets import _MESSAGE, MAX_DEPTH, Frame, PacketType


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
