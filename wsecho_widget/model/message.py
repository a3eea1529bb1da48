"""The pure model: message records, bounded history, binary sniffing.

Nothing here does I/O or knows about widgets, so it can be tested (and reused) on
its own, like the sans-I/O core of websockets.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, overload

from wsecho_widget.model.media import MediaType, image_size, picture_type, sniff_media_type

__all__ = [
    "DEFAULT_HISTORY_LIMIT",
    "Direction",
    "History",
    "ImageFormat",
    "Message",
    "Row",
    "Totals",
    "format_size",
    "hex_dump",
    "hex_preview",
    "sniff_image_format",
]

Direction = Literal["sent", "received"]
ImageFormat = Literal["png", "jpeg", "gif", "webp"]
# The formats by their media type (media.picture_type reads the magic numbers).
_FORMATS: dict[str, ImageFormat] = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/gif": "gif",
    "image/webp": "webp",
}

#: How many messages a history keeps unless told otherwise.
DEFAULT_HISTORY_LIMIT = 10_000

_seq = itertools.count(1)


def sniff_image_format(data: bytes | bytearray | memoryview) -> ImageFormat | None:
    """Return the picture format that ``data`` starts with, or None.

    Only magic numbers are trusted, never what a peer claims. SVG is deliberately
    not recognised: it is markup that can carry scripts.
    """
    media_type = picture_type(data)
    return None if media_type is None else _FORMATS[media_type]


def _utf8_size(text: str) -> int:
    # isascii() is a flag check in CPython: no encoding for the common case.
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


@dataclass(frozen=True, slots=True)
class Message:
    """One WebSocket frame that was sent or received.

    ``data`` is a ``str`` for a text frame and ``bytes`` for a binary frame, exactly
    as it went over the wire. ``timestamp`` is seconds since the epoch; ``time`` is
    the same instant as an aware local ``datetime``. ``client`` is the id of the
    client a server exchanged the frame with (``"c1"``, ...; ``"*"`` for a frame sent
    to every connected client), None for a client panel's messages.
    """

    direction: Direction
    data: str | bytes
    timestamp: float
    seq: int = field(default_factory=_seq.__next__, compare=False)
    client: str | None = None

    @property
    def time(self) -> datetime:
        """When the frame was sent or received (aware, local time zone)."""
        return datetime.fromtimestamp(self.timestamp).astimezone()

    @property
    def kind(self) -> Literal["text", "binary"]:
        """``"text"`` or ``"binary"``: the frame's opcode."""
        return "text" if isinstance(self.data, str) else "binary"

    @property
    def size(self) -> int:
        """The payload's size in bytes (UTF-8 for text)."""
        data = self.data
        return _utf8_size(data) if isinstance(data, str) else len(data)

    @property
    def image_format(self) -> ImageFormat | None:
        """The picture format of a binary frame, sniffed from its bytes, else None."""
        data = self.data
        return None if isinstance(data, str) else sniff_image_format(data)

    @property
    def image_size(self) -> tuple[int, int] | None:
        """A picture's (width, height) as its header declares it, else None (also for a
        header that does not parse: that is not a picture)."""
        data = self.data
        return None if isinstance(data, str) else image_size(data)

    @property
    def media_type(self) -> MediaType | None:
        """``"image/png"``, ``"audio/wav"``, …: what a binary frame's magic numbers say."""
        data = self.data
        return None if isinstance(data, str) else sniff_media_type(data)


#: A frame as a history keeps it while nobody has read it: ``(direction, data,
#: timestamp, seq, client)``, the fields of its :class:`Message` in their order. A tuple
#: of strings and numbers, which the garbage collector stops tracking at its first
#: pass: a server that records 10,000 frames a second adds nothing for the collector
#: to walk (a Message stays tracked for as long as it lives).
Row = tuple[Direction, str | bytes, float, int, str | None]


@dataclass(slots=True)
class Totals:
    """Exact counts of what went each way, kept even when the history drops messages."""

    sent_messages: int = 0
    sent_bytes: int = 0
    received_messages: int = 0
    received_bytes: int = 0

    def add(self, message: Message) -> None:
        self.count(message.direction, message.data)

    def count(self, direction: Direction, data: str | bytes) -> None:
        """Count one frame: ``add`` without a Message."""
        # Message.size, inlined: this runs once per message under a flood.
        size = len(data) if not isinstance(data, str) or data.isascii() else _utf8_size(data)
        if direction == "received":
            self.received_messages += 1
            self.received_bytes += size
        else:
            self.sent_messages += 1
            self.sent_bytes += size

    def summary(self) -> str:
        """One line such as ``sent 3 (15 B) · received 3 (15 B)``."""
        return (
            f"sent {self.sent_messages:,} ({format_size(self.sent_bytes)}) · "
            f"received {self.received_messages:,} ({format_size(self.received_bytes)})"
        )


class History(Sequence[Message]):
    """The newest ``limit`` messages, oldest first, plus exact running totals.

    Appending is O(1); when full, the oldest message is dropped (``dropped`` counts
    them), so a long session cannot eat the kernel's memory. :meth:`record` keeps a
    frame as a :data:`Row` instead; reading it makes its Message, once: the same
    object every time after.
    """

    def __init__(self, limit: int = DEFAULT_HISTORY_LIMIT) -> None:
        if limit < 1:
            raise ValueError(f"history limit must be at least 1, not {limit}")
        self._messages: deque[Message | Row] = deque(maxlen=limit)
        self._rows = False  # whether rows may be kept, not yet made into messages
        self.totals = Totals()
        self.dropped = 0
        #: Extra columns for :meth:`to_pandas`, by name: each maps a message to its value
        #: (a Socket.IO panel adds ``event``).
        self.columns: dict[str, Callable[[Message], object]] = {}

    @property
    def limit(self) -> int:
        """The most messages kept."""
        maxlen = self._messages.maxlen
        assert maxlen is not None
        return maxlen

    def append(self, message: Message) -> None:
        messages = self._messages
        if len(messages) == messages.maxlen:
            self.dropped += 1
        messages.append(message)
        self.totals.add(message)

    def record(
        self, direction: Direction, data: str | bytes, timestamp: float, client: str | None = None
    ) -> Row:
        """Keep one frame as a :data:`Row` (its seq taken now); ``append`` without a Message.

        For a server's hot path while nobody watches: :meth:`message` (or any read)
        makes the Message when someone asks for it.
        """
        row: Row = (direction, data, timestamp, next(_seq), client)
        messages = self._messages
        if len(messages) == messages.maxlen:
            self.dropped += 1
        messages.append(row)
        self._rows = True
        self.totals.count(direction, data)
        return row

    def message(self, item: Message | Row) -> Message:
        """The Message of ``item``: itself, or the one made of a row (kept in its place)."""
        if type(item) is not tuple:
            return item  # type: ignore[return-value]
        messages = self._messages
        at = bisect_left(messages, item[3], key=_seq_of)
        if at < len(messages) and (messages[at] is item or _seq_of(messages[at]) == item[3]):
            return self[at]  # the row, or the Message already made of it
        return Message(*item)  # no longer kept here

    def extend(self, messages: Sequence[Message]) -> None:
        """Append ``messages`` in order: what ``append`` does, one batch at a time."""
        kept = self._messages
        before = len(kept)
        kept.extend(messages)
        self.dropped += before + len(messages) - len(kept)
        add = self.totals.add
        for message in messages:
            add(message)

    def clear(self) -> None:
        """Forget the kept messages; the totals stay exact."""
        self._messages.clear()

    def __len__(self) -> int:
        return len(self._messages)

    def __iter__(self) -> Iterator[Message]:
        return iter(self._made())

    @overload
    def __getitem__(self, index: int) -> Message: ...
    @overload
    def __getitem__(self, index: slice) -> list[Message]: ...
    def __getitem__(self, index: int | slice) -> Message | list[Message]:
        if isinstance(index, slice):
            return list(self._made())[index]
        item = self._messages[index]
        if type(item) is tuple:
            item = self._messages[index] = Message(*item)
        return item  # type: ignore[return-value]

    def _made(self) -> deque[Message]:
        # Every row made into its Message (a read of everything); made ones stay as they are.
        if self._rows:
            made = (Message(*item) if type(item) is tuple else item for item in self._messages)
            self._messages = deque(made, maxlen=self._messages.maxlen)
            self._rows = False
        return self._messages  # type: ignore[return-value]

    def to_pandas(self, *, json: bool = False) -> Any:
        """The kept messages as a pandas DataFrame, one row per message (needs the ``data`` extra).

        See :func:`wsecho_widget.model._frames.to_pandas` for the columns and their dtypes;
        ``json=True`` flattens text frames that are JSON objects into columns.
        """
        from wsecho_widget.model._frames import to_pandas

        return to_pandas(self, json=json, extra_columns=self.columns)

    def to_har(self, path: str | Path, url: str = "ws://127.0.0.1/") -> Path:
        """Write the kept messages as a HAR 1.2 file in Chrome DevTools' WebSocket layout."""
        from wsecho_widget.model._har_writer import to_har

        return to_har(self, path, url)

    def __repr__(self) -> str:
        return f"<History {len(self)} of at most {self.limit} messages; {self.totals.summary()}>"


def _seq_of(item: Message | Row) -> int:
    return item[3] if type(item) is tuple else item.seq  # type: ignore[union-attr]


def format_size(size: int) -> str:
    """``999 B``, ``1.5 KiB``, ``2.0 MiB``: sizes the way people read them."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            break
    return f"{value:.1f} {unit}"


def hex_preview(data: bytes, limit: int = 32) -> str:
    """The first ``limit`` bytes as hex pairs, and how many more there are."""
    shown = data[:limit].hex(" ")
    rest = len(data) - limit
    return f"{shown} … (+{rest:,} more bytes)" if rest > 0 else shown


def hex_dump(data: bytes, limit: int = 512, width: int = 16) -> str:
    """A classic hex dump (offset, hex, ASCII) of the first ``limit`` bytes."""
    lines = []
    for offset in range(0, min(len(data), limit), width):
        chunk = data[offset : offset + width]
        ascii_ = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{offset:08x}  {chunk.hex(' '):<{width * 3 - 1}}  {ascii_}")
    if len(data) > limit:
        lines.append(f"… {len(data) - limit:,} more bytes")
    return "\n".join(lines)
