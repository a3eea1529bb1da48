"""The log's toolbar: filter (text or /regex/, direction, kind), JSON, binary view, times, pause, clear.

It turns its widgets' values into a :class:`~wsecho_widget.ui.render.LogFormat` and a
filter and says when they change. Must not import the session, the connection,
the panel or the log view.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from wsecho_widget._util.loop import Debouncer, in_loop
from wsecho_widget.decoders.core import Decoder, check_decoder
from wsecho_widget.ui.render import (
    FilterError,
    LogFormat,
    MessageFilter,
    binary_views,
    message_filter,
)

__all__ = ["FILTER_DELAY", "LogToolbar"]

_DIRECTIONS = [("all directions", "all"), ("→ sent", "sent"), ("← received", "received")]
_KINDS = [("all kinds", "all"), ("text", "text"), ("binary", "binary"), ("pictures", "pictures")]
_TIMES_TIP = "Times: seconds since the first message (+1.234 s) instead of the clock (12:03:04.512)"
_PAUSE_TIP = "Pause: hold the log still to scroll back and read (messages are still recorded)"
_RESUME_TIP = "Resume: show what came in while paused and follow the log again"
_BINARY_TIP = (
    "How binary frames are shown: auto (pictures as pictures, else a short hex preview), "
    "hex (a dump), text (UTF-8), msgpack, cbor, protobuf (raw wire format), or your decoder"
)

#: Typing in the filter box re-renders the log once the typing pauses this long.
FILTER_DELAY = 0.1


class LogToolbar(widgets.HBox):  # type: ignore[misc]  # ipywidgets ships no types
    """``[Filter, direction, kind, JSON, Binary view, Live, Times, Pause, Clear]`` for a log, in one row.

    The filter takes text (case-insensitive) or ``/regex/flags``; a bad expression
    shows one line in :attr:`filter_error` and leaves the log as it was. The kind
    offers "notices" when ``notice`` says which messages are a protocol's notices.
    The Binary view offers the built-in views, the decoders registered with
    :func:`wsecho_widget.decoders.register` when the toolbar was made, and those
    added with :meth:`add_decoder`. Times (a clock icon) shows times relative to the
    first message instead of the clock (``relative`` starts it pressed).

    ``on_view(format, keep)`` runs when the view changes: at once for the menus,
    JSON and Times, once typing in the filter pauses for ``filter_delay``. ``on_pause(paused)``
    runs when Pause or Resume is pressed, ``on_live(live)`` when Live is, and Clear's
    clicks go to whoever ``clear_button.on_click`` names. All run in ``loop``'s thread.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        on_view: Callable[[LogFormat, MessageFilter | None], None],
        on_pause: Callable[[bool], None],
        on_live: Callable[[bool], None] | None = None,
        live: bool = False,
        relative: bool = False,
        filter_delay: float = FILTER_DELAY,
        notice: MessageFilter | None = None,
    ) -> None:
        self._typing = Debouncer(loop, filter_delay, self.apply)
        self.on_view = on_view
        self.on_pause = on_pause
        self.notice = notice
        #: This toolbar's own decoders (added with add_decoder), by name.
        self.decoders: dict[str, Decoder] = {}
        self._make_filters(notice is not None)
        self._make_buttons(live, relative)
        if on_live is not None:
            self.live_button.observe(in_loop(loop, lambda change: on_live(bool(change["new"]))), "value")
        # Every keystroke arrives: render once the typing pauses.
        self.filter_text.observe(in_loop(loop, lambda _: self._typing.restart()), "value")
        for menu in (self.json_button, self.times_button, self.direction, self.kind):
            menu.observe(in_loop(loop, lambda _: self.apply()), "value")
        self._quiet = False
        self.binary_view.observe(in_loop(loop, self._on_binary_view), "value")
        self.pause_button.observe(in_loop(loop, self._on_pause), "value")
        parts = [
            self.filter_text,
            self.direction,
            self.kind,
            self.json_button,
            self.binary_view,
            self.live_button,
            self.times_button,
            self.pause_button,
            self.clear_button,
        ]
        # One row at 720 px; it wraps rather than cut a control off when narrower.
        super().__init__(parts, layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
        self.add_class("wsecho-log-toolbar")

    def _make_buttons(self, live: bool, relative: bool) -> None:
        self.json_button = _toggle(
            "JSON", "code", "Show text frames that are JSON objects or arrays pretty-printed"
        )
        self.binary_view = _menu("Binary", list(binary_views()), _BINARY_TIP)
        self.binary_view.value = "auto"
        self.binary_view.style.description_width = "initial"  # "Binary" is shown: "hex" alone is not clear
        self.times_button = _toggle("", "clock-o", _TIMES_TIP)
        self.times_button.value = relative
        self.pause_button = _toggle("", "pause", _PAUSE_TIP)
        self.clear_button = widgets.Button(
            icon="trash",
            tooltip="Clear the log (the history stays)",
            layout=widgets.Layout(width="auto", flex="0 0 auto"),
        )
        self.live_button = _toggle(
            "Live",
            "video-camera",
            "Watch received pictures as one picture updated in place (a camera-like stream)",
        )
        self.live_button.value = live

    def _make_filters(self, notices: bool) -> None:
        self.filter_text = widgets.Text(
            description="Filter",
            placeholder="text or /regex/",
            tooltip="Show only entries whose text contains this (ignoring case), or matches /regex/flags",
            style={"description_width": "initial"},
            layout=widgets.Layout(flex="1 1 8em", width="auto", min_width="8em"),
        )
        self.direction = _menu("Direction", _DIRECTIONS, "Show messages sent, received or both")
        kinds = [*_KINDS, ("notices", "notices")] if notices else _KINDS
        self.kind = _menu("Kind", kinds, "Show only text, binary, pictures or the protocol's notices")
        #: One line under the toolbar when the filter cannot be used (a bad regex).
        self.filter_error = widgets.Label(
            tooltip="Why the filter is not applied", layout=widgets.Layout(display="none")
        )
        self.filter_error.add_class("wsecho-filter-error")

    @property
    def format(self) -> LogFormat:
        """How the log should show messages now."""
        return LogFormat(
            pretty_json=self.json_button.value, binary=self.binary_view.value, decoders=self.decoders
        )

    def add_decoder(self, name: str, func: Decoder) -> None:
        """Offer ``func`` (bytes -> any object) as the Binary view ``name``.

        Replacing one of this toolbar's decoders re-renders the log if it is shown.
        """
        check_decoder(name, func)
        self.decoders[name] = func
        views = binary_views(self.decoders)
        if tuple(self.binary_view.options) != views:
            # New options reset the value: put it back without re-rendering twice.
            value, self._quiet = self.binary_view.value, True
            try:
                self.binary_view.options = views
                self.binary_view.value = value
            finally:
                self._quiet = False
        if self.binary_view.value == name:
            self.apply()

    def offer_notices(self, notice: MessageFilter) -> None:
        """Offer "notices" among the kinds: the messages ``notice`` says are a protocol's
        notices (a Socket.IO panel's handshake and acknowledgements), not data."""
        self.notice = notice
        if ("notices", "notices") not in self.kind.options:
            self.kind.options = [*_KINDS, ("notices", "notices")]

    @property
    def filter(self) -> MessageFilter | None:
        """Which messages the log should show now (None: all).

        Raises :class:`~wsecho_widget.ui.render.FilterError` for a bad regular expression.
        """
        return message_filter(self.filter_text.value, self.direction.value, self.kind.value, self.notice)

    @property
    def relative(self) -> bool:
        """True while times are shown relative to the first message."""
        return bool(self.times_button.value)

    @property
    def paused(self) -> bool:
        """True while the log is held still."""
        return bool(self.pause_button.value)

    def apply(self) -> None:
        """Tell ``on_view`` the current view now (a pending filter change included).

        A bad regular expression is said under the box and the log stays as it was.
        """
        self._typing.cancel()
        try:
            keep = self.filter
        except FilterError as exc:
            self.filter_error.value = str(exc)
            self.filter_error.layout.display = ""
            return
        if self.filter_error.value:
            self.filter_error.value = ""
            self.filter_error.layout.display = "none"
        self.on_view(self.format, keep)

    def _on_binary_view(self, _: object) -> None:
        if not self._quiet:  # add_decoder putting the value back is no change
            self.apply()

    def _on_pause(self, change: dict[str, Any]) -> None:
        paused = bool(change["new"])
        self.pause_button.tooltip = _RESUME_TIP if paused else _PAUSE_TIP
        self.pause_button.icon = "play" if paused else "pause"
        self.on_pause(paused)

    def close(self) -> None:
        """Stop a pending filter change, then close the widget and the error line."""
        self._typing.cancel()
        self.filter_error.close()
        super().close()


def _menu(name: str, options: list[tuple[str, str]] | list[str], tooltip: str) -> widgets.Dropdown:
    # The options say what they are ("→ sent", "all kinds"): the label is for screen
    # readers (the select's accessible name), drawn zero-wide to keep the row short.
    menu = widgets.Dropdown(
        options=options,
        description=name,
        tooltip=tooltip,
        style={"description_width": "0px"},
        layout=widgets.Layout(width="auto", flex="0 0 auto"),
    )
    menu.add_class("wsecho-menu")
    return menu


def _toggle(description: str, icon: str, tooltip: str) -> widgets.ToggleButton:
    # The toolbar's on/off buttons: as wide as their label, never squeezed.
    layout = widgets.Layout(width="auto", flex="0 0 auto")
    return widgets.ToggleButton(
        value=False, description=description, icon=icon, tooltip=tooltip, layout=layout
    )
