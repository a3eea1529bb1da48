"""What every panel is built on: :class:`PanelBase`.

A panel shows one thing that talks WebSocket (a session, a hub, a protocol client)
through the same parts: a status line, a notice and stats line, the log with its
toolbar (one :class:`~wsecho_widget.ui.controls.LogOptions`), a Clear button and,
where there is a connection to open and close, a Connect/Disconnect button. The
subclass makes its networking object first (a bad call fails before any widget
exists), then calls ``super().__init__``, which makes the shared parts and asks
the subclass's ``_compose()`` for its own parts and the rows; the subclass says
what its stats line holds (``_stats()``) and what it closes, in order (``closes``).

Must not import a session, a hub or a protocol client: the subclass owns them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import ipywidgets as widgets
import traitlets

from wsecho_widget._util.loop import Debouncer, in_loop
from wsecho_widget.model.message import Message
from wsecho_widget.ui.controls import LogOptions, LogPanel, NoticeBar, StatusBar, close_descendants
from wsecho_widget.ui.feed import FeedMixin, FeedSource
from wsecho_widget.ui.record import Recorded
from wsecho_widget.ui.render import LogFormat

__all__ = ["PanelBase"]


class PanelBase(FeedMixin, Recorded, widgets.VBox):  # type: ignore[misc]  # ipywidgets ships no types
    """The parts and the lifecycle every panel shares; subclasses add their own rows.

    Shown with a display id (:class:`~wsecho_widget.ui.record.Recorded`): on ``close()``
    and ``freeze()`` its outputs become a static record of the conversation.
    """

    relative_times = traitlets.Bool(
        False,
        help="True: the log's times are seconds since the first message (+1.234 s), "
        "not the clock (the log toolbar's clock button; log=LogOptions(relative_times=True))",
    )

    #: The attributes :meth:`close` closes first, in this order (each may be missing
    #: when ``__init__`` failed early: ``close()`` also runs from ``__del__``).
    closes: ClassVar[tuple[str, ...]] = ("log_panel",)
    #: Whether the panel has a Connect/Disconnect button.
    connects: ClassVar[bool] = True

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        history: Sequence[Message],
        log: LogOptions,
        *,
        render: Callable[[LogFormat, Message], str] | None = None,
        **traits: Any,
    ) -> None:
        self.loop = loop
        self._closed = False
        self._tasks: set[asyncio.Task[Any]] = set()
        self._timers: list[Debouncer] = []
        self.status_bar = StatusBar()
        self.notice_bar = NoticeBar()
        if self.connects:
            self.connect_button = widgets.Button(
                description="Disconnect", tooltip="Close or reopen the connection"
            )
            self.connect_button.on_click(in_loop(loop, lambda _: self._toggle_connection()))
        self.log_panel = LogPanel(loop, history, log, on_change=self._update_stats, render=render)
        #: Clear, an icon on the log's toolbar.
        self.clear_button = self.log_panel.toolbar.clear_button
        self.clear_button.on_click(in_loop(loop, lambda _: self.clear()))
        detail = self.log_panel.detail
        if type(self)._resend is not PanelBase._resend:
            detail.on_resend = self._resend
        if type(self)._edit is not PanelBase._edit:
            detail.on_edit = self._edit
        self._start_feed(loop, self._feed_source(), notify=self._notify)
        rows = self._compose(loop)
        rows.insert(rows.index(self.notice_bar) + 1 if self.notice_bar in rows else len(rows), self.feed_bar)
        super().__init__(children=rows, layout=widgets.Layout(width="100%"), **traits)
        self.add_class("wsecho-panel")  # a stable hook for the browser tests and users' CSS
        # The toolbar's clock button and the trait are one setting (the button starts as log= says).
        traitlets.link((self.log_panel.toolbar.times_button, "value"), (self, "relative_times"))

    def _compose(self, loop: asyncio.AbstractEventLoop) -> list[widgets.Widget]:
        """Make the subclass's own parts and return every row, top to bottom."""
        return [self.status_bar, self.notice_bar, self.log_panel]

    def _feed_source(self) -> FeedSource:
        """What the feed's stats, charts and schedules use: the records and how to send."""
        raise NotImplementedError

    def _timer(self, interval: float, callback: Callable[[], None]) -> Debouncer:
        """A timer that :meth:`close` cancels, and that does nothing once closed (the
        networking's last events, a client's goodbye, may arm it after close())."""

        def unless_closed() -> None:
            if not self._closed:
                callback()

        timer = Debouncer(self.loop, interval, unless_closed)
        self._timers.append(timer)
        return timer

    # -- what every panel shows ------------------------------------------------------

    def _stats(self) -> list[str]:
        """What the stats line says before the log's own parts (filter, pause)."""
        return []

    def _update_stats(self) -> None:
        self.notice_bar.show_stats([*self._stats(), *self.log_panel.summary()])

    def _notify(self, text: str) -> None:
        self.notice_bar.notify(text)

    def _show_connection(self, status: str, closed: bool = False) -> None:
        """The Connect/Disconnect button as the status says."""
        stopped = status in ("closed", "error")
        self.connect_button.description = "Connect" if stopped else "Disconnect"
        self.connect_button.disabled = status == "closing" or closed

    def clear(self) -> None:
        """Empty the log on screen; the history and totals stay."""
        self.log_panel.clear()
        self._notify("")
        self._update_stats()

    # -- the selected message ---------------------------------------------------------

    @property
    def selected(self) -> Message | None:
        """The message selected in the log (shown whole below it), or None.

        A click or an arrow key in the log selects one; set it to a message of the
        history, or to None to clear the selection.
        """
        return self.log_panel.selected

    @selected.setter
    def selected(self, message: Message | None) -> None:
        self.log_panel.selected = message

    def select(self, seq: int | None) -> Message | None:
        """Select the message with sequence number ``seq`` (None: clear) and return it.

        Raises :class:`KeyError` when the history holds no such message.
        """
        return self.log_panel.select(seq)

    def _resend(self, message: Message) -> None:
        """Send ``message``'s payload again (Resend; a panel that can says how)."""
        raise NotImplementedError

    def _edit(self, message: Message) -> None:
        """Put ``message``'s text in the composer (Edit; a panel with one says how)."""
        raise NotImplementedError

    # -- what the user does ----------------------------------------------------------

    def _toggle_connection(self) -> None:
        raise NotImplementedError  # a panel that connects says how

    # -- closing ---------------------------------------------------------------------

    def close(self) -> None:
        """Close the networking first, then the log, the timers, the tasks and every widget."""
        self._closed = True
        self._close_feed()  # the schedules stop before the networking closes
        for name in self.closes:
            part = getattr(self, name, None)
            if part is not None:
                part.close()
        self._leave_record()  # the networking is closed: the record says so
        for timer in getattr(self, "_timers", ()):
            timer.cancel()
        for task in list(getattr(self, "_tasks", ())):
            task.cancel()
        close_descendants(self)
        super().close()
