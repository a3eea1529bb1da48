"""The delays between reconnect attempts, and how they are shown.

Pure functions over iterators of seconds: imports websockets' ``backoff`` only;
no asyncio tasks, no widgets.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence

from websockets.client import backoff

__all__ = ["ReconnectDelays", "default_reconnect_delays", "delays_from", "seconds"]

ReconnectDelays = Callable[[], Iterator[float]] | Sequence[float]


def default_reconnect_delays() -> Iterator[float]:
    """The delays between reconnect attempts: websockets' ``backoff()``, for a notebook.

    First a random 0 to 1 s (RFC 6455 §7.2.3: clients that lost the same server
    must not all come back at once), then 1 s growing by 1.618 up to a 30 s cap
    (websockets' own defaults are 0 to 5 s, 3.1 s and 90 s: long for someone
    watching). Each later delay is also shortened by a random 0 to 20 % so that
    clients stay spread out.
    """
    for i, delay in enumerate(backoff(initial_delay=1.0, min_delay=1.0, max_delay=30.0)):
        yield delay if i == 0 else delay * random.uniform(0.8, 1.0)


def delays_from(setting: ReconnectDelays | None) -> Iterator[float]:
    """The delays a ``reconnect_delays`` setting stands for (ValueError when empty).

    None: :func:`default_reconnect_delays`; a callable: the iterator it returns; a
    sequence: its values, the last one repeating.
    """
    if setting is None:
        return default_reconnect_delays()
    if callable(setting):
        return iter(setting())
    values = [float(v) for v in setting]
    if not values:
        raise ValueError("reconnect_delays needs at least one delay")

    def repeat_last() -> Iterator[float]:
        yield from values
        while True:
            yield values[-1]

    return repeat_last()


def seconds(delay: float) -> str:
    """``2.0 s`` or ``50 ms``."""
    return f"{delay:.1f} s" if delay >= 0.1 else f"{delay * 1000:.0f} ms"
