"""HAR files written: WebSocket conversations in Chrome DevTools' layout.

:func:`to_har` writes one DevTools WebSocket entry per conversation (see
:mod:`wsecho_widget.model.har` for the layout, and for the reader). Reads
messages only through their fields, so ``History.to_har()`` can call it without
the reader's import of the history: no import cycle. Files only.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wsecho_widget.model.message import Message

__all__ = ["har_document", "to_har"]


def _version() -> str:
    try:
        return metadata.version("wsecho-widget")
    except metadata.PackageNotFoundError:
        return "0"


def _frame(message: Message) -> dict[str, Any]:
    data = message.data
    kind = "send" if message.direction == "sent" else "receive"
    if isinstance(data, str):
        return {"type": kind, "time": message.timestamp, "opcode": 1, "data": data}
    return {
        "type": kind,
        "time": message.timestamp,
        "opcode": 2,
        "data": base64.b64encode(data).decode("ascii"),
    }


def har_document(conversations: Iterable[tuple[str, Iterable[Message]]]) -> dict[str, Any]:
    """HAR 1.2 with one DevTools WebSocket entry per ``(url, messages)``."""
    entries = []
    for url, messages in conversations:
        frames = [_frame(message) for message in messages]
        start = frames[0]["time"] if frames else 0.0
        started = datetime.fromtimestamp(start, UTC).isoformat().replace("+00:00", "Z")
        entries.append(
            {
                "startedDateTime": started,
                "time": 0,
                "request": {"method": "GET", "url": url, "httpVersion": "HTTP/1.1", "cookies": [],
                            "headers": [], "queryString": [], "headersSize": -1, "bodySize": 0},
                "response": {"status": 101, "statusText": "Switching Protocols", "httpVersion": "HTTP/1.1",
                             "cookies": [], "headers": [], "content": {"size": 0, "mimeType": "x-unknown"},
                             "redirectURL": "", "headersSize": -1, "bodySize": 0},
                "cache": {},
                "timings": {"blocked": -1, "dns": -1, "connect": -1, "send": 0, "wait": 0, "receive": 0},
                "_resourceType": "websocket",
                "_webSocketMessages": frames,
            }
        )  # fmt: skip
    creator = {"name": "wsecho-widget", "version": _version()}
    return {"log": {"version": "1.2", "creator": creator, "pages": [], "entries": entries}}


def to_har(messages: Iterable[Message], path: str | Path, url: str = "ws://127.0.0.1/") -> Path:
    """Write ``messages`` (a client's conversation with ``url``) as a HAR file; returns its path."""
    path = Path(path)
    document = har_document([(url, messages)])
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
