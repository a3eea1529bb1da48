"""What the protocol panels share: a protocol client shown through the panel's parts.

:class:`ProtocolPanel` composes the controls of :mod:`wsecho_widget.ui.controls`
(the status line, the notice line, the log with its toolbar) around a
:class:`~wsecho_widget.protocols._client.ProtocolClient`, adds Connect/Disconnect,
Clear and a "Raw" toggle (protocol lines, or the frames as they went), and leaves
the protocol's own controls (an emit bar, a query form) to its subclass. The log
shows the protocol's lines; heartbeats are counted, never logged.

Must not import the session or the WebSocket panel's module.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import ipywidgets as widgets
import traitlets

from wsecho_widget._util.loop import in_loop
from wsecho_widget.client.session import STATUSES
from wsecho_widget.model.message import History, Message
from wsecho_widget.protocols._client import ProtocolClient
from wsecho_widget.ui._base import PanelBase
from wsecho_widget.ui.controls import LogOptions
from wsecho_widget.ui.feed import FeedSource
from wsecho_widget.ui.render import LogFormat

__all__ = ["ProtocolPanel"]


class ProtocolPanel(PanelBase):
    """A protocol client's panel: status, the protocol's controls, notices, the log.

    A subclass makes its client, then calls ``super().__init__(client, controls,
    line, log=...)`` with the rows of its own controls and how one frame reads.
    """

    status = traitlets.Enum(STATUSES, default_value="connecting", help="the protocol's status")
    status_detail = traitlets.Unicode("", help="one line on the status: where, or why it failed")
    closes = ("client", "log_panel")

    def __init__(
        self,
        client: ProtocolClient,
        controls: Sequence[widgets.Widget],
        line: Callable[[Message, bool], str | None],
        log: LogOptions,
    ) -> None:
        self.client = client
        #: One frame as a log line (None: as the plain log shows it), raw or not.
        self.line = line
        self._controls = list(controls)
        # What the log shows: every frame but the heartbeats (the session's history
        # keeps those too; the same Message objects, so no copies of the data).
        self.log_history = History(client.session.history.limit)
        super().__init__(client.loop, self.log_history, log, render=self._render)
        client.observe(on_change=self._show_status, on_frames=self._show_frames, on_notice=self._notify)
        # call() and execute() answered: request/reply round trips in stats().
        client.observe(on_round_trip=self._feed_counter.round_trip)
        self._show_status()

    def _feed_source(self) -> FeedSource:
        # Raw frames: a schedule of protocol messages passes a callable that emits and returns None.
        session = self.client.session
        return FeedSource(session, session.history, session.send, lambda: self.client.status == "open")

    def _compose(self, loop: asyncio.AbstractEventLoop) -> list[widgets.Widget]:
        self.raw_button = widgets.ToggleButton(
            description="Raw", tooltip="Show the frames as they went instead of the protocol's lines"
        )
        self.raw_button.observe(in_loop(loop, lambda _: self.log_panel.refresh()), "value")
        top = widgets.HBox([self.status_bar, self.connect_button, self.raw_button])
        return [top, *self._controls, self.notice_bar, self.log_panel]

    # -- what the log shows ----------------------------------------------------------

    def _render(self, fmt: LogFormat, message: Message) -> str:
        text = self.line(message, bool(self.raw_button.value))
        return fmt.render(message if text is None else replace(message, data=text))

    def _report_text(self) -> Callable[[Message], str | None]:
        # The protocol's lines, as the log shows them: secrets (auth, connection_init) masked.
        return lambda message: self.line(message, False)

    def _keep(self, message: Message) -> bool:
        """Whether the log shows this frame at all (heartbeats: no)."""
        return True

    def _show_frames(self, messages: Sequence[Message]) -> None:
        kept = [m for m in messages if self._keep(m)]
        if kept:
            self.log_history.extend(kept)
            self.log_panel.add(kept)

    # -- status ----------------------------------------------------------------------

    def _where(self) -> str:
        """What the status line shows beside the status (the URL and protocol state)."""
        return self.client.display_url

    def _show_status(self) -> None:
        client = self.client
        self.status_detail = client.detail
        self.status = client.status
        self.status_bar.show(client.status, client.detail, self._where())
        self._show_connection(client.status)
        self._update_stats()

    def _stats(self) -> list[str]:
        """The totals; a protocol adds its own counts after them."""
        return [self.client.session.history.totals.summary()]

    # -- connection ------------------------------------------------------------------

    @property
    def ready(self) -> asyncio.Future[None]:
        """Resolves once the protocol's handshake is done (a new future after a reconnect)."""
        return self.client.ready

    @property
    def messages(self) -> History:
        """The raw frames sent and received, exactly as ``WebSocketPanel.messages`` keeps them."""
        return self.client.messages

    def connect(self) -> asyncio.Future[None]:
        """(Re)connect; the future resolves once the handshake is done."""
        return self.client.connect()

    def disconnect(self, code: int = 1000, reason: str = "") -> asyncio.Task[None]:
        """Leave politely, close the connection, stop reconnecting."""
        return self.client.disconnect(code, reason)

    def _toggle_connection(self) -> None:
        if self.client.status in ("closed", "error"):
            self.connect()
        else:
            self.disconnect()

    def _guard(self, action: Callable[[], Any]) -> bool:
        # A user action from a widget: a failure goes on the notice line, in one line.
        try:
            action()
        except (ValueError, TypeError, ConnectionError) as exc:
            self._notify(str(exc))
            return False
        return True
