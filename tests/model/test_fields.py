"""Numbers read out of messages: paths, callables, by=; bad values counted, never raised."""

from __future__ import annotations

import json

import pytest

from wsecho_widget.model.fields import MAX_LINES, Fields, number, parse_json, parse_path, value_at
from wsecho_widget.model.message import Message


def msg(obj: object, t: float = 100.0) -> tuple[Message, object]:
    message = Message("received", json.dumps(obj), t)
    return message, parse_json(message)


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("price", ("price",)),
        ("data.items.0.price", ("data", "items", 0, "price")),
        ("$.data.price", ("data", "price")),
        ("$['data'][\"price\"]", ("data", "price")),
        ("$.items[-1].p", ("items", -1, "p")),
        ("$", ()),
    ],
)
def test_paths(text: str, steps: tuple[object, ...]) -> None:
    assert parse_path(text) == steps


@pytest.mark.parametrize("text", ["$..price", "$.items[*]", "$[?(@.p > 1)]", "", "  "])
def test_paths_this_subset_cannot_read_say_so_in_one_line(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_path(text)
    assert "\n" not in str(caught.value)


def test_values_and_numbers() -> None:
    obj = {"data": {"items": [{"p": "1.5"}, {"p": 2}]}}
    assert value_at(obj, parse_path("$.data.items[-1].p")) == 2
    assert number(value_at(obj, parse_path("data.items.0.p"))) == 1.5
    assert number(value_at(obj, parse_path("$.data.nope"))) is None
    assert number(value_at(obj, parse_path("$.data.items[5].p"))) is None
    assert [number(v) for v in (True, "abc", "nan", float("inf"), None, [1], 3)] == [None] * 6 + [3.0]


def test_points_of_paths_and_what_is_skipped() -> None:
    fields = Fields(["$.data.price", "$.data.volume"])
    assert fields.names == ["price", "volume"]
    assert fields.points(*msg({"data": {"price": 3, "volume": "7"}})) == [
        ("price", 100.0, 3.0),
        ("volume", 100.0, 7.0),
    ]
    assert fields.points(*msg({"data": {"price": "n/a"}})) == []
    binary = Message("received", b"\x00\x01", 1.0)
    assert fields.points(binary, parse_json(binary)) == []
    text = Message("received", "{not json", 1.0)
    assert fields.points(text, parse_json(text)) == []
    assert fields.skipped == 2 + 2 + 2


def test_x_path_and_names_that_end_alike() -> None:
    fields = Fields(["$.a.p", "$.b.p"], x="$.t")
    assert fields.names == ["$.a.p", "$.b.p"]
    assert fields.points(*msg({"t": 5, "a": {"p": 1}, "b": {"p": 2}})) == [
        ("$.a.p", 5.0, 1.0),
        ("$.b.p", 5.0, 2.0),
    ]
    assert fields.points(*msg({"a": {"p": 1}})) == []  # no x: the message is skipped
    assert fields.skipped == 1


def test_by_splits_one_path_into_lines_bounded() -> None:
    fields = Fields(["$.price"], by="$.symbol")
    assert fields.points(*msg({"symbol": "A", "price": 1})) == [("A", 100.0, 1.0)]
    assert fields.points(*msg({"symbol": "B", "price": 2})) == [("B", 100.0, 2.0)]
    for n in range(MAX_LINES + 5):  # a hostile feed: a new symbol with every message
        fields.points(*msg({"symbol": f"s{n}", "price": 1}))
    assert len(fields.names) == MAX_LINES
    assert fields.skipped == 7
    with pytest.raises(ValueError):
        Fields(["$.a", "$.b"], by="$.s")


def test_a_callable_gives_a_number_or_a_dict_and_its_failures_are_counted() -> None:
    one = Fields([lambda m: len(m.data)])
    assert one.points(*msg("abc")) == [("value", 100.0, 5.0)]
    many = Fields([lambda m: {"len": len(m.data), "bad": "x", "half": len(m.data) / 2}])
    assert many.points(*msg("ab")) == [("len", 100.0, 4.0), ("half", 100.0, 2.0)]
    failing = Fields([lambda m: 1 / 0])
    assert failing.points(*msg(1)) == []
    assert (many.skipped, failing.skipped) == (1, 1)
    with pytest.raises(ValueError):
        Fields([])
    with pytest.raises(ValueError):
        Fields(["$.a", lambda m: 1])
