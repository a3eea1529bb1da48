"""GraphQL over WebSocket (the ``graphql-transport-ws`` protocol), sans I/O.

The messages a client sends (``connection_init``, ``subscribe``, ``complete``,
``ping``, ``pong``) as JSON text, the messages a server sends parsed and checked
into small records (``connection_ack``, ``next``, ``error``, ``complete``,
``ping``, ``pong``), and the protocol's close codes in words. Every message from
the server is checked before it is trusted; a bad one raises
:class:`ProtocolError` with one line.

Must not import asyncio, websockets, ipywidgets or any other wsecho_widget module.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from wsecho_widget._util.errors import WsechoError

__all__ = [
    "CLOSE_CODES",
    "SUBPROTOCOL",
    "ProtocolError",
    "ServerMessage",
    "decode",
    "describe_close",
    "encode_complete",
    "encode_init",
    "encode_ping",
    "encode_pong",
    "encode_subscribe",
    "is_final_close",
]

#: The WebSocket subprotocol both sides must agree on.
SUBPROTOCOL = "graphql-transport-ws"

#: The protocol's close codes (graphql-ws PROTOCOL.md), in words.
CLOSE_CODES: dict[int, str] = {
    4400: "bad request (a message the server could not take)",
    4401: "unauthorized (subscribe before connection_ack)",
    4403: "forbidden (the server refused connection_init)",
    4406: "subprotocol not acceptable",
    4408: "connection initialisation timeout",
    4409: "subscriber for this id already exists",
    4429: "too many initialisation requests",
    4499: "terminated",
    4500: "internal server error",
}

ServerType = Literal["connection_ack", "next", "error", "complete", "ping", "pong"]


class ProtocolError(WsechoError, ValueError):
    """A message that is not valid graphql-transport-ws. ``str()`` is one short line."""


@dataclass(frozen=True, slots=True)
class ServerMessage:
    """One message from the server.

    ``id`` is set for ``next``, ``error`` and ``complete``. ``payload`` is the
    execution result of a ``next`` (a dict with ``data`` and/or ``errors``), the
    GraphQL errors of an ``error`` (a list of dicts with ``message``), and the
    optional payload of ``connection_ack``, ``ping`` and ``pong``.
    """

    type: ServerType
    id: str | None = None
    payload: Any = field(default=None)


def _dumps(message: dict[str, Any]) -> str:
    try:
        return json.dumps(message, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"not JSON-serialisable: {exc}") from None


def _with_payload(kind: str, payload: Mapping[str, Any] | None) -> str:
    if payload is not None and not isinstance(payload, Mapping):
        raise TypeError(f"a {kind} payload is a dict, not {type(payload).__name__}")
    message: dict[str, Any] = {"type": kind}
    if payload is not None:
        message["payload"] = dict(payload)
    return _dumps(message)


def encode_init(payload: Mapping[str, Any] | None = None) -> str:
    """``connection_init``, with the connection parameters (a token, say) as payload."""
    return _with_payload("connection_init", payload)


def encode_ping(payload: Mapping[str, Any] | None = None) -> str:
    return _with_payload("ping", payload)


def encode_pong(payload: Mapping[str, Any] | None = None) -> str:
    return _with_payload("pong", payload)


def encode_subscribe(
    id: str,
    query: str,
    variables: Mapping[str, Any] | None = None,
    operation_name: str | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> str:
    """``subscribe``: run one operation (query, mutation or subscription) under ``id``."""
    if not isinstance(query, str) or not query.strip():
        raise ValueError("the query is an empty string")
    if variables is not None and not isinstance(variables, Mapping):
        raise TypeError(f"variables are a JSON object (a dict), not {type(variables).__name__}")
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = dict(variables)
    if operation_name is not None:
        payload["operationName"] = operation_name
    if extensions is not None:
        payload["extensions"] = dict(extensions)
    return _dumps({"id": id, "type": "subscribe", "payload": payload})


def encode_complete(id: str) -> str:
    """``complete``: stop the operation ``id`` (the server sends no more for it)."""
    return _dumps({"id": id, "type": "complete"})


def decode(frame: str | bytes) -> ServerMessage:
    """Parse and check one frame from the server."""
    if not isinstance(frame, str):
        raise ProtocolError(f"binary frame of {len(frame):,} bytes (the protocol is text only)")
    try:
        message = json.loads(frame)
    except RecursionError:
        raise ProtocolError("JSON nested too deeply") from None
    except ValueError:
        raise ProtocolError("a text frame that is not JSON") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise ProtocolError("a message without a type")
    kind, id, payload = message["type"], message.get("id"), message.get("payload")
    if kind in ("connection_ack", "ping", "pong"):
        if payload is not None and not isinstance(payload, dict):
            raise ProtocolError(f"{kind} with a payload that is not an object")
        return ServerMessage(kind, None, payload)
    if kind not in ("next", "error", "complete"):
        raise ProtocolError(f"unknown message type {kind[:40]!r}")
    if not isinstance(id, str) or not id:
        raise ProtocolError(f"{kind} without an id")
    if kind == "next" and not isinstance(payload, dict):
        raise ProtocolError("next without a result object")
    if kind == "error" and not (isinstance(payload, list) and all(isinstance(e, dict) for e in payload)):
        raise ProtocolError("error without a list of GraphQL errors")
    return ServerMessage(kind, id, payload if kind != "complete" else None)


def is_final_close(code: int | None) -> bool:
    """Whether a close with ``code`` means the server refused us: trying again is futile.

    The 44xx codes of the protocol (a refused ``connection_init``, a bad message,
    an init timeout, ...). 4500 (internal server error) may pass, so it is retried.
    """
    return code is not None and 4400 <= code <= 4499


def describe_close(code: int | None, reason: str = "") -> str:
    """``4403 forbidden (the server refused connection_init): Forbidden``."""
    if code is None:
        return "connection lost (no close frame)"
    words = CLOSE_CODES.get(code, "application code")
    return f"{code} {words}: {reason}" if reason else f"{code} {words}"
