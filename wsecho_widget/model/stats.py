"""A feed's figures: message and byte rates, gaps, round trips; pure and clock-injected.

:class:`FeedCounter` is told of each message (``add``), each round trip measured
(``round_trip``) and each reconnect; :meth:`FeedCounter.snapshot` says what that
makes now, as a :class:`FeedStats`. Time is read from the injected ``clock``
(``time.time`` by default: the clock a :class:`Message`'s timestamp comes from),
so tests prove rates and windows without sleeping.

Counts go into 0.1 s buckets over the last 60 s: a flood costs a few additions
per message and a fixed amount of memory, whatever the rate.

No I/O, no asyncio, no widgets.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from wsecho_widget.model.message import Message, format_size

__all__ = ["BUCKET", "SPAN", "FeedCounter", "FeedStats", "percentile", "sparkline"]

#: Seconds per bucket, and how many seconds of buckets are kept (the sparklines' span).
BUCKET = 0.1
SPAN = 60
_SLOTS = round(SPAN / BUCKET)
_PER_SECOND = round(1 / BUCKET)
#: How many inter-arrival gaps and round trips the percentiles are taken over (the newest).
SAMPLES = 1000
_BARS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True, slots=True)
class FeedStats:
    """The figures of a feed at one instant (rates per second; times in seconds).

    ``*_1s`` count the last whole second, ``*_10s`` the last ten (or since the
    counting began, when that is shorter). Percentiles are None until there is a
    sample: ``inter_arrival`` over the newest 1,000 gaps between received messages,
    ``round_trip`` over the newest 1,000 keepalive pings and request/reply pairs.
    ``dropped``: messages the panel let go (its bounded history's oldest, a slow
    reader's overflow).
    """

    messages_in_1s: float
    messages_in_10s: float
    messages_out_1s: float
    messages_out_10s: float
    bytes_in_1s: float
    bytes_in_10s: float
    bytes_out_1s: float
    bytes_out_10s: float
    inter_arrival_p50: float | None
    inter_arrival_p95: float | None
    round_trip_p50: float | None
    round_trip_p95: float | None
    reconnects: int
    dropped: int

    def to_dict(self) -> dict[str, Any]:
        """The figures as a plain dict (for a DataFrame row or JSON)."""
        return asdict(self)

    def summary(self) -> str:
        """One line: ``in 200/s (7.8 KiB/s) · out 0/s · gap p50 5.0 ms · rtt p50 0.4 ms``."""
        parts = [
            f"in {self.messages_in_1s:,.0f}/s ({format_size(round(self.bytes_in_1s))}/s)",
            f"out {self.messages_out_1s:,.0f}/s ({format_size(round(self.bytes_out_1s))}/s)",
        ]
        if self.inter_arrival_p50 is not None and self.inter_arrival_p95 is not None:
            parts.append(f"gap p50 {_ms(self.inter_arrival_p50)} p95 {_ms(self.inter_arrival_p95)}")
        if self.round_trip_p50 is not None and self.round_trip_p95 is not None:
            parts.append(f"rtt p50 {_ms(self.round_trip_p50)} p95 {_ms(self.round_trip_p95)}")
        if self.reconnects:
            parts.append(f"{self.reconnects} reconnect{'s' if self.reconnects != 1 else ''}")
        if self.dropped:
            parts.append(f"{self.dropped:,} dropped")
        return " · ".join(parts)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.0f} s"


class _Buckets:
    """Counts per 0.1 s bucket over the last 60 s, in a ring (a slot knows its tick)."""

    def __init__(self) -> None:
        self.ticks = [-1] * _SLOTS
        self.counts = [0] * _SLOTS
        self.sizes = [0] * _SLOTS

    def add(self, tick: int, size: int) -> None:
        slot = tick % _SLOTS
        if self.ticks[slot] != tick:
            if self.ticks[slot] > tick:
                return  # older than the ring keeps: nothing to count it in
            self.ticks[slot], self.counts[slot], self.sizes[slot] = tick, 0, 0
        self.counts[slot] += 1
        self.sizes[slot] += size

    def total(self, first: int, last: int) -> tuple[int, int]:
        """Messages and bytes in the buckets of ticks ``first..last`` (inclusive)."""
        count = size = 0
        ticks, counts, sizes = self.ticks, self.counts, self.sizes
        for tick in range(max(first, last - _SLOTS + 1), last + 1):
            slot = tick % _SLOTS
            if ticks[slot] == tick:
                count += counts[slot]
                size += sizes[slot]
        return count, size


class FeedCounter:
    """Counts what a feed does; :meth:`snapshot` turns the counts into :class:`FeedStats`.

    ``clock()`` returns seconds on the messages' time scale (``time.time``).
    ``dropped()`` returns how many messages were let go so far (0 unless given).
    """

    def __init__(
        self, clock: Callable[[], float] = time.time, dropped: Callable[[], int] | None = None
    ) -> None:
        self.clock = clock
        self.dropped = dropped or (lambda: 0)
        self.reconnects = 0
        self.started = clock()
        self._in = _Buckets()
        self._out = _Buckets()
        self._gaps: deque[float] = deque(maxlen=SAMPLES)
        self._round_trips: deque[float] = deque(maxlen=SAMPLES)
        self._last_in: float | None = None

    def add(self, messages: Iterable[Message]) -> None:
        """Count messages (sent or received), in the order they happened."""
        gaps, last = self._gaps, self._last_in
        for message in messages:
            stamp = message.timestamp
            tick = math.floor(stamp / BUCKET)
            data = message.data
            size = len(data) if not isinstance(data, str) or data.isascii() else message.size
            if message.direction == "received":
                self._in.add(tick, size)
                if last is not None:
                    gaps.append(max(0.0, stamp - last))
                last = stamp
            else:
                self._out.add(tick, size)
        self._last_in = last

    def round_trip(self, seconds: float) -> None:
        """Count one round trip (a ping's, or a request's until its reply)."""
        if seconds >= 0 and math.isfinite(seconds):
            self._round_trips.append(seconds)

    def reconnected(self) -> None:
        """Count one reconnect (a connection open again after it had been open)."""
        self.reconnects += 1

    def _rate(self, buckets: _Buckets, now_tick: int, seconds: int) -> tuple[float, float]:
        # Whole buckets only (the current one is still filling), over at most the
        # time since counting began, so the first seconds are not read as slow.
        ticks = seconds * _PER_SECOND
        start_tick = math.floor(self.started / BUCKET)
        span = max(1, min(ticks, now_tick - start_tick))
        count, size = buckets.total(now_tick - span, now_tick - 1)
        return count / (span * BUCKET), size / (span * BUCKET)

    def snapshot(self) -> FeedStats:
        """The figures now."""
        tick = math.floor(self.clock() / BUCKET)
        in1, in1b = self._rate(self._in, tick, 1)
        in10, in10b = self._rate(self._in, tick, 10)
        out1, out1b = self._rate(self._out, tick, 1)
        out10, out10b = self._rate(self._out, tick, 10)
        return FeedStats(
            messages_in_1s=in1,
            messages_in_10s=in10,
            messages_out_1s=out1,
            messages_out_10s=out10,
            bytes_in_1s=in1b,
            bytes_in_10s=in10b,
            bytes_out_1s=out1b,
            bytes_out_10s=out10b,
            inter_arrival_p50=percentile(self._gaps, 50),
            inter_arrival_p95=percentile(self._gaps, 95),
            round_trip_p50=percentile(self._round_trips, 50),
            round_trip_p95=percentile(self._round_trips, 95),
            reconnects=self.reconnects,
            dropped=self.dropped(),
        )

    def history(self, seconds: int = SPAN) -> tuple[list[int], list[int]]:
        """Messages received and sent in each of the last ``seconds`` whole seconds, oldest first."""
        tick = math.floor(self.clock() / BUCKET)
        last = tick - tick % _PER_SECOND  # the start of the current second
        received, sent = [], []
        for n in range(seconds, 0, -1):
            first = last - n * _PER_SECOND
            received.append(self._in.total(first, first + _PER_SECOND - 1)[0])
            sent.append(self._out.total(first, first + _PER_SECOND - 1)[0])
        return received, sent


def percentile(values: Sequence[float] | deque[float], q: float) -> float | None:
    """The ``q``-th percentile (nearest rank) of ``values``, None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def sparkline(values: Sequence[float], top: float | None = None) -> str:
    """``▁▂▅█``: one block per value, scaled to ``top`` (the largest value unless given)."""
    peak = top if top is not None else max(values, default=0)
    if peak <= 0:
        return _BARS[0] * len(values)
    last = len(_BARS) - 1
    return "".join(_BARS[min(last, max(0, math.ceil(v / peak * last)))] for v in values)
