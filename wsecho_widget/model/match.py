"""What ``expect()`` looks for: a match as a test on a message, described in words.

A match is a ``str`` (the text, equal), ``bytes`` (the binary frame, equal), a
compiled regular expression (searched in the text, or in the bytes for a bytes
pattern), a ``dict`` (a subset of the JSON object a text frame holds, nested: every
key given must be there with an equal value, a dict value is a subset again) or a
callable taking a :class:`Message` and returning true for the one wanted.
:class:`ExpectationFailed` says what was expected, within how long, and the last
messages seen. Pure code shared by every layer: no I/O, no asyncio.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from wsecho_widget._util.errors import WsechoError
from wsecho_widget.model.message import Message

__all__ = ["ExpectationFailed", "Match", "contains", "describe", "failure", "matcher", "show"]

Match = str | bytes | re.Pattern[str] | re.Pattern[bytes] | Mapping[str, Any] | Callable[[Message], bool]

#: How much of a message a failure shows.
SHOWN = 80


class ExpectationFailed(WsechoError, AssertionError):
    """No message matched within the time given (an AssertionError: pytest shows it well).

    ``expected`` is the match in words, ``within`` the seconds waited, ``seen`` the
    last messages seen (at most five), ``step`` the scenario step, if any, ``ended``
    why nothing more could come (the connection closed first), if so.
    """

    def __init__(
        self,
        expected: str,
        within: float | None,
        seen: list[Any],
        step: str | None = None,
        ended: str | None = None,
    ) -> None:
        self.expected, self.within, self.seen, self.step, self.ended = expected, within, seen, step, ended
        super().__init__(self._text())

    def _text(self) -> str:
        where = f"{self.step}: " if self.step else ""
        wait = "" if self.within is None else f" within {self.within:g} s"
        why = f" ({self.ended})" if self.ended else ""
        if not self.seen:
            return f"{where}expected {self.expected}{wait}{why}; nothing was received"
        lines = "".join(f"\n  {show(item)}" for item in self.seen)
        return f"{where}expected {self.expected}{wait}{why}; the last {len(self.seen)} seen:{lines}"

    def __reduce__(self) -> tuple[Any, ...]:  # pickles (pytest-xdist, multiprocessing)
        return (type(self), (self.expected, self.within, self.seen, self.step, self.ended))


def matcher(match: Match) -> Callable[[Message], bool]:
    """A test on a message for ``match``; TypeError for anything that is not a match."""
    if isinstance(match, str):
        return lambda message: message.data == match
    if isinstance(match, (bytes, bytearray, memoryview)):
        wanted = bytes(match)
        return lambda message: message.data == wanted
    if isinstance(match, re.Pattern):
        return _pattern_test(match)
    if isinstance(match, Mapping):
        return lambda message: contains(match, json_of(message))
    if callable(match):
        return match
    raise TypeError(
        "expect() takes str, bytes, a compiled regex, a dict or a callable(Message) -> bool, "
        f"not {type(match).__name__}"
    )


def _pattern_test(pattern: re.Pattern[Any]) -> Callable[[Message], bool]:
    kind = str if isinstance(pattern.pattern, str) else bytes

    def test(message: Message) -> bool:
        return isinstance(message.data, kind) and pattern.search(message.data) is not None

    return test


def json_of(message: Message) -> Any:
    """The JSON value a text frame holds, else None (binary, or not JSON)."""
    if not isinstance(message.data, str):
        return None
    try:
        return json.loads(message.data)
    except ValueError:
        return None


def contains(expected: Any, actual: Any) -> bool:
    """Whether ``actual`` holds ``expected``: dicts as subsets (nested), the rest equal."""
    if isinstance(expected, Mapping):
        return isinstance(actual, Mapping) and all(
            key in actual and contains(value, actual[key]) for key, value in expected.items()
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(contains(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual  # True is not 1 in JSON
    return bool(expected == actual)


def describe(match: Any) -> str:
    """The match in words, for a failure: ``text 'pong'``, ``JSON containing {...}``."""
    if isinstance(match, str):
        return f"text {_clip(repr(match))}"
    if isinstance(match, (bytes, bytearray, memoryview)):
        data = bytes(match)
        return f"binary {_clip(data[:32].hex(' '))} ({len(data)} B)"
    if isinstance(match, re.Pattern):
        return f"a message matching {_clip(repr(match.pattern))}"
    if isinstance(match, Mapping):
        return f"JSON containing {_clip(json.dumps(match, ensure_ascii=False, default=repr))}"
    name = getattr(match, "__qualname__", None) or repr(match)
    return f"a message for which {_clip(name)}() is true"


def show(item: Any) -> str:
    """One line for a seen message: direction, kind and the start of its data."""
    if isinstance(item, Message):
        data = item.data
        body = repr(data) if isinstance(data, str) else f"{data[:24].hex(' ')} ({len(data)} B)"
        return f"{item.direction} {item.kind} {_clip(body)}"
    return _clip(repr(item))


def failure(
    match: Any, within: float | None, seen: Iterable[Any], step: str | None = None, ended: str | None = None
) -> ExpectationFailed:
    """The :class:`ExpectationFailed` for ``match`` after ``within`` s, with what was seen."""
    return ExpectationFailed(describe(match), within, list(seen)[-5:], step, ended)


def _clip(text: str) -> str:
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"
