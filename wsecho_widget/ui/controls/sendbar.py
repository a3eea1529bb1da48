"""The send bar: a text input with Send, Multi-line and Recent; a file picker with Send file.

It owns the input's races (Enter or a click arriving before the last keystroke),
the multi-line mode (a Textarea in place of the Text) and the list of recent texts,
and hands what to send to its parent's callbacks. Must not import the session,
the connection or the panel: the parent decides how to send.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import anywidget
import ipywidgets as widgets

from wsecho_widget._util.loop import Debouncer, in_loop
from wsecho_widget.model.message import Message, format_size
from wsecho_widget.ui.frontend import bundle, conforms

__all__ = ["RECENT_LIMIT", "SUBMIT_GRACE", "SendBar", "recent_label"]

#: If the front end's value update does not follow a submit (the text did not
#: change since the last sync), send the value we have after this long.
SUBMIT_GRACE = 0.25
#: How many distinct sent texts Recent offers.
RECENT_LIMIT = 20
_RECENT_PROMPT = "Recent…"


def recent_label(text: str, width: int = 40) -> str:
    """How Recent shows a text: its first line, shortened, and how many lines it has."""
    lines = text.splitlines() or [""]
    first = lines[0].strip()
    if len(first) > width:
        first = first[: width - 1] + "…"
    return f"{first} ({len(lines)} lines)" if len(lines) > 1 else first


class ComposerKeys(anywidget.AnyWidget):
    """The composer's keys (``js/composerkeys.js``): draws nothing, hears its send bar's
    keys; ``on_request(content)`` gets each well-formed ``ComposerRequest``."""

    _esm = bundle("composerkeys.js")

    def __init__(self, on_request: Callable[[dict[str, Any]], None], **kwargs: Any) -> None:
        super().__init__(layout=widgets.Layout(display="none"), **kwargs)
        self._on_request = on_request
        self.on_msg(self._received)

    def _received(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if conforms(content, "ComposerRequest"):  # from the page: its shape checked first
            self._on_request(content)


class SendBar(widgets.VBox):  # type: ignore[misc]  # ipywidgets ships no types
    """Two rows: ``[*text_row_first, input, Send, Multi-line, Recent, *text_row_extra]``
    and ``[Choose file, Send file, *file_row_extra]``.

    ``on_text(text)`` sends a text and returns True when it went out (the input is
    then cleared and the text joins Recent) or False to keep it. ``on_files([(name,
    bytes), ...])`` returns True when every file went out (the choice is then
    released). ``notify`` shows a one-line notice. Every handler runs in ``loop``'s
    thread.

    **Multi-line** swaps the one-line ``text`` for ``textarea`` (what was typed goes
    along): Send then sends the whole text, newlines included, as one frame. The
    mode stays until toggled back (``multiline``). **Recent** offers the last
    :data:`RECENT_LIMIT` distinct texts sent from the bar, newest first; choosing
    one puts it in the input to edit or send. :meth:`forget_recent` empties it.

    Keys: Enter sends the one-line text; Ctrl+Enter (Cmd+Enter) the multi-line one;
    Up in the empty one-line input recalls the Recent texts one by one like a shell,
    Down goes back toward the newest (:class:`ComposerKeys` hears them in the page).
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
        text_row_first: Sequence[widgets.Widget] = (),
    ) -> None:
        self._submit = Debouncer(loop, SUBMIT_GRACE, self.send_text)
        self.on_text = on_text
        self.on_files = on_files
        self.notify = notify
        self._make_composer()
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
        self.textarea.observe(in_loop(loop, self._on_value), "value")
        self.multiline_button.observe(in_loop(loop, self._on_multiline), "value")
        self.recent.observe(in_loop(loop, self._on_recent), "value")
        self.file_upload.observe(in_loop(loop, self._on_upload), "value")
        self._recalled = -1  # which Recent text Up put in the input (-1: none)
        self.composer_keys = ComposerKeys(in_loop(loop, self._on_keys))
        text_row = [self.text, self.textarea, self.send_button, self.multiline_button, self.recent]
        rows = [
            [*text_row_first, *text_row, *text_row_extra],
            [self.file_upload, self.send_file_button, *file_row_extra],
        ]
        # A narrow notebook wraps a row rather than squeezing its buttons to "…".
        boxes = [widgets.HBox(row, layout=widgets.Layout(flex_flow="row wrap")) for row in rows]
        super().__init__([*boxes, self.composer_keys])
        self.add_class("wsecho-sendbar")

    def _make_composer(self) -> None:
        # The one-line input, the multi-line one (hidden until toggled), its toggle, and Recent.
        self.text = widgets.Text(
            placeholder="Send a message",
            continuous_update=False,
            description="Message",
            layout=widgets.Layout(flex="1 1 auto", width="auto"),
            tooltip="Type a message; Enter or Send sends it as a text frame",
        )
        self.text.add_class("wsecho-input")  # a stable hook for tests and users' CSS
        self.textarea = widgets.Textarea(
            placeholder="A text frame over several lines: Send sends it whole",
            continuous_update=False,
            description="Message",
            rows=6,
            layout=widgets.Layout(flex="1 1 auto", width="auto", display="none"),
            tooltip="Type a message over several lines; Send sends it as one text frame",
        )
        self.textarea.add_class("wsecho-input-multiline")
        self.multiline_button = widgets.ToggleButton(
            value=False,
            description="Multi-line",
            icon="align-left",
            tooltip="Write over several lines (a text area); Send sends the whole text as one frame",
            layout=widgets.Layout(width="auto", flex="0 0 auto"),
        )
        self._recent: list[str] = []
        # The description is the select's <label for>: its accessible name (a tooltip
        # alone names nothing: JupyterLab 4 reads the select as an unnamed combobox).
        self.recent = widgets.Dropdown(
            options=[(_RECENT_PROMPT, "")],
            value="",
            description="Recent",
            tooltip=f"The last {RECENT_LIMIT} texts sent from here, newest first: choose one to send again",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="15em", flex="0 0 auto"),
        )
        self.recent.add_class("wsecho-recent")

    @property
    def multiline(self) -> bool:
        """True while the input is the multi-line ``textarea``."""
        return bool(self.multiline_button.value)

    @multiline.setter
    def multiline(self, value: bool) -> None:
        self.multiline_button.value = bool(value)

    @property
    def input(self) -> widgets.Text | widgets.Textarea:
        """The input in use: ``textarea`` in multi-line mode, else ``text``."""
        return self.textarea if self.multiline else self.text

    @property
    def recent_texts(self) -> list[str]:
        """What Recent offers, newest first."""
        return list(self._recent)

    def send_text(self) -> None:
        """Send what the input holds (nothing when empty); clear it once sent."""
        self._submit.cancel()
        field = self.input
        text = field.value
        if text and self.on_text(text):
            field.value = ""
            self.remember(text)
            self._recalled = -1

    def edit(self, message: Message) -> None:
        """Put a text message's text in the input to change and send (multi-line if it
        has a newline); a binary message is not text to edit and is left alone."""
        if isinstance(message.data, str):
            if "\n" in message.data:
                self.multiline = True
            self.input.value = message.data

    def recall(self, step: int) -> None:
        """Put the next older (``step`` 1) or newer (-1) Recent text in the input; past
        the newest, the input is empty again."""
        index = max(-1, min(len(self._recent) - 1, self._recalled + step))
        self._recalled = index
        self.text.value = self._recent[index] if index >= 0 else ""

    def _on_keys(self, content: dict[str, Any]) -> None:
        if content["kind"] == "recall" and isinstance(content.get("step"), int):
            self.recall(1 if content["step"] > 0 else -1)
        elif content["kind"] == "submit" and isinstance(content.get("text"), str) and self.multiline:
            self.textarea.value = content["text"]  # the area syncs only on blur: the page sends it
            self.send_text()

    def remember(self, text: str) -> None:
        """Put ``text`` first in Recent (once: an older copy moves up)."""
        if text in self._recent:
            self._recent.remove(text)
        self._recent.insert(0, text)
        del self._recent[RECENT_LIMIT:]
        self._show_recent()

    def forget_recent(self) -> None:
        """Empty Recent: nothing typed stays there (the panel calls this on Clear)."""
        self._recent.clear()
        self._show_recent()

    def _show_recent(self) -> None:
        options = [(_RECENT_PROMPT, ""), *((recent_label(text), text) for text in self._recent)]
        with self.recent.hold_trait_notifications():
            self.recent.options = options
            self.recent.value = ""

    def _on_recent(self, change: dict[str, Any]) -> None:
        text = change["new"]
        if not text:
            return
        if "\n" in text:
            self.multiline = True
        self.input.value = text
        self.recent.value = ""  # back to the prompt: the same text can be chosen again

    def _on_multiline(self, change: dict[str, Any]) -> None:
        on = bool(change["new"])
        old, new = (self.text, self.textarea) if on else (self.textarea, self.text)
        new.value, old.value = old.value, ""
        old.layout.display = "none"
        new.layout.display = None
        self.multiline_button.icon = "align-justify" if on else "align-left"

    def send_files(self) -> None:
        """Send the chosen files; release them once every one went out."""
        files = self.file_upload.value
        if files and self.on_files([(f["name"], bytes(f["content"])) for f in files]):
            self.file_upload.value = ()  # frees the bytes, here and in the browser

    def _clicked_send(self, _: object = None) -> None:
        # The click and the input's value update travel on two widgets' comms, which
        # the kernel may handle in two threads (see in_loop): the click can come
        # first. With nothing in the input yet, wait for the value as Enter does.
        # The text area syncs only when it loses focus, just before the click: what
        # the kernel holds may be an older text, so always wait for the value there.
        if self.text.value and not self.multiline:
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
        self.composer_keys.close()
        super().close()
