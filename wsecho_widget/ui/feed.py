"""Watch a feed: ``stats()``, ``chart()``, ``series()`` and ``send_every()`` on every panel.

:class:`FeedMixin` gives a panel those four methods and one row, ``feed_bar``:
the stats line (rates with sparklines of the last 60 s, refreshed at most twice
a second) and the active schedules, each with Stop. A panel calls
:meth:`FeedMixin._start_feed` with what it records (a session or a hub) and how
it sends, puts ``feed_bar`` among its rows, and calls :meth:`FeedMixin._close_feed`
when it closes. The parts: :mod:`wsecho_widget.model.stats` (the figures),
:mod:`wsecho_widget.client.stats` (fed from the records),
:mod:`wsecho_widget.client.schedule`, :mod:`.chart`, :mod:`.series`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import ipywidgets as widgets

from wsecho_widget._util.loop import Debouncer, in_loop
from wsecho_widget.client.schedule import Payload, Schedule
from wsecho_widget.client.session import Session
from wsecho_widget.client.stats import FeedWatch
from wsecho_widget.model.fields import Field, Fields, parse_json
from wsecho_widget.model.message import History, Message
from wsecho_widget.model.stats import FeedCounter, FeedStats, sparkline
from wsecho_widget.server.hub import Hub
from wsecho_widget.ui.chart import DEFAULT_LIBRARY, REDRAW, Chart
from wsecho_widget.ui.series import SeriesStream

__all__ = ["STATS_INTERVAL", "FeedBar", "FeedMixin", "FeedSource"]

#: How often the stats line may change (seconds): at most twice a second.
STATS_INTERVAL = 0.5
#: Seconds of rate shown in the sparklines, two seconds per block.
_SPARK_SECONDS, _PER_BLOCK = 60, 2


class FeedSource(NamedTuple):
    """What a panel's feed is read from and sent to."""

    #: The session or hub whose records are counted and charted.
    records: Session | Hub
    #: The bounded history (its ``dropped`` is counted).
    history: History
    #: Sends one frame for ``send_every``.
    send: Callable[[str | bytes], Any]
    #: Whether a frame can go out now (a schedule skips its turn otherwise).
    can_send: Callable[[], bool]


class FeedBar(widgets.VBox):  # type: ignore[misc]  # ipywidgets ships no types
    """The stats line and the list of active schedules (each with Stop)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.stats_label = widgets.Label(
            tooltip="the feed: messages a second in and out over the last 60 s (sparklines), the last "
            "second's rates, inter-arrival gaps and round trips (p50, p95); panel.stats() has them all",
            layout=widgets.Layout(width="100%"),
        )
        self.stats_label.add_class("wsecho-feed-stats")
        self.schedules_box = widgets.VBox(layout=widgets.Layout(display="none"))
        self._rows: dict[Schedule, tuple[widgets.Label, widgets.Button]] = {}
        # Not a scroll region (a Box scrolls by default): one line, cut at the panel's edge,
        # the whole of it in the tooltip and panel.stats(); a scroll region would need a
        # keyboard stop of its own (axe: scrollable-region-focusable).
        super().__init__(
            children=[self.stats_label, self.schedules_box],
            layout=widgets.Layout(width="100%", overflow="hidden"),
        )
        self.add_class("wsecho-feed")

    def show(self, stats: FeedStats, received: list[int], sent: list[int]) -> None:
        """One line of figures with the sparklines of messages in and out."""
        blocks_in = _blocks(received)
        blocks_out = _blocks(sent)
        top = max([*blocks_in, *blocks_out, 1])
        text = (
            f"rate in {sparkline(blocks_in, top)} out {sparkline(blocks_out, top)} (last 60 s) · "
            + stats.summary()
        )
        if text != self.stats_label.value:
            self.stats_label.value = text
        for schedule, (label, _) in self._rows.items():
            line = _schedule_line(schedule)
            if line != label.value:
                label.value = line

    def add_schedule(self, schedule: Schedule) -> None:
        label = widgets.Label(_schedule_line(schedule), tooltip="a scheduled send (panel.send_every)")
        stop = widgets.Button(description="Stop", icon="stop", tooltip="Stop this scheduled send")
        stop.on_click(in_loop(self.loop, lambda _: schedule.cancel()))
        self._rows[schedule] = (label, stop)
        self._layout()

    def remove_schedule(self, schedule: Schedule) -> None:
        row = self._rows.pop(schedule, None)
        if row is not None:
            self._layout()
            for widget in row:
                widget.close()

    def _layout(self) -> None:
        rows = [widgets.HBox([stop, label]) for label, stop in self._rows.values()]
        old = self.schedules_box.children
        self.schedules_box.children = rows
        for box in old:
            box.close()
        self.schedules_box.layout.display = None if rows else "none"


def _blocks(counts: list[int]) -> list[float]:
    return [sum(counts[i : i + _PER_BLOCK]) / _PER_BLOCK for i in range(0, len(counts), _PER_BLOCK)]


def _schedule_line(schedule: Schedule) -> str:
    parts = [f"every {schedule.seconds:g} s: {schedule.label}", f"sent {schedule.sent:,}"]
    if schedule.skipped:
        parts.append(f"{schedule.skipped:,} skipped while disconnected")
    if schedule.errors:
        parts.append(f"{schedule.errors:,} failed ({schedule.last_error})")
    return " · ".join(parts)


class FeedMixin:
    """``stats()``, ``chart()``, ``series()``, ``send_every()`` for a panel (see the module)."""

    feed_bar: FeedBar

    def _start_feed(
        self, loop: asyncio.AbstractEventLoop, source: FeedSource, *, notify: Callable[[str], None]
    ) -> None:
        """Count what ``source`` records; its ``send``/``can_send`` serve the schedules."""
        self._feed_loop = loop
        self._feed_send, self._feed_can_send, self._feed_notify = source.send, source.can_send, notify
        self._feed_history = source.history
        self._feed_users: list[Chart | SeriesStream] = []
        self._feed_gone_dropped = 0
        self._feed_schedules: list[Schedule] = []
        self._feed_tasks: set[asyncio.Task[Any]] = set()
        self._feed_counter = FeedCounter(dropped=self._feed_dropped)
        self._feed_watch = FeedWatch(source.records, self._feed_counter)
        self._feed_watch.listeners.subscribe(self._feed_dispatch)
        self.feed_bar = FeedBar(loop)
        self._feed_tick = Debouncer(loop, STATS_INTERVAL, self._feed_refresh)
        self._feed_tick.start()

    def _feed_dropped(self) -> int:
        series = sum(user.dropped for user in self._feed_users if isinstance(user, SeriesStream))
        return self._feed_history.dropped + self._feed_gone_dropped + series

    def _feed_refresh(self) -> None:
        self._feed_watch.sample()
        received, sent = self._feed_counter.history(_SPARK_SECONDS)
        self.feed_bar.show(self._feed_counter.snapshot(), received, sent)
        self._feed_tick.start()

    def _feed_dispatch(self, messages: Sequence[Message]) -> None:
        # Each received message parsed once for every chart and series.
        users = self._feed_users
        if not users or messages[0].direction != "received":
            return
        if any(user.closed for user in users):  # a series closed by its reader: forget it
            for user in [u for u in users if u.closed]:
                self._feed_forget(user)
        parse = self._feed_parse
        parsed = [(message, parse(message)) for message in messages]
        for user in users:
            user.add(parsed)

    def _feed_replied(self, reply: Message) -> Message:
        """A reply handed to code that waited for it (receive, wait_for_reply): a round trip."""
        self._feed_watch.replied(reply)
        return reply

    # -- what code calls -------------------------------------------------------------

    def stats(self) -> FeedStats:
        """Messages and bytes per second in and out (last 1 s and 10 s), inter-arrival and
        round-trip p50/p95, reconnects and dropped messages, as of now."""
        self._feed_watch.sample()
        return self._feed_counter.snapshot()

    def chart(
        self,
        *fields: Field,
        window: int = 500,
        x: str | None = None,
        by: str | None = None,
        title: str | None = None,
        library: str = DEFAULT_LIBRARY,
        interval: float = REDRAW,
        event: str | None = None,
    ) -> Chart:
        """A live line chart of JSON paths of the received messages, or of a callable.

        ``panel.chart("price")``, ``panel.chart("$.data.price", "$.data.volume", window=1000)``,
        ``panel.chart(lambda m: {...})`` (a number or a dict of numbers from each
        :class:`Message`). x is the receive time unless ``x`` names a path; ``by``
        splits one path into a line per value of ``by``. Each line keeps its newest
        ``window`` points; values that are missing or not numbers are counted in
        ``chart.skipped``. The page redraws it at most every ``interval`` seconds.
        On a Socket.IO panel the paths read each event's first argument, and
        ``event`` keeps one event's frames. Needs the ``charts`` extra.
        """
        spec = self._feed_fields(fields, x=x, by=by, event=event)
        label = title if title is not None else ", ".join(f if isinstance(f, str) else "f(m)" for f in fields)
        made = Chart(
            self._feed_loop,
            spec,
            window=window,
            interval=interval,
            title=label,
            library=library,
            on_close=self._feed_forget,
        )
        self._feed_users.append(made)
        return made

    def series(
        self,
        *fields: Field,
        window: int = 500,
        interval: float = 0.1,
        x: str | None = None,
        by: str | None = None,
        event: str | None = None,
    ) -> SeriesStream:
        """``async for df in panel.series("$.price"):`` time-indexed DataFrame chunks of the fields.

        At most one chunk per ``interval`` seconds, at most ``window`` rows each (the
        newest). For HoloViews' ``Buffer.send``, Panel's ``Tabulator.stream``,
        Perspective's ``Table.update``. Ends on ``close()`` or the panel's close.
        Fields and ``event`` are read as for :meth:`chart`.
        """
        spec = self._feed_fields(fields, x=x, by=by, event=event)
        stream = SeriesStream(self._feed_loop, spec, window=window, interval=interval)
        self._feed_users.append(stream)
        return stream

    @staticmethod
    def _feed_parse(message: Message) -> Any:
        """A received frame parsed once for every chart and series: its JSON here (a
        protocol panel parses its own way; ``Fields.read`` then gets this)."""
        return parse_json(message)

    def _feed_fields(
        self, fields: Sequence[Field], *, x: str | None, by: str | None, event: str | None
    ) -> Fields:
        """What a chart or series reads from each frame (a protocol panel reads its own way)."""
        if event is not None:
            raise ValueError("event= picks a Socket.IO event: this panel's frames have none")
        return Fields(list(fields), x=x, by=by)

    def _feed_forget(self, user: Chart | SeriesStream) -> None:
        if user in self._feed_users:
            self._feed_users.remove(user)
            if isinstance(user, SeriesStream):
                self._feed_gone_dropped += user.dropped  # its losses still count

    def send_every(self, seconds: float, payload: Payload) -> Schedule:
        """Send ``payload`` every ``seconds``; returns the schedule (``cancel()`` stops it).

        ``payload``: ``str`` (text frame), ``bytes`` (binary), a dict or list (JSON), or a
        callable evaluated at each send. While disconnected it skips its turns; after a
        reconnect it goes on at its pace, with no burst to catch up. It runs as a task
        of the panel (an interrupted cell does not stop it) and ends on ``cancel()`` or
        the panel's close. The panel lists it, with Stop.
        """
        schedule = Schedule(
            self._feed_loop,
            seconds,
            payload,
            send=self._feed_send,
            can_send=self._feed_can_send,
            on_error=lambda s, text: (
                self._feed_notify(f"send_every {s.label}: {text}") if s.errors == 1 else None
            ),
            on_end=self._feed_ended,
        )
        self._feed_schedules.append(schedule)
        self.feed_bar.add_schedule(schedule)
        schedule.start(self._feed_tasks)
        return schedule

    @property
    def schedules(self) -> list[Schedule]:
        """The active scheduled sends, oldest first."""
        return list(self._feed_schedules)

    def _feed_ended(self, schedule: Schedule) -> None:
        if schedule in self._feed_schedules:
            self._feed_schedules.remove(schedule)
        if not getattr(self, "_feed_closing", False):
            self.feed_bar.remove_schedule(schedule)

    def _close_feed(self) -> None:
        """End the schedules, charts and series; stop counting. Safe on a half-made panel."""
        if getattr(self, "_feed_counter", None) is None:
            return
        self._feed_closing = True
        self._feed_tick.cancel()
        for schedule in list(self._feed_schedules):
            schedule.cancel()
        for user in list(self._feed_users):
            user.close()
        self._feed_users.clear()
        self._feed_watch.close()
        self.feed_bar.close()
