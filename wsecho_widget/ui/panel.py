"""The panel: an ipywidgets view of a :class:`~wsecho_widget.client.session.Session`.

It composes the parts in :mod:`wsecho_widget.ui.controls` (status, send bar, options,
log), shows the session's state in them and forwards what the user does to the
session. The socket itself runs as tasks in the kernel's own event loop; nothing
here blocks that loop.

Must not reach into other modules' private names; the parts must not import this.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl as _ssl
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import traitlets

from wsecho_widget.client._api import ClientAPI
from wsecho_widget.client.connection import ChannelError
from wsecho_widget.client.options import header_pairs
from wsecho_widget.client.session import STATUSES, Session, Status, session_options
from wsecho_widget.model.message import DEFAULT_HISTORY_LIMIT, Message, format_size
from wsecho_widget.model.transcript import load_transcript
from wsecho_widget.ui._base import PanelBase
from wsecho_widget.ui._panel_options import PanelOptions
from wsecho_widget.ui.controls import LogOptions, OptionsForm, SaveButton, SendBar
from wsecho_widget.ui.controls._options import check_panel_options
from wsecho_widget.ui.feed import FeedSource
from wsecho_widget.ui.render import format_seconds

__all__ = ["WebSocketPanel"]

# How often the status line looks at the connection's latency: websockets updates
# it on each keepalive pong (every 10 s by default here) and tells nobody.
_LATENCY_REFRESH = 2.0


class WebSocketPanel(ClientAPI, PanelOptions, PanelBase):
    """A live WebSocket client in a notebook: a text input, Send, and a log.

    ``WebSocketPanel()`` starts an echo server inside the kernel and connects to it;
    ``WebSocketPanel("ws://host:port/path", **options)`` talks to any server, with
    ``options`` passed to :func:`websockets.asyncio.client.connect`
    (``ping_interval`` and ``ping_timeout`` default to 10 s here).

    ``reconnect=True`` (the default) reopens a connection that failed or dropped,
    after ``reconnect_delays`` (seconds, the last one repeating, or a callable that
    returns an iterator of them; default: backoff from 0-1 s up to 30 s, with
    jitter). Disconnect stops it. See :class:`~wsecho_widget.client.session.Session`.

    The log is set by ``log=LogOptions(...)`` or the same settings as keywords
    (``log_limit``, ``image_limit``, ``render_interval``, ``max_picture_side``,
    ``max_picture_pixels``, ``live``; see :class:`~wsecho_widget.ui.controls.LogOptions`).
    Received pictures, sounds and videos show in the log (the newest ``image_limit``);
    a picture whose header declares more than ``max_picture_side`` pixels on a side or
    ``max_picture_pixels`` in all is not sent to the page, and its line says so.
    ``live=True`` (or the Live toggle) shows pictures as one picture updated in place,
    at most once per ``render_interval``. See docs/pictures.md.
    """

    status = traitlets.Enum(
        STATUSES, default_value="connecting", help="connecting, open, closing, closed or error"
    )
    status_detail = traitlets.Unicode("", help="one line on the status: the URL, or why it failed")
    url = traitlets.Unicode(
        None, allow_none=True, help="the server's URL, secrets masked (the embedded one when none was given)"
    )
    latency = traitlets.Float(
        None, allow_none=True, help="the last ping's round trip in seconds, None before the first"
    )
    live = traitlets.Bool(
        False, help="show received pictures as one picture updated in place (the Live toggle), not in the log"
    )

    closes = ("session", "log_panel")

    def __init__(
        self,
        url: str | None = None,
        *,
        additional_headers: Any = None,
        subprotocols: Sequence[str] | None = None,
        ssl: _ssl.SSLContext | bool | None = None,
        max_size: int | None = 16 * 2**20,
        open_timeout: float | None = 10,
        history_limit: int = DEFAULT_HISTORY_LIMIT,
        log: LogOptions | None = None,
        autoconnect: bool = True,
        **options: Any,
    ) -> None:
        check_panel_options(type(self), options, session_options())
        log = LogOptions.take(options, log)
        # Header values may be secrets: they live in the session's options only,
        # never in a widget trait (which the notebook could save).
        self._headers = header_pairs(additional_headers) if additional_headers is not None else []
        options.update(
            _connect_options(self._headers, subprotocols, ssl, max_size=max_size, open_timeout=open_timeout)
        )
        # The session checks the loop and the URL first: a bad call fails before
        # any widget exists.
        self.session = Session(url, history_limit=history_limit, **options)
        loop = self.session.loop
        self._start_hooks(loop, pace=log.interval)  # failures shown at the log's pace
        super().__init__(loop, self.session.history, log, live=log.live)
        traitlets.link((self, "live"), (self.log_panel.toolbar.live_button, "value"))
        self._latency_tick = self._timer(_LATENCY_REFRESH, self._tick_latency)
        self.session.subscribe(on_status=self._show_status, on_messages=self.log_panel.add)
        self._update_stats()
        self._latency_tick.start()
        if autoconnect:
            self.session.connect()
        else:
            self._show_status("closed", "not connected yet")

    def _feed_source(self) -> FeedSource:
        session = self.session
        return FeedSource(session, session.history, session.send, lambda: session.status == "open")

    def _replied(self, message: Message) -> Message:
        return self._feed_replied(message)

    def _compose(self, loop: asyncio.AbstractEventLoop) -> list[widgets.Widget]:
        options = self.session.options
        self.save_button = SaveButton(loop, lambda: self.session.history, self._notify)
        self.options_form = OptionsForm(
            loop,
            on_apply=self._apply_clicked,
            notify=self._notify,
            subprotocols=options.get("subprotocols") or (),
            headers=self._headers,
            compression=options.get("compression") == "deflate",
        )
        self.send_bar = SendBar(
            loop,
            on_text=self._send_text,
            on_files=self._send_files,
            notify=self._notify,
            text_row_extra=[self.connect_button],
            file_row_extra=[self.save_button, self.options_form.toggle_button],
        )
        self._name_parts()
        return [self.status_bar, self.send_bar, self.options_form, self.notice_bar, self.log_panel]

    def _name_parts(self) -> None:
        # The same objects as the parts' widgets, under the names the panel always had.
        bar, form, log = self.send_bar, self.options_form, self.log_panel
        self.text, self.send_button = bar.text, bar.send_button
        self.file_upload, self.send_file_button = bar.file_upload, bar.send_file_button
        self.status_label, self.url_label = self.status_bar.status_label, self.status_bar.url_label
        self.stats_label, self.notice_label = self.notice_bar.stats_label, self.notice_bar.notice_label
        self.filter_text, self.json_button = log.toolbar.filter_text, log.toolbar.json_button
        self.binary_view, self.pause_button = log.toolbar.binary_view, log.toolbar.pause_button
        self.decoder_views = log.toolbar  # where add_decoder() offers a decoder
        self.output, self.log_box, self.log_view = log.output, log.log_box, log.log_view
        self.options_box, self.options_button = form, form.toggle_button
        self.url_input, self.subprotocols_input = form.url_input, form.subprotocols_input
        self.header_name, self.header_value = form.header_name, form.header_value
        self.add_header_button, self.clear_headers_button = form.add_header_button, form.clear_headers_button
        self.headers_label, self.compression_box = form.headers_label, form.compression_box
        self.apply_button, self.negotiated_label = form.apply_button, form.negotiated_label

    # -- what the user sees ----------------------------------------------------------

    def _show_status(self, status: Status, detail: str) -> None:
        # All four change before any observer hears of one: nobody sees "open"
        # with a closing detail, or the reverse. Only the masked URL is shown or
        # kept in a trait: no token reaches the notebook's saved widget state.
        with self.hold_trait_notifications():
            self.status, self.status_detail = status, detail
            self.url = self.session.display_url or None
            self.latency = self._current_latency()
        self.status_bar.show(self.session.status, self.session.detail, self.url, self.latency)
        self._show_connection(status, self.session.closed)
        self.send_button.disabled = status not in ("open", "connecting")
        self.options_form.show_connection(status, self.url, self.negotiated)
        self._update_stats()

    def _stats(self) -> list[str]:
        session = self.session
        parts = [session.history.totals.summary()]
        if session.queued:
            parts.append(f"{session.queued} queued")
        if session.history.dropped:
            parts.append(f"history keeps the newest {session.history.limit:,}")
        return parts

    def _update_stats(self) -> None:
        super()._update_stats()
        self._refresh_latency()

    # ClientAPI declares the hook; the base shows it on the notice line.
    _notify = PanelBase._notify

    # -- latency ---------------------------------------------------------------------

    def _current_latency(self) -> float | None:
        channel = self.session.channel
        return channel.latency if channel is not None and self.session.status == "open" else None

    def _refresh_latency(self, latency: float | None = None) -> None:
        if latency is None:
            latency = self._current_latency()
        if latency != self.latency:
            self.latency = latency
            self.status_bar.show(self.session.status, self.session.detail, self.url, latency)

    def _tick_latency(self) -> None:
        self._refresh_latency()
        if not self.session.closed:
            self._latency_tick.start()

    # -- what the user does ----------------------------------------------------------

    def _show_queued(self) -> None:
        # While open, the frame is recorded as soon as it is sent and the stats line
        # follows at the log's render pace: updating it here would send one widget
        # message per send (half the round trip time in a kernel).
        if self.session.status != "open":
            self._update_stats()

    def _send_text(self, text: str) -> bool:
        # Send from the input: on failure the text stays there, so nothing typed is lost.
        try:
            self.send(text)
        except ChannelError:
            return False  # send() said why on the notice line
        return True

    def _send_files(self, files: list[tuple[str, bytes]]) -> bool:
        sent = []
        for name, content in files:
            try:
                self.session.send(content)
            except ChannelError as exc:
                # Nothing went out (the status is the same for every file): the
                # files stay chosen, to send once connected.
                self._notify(str(exc))
                return False
            sent.append(f"{name} ({format_size(len(content))})")
        self._notify(f"sent {', '.join(sent)} as binary")
        self._update_stats()
        return True

    def _resend(self, message: Message) -> None:
        with contextlib.suppress(ChannelError):  # send() said why on the notice line
            self.send(message.data)

    def _edit(self, message: Message) -> None:
        self.send_bar.edit(message)

    def _toggle_connection(self) -> None:
        if self.session.status in ("closed", "error"):
            self.connect()
        else:
            self.disconnect()

    def clear(self) -> None:
        """Empty the log on screen and forget the Recent texts; the history and totals stay."""
        self.send_bar.forget_recent()
        super().clear()

    # -- transcripts -----------------------------------------------------------------

    def save_transcript(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write every kept message to ``path`` as JSON lines; returns the absolute path.

        Without a path: ``wsecho-transcript-<date>-<time>.jsonl`` in the working
        directory (the notebook's folder). Each line holds the direction, the ISO
        time, the kind, and the text or the base64 bytes (see ``wsecho_widget.model.transcript``).
        """
        return self.save_button.save(path)

    #: Read a transcript written by :meth:`save_transcript` back as Message records.
    load_transcript = staticmethod(load_transcript)

    @classmethod
    def from_messages(cls, messages: Iterable[Message], url: str | None = None, **log: Any) -> WebSocketPanel:
        """A read-only panel of recorded ``messages`` (a transcript, a HAR conversation): no connection.

        The log, its filter and views, ``messages.to_pandas()`` and ``report()`` work;
        Send and Connect are off. ``log`` takes the log's options (``log_limit``, ...).
        """
        records = list(messages)
        panel = cls(url, autoconnect=False, history_limit=max(1, len(records)), **log)
        panel.session.history.extend(records)
        panel.log_panel.add(records)
        panel.connect_button.disabled = panel.send_button.disabled = panel.text.disabled = True
        panel._notify(f"a recording of {len(records):,} messages (read-only)")
        panel._update_stats()
        return panel

    # -- closing ---------------------------------------------------------------------

    def close(self) -> None:
        """Close the widget: disconnect, stop the embedded server, end every task."""
        self._stop_hooks()
        super().close()

    def _report_rows(self) -> list[tuple[str, str]]:
        negotiated = self.negotiated
        return [
            ("subprotocol", negotiated["subprotocol"] or "none (or not open)"),
            ("extensions", ", ".join(map(str, negotiated["extensions"])) or "none (or not open)"),
            ("handshake headers", ", ".join(self.headers) or "none (values are never shown)"),
            ("last round trip", format_seconds(self.latency)),
        ]

    def __repr__(self) -> str:
        return f"<WebSocketPanel {self.url or '(embedded)'} {self.status}>"


def _connect_options(
    headers: list[tuple[str, str]],
    subprotocols: Sequence[str] | None,
    ssl: _ssl.SSLContext | bool | None,
    **always: Any,
) -> dict[str, Any]:
    # The panel's named options for websockets' connect(): None means "not given".
    passed = {
        "additional_headers": headers or None,
        "subprotocols": list(subprotocols) if subprotocols is not None else None,
        "ssl": ssl,
    }
    return {**{k: v for k, v in passed.items() if v is not None}, **always}
