"""MessagePack and CBOR decoded by their maintained libraries, one value at a time.

``msgpack.unpackb`` and ``cbor2.loads`` already refuse hostile lengths and deep
nesting, but they always build the whole document: a 16 MiB frame of small items
is ~17 million Python objects (0.5 s and ~170 MB here). So containers are walked
here, header by header, and every scalar (or tagged value) is decoded by the
library itself: decoding stops after a budget of items and a depth, with a
:class:`~wsecho_widget.decoders._pretty.Cut` saying so, whatever the frame's size. A
declared item count is checked against the bytes left before anything trusts it.
Small frames (no more bytes than the item budget, at most ``FAST_BYTES``) cannot
hold more values than the budget: the library decodes them whole, at C speed, and
the walk only runs if the result nests too deep or the library refused it.

The libraries are imported lazily (they are the optional extra ``codecs``); this
module imports no widgets.
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from wsecho_widget._util.errors import WsechoError
from wsecho_widget.decoders._pretty import Cut
from wsecho_widget.decoders._protobuf import Budget

__all__ = ["MissingLibrary", "WalkError", "decode_cbor", "decode_msgpack"]

#: Frames up to this size (and the item budget) are decoded whole by the library.
FAST_BYTES = 4096
_SELF_DESCRIBED = 55799
_SCALARS = frozenset((str, bytes, int, float, bool, type(None)))
# Tags whose content is a pair of numbers: decimal fraction, bigfloat, rational.
_PAIR_TAGS = frozenset((4, 5, 30))
INSTALL_HINT = 'pip install "wsecho-widget[codecs]"'


class WalkError(WsechoError, ValueError):
    """The bytes are not one valid document (one-line reason)."""


class MissingLibrary(WsechoError, ImportError):
    """The optional library a decoder needs is not installed."""


def require(module: str) -> ModuleType:
    """Import ``module`` or raise :class:`MissingLibrary` saying how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingLibrary(f"{module} is not installed: {INSTALL_HINT}") from None


def _hashable(key: Any) -> Any:
    # Both formats allow arrays and maps as keys; a Python dict does not.
    if isinstance(key, list):
        return tuple(_hashable(k) for k in key)
    if isinstance(key, dict):
        return tuple((_hashable(k), _hashable(v)) for k, v in key.items())
    try:
        hash(key)
    except (TypeError, RuntimeError):  # a CBOR tag (or set) over a list: cbor2 refuses its hash
        if type(key).__name__ == "CBORTag":
            return type(key)(key.tag, _hashable(key.value))
        return repr(key)
    return key


class _Walk:
    """What both walkers share: the budget, the depth limit, container loops."""

    def __init__(self, data: bytes, max_depth: int, budget: Budget) -> None:
        self.data = data
        self.max_depth = max_depth
        self.budget = budget

    def check_count(self, count: int, what: str, pos: int, per_item: int) -> None:
        left = len(self.data) - pos
        if count * per_item > left:
            raise WalkError(f"{what} header claims {count:,} items but only {left:,} bytes follow")

    def too_deep(self, depth: int) -> Cut | None:
        if depth < self.max_depth:
            return None
        self.budget.stop(f"nested deeper than {self.max_depth} levels")
        return Cut(f"nested deeper than {self.max_depth} levels: the rest not decoded")

    def array(self, count: int | None, depth: int) -> list[Any]:
        items: list[Any] = []
        index = 0
        while count is None or index < count:
            if count is None and self.at_break():
                break
            if not self.budget.take():
                more = f"{count - index:,} more items" if count is not None else "the rest"
                items.append(Cut(f"{more} not decoded ({self.budget.reason})"))
                break
            items.append(self.value(depth + 1))
            index += 1
        return items

    def map(self, count: int | None, depth: int) -> dict[Any, Any]:
        items: dict[Any, Any] = {}
        index = 0
        while count is None or index < count:
            if count is None and self.at_break():
                break
            if not self.budget.take():
                more = f"{count - index:,} more entries" if count is not None else "the rest"
                items[Cut(f"{more} not decoded ({self.budget.reason})")] = None
                break
            key = self.value(depth + 1)
            if self.budget.reason is not None:
                items[Cut(f"the rest not decoded ({self.budget.reason})")] = None
                break
            items[_hashable(key)] = self.value(depth + 1)
            index += 1
        return items

    def at_break(self) -> bool:
        raise NotImplementedError

    def value(self, depth: int) -> Any:
        raise NotImplementedError


class _MsgpackWalk(_Walk):
    def __init__(self, data: bytes, max_depth: int, budget: Budget) -> None:
        super().__init__(data, max_depth, budget)
        self.msgpack = require("msgpack")
        self.unpacker = self.msgpack.Unpacker(
            raw=False,
            unicode_errors="backslashreplace",
            strict_map_key=False,
            max_buffer_size=max(len(data), 1),
        )
        self.unpacker.feed(data)

    def value(self, depth: int) -> Any:
        pos = self.unpacker.tell()
        if pos >= len(self.data):
            raise WalkError("truncated: the data ends before the value does")
        head = self.data[pos]
        is_array = 0x90 <= head <= 0x9F or head in (0xDC, 0xDD)
        if not (is_array or 0x80 <= head <= 0x8F or head in (0xDE, 0xDF)):
            return self.unpacker.unpack()
        if (cut := self.too_deep(depth)) is not None:
            return cut
        if is_array:
            count = self.unpacker.read_array_header()
            self.check_count(count, "an array", self.unpacker.tell(), 1)
            return self.array(count, depth)
        count = self.unpacker.read_map_header()
        self.check_count(count, "a map", self.unpacker.tell(), 2)
        return self.map(count, depth)

    def at_break(self) -> bool:
        return False


def _children(item: Any) -> Any:
    """The values inside a container (keys too), or None for anything else."""
    kind = type(item)
    if kind in _SCALARS:
        return None
    if kind is list or kind is tuple:
        return item
    if kind is dict or isinstance(item, Mapping):
        return [*item.keys(), *item.values()]
    if isinstance(item, set | frozenset):
        return item
    if kind.__name__ == "CBORTag":
        return (item.value,)
    return None


def _deeper_than(value: Any, limit: int) -> bool:
    """True if a container (or tag) in ``value`` sits ``limit`` or more levels down."""
    level = [value] if _children(value) is not None else []
    for _ in range(limit):  # one level of containers at a time; scalars are never kept
        level = [c for item in level for c in _children(item) if _children(c) is not None]
        if not level:
            return False
    return bool(level)


def _small(data: bytes, budget: Budget) -> bool:
    # A frame of at most `items` bytes holds at most that many values: the library
    # may decode it whole, at C speed (the log shows many small frames per second).
    return len(data) <= min(FAST_BYTES, budget.items)


def decode_msgpack(data: bytes, *, max_depth: int, budget: Budget) -> Any:
    """One MessagePack value from ``data``, bounded; :class:`WalkError` when invalid."""
    msgpack = require("msgpack")
    if _small(data, budget):
        try:
            value = msgpack.unpackb(data, raw=False, unicode_errors="backslashreplace", strict_map_key=False)
        except Exception:  # invalid, or an array as a map key: the walk says what, or copes
            pass
        else:
            if not _deeper_than(value, max_depth):
                return value
    walk = _MsgpackWalk(data, max_depth, budget)
    msgpack = walk.msgpack
    try:
        value = walk.value(0)
    except msgpack.OutOfData:
        raise WalkError("truncated: the data ends before the value does") from None
    except WalkError:
        raise
    except (ValueError, msgpack.UnpackException) as exc:
        pos = walk.unpacker.tell()
        where = f"byte 0x{data[pos]:02x} at {pos}" if pos < len(data) else f"byte {pos}"
        raise WalkError(f"{str(exc) or type(exc).__name__} ({where})") from None
    extra = len(data) - walk.unpacker.tell()
    if extra > 0 and budget.reason is None:
        raise WalkError(f"{extra:,} bytes after the first value")
    return value


class _CborWalk(_Walk):
    def __init__(self, data: bytes, max_depth: int, budget: Budget) -> None:
        super().__init__(data, max_depth, budget)
        self.cbor2 = require("cbor2")
        self.fp = io.BytesIO(data)
        self.decoder = self.cbor2.CBORDecoder(self.fp)

    def head(self, pos: int) -> tuple[int, int, int | None, int]:
        """Major type, additional info, argument (None when indefinite), next position."""
        data = self.data
        if pos >= len(data):
            raise WalkError("truncated: the data ends before the value does")
        major, info = data[pos] >> 5, data[pos] & 31
        if info < 24:
            return major, info, info, pos + 1
        if info == 31:
            return major, info, None, pos + 1
        size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
        if size is None or pos + 1 + size > len(data):
            raise WalkError(f"malformed or truncated header at byte {pos}")
        return major, info, int.from_bytes(data[pos + 1 : pos + 1 + size], "big"), pos + 1 + size

    def scalar_end(self, pos: int, depth: int = 0) -> int | None:
        """Where the scalar (or tagged scalar) at ``pos`` ends; None for anything else."""
        major, info, arg, after = self.head(pos)
        if major in (0, 1) or (major == 7 and info < 28):
            return after
        if major in (2, 3) and arg is not None:
            return after + arg
        if major == 6 and depth < 2:
            return self.scalar_end(after, depth + 1)
        return None

    def scalar_pair(self, pos: int) -> bool:
        end = self.scalar_end(pos)
        return end is not None and self.scalar_end(end) is not None

    def at_break(self) -> bool:
        pos = self.fp.tell()
        if pos < len(self.data) and self.data[pos] == 0xFF:
            self.fp.seek(pos + 1)
            return True
        return False

    def value(self, depth: int) -> Any:
        pos = self.fp.tell()
        major, _, arg, after = self.head(pos)
        if major == 6 and arg is None:
            raise WalkError(f"a tag of indefinite length at byte {pos}")
        if major == 6:
            # A tag: walk its content when that is a container (a big array under a
            # tag must not be built whole); small scalars stay the library's (dates…).
            content, _, count, items = self.head(after)
            if arg in _PAIR_TAGS and content == 4 and count == 2 and self.scalar_pair(items):
                return self.decoder.decode()  # a Decimal or Fraction: small by construction
            if content in (4, 5, 6):
                if (cut := self.too_deep(depth)) is not None:
                    return cut
                self.fp.seek(after)
                inner = self.value(depth + 1)
                # 55799 only says "this is CBOR" (RFC 8949 3.4.6): the library drops it too.
                return inner if arg == _SELF_DESCRIBED else self.cbor2.CBORTag(arg, inner)
        if major not in (4, 5):
            return self.decoder.decode()
        if (cut := self.too_deep(depth)) is not None:
            return cut
        self.fp.seek(after)
        if arg is not None:
            self.check_count(arg, "an array" if major == 4 else "a map", after, 1 if major == 4 else 2)
        return self.array(arg, depth) if major == 4 else self.map(arg, depth)


def decode_cbor(data: bytes, *, max_depth: int, budget: Budget) -> Any:
    """One CBOR value from ``data``, bounded; :class:`WalkError` when invalid."""
    cbor2 = require("cbor2")
    if _small(data, budget):
        fp = io.BytesIO(data)
        try:
            value = cbor2.CBORDecoder(fp).decode()
        except Exception:  # invalid, or an array as a map key: the walk says what, or copes
            pass
        else:
            if fp.tell() == len(data) and not _deeper_than(value, max_depth):
                return value
    walk = _CborWalk(data, max_depth, budget)
    try:
        value = walk.value(0)
    except walk.cbor2.CBORDecodeEOF:
        raise WalkError("truncated: the data ends before the value does") from None
    except WalkError:
        raise
    except (walk.cbor2.CBORDecodeError, ValueError, RecursionError) as exc:
        raise WalkError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    except (TypeError, OverflowError, RuntimeError) as exc:  # cbor2 refusing what the bytes say
        raise WalkError(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None
    extra = len(data) - walk.fp.tell()
    if extra > 0 and budget.reason is None:
        raise WalkError(f"{extra:,} bytes after the first value")
    return value
