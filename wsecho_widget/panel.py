"""The panel: an ipywidgets view of a :class:`~wsecho_widget.session.Session`.

It renders the session's state (status, log, totals) and forwards what the user
does (type, Send, Connect/Disconnect, Clear) to it. The socket itself runs as
tasks in the kernel's own event loop; nothing here blocks that loop.
"""

from __future__ import annotations

import asyncio
import ssl as _ssl
import warnings
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import traitlets

from .connection import ChannelError
from .logview import LogView
from .model import DEFAULT_HISTORY_LIMIT, History, Message
from .server import EchoServer
from .session import STATUSES, Session, Status

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
        passed = {
            "additional_headers": additional_headers,
            "subprotocols": subprotocols,
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
        self.url_label = widgets.Label(tooltip="server URL", layout={"margin": "0 0 0 1em"})
        self.status_label = widgets.Label(tooltip="connection status")
        self.notice_label = widgets.Label(
            tooltip="what happened to the last action", layout={"margin": "0 0 0 1em"}
        )
        self.stats_label = widgets.Label(tooltip="messages and bytes sent and received")
        self.output = widgets.Output(
            layout=widgets.Layout(
                border="1px solid var(--jp-border-color2, #e0e0e0)",
                max_height="360px",
                overflow="auto",
                padding="2px 6px",
            )
        )
        self.log_view = LogView(
            self.output,
            self.session.loop,
            limit=log_limit,
            image_limit=image_limit,
            interval=render_interval,
            on_flush=self._update_stats,
        )
        self._submit_handle: asyncio.TimerHandle | None = None

        self.send_button.on_click(lambda _: self._send_from_input())
        self.connect_button.on_click(lambda _: self._toggle_connection())
        self.clear_button.on_click(lambda _: self.clear())
        with warnings.catch_warnings():
            # on_submit is the only way to see Enter; its deprecation suggests
            # observing value, which also fires when the input loses focus.
            warnings.simplefilter("ignore", DeprecationWarning)
            self.text.on_submit(lambda _: self._submitted())
        self.text.observe(self._on_text_value, "value")

        super().__init__(
            children=[
                widgets.HBox([self.status_label, self.url_label]),
                widgets.HBox([self.text, self.send_button, self.connect_button, self.clear_button]),
                widgets.HBox([self.stats_label, self.notice_label]),
                self.output,
            ],
            layout=widgets.Layout(width="100%"),
        )
        self.add_class("wsecho-panel")
        self._update_stats()
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

    def _show_status(self, status: Status, detail: str) -> None:
        self.status_detail = detail
        self.status = status
        # Only the masked URL is shown or kept in a trait: no token reaches the
        # notebook's saved widget state.
        self.url = self.session.display_url or None
        # While (re)connecting the detail says when the next attempt is and why.
        shown = f": {detail}" if status != "open" and detail else ""
        self.status_label.value = f"● {status}{shown}"
        self.status_label.style.text_color = _STATUS_COLOR[status]
        self.url_label.value = self.url or ""
        self.connect_button.description = "Connect" if status in ("closed", "error") else "Disconnect"
        self.connect_button.disabled = status == "closing" or self.session._closed
        self.send_button.disabled = status not in ("open", "connecting")
        self._update_stats()

    def _show_messages(self, messages: Sequence[Message]) -> None:
        self.log_view.extend(messages)

    def _update_stats(self) -> None:
        session = self.session
        parts = [session.history.totals.summary()]
        if session.queued:
            parts.append(f"{session.queued} queued")
        if session.history.dropped:
            parts.append(f"history keeps the newest {session.history.limit:,}")
        value = " · ".join(parts)
        if self.stats_label.value != value:
            self.stats_label.value = value

    def _notify(self, text: str) -> None:
        self.notice_label.value = text

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

    def _submitted(self) -> None:
        # Enter: the front end sends "submit" and then (if the text changed) the
        # new value. Send when the value arrives, or after a grace period.
        if self._submit_handle is not None:
            self._submit_handle.cancel()
        self._submit_handle = self.session.loop.call_later(_SUBMIT_GRACE, self._send_from_input)

    def _on_text_value(self, change: dict[str, Any]) -> None:
        if self._submit_handle is not None and change["new"]:
            self._send_from_input()

    def _toggle_connection(self) -> None:
        if self.session.status in ("closed", "error"):
            self.connect()
        else:
            self.disconnect()

    def clear(self) -> None:
        """Empty the log on screen; the history and totals stay."""
        self.log_view.clear()
        self._notify("")

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

    def close(self) -> None:
        """Close the widget: disconnect, stop the embedded server, end every task."""
        session = getattr(self, "session", None)
        if session is not None:
            session.close()
        log_view = getattr(self, "log_view", None)
        if log_view is not None:
            log_view.close()
        for child in _descendants(self):
            child.close()
        super().close()

    def __repr__(self) -> str:
        return f"<WebSocketPanel {self.url or '(embedded)'} {self.status}>"


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
