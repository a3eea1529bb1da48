"""The detail view: the log's selected message shown whole, beside the log.

A click or an arrow key in the log selects a line; :class:`MessageDetail` sends that
message to the page once (``protocol.js``'s ``DetailMessage`` with the first part of its
bytes, :mod:`wsecho_widget.ui.inspect` says which), and more only when the person asks
("Show more", Copy or Save of a long one). Resend and Edit are the panel's to do: it
sets ``on_resend`` and ``on_edit``. Must not import the session, the connection or the
panel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import anywidget

from wsecho_widget.decoders.core import Decoder
from wsecho_widget.model.message import Message
from wsecho_widget.ui.frontend import bundle, conforms
from wsecho_widget.ui.inspect import CHUNK, describe, payload

__all__ = ["DetailWidget", "MessageDetail"]

#: What the detail view needs of the log's Binary view: its name and the panel's decoders.
ViewOf = Callable[[], tuple[str, Mapping[str, Decoder]]]


class DetailWidget(anywidget.AnyWidget):
    """The detail view's page code (``js/detailwidget.js``); ``on_request(content)``
    gets each well-formed ``DetailRequest`` (in whichever thread the kernel delivers
    widget messages)."""

    _esm = bundle("detailwidget.js")
    _css = (Path(__file__).parents[1] / "logwidget.css").read_text(encoding="utf-8")

    def __init__(self, on_request: Callable[[dict[str, Any]], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_request = on_request
        self.on_msg(self._received)

    def _received(self, _widget: Any, content: Any, _buffers: Any) -> None:
        # From the page: checked against protocol.js before anything is done with it.
        if conforms(content, "DetailRequest"):
            self._on_request(content)


class MessageDetail:
    """The selected message (:attr:`message`) in a :class:`DetailWidget`.

    ``origin(message)`` names its client or event; ``view()`` gives the log's Binary
    view and decoders for the decoded pane; ``since()`` the timestamp its time is
    shown relative to (None: the clock). ``on_resend(message)``, ``on_edit(message)``
    and ``on_close()`` run in ``loop``'s thread when the person asks.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        origin: Callable[[Message], str | None],
        view: ViewOf,
        since: Callable[[], float | None] = lambda: None,
    ) -> None:
        self.loop = loop
        self.origin = origin
        self.view = view
        self.since = since
        self.on_resend: Callable[[Message], None] | None = None
        self.on_edit: Callable[[Message], None] | None = None
        self.on_close: Callable[[], None] | None = None
        #: The message shown, or None.
        self.message: Message | None = None
        self.widget = DetailWidget(self._requested)
        self.widget.layout.display = "none"
        #: Bytes sent to the page (every view), for the tests and the benchmark.
        self.bytes_sent = 0

    def show(self, message: Message | None) -> None:
        """Show ``message`` whole in the page (None: hide the view)."""
        self.message = message
        self.widget.layout.display = "none" if message is None else ""
        self._send()

    def _send(self) -> None:
        message = self.message
        if message is None:
            self.widget.send({"kind": "detail", "seq": None})
            return
        name, decoders = self.view()
        detail = describe(
            message,
            origin=self.origin(message),
            view=name,
            decoders=decoders,
            since=self.since(),
            resend=self.on_resend is not None,
            edit=self.on_edit is not None,
        )
        first = payload(message)[: detail["shown"]]
        self.bytes_sent += len(first)
        self.widget.send(detail, [first])

    def _requested(self, content: dict[str, Any]) -> None:
        # Called in the kernel's widget-message thread: act in the loop's.
        self.loop.call_soon_threadsafe(self._act, content)

    def _act(self, content: dict[str, Any]) -> None:
        kind, message = content["kind"], self.message
        if kind == "detail?":
            self._send()
        elif kind == "select" and content.get("seq") is None:
            if self.on_close is not None:
                self.on_close()
        elif message is None or content.get("seq") != message.seq:
            return  # about a message no longer shown
        elif kind == "more?":
            self._more(message, int(content.get("offset", 0)), bool(content.get("all", False)))
        elif kind == "resend" and self.on_resend is not None:
            self.on_resend(message)
        elif kind == "edit" and self.on_edit is not None:
            self.on_edit(message)

    def _more(self, message: Message, offset: int, whole: bool) -> None:
        data = payload(message)
        offset = max(0, min(offset, len(data)))
        part = data[offset:] if whole else data[offset : offset + CHUNK]
        self.bytes_sent += len(part)
        self.widget.send({"kind": "more", "seq": message.seq, "offset": offset}, [part])

    def close(self) -> None:
        """Close the widget (the page lets go of the message)."""
        self.message = None
        layout = self.widget.layout
        self.widget.close()
        layout.close()
