"""The panel's log: renders messages into a :class:`LogWidget`, in batches.

Messages wait in a bounded list and one render per ``interval`` (a throttle,
leading and trailing; ``media_interval`` while a picture, sound or video waits:
:mod:`wsecho_widget.ui._pace`) sends the page what changed, as one message: the new lines,
each newly shown medium's bytes as a binary buffer (once: later renders never send
them again), the media that left and how many old entries to drop. Only the newest
``limit`` entries are kept, ``image_limit`` of them with their picture, sound or
video; pictures whose header declares more than ``limits`` allow are never sent.

How a message reads as text comes from :mod:`wsecho_widget.ui.render`. Must not
import the panel, the controls, the session or the connection.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from wsecho_widget.model.media import MediaLimits, is_animated
from wsecho_widget.model.message import Message
from wsecho_widget.ui._pace import RenderPace
from wsecho_widget.ui.logwidget import LogWidget
from wsecho_widget.ui.render import render_line

__all__ = ["LogView"]


def _media_type(message: Message) -> str | None:
    # Only received media are shown: a sent one comes back as the echo, and
    # showing both would ship its bytes to the page twice.
    return message.media_type if message.direction == "received" else None


class _Entry:
    __slots__ = ("line", "message", "page", "shown")

    def __init__(self, message: Message, line: str) -> None:
        self.message = message
        self.line = line
        self.shown = False  # its medium is shown
        self.page = False  # the page has it


def _note(line: str, note: str) -> str:
    """``line`` with ``note`` added at its end (before its newline)."""
    return line.removesuffix("\n") + f" {note}\n"


class LogView:
    """Batched, bounded rendering of messages into ``widget`` (a :class:`LogWidget`).

    ``on_flush`` runs after each render, for status lines that should update at the
    same pace. ``render`` makes an entry's text; ``show_pictures`` False shows media
    as text only (the hex view); ``live`` True leaves pictures to a live view.

    ``pace`` (a :class:`RenderPace`) says when: renders with received media at most
    once per ``media_interval`` (by default 5 x ``interval``), also when the pictures go
    to the live view or the hex view instead (a camera's log lines need no 20 updates a
    second); a steady feed every ``steady_interval`` (by default 4 x ``interval``: 5 a
    second; the stats line follows each render).
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        limit: int = 200,
        image_limit: int = 20,
        interval: float = 0.05,
        media_interval: float | None = None,
        steady_interval: float | None = None,
        steady_after: float = 1.0,
        on_flush: Callable[[], None] | None = None,
        limits: MediaLimits | None = None,
    ) -> None:
        if media_interval is None:
            media_interval = 5 * interval
        if steady_interval is None:
            steady_interval = 4 * interval
        if limit < 1 or image_limit < 0:
            raise ValueError("limit must be >= 1, image_limit >= 0")
        self.loop = loop
        self.pace = RenderPace(
            loop,
            self.flush,
            interval=interval,
            media_interval=media_interval,
            steady_interval=steady_interval,
            steady_after=steady_after,
        )
        self.widget = LogWidget(self._snapshot_asked, self.text, layout={"flex": "0 0 auto"})
        self.limit = limit
        self.image_limit = image_limit
        self.on_flush = on_flush
        self.limits = limits if limits is not None else MediaLimits()
        self.flushes = 0
        #: How a message becomes its log text; the panel swaps it for JSON and hex views.
        self.render: Callable[[Message], str] = render_line
        #: False shows received media as text (the hex view) instead.
        self.show_pictures = True
        #: True while pictures go to a live view instead of the log (their lines stay).
        self.live = False
        self._pending: deque[Message] = deque(maxlen=limit)
        self._entries: deque[_Entry] = deque()
        self._media: deque[_Entry] = deque()  # entries whose medium is shown
        self._dropped: list[_Entry] = []  # shown media that left since the last render
        self._trimmed = 0  # entries the page has that left since the last render

    @property
    def entries(self) -> list[Message]:
        """The messages shown now, oldest first."""
        return [entry.message for entry in self._entries]

    @property
    def shown_media(self) -> list[Message]:
        """The messages whose picture, sound or video is shown now, oldest first."""
        return [entry.message for entry in self._media]

    @property
    def scheduled(self) -> bool:
        """True while a render is due (messages wait, or the throttle holds them)."""
        return self.pace.scheduled

    def text(self) -> str:
        """The whole log's text as shown, oldest first."""
        return "".join(entry.line for entry in self._entries)

    def add(self, message: Message) -> None:
        """Queue a message for the next render (O(1); called once per message)."""
        self._pending.append(message)
        self.pace.queued(_media_type(message) is not None)

    def extend(self, messages: Sequence[Message]) -> None:
        """Queue a batch of messages for the next render."""
        self._pending.extend(messages)
        self.pace.queued(any(_media_type(m) is not None for m in messages))

    def flush(self) -> None:
        """Render what is pending now, in one message to the page."""
        self.pace.done()
        if not self._pending:
            return
        pending, self._pending = self._pending, deque(maxlen=self.limit)
        # Only the newest image_limit media of a burst reach the page.
        skip = max(0, sum(1 for m in pending if self._showable(m)) - self.image_limit)
        for message in pending:
            show = self._showable(message)
            if show and skip:
                skip, show = skip - 1, False
            self._append(self._entry(message), show)
        self._send_update()

    def _entry(self, message: Message) -> _Entry:
        entry = _Entry(message, self.render(message))
        size = message.image_size
        if size is not None and self.show_pictures and message.direction == "received":
            reason = self.limits.refusal(size)
            if reason is not None:
                fmt = message.image_format
                entry.line = _note(entry.line, f"· {fmt} {size[0]}x{size[1]} not shown: {reason}")
        return entry

    def _showable(self, message: Message) -> bool:
        """Whether ``message``'s medium would be shown in the log now."""
        if not self.show_pictures or self.image_limit == 0:
            return False
        media_type = _media_type(message)
        if media_type is None:
            return False
        if media_type.startswith("image/"):
            size = message.image_size
            return not self.live and size is not None and self.limits.refusal(size) is None
        return True

    def _append(self, entry: _Entry, show: bool) -> None:
        if show:
            if len(self._media) >= self.image_limit:
                self._drop(self._media.popleft())
            entry.shown = True
            self._media.append(entry)
        self._entries.append(entry)
        while len(self._entries) > self.limit:
            old = self._entries.popleft()
            if old.shown:
                self._media.remove(old)
            self._trimmed += old.page

    def _drop(self, entry: _Entry) -> None:
        entry.shown = False
        entry.line = _note(entry.line, "(picture no longer shown)")
        if entry.page:
            self._dropped.append(entry)

    def _item(self, entry: _Entry, buffers: list[bytes], keep: bool = False) -> dict[str, Any]:
        message = entry.message
        item: dict[str, Any] = {"seq": message.seq, "text": entry.line}
        if entry.shown:
            if keep:
                item["keep"] = True
            else:
                assert isinstance(message.data, bytes)
                item["media"] = _media_type(message)
                item["buffer"] = len(buffers)
                buffers.append(message.data)
                size = message.image_size
                if size is not None:
                    item["size"] = size
                    item["animated"] = is_animated(message.data)
        entry.page = True
        return item

    def _send_update(self) -> None:
        new: list[_Entry] = []
        for entry in reversed(self._entries):
            if entry.page:
                break
            new.append(entry)
        buffers: list[bytes] = []
        append = [self._item(entry, buffers) for entry in reversed(new)]
        drop = [(entry.message.seq, entry.line) for entry in self._dropped]
        self.widget.update(drop=drop, append=append, trim=self._trimmed, buffers=buffers)
        self._dropped.clear()
        self._trimmed = 0
        self._rendered()

    def _rendered(self) -> None:
        self.flushes += 1
        if self.on_flush is not None:
            self.on_flush()

    def _snapshot_asked(self, token: str) -> None:
        # Called from the kernel's widget-message handler: answer in the loop's thread.
        self.loop.call_soon_threadsafe(self._snapshot, token)

    def _snapshot(self, token: str) -> None:
        """Send one view everything the page should show now (every shown medium's bytes)."""
        buffers: list[bytes] = []
        entries = [self._item(entry, buffers) for entry in self._entries if entry.page]
        self.widget.reset(entries, buffers, token)

    def refresh(self, messages: Iterable[Message]) -> None:
        """Show ``messages`` (their newest ``limit``) afresh, in one message.

        For a change of view or filter: entries are rebuilt with the current
        ``render``, ``show_pictures`` and ``live``. Media still shown keep their
        element in the page (their bytes are not sent again); the others are let go.
        """
        self.pace.done()
        self._pending.clear()
        shown: deque[Message] = deque(messages, maxlen=self.limit)
        before = {entry.message.seq for entry in self._media if entry.page}
        self._entries.clear()
        self._media.clear()
        showable = [m.seq for m in shown if self._showable(m)]
        keep = set(showable[len(showable) - self.image_limit :]) if self.image_limit else set()
        left = set(showable) - keep
        for message in shown:
            entry = self._entry(message)
            if message.seq in keep:
                entry.shown = True
                self._media.append(entry)
            elif message.seq in left:
                entry.line = _note(entry.line, "(picture no longer shown)")
            self._entries.append(entry)
        buffers: list[bytes] = []
        items = [self._item(e, buffers, keep=e.message.seq in before) for e in self._entries]
        self.widget.reset(items, buffers, None)
        self._dropped.clear()
        self._trimmed = 0
        self._rendered()

    def clear(self) -> None:
        """Empty the log (the history is not touched)."""
        self._pending.clear()
        self.refresh(())

    def close(self) -> None:
        """Stop rendering and close the widget (the page lets go of every medium)."""
        self.pace.done()
        self._pending.clear()
        self._entries.clear()
        self._media.clear()
        layout = self.widget.layout
        self.widget.close()
        layout.close()
