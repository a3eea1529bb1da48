"""HAR files: WebSocket conversations in Chrome DevTools' layout, written and read back.

HAR 1.2 has no WebSocket messages; Chrome DevTools adds them to the handshake's
entry: ``"_resourceType": "websocket"`` and ``"_webSocketMessages"``, a list of
``{"type": "send" | "receive", "time": <epoch seconds>, "opcode": 1 | 2,
"data": <text, or base64 for binary>}``. :func:`to_har` writes that layout (one
entry per conversation); :func:`load_har` reads it from Chrome's and Chromium's
exports and ours, one :class:`Conversation` per WebSocket entry. A file is
untrusted: too big (``max_bytes``), truncated or malformed gets one line of
:class:`HarError`, never a traceback wall. Files and records only: no I/O beyond them.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wsecho_widget._util.errors import WsechoError
from wsecho_widget.model._har_writer import har_document, to_har
from wsecho_widget.model.message import History, Message, format_size

__all__ = ["MAX_HAR_BYTES", "Conversation", "HarError", "har_document", "load_har", "to_har"]

#: The biggest HAR file :func:`load_har` reads unless told (parsing JSON costs several times its size).
MAX_HAR_BYTES = 32 * 1024 * 1024

_DIRECTIONS = {"send": "sent", "receive": "received"}


class HarError(WsechoError, ValueError):
    """A HAR file that cannot be read, in one line."""


@dataclass
class Conversation:
    """One WebSocket entry of a HAR file: its ``url`` and its ``messages`` (a History)."""

    url: str
    messages: History

    def to_pandas(self, *, json: bool = False) -> Any:
        return self.messages.to_pandas(json=json)

    def __len__(self) -> int:
        return len(self.messages)


def load_har(path: str | Path, max_bytes: int = MAX_HAR_BYTES) -> list[Conversation]:
    """Every WebSocket conversation in a HAR file, in the file's order.

    Raises HarError in one line for a file over ``max_bytes``, one that is not JSON
    or is cut short, and one with no WebSocket entry.
    """
    path = Path(path)
    name = path.name
    try:
        size = os.stat(path).st_size
        if size > max_bytes:
            raise HarError(
                f"{name} is {format_size(size)}: over the {format_size(max_bytes)} limit (max_bytes)"
            )
        with open(path, "rb") as file:
            raw = file.read(max_bytes + 1)  # a file that grew since stat() is still capped
    except OSError as exc:
        raise HarError(f"cannot read {name}: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise HarError(f"{name} is over the {format_size(max_bytes)} limit (max_bytes)")
    try:
        document = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise HarError(f"{name} is not a HAR file (not JSON, or cut short): {str(exc)[:120]}") from None
    return conversations(document, name)


def conversations(document: Any, name: str = "the HAR file") -> list[Conversation]:
    """The WebSocket conversations of a parsed HAR document."""
    entries = document.get("log", {}).get("entries") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise HarError(f"{name} is not a HAR file: no log.entries list")
    found = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        frames = entry.get("_webSocketMessages")
        if entry.get("_resourceType") != "websocket" and frames is None:
            continue
        request = entry.get("request")
        url = request.get("url") if isinstance(request, dict) else None
        if not isinstance(url, str) or not isinstance(frames, list):
            raise HarError(
                f"{name}: WebSocket entry {index} has no request.url or no _webSocketMessages list"
            )
        messages = [_message(frame, f"{name}: entry {index}, message {n}") for n, frame in enumerate(frames)]
        history = History(max(1, len(messages)))
        history.extend(messages)
        found.append(Conversation(url, history))
    if not found:
        raise HarError(f"{name} has no WebSocket entry (export it from the Network panel with content)")
    return found


def _message(frame: Any, where: str) -> Message:
    if not isinstance(frame, dict):
        raise HarError(f"{where} is not an object")
    direction = _DIRECTIONS.get(frame.get("type"))  # type: ignore[arg-type]
    opcode, data, when = frame.get("opcode"), frame.get("data"), frame.get("time")
    if direction is None or opcode not in (1, 2) or not isinstance(data, str):
        raise HarError(f"{where}: want type send|receive, opcode 1|2 and string data")
    if not isinstance(when, (int, float)) or isinstance(when, bool):
        raise HarError(f"{where}: time is not a number")
    if opcode == 2:
        try:
            payload: str | bytes = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise HarError(f"{where}: binary data is not base64") from None
    else:
        payload = data
    return Message(direction, payload, float(when))  # type: ignore[arg-type]
