"""The panel's log: renders messages into an ipywidgets Output, in batches.

Every change to ``Output.outputs`` re-sends the whole tuple to the front end, so
this view never appends per message: messages wait in a bounded list and one
assignment per ``interval`` (a throttle, leading and trailing) shows them. Only the
newest ``limit`` entries are rendered; pictures are ``ipywidgets.Image`` models,
whose bytes travel once as a binary buffer, and each is closed when it leaves.

How a message reads as text comes from :mod:`wsecho_widget.render`. Must not
import the panel, the controls, the session or the connection.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import ipywidgets as widgets

from .model import Message
from .render import render_line

__all__ = ["LogView"]

_WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def _is_picture(message: Message) -> bool:
    return message.direction == "received" and message.image_format is not None


class _Entry:
    __slots__ = ("image", "line", "message")

    def __init__(self, message: Message, line: str) -> None:
        self.message = message
        self.line = line
        self.image: widgets.Image | None = None


def _close_image(image: widgets.Image) -> None:
    # Closing a widget leaves its Layout alive in Widget.widgets: close both.
    layout = image.layout
    image.close()
    layout.close()


class LogView:
    """Batched, bounded rendering of messages into ``output``.

    ``limit`` entries are shown at most, ``image_limit`` of them as pictures (older
    pictures keep their line). ``on_flush`` runs after each render, for status
    lines that should update at the same pace.
    """

    def __init__(
        self,
        output: widgets.Output,
        loop: asyncio.AbstractEventLoop,
        *,
        limit: int = 200,
        image_limit: int = 20,
        interval: float = 0.05,
        on_flush: Callable[[], None] | None = None,
    ) -> None:
        if limit < 1 or image_limit < 0 or interval < 0:
            raise ValueError("limit must be >= 1, image_limit and interval >= 0")
        self.output = output
        self.loop = loop
        self.limit = limit
        self.image_limit = image_limit
        self.interval = interval
        self.on_flush = on_flush
        self.flushes = 0
        #: How a message becomes its log text; the panel swaps it for JSON and hex views.
        self.render: Callable[[Message], str] = render_line
        #: False shows received pictures as text (the hex view) instead of as pictures.
        self.show_pictures = True
        self._pending: deque[Message] = deque(maxlen=limit)
        self._entries: deque[_Entry] = deque()
        self._images: deque[_Entry] = deque()
        self._handle: asyncio.TimerHandle | asyncio.Handle | None = None
        self._last_flush = -1e9

    @property
    def entries(self) -> list[Message]:
        """The messages shown now, oldest first."""
        return [entry.message for entry in self._entries]

    @property
    def scheduled(self) -> bool:
        """True while a render is due (messages wait, or the throttle holds them)."""
        return self._handle is not None

    @property
    def live_images(self) -> list[widgets.Image]:
        return [entry.image for entry in self._images if entry.image is not None]

    def add(self, message: Message) -> None:
        """Queue a message for the next render (O(1); called once per message)."""
        self._pending.append(message)
        if self._handle is None:
            self._schedule()

    def extend(self, messages: Sequence[Message]) -> None:
        """Queue a batch of messages for the next render."""
        self._pending.extend(messages)
        if self._handle is None:
            self._schedule()

    def _schedule(self) -> None:
        delay = self._last_flush + self.interval - self.loop.time()
        if delay <= 0:
            # Leading edge: render on the next loop turn, batching what arrives
            # in the same turn.
            self._handle = self.loop.call_soon(self.flush)
        else:
            self._handle = self.loop.call_later(delay, self.flush)

    def flush(self) -> None:
        """Render what is pending now, in one update of the Output."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._last_flush = self.loop.time()
        if not self._pending:
            return
        pending, self._pending = self._pending, deque(maxlen=self.limit)
        # Only the newest image_limit pictures of a burst become widgets.
        pictures = sum(1 for m in pending if _is_picture(m))
        skip = max(0, pictures - self.image_limit)
        for message in pending:
            picture = _is_picture(message)
            self._push(message, picture and skip == 0)
            if picture and skip:
                skip -= 1
        self._render()

    def _push(self, message: Message, picture: bool) -> None:
        entry = _Entry(message, self.render(message))
        fmt = message.image_format
        # Only received pictures become widgets: a sent one comes back as the echo,
        # and showing both would ship its bytes to the front end twice.
        if picture and fmt is not None and self.image_limit > 0 and self.show_pictures:
            assert isinstance(message.data, bytes)
            entry.image = widgets.Image(value=message.data, format=fmt, layout={"max_width": "100%"})
            self._images.append(entry)
            if len(self._images) > self.image_limit:
                self._drop_image(self._images.popleft())
        self._entries.append(entry)
        if len(self._entries) > self.limit:
            old = self._entries.popleft()
            if old.image is not None:
                self._images.remove(old)
                self._drop_image(old)

    def _drop_image(self, entry: _Entry) -> None:
        if entry.image is not None:
            _close_image(entry.image)
            entry.image = None
            entry.line = entry.line.rstrip("\n") + " (picture no longer shown)\n"

    def _render(self) -> None:
        outputs: list[dict[str, Any]] = []
        text: list[str] = []
        for entry in self._entries:
            text.append(entry.line)
            if entry.image is not None:
                outputs.append({"output_type": "stream", "name": "stdout", "text": "".join(text)})
                text = []
                outputs.append(
                    {
                        "output_type": "display_data",
                        "data": {
                            _WIDGET_MIME: {
                                "version_major": 2,
                                "version_minor": 0,
                                "model_id": entry.image.model_id,
                            },
                            "text/plain": f"picture {entry.message.image_format}",
                        },
                        "metadata": {},
                    }
                )
        if text:
            outputs.append({"output_type": "stream", "name": "stdout", "text": "".join(text)})
        self.output.outputs = tuple(outputs)
        self.flushes += 1
        if self.on_flush is not None:
            self.on_flush()

    def refresh(self, messages: Iterable[Message]) -> None:
        """Show ``messages`` (their newest ``limit``) afresh, in one update of the Output.

        For a change of view or filter: entries are rebuilt with the current
        ``render`` and ``show_pictures``. Pictures still shown keep their widget (their
        bytes are not sent to the front end again); the others are closed.
        """
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._last_flush = self.loop.time()
        self._pending.clear()
        shown: deque[Message] = deque(messages, maxlen=self.limit)
        old = {entry.message.seq: entry.image for entry in self._images if entry.image is not None}
        self._entries.clear()
        self._images.clear()
        budget = self.image_limit if self.show_pictures else 0
        # The newest `budget` pictures are shown as pictures, as flush() would.
        pictures = {m.seq for m in reversed(shown) if _is_picture(m)}
        keep = set(sorted(pictures, reverse=True)[:budget])
        for message in shown:
            entry = _Entry(message, self.render(message))
            if message.seq in keep:
                image = old.pop(message.seq, None)
                if image is None:
                    assert isinstance(message.data, bytes) and message.image_format is not None
                    image = widgets.Image(
                        value=message.data, format=message.image_format, layout={"max_width": "100%"}
                    )
                entry.image = image
                self._images.append(entry)
            elif message.seq in pictures and self.show_pictures:
                entry.line = entry.line.rstrip("\n") + " (picture no longer shown)\n"
            self._entries.append(entry)
        for image in old.values():
            _close_image(image)
        self._render()

    def clear(self) -> None:
        """Empty the log (the history is not touched)."""
        self._pending.clear()
        for entry in self._images:
            self._drop_image(entry)
        self._images.clear()
        self._entries.clear()
        self.output.outputs = ()

    def close(self) -> None:
        """Stop rendering and close every picture widget."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        for entry in self._images:
            if entry.image is not None:
                _close_image(entry.image)
                entry.image = None
        self._images.clear()
        self._pending.clear()
