"""Numbers read out of messages: JSON paths, callables, one line per key (pure).

A field is a dotted path (``"data.price"``, ``"items.0.price"``), a JSONPath
subset (``"$.data.price"``, ``"$['data']['price']"``, ``"$.items[-1].price"``:
names and indexes, no wildcards or filters), or a callable that takes the
:class:`Message` and returns a number or a dict of numbers. :class:`Fields`
turns a message into points ``(line, x, y)``; whatever is missing or not a
number is counted in ``skipped``, never raised: a feed is untrusted.

Numbers are ints and floats (not bools), and strings that read as a finite
float: many exchanges send prices as strings (``"p": "0.0123"``).

A protocol whose frames are not JSON by themselves gives ``read``: what the paths
read in a frame (a Socket.IO event's first argument), or :data:`PASS` for a frame
that is none of the chart's business (another event, a heartbeat), which is passed
over, not counted.

No I/O, no widgets.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from wsecho_widget.model.message import Message

__all__ = ["MAX_LINES", "PASS", "Fields", "Path", "number", "parse_json", "parse_path", "value_at"]

#: How many lines ``by=`` may split a field into; values beyond are skipped (a hostile
#: feed could send a new key with every message).
MAX_LINES = 20
#: Text frames longer than this are not parsed (counted as skipped).
MAX_JSON = 1_000_000

Path = tuple[str | int, ...]
_MISSING = object()
#: What ``Fields.read`` returns for a frame to pass over (not counted in ``skipped``).
PASS = object()
_STEP = re.compile(r"""\.([^.\[\]]+)|\[\s*(-?\d+)\s*\]|\[\s*'([^']*)'\s*\]|\[\s*"([^"]*)"\s*\]""")


def parse_path(text: str) -> Path:
    """``"$.data.items[0]['price']"`` or ``"data.items.0.price"`` as a tuple of steps.

    Raises ValueError with one line for a path this subset cannot read.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"a field is a path such as '$.data.price' or 'price', not {text!r}")
    source = text.strip()
    if not source.startswith("$"):
        return tuple(int(p) if _is_index(p) else p for p in source.split("."))
    steps: list[str | int] = []
    rest = source[1:]
    position = 0
    while position < len(rest):
        match = _STEP.match(rest, position)
        if match is None:
            raise ValueError(
                f"cannot read the path {text!r} at {rest[position:]!r}: "
                "only names (.name, ['name']) and indexes ([0], [-1]) are understood"
            )
        name, index, single, double = match.groups()
        steps.append(int(index) if index is not None else next(s for s in (name, single, double) if s))
        position = match.end()
    return tuple(steps)


def _is_index(part: str) -> bool:
    return part.lstrip("-").isdigit()


def value_at(obj: Any, path: Path) -> Any:
    """The value at ``path`` in ``obj``, or a private marker when it is not there."""
    for step in path:
        if isinstance(obj, dict):
            obj = obj.get(str(step), _MISSING)
        elif isinstance(obj, list) and isinstance(step, int) and -len(obj) <= step < len(obj):
            obj = obj[step]
        else:
            return _MISSING
        if obj is _MISSING:
            return _MISSING
    return obj


def number(value: Any) -> float | None:
    """``value`` as a finite float, or None: ints, floats and numeric strings; not bools."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        result = float(value)
    elif isinstance(value, str) and len(value) < 64:
        try:
            result = float(value)
        except ValueError:
            return None
    else:
        return None
    return result if math.isfinite(result) else None


def parse_json(message: Message) -> Any:
    """A text frame's JSON value; the private missing marker for anything else."""
    data = message.data
    if not isinstance(data, str) or len(data) > MAX_JSON:
        return _MISSING
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return _MISSING


def _short_names(paths: list[Path], texts: list[str]) -> list[str]:
    # A line or column is named by its path's last name ("$.data.price" -> "price")
    # unless two paths end alike: then by the whole path as written.
    last = [str(p[-1]) if p else t for p, t in zip(paths, texts, strict=True)]
    return last if len(set(last)) == len(last) else [t.strip() for t in texts]


Field = str | Callable[[Message], Any]


@dataclass
class Fields:
    """What to read from each message: ``paths`` (or one callable), ``x``, ``by``.

    ``points(message, obj)`` returns ``[(line, x, y), ...]``; ``obj`` is the
    message's parsed JSON (:func:`parse_json`) or a protocol's own parse of it, and
    ``read(message, obj)`` (when given) says what the paths read in it. x is the
    receive time (seconds since the epoch) unless ``x`` names a path.
    """

    fields: Sequence[Field]
    x: str | None = None
    by: str | None = None
    read: Callable[[Message, Any], Any] | None = field(default=None, repr=False)
    max_lines: int = MAX_LINES
    skipped: int = 0
    _paths: list[tuple[str, Path]] = field(default_factory=list, repr=False)
    _x: Path | None = field(default=None, repr=False)
    _by: Path | None = field(default=None, repr=False)
    _lines: set[str] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        if not self.fields:
            raise ValueError("name at least one field: a path such as '$.price', or a callable")
        if any(callable(f) for f in self.fields) and len(self.fields) > 1:
            raise ValueError("give either paths or one callable, not both")
        paths = [(f, parse_path(f)) for f in self.fields if isinstance(f, str)]
        self._paths = list(
            zip(
                _short_names([p for _, p in paths], [f for f, _ in paths]), (p for _, p in paths), strict=True
            )
        )
        if len(self._paths) + sum(callable(f) for f in self.fields) != len(self.fields):
            raise ValueError("a field is a path (str) or a callable")
        self._x = parse_path(self.x) if self.x is not None else None
        self._by = parse_path(self.by) if self.by is not None else None
        if self._by is not None and len(self._paths) != 1:
            raise ValueError("by= splits one path into lines: give exactly one path")

    @property
    def names(self) -> list[str]:
        """The lines seen so far (for paths without ``by``: the paths, in order)."""
        if self._by is None and self._paths:
            return [name for name, _ in self._paths]
        return sorted(self._lines)

    def points(self, message: Message, obj: Any) -> list[tuple[str, float, float]]:
        """The points this message gives; what it lacks is counted in ``skipped``."""
        if self.read is not None:
            obj = self.read(message, obj)
            if obj is PASS:
                return []
        x = message.timestamp
        if self._x is not None:
            found = number(value_at(obj, self._x))
            if found is None:
                self.skipped += 1
                return []
            x = found
        if not self._paths:
            return self._call(message, x)
        if self._by is not None:
            return self._split(obj, x)
        out = []
        for name, path in self._paths:
            y = number(value_at(obj, path))
            if y is None:
                self.skipped += 1
            else:
                out.append((name, x, y))
        return out

    def _split(self, obj: Any, x: float) -> list[tuple[str, float, float]]:
        assert self._by is not None
        key = value_at(obj, self._by)
        y = number(value_at(obj, self._paths[0][1]))
        if y is None or key is _MISSING or isinstance(key, (dict, list)):
            self.skipped += 1
            return []
        line = str(key)[:80]
        if line not in self._lines:
            if len(self._lines) >= self.max_lines:
                self.skipped += 1
                return []
            self._lines.add(line)
        return [(line, x, y)]

    def _call(self, message: Message, x: float) -> list[tuple[str, float, float]]:
        function = self.fields[0]
        assert callable(function)
        try:
            result = function(message)
        except Exception:  # the user's code on an untrusted message: counted, never raised
            self.skipped += 1
            return []
        items = result.items() if isinstance(result, dict) else [("value", result)]
        out = []
        for name, value in items:
            y = number(value)
            line = str(name)[:80]
            if y is None or (line not in self._lines and len(self._lines) >= self.max_lines):
                self.skipped += 1
                continue
            self._lines.add(line)
            out.append((line, x, y))
        return out
