"""Protobuf's wire format decoded without a schema, like ``protoc --decode_raw``.

Field numbers and wire types are all the bytes say; a length-delimited payload is
shown as a nested message where it parses as one, a string where it is printable
UTF-8, else bytes. Bounded for untrusted peers: every field read (also in nested
attempts that fail) spends one item of a shared budget, nesting stops at a depth,
payloads larger than ``max_bytes`` stay bytes, and a declared length is checked
against the bytes that are really there before anything is sliced.

Pure: imports no protobuf package, no widgets.
"""

from __future__ import annotations

from typing import Any

from wsecho_widget._util.errors import WsechoError
from wsecho_widget.decoders._pretty import Cut, ProtoField

__all__ = ["Budget", "ProtobufError", "decode_protobuf"]

_WIRE = {0: "varint", 1: "i64", 2: "len", 3: "group", 5: "i32"}
_MAX_FIELD = 2**29 - 1


class ProtobufError(WsechoError, ValueError):
    """The bytes are not a protobuf message (one-line reason)."""


class Budget:
    """How many more values a decoder may produce; records why it stopped."""

    __slots__ = ("items", "limit", "reason")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items = limit
        self.reason: str | None = None

    def take(self) -> bool:
        """Spend one item; False (and stopped for good) once the budget is gone."""
        if self.reason is not None:
            return False
        if self.items <= 0:
            self.reason = f"over {self.limit:,} items"
            return False
        self.items -= 1
        return True

    def stop(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason


def _varint(buf: memoryview, pos: int, end: int) -> tuple[int, int]:
    result = shift = 0
    for i in range(pos, min(pos + 10, end)):
        byte = buf[i]
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, i + 1
        shift += 7
    if end - pos < 10:
        raise ProtobufError(f"truncated varint at byte {pos}")
    raise ProtobufError(f"varint longer than 10 bytes at byte {pos}")


class _Parser:
    def __init__(self, data: bytes, max_depth: int, max_bytes: int, budget: Budget) -> None:
        self.buf = memoryview(data)
        self.max_depth = max_depth
        self.max_bytes = max_bytes
        self.budget = budget

    def message(self, pos: int, end: int, depth: int, group: int | None = None) -> tuple[list[Any], int]:
        """The fields in ``buf[pos:end]`` (up to the end of ``group`` if given) and where it stopped."""
        fields: list[Any] = []
        while pos < end:
            if not self.budget.take():
                fields.append(Cut(f"the rest not decoded ({self.budget.reason})"))
                return fields, end
            start = pos
            key, pos = _varint(self.buf, pos, end)
            number, wire = key >> 3, key & 7
            if wire == 4:
                if group == number:
                    return fields, pos
                raise ProtobufError(f"unexpected end of group {number} at byte {start}")
            if not 1 <= number <= _MAX_FIELD:
                raise ProtobufError(f"field number {number} at byte {start}")
            value, pos = self.field(number, wire, pos, end, depth)
            fields.append(ProtoField(number, _WIRE[wire], value))
        if group is not None:
            raise ProtobufError(f"group {group} is not closed")
        return fields, pos

    def field(self, number: int, wire: int, pos: int, end: int, depth: int) -> tuple[Any, int]:
        if wire == 0:
            return _varint(self.buf, pos, end)
        if wire in (1, 5):
            size = 8 if wire == 1 else 4
            if end - pos < size:
                raise ProtobufError(f"field {number}: truncated, {size} bytes needed, {end - pos} left")
            return int.from_bytes(self.buf[pos : pos + size], "little"), pos + size
        if wire == 2:
            length, pos = _varint(self.buf, pos, end)
            if length > end - pos:
                raise ProtobufError(
                    f"field {number}: length {length:,} runs past the end ({end - pos:,} bytes left)"
                )
            return self.payload(pos, pos + length, depth), pos + length
        if wire == 3:
            if depth >= self.max_depth:
                self.budget.stop(f"groups nested deeper than {self.max_depth} levels")
                return Cut(self.budget.reason or ""), end
            return self.message(pos, end, depth + 1, group=number)
        raise ProtobufError(f"field {number}: wire type {wire} is not one protobuf has")

    def payload(self, pos: int, end: int, depth: int) -> Any:
        """A length-delimited payload: a printable string, a nested message, a string or bytes."""
        chunk = self.buf[pos:end]
        if not chunk:
            return ""
        if len(chunk) > self.max_bytes:
            return bytes(chunk)
        try:
            text: str | None = str(chunk, "utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None and text.isprintable():
            return text
        if depth >= self.max_depth:
            return Cut(f"{len(chunk):,} bytes nested deeper than {self.max_depth} levels, not decoded")
        try:
            nested, _ = self.message(pos, end, depth + 1)
        except ProtobufError:
            nested = []
        if nested:
            return nested
        return text if text is not None else bytes(chunk)


def decode_protobuf(data: bytes, *, max_depth: int, max_bytes: int, budget: Budget) -> list[Any]:
    """``data`` as a list of :class:`ProtoField` (with a :class:`Cut` where it stopped).

    Raises :class:`ProtobufError` when the top level is not a message.
    """
    fields, _ = _Parser(data, max_depth, max_bytes, budget).message(0, len(data), 0)
    return fields
