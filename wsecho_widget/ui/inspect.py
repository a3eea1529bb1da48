"""What the detail view shows of one message: its facts, its decoded view, its bytes in parts.

Pure functions on :class:`~wsecho_widget.model.Message`, like :mod:`wsecho_widget.ui.render`:
the detail widget (:mod:`wsecho_widget.ui.controls.detail`) sends the result to the page as
``protocol.js``'s ``DetailMessage``. A message's bytes go to the page in parts: the first
:data:`CHUNK` (a picture, sound or video whole, up to :data:`MEDIA_WHOLE`), then more when the
person asks, so a 16 MiB frame is never 16 MiB of page at once.

Must not import ipywidgets, asyncio or any wsecho_widget module but ``model``, ``decoders``
and ``ui.render``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from wsecho_widget.decoders.core import DecodeError, Decoder, decoded_text
from wsecho_widget.model.message import Message
from wsecho_widget.ui.render import JSON_PRETTY_LIMIT, stamp

__all__ = [
    "CHUNK",
    "MEDIA_WHOLE",
    "clock",
    "decoded_view",
    "describe",
    "kind_label",
    "payload",
    "shown_first",
]

#: How many bytes of a message the page gets at first, and with each "show more".
CHUNK = 64 * 1024
#: A picture, sound or video up to this size comes whole (the page shows it at once).
MEDIA_WHOLE = 16 * 1024 * 1024
#: Binary frames up to this size are tried with the decoders (it runs on the kernel's loop).
DECODE_LIMIT = 1024 * 1024
#: The decoded view's most characters.
DECODED_CHARS = 64 * 1024
# Decoders tried on a binary frame when the Binary view names none (protobuf's raw
# wire format reads almost any bytes as something, so it is only used when chosen).
_GUESSES = ("msgpack", "cbor")
_KINDS = {"image": "picture", "audio": "audio", "video": "video"}
_NAMES = {"mpeg": "mp3"}


def payload(message: Message) -> bytes:
    """The message's bytes as they went over the wire (UTF-8 for text)."""
    data = message.data
    return data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data


def shown_first(message: Message) -> int:
    """How many bytes the page gets when the message is selected."""
    size = message.size
    if message.media_type is not None and size <= MEDIA_WHOLE:
        return size
    return min(size, CHUNK)


def kind_label(message: Message) -> str:
    """``JSON``, ``text``, ``png picture``, ``wav audio`` or ``binary``."""
    data = message.data
    if isinstance(data, str):
        if data.lstrip().startswith(("{", "[")) and len(data) <= JSON_PRETTY_LIMIT:
            try:
                json.loads(data)
            except ValueError:
                return "text"
            return "JSON"
        return "text"
    media_type = message.media_type
    if media_type is None:
        return "binary"
    kind, _, name = media_type.partition("/")
    return f"{_NAMES.get(name, name)} {_KINDS[kind]}"


def decoded_view(
    message: Message, view: str = "auto", decoders: Mapping[str, Decoder] | None = None
) -> tuple[str, str] | None:
    """``(decoder, text)`` for a binary frame that decodes, else None.

    The Binary view's decoder when one is chosen (a built-in or a registered one),
    else MessagePack, then CBOR (a guess that fails, or whose library is missing,
    is skipped). Pictures, sounds, videos and frames over
    :data:`DECODE_LIMIT` are not tried.
    """
    data = message.data
    if isinstance(data, str) or message.media_type is not None or len(data) > DECODE_LIMIT or not data:
        return None
    chosen = view not in ("auto", "hex", "text")
    for name in (view,) if chosen else _GUESSES:
        try:
            return name, decoded_text(data, name, decoders=decoders, max_chars=DECODED_CHARS)
        except DecodeError as exc:
            if chosen:
                return name, f"does not decode as {name}: {exc}"
    return None


def clock(timestamp: float) -> str:
    """``2026-12-06 07:04:39.123 +0000``: local wall-clock time to the millisecond."""
    local = time.localtime(timestamp)
    millis = int(timestamp % 1 * 1000)
    return time.strftime("%Y-%m-%d %H:%M:%S", local) + f".{millis:03d} " + time.strftime("%z", local)


def describe(
    message: Message,
    *,
    origin: str | None = None,
    view: str = "auto",
    decoders: Mapping[str, Decoder] | None = None,
    since: float | None = None,
    resend: bool = True,
    edit: bool = True,
) -> dict[str, Any]:
    """The detail view's ``DetailMessage`` for ``message`` (its first bytes go beside it).

    ``origin`` is the client (a server panel) or the event (Socket.IO); ``view`` and
    ``decoders`` are the log's Binary view and its panel's own decoders; ``since`` a
    timestamp the time is shown relative to (``+1.234 s · `` before the clock); ``resend``
    and ``edit`` whether the panel offers Resend and Edit (Edit only for text).
    """
    detail: dict[str, Any] = {
        "kind": "detail",
        "seq": message.seq,
        "direction": message.direction,
        "time": clock(message.timestamp)
        if since is None
        else f"{stamp(message.timestamp, since).strip()} · {clock(message.timestamp)}",
        "size": message.size,
        "type": message.kind,
        "label": kind_label(message),
        "shown": shown_first(message),
        "resend": resend,
        "edit": edit and message.kind == "text",
    }
    if origin is not None:
        detail["origin"] = origin
    media_type = message.media_type
    if media_type is not None and message.size <= MEDIA_WHOLE:
        detail["media"] = media_type
        if (size := message.image_size) is not None:
            detail["dimensions"] = list(size)
    if (decoded := decoded_view(message, view, decoders)) is not None:
        detail["decoder"], detail["decoded"] = decoded
    return detail
