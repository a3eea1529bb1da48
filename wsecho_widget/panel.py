"""The panel: an ipywidgets view of a :class:`~wsecho_widget.session.Session`.

It renders the session's state (status, log, totals) and forwards what the user
does (type, Send, Connect/Disconnect, Clear) to it. The socket itself runs as
tasks in the kernel's own event loop; nothing here blocks that loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import ssl as _ssl
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import ipywidgets as widgets
import traitlets

from .connection import ChannelError, check_url
from .hooks import DEFAULT_STREAM_SIZE, MessageHooks, MessageStream, callback_name
from .logview import LogView
from .model import DEFAULT_HISTORY_LIMIT, History, Message, format_size
from .server import EchoServer
from .session import STATUSES, Session, Status
from .transcript import default_transcript_name, load_transcript, save_transcript
from .views import BINARY_VIEWS, LogFormat, message_filter

__all__ = ["WebSocketPanel"]

_STATUS_COLOR = {
    "connecting": "var(--jp-warn-color1, #f57c00)",
    "open": "var(--jp-success-color1, #388e3c)",
    "closing": "var(--jp-warn-color1, #f57c00)",
    "closed": "var(--jp-ui-font-color2, #757575)",
    "error": "var(--jp-error-color1, #d32f2f)",
}

# If the front end's value update does not follow a submit (the text did not
# change since the last sync), send the value we have after this long.
_SUBMIT_GRACE = 0.25

# How often the status line looks at the connection's latency: websockets updates
# it on each keepalive pong (every 20 s by default) and tells nobody.
_LATENCY_REFRESH = 2.0

# Typing in the filter box re-renders the log once the typing pauses this long.
_FILTER_DELAY = 0.1

# HTTP header names are RFC 9110 tokens; values must not break the header block.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

# The options area's labels, wide enough for "Subprotocols".
_OPTION_STYLE = {"description_width": "7em"}

_Callback = TypeVar("_Callback", bound=Callable[[Message], Any])


class WebSocketPanel(widgets.VBox):  # type: ignore[misc]  # ipywidgets ships no types
    """A live WebSocket client in a notebook: a text input, Send, and a log.

    ``WebSocketPanel()`` starts an echo server inside the kernel and connects to it;
    ``WebSocketPanel("ws://host:port/path", **options)`` talks to any server, with
    ``options`` passed to :func:`websockets.asyncio.client.connect`
    (``ping_interval`` and ``ping_timeout`` default to 10 s here).

    ``reconnect=True`` (the default) reopens a connection that failed or dropped,
    after ``reconnect_delays`` (seconds, the last one repeating, or a callable that
    returns an iterator of them; default: backoff from 0-1 s up to 30 s, with
    jitter). Disconnect stops it. See :class:`~wsecho_widget.session.Session`.
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
        log_limit: int = 200,
        image_limit: int = 20,
        render_interval: float = 0.05,
        autoconnect: bool = True,
        **options: Any,
    ) -> None:
        # Header values may be secrets: they live in the session's options only,
        # never in a widget trait (which the notebook could save).
        headers = _header_pairs(additional_headers) if additional_headers is not None else []
        passed = {
            "additional_headers": headers or None,
            "subprotocols": list(subprotocols) if subprotocols is not None else None,
            "ssl": ssl,
        }
        options.update({k: v for k, v in passed.items() if v is not None})
        options.update(max_size=max_size, open_timeout=open_timeout)
        # The session checks the loop and the URL first: a bad call fails before
        # any widget exists.
        self.session = Session(
            url,
            history_limit=history_limit,
            on_status=self._show_status,
            on_messages=self._show_messages,
            **options,
        )
        loop = self.session.loop
        self._headers: list[tuple[str, str]] = headers
        self._tasks: set[asyncio.Future[Any]] = set()
        self._saving: set[Path] = set()
        self._submit_handle: asyncio.TimerHandle | None = None
        self._filter_handle: asyncio.TimerHandle | None = None
        self._hook_notice_handle: asyncio.TimerHandle | None = None
        self._latency_handle: asyncio.TimerHandle | None = None
        self._stats_handle: asyncio.TimerHandle | None = None
        self._filter: Callable[[Message], bool] | None = None
        self._paused = False
        self._paused_new = 0
        self._cleared_seq = 0
        #: The newest exceptions raised by on_message callbacks (for a traceback).
        self.callback_errors: deque[BaseException] = deque(maxlen=20)
        self._callback_failures = 0
        self._hook_notice = ""
        self.hooks = MessageHooks(loop, self._callback_failed)

        # -- send: text, files --------------------------------------------------------
        self.text = widgets.Text(
            placeholder="Send a message",
            continuous_update=False,
            description="Message",
            layout=widgets.Layout(flex="1 1 auto", width="auto"),
            tooltip="Type a message; Enter or Send sends it as a text frame",
        )
        self.send_button = widgets.Button(
            description="Send", icon="paper-plane", tooltip="Send as a text frame"
        )
        self.connect_button = widgets.Button(
            description="Disconnect", tooltip="Close or reopen the connection"
        )
        self.clear_button = widgets.Button(description="Clear", icon="trash", tooltip="Clear the log")
        self.file_upload = widgets.FileUpload(
            description="Choose file",
            multiple=True,
            tooltip="Choose files to send, each as one binary frame",
            layout=widgets.Layout(width="auto"),
        )
        self.send_file_button = widgets.Button(
            description="Send file",
            icon="upload",
            disabled=True,
            tooltip="Send the chosen files, each as one binary frame (choose a file first)",
        )
        self.save_button = widgets.Button(
            description="Save transcript",
            icon="download",
            tooltip="Save every kept message as JSON lines in the notebook's folder",
            layout=widgets.Layout(width="auto"),
        )

        # -- status ----------------------------------------------------------------------
        self.url_label = widgets.Label(tooltip="server URL", layout={"margin": "0 0 0 1em"})
        self.status_label = widgets.Label(tooltip="connection status and last ping round trip")
        self.notice_label = widgets.Label(
            tooltip="what happened to the last action", layout={"margin": "0 0 0 1em"}
        )
        self.stats_label = widgets.Label(tooltip="messages and bytes sent and received")

        # -- how the log shows messages ---------------------------------------------------
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

        # -- connection options (collapsed) ----------------------------------------------
        self.url_input = widgets.Text(
            description="URL",
            placeholder="ws://host:port/path (empty: keep the current URL)",
            tooltip="The server to connect to on Apply",
            layout=widgets.Layout(width="auto"),
            style=_OPTION_STYLE,
        )
        self.subprotocols_input = widgets.Text(
            value=", ".join(self.session.options.get("subprotocols") or ()),
            description="Subprotocols",
            placeholder="comma-separated, e.g. chat, json",
            tooltip="Subprotocols to offer, in order of preference",
            layout=widgets.Layout(width="auto"),
            style=_OPTION_STYLE,
        )
        self.header_name = widgets.Text(
            description="Header",
            placeholder="name, e.g. Authorization",
            tooltip="Name of an extra HTTP header for the opening handshake",
            style=_OPTION_STYLE,
            layout=widgets.Layout(flex="1 1 auto", width="auto", min_width="0"),
        )
        self.header_value = widgets.Password(
            description="Value",
            placeholder="masked; cleared once added",
            tooltip="The header's value: kept in the kernel only, cleared from this box once added",
            layout=widgets.Layout(flex="1 1 auto", width="auto", min_width="0"),
        )
        self.add_header_button = widgets.Button(
            description="Add header",
            icon="plus",
            tooltip="Add this header (its value is then cleared)",
            layout=widgets.Layout(width="auto", flex="0 0 auto"),
        )
        self.clear_headers_button = widgets.Button(
            description="Clear headers",
            icon="times",
            tooltip="Forget every extra header",
            layout=widgets.Layout(width="auto", flex="0 0 auto"),
        )
        self.headers_label = widgets.Label(tooltip="extra headers (values masked)")
        self.compression_box = widgets.Checkbox(
            value=self.session.options.get("compression") == "deflate",
            description="Compression (permessage-deflate)",
            tooltip="Offer permessage-deflate compression to the server",
            indent=False,
        )
        self.apply_button = widgets.Button(
            description="Apply and reconnect",
            icon="refresh",
            button_style="primary",
            tooltip="Reconnect with these options",
            layout=widgets.Layout(width="auto"),
        )
        self.negotiated_label = widgets.Label(tooltip="what the server agreed to in the opening handshake")
        self.options_box = widgets.VBox(
            [
                self.url_input,
                self.subprotocols_input,
                widgets.HBox([self.header_name, self.header_value, self.add_header_button]),
                widgets.HBox([self.headers_label, self.clear_headers_button]),
                self.compression_box,
                widgets.HBox([self.apply_button, self.negotiated_label]),
            ],
            layout=widgets.Layout(
                border="1px solid var(--jp-border-color2, #e0e0e0)", padding="4px 6px", margin="2px 0"
            ),
        )
        self.options_box.layout.display = "none"  # collapsed until asked for
        self.options_box.add_class("wsecho-options")
        # A toggle button, not an Accordion: the Accordion's header is a plain div
        # that keyboards cannot reach and screen readers do not announce as a control.
        self.options_button = widgets.ToggleButton(
            value=False,
            description="Connection options",
            icon="caret-right",
            tooltip="Show or hide the URL, subprotocols, headers and compression to connect with",
            layout=widgets.Layout(width="auto"),
        )

        # -- the log ---------------------------------------------------------------------
        # The Output sits in a column-reverse scroll box: a browser keeps such a box
        # scrolled to its end, so the newest entry stays in view as the log grows
        # (the Output alone cannot autoscroll: ipywidgets #2980).
        self.log_view = LogView(
            loop,
            limit=log_limit,
            image_limit=image_limit,
            interval=render_interval,
            on_flush=self._update_stats,
        )
        self.output = self.log_view.widget
        self.log_box = widgets.Box(
            [self.output],
            layout=widgets.Layout(
                display="flex",
                flex_flow="column-reverse",
                border="1px solid var(--jp-border-color2, #e0e0e0)",
                max_height="360px",
                overflow="auto",
                padding="2px 6px",
            ),
        )
        self.log_box.add_class("wsecho-log")

        # Every handler of a user action runs in the loop's thread: see _in_loop.
        self.send_button.on_click(lambda _: self._in_loop(self._clicked_send))
        self.connect_button.on_click(lambda _: self._in_loop(self._toggle_connection))
        self.clear_button.on_click(lambda _: self._in_loop(self.clear))
        self.send_file_button.on_click(lambda _: self._in_loop(self._send_files))
        self.save_button.on_click(lambda _: self._in_loop(self._save_clicked))
        self.add_header_button.on_click(lambda _: self._in_loop(self._add_header))
        self.clear_headers_button.on_click(lambda _: self._in_loop(self._clear_headers))
        self.apply_button.on_click(lambda _: self._in_loop(self._apply_clicked))
        with warnings.catch_warnings():
            # on_submit is the only way to see Enter; its deprecation suggests
            # observing value, which also fires when the input loses focus.
            warnings.simplefilter("ignore", DeprecationWarning)
            self.text.on_submit(lambda _: self._in_loop(self._submitted))
        self.text.observe(lambda change: self._in_loop(partial(self._on_text_value, change)), "value")
        self.file_upload.observe(lambda change: self._in_loop(partial(self._on_upload, change)), "value")
        self.filter_text.observe(lambda _: self._in_loop(self._filter_changed), "value")
        self.json_button.observe(lambda _: self._in_loop(self._apply_view), "value")
        self.binary_view.observe(lambda _: self._in_loop(self._apply_view), "value")
        self.pause_button.observe(lambda change: self._in_loop(partial(self._on_pause, change)), "value")
        self.options_button.observe(
            lambda change: self._in_loop(partial(self._on_options_toggle, change)), "value"
        )

        super().__init__(
            children=[
                widgets.HBox([self.status_label, self.url_label]),
                widgets.HBox([self.text, self.send_button, self.connect_button, self.clear_button]),
                widgets.HBox(
                    [self.file_upload, self.send_file_button, self.save_button, self.options_button]
                ),
                self.options_box,
                widgets.HBox([self.stats_label, self.notice_label]),
                widgets.HBox([self.filter_text, self.json_button, self.binary_view, self.pause_button]),
                self.log_box,
            ],
            layout=widgets.Layout(width="100%"),
        )
        self.add_class("wsecho-panel")
        # Stable hooks for the browser tests and for users' own CSS.
        self.status_label.add_class("wsecho-status")
        self.text.add_class("wsecho-input")
        self._show_headers()
        self._update_stats()
        self._latency_handle = loop.call_later(_LATENCY_REFRESH, self._latency_tick)
        if autoconnect:
            self.session.connect()
        else:
            self._show_status("closed", "not connected yet")

    # -- what the user sees ----------------------------------------------------------

    @property
    def messages(self) -> History:
        """Sent and received messages, oldest first, bounded by ``history_limit``."""
        return self.session.history

    @property
    def ready(self) -> asyncio.Future[None]:
        """``await panel.ready``: wait until the latest connect is open.

        Raises :class:`ChannelError` with the reason when it failed.
        """
        return self.session.connected

    @property
    def server(self) -> EchoServer | None:
        """The embedded echo server, when the panel was made without a URL."""
        return self.session.server

    @property
    def channel(self) -> Any:
        """The current :class:`WebSocketChannel`, or None."""
        return self.session.channel

    @property
    def negotiated(self) -> dict[str, Any]:
        """What the server agreed to: ``{"subprotocol": str | None, "extensions": [...]}``."""
        channel = self.session.channel
        if channel is None or not channel.is_open:
            return {"subprotocol": None, "extensions": []}
        return {"subprotocol": channel.subprotocol, "extensions": channel.extensions}

    @property
    def headers(self) -> list[str]:
        """The names of the extra handshake headers (values are never shown)."""
        return [name for name, _ in self._headers]

    def _status_text(self) -> str:
        status, detail = self.session.status, self.session.detail
        # While (re)connecting the detail says when the next attempt is and why.
        shown = f": {detail}" if status != "open" and detail else ""
        rtt = f" · round trip {_format_seconds(self.latency)}" if status == "open" and self.latency else ""
        return f"● {status}{shown}{rtt}"

    def _show_status(self, status: Status, detail: str) -> None:
        self.status_detail = detail
        self.status = status
        # Only the masked URL is shown or kept in a trait: no token reaches the
        # notebook's saved widget state.
        self.url = self.session.display_url or None
        self._refresh_latency()
        self.status_label.value = self._status_text()
        self.status_label.style.text_color = _STATUS_COLOR[status]
        self.url_label.value = self.url or ""
        self.connect_button.description = "Connect" if status in ("closed", "error") else "Disconnect"
        self.connect_button.disabled = status == "closing" or self.session._closed
        self.send_button.disabled = status not in ("open", "connecting")
        if status == "open":
            negotiated = self.negotiated
            extensions = ", ".join(negotiated["extensions"]) or "none"
            self.negotiated_label.value = (
                f"negotiated: subprotocol {negotiated['subprotocol'] or 'none'} · extensions {extensions}"
            )
        elif status in ("closed", "error"):
            self.negotiated_label.value = ""
        if self.url:
            self.url_input.placeholder = f"{self.url} (empty: keep this URL)"
        self._update_stats()

    def _show_messages(self, messages: Sequence[Message]) -> None:
        # One call per batch of received messages (one per sent message).
        if self._paused:
            self._paused_new += len(messages)
        else:
            keep = self._filter
            shown = messages if keep is None else [m for m in messages if keep(m)]
            if shown:
                self.log_view.extend(shown)
            if len(shown) == len(messages):
                return
        # Not rendered, so no flush will update the totals: do it at the log's pace.
        if self._stats_handle is None:
            self._stats_handle = self.session.loop.call_later(self.log_view.interval, self._stats_tick)

    def _stats_tick(self) -> None:
        self._stats_handle = None
        self._update_stats()

    def _update_stats(self) -> None:
        session = self.session
        parts = [session.history.totals.summary()]
        if session.queued:
            parts.append(f"{session.queued} queued")
        if session.history.dropped:
            parts.append(f"history keeps the newest {session.history.limit:,}")
        if self._filter is not None:
            parts.append(f"filter shows {len(self.log_view._entries):,}")
        if self._paused:
            parts.append(f"log paused ({self._paused_new:,} new)")
        value = " · ".join(parts)
        if self.stats_label.value != value:
            self.stats_label.value = value
        self._refresh_latency()

    def _notify(self, text: str) -> None:
        self.notice_label.value = text

    # -- latency ---------------------------------------------------------------------

    def _refresh_latency(self, latency: float | None = None) -> None:
        if latency is None:
            channel = self.session.channel
            latency = channel.latency if channel is not None and self.session.status == "open" else None
        if latency != self.latency:
            self.latency = latency
            self.status_label.value = self._status_text()

    def _latency_tick(self) -> None:
        self._refresh_latency()
        if not self.session._closed:
            self._latency_handle = self.session.loop.call_later(_LATENCY_REFRESH, self._latency_tick)

    async def ping(self, timeout: float | None = 10.0) -> float:
        """Send a ping and wait for the pong: the round trip in seconds.

        The status line shows it too (and the keepalive pings' round trips, which
        websockets measures every 20 s). Raises :class:`ChannelError` when not
        connected, TimeoutError when no pong comes within ``timeout`` seconds.
        """
        try:
            latency = await self.session.ping(timeout)
        except (ChannelError, TimeoutError) as exc:
            self._notify(f"ping failed: {exc}")
            raise
        self._refresh_latency(latency)
        return latency

    # -- what the user does ----------------------------------------------------------

    def send(self, data: str | bytes | bytearray | memoryview) -> None:
        """Send ``data``: ``str`` as a text frame, ``bytes`` as a binary frame.

        What Send does with the input's text. While connecting it waits in order for
        the connection; while closed it raises :class:`ChannelError` and says so.
        """
        try:
            self.session.send(data)
        except (ChannelError, TypeError) as exc:
            self._notify(str(exc))
            raise
        self._notify("")
        self._show_queued()

    def _show_queued(self) -> None:
        # While open, the frame is recorded as soon as it is sent and the stats line
        # follows at the log's render pace: updating it here would send one widget
        # message per send (half the round trip time in a kernel).
        if self.session.status != "open":
            self._update_stats()

    def _in_loop(self, action: Callable[[], object]) -> None:
        # JupyterLab 4 and Notebook 7 (4.6 / 7.6 here) send widget messages over a
        # kernel subshell by default when the kernel has subshells (ipykernel 7):
        # clicks, Enter and value changes are then handled in the subshell's thread,
        # not in the thread whose loop runs the socket. asyncio is not thread-safe,
        # and a call from there does not even wake the loop (seen: echoes 20 s late,
        # at the next keepalive ping; Connect hanging): hand the action to the loop.
        loop = self.session.loop
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if loop.is_running() and running is not loop:
            loop.call_soon_threadsafe(action)
        else:
            action()

    def send_json(self, obj: Any, **dumps_options: Any) -> None:
        """Send ``json.dumps(obj)`` as a text frame.

        Non-ASCII text goes out as UTF-8, not as ``\\u`` escapes, unless
        ``ensure_ascii=True`` is passed; other keywords go to :func:`json.dumps`.
        An object JSON cannot encode raises TypeError (or ValueError) and sends nothing.
        """
        dumps_options.setdefault("ensure_ascii", False)
        try:
            text = json.dumps(obj, **dumps_options)
        except (TypeError, ValueError) as exc:
            self._notify(f"not sent: {exc}")
            raise
        self.send(text)

    def _send_from_input(self) -> None:
        if self._submit_handle is not None:
            self._submit_handle.cancel()
            self._submit_handle = None
        text = self.text.value
        if not text:
            return
        try:
            self.session.send(text)
        except ChannelError as exc:
            # The text stays in the input, so nothing the user typed is lost.
            self._notify(str(exc))
            return
        self._notify("")
        self.text.value = ""
        self._show_queued()

    def _clicked_send(self) -> None:
        # The click and the input's value update travel on two widgets' comms, which
        # the kernel may handle in two threads (see _in_loop): the click can come
        # first. With nothing in the input yet, wait for the value as Enter does.
        if self.text.value:
            self._send_from_input()
        else:
            self._submitted()

    def _submitted(self) -> None:
        # Enter: the front end sends "submit" and then (if the text changed) the
        # new value. Send when the value arrives, or after a grace period.
        if self._submit_handle is not None:
            self._submit_handle.cancel()
        self._submit_handle = self.session.loop.call_later(_SUBMIT_GRACE, self._send_from_input)

    def _on_text_value(self, change: dict[str, Any]) -> None:
        if self._submit_handle is not None and change["new"]:
            self._send_from_input()

    def _on_upload(self, change: dict[str, Any]) -> None:
        files = change["new"]
        self.send_file_button.disabled = not files
        if files:
            names = ", ".join(f"{f['name']} ({format_size(int(f['size']))})" for f in files)
            self._notify(f"chosen: {names}; Send file sends it as binary")

    def _send_files(self) -> None:
        files = self.file_upload.value
        if not files:
            return
        sent = []
        for file in files:
            try:
                self.session.send(bytes(file["content"]))
            except ChannelError as exc:
                # Nothing went out (the status is the same for every file): the
                # files stay chosen, to send once connected.
                self._notify(str(exc))
                return
            sent.append(f"{file['name']} ({format_size(len(file['content']))})")
        self.file_upload.value = ()  # frees the bytes, here and in the browser
        self._notify(f"sent {', '.join(sent)} as binary")
        self._update_stats()

    def _toggle_connection(self) -> None:
        if self.session.status in ("closed", "error"):
            self.connect()
        else:
            self.disconnect()

    def clear(self) -> None:
        """Empty the log on screen; the history and totals stay."""
        if len(self.session.history):
            self._cleared_seq = self.session.history[-1].seq
        self.log_view.clear()
        self._paused_new = 0
        self._notify("")
        self._update_stats()

    def connect(self, url: str | None = None) -> asyncio.Future[None]:
        """(Re)connect to ``url``, or to the last URL; await it to wait until open."""
        try:
            return self.session.connect(url)
        except ChannelError as exc:
            self._notify(str(exc))
            raise

    def disconnect(self, code: int = 1000, reason: str = "") -> asyncio.Task[None]:
        """Close the connection with a closing handshake (1000 unless told).

        Returns a task: ``await panel.disconnect()`` waits for the close; calling it
        without ``await`` schedules it.
        """
        return self.session.disconnect(code, reason)

    async def receive(self, timeout: float | None = 5.0) -> Message:
        """The next received message not yet returned by ``receive()``."""
        return await self.session.receive(timeout)

    def wait_for_reply(self, timeout: float | None = 5.0) -> Message:
        """:meth:`receive`, blocking: for code that cannot ``await``.

        In a running loop (a notebook) this re-enters the loop with nest-asyncio2,
        applied to that loop on this call only, never at import.
        """
        loop = self.session.loop
        if loop.is_running():
            import nest_asyncio2

            nest_asyncio2.apply(loop)
        return loop.run_until_complete(self.session.receive(timeout))

    # -- the log's view: JSON, hex, filter, pause ------------------------------------

    def _visible(self) -> Iterator[Message]:
        # What the log may show: the kept history since the last Clear, filtered.
        cleared, keep = self._cleared_seq, self._filter
        for message in self.session.history:
            if message.seq > cleared and (keep is None or keep(message)):
                yield message

    def _apply_view(self) -> None:
        if self._filter_handle is not None:
            self._filter_handle.cancel()
            self._filter_handle = None
        view = LogFormat(pretty_json=self.json_button.value, binary=self.binary_view.value)
        self.log_view.render = view.render
        self.log_view.show_pictures = view.show_pictures
        self._filter = message_filter(self.filter_text.value)
        # Re-render from the kept history, in one update of the Output.
        self.log_view.refresh(self._visible())
        self._paused_new = 0

    def _filter_changed(self) -> None:
        # Every keystroke arrives: render once the typing pauses.
        if self._filter_handle is not None:
            self._filter_handle.cancel()
        self._filter_handle = self.session.loop.call_later(_FILTER_DELAY, self._apply_view)

    def _on_pause(self, change: dict[str, Any]) -> None:
        self._paused = bool(change["new"])
        self.pause_button.description = "Resume" if self._paused else "Pause"
        self.pause_button.icon = "play" if self._paused else "pause"
        if not self._paused:
            self._apply_view()  # catch up with what came in meanwhile
        self._update_stats()

    # -- connection options ----------------------------------------------------------

    def _on_options_toggle(self, change: dict[str, Any]) -> None:
        shown = bool(change["new"])
        self.options_box.layout.display = None if shown else "none"
        self.options_button.icon = "caret-down" if shown else "caret-right"

    def _show_headers(self) -> None:
        shown = " · ".join(f"{name}: ***" for name, _ in self._headers)
        self.headers_label.value = shown or "no extra headers"

    def _add_header(self) -> bool:
        name = self.header_name.value.strip()
        value = self.header_value.value
        # Cleared at once, whatever happens next: the value must not stay in the
        # widget's state, which the notebook may save.
        self.header_value.value = ""
        if not name and not value:
            return True
        if not _HEADER_NAME.fullmatch(name):
            self._notify(f"header not added: {name!r} is not a valid header name")
            return False
        if any(c in value for c in "\r\n\0"):
            self._notify(f"header {name} not added: its value has a line break or NUL")
            return False
        self._headers = [(n, v) for n, v in self._headers if n.lower() != name.lower()]
        self._headers.append((name, value.strip()))
        self.header_name.value = ""
        self._show_headers()
        self._notify(f"header {name} added; Apply and reconnect uses it")
        return True

    def _clear_headers(self) -> None:
        self._headers = []
        self._show_headers()
        self._notify("extra headers cleared")

    def apply_options(self) -> asyncio.Future[None]:
        """Reconnect with what the options area holds: URL, subprotocols, headers, compression.

        An empty URL (or the current one) reconnects to the current URL — the
        embedded echo server if that is where the panel is. A header typed but not
        yet added is added first. Raises :class:`ChannelError` for an invalid URL
        or header, and changes nothing then.
        """
        url = self.url_input.value.strip() or None
        if url == self.session.url:
            url = None
        if url is not None:
            try:
                check_url(url)
            except ChannelError as exc:
                self._notify(str(exc))
                raise
        if not self._add_header():
            raise ChannelError(self.notice_label.value)
        options = self.session.options
        protocols = [p.strip() for p in self.subprotocols_input.value.split(",") if p.strip()]
        for key, value in (
            ("subprotocols", protocols),
            ("additional_headers", list(self._headers)),
            ("compression", "deflate" if self.compression_box.value else None),
        ):
            if value or key == "compression":
                options[key] = value
            else:
                options.pop(key, None)
        done = self.connect(url)
        self.url_input.value = ""
        return done

    def _apply_clicked(self) -> None:
        # The status line says how the connection went; the button only starts it.
        with contextlib.suppress(ChannelError):
            self.apply_options()

    # -- transcripts -----------------------------------------------------------------

    def save_transcript(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write every kept message to ``path`` as JSON lines; returns the absolute path.

        Without a path: ``wsecho-transcript-<date>-<time>.jsonl`` in the working
        directory (the notebook's folder). Each line holds the direction, the ISO
        time, the kind, and the text or the base64 bytes (see ``wsecho_widget.transcript``).
        """
        messages = list(self.session.history)
        try:
            if path is None:
                path = _unique(default_transcript_name(), self._saving)
            target = save_transcript(messages, path)
        except OSError as exc:
            self._notify(f"transcript not saved: {exc.strerror or exc}")
            raise
        self._notify(f"saved {len(messages):,} messages to {target}")
        return target

    @staticmethod
    def load_transcript(path: str | os.PathLike[str]) -> list[Message]:
        """Read a transcript written by :meth:`save_transcript` back as Message records."""
        return load_transcript(path)

    def _save_clicked(self) -> None:
        # Writing a long history with pictures can take a while: a thread does it,
        # so the kernel's loop (and the socket) keep going.
        messages = list(self.session.history)
        try:
            target = _unique(default_transcript_name(), self._saving)
        except OSError as exc:  # e.g. the working directory was deleted
            self._notify(f"transcript not saved: {exc.strerror or exc}")
            return
        self._saving.add(target)
        task = asyncio.ensure_future(asyncio.to_thread(save_transcript, messages, target))
        self._tasks.add(task)
        self._notify(f"saving {len(messages):,} messages…")

        def done(task: asyncio.Future[Path]) -> None:
            self._tasks.discard(task)
            self._saving.discard(target)
            if task.cancelled():
                return
            if (exc := task.exception()) is not None:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
                self._notify(f"transcript not saved: {reason} ({target})")
            else:
                self._notify(f"saved {len(messages):,} messages to {task.result()}")

        task.add_done_callback(done)

    # -- hooks for automation --------------------------------------------------------

    def on_message(self, callback: _Callback, remove: bool = False) -> _Callback:
        """Call ``callback(message)`` once for every message received from now on.

        ``callback`` may be a plain function or ``async def``: an async one runs as
        a task (kept referenced until it ends). An exception it raises is shown on
        the notice line and kept in ``panel.callback_errors``; it never stops the
        receive loop. ``remove=True`` unregisters it. Returns ``callback``, so it can
        be used as a decorator: ``@panel.on_message``.
        """
        if remove:
            self.hooks.remove(callback)
        else:
            self.hooks.add(callback)
            self._listen()
        return callback

    def stream(self, maxsize: int = DEFAULT_STREAM_SIZE) -> MessageStream:
        """``async for message in panel.stream():`` the messages received from now on.

        Each stream has its own queue of at most ``maxsize`` messages (a reader that
        falls further behind loses the oldest; ``stream.dropped`` counts them). The
        iteration ends when the panel closes, or on ``stream.close()``.
        """
        stream = self.hooks.stream(maxsize)
        self._listen()
        return stream

    def _listen(self) -> None:
        # Subscribed on first use only: without hooks, messages cost nothing more.
        if self.hooks.dispatch not in self.session.listeners:
            self.session.listeners.append(self.hooks.dispatch)

    def _callback_failed(self, callback: Callable[..., Any], exc: BaseException) -> None:
        self.callback_errors.append(exc)
        self._callback_failures += 1
        first = (str(exc).splitlines() or [""])[0][:200]
        what = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
        times = f" ({self._callback_failures:,} failures)" if self._callback_failures > 1 else ""
        self._hook_notice = f"on_message callback {callback_name(callback)} failed: {what}{times}"
        # A callback failing on every message of a flood: show the news at the
        # log's pace, not once per message.
        if self._hook_notice_handle is None:
            self._hook_notice_handle = self.session.loop.call_later(
                self.log_view.interval, self._show_hook_notice
            )

    def _show_hook_notice(self) -> None:
        self._hook_notice_handle = None
        self._notify(self._hook_notice)

    # -- closing ---------------------------------------------------------------------

    def close(self) -> None:
        """Close the widget: disconnect, stop the embedded server, end every task."""
        session = getattr(self, "session", None)
        if session is not None:
            session.close()
        for name in (
            "_submit_handle",
            "_filter_handle",
            "_hook_notice_handle",
            "_latency_handle",
            "_stats_handle",
        ):
            handle = getattr(self, name, None)
            if handle is not None:
                handle.cancel()
        hooks = getattr(self, "hooks", None)
        if hooks is not None:
            hooks.close()
        log_view = getattr(self, "log_view", None)
        if log_view is not None:
            log_view.close()
        for child in _descendants(self):
            child.close()
        super().close()

    def __repr__(self) -> str:
        return f"<WebSocketPanel {self.url or '(embedded)'} {self.status}>"


def _header_pairs(headers: Any) -> list[tuple[str, str]]:
    # websockets takes a Headers object, a mapping or (name, value) pairs.
    if hasattr(headers, "raw_items"):
        return [(str(k), str(v)) for k, v in headers.raw_items()]
    if isinstance(headers, Mapping):
        return [(str(k), str(v)) for k, v in headers.items()]
    pairs: Iterable[tuple[str, str]] = headers
    return [(str(k), str(v)) for k, v in pairs]


def _format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 0.001:
        return f"{seconds * 1000:.2f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def _unique(name: str, taken: Iterable[Path] = ()) -> Path:
    # Two saves within one second must not overwrite each other, even while the
    # first one is still being written (``taken``).
    path = Path(name).absolute()
    counter = 2
    while path.exists() or path in taken:
        path = path.with_name(f"{Path(name).stem}-{counter}{Path(name).suffix}")
        counter += 1
    return path


def _descendants(box: widgets.Box) -> list[widgets.Widget]:
    # Every widget the panel made, with its Layout and Style, which close() alone
    # would leave alive in Widget.widgets.
    found: list[widgets.Widget] = []
    for child in box.children:
        if isinstance(child, widgets.Box):
            found.extend(_descendants(child))
        found.append(child)
    extras = []
    for w in [*found, box]:
        for name in ("layout", "style"):
            sub = getattr(w, name, None)
            if isinstance(sub, widgets.Widget):
                extras.append(sub)
    return found + extras
