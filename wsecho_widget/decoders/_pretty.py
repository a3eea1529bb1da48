"""A size-capped pretty-printer for decoded payloads: JSON-like text for any object.

What MessagePack, CBOR, protobuf or a user's decoder returns is rarely plain JSON
(bytes, tags, dates, integer keys…), so this prints it in JSON's layout and spells
the rest sensibly. The output is bounded (characters and depth) and says where it
was cut. Pure: no widgets, and it imports neither msgpack nor cbor2 (their types are
recognised by name).
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["Cut", "ProtoField", "pretty"]

#: Integers wider than this many bits are summarised: ``str(int)`` on a huge one is slow.
_INT_BITS = 4096
_SCALARS = frozenset((str, int, float, bool, type(None), bytes))
# Strings that JSON spells as they are: printable, no quote, no backslash.
_PLAIN = re.compile(r'[^"\\\x00-\x1f\x7f-\x9f\u2028\u2029]*')


@dataclasses.dataclass(frozen=True, slots=True)
class Cut:
    """Stands where a decoder or the printer stopped, and says why.

    Decoders put one at the end of a container they did not finish (and as a key
    of a mapping), so a cut result can never be mistaken for a whole one.
    """

    reason: str

    def __repr__(self) -> str:
        return f"<cut: {self.reason}>"


@dataclasses.dataclass(frozen=True, slots=True)
class ProtoField:
    """One field of a protobuf message decoded without its schema.

    ``wire_type`` is ``varint``, ``i64``, ``len``, ``group`` or ``i32``; ``value`` is an
    int (varint, i64, i32: unsigned, as on the wire), a nested message (a list of
    fields) where a ``len`` payload parses as one, a str where it is printable UTF-8,
    else bytes.
    """

    number: int
    wire_type: str
    value: Any


class _Full(Exception):
    """The printer's output reached its cap."""


class _Printer:
    def __init__(self, indent: int, max_chars: int, max_depth: int, bytes_preview: int) -> None:
        self.indent = indent
        self.max_chars = max_chars
        self.max_depth = max_depth
        self.bytes_preview = bytes_preview
        self.parts: list[str] = []
        self.size = 0

    def put(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text)
        if self.size > self.max_chars:
            raise _Full

    def value(self, obj: Any, depth: int, prefix: str = "") -> None:
        """Print ``obj`` after ``prefix`` (its indentation and key, put in the same call)."""
        kind = type(obj)
        if kind in _SCALARS:
            self.put(prefix + self.scalar(obj))
        elif kind is dict or (isinstance(obj, Mapping) and kind is not ProtoField):
            self.container(prefix + "{", "}", list(obj.items()), depth, pairs=True)
        elif isinstance(obj, ProtoField):
            self.value([obj], depth, prefix)
        elif isinstance(obj, list | tuple | set | frozenset) and not _is_ext(obj):
            items = list(obj)
            if any(isinstance(i, ProtoField) for i in items) and all(
                isinstance(i, ProtoField | Cut) for i in items
            ):
                self.container(prefix + "{", "}", [(_proto_key(i), i) for i in items], depth, pairs=True)
            else:
                self.container(prefix + "[", "]", items, depth, pairs=False)
        elif kind.__name__ == "CBORTag" and hasattr(obj, "tag"):
            self.value(obj.value, depth, f"{prefix}tag {obj.tag}: ")
        else:
            self.put(prefix + self.scalar(obj))

    def container(self, open_: str, close: str, items: list[Any], depth: int, *, pairs: bool) -> None:
        if not items:
            self.put(open_ + close)
            return
        if depth >= self.max_depth:
            count = f"{len(items):,} item" + ("s" if len(items) != 1 else "")
            self.put(f"{open_}… {count} nested deeper than {self.max_depth} levels{close}")
            return
        compact = self.indent == 0
        pad = "" if compact else "\n" + " " * (self.indent * (depth + 1))
        between = (", " if compact else ",") + pad
        self.put(open_)
        prefix = pad
        for item in items:
            if pairs:
                key, value = item
                if isinstance(key, Cut) or isinstance(value, Cut):
                    self.put(prefix + "… " + (key if isinstance(key, Cut) else value).reason)
                    continue
                if isinstance(value, ProtoField):
                    value = value.value
                self.value(value, depth + 1, prefix + _key_text(key) + ": ")
            elif isinstance(item, Cut):
                self.put(prefix + "… " + item.reason)
            else:
                self.value(item, depth + 1, prefix)
            prefix = between
        self.put(close if compact else "\n" + " " * (self.indent * depth) + close)

    def scalar(self, obj: Any) -> str:
        if obj is None or isinstance(obj, bool):
            return {None: "null", True: "true", False: "false"}[obj]
        if isinstance(obj, int):
            return str(obj) if obj.bit_length() <= _INT_BITS else f"<integer of {obj.bit_length():,} bits>"
        if isinstance(obj, float):
            return (
                repr(obj)
                if math.isfinite(obj)
                else {"nan": "NaN", "inf": "Infinity"}.get(str(obj), "-Infinity")
            )
        if isinstance(obj, str):
            return self.string(obj)
        if isinstance(obj, bytes | bytearray | memoryview):
            data = bytes(obj[: self.bytes_preview])
            more = len(obj) - len(data)
            tail = f" … (+{more:,} more bytes)" if more > 0 else ""
            return f"<{len(obj):,} bytes: {data.hex(' ')}{tail}>" if obj else "<0 bytes>"
        if isinstance(obj, Cut):
            return "… " + obj.reason
        if isinstance(obj, datetime.datetime | datetime.date | datetime.time):
            return json.dumps(obj.isoformat())
        name = type(obj).__name__
        if name == "ExtType":  # msgpack's extension type: (code, data)
            return f"ext {obj.code}: {self.scalar(obj.data)}"
        if name == "Timestamp" and hasattr(obj, "to_datetime"):  # msgpack's timestamp extension
            try:
                return json.dumps(obj.to_datetime().isoformat())
            except (OverflowError, ValueError):
                return repr(obj)
        text = repr(obj)
        return text if len(text) <= 200 else text[:200] + "…"

    def string(self, text: str) -> str:
        if len(text) < 200 and _PLAIN.fullmatch(text):
            return f'"{text}"'  # what json.dumps gives, without its cost
        # Leave room for the note, so a long string is cut here and says how much.
        room = max(self.max_chars - self.size - 40, 0)
        if len(text) > room:
            return json.dumps(text[:room], ensure_ascii=False) + f" … (+{len(text) - room:,} more characters)"
        return json.dumps(text, ensure_ascii=False)


def _is_ext(obj: object) -> bool:
    return type(obj).__name__ == "ExtType"


def _proto_key(item: ProtoField | Cut) -> Any:
    return item if isinstance(item, Cut) else f"{item.number} ({item.wire_type})"


def _key_text(key: Any) -> str:
    if type(key) is str:
        if len(key) < 200 and _PLAIN.fullmatch(key):
            return f'"{key}"'
        return json.dumps(key, ensure_ascii=False)
    printer = _Printer(0, 200, 1, 16)
    try:
        printer.value(key, 0)
    except _Full:
        return "".join(printer.parts)[:200] + "…"
    return "".join(printer.parts)


def pretty(
    obj: Any,
    *,
    indent: int = 2,
    max_chars: int = 100_000,
    max_depth: int = 64,
    bytes_preview: int = 32,
) -> str:
    """``obj`` as JSON-like text: objects, arrays, strings as JSON prints them.

    Bytes show as ``<5 bytes: 68 65 6c 6c 6f>`` (the first ``bytes_preview`` in hex),
    dates as ISO strings, CBOR tags as ``tag 1: …``, MessagePack extensions as
    ``ext 5: …``, protobuf fields as ``"1 (varint)": 150`` keys, anything else as its
    ``repr``. At most ``max_chars`` characters (then a last line says it was cut) and
    ``max_depth`` levels of nesting.
    """
    printer = _Printer(indent, max_chars, max_depth, bytes_preview)
    try:
        printer.value(obj, 0)
    except _Full:
        text = "".join(printer.parts)[:max_chars]
        return f"{text}\n… cut: the rest is over {max_chars:,} characters"
    return "".join(printer.parts)
