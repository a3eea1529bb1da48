"""The log as one part: its toolbar, the scrolling box, and the batched view inside.

It shows a history (any sequence of messages, oldest first) through the toolbar's
format and filter, holds still while paused and catches up on resume. Must not
import the session, the connection or the panel: the parent feeds it messages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from functools import partial

import ipywidgets as widgets

from wsecho_widget._util.loop import Debouncer
from wsecho_widget.model.media import MediaLimits
from wsecho_widget.model.message import Message
from wsecho_widget.ui.controls._options import LogOptions
from wsecho_widget.ui.controls._selection import LogSelection
from wsecho_widget.ui.controls.detail import MessageDetail
from wsecho_widget.ui.controls.toolbar import LogToolbar
from wsecho_widget.ui.live import LiveView
from wsecho_widget.ui.logview import LogView
from wsecho_widget.ui.render import LogFormat, MessageFilter

__all__ = ["LogPanel"]


class LogPanel(widgets.VBox):  # type: ignore[misc]  # ipywidgets ships no types
    """A :class:`LogToolbar` above a scrolling log of ``history``'s messages, as ``options`` say.

    The parent calls :meth:`add` with each batch of new messages (already in
    ``history``) and :meth:`clear`; ``on_change()`` runs after each render, pause or
    clear, for a stats line that should follow. ``render(format, message)``, if
    given, makes each entry's text (a server panel can add a client column);
    by default ``format.render(message)``.

    A click or an arrow key on a line selects its message: :attr:`detail` shows it
    whole below the log. ``origin(message)`` names its client or event there (by
    default the server panel's client id).

    Times are the clock's, or (the toolbar's clock button, ``relative_times``) seconds
    since the first message kept since the last Clear, in the lines and the detail.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        history: Sequence[Message],
        options: LogOptions | None = None,
        *,
        on_change: Callable[[], None] | None = None,
        render: Callable[[LogFormat, Message], str] | None = None,
        origin: Callable[[Message], str | None] | None = None,
    ) -> None:
        options = options if options is not None else LogOptions()
        self.options = options
        limit, interval, live = options.limit, options.interval, options.live
        limits = MediaLimits(options.max_picture_side, options.max_picture_pixels)
        self.history = history
        self.on_change = on_change
        self._custom_render = render
        self._filter: MessageFilter | None = None
        self._paused = False
        #: Messages that arrived while paused (the stats line says how many).
        self.paused_new = 0
        self._cleared_seq = 0
        # Messages since the last Clear, and those of them the filter keeps ("12 of 3,402").
        self._total = self._matched = 0
        # The time relative times count from (None: no message since the last Clear yet).
        self._origin: float | None = None
        self.toolbar = LogToolbar(
            loop,
            on_view=self._view,
            on_pause=self._pause,
            on_live=self._live,
            live=live,
            relative=options.relative_times,
        )
        self._relative = self.toolbar.relative
        self._make_views(loop, limit, interval, limits)
        self._make_detail(loop, origin)
        self._use_format(self.toolbar.format)
        # Messages that are not rendered trigger no flush: follow them at the log's pace.
        self._unrendered = Debouncer(loop, interval, self._changed)
        parts = [
            self.toolbar,
            self.toolbar.filter_error,
            self.live_view.widget,
            self.log_box,
            self.pick_note,
            self.detail.widget,
        ]
        super().__init__(parts)
        if live:
            self.live_view.start()
            self.log_view.live = True

    def _make_views(
        self, loop: asyncio.AbstractEventLoop, limit: int, interval: float, limits: MediaLimits
    ) -> None:
        # The log, its scroll box and the live view.
        self.log_view = LogView(
            loop,
            limit=limit,
            image_limit=self.options.image_limit,
            interval=interval,
            on_flush=self._changed,
            limits=limits,
        )
        # The log's widget sits in a column-reverse scroll box: a browser keeps such
        # a box scrolled to its end, so the newest entry stays in view as it grows.
        # It takes most of the window's height (the page's cost stays bounded by
        # log_limit and image_limit, and pictures out of view are not drawn); its
        # corner can be dragged (logwidget.css, logwidget.js).
        self.output = self.log_view.widget
        self.log_box = widgets.Box(
            [self.output],
            layout=widgets.Layout(
                display="flex",
                flex_flow="column-reverse",
                border="1px solid var(--jp-border-color2, #e0e0e0)",
                max_height=self.options.height,
                overflow="auto",
                padding="2px 6px",
            ),
        )
        self.log_box.add_class("wsecho-log")
        self.live_view = LiveView(loop, interval=interval, limits=limits)

    def _make_detail(
        self, loop: asyncio.AbstractEventLoop, origin: Callable[[Message], str | None] | None
    ) -> None:
        #: The selected message shown whole (Copy, Resend, Edit, Save).
        self.detail = MessageDetail(
            loop,
            origin=origin if origin is not None else (lambda message: message.client),
            view=lambda: (self.toolbar.format.binary, self.toolbar.decoders),
            since=lambda: self.origin if self._relative else None,
        )
        self.selection = LogSelection(loop, self.history, self.log_view.widget, self.detail)
        #: One line where the detail would be, when a line picked in the page has left the history.
        self.pick_note = self.selection.note

    @property
    def paused(self) -> bool:
        """True while the log holds still (messages are still recorded)."""
        return self._paused

    @property
    def filtered(self) -> bool:
        """True while the filter hides messages that do not match."""
        return self._filter is not None

    @property
    def live(self) -> bool:
        """True while received pictures are shown in the live view, not in the log."""
        return self.live_view.enabled

    @property
    def origin(self) -> float | None:
        """The timestamp relative times count from: the first message kept since the
        last Clear (None: there is none)."""
        if self._origin is None:
            cleared = self._cleared_seq
            self._origin = next((m.timestamp for m in self.history if m.seq > cleared), None)
        return self._origin

    @property
    def selected(self) -> Message | None:
        """The message shown in the detail view (selected in the log), or None.

        Set it to a message of the history, or None to clear the selection.
        """
        return self.selection.message

    @selected.setter
    def selected(self, message: Message | None) -> None:
        self.selection.select(None if message is None else message.seq)

    def select(self, seq: int | None) -> Message | None:
        """Select the message with sequence number ``seq`` (None: clear) and return it.

        Raises :class:`KeyError` when the history holds no such message.
        """
        return self.selection.select(seq)

    def find(self, seq: int) -> Message | None:
        """The history's message with sequence number ``seq``, or None."""
        return self.selection.find(seq)

    def _live(self, live: bool) -> None:
        if live == self.live_view.enabled:
            return
        if live:
            self.live_view.start()
        else:
            self.live_view.stop()
        self.log_view.live = live
        self.refresh()  # pictures leave the log (their memory freed in the page), or come back

    def add(self, messages: Sequence[Message]) -> None:
        """Show a batch of new messages (at the log's pace), unless paused or filtered out."""
        self.live_view.offer(messages)
        if self._origin is None and messages and self._relative:
            self._use_format(self.toolbar.format)  # the first message: times count from it
        keep = self._filter
        shown = messages if keep is None else [m for m in messages if keep(m)]
        size = len(self.history)
        self._total = min(size, self._total + len(messages))
        self._matched = min(self._total, self._matched + len(shown))
        if self._paused:
            self.paused_new += len(messages)
        else:
            if shown:
                self.log_view.extend(shown)
            if len(shown) == len(messages):
                return
        self._unrendered.start()

    def clear(self) -> None:
        """Empty the log on screen; the history stays (a filter or view change shows
        only what came after)."""
        if len(self.history):
            self._cleared_seq = self.history[-1].seq
        self._origin = None
        self.log_view.clear()
        self.paused_new = 0
        self._total = self._matched = 0
        self.select(None)

    def summary(self) -> list[str]:
        """What the stats line should add about the log: the filter's count, the pause."""
        parts = []
        if self._filter is not None:
            parts.append(f"{self._matched:,} of {self._total:,} shown")
        if self._paused:
            parts.append(f"log paused ({self.paused_new:,} new)")
        return parts

    def refresh(self) -> None:
        """Re-render from the history with the toolbar's current view and filter."""
        self.toolbar.apply()

    def _visible(self) -> Iterator[Message]:
        # What the log may show: the kept history since the last Clear, filtered (and counted).
        cleared, keep = self._cleared_seq, self._filter
        self._total = self._matched = 0
        for message in self.history:
            if message.seq > cleared:
                self._total += 1
                if keep is None or keep(message):
                    self._matched += 1
                    yield message

    def _use_format(self, view: LogFormat) -> None:
        # How lines read from now on: the toolbar's view, its times relative or not.
        if self.toolbar.relative:
            view = replace(view, origin=self.origin)
        custom = self._custom_render
        self.log_view.render = view.render if custom is None else partial(custom, view)

    def _view(self, view: LogFormat, keep: MessageFilter | None) -> None:
        self._use_format(view)
        self.log_view.show_pictures = view.show_pictures
        self._filter = keep
        if self._relative != self.toolbar.relative:
            self._relative = self.toolbar.relative
            if self.detail.message is not None:
                self.detail.show(self.detail.message)  # its time as the lines now say it
        # Re-render from the kept history, in one update of the Output.
        self.log_view.refresh(self._visible())
        self.paused_new = 0

    def _pause(self, paused: bool) -> None:
        self._paused = paused
        if paused and self.log_view.scheduled:
            # What arrived before the click goes out now, ahead of the "log paused" line:
            # from then on the page holds still (a render due later moved a reader's place).
            self.log_view.flush()
        if not paused:
            self.refresh()  # catch up with what came in meanwhile
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    def close(self) -> None:
        """Stop rendering, close the pictures, then the widgets."""
        self._unrendered.cancel()
        self.detail.close()
        self.live_view.close()
        self.log_view.close()
        # The box held the log's widget, closed above: a Box left alive with a closed
        # child breaks ipywidgets' get_state for whoever walks Widget.widgets.
        layout = self.log_box.layout
        self.log_box.close()
        layout.close()
        self.toolbar.close()
        self.selection.close()
        super().close()
