"""What expect() looks for: each kind of match, and a failure that says what it saw."""

from __future__ import annotations

import pickle
import re

import pytest

from wsecho_widget.model.match import ExpectationFailed, contains, describe, failure, matcher
from wsecho_widget.model.message import Message


def received(data: str | bytes) -> Message:
    return Message("received", data, 1.0)


@pytest.mark.parametrize(
    ("match", "hits", "misses"),
    [
        ("pong", ["pong"], ["pong ", b"pong", "PONG"]),
        (b"\x00\x01", [b"\x00\x01"], [b"\x00\x01\x02", "\x00\x01"]),
        (re.compile(r"tick \d+"), ["a tick 12 b"], ["tick x", b"tick 1"]),
        (re.compile(rb"^\x89PNG"), [b"\x89PNG\r\n"], ["\x89PNG", b"xPNG"]),
        ({"type": "tick"}, ['{"type": "tick", "n": 1}'], ['{"type": "tock"}', "[1]", "not json", b"{}"]),
        ({"a": {"b": [1, {"c": 2}]}}, ['{"a": {"b": [1, {"c": 2, "d": 3}], "e": 0}}'], ['{"a": {"b": [1]}}']),
        ({"ok": True}, ['{"ok": true}'], ['{"ok": 1}']),
        (lambda m: m.size > 3, ["long", b"12345"], ["abc"]),
    ],
)
def test_each_kind_of_match(match: object, hits: list[str | bytes], misses: list[str | bytes]) -> None:
    test = matcher(match)  # type: ignore[arg-type]
    assert all(test(received(data)) for data in hits)
    assert not any(test(received(data)) for data in misses)


def test_anything_else_is_a_type_error_naming_the_choices() -> None:
    with pytest.raises(TypeError, match=r"str, bytes, a compiled regex, a dict or a callable.*not int"):
        matcher(3)  # type: ignore[arg-type]


def test_contains_is_a_nested_subset_and_lists_compare_whole() -> None:
    assert contains({"a": {"b": 1}}, {"a": {"b": 1, "c": 2}, "d": 3})
    assert not contains({"a": [1]}, {"a": [1, 2]})
    assert not contains({"a": None}, {})


def test_a_failure_says_what_was_expected_within_how_long_and_the_last_five_seen() -> None:
    seen = [received(f"tick {n}") for n in range(7)] + [received(b"\x00" * 40)]
    error = failure({"type": "pong"}, 2.0, seen, step="step 3")
    assert isinstance(error, AssertionError)
    text = str(error)
    assert text.startswith('step 3: expected JSON containing {"type": "pong"} within 2 s; the last 5 seen:')
    assert "tick 2" not in text and "received text 'tick 3'" in text
    assert "received binary 00 00" in text and "(40 B)" in text
    assert len(text.splitlines()) == 6


def test_a_failure_with_nothing_seen_or_an_end_says_so_and_pickles() -> None:
    error = failure("pong", 0.5, [], ended="the connection closed (1000)")
    assert str(error) == (
        "expected text 'pong' within 0.5 s (the connection closed (1000)); nothing was received"
    )
    again = pickle.loads(pickle.dumps(error))
    assert isinstance(again, ExpectationFailed) and str(again) == str(error)


def test_descriptions_are_clipped() -> None:
    assert describe("x" * 500).endswith("…") and len(describe("x" * 500)) < 100

    def is_pong(message: Message) -> bool:
        return True

    assert "is_pong" in describe(is_pong)
