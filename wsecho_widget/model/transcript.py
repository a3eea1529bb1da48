"""Transcripts: messages saved as JSON lines, and read back exactly.

One JSON object per line, oldest first::

    {"direction": "sent", "time": "2025-01-31T12:00:00.123456+01:00", "timestamp": 1738321200.123456,
     "kind": "text", "text": "Hello!"}
    {"direction": "received", "time": "…", "timestamp": …, "kind": "binary", "size": 3, "base64": "AAEC"}

``time`` is for people (ISO 8601, local time zone); ``timestamp`` keeps the exact
float, so a loaded message compares equal to the one that was saved. Text is stored
as UTF-8 text (not escaped), binary frames as base64. Lines are easy to read with
``jq`` or ``pandas.read_json(path, lines=True)``.

Must not import ipywidgets, asyncio or the panel: files and records only.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from wsecho_widget.model.message import Message

__all__ = [
    "default_transcript_name",
    "dump_message",
    "load_transcript",
    "parse_message",
    "save_transcript",
    "unique_path",
]


def dump_message(message: Message) -> str:
    """One message as one JSON line (without the newline)."""
    record: dict[str, Any] = {
        "direction": message.direction,
        "time": message.time.isoformat(timespec="microseconds"),
        "timestamp": message.timestamp,
        "kind": message.kind,
    }
    if message.client is not None:  # a server panel's message: whose it was
        record["client"] = message.client
    data = message.data
    if isinstance(data, str):
        record["text"] = data
    else:
        record["size"] = len(data)
        record["base64"] = base64.b64encode(data).decode("ascii")
    return json.dumps(record, ensure_ascii=False)


def parse_message(line: str) -> Message:
    """A :class:`Message` from one JSON line; ValueError says what is wrong with it."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg}") from None
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    direction = record.get("direction")
    if direction not in ("sent", "received"):
        raise ValueError(f"direction must be 'sent' or 'received', not {direction!r}")
    timestamp = record.get("timestamp")
    if not isinstance(timestamp, (int, float)) or isinstance(timestamp, bool):
        # Written by hand or by another tool: the ISO time is enough.
        try:
            timestamp = datetime.fromisoformat(str(record["time"])).timestamp()
        except (KeyError, ValueError):
            raise ValueError("needs a numeric 'timestamp' or an ISO 8601 'time'") from None
    kind = record.get("kind")
    data: str | bytes
    if kind == "text" and isinstance(record.get("text"), str):
        data = record["text"]
    elif kind == "binary" and isinstance(record.get("base64"), str):
        try:
            data = base64.b64decode(record["base64"], validate=True)
        except binascii.Error:
            raise ValueError("'base64' is not valid base64") from None
        if "size" in record and record["size"] != len(data):
            raise ValueError(f"'size' says {record['size']} bytes, 'base64' holds {len(data)}")
    else:
        raise ValueError("needs kind 'text' with 'text', or kind 'binary' with 'base64'")
    client = record.get("client")
    if client is not None and not isinstance(client, str):
        raise ValueError(f"'client' must be a string, not {type(client).__name__}")
    return Message(direction, data, float(timestamp), client=client)


def save_transcript(messages: Iterable[Message], path: str | os.PathLike[str]) -> Path:
    """Write ``messages`` to ``path`` as JSON lines (UTF-8); returns the absolute path.

    The file is written next to its final name and then moved into place, so a
    failure half-way never leaves a truncated transcript behind.
    """
    target = Path(path).expanduser().absolute()
    partial = target.with_name(target.name + ".partial")
    try:
        with partial.open("w", encoding="utf-8", newline="\n") as file:
            for message in messages:
                file.write(dump_message(message))
                file.write("\n")
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def load_transcript(path: str | os.PathLike[str]) -> list[Message]:
    """Read a transcript back as :class:`Message` records, oldest first.

    Blank lines are skipped. A bad line raises ValueError naming the file and line.
    """
    messages = []
    with Path(path).expanduser().open(encoding="utf-8") as file:
        for number, line in enumerate(file, 1):
            if not line.strip():
                continue
            try:
                messages.append(parse_message(line))
            except ValueError as exc:
                raise ValueError(f"{path}, line {number}: {exc}") from None
    return messages


def default_transcript_name(now: datetime | None = None) -> str:
    """``wsecho-transcript-20250131-120000.jsonl``: a name that sorts by time."""
    now = now or datetime.now()
    return f"wsecho-transcript-{now:%Y%m%d-%H%M%S}.jsonl"


def unique_path(name: str, taken: Iterable[Path] = ()) -> Path:
    """``name`` made absolute, with ``-2``, ``-3``… before the suffix if it exists or is ``taken``.

    Two saves within one second must not overwrite each other, even while the
    first one is still being written (``taken``).
    """
    path = Path(name).absolute()
    counter = 2
    while path.exists() or path in taken:
        path = path.with_name(f"{Path(name).stem}-{counter}{Path(name).suffix}")
        counter += 1
    return path
