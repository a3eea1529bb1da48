"""The Socket.IO panel: an emit bar, the namespace and sid in the status, events in the log.

:class:`SocketIOPanel` shows a :class:`~wsecho_widget.protocols.socketio.client.SocketIOClient`
through the panel's parts: the send bar becomes an emit bar (an event name, its
arguments as JSON, checked before anything is sent; a chosen file goes as a binary
attachment), the log shows ``→ chat ["hi", {"n": 1}]`` (or the packets, with
Raw), and a picture that arrives as an attachment is shown as a picture.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets

from wsecho_widget._util.tasks import keep_task
from wsecho_widget.model.fields import PASS, Field, Fields
from wsecho_widget.model.message import DEFAULT_HISTORY_LIMIT, Message, format_size
from wsecho_widget.protocols.socketio.client import Event, SocketIOClient
from wsecho_widget.protocols.socketio.protocol import Packet, PacketType, ProtocolError, parse_text
from wsecho_widget.protocols.socketio.render import (
    is_heartbeat,
    socketio_event,
    socketio_event_args,
    socketio_text,
)
from wsecho_widget.ui._protocol_panel import ProtocolPanel
from wsecho_widget.ui.controls import LogOptions, SendBar
from wsecho_widget.ui.controls._options import check_panel_options

__all__ = ["SocketIOPanel", "parse_args"]

#: How long the emit bar waits for an ack when "ask ack" is ticked.
ACK_TIMEOUT = 10.0


def parse_args(text: str) -> list[Any]:
    """The emit bar's arguments: JSON values separated by commas, as in a call.

    ``"hi", {"n": 1}`` gives ``["hi", {"n": 1}]``; ``[1, 2]`` is one argument (a
    list); an empty box gives no arguments. Raises ValueError in one line.
    """
    if not text.strip():
        return []
    try:
        args = json.loads(f"[{text}]")
    except RecursionError:
        raise ValueError("arguments nested too deeply") from None
    except json.JSONDecodeError as exc:
        # Columns count from the user's text, not from our bracket.
        raise ValueError(f"arguments are not JSON: {exc.msg} at column {max(1, exc.colno - 1)}") from None
    assert isinstance(args, list)
    return args


class SocketIOPanel(ProtocolPanel):
    """A Socket.IO client in a notebook: emit bar, events in the log, heartbeats answered.

    ``SocketIOPanel("http://127.0.0.1:5000", namespace="/", auth=None,
    path="/socket.io", **options)``: ``options`` go to the session (reconnect,
    keepalive, TLS, headers: see :class:`~wsecho_widget.client.session.Session`).
    The methods for code are the client's: ``ready``, ``sid``, ``emit``, ``call``,
    ``on``, ``receive_event``, ``events``, ``messages``.
    """

    def __init__(
        self,
        url: str = "http://127.0.0.1:5000",
        *,
        namespace: str = "/",
        auth: Mapping[str, Any] | None = None,
        path: str = "/socket.io",
        event: str = "message",
        history_limit: int = DEFAULT_HISTORY_LIMIT,
        log: LogOptions | None = None,
        autoconnect: bool = True,
        **options: Any,
    ) -> None:
        check_panel_options(type(self), options, SocketIOClient.accepted_options())
        log = LogOptions.take(options, log)
        client = SocketIOClient(
            url,
            namespace=namespace,
            auth=auth,
            path=path,
            history_limit=history_limit,
            autoconnect=False,
            **options,
        )
        loop = client.loop
        self.event_input = widgets.Text(
            value=event, description="Event", layout=widgets.Layout(width="16em"), tooltip="The event's name"
        )
        self.event_input.add_class("wsecho-event")
        self.ack_box = widgets.Checkbox(
            value=False, description="ask ack", indent=False, layout=widgets.Layout(width="6em")
        )
        # The event's name goes first on the input's row, the ack box after Emit.
        self.emit_bar = SendBar(
            loop,
            on_text=self._emit_text,
            on_files=self._emit_files,
            notify=self._notify,
            text_row_first=[self.event_input],
            text_row_extra=[self.ack_box],
        )
        bar = self.emit_bar
        bar.text.description = "Args"
        bar.text.placeholder = '"hi", {"n": 1}  (JSON values, comma separated)'
        bar.send_button.description = "Emit"
        bar.send_button.tooltip = "Emit the event with these arguments"
        bar.send_file_button.description = "Emit file"
        bar.send_file_button.tooltip = "Emit the event with (file name, file bytes as a binary attachment)"
        super().__init__(client, [bar], socketio_text, log)
        self.log_panel.detail.origin = socketio_event  # the detail view names the event
        # Handshakes, acks and other packets that carry no event are the kind "notices".
        self.log_panel.toolbar.offer_notices(lambda message: socketio_event(message) is None)
        self.add_class("wsecho-socketio")
        if autoconnect:
            client.connect()

    # -- the client's API, for code --------------------------------------------------

    client: SocketIOClient

    @property
    def sid(self) -> str | None:
        """The namespace's session id (a new one after each reconnect)."""
        return self.client.sid

    @property
    def namespace(self) -> str:
        return self.client.namespace

    @property
    def events(self) -> deque[Event]:
        """Events sent and received, oldest first, bounded."""
        return self.client.events

    @property
    def heartbeats(self) -> int:
        """Engine.IO heartbeats answered."""
        return self.client.heartbeats

    def emit(self, event: str, *args: Any) -> None:
        """Emit ``event`` with ``args`` (bytes go as binary attachments)."""
        self.client.emit(event, *args)

    async def call(self, event: str, *args: Any, timeout: float | None = 5.0) -> list[Any]:
        """Emit asking for an ack; returns the ack's arguments."""
        return await self.client.call(event, *args, timeout=timeout)

    def on(self, event: str, callback: Callable[..., Any] | None = None) -> Any:
        """Call ``callback(*args)`` (sync or async) for each received ``event``; or ``@panel.on("chat")``."""
        return self.client.on(event, callback)

    def off(self, event: str, callback: Callable[..., Any]) -> None:
        self.client.off(event, callback)

    async def receive_event(self, timeout: float | None = 5.0) -> Event:
        """The next received event (name, args, namespace, time)."""
        return await self.client.receive_event(timeout)

    # -- the emit bar ----------------------------------------------------------------

    def _feed_fields(
        self, fields: Sequence[Field], *, x: str | None, by: str | None, event: str | None
    ) -> Fields:
        """Paths read an event's first argument (``chart("$.price", event="tick")``); frames
        that are not events (heartbeats, acks) or not ``event`` are passed over."""

        def read(message: Message, found: Any) -> Any:
            if found is None or (event is not None and found[0] != event):
                return PASS
            return found[1][0] if found[1] else None  # no argument: a value missing

        return Fields(list(fields), x=x, by=by, read=read)

    @staticmethod
    def _feed_parse(message: Message) -> Any:
        """An event's name and arguments (None for other frames), parsed once for every
        chart and series: a Socket.IO frame (``42[...]``) is not JSON by itself."""
        return socketio_event_args(message)

    def _emit_now(self, event: str, args: list[Any]) -> None:
        if self.ack_box.value:
            # Checked and sent now (a bad argument raises here); the ack comes later.
            keep_task(self.loop, self._tasks, self._wait_ack(event, self.client.request(event, *args)))
        else:
            self.client.emit(event, *args)

    async def _wait_ack(self, event: str, future: asyncio.Future[list[Any]]) -> None:
        try:
            answer = await asyncio.wait_for(future, ACK_TIMEOUT)
        except TimeoutError:
            self._notify(f"no ack for {event!r} within {ACK_TIMEOUT:g} s")
        except ConnectionError as exc:
            self._notify(str(exc))
        else:
            self._notify(f"ack for {event!r}: {json.dumps(answer, ensure_ascii=False, default=_short)[:200]}")

    def _emit_text(self, text: str) -> bool:
        event = self.event_input.value.strip()
        return self._guard(lambda: self._emit_now(event, parse_args(text)))

    def _emit_files(self, files: list[tuple[str, bytes]]) -> bool:
        event = self.event_input.value.strip()
        for name, data in files:
            if not self._guard(lambda: self._emit_now(event, [name, data])):  # noqa: B023 (called at once)
                return False
        names = ", ".join(f"{name} ({format_size(len(data))})" for name, data in files)
        self._notify(f"emitted {event!r} with {names} as a binary attachment")
        return True

    # -- the detail view's Resend and Edit ---------------------------------------------

    def _event(self, message: Message) -> tuple[str, list[Any]] | None:
        found = event_of(message, self.client.namespace)
        if found is None:
            self._notify(
                f"message #{message.seq} is not an event of {self.client.namespace} without "
                "attachments: only those are emitted again or edited"
            )
        return found

    def _resend(self, message: Message) -> None:
        # The same event, the same arguments, emitted through the client (a new packet:
        # never the old frame, whose ack id or attachments belong to the old exchange).
        found = self._event(message)
        if found is not None and self._guard(lambda: self.client.emit(found[0], *found[1])):
            self._notify(f"emitted {found[0]!r} again (message #{message.seq})")

    def _edit(self, message: Message) -> None:
        # The event's name and its arguments as the emit bar reads them, to change and emit.
        found = self._event(message)
        if found is not None:
            self.event_input.value = found[0]
            self.emit_bar.text.value = ", ".join(json.dumps(a, ensure_ascii=False) for a in found[1])

    # -- what the panel shows --------------------------------------------------------

    def _keep(self, message: Message) -> bool:
        return not is_heartbeat(message)

    def _where(self) -> str:
        client = self.client
        sid = f" · sid {client.sid}" if client.sid else ""
        beats = f" · {client.heartbeats:,} heartbeats" if client.heartbeats else ""
        return f"{client.display_url} · namespace {client.namespace}{sid}{beats}"

    def _stats(self) -> list[str]:
        return [*super()._stats(), f"{len(self.client.events):,} events"]

    def __repr__(self) -> str:
        return f"<SocketIOPanel {self._where()} {self.client.status}>"


def event_of(message: Message, namespace: str) -> tuple[str, list[Any]] | None:
    """``(event, args)`` of an event frame of ``namespace`` that has no binary
    attachments (their bytes are other frames), sent or received; else None."""
    data = message.data
    if not isinstance(data, str) or not data.startswith("42"):
        return None
    try:
        item, attachments = parse_text(data, from_server=message.direction == "received")
    except ProtocolError:
        return None
    if not isinstance(item, Packet) or item.type != PacketType.EVENT or attachments:
        return None
    if item.namespace != namespace or not isinstance(item.data, list) or not item.data:
        return None
    name, *args = item.data
    return (name, args) if isinstance(name, str) else None


def _short(value: Any) -> str:
    return f"<{len(value)} bytes>" if isinstance(value, bytes) else repr(value)
