"""Messages as a pandas DataFrame: one row per message (``History.to_pandas``).

pandas is the optional extra ``data``, imported only when a table is asked for. The
columns' dtypes are fixed here, not inferred, so a table of five messages and one of
five thousand look the same to the code that reads them: times are aware (UTC),
``direction`` and ``kind`` are categories, ``data`` keeps ``str`` for text frames and
``bytes`` for binary ones. Imports no widgets.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # History.to_pandas() imports this module: no import back at run time
    from wsecho_widget.model.message import Message

__all__ = ["INSTALL_HINT", "to_pandas"]

INSTALL_HINT = 'pip install "wsecho-widget[data]"'

# Text frames larger than this are not parsed for json=True: a table cell per key of a
# multi-megabyte document helps nobody and would hold the kernel's loop.
JSON_LIMIT = 1 << 20

# Objects nested deeper than this are left as text for json=True: pandas.json_normalize
# recurses once per level, and a peer chooses the depth (Python 3.13's json parses
# 5,000 levels that 3.11's refuses).
JSON_DEPTH = 32


def _pandas() -> Any:
    try:
        return importlib.import_module("pandas")
    except ImportError:
        raise ImportError(f"to_pandas() needs pandas: {INSTALL_HINT}") from None


def _json_object(data: str | bytes) -> dict[str, Any] | None:
    if not isinstance(data, str) or len(data) > JSON_LIMIT or not data.lstrip().startswith("{"):
        return None
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) and _depth_within(value, JSON_DEPTH) else None


def _depth_within(value: Any, limit: int) -> bool:
    """Whether containers nest at most ``limit`` deep (iterative: no recursion to blow)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return False
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return True


def to_pandas(
    messages: Iterable[Message],
    *,
    json: bool = False,
    extra_columns: Mapping[str, Callable[[Message], object]] | None = None,
) -> Any:
    """A DataFrame with one row per message, oldest first.

    Columns: ``time`` (``datetime64[us, UTC]``), ``direction`` and ``kind``
    (categories ``sent``/``received`` and ``text``/``binary``), ``size`` (int64, bytes
    on the wire), ``data`` (object: str or bytes, as they were), then ``client``
    (object, server panels), then one object column per ``extra_columns`` entry
    (``History.columns``: a Socket.IO panel's ``event``, the event name of each
    event frame, None for the other frames).
    ``json=True`` adds the keys of text frames that are JSON objects as columns
    (nested keys joined with dots, by ``pandas.json_normalize``); a key that clashes
    with a column above is prefixed with ``json.``.
    """
    pd = _pandas()
    extra_columns = extra_columns or {}
    rows = list(messages)
    columns: dict[str, Any] = {
        # Message.time, to the microsecond (a float's own rounding would differ from it).
        "time": pd.Series(pd.to_datetime([m.time for m in rows], utc=True), dtype="datetime64[us, UTC]"),
        "direction": pd.Categorical([m.direction for m in rows], categories=["sent", "received"]),
        "kind": pd.Categorical([m.kind for m in rows], categories=["text", "binary"]),
        "size": pd.Series([m.size for m in rows], dtype="int64"),
        "data": pd.Series([m.data for m in rows], dtype=object),
        "client": pd.Series([m.client for m in rows], dtype=object),
    }
    for name, value_of in extra_columns.items():
        columns[name] = pd.Series([value_of(m) for m in rows], dtype=object)
    frame = pd.DataFrame(columns)
    if not json:
        return frame
    objects = [_json_object(m.data) for m in rows]
    found = [(i, obj) for i, obj in enumerate(objects) if obj is not None]
    if not found:
        return frame
    flat = pd.json_normalize([obj for _, obj in found])
    flat.index = pd.Index([i for i, _ in found])
    flat = flat.rename(columns={c: f"json.{c}" for c in flat.columns if c in frame.columns})
    return frame.join(flat)
