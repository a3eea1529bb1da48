"""The live view: a picture stream watched as one picture updated in place.

A camera-like server sends more frames than a page should draw. The live view keeps
only the newest received picture and shows it at most once per ``interval``: one
message with its bytes as one binary buffer, drawn by the page into the same canvas
(``js/livewidget.js``). Frames that arrive in between are skipped in the kernel and
never sent; the label says how many, and the frames per second received and shown.
Every frame is still in the history: this only decides what is drawn.

Imports ipywidgets, anywidget, asyncio and the pure modules; never the panel or the log.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable
from typing import Any

import anywidget
import ipywidgets as widgets

from wsecho_widget._util.loop import Throttle
from wsecho_widget.model.media import MediaLimits
from wsecho_widget.model.message import Message
from wsecho_widget.ui.frontend import bundle, conforms

__all__ = ["LiveView"]

# Frames per second are counted over this many seconds.
_FPS_WINDOW = 2.0


def _rate(times: deque[float], now: float) -> float:
    while times and times[0] < now - _FPS_WINDOW:
        times.popleft()
    return len(times) / _FPS_WINDOW


class LiveWidget(anywidget.AnyWidget):
    """One canvas in the page that shows the frames given to :meth:`show`."""

    _esm = bundle("livewidget.js")

    def __init__(self, loop: asyncio.AbstractEventLoop, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.loop = loop
        #: The frame shown now (bytes and MIME type), sent again to a view that asks.
        self.frame: tuple[bytes, str] | None = None
        self.on_msg(self._received)

    def show(self, data: bytes, media_type: str) -> None:
        self.frame = (data, media_type)
        self.send({"kind": "frame", "type": media_type}, [data])

    def clear(self) -> None:
        if self.frame is not None:
            self.frame = None
            self.send({"kind": "clear"})

    def _received(self, _widget: Any, content: Any, _buffers: Any) -> None:
        # A view that (re)renders asks for the frame shown now; answer in the loop.
        if conforms(content, "FrameRequest"):
            self.loop.call_soon_threadsafe(self._resend)

    def _resend(self) -> None:
        if self.frame is not None:
            self.show(*self.frame)


class LiveView:
    """A :class:`LiveWidget` and a line of counts, in ``widget`` (hidden until :meth:`start`)."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, *, interval: float = 0.05, limits: MediaLimits | None = None
    ) -> None:
        if interval < 0:
            raise ValueError(f"interval must be >= 0, not {interval}")
        self.loop = loop
        self.interval = interval
        self.limits = limits if limits is not None else MediaLimits()
        self.picture = LiveWidget(loop)
        self.label = widgets.Label(
            "live: waiting for a picture", tooltip="the live picture: its format, frames per second, skipped"
        )
        self.widget = widgets.VBox([self.label, self.picture], layout={"display": "none"})
        self.widget.add_class("wsecho-live")
        self.enabled = False
        #: Pictures received and shown while live (skipped = received - shown).
        self.received = 0
        self.shown = 0
        self._newest: Message | None = None
        self._arrivals: deque[float] = deque()
        self._shows: deque[float] = deque()
        self._handle: asyncio.TimerHandle | asyncio.Handle | None = None
        self._last_show = -1e9
        self._label_for: Message | None = None  # the frame the label describes
        # The counts change with every frame; a person reads them a few times a second.
        self._label_pace = Throttle(loop, 5 * interval, self._show_label)

    @property
    def skipped(self) -> int:
        """Pictures received while live that were never shown (a newer one came first)."""
        return self.received - self.shown - (self._newest is not None)

    def start(self) -> None:
        """Show the live picture; counts start from zero."""
        self.enabled = True
        self.received = self.shown = 0
        self._arrivals.clear()
        self._shows.clear()
        self.widget.layout.display = None

    def stop(self) -> None:
        """Hide the live picture and let the page free it."""
        self.enabled = False
        self._cancel()
        self._newest = None
        self._label_for = None
        self.widget.layout.display = "none"
        self.picture.clear()

    def offer(self, messages: Iterable[Message]) -> None:
        """Note received pictures (within the limits); the newest is shown at the next tick."""
        if not self.enabled:
            return
        now = self.loop.time()
        for message in messages:
            if message.direction != "received" or message.media_type is None:
                continue
            size = message.image_size
            if size is None or self.limits.refusal(size) is not None:
                continue
            self._newest = message
            self.received += 1
            self._arrivals.append(now)
        if self._newest is not None and self._handle is None:
            delay = self._last_show + self.interval - now
            if delay <= 0:
                self._handle = self.loop.call_soon(self._show)
            else:
                self._handle = self.loop.call_later(delay, self._show)

    def _show(self) -> None:
        self._handle = None
        message, self._newest = self._newest, None
        if message is None or not self.enabled:
            return
        now = self._last_show = self.loop.time()
        assert isinstance(message.data, bytes) and message.media_type is not None
        self.picture.show(message.data, message.media_type)
        self.shown += 1
        self._shows.append(now)
        self._label_for = message
        self._label_pace()

    def _show_label(self) -> None:
        message = self._label_for
        if message is None or not self.enabled:
            return
        now = self.loop.time()
        size = message.image_size or (0, 0)
        self.label.value = (
            f"live · {message.image_format} {size[0]}x{size[1]} · "
            f"{_rate(self._arrivals, now):.1f} fps received · {_rate(self._shows, now):.1f} fps shown · "
            f"{self.skipped:,} skipped"
        )

    def _cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._label_pace.cancel()

    def close(self) -> None:
        """Stop and close the widgets, layouts too."""
        self._cancel()
        self._newest = None
        for widget in (self.picture, self.label, self.widget):
            layout = widget.layout
            widget.close()
            layout.close()
