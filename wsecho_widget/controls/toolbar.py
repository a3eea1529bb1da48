"""The log's toolbar: filter, JSON, binary view and pause.

It turns its widgets' values into a :class:`~wsecho_widget.render.LogFormat` and a
filter and says when they change. Must not import the session, the connection,
the panel or the log view.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from .._loop import Debouncer, in_loop
from ..render import BINARY_VIEWS, LogFormat, MessageFilter, message_filter

__all__ = ["FILTER_DELAY", "LogToolbar"]

#: Typing in the filter box re-renders the log once the typing pauses this long.
FILTER_DELAY = 0.1


class LogToolbar(widgets.HBox):  # type: ignore[misc]  # ipywidgets ships no types
    """``[Filter, JSON, Binary auto|hex, Pause]`` for a log.

    ``on_view(format, keep)`` runs when the view changes: at once for JSON and
    binary, once typing in the filter pauses for ``filter_delay``. ``on_pause(paused)``
    runs when Pause or Resume is pressed. Both run in ``loop``'s thread.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        on_view: Callable[[LogFormat, MessageFilter | None], None],
        on_pause: Callable[[bool], None],
        filter_delay: float = FILTER_DELAY,
    ) -> None:
        self._typing = Debouncer(loop, filter_delay, self.apply)
        self.on_view = on_view
        self.on_pause = on_pause
        self.filter_text = widgets.Text(
            description="Filter",
            placeholder="show entries containing… (case-insensitive)",
            tooltip="Show only entries whose text contains this, ignoring case",
            layout=widgets.Layout(flex="1 1 auto", width="auto"),
        )
        self.json_button = widgets.ToggleButton(
            value=False,
            description="JSON",
            icon="code",
            tooltip="Show text frames that are JSON objects or arrays pretty-printed",
            layout=widgets.Layout(width="auto", flex="0 0 auto"),
        )
        self.binary_view = widgets.ToggleButtons(
            options=list(BINARY_VIEWS),
            value="auto",
            description="Binary",
            tooltip="How binary frames are shown",
            tooltips=[
                "auto: pictures as pictures, other binary frames as a short hex preview",
                "hex: every binary frame as a hex dump (offset, hex, ASCII)",
            ],
            style={"button_width": "auto", "description_width": "initial"},
            # Its box is display:block, which puts the buttons under the description.
            layout=widgets.Layout(display="flex", align_items="center", flex="0 0 auto"),
        )
        self.pause_button = widgets.ToggleButton(
            value=False,
            description="Pause",
            icon="pause",
            tooltip="Hold the log still to scroll back and read; messages are still recorded",
            layout=widgets.Layout(width="auto", flex="0 0 auto"),
        )
        # Every keystroke arrives: render once the typing pauses.
        self.filter_text.observe(in_loop(loop, lambda _: self._typing.restart()), "value")
        self.json_button.observe(in_loop(loop, lambda _: self.apply()), "value")
        self.binary_view.observe(in_loop(loop, lambda _: self.apply()), "value")
        self.pause_button.observe(in_loop(loop, self._on_pause), "value")
        super().__init__([self.filter_text, self.json_button, self.binary_view, self.pause_button])

    @property
    def format(self) -> LogFormat:
        """How the log should show messages now."""
        return LogFormat(pretty_json=self.json_button.value, binary=self.binary_view.value)

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

    def _on_pause(self, change: dict[str, Any]) -> None:
        paused = bool(change["new"])
        self.pause_button.description = "Resume" if paused else "Pause"
        self.pause_button.icon = "play" if paused else "pause"
        self.on_pause(paused)

    def close(self) -> None:
        """Stop a pending filter change, then close the widget."""
        self._typing.cancel()
        super().close()
