"""The Save transcript button: every kept message to a JSON lines file, off the loop.

Must not import the session, the connection or the panel: it is given the
messages to save and a place for its one-line notices.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from wsecho_widget._util.loop import in_loop
from wsecho_widget._util.tasks import keep_task
from wsecho_widget.model.message import Message
from wsecho_widget.model.transcript import default_transcript_name, save_transcript, unique_path

__all__ = ["SaveButton"]


class SaveButton(widgets.Button):  # type: ignore[misc]  # ipywidgets ships no types
    """Saves ``messages()`` as ``wsecho-transcript-<date>-<time>.jsonl`` in the working directory.

    A click writes in a thread, so the kernel's loop (and the socket) keep going
    while a long history with pictures is written; :meth:`save` writes at once.
    ``notify`` shows what happened, in one line.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        messages: Callable[[], Sequence[Message]],
        notify: Callable[[str], None],
    ) -> None:
        super().__init__(
            description="Save transcript",
            icon="download",
            tooltip="Save every kept message as JSON lines in the notebook's folder",
            layout=widgets.Layout(width="auto"),
        )
        self.loop = loop
        self.messages = messages
        self.notify = notify
        self._saving: set[Path] = set()  # names taken by saves still being written
        self._tasks: set[asyncio.Task[Any]] = set()
        self.on_click(in_loop(loop, lambda _: self.save_in_background()))

    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write the messages to ``path`` (default: a new name) now; returns the absolute path."""
        messages = list(self.messages())
        try:
            if path is None:
                path = unique_path(default_transcript_name(), self._saving)
            target = save_transcript(messages, path)
        except OSError as exc:
            self.notify(f"transcript not saved: {exc.strerror or exc}")
            raise
        self.notify(f"saved {len(messages):,} messages to {target}")
        return target

    def save_in_background(self) -> None:
        """Write the messages under a new name in a thread; the notice says when it is done."""
        messages = list(self.messages())
        try:
            target = unique_path(default_transcript_name(), self._saving)
        except OSError as exc:  # e.g. the working directory was deleted
            self.notify(f"transcript not saved: {exc.strerror or exc}")
            return
        self._saving.add(target)
        self.notify(f"saving {len(messages):,} messages…")
        keep_task(self.loop, self._tasks, self._write(messages, target))

    async def _write(self, messages: list[Message], target: Path) -> None:
        try:
            saved = await asyncio.to_thread(save_transcript, messages, target)
        except Exception as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            self.notify(f"transcript not saved: {reason} ({target})")
        else:
            self.notify(f"saved {len(messages):,} messages to {saved}")
        finally:
            self._saving.discard(target)
