"""Decoders for binary frames: hex, text, MessagePack, CBOR, schema-less protobuf, yours.

``decode(message_or_bytes, name)`` returns the decoded object or raises
:class:`DecodeError` with a one-line reason; ``register(name, func)`` adds a decoder
that every panel's Binary view offers; :func:`pretty` turns any decoded object into
JSON-like text for the log. Peers are untrusted, so decoding is bounded
(:class:`Limits`): at most ``max_items`` values, ``max_depth`` levels of nesting and
``max_bytes`` of a frame handled; where a result is cut, a :class:`Cut` in it says
so. msgpack and cbor2 (the optional extra ``codecs``) are imported only when used.

Pure: no widgets, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from wsecho_widget._util.errors import WsechoError
from wsecho_widget.decoders._pretty import Cut, ProtoField, pretty
from wsecho_widget.decoders._protobuf import Budget, ProtobufError, decode_protobuf
from wsecho_widget.decoders._walkers import (
    INSTALL_HINT,
    MissingLibrary,
    WalkError,
    decode_cbor,
    decode_msgpack,
    require,
)
from wsecho_widget.model.message import Message, format_size, hex_dump

__all__ = [
    "BUILTIN_DECODERS",
    "INSTALL_HINT",
    "VIEW_CHARS",
    "VIEW_LIMITS",
    "Cut",
    "DecodeError",
    "Decoder",
    "Limits",
    "ProtoField",
    "check_decoder",
    "decode",
    "decoded_text",
    "decoder_names",
    "encode",
    "pretty",
    "register",
    "unregister",
]

Decoder = Callable[[bytes], Any]

#: The decoders this package has; ``auto`` is a view (pictures as pictures), not a decoder.
BUILTIN_DECODERS: tuple[str, ...] = ("hex", "text", "msgpack", "cbor", "protobuf")
_RESERVED = frozenset((*BUILTIN_DECODERS, "auto"))

_registry: dict[str, Decoder] = {}


class DecodeError(WsechoError, ValueError):
    """A frame could not be decoded; ``str(error)`` is one line saying why."""


@dataclass(frozen=True, slots=True)
class Limits:
    """How much of an untrusted frame a decoder may look at and produce.

    ``max_items``: values decoded (array items, map entries, protobuf fields), after
    which the result ends with a :class:`Cut`. ``max_depth``: levels of nesting.
    ``max_bytes``: bytes that ``text`` and ``hex`` show, and the largest protobuf
    payload tried as a nested message or string (a larger one stays bytes).
    """

    max_items: int = 100_000
    max_depth: int = 64
    max_bytes: int = 1 << 20

    def __post_init__(self) -> None:
        if min(self.max_items, self.max_depth, self.max_bytes) < 1:
            raise ValueError("every limit must be at least 1")


#: What the log allows itself per frame: it may re-render its 200 newest frames at
#: once, on the kernel's loop, so each gets a small budget (``decode()`` gets more).
VIEW_LIMITS = Limits(max_items=2_000, max_depth=32, max_bytes=64 * 1024)
#: The most characters of one decoded frame the log shows.
VIEW_CHARS = 2_000


def decoded_text(
    data: bytes,
    name: str,
    *,
    decoders: Mapping[str, Decoder] | None = None,
    limits: Limits = VIEW_LIMITS,
    max_chars: int = VIEW_CHARS,
) -> str:
    """What the log shows for ``data`` in the view ``name``: pretty-printed, capped.

    Raises :class:`DecodeError` like :func:`decode`.
    """
    value = decode(data, name, limits=limits, decoders=decoders)
    if name == "text" and isinstance(value, str):
        if len(value) <= max_chars:
            return value
        return value[:max_chars] + f"\n… cut: {len(value) - max_chars:,} more characters not shown"
    return pretty(value, max_chars=max_chars, max_depth=limits.max_depth)


def encode(obj: Any, name: str) -> bytes:
    """``obj`` as MessagePack (``name="msgpack"``) or CBOR (``"cbor"``) bytes.

    Raises ImportError saying how to install the ``codecs`` extra when the library
    is missing, TypeError or ValueError for what the format cannot hold.
    """
    if name == "msgpack":
        packed = require("msgpack").packb(obj, datetime=True)
    elif name == "cbor":
        packed = require("cbor2").dumps(obj)
    else:
        raise ValueError(f"encode() writes msgpack or cbor, not {name!r}")
    return bytes(packed)


def register(name: str, func: Decoder) -> None:
    """Add (or replace) a decoder that every panel made from now on offers in its Binary view.

    ``func(data: bytes)`` returns any object (shown pretty-printed like JSON) or
    raises; whatever it raises becomes a one-line :class:`DecodeError`. It runs in the
    kernel's loop, so it should be quick: it is given the whole frame.
    """
    check_decoder(name, func)
    _registry[name] = func


def check_decoder(name: str, func: Decoder) -> None:
    """Raise ValueError or TypeError unless ``name`` and ``func`` can be a decoder."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError("a decoder needs a non-empty name")
    if name in _RESERVED:
        raise ValueError(f"{name!r} is a built-in view: choose another name")
    if not callable(func):
        raise TypeError(f"a decoder must be callable, not {type(func).__name__}")


def unregister(name: str) -> None:
    """Forget a decoder added with :func:`register` (KeyError if there is none)."""
    del _registry[name]


def decoder_names(extra: Mapping[str, Decoder] | None = None) -> tuple[str, ...]:
    """Every decoder's name: the built-in ones, then registered ones, then ``extra``'s."""
    names = [*BUILTIN_DECODERS, *_registry]
    names += [name for name in (extra or {}) if name not in names]
    return tuple(names)


def decode(
    data: Message | bytes | bytearray | memoryview,
    name: str,
    *,
    limits: Limits | None = None,
    decoders: Mapping[str, Decoder] | None = None,
) -> Any:
    """``data`` (a binary message or bytes) decoded by the decoder called ``name``.

    Built-in: ``hex`` (a hex dump, str), ``text`` (UTF-8 with ``\\xNN`` escapes for
    the rest, str), ``msgpack`` and ``cbor`` (Python objects), ``protobuf`` (a list of
    :class:`ProtoField`). ``decoders`` adds names for this call only (a panel's own).
    Raises :class:`DecodeError` with a one-line reason: unknown name, a text frame,
    invalid or truncated bytes, a missing optional library, a decoder that raised.
    """
    limits = limits or Limits()
    payload = _payload(data)
    if decoders and name in decoders:
        return _run_user(name, decoders[name], payload)
    if name in _registry:
        return _run_user(name, _registry[name], payload)
    budget = Budget(limits.max_items)
    try:
        if name == "hex":
            return _hex(payload, limits.max_bytes)
        if name == "text":
            return text_of(payload, limits.max_bytes)
        if name == "msgpack":
            return decode_msgpack(payload, max_depth=limits.max_depth, budget=budget)
        if name == "cbor":
            return decode_cbor(payload, max_depth=limits.max_depth, budget=budget)
        if name == "protobuf":
            return decode_protobuf(
                payload, max_depth=limits.max_depth, max_bytes=limits.max_bytes, budget=budget
            )
    except MissingLibrary as exc:
        raise DecodeError(f"{name}: {exc}") from None
    except (WalkError, ProtobufError) as exc:
        raise DecodeError(f"not {_LABEL[name]}: {exc}") from None
    known = ", ".join(decoder_names(decoders))
    raise DecodeError(f"no decoder called {name!r} (there are: {known})")


_LABEL = {"msgpack": "MessagePack", "cbor": "CBOR", "protobuf": "a protobuf message"}


def _payload(data: Message | bytes | bytearray | memoryview) -> bytes:
    if isinstance(data, Message):
        data = data.data  # type: ignore[assignment]
    if isinstance(data, str):
        raise DecodeError("a text frame: decoders read binary frames (the JSON view shows text)")
    if isinstance(data, bytearray | memoryview):
        return bytes(data)
    if not isinstance(data, bytes):
        raise DecodeError(f"decoders read bytes or a binary Message, not {type(data).__name__}")
    return data


def _run_user(name: str, func: Decoder, payload: bytes) -> Any:
    try:
        return func(payload)
    except Exception as exc:
        reason = " ".join(str(exc).split()) or "no reason given"
        raise DecodeError(f"{name}: {type(exc).__name__}: {reason[:300]}") from None


def _cut_note(shown: int, total: int) -> str:
    return f"… cut: {format_size(total - shown)} more of {format_size(total)} not shown"


def _hex(data: bytes, max_bytes: int) -> str:
    dump = hex_dump(data, limit=max_bytes)
    if len(data) > max_bytes:  # hex_dump's own last line says how many more bytes
        dump = dump.rsplit("\n", 1)[0] + "\n" + _cut_note(max_bytes, len(data))
    return dump


# Control characters (except newline and tab) would garble the log: shown escaped.
_CONTROLS = {c: f"\\x{c:02x}" for c in [*range(0x09), *range(0x0B, 0x20), 0x7F]}


def text_of(data: bytes, max_bytes: int = 1 << 20) -> str:
    """The first ``max_bytes`` of ``data`` as UTF-8; other bytes and control characters as ``\\xNN``."""
    head = data[:max_bytes]
    if len(data) > max_bytes:
        # Do not cut a character in two: drop a partial sequence at the end.
        for back in range(1, min(4, len(head)) + 1):
            if head[-back] & 0xC0 != 0x80:
                if head[-back] >= 0xC0 and back < _utf8_length(head[-back]):
                    head = head[:-back]
                break
    text = head.decode("utf-8", "backslashreplace").translate(_CONTROLS)
    if len(data) > max_bytes:
        text += "\n" + _cut_note(len(head), len(data))
    return text


def _utf8_length(lead: int) -> int:
    return 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
