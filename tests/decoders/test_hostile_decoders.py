"""Any bytes at all: every decoder returns a value or raises DecodeError, never anything else.

Property tests (hypothesis) over random bytes, over valid MessagePack and CBOR
documents cut and bit-flipped, and over the published shapes that break a value
*after* a successful decode. Sized to a few seconds; ``WSECHO_HYPOTHESIS_LONG=1``
runs them a hundred times longer.
"""

from __future__ import annotations

import json

import cbor2
import msgpack
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.hostile import sized
from wsecho_widget.decoders import BUILTIN_DECODERS, DecodeError, decode, decoded_text
from wsecho_widget.model.message import History, Message
from wsecho_widget.ui.render import pretty_json, render_line

# Header bytes that open containers, tags, extensions and long lengths in either format.
_HEADS = [
    b"\xdd\xff\xff\xff\xff",  # msgpack array32 of 4 G items
    b"\xdf\x7f\xff\xff\xff",  # msgpack map32
    b"\xc7\xff\xff",  # msgpack ext8, type -1 (timestamp)
    b"\xd7\xff",  # msgpack fixext8 timestamp
    b"\xc9\xff\xff\xff\xff",  # msgpack ext32
    b"\x9f",  # cbor indefinite array
    b"\xbf",  # cbor indefinite map
    b"\xd8\x1c",  # cbor tag 28 (shareable)
    b"\xd8\x1d",  # cbor tag 29 (shared reference)
    b"\xc2\x5a\xff\xff\xff\xff",  # cbor bignum of 4 GB
    b"\xc4\x82",  # cbor decimal fraction
    b"\xd9\xd9\xf7",  # cbor self-described
    b"\x7b\xff\xff\xff\xff\xff\xff\xff\xff",  # cbor text of 2**64 bytes
    b"\x0a\xff\xff\xff\xff\x0f",  # protobuf length-delimited, huge length
]

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20,
)


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    value = draw(_json_values)
    packed = bytearray(draw(st.sampled_from([msgpack.packb, cbor2.dumps]))(value))
    for _ in range(draw(st.integers(0, 3))):
        if packed:
            at = draw(st.integers(0, len(packed) - 1))
            packed[at] = draw(st.integers(0, 255))
    cut = draw(st.integers(0, len(packed)))
    return bytes(packed[:cut]) + draw(st.binary(max_size=4))


_any_bytes = (
    st.binary(max_size=300)
    | _mutated()
    | st.builds(bytes.__add__, st.sampled_from(_HEADS), st.binary(max_size=40))
)


def _decodes_or_says_why(data: bytes, name: str) -> None:
    try:
        decode(data, name)
    except DecodeError as exc:
        assert "\n" not in str(exc) and str(exc)
    try:
        text = decoded_text(data, name)
    except DecodeError:
        return
    assert isinstance(text, str)


@pytest.mark.parametrize("name", BUILTIN_DECODERS)
@sized(150)
@given(data=_any_bytes)
def test_any_bytes_decode_or_raise_decode_error(name: str, data: bytes) -> None:
    """Shapes from msgpack-python's v1.2.1 release (PR 698: an Unpacker reused after an
    error can crash) and cbor2 5.9.0 (CVE-2026-26209: no nesting limit before it):
    whatever the bytes, the log gets a value or one line."""
    _decodes_or_says_why(data, name)


# Found by these property tests (and a longer plain fuzz loop): both raised past DecodeError.
FOUND = {
    # A tag head with additional info 31 (no such thing as an indefinite tag): TypeError.
    "an indefinite tag": bytes.fromhex("d81dc7dfc5c880d8e4968fd7d9230203744e8c2821de37b1dcddb5f2"),
    # A map key that is a tag over an array, in a frame big enough to be walked: cbor2's
    # CBORTag refuses to be hashed (RuntimeError).
    "a tag over an array as a map key": bytes.fromhex("a1c680591388") + b"x" * 5000,
}


@pytest.mark.parametrize("case", list(FOUND))
def test_cbor_shapes_found_by_fuzzing_are_values_or_one_line(case: str) -> None:
    """Found here by fuzzing: a tag head with additional info 31 (malformed, RFC 8949
    section 3.2.4) and a tag over an array as a map key (RFC 8949 allows any key)."""
    _decodes_or_says_why(FOUND[case], "cbor")


# -- values that break after a successful decode (issue text: measured on this machine) --

_AFTER = {
    # CBOR tag 28 "shareable" holding an array whose item is tag 29 "shared ref 0": itself.
    "cbor that contains itself": ("cbor", bytes.fromhex("d81c81d81d00")),
    # A 1 MiB bignum: Python refuses str() of an int past 4,300 digits (CVE-2020-10735).
    "cbor 1 MiB bignum": ("cbor", cbor2.dumps(1 << (8 * 2**20))),
    "cbor 1 MiB bignum, raw": ("cbor", b"\xc2\x5a\x00\x10\x00\x00" + b"\xff" * 2**20),
    # msgpack timestamp96 with seconds = 2**63 - 1: datetime conversion overflows.
    "msgpack timestamp out of range": ("msgpack", b"\xc7\x0c\xff" + b"\x00" * 4 + b"\x7f" + b"\xff" * 7),
    "msgpack timestamp64 bad nanoseconds": ("msgpack", b"\xd7\xff" + b"\xff" * 8),
}


@pytest.mark.parametrize("case", list(_AFTER))
def test_values_that_break_after_decoding_are_shown_in_one_piece(case: str) -> None:
    """Shapes from the issue: a self-referencing CBOR value (RFC 8949 tags 28/29, the
    cbor2 "shareable" recursion), a bignum past CPython's int-to-str limit
    (CVE-2020-10735), a MessagePack timestamp whose datetime overflows."""
    name, data = _AFTER[case]
    try:
        text = decoded_text(data, name)
    except DecodeError as exc:
        text = str(exc)
    assert text and len(text) < 5000
    message = Message("received", data, 0.0)
    assert render_line(message)
    frame = _history([message]).to_pandas()
    assert frame["size"][0] == len(data)


def test_100000_deep_json_is_shown_and_tabled_without_recursion_error() -> None:
    """100,000-deep JSON raises RecursionError in json.loads (the json module's docs:
    "RecursionError ... if the data nests too deeply"), and a 5,000-digit number hits
    CVE-2020-10735's int() limit: the log line, the pretty view and to_pandas(json=True)
    still work (the pretty view caught only ValueError before)."""
    deep = "[" * 100_000 + "]" * 100_000
    obj = '{"a":' * 100_000 + "1" + "}" * 100_000
    huge = '{"n": ' + "9" * 5000 + "}"  # past the 4,300-digit limit of int()
    messages = [Message("received", text, 0.0) for text in (deep, obj, huge)]
    for message in messages:
        assert render_line(message)
        shown = pretty_json(message.data)  # type: ignore[arg-type]
        assert shown is None or isinstance(shown, str)
    frame = _history(messages).to_pandas(json=True)
    assert len(frame) == 3
    with pytest.raises(RecursionError):  # the shape does break the standard library
        json.loads(deep)


def _history(messages: list[Message]) -> History:
    history = History(100)
    for message in messages:
        history.append(message)
    return history
