"""How a GraphQL panel's log reads: one graphql-transport-ws message as a line.

:func:`graphql_text` turns a message into ``next #1`` and the pretty-printed
result. With ``raw=True`` it gives the frame as it went, except that the
``connection_init`` payload is masked: logs get shared. Binary frames give None.

Pure: must not import asyncio, websockets or ipywidgets.
"""

from __future__ import annotations

import json

from wsecho_widget.model.message import Message
from wsecho_widget.protocols._render import PRETTY_LIMIT, mask
from wsecho_widget.protocols._render import compact_json as _json

__all__ = ["graphql_text"]


def graphql_text(message: Message, raw: bool = False) -> str | None:
    """The log text of one graphql-transport-ws message, results pretty-printed."""
    data = message.data
    if not isinstance(data, str):
        return None
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError):
        return f"{data[:200]}  (not JSON)"
    if not isinstance(obj, dict):
        return data
    kind, id, payload = obj.get("type"), obj.get("id"), obj.get("payload")
    if kind == "connection_init" and payload is not None:
        obj = {**obj, "payload": mask(payload)}
        if raw:
            return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    if raw:
        return data
    op = f" #{id}" if id is not None else ""
    if kind == "subscribe" and isinstance(payload, dict):
        query = str(payload.get("query", "")).strip()
        variables = payload.get("variables")
        extra = f"\nvariables: {_json(variables)}" if variables else ""
        return f"subscribe{op}\n{query}{extra}"
    if kind == "error" and isinstance(payload, list):
        return f"error{op}: " + "; ".join(str(e.get("message", e)) for e in payload if isinstance(e, dict))
    if kind == "connection_init":
        return f"connection_init {_json(obj['payload'])}" if payload is not None else "connection_init"
    if payload is None:
        return f"{kind}{op}"
    if len(data) > PRETTY_LIMIT:
        return f"{kind}{op} {_json(payload)}"
    return f"{kind}{op}\n{json.dumps(payload, indent=2, ensure_ascii=False)}"
