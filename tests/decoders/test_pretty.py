"""pretty(): decoded objects as JSON-like text, bounded in size and depth."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import cbor2
import msgpack

from wsecho_widget.decoders.core import Cut, ProtoField, pretty


def test_json_values_look_like_json() -> None:
    obj = {"a": [1, 2.5, None, True, False], "s": 'quote " and ü', "e": {}, "l": []}
    assert pretty(obj) == (
        '{\n  "a": [\n    1,\n    2.5,\n    null,\n    true,\n    false\n  ],\n'
        '  "s": "quote \\" and ü",\n  "e": {},\n  "l": []\n}'
    )


def test_bytes_show_their_size_and_first_bytes_in_hex() -> None:
    assert pretty(b"") == "<0 bytes>"
    assert pretty(b"hi") == "<2 bytes: 68 69>"
    assert pretty(bytes(100), bytes_preview=4) == "<100 bytes: 00 00 00 00 … (+96 more bytes)>"


def test_other_keys_and_values() -> None:
    when = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    key = uuid.UUID(int=1)
    assert pretty({1: when, (1, 2): key}) == (
        '{\n  1: "2026-01-02T03:04:05+00:00",\n  [1, 2]: ' + repr(key) + "\n}"
    )
    assert pretty(float("nan")) == "NaN"
    assert pretty(-float("inf")) == "-Infinity"
    assert pretty(2**5000) == "<integer of 5,001 bits>"
    assert pretty(cbor2.CBORTag(32, "https://x")) == 'tag 32: "https://x"'
    assert pretty(msgpack.ExtType(1, b"\x01")) == "ext 1: <1 bytes: 01>"


def test_protobuf_fields_are_keys_with_wire_types() -> None:
    fields = [ProtoField(1, "varint", 150), ProtoField(2, "len", [ProtoField(1, "len", "x")]), Cut("why")]
    assert pretty(fields) == ('{\n  "1 (varint)": 150,\n  "2 (len)": {\n    "1 (len)": "x"\n  },\n  … why\n}')


def test_output_is_capped_and_says_so() -> None:
    text = pretty(list(range(100_000)), max_chars=1000)
    assert len(text) < 1100
    assert text.endswith("\n… cut: the rest is over 1,000 characters")
    long = pretty("x" * 10_000, max_chars=100)
    assert long == '"' + "x" * 60 + '" … (+9,940 more characters)'


def test_depth_is_capped_and_a_cycle_cannot_loop() -> None:
    cycle: list[Any] = []
    cycle.append(cycle)
    text = pretty(cycle, max_depth=3)
    assert text.endswith("[… 1 item nested deeper than 3 levels]\n    ]\n  ]\n]")


def test_anything_else_is_its_short_repr() -> None:
    class Thing:
        def __repr__(self) -> str:
            return "T" * 1000

    assert pretty(Thing()) == "T" * 200 + "…"


def test_a_list_cut_short_stays_a_list() -> None:
    assert (
        pretty([[Cut("nested deeper than 1 levels")]]) == "[\n  [\n    … nested deeper than 1 levels\n  ]\n]"
    )
