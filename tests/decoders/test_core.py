"""decode(): payloads made by the real libraries, and hostile ones made by hand."""

from __future__ import annotations

import datetime
import math
import struct
import subprocess
import sys
import textwrap
from decimal import Decimal
from typing import Any

import cbor2
import msgpack
import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, empty_pb2, message_factory, unknown_fields

from tests.helpers import make_png
from wsecho_widget import decoders
from wsecho_widget.decoders.core import (
    BUILTIN_DECODERS,
    VIEW_CHARS,
    Cut,
    DecodeError,
    Limits,
    ProtoField,
    decode,
    decoded_text,
    decoder_names,
    pretty,
    register,
    unregister,
)
from wsecho_widget.model.message import Message

MiB = 1 << 20
UTC = datetime.UTC

# A payload with what real servers send: nested maps, arrays, floats, bytes, unicode.
PAYLOAD: dict[str, Any] = {
    "type": 1,
    "target": "price",
    "arguments": [{"sym": "EURUSD", "bid": 1.0834, "ask": 1.0836, "depth": [[1.08, 5], [1.07, 12]]}],
    "blob": b"\x00\x01\xfe\xff",
    "note": "grüße ✓",
    "neg": -(2**40),
    "none": None,
    "flags": [True, False],
}


def cuts(obj: Any) -> list[str]:
    """Every Cut's reason inside a decoded object."""
    found: list[str] = []
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, Cut):
            found.append(item.reason)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif isinstance(item, ProtoField | cbor2.CBORTag):
            stack.append(item.value)
    return found


# -- MessagePack and CBOR, encoded by their own libraries ----------------------------------


def test_msgpack_round_trip_of_a_real_payload() -> None:
    assert decode(msgpack.packb(PAYLOAD), "msgpack") == PAYLOAD


def test_msgpack_extension_types_and_timestamps() -> None:
    when = datetime.datetime(2026, 11, 30, 8, 0, 0, 250000, tzinfo=UTC)
    data = msgpack.packb([msgpack.ExtType(5, b"abc"), when], datetime=True)
    ext, stamp = decode(data, "msgpack")
    assert ext == msgpack.ExtType(5, b"abc")
    assert stamp.to_datetime() == when
    assert pretty([ext, stamp]) == '[\n  ext 5: <3 bytes: 61 62 63>,\n  "2026-11-30T08:00:00.250000+00:00"\n]'


def test_msgpack_map_with_array_key_and_int_keys() -> None:
    # Valid MessagePack that Python's dict cannot hold as is: the array key becomes a tuple.
    data = b"\x82\x92\x01\x02\xa1a\x07\xa1b"
    assert decode(data, "msgpack") == {(1, 2): "a", 7: "b"}


def test_cbor_round_trip_of_a_real_payload_with_tags() -> None:
    when = datetime.datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    value = {**PAYLOAD, "when": when, "price": Decimal("1.0834"), "big": 2**100}
    decoded = decode(cbor2.dumps(value), "cbor")
    assert decoded == value
    assert decoded["when"].tzinfo is not None


def test_cbor_tag_over_a_container_is_walked_and_kept_as_a_tag() -> None:
    data = cbor2.dumps(cbor2.CBORTag(4000, [1, {"a": 2}]))
    # Small: cbor2 decodes it whole (a tag of an immutable tuple and frozendict); walked
    # (a budget under its size), the same tag of a list and a dict. Printed the same.
    whole, walked = decode(data, "cbor"), decode(data, "cbor", limits=Limits(max_items=5))
    assert whole.tag == walked.tag == 4000
    assert walked == cbor2.CBORTag(4000, [1, {"a": 2}])
    assert pretty(whole) == pretty(walked) == 'tag 4000: [\n  1,\n  {\n    "a": 2\n  }\n]'
    # The self-described CBOR tag only marks the format: dropped, as cbor2 does.
    described = cbor2.dumps(cbor2.CBORTag(55799, [1, 2]))
    assert decode(described, "cbor") == (1, 2)  # cbor2's own answer
    assert decode(described, "cbor", limits=Limits(max_items=2)) == [1, 2]  # walked


def test_cbor_indefinite_length_containers() -> None:
    data = b"\x9f\x01\xbf\x61a\x02\xff\x5f\x42\x00\x01\x41\x02\xff\xff"  # [1, {"a": 2}, h'000102']
    assert decode(data, "cbor") == [1, {"a": 2}, b"\x00\x01\x02"]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("msgpack", msgpack.packb([1, 2, 3])[:-1], "not MessagePack: an array header claims 3 items"),
        ("msgpack", msgpack.packb("hello")[:-2], "not MessagePack: truncated"),
        ("msgpack", b"\xc1", "not MessagePack: FormatError (byte 0xc1 at 0)"),
        ("msgpack", msgpack.packb(1) + b"\x00\x00", "not MessagePack: 2 bytes after the first value"),
        ("msgpack", b"", "not MessagePack: truncated"),
        ("cbor", cbor2.dumps([1, "abc"])[:-1], "not CBOR: truncated"),
        ("cbor", b"\xff", "not CBOR: break code encountered"),
        ("cbor", cbor2.dumps(1) + b"\x01", "not CBOR: 1 bytes after the first value"),
        ("cbor", b"\x1c", "not CBOR: malformed or truncated header"),
    ],
)
def test_invalid_or_truncated_input_is_one_line(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(DecodeError) as info:
        decode(data, name)
    assert str(info.value).startswith(reason)
    assert "\n" not in str(info.value)


# -- hostile input made by hand: length fields, nesting, size -------------------------------


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        (
            "msgpack",
            b"\xdd\x7f\xff\xff\xff\xc0",
            "an array header claims 2,147,483,647 items but only 1 bytes",
        ),
        ("msgpack", b"\xdf\x7f\xff\xff\xff\xc0", "a map header claims 2,147,483,647 items"),
        ("msgpack", b"\xc6\x7f\xff\xff\xffabc", "truncated"),  # bin32 of 2 GB
        ("msgpack", b"\xdb\x7f\xff\xff\xffabc", "truncated"),  # str32 of 2 GB
        ("cbor", b"\x9a\x7f\xff\xff\xff\xf6", "an array header claims 2,147,483,647 items"),
        ("cbor", b"\x9b" + struct.pack(">Q", 2**62) + b"\xf6", "an array header claims"),
        ("cbor", b"\x5a\x7f\xff\xff\xffabc", "truncated"),  # a byte string of 2 GB
        ("protobuf", b"\x12\xff\xff\xff\xff\x07abc", "field 2: length 2,147,483,647 runs past the end"),
        ("protobuf", b"\x0a" + b"\xff" * 9 + b"\x01", "field 1: length"),
    ],
)
def test_a_length_field_claiming_2_gb_is_checked_first(name: str, data: bytes, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason):
        decode(data, name)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("msgpack", b"\x91" * 10_000 + b"\xc0"),
        ("msgpack", b"\x81\xa1k" * 10_000 + b"\xc0"),
        ("cbor", b"\x81" * 10_000 + b"\xf6"),
        ("cbor", b"\xc6\x81" * 10_000 + b"\xf6"),  # tags around arrays, 20,000 levels
    ],
)
def test_10000_deep_nesting_is_cut_at_max_depth(name: str, data: bytes) -> None:
    decoded = decode(data, name, limits=Limits(max_depth=50))
    assert cuts(decoded) == ["nested deeper than 50 levels: the rest not decoded"]
    assert "… nested deeper than 50 levels: the rest not decoded" in pretty(decoded, max_depth=200)


@pytest.mark.parametrize("name", ["msgpack", "cbor"])
def test_a_small_frame_nested_too_deep_is_cut_too(name: str) -> None:
    # 101 bytes: small enough for the library to decode whole, then walked for the cut.
    data = (b"\x91" if name == "msgpack" else b"\x81") * 100 + (b"\xc0" if name == "msgpack" else b"\xf6")
    assert cuts(decode(data, name, limits=Limits(max_depth=50))) == [
        "nested deeper than 50 levels: the rest not decoded"
    ]
    assert cuts(decode(data, name, limits=Limits(max_depth=101))) == []


def test_10000_deep_protobuf_nesting_stops_at_max_depth() -> None:
    data = b"\x08\x96\x01"
    for _ in range(10_000):
        data = b"\x0a" + _varint(len(data)) + data
    decoded = decode(data, "protobuf", limits=Limits(max_depth=30))
    reasons = cuts(decoded)
    assert len(reasons) == 1
    assert reasons[0].endswith("bytes nested deeper than 30 levels, not decoded")


def test_a_16_mib_frame_is_decoded_only_up_to_the_item_budget() -> None:
    # 16 MiB of one-byte items: decoded whole that is ~17 million Python objects.
    count = 16 * MiB - 5
    for name, data in [
        ("msgpack", b"\xdd" + struct.pack(">I", count) + b"\xc0" * count),
        ("cbor", b"\x9a" + struct.pack(">I", count) + b"\xf6" * count),
    ]:
        decoded = decode(data, name, limits=Limits(max_items=1000))
        assert len(decoded) == 1001
        assert decoded[:1000] == [None] * 1000
        assert cuts(decoded) == [f"{count - 1000:,} more items not decoded (over 1,000 items)"]


def test_a_16_mib_frame_in_text_hex_and_protobuf_is_cut_and_says_so() -> None:
    frame = b"A" * (16 * MiB)
    limits = Limits(max_bytes=64 * 1024)
    text = decode(frame, "text", limits=limits)
    assert text == "A" * 65536 + "\n… cut: 15.9 MiB more of 16.0 MiB not shown"
    dump = decode(frame, "hex", limits=limits)
    assert len(dump.splitlines()) == 4096 + 1
    assert dump.endswith("… cut: 15.9 MiB more of 16.0 MiB not shown")
    # A 16 MiB string field: a payload over max_bytes stays bytes (no UTF-8 or nested try).
    (field,) = decode(b"\x0a" + _varint(len(frame)) + frame, "protobuf", limits=limits)
    assert field == ProtoField(1, "len", frame)
    many = b"\x08\x01" * (8 * MiB)  # 8 million varint fields
    decoded = decode(many, "protobuf", limits=Limits(max_items=500))
    assert len(decoded) == 501
    assert cuts(decoded) == ["the rest not decoded (over 500 items)"]


def test_a_16_mib_map_with_the_item_budget_ends_in_a_cut_key() -> None:
    data = msgpack.packb({i: i for i in range(300)})
    decoded = decode(data, "msgpack", limits=Limits(max_items=10))
    assert list(decoded)[:10] == list(range(10))
    assert cuts(decoded) == ["290 more entries not decoded (over 10 items)"]
    assert pretty(decoded).splitlines()[-2] == "  … 290 more entries not decoded (over 10 items)"


# -- schema-less protobuf, checked against protobuf's own encoder and parser ----------------


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _message_class() -> Any:
    """A protobuf message class built from a descriptor (no generated code)."""
    field = descriptor_pb2.FieldDescriptorProto
    proto = descriptor_pb2.FileDescriptorProto(name="quote.proto", package="t", syntax="proto3")
    inner = proto.message_type.add(name="Level")
    inner.field.add(name="price", number=1, type=field.TYPE_DOUBLE, label=field.LABEL_OPTIONAL)
    inner.field.add(name="qty", number=2, type=field.TYPE_FIXED32, label=field.LABEL_OPTIONAL)
    outer = proto.message_type.add(name="Quote")
    for name, number, kind in [
        ("id", 1, field.TYPE_INT32),
        ("symbol", 2, field.TYPE_STRING),
        ("delta", 6, field.TYPE_SINT64),
        ("raw", 7, field.TYPE_BYTES),
    ]:
        outer.field.add(name=name, number=number, type=kind, label=field.LABEL_OPTIONAL)
    outer.field.add(
        name="best", number=3, type=field.TYPE_MESSAGE, type_name=".t.Level", label=field.LABEL_OPTIONAL
    )
    outer.field.add(name="sizes", number=4, type=field.TYPE_INT64, label=field.LABEL_REPEATED)
    outer.field.add(
        name="levels", number=5, type=field.TYPE_MESSAGE, type_name=".t.Level", label=field.LABEL_REPEATED
    )
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("t.Quote"))


def test_protobuf_wire_format_of_a_real_message() -> None:
    quote = _message_class()(
        id=150,
        symbol="EURUSD",
        best={"price": 1.5, "qty": 7},
        sizes=[1, 300],
        levels=[{"price": 2.0, "qty": 1}, {"price": 0.5, "qty": 2}],
        delta=-3,
        raw=b"\xff\x00\x10",
    )
    data = quote.SerializeToString()
    decoded = decode(data, "protobuf")
    level = lambda price, qty: [  # noqa: E731
        ProtoField(1, "i64", struct.unpack("<Q", struct.pack("<d", price))[0]),
        ProtoField(2, "i32", qty),
    ]
    assert decoded == [
        ProtoField(1, "varint", 150),
        ProtoField(2, "len", "EURUSD"),
        ProtoField(3, "len", level(1.5, 7)),
        ProtoField(4, "len", b"\x01\xac\x02"),  # packed: like protoc --decode_raw, bytes
        ProtoField(5, "len", level(2.0, 1)),
        ProtoField(5, "len", level(0.5, 2)),
        ProtoField(6, "varint", 5),  # zigzag(-3): the wire value, as protoc shows it
        ProtoField(7, "len", b"\xff\x00\x10"),
    ]
    # protobuf's own parser agrees on every top-level field number, wire type and value.
    empty = empty_pb2.Empty()
    empty.ParseFromString(data)
    wire = {0: "varint", 1: "i64", 2: "len", 5: "i32"}
    theirs = [(f.field_number, wire[f.wire_type]) for f in unknown_fields.UnknownFieldSet(empty)]
    assert theirs == [(f.number, f.wire_type) for f in decoded]
    assert pretty(decoded).splitlines()[:4] == [
        "{",
        '  "1 (varint)": 150,',
        '  "2 (len)": "EURUSD",',
        '  "3 (len)": {',
    ]


def test_protobuf_groups_and_bad_wire_types() -> None:
    # Field 1 as a group (start 0x0b, end 0x0c) holding field 2 = 5.
    assert decode(b"\x0b\x10\x05\x0c", "protobuf") == [ProtoField(1, "group", [ProtoField(2, "varint", 5)])]
    with pytest.raises(DecodeError, match="group 1 is not closed"):
        decode(b"\x0b\x10\x05", "protobuf")
    with pytest.raises(DecodeError, match="wire type 7"):
        decode(b"\x0f", "protobuf")
    with pytest.raises(DecodeError, match="field number 0"):
        decode(b"\x00\x01", "protobuf")
    with pytest.raises(DecodeError, match="truncated varint"):
        decode(b"\x08\xff", "protobuf")
    with pytest.raises(DecodeError, match="field 1: truncated, 8 bytes needed, 3 left"):
        decode(b"\x09abc", "protobuf")


# -- text and hex ---------------------------------------------------------------------------


def test_text_is_utf8_with_escapes_for_the_rest() -> None:
    assert decode(b"caf\xc3\xa9 \xff\xfe\x00\x1b[31m\n\tok", "text") == "café \\xff\\xfe\\x00\\x1b[31m\n\tok"


def test_text_cut_never_splits_a_character() -> None:
    assert decode("€€€".encode(), "text", limits=Limits(max_bytes=4)) == "€\n… cut: 6 B more of 9 B not shown"


def test_hex_is_a_dump() -> None:
    assert decode(b"AB\x00", "hex") == "00000000  41 42 00" + " " * 39 + "  AB."


# -- the interface: names, messages, registry, missing libraries -----------------------------


def test_decode_takes_a_binary_message_and_refuses_a_text_one() -> None:
    assert decode(Message("received", msgpack.packb([1]), 0.0), "msgpack") == [1]
    with pytest.raises(DecodeError, match="a text frame"):
        decode(Message("received", "[1]", 0.0), "msgpack")


def test_unknown_name_lists_the_decoders() -> None:
    with pytest.raises(DecodeError, match=r"no decoder called 'yaml' \(there are: hex, text, msgpack"):
        decode(b"", "yaml")


def test_registered_decoders_are_listed_used_and_their_errors_are_one_line() -> None:
    def pairs(data: bytes) -> list[int]:
        if len(data) % 2:
            raise ValueError("odd\nlength")
        return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]

    register("u16", pairs)
    try:
        assert decoder_names() == (*BUILTIN_DECODERS, "u16")
        assert decode(b"\x00\x01\x01\x00", "u16") == [1, 256]
        with pytest.raises(DecodeError, match=r"^u16: ValueError: odd length$"):
            decode(b"\x00", "u16")
        local = {"first": lambda data: data[0]}
        assert decode(b"\x09", "first", decoders=local) == 9
        assert decoder_names(local) == (*BUILTIN_DECODERS, "u16", "first")
    finally:
        unregister("u16")
    assert "u16" not in decoder_names()
    for reserved in ("auto", "hex", "msgpack"):
        with pytest.raises(ValueError, match="built-in view"):
            register(reserved, pairs)
    with pytest.raises(TypeError):
        register("x", "not callable")  # type: ignore[arg-type]


def test_without_the_codecs_extra_decoding_says_how_to_install() -> None:
    # A fresh interpreter in which msgpack and cbor2 cannot be imported.
    script = textwrap.dedent(
        """
        import sys
        sys.modules["msgpack"] = None
        sys.modules["cbor2"] = None
        from wsecho_widget.decoders.core import DecodeError, decode
        for name in ("msgpack", "cbor"):
            try:
                decode(b"\\x90", name)
            except DecodeError as exc:
                print(exc)
        print(decode(b"\\x08\\x01", "protobuf"))
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == [
        'msgpack: msgpack is not installed: pip install "wsecho-widget[codecs]"',
        'cbor: cbor2 is not installed: pip install "wsecho-widget[codecs]"',
        "[ProtoField(number=1, wire_type='varint', value=1)]",
    ]


def test_decoding_imports_nothing_it_does_not_use() -> None:
    # msgpack and cbor2 are imported when a frame is decoded with them, not before.
    script = "import sys, wsecho_widget.decoders.core; print(sorted({'msgpack', 'cbor2'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_limits_are_checked() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Limits(max_depth=0)
    assert decoders.Limits() == Limits(max_items=100_000, max_depth=64, max_bytes=MiB)


def test_floats_survive() -> None:
    decoded = decode(cbor2.dumps([math.inf, -0.0, 1e300]), "cbor")
    assert decoded == [math.inf, -0.0, 1e300]
    assert pretty(decoded) == "[\n  Infinity,\n  -0.0,\n  1e+300\n]"


def test_a_picture_is_just_bytes_to_a_decoder() -> None:
    with pytest.raises(DecodeError, match="not MessagePack"):
        decode(make_png(), "msgpack")


def test_decoded_text_is_what_the_log_shows_capped() -> None:
    assert (
        decoded_text(msgpack.packb({"a": [1, b"\x00"]}), "msgpack")
        == '{\n  "a": [\n    1,\n    <1 bytes: 00>\n  ]\n}'
    )
    long = decoded_text(msgpack.packb(list(range(100_000))), "msgpack")
    assert len(long) < VIEW_CHARS + 100
    assert long.endswith(f"… cut: the rest is over {VIEW_CHARS:,} characters")
    text = decoded_text(b"x" * 5000, "text")
    assert text == "x" * VIEW_CHARS + "\n… cut: 3,000 more characters not shown"
    with pytest.raises(DecodeError, match="an array header claims 2 items but only 1 bytes follow"):
        decoded_text(b"\x82\x01", "cbor")
