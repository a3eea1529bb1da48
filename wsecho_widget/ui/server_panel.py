"""The server panel: a WebSocket server in the notebook that people watch and answer.

:class:`ServerPanel` composes the same parts as the client panel (status line,
send bar, log with its toolbar, stats line; see :mod:`.controls`) around a
:class:`~wsecho_widget.server.hub.Hub`, and adds what a server needs: where to connect,
who is connected, whom to send to, echo or manual, Disconnect client, and the
server's own events (connections, refusals, closes) as plain text lines. Every
widget handler runs in the loop's thread. Must not import the client panel's
session or connection tasks: the hub does the networking.
"""

from __future__ import annotations

import asyncio
import html
import importlib.util
import time
from typing import Any

import ipywidgets as widgets
import traitlets

from wsecho_widget._util.loop import in_loop
from wsecho_widget._util.tasks import keep_task
from wsecho_widget.client.connection import ChannelError
from wsecho_widget.model.message import Message
from wsecho_widget.server._api import ServerAPI
from wsecho_widget.server.addresses import ANDROID_EMULATOR_HOST, is_loopback_only
from wsecho_widget.server.hub import BROADCAST, Hub, HubStatus, Notice, Target, hub_options
from wsecho_widget.ui._base import PanelBase
from wsecho_widget.ui.controls import LogOptions, SendBar
from wsecho_widget.ui.controls._options import check_panel_options
from wsecho_widget.ui.feed import FeedSource
from wsecho_widget.ui.render import LogFormat

__all__ = ["ServerPanel"]

#: How many of the server's event lines the panel shows (all are in ``notices``).
EVENT_LINES = 200

_ALL = BROADCAST  # the client selector's value for "all clients"


class ServerPanel(ServerAPI, PanelBase):
    """A WebSocket server shown as a panel: ``ServerPanel()`` listens on 127.0.0.1, a free port.

    ``await panel.ready`` once it listens (a clear ChannelError if it cannot);
    ``panel.url`` is where to connect from this machine, ``panel.urls`` every
    address. Clients are ``panel.clients`` ("c1", "c2", ... oldest first); every
    frame to or from any of them is in ``panel.messages`` with ``message.client``.
    ``send(data, to=None)`` sends to all or to some; ``on_message(cb)`` answers from
    code. ``options`` are the hub's, all of them (``mode``, ``path``, ``subprotocols``,
    ``ssl``, ``max_size``, ``max_clients``, ``origins``, ``token``, ``send_queue``,
    ``history_limit`` and websockets' ``serve()`` options): see
    :class:`~wsecho_widget.server.hub.Hub`. The log: ``log=LogOptions(...)`` or its
    keywords (``log_limit``, ``image_limit``, ``render_interval``, ...). Under a Jupyter
    server (JupyterHub, a remote server) the address line adds the address through
    jupyter-server-proxy (docs/server.md).
    """

    status = traitlets.Enum(
        ("starting", "listening", "closed", "error"),
        "starting",
        help="the server's state: starting, listening, closed or error",
    )
    mode = traitlets.Enum(
        ("echo", "manual"),
        "echo",
        help="echo: each frame is sent back to its sender; manual: people and code answer",
    )

    closes = ("hub", "log_panel", "send_bar")
    connects = False  # the server listens until closed

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, log: LogOptions | None = None, **options: Any
    ) -> None:
        check_panel_options(type(self), options, hub_options())
        log = LogOptions.take(options, log)
        # The hub checks the loop and its options first: a bad call fails before any widget.
        self.hub = Hub(host, port, **options)
        loop = self.hub.loop
        super().__init__(loop, self.hub.messages, log, render=_with_client, mode=self.hub.mode)
        # Events and the client list follow at the log's pace: a burst of
        # connections or refusals is one update of each, not one per event.
        self._events_tick = self._timer(log.interval * 2, self._show_events)
        self._clients_tick = self._timer(log.interval * 2, self._show_clients)
        self.add_class("wsecho-server-panel")
        self.observe(self._on_mode, "mode")
        self._follow_hub()

    def _feed_source(self) -> FeedSource:
        hub = self.hub
        return FeedSource(
            hub, hub.messages, hub.send, lambda: hub.status == "listening" and bool(hub.clients)
        )

    def _replied(self, message: Message) -> Message:
        return self._feed_replied(message)

    def _follow_hub(self) -> None:
        # The hub calls these in the loop's thread; show what is there already.
        hub = self.hub
        hub.subscribe(
            on_status=self._show_status,
            on_record=self._show_message,
            on_notice=self._show_notice,
            on_client=lambda _: self._clients_tick.start(),
        )
        hub.ready.add_done_callback(lambda _: self._show_addresses())
        self._show_status(hub.status, hub.detail)
        self._show_clients()
        for notice in hub.notices:
            self._show_notice(notice)

    def _compose(self, loop: asyncio.AbstractEventLoop) -> list[widgets.Widget]:
        self.address_label = widgets.Label(tooltip="the addresses clients can connect to")
        self.warning_label = widgets.Label(layout=widgets.Layout(display="none"))
        self.warning_label.style.text_color = "var(--jp-warn-color1, #f57c00)"
        self.client_selector = widgets.Dropdown(
            options=[("all clients", _ALL)],
            value=_ALL,
            description="To",
            tooltip="whom Send and Send file send to; Disconnect client closes the one chosen",
            layout=widgets.Layout(width="16em"),
        )
        self.mode_toggle = widgets.ToggleButtons(
            options=[("echo", "echo"), ("manual", "manual")],
            value=self.hub.mode,
            tooltips=["send each frame back to its sender", "answer by hand or from code"],
            style={"button_width": "6.5em"},
        )
        self.disconnect_button = widgets.Button(
            description="Disconnect client", icon="times", tooltip="Close the chosen client (1000)"
        )
        self.send_bar = SendBar(
            loop,
            on_text=self._send_text,
            on_files=self._send_files,
            notify=self.notice_bar.notify,
            text_row_extra=[self.client_selector],
            file_row_extra=[self.mode_toggle, self.disconnect_button],
        )
        self._make_events()
        # The chosen client's details and handshake headers (credentials masked).
        self.client_info = widgets.Textarea(
            disabled=True, rows=3, layout=widgets.Layout(width="100%", display="none")
        )
        self.client_info.add_class("wsecho-client-info")
        self.client_selector.observe(in_loop(loop, lambda _: self._show_client_info()), "value")
        self.mode_toggle.observe(in_loop(loop, self._toggle_changed), "value")
        self.disconnect_button.on_click(in_loop(loop, lambda _: self._disconnect_clicked()))
        self._events_text: list[str] = []
        return [
            self.status_bar,
            self.address_label,
            self.warning_label,
            self.send_bar,
            self.client_info,
            self.notice_bar,
            self.events_box,
            self.log_panel,
        ]

    def _make_events(self) -> None:
        # The server's events, oldest first like the log, in a bounded box of their own:
        # column-reverse keeps the newest line in view unless the person scrolled up.
        self.events = widgets.HTML(_events_html([]), layout=widgets.Layout(flex="0 0 auto"))
        self.events_box = widgets.Box(
            [self.events],
            layout=widgets.Layout(
                display="flex",
                flex_flow="column-reverse",
                max_height="6.5em",
                overflow="auto",
                border="1px solid var(--jp-border-color2, #e0e0e0)",
                padding="0 6px",
            ),
        )
        self.events_box.add_class("wsecho-events")  # stable hooks for tests and users' CSS

    # -- what the user sees -----------------------------------------------------------

    def _show_status(self, status: HubStatus, detail: str) -> None:
        self.status = status
        shown = "" if status == "listening" else detail
        self.status_bar.show(status, shown, self.hub.url if status != "error" else None)
        for button in (self.send_bar.send_button, self.disconnect_button):
            button.disabled = status != "listening"

    def _show_addresses(self) -> None:
        hub = self.hub
        if hub.status != "listening":
            return
        urls = hub.urls
        emulator = [u for u in urls if f"//{ANDROID_EMULATOR_HOST}:" in u]
        shown = [u for u in urls if u not in emulator]
        text = "connect to: " + " · ".join(shown)
        if emulator:
            text += f" · Android emulator: {emulator[0]}"
        proxied = self.proxy_urls
        if proxied:
            text += f" · through Jupyter: {' or '.join(proxied)}"
            if importlib.util.find_spec("jupyter_server_proxy") is None:  # maybe in the server's env
                text += " (if the Jupyter server has jupyter-server-proxy)"
        self.address_label.value = text
        if not is_loopback_only(hub.host) and not hub.gate.has_token:
            self.warning_label.value = (
                f"⚠ listening on {hub.host} without a token: anyone on the network can connect "
                "(pass token=... to require one)"
            )
            self.warning_label.layout.display = None

    def _show_message(self, message: Message) -> None:
        self.log_panel.add((message,))

    def _show_notice(self, notice: Notice) -> None:
        who = f"{notice.client} " if notice.client else ""
        stamp = time.strftime("%H:%M:%S", time.localtime(notice.timestamp))
        self._events_text.append(f"{stamp} {who}{notice.text}")
        del self._events_text[:-EVENT_LINES]
        self._events_tick.start()

    def _show_events(self) -> None:
        self.events.value = _events_html(self._events_text)
        self.notice_bar.notify(self._events_text[-1].partition(" ")[2] if self._events_text else "")

    def _show_clients(self) -> None:
        options = [("all clients", _ALL)] + [(f"{c.id} {c.address}", c.id) for c in self.hub.clients]
        selector = self.client_selector
        chosen = selector.value
        if tuple(options) != tuple(selector.options):
            selector.options = options  # (resets the choice to the first: put it back)
            selector.value = chosen if any(v == chosen for _, v in options) else _ALL
        self._show_client_info()
        self._update_stats()

    def _show_client_info(self) -> None:
        target = self._target()
        client = next((c for c in self.hub.clients if c.id == target), None)
        self.client_info.value = client.describe() if client is not None else ""
        self.client_info.layout.display = None if client is not None else "none"

    def _stats(self) -> list[str]:
        hub = self.hub
        parts = [f"{len(hub.clients)} connected", hub.messages.totals.summary()]
        if hub.messages.dropped:
            parts.append(f"history keeps the newest {hub.messages.limit:,}")
        return parts

    # -- what the user does -----------------------------------------------------------

    def _target(self) -> Target:
        value = self.client_selector.value
        return None if value == _ALL else str(value)

    def _send_text(self, text: str) -> bool:
        return self._send_to_selection(text, "the text")

    def _send_files(self, files: list[tuple[str, bytes]]) -> bool:
        return all(self._send_to_selection(data, name) for name, data in files)

    def _send_to_selection(self, data: str | bytes, what: str) -> bool:
        try:
            count = self.hub.send(data, self._target())
        except (ChannelError, ValueError) as exc:
            self.notice_bar.notify(str(exc))
            return False
        if count == 0:
            self.notice_bar.notify(f"{what} was not sent: no client is connected")
            return False
        self.notice_bar.notify(f"sent {what} to {count} client{'s' if count != 1 else ''}")
        return True

    def _resend(self, message: Message) -> None:
        # To the client it came from or went to ("*": to every client, as it went).
        client = message.client if message.client != "*" else None
        try:
            count = self.hub.send(message.data, client)
        except (ChannelError, ValueError) as exc:
            self.notice_bar.notify(str(exc))
            return
        whom = client or f"{count} client{'s' if count != 1 else ''}"
        self.notice_bar.notify(f"sent message #{message.seq} again to {whom}")

    def _edit(self, message: Message) -> None:
        self.send_bar.edit(message)

    def _disconnect_clicked(self) -> None:
        target = self._target()
        if not isinstance(target, str):
            self.notice_bar.notify("choose a client to disconnect")
            return

        def failed(exc: BaseException) -> None:
            self.notice_bar.notify(f"could not disconnect {target}: {type(exc).__name__}: {exc}")

        keep_task(self.hub.loop, self._tasks, self.hub.disconnect(target), failed)

    def _toggle_changed(self, change: dict[str, Any]) -> None:
        self.mode = change["new"]

    def _on_mode(self, change: dict[str, Any]) -> None:
        self.hub.mode = change["new"]
        self.mode_toggle.value = change["new"]

    # -- the record and the report -----------------------------------------------------

    def _record_extra(self) -> list[str]:
        return [str(self.address_label.value)] if self.address_label.value else []

    def _report_rows(self) -> list[tuple[str, str]]:
        hub = self.hub
        return [
            ("addresses", str(self.address_label.value) or hub.url),
            ("mode", hub.mode),
            ("clients connected", ", ".join(f"{c.id} {c.address}" for c in hub.clients) or "none"),
        ]

    def _report_events(self) -> list[str]:
        return list(self._events_text)

    def __repr__(self) -> str:
        hub = getattr(self, "hub", None)
        return repr(hub).replace("<Hub", "<ServerPanel", 1) if hub is not None else "<ServerPanel>"


def _events_html(lines: list[str]) -> str:
    # Oldest first, as text: a peer's words (a close reason) are never markup.
    text = "\n".join(lines) or "connections, refusals and closes show here"
    attributes = 'class="wsecho-events-text" role="log" tabindex="0" aria-label="Server events"'
    return f"<pre {attributes}>{html.escape(text)}</pre>"


def _with_client(view: LogFormat, message: Message) -> str:
    # The client's id before each entry ("all" for a broadcast); continuation
    # lines stay under the text.
    client = message.client
    label = "all" if client == BROADCAST else client or ""
    prefix = f"{label:<4} "
    line = view.render(message)
    body, newline, _ = line.rpartition("\n") if line.endswith("\n") else (line, "", "")
    return prefix + body.replace("\n", "\n" + " " * len(prefix)) + newline
