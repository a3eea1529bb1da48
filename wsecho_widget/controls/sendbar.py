"""The send bar: a text input with Send, and a file picker with Send file.

It owns the input's races (Enter or a click arriving before the last keystroke)
and hands what to send to its parent's callbacks. Must not import the session,
the connection or the panel: the parent decides how to send.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from .._loop import Debouncer, in_loop
from ..model import format_size

__all__ = ["SUBMIT_GRACE", "SendBar"]

#: If the front end's value update does not follow a submit (the text did not
#: change since the last sync), send the value we have after this long.
SUBMIT_GRACE = 0.25


class SendBar(widgets.VBox):  # type: ignore[misc]  # ipywidgets ships no types
    """Two rows: ``[text, Send, *text_row_extra]`` and ``[Choose file, Send file, *file_row_extra]``.

    ``on_text(text)`` sends a text and returns True when it went out (the input is
    then cleared) or False to keep it. ``on_files([(name, bytes), ...])`` returns
    True when every file went out (the choice is then released). ``notify`` shows a
    one-line notice. Every handler runs in ``loop``'s thread.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        on_text: Callable[[str], bool],
        on_files: Callable[[list[tuple[str, bytes]]], bool],
        notify: Callable[[str], None],
        text_row_extra: Sequence[widgets.Widget] = (),
        file_row_extra: Sequence[widgets.Widget] = (),
    ) -> None:
        self._submit = Debouncer(loop, SUBMIT_GRACE, self.send_text)
        self.on_text = on_text
        self.on_files = on_files
        self.notify = notify
        self.text = widgets.Text(
            placeholder="Send a message",
            continuous_update=False,
            description="Message",
            layout=widgets.Layout(flex="1 1 auto", width="auto"),
            tooltip="Type a message; Enter or Send sends it as a text frame",
        )
        self.text.add_class("wsecho-input")  # a stable hook for tests and users' CSS
        self.send_button = widgets.Button(
            description="Send", icon="paper-plane", tooltip="Send as a text frame"
        )
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
        self.send_button.on_click(in_loop(loop, self._clicked_send))
        self.send_file_button.on_click(in_loop(loop, lambda _: self.send_files()))
        with warnings.catch_warnings():
            # on_submit is the only way to see Enter; its deprecation suggests
            # observing value, which also fires when the input loses focus.
            warnings.simplefilter("ignore", DeprecationWarning)
            self.text.on_submit(in_loop(loop, lambda _: self._submitted()))
        self.text.observe(in_loop(loop, self._on_value), "value")
        self.file_upload.observe(in_loop(loop, self._on_upload), "value")
        super().__init__(
            [
                widgets.HBox([self.text, self.send_button, *text_row_extra]),
                widgets.HBox([self.file_upload, self.send_file_button, *file_row_extra]),
            ]
        )

    def send_text(self) -> None:
        """Send what the input holds (nothing when empty); clear it once sent."""
        self._submit.cancel()
        text = self.text.value
        if text and self.on_text(text):
            self.text.value = ""

    def send_files(self) -> None:
        """Send the chosen files; release them once every one went out."""
        files = self.file_upload.value
        if files and self.on_files([(f["name"], bytes(f["content"])) for f in files]):
            self.file_upload.value = ()  # frees the bytes, here and in the browser

    def _clicked_send(self, _: object = None) -> None:
        # The click and the input's value update travel on two widgets' comms, which
        # the kernel may handle in two threads (see in_loop): the click can come
        # first. With nothing in the input yet, wait for the value as Enter does.
        if self.text.value:
            self.send_text()
        else:
            self._submitted()

    def _submitted(self) -> None:
        # Enter: the front end sends "submit" and then (if the text changed) the
        # new value. Send when the value arrives, or after a grace period.
        self._submit.restart()

    def _on_value(self, change: dict[str, Any]) -> None:
        if self._submit.pending and change["new"]:
            self.send_text()

    def _on_upload(self, change: dict[str, Any]) -> None:
        files = change["new"]
        self.send_file_button.disabled = not files
        if files:
            names = ", ".join(f"{f['name']} ({format_size(int(f['size']))})" for f in files)
            self.notify(f"chosen: {names}; Send file sends it as binary")

    def close(self) -> None:
        """Stop the pending submit, then close the widget."""
        self._submit.cancel()
        super().close()
