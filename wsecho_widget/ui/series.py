"""Fields of a feed as small pandas DataFrames, for the notebook's own plotting tools.

``async for chunk in panel.series("$.price", window=500):`` gives DataFrames
indexed by time (UTC), one column per field, one row per message: the shape
HoloViews' ``Buffer.send``, Panel's ``Tabulator.stream`` and Perspective's
``Table.update`` take as they are (docs/feeds.md has an example for each).

A chunk holds what came since the last one, at most ``window`` rows (a reader
that falls behind gets the newest; ``dropped`` counts the rows it missed), and
chunks come at most every ``interval`` seconds, so a flood is a few chunks a
second. pandas is imported when the first chunk is made.
"""

from __future__ import annotations

import asyncio
import importlib
from collections import deque
from collections.abc import Sequence
from typing import Any, Self

from wsecho_widget.model.fields import Fields
from wsecho_widget.model.message import Message

__all__ = ["SeriesStream", "frame"]


def frame(rows: Sequence[tuple[Any, ...]], columns: list[str], *, time: bool) -> Any:
    """A DataFrame of ``rows``; with ``time``, the first column (epoch seconds) as UTC datetimes."""
    try:
        pd = importlib.import_module("pandas")
    except ImportError:
        raise ImportError('this needs pandas: pip install "wsecho-widget[data]"') from None
    df = pd.DataFrame.from_records(list(rows), columns=columns)
    if time:
        df[columns[0]] = pd.to_datetime(df[columns[0]].astype("float64"), unit="s", utc=True)
    return df


class SeriesStream:
    """Chunks of ``fields`` as DataFrames, for one ``async for`` reader (see the module)."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, fields: Fields, *, window: int = 500, interval: float = 0.1
    ) -> None:
        if window < 1:
            raise ValueError(f"window must be at least 1, not {window}")
        self.loop = loop
        self._fields = fields
        self.window = window
        self.interval = interval
        #: Rows a slow reader never got (the oldest beyond ``window``).
        self.dropped = 0
        #: Chunks handed out so far.
        self.chunks = 0
        self.closed = False
        self._rows: deque[tuple[float, dict[str, float]]] = deque(maxlen=window)
        self._waiter: asyncio.Future[None] | None = None
        self._last = -1e9

    @property
    def skipped(self) -> int:
        """Values that were missing or not numbers (never raised)."""
        return self._fields.skipped

    def add(self, parsed: Sequence[tuple[Message, Any]]) -> None:
        """Take one row from each ``(message, json)`` that has at least one value."""
        if self.closed:
            return
        rows = self._rows
        for message, obj in parsed:
            points = self._fields.points(message, obj)
            if points:
                if len(rows) == self.window:
                    self.dropped += 1
                rows.append((points[0][1], {name: y for name, _, y in points}))
        if rows:
            self._wake()

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def close(self) -> None:
        """End the iteration (after the rows still waiting)."""
        self.closed = True
        self._wake()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Any:
        while not self._rows:
            if self.closed:
                raise StopAsyncIteration
            self._waiter = self.loop.create_future()
            await self._waiter
        # At most one chunk per interval: rows that come meanwhile join this one.
        pause = self._last + self.interval - self.loop.time()
        if pause > 0 and not self.closed:
            await asyncio.sleep(pause)
        rows = list(self._rows)
        self._rows.clear()
        self._last = self.loop.time()
        self.chunks += 1
        names = list(dict.fromkeys(name for _, values in rows for name in values))
        table = [(x, *(values.get(n, float("nan")) for n in names)) for x, values in rows]
        xname = self._fields.x or "time"
        df = frame(table, [xname, *names], time=self._fields.x is None)
        return df.set_index(df.columns[0])

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<SeriesStream {state} · {len(self._rows)} rows waiting · {self.dropped} dropped>"
