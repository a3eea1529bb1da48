"""A feed's figures kept up to date from a session's or a hub's records.

:class:`FeedWatch` feeds a :class:`~wsecho_widget.model.stats.FeedCounter`: every
message the session or hub records, every reconnect (a connection open again
after it had been open), the keepalive pings' round trips (sampled: websockets
measures them and tells nobody) and request/reply pairs (:meth:`FeedWatch.replied`,
called when ``receive()`` or ``wait_for_reply()`` hands out a reply).

Imports no widgets; the panel shows the figures.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from wsecho_widget._util.observers import Observers
from wsecho_widget.client.session import Session
from wsecho_widget.model.message import Message
from wsecho_widget.model.stats import FeedCounter
from wsecho_widget.server.hub import Hub

__all__ = ["FeedWatch"]


class FeedWatch:
    """Counts what a session or a hub records into ``counter``; ``close()`` stops it."""

    def __init__(self, source: Session | Hub, counter: FeedCounter) -> None:
        self.source = source
        self.counter = counter
        self._latencies: dict[Any, float] = {}
        self._request: float | None = None  # the first frame sent since the last reply
        self._stops: list[Callable[[], None]] = []
        #: Also told of each batch (charts and series of the panel): ``listeners.subscribe(fn)``.
        self.listeners: Observers[[Sequence[Message]]] = Observers(source.loop, name="FeedWatch.listeners")
        if isinstance(source, Session):
            self._opened = source.status == "open"
            self._stops.append(source.subscribe(on_messages=self.add, on_status=self._status))
        else:
            self._stops.append(source.subscribe(on_record=self._one))

    def _one(self, message: Message) -> None:
        self.add((message,))

    def add(self, messages: Sequence[Message]) -> None:
        """Count a batch of recorded messages."""
        self.counter.add(messages)
        self.listeners(messages)
        if self._request is None:
            for message in messages:
                if message.direction == "sent":
                    self._request = message.timestamp
                    break

    def replied(self, reply: Message) -> None:
        """``reply`` was handed to code waiting for it: one request/reply round trip,
        from the first frame sent since the last reply (none when it came before that)."""
        request, self._request = self._request, None
        if request is not None and reply.direction == "received" and reply.timestamp >= request:
            self.counter.round_trip(reply.timestamp - request)

    def _status(self, status: str, detail: str) -> None:
        if status == "open":
            if self._opened:
                self.counter.reconnected()
            self._opened = True
            self._latencies.clear()

    def sample(self) -> None:
        """Count the keepalive round trips measured since the last call."""
        for key, latency in self._current_latencies():
            if latency and latency > 0 and self._latencies.get(key) != latency:
                self._latencies[key] = latency
                self.counter.round_trip(latency)

    def _current_latencies(self) -> Iterable[tuple[Any, float | None]]:
        source = self.source
        if isinstance(source, Session):
            channel = source.channel
            return [(id(channel), channel.latency)] if channel is not None else []
        return [(client.id, client.websocket.latency) for client in source.clients]

    def close(self) -> None:
        """Stop counting."""
        for stop in self._stops:
            stop()
        self._stops.clear()
