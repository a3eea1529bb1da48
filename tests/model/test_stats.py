"""The feed's figures from an injected clock: rates, windows, percentiles, sparklines."""

from __future__ import annotations

import pytest

from wsecho_widget.model.message import Message
from wsecho_widget.model.stats import FeedCounter, percentile, sparkline


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def feed(counter: FeedCounter, start: float, rate: float, seconds: float, size: int = 10) -> None:
    count = round(rate * seconds)
    counter.add(Message("received", "x" * size, start + i / rate) for i in range(count))


def test_rates_over_one_and_ten_seconds() -> None:
    clock = Clock()
    counter = FeedCounter(clock)
    feed(counter, clock.now, 200, 12, size=40)  # 200 messages/s of 40 B for 12 s
    counter.add(Message("sent", "y" * 8, clock.now + i) for i in range(12))  # one a second out
    clock.now += 12
    stats = counter.snapshot()
    assert stats.messages_in_1s == pytest.approx(200, rel=0.01)
    assert stats.messages_in_10s == pytest.approx(200, rel=0.01)
    assert stats.bytes_in_1s == pytest.approx(8000, rel=0.01)
    assert stats.messages_out_10s == pytest.approx(1, rel=0.01)
    assert stats.bytes_out_10s == pytest.approx(8, rel=0.01)
    assert stats.inter_arrival_p50 == pytest.approx(0.005)
    assert stats.inter_arrival_p95 == pytest.approx(0.005)


def test_a_feed_that_stops_reads_zero_after_a_second_and_falls_over_ten() -> None:
    clock = Clock()
    counter = FeedCounter(clock)
    feed(counter, clock.now, 100, 10)
    clock.now += 15  # five quiet seconds
    stats = counter.snapshot()
    assert stats.messages_in_1s == 0
    assert stats.messages_in_10s == pytest.approx(50, rel=0.02)  # 500 in the last ten seconds


def test_the_first_seconds_are_not_read_as_slow() -> None:
    clock = Clock()
    counter = FeedCounter(clock)
    feed(counter, clock.now, 50, 2)
    clock.now += 2
    assert counter.snapshot().messages_in_10s == pytest.approx(50, rel=0.02)


def test_round_trips_reconnects_and_dropped() -> None:
    dropped = [0]
    counter = FeedCounter(Clock(), dropped=lambda: dropped[0])
    assert counter.snapshot().round_trip_p50 is None
    for ms in range(1, 101):
        counter.round_trip(ms / 1000)
    counter.round_trip(float("nan"))  # never counted
    counter.reconnected()
    dropped[0] = 7
    stats = counter.snapshot()
    assert stats.round_trip_p50 == pytest.approx(0.050)
    assert stats.round_trip_p95 == pytest.approx(0.095)
    assert (stats.reconnects, stats.dropped) == (1, 7)
    assert "rtt p50 50.0 ms p95 95.0 ms" in stats.summary()
    assert "1 reconnect · 7 dropped" in stats.summary()
    assert stats.to_dict()["reconnects"] == 1


def test_history_counts_each_second_of_the_last_minute() -> None:
    clock = Clock(1_000_000.0)
    counter = FeedCounter(clock)
    feed(counter, clock.now, 10, 3)  # seconds 0, 1, 2: ten each
    counter.add([Message("sent", "x", clock.now + 2.5)])
    clock.now += 5
    received, sent = counter.history(5)
    assert received == [10, 10, 10, 0, 0]
    assert sent == [0, 0, 1, 0, 0]
    clock.now += 120  # all of it has left the minute kept
    assert counter.history(60) == ([0] * 60, [0] * 60)


def test_memory_stays_fixed_under_a_flood() -> None:
    clock = Clock()
    counter = FeedCounter(clock)
    feed(counter, clock.now, 100_000, 1)
    assert len(counter._gaps) == 1000  # the newest gaps only
    assert len(counter._in.counts) == 600


def test_percentile_and_sparkline() -> None:
    assert percentile([], 50) is None
    assert percentile([3, 1, 2], 50) == 2
    assert percentile([1, 2, 3, 4], 95) == 4
    assert sparkline([0, 1, 2, 4]) == "▁▃▅█"
    assert sparkline([0, 0]) == "▁▁"
    assert sparkline([5], top=10) == "▅"
