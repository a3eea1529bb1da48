"""The log's toolbar: filter, JSON, binary view and pause.

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
from wsecho_widget.ui.render import LogFormat, MessageFilter, binary_views, message_filter

__all__ = ["FILTER_DELAY", "LogToolbar"]

_VIEW_TIPS = {
    "auto": "auto: pictures as pictures, other binary frames as a short hex preview",
    "hex": "hex: every binary frame as a hex dump (offset, hex, ASCII)",
    "text": "text: binary frames as UTF-8, other bytes as \\xNN",
    "msgpack": "msgpack: binary frames decoded as MessagePack (needs wsecho-widget[codecs])",
    "cbor": "cbor: binary frames decoded as CBOR (needs wsecho-widget[codecs])",
    "protobuf": "protobuf: the wire format without a schema, like protoc --decode_raw",
}

#: Typing in the filter box re-renders the log once the typing pauses this long.
FILTER_DELAY = 0.1


class LogToolbar(widgets.HBox):  # type: ignore[misc]  # ipywidgets ships no types
    """``[Filter, JSON, Binary auto|hex|text|msgpack|cbor|protobuf|…, Pause]`` for a log.

    The Binary view offers the built-in views, the decoders registered with
    :func:`wsecho_widget.decoders.register` when the toolbar was made, and those
    added with :meth:`add_decoder`.

    ``on_view(format, keep)`` runs when the view changes: at once for JSON and
    binary, once typing in the filter pauses for ``filter_delay``. ``on_pause(paused)``
    runs when Pause or Resume is pressed, ``on_live(live)`` when Live is. All run in
    ``loop``'s thread.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        on_view: Callable[[LogFormat, MessageFilter | None], None],
        on_pause: Callable[[bool], None],
        on_live: Callable[[bool], None] | None = None,
        live: bool = False,
        filter_delay: float = FILTER_DELAY,
    ) -> None:
        self._typing = Debouncer(loop, filter_delay, self.apply)
        self.on_view = on_view
        self.on_pause = on_pause
        #: This toolbar's own decoders (added with add_decoder), by name.
        self.decoders: dict[str, Decoder] = {}
        self.filter_text = widgets.Text(
            description="Filter",
            placeholder="show entries containing… (case-insensitive)",
            tooltip="Show only entries whose text contains this, ignoring case",
            layout=widgets.Layout(flex="1 1 auto", width="auto"),
        )
        self.json_button = _toggle(
            "JSON", "code", "Show text frames that are JSON objects or arrays pretty-printed"
        )
        views = binary_views()
        self.binary_view = widgets.ToggleButtons(
            options=views,
            value="auto",
            description="Binary",
            tooltip="How binary frames are shown",
            tooltips=_tips(views),
            style={"button_width": "auto", "description_width": "initial"},
            # Its box is display:block, which puts the buttons under the description.
            layout=widgets.Layout(display="flex", align_items="center", flex="0 0 auto"),
        )
        self.pause_button = _toggle(
            "Pause", "pause", "Hold the log still to scroll back and read; messages are still recorded"
        )
        self.live_button = _toggle(
            "Live",
            "video-camera",
            "Watch received pictures as one picture updated in place (a camera-like stream)",
        )
        self.live_button.value = live
        if on_live is not None:
            self.live_button.observe(in_loop(loop, lambda change: on_live(bool(change["new"]))), "value")
        # Every keystroke arrives: render once the typing pauses.
        self.filter_text.observe(in_loop(loop, lambda _: self._typing.restart()), "value")
        self.json_button.observe(in_loop(loop, lambda _: self.apply()), "value")
        self._quiet = False
        self.binary_view.observe(in_loop(loop, self._on_binary_view), "value")
        self.pause_button.observe(in_loop(loop, self._on_pause), "value")
        buttons = [self.filter_text, self.json_button, self.binary_view, self.live_button, self.pause_button]
        super().__init__(buttons, layout=widgets.Layout(flex_flow="row wrap"))  # wrap, never cut off

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
                self.binary_view.tooltips = _tips(views)
                self.binary_view.value = value
            finally:
                self._quiet = False
        if self.binary_view.value == name:
            self.apply()

    @property
    def filter(self) -> MessageFilter | None:
        """Which messages the log should show now (None: all)."""
        return message_filter(self.filter_text.value)

    @property
    def paused(self) -> bool:
        """True while the log is held still."""
        return bool(self.pause_button.value)

    def apply(self) -> None:
        """Tell ``on_view`` the current view now (a pending filter change included)."""
        self._typing.cancel()
        self.on_view(self.format, self.filter)

    def _on_binary_view(self, _: object) -> None:
        if not self._quiet:  # add_decoder putting the value back is no change
            self.apply()

    def _on_pause(self, change: dict[str, Any]) -> None:
        paused = bool(change["new"])
        self.pause_button.description = "Resume" if paused else "Pause"
        self.pause_button.icon = "play" if paused else "pause"
        self.on_pause(paused)

    def close(self) -> None:
        """Stop a pending filter change, then close the widget."""
        self._typing.cancel()
        super().close()


def _tips(views: tuple[str, ...]) -> list[str]:
    return [_VIEW_TIPS.get(view, f"{view}: your decoder, its result pretty-printed") for view in views]


def _toggle(description: str, icon: str, tooltip: str) -> widgets.ToggleButton:
    # The toolbar's on/off buttons: as wide as their label, never squeezed.
    layout = widgets.Layout(width="auto", flex="0 0 auto")
    return widgets.ToggleButton(
        value=False, description=description, icon=icon, tooltip=tooltip, layout=layout
    )
