"""Which message of a log is selected: the detail view shows it whole and every view of
the log highlights its line; a line picked in the page that has left the history meanwhile
clears the selection with a one-line note. Must not import the session, the connection or
the panel.
"""

from __future__ import annotations

import asyncio
from bisect import bisect_left
from collections.abc import Sequence

import ipywidgets as widgets

from wsecho_widget._util.loop import in_loop
from wsecho_widget.model.message import Message
from wsecho_widget.ui.controls.detail import MessageDetail
from wsecho_widget.ui.logwidget import LogWidget

__all__ = ["LogSelection"]


class LogSelection:
    """The selection of ``history``'s messages, shown by ``detail`` and the log's ``widget``."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        history: Sequence[Message],
        widget: LogWidget,
        detail: MessageDetail,
    ) -> None:
        self.history = history
        self.detail = detail
        self._widget = widget
        #: One line where the detail would be, when a line picked in the page has left the history.
        self.note = widgets.Label(
            tooltip="Why the selection was cleared", layout=widgets.Layout(display="none")
        )
        self.note.add_class("wsecho-pick-note")
        detail.on_close = self.clear
        widget.on_select = in_loop(loop, self.picked)

    @property
    def message(self) -> Message | None:
        """The selected message, or None."""
        return self.detail.message

    def select(self, seq: int | None) -> Message | None:
        """Select the message with sequence number ``seq`` (None: clear) and return it.

        Raises :class:`KeyError` when the history holds no such message.
        """
        message = None if seq is None else self.find(seq)
        if seq is not None and message is None:
            raise KeyError(f"no message #{seq} in the history (it may have left it: see history limit)")
        if message is not self.detail.message:
            self.detail.show(message)
            self._widget.selected(seq)
        self._say("")
        return message

    def find(self, seq: int) -> Message | None:
        """The history's message with sequence number ``seq``, or None."""
        history = self.history
        at = bisect_left(history, seq, key=lambda message: message.seq)
        return history[at] if at < len(history) and history[at].seq == seq else None

    def clear(self) -> None:
        """No message selected."""
        self.select(None)

    def picked(self, seq: object) -> None:
        """A line picked in the page (None: the page cleared its selection)."""
        # Read when the loop gets to it: during a flood, the line may have left the history.
        number = seq if isinstance(seq, int) else None
        gone = number is not None and self.find(number) is None
        self.select(None if gone else number)
        if gone:
            self._say(
                f"Message #{number} has left the history: newer messages pushed it out"
                " (a larger history_limit keeps more)."
            )

    def _say(self, text: str) -> None:
        if text != self.note.value:
            self.note.value = text
            self.note.layout.display = "" if text else "none"

    def close(self) -> None:
        self.note.close()
