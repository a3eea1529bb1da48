"""The log's widget in the page: a small anywidget front end (``js/logwidget.js``).

Why not ipywidgets' own: an ``Output`` whose ``outputs`` change rebuilds every view
embedded in it (each shown picture was decoded ~13 times), and a Box of ``Image``
widgets costs a comm message of ~1 KB per change on top of each picture, a widget
model per picture and the page's memory to match (see docs/pictures.md). Here the
kernel sends one custom message per render with the new lines and each new
medium's bytes as a binary buffer; the page appends them, drops what left the log
and revokes its blob URLs.

Imports ipywidgets and anywidget only; the protocol's meaning lives in
:mod:`wsecho_widget.ui.logview`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import anywidget

from wsecho_widget.ui.frontend import bundle, conforms

__all__ = ["LogWidget"]

# Longer tokens are not ours: the page makes ~25 characters.
_TOKEN_LIMIT = 100


class LogWidget(anywidget.AnyWidget):
    """Shows log entries sent with :meth:`update` and :meth:`reset`.

    Each view, when it (re)renders, asks for a snapshot: ``on_snapshot(token)`` is
    called (from whichever thread the kernel delivers widget messages in) and should
    answer with ``reset(entries, buffers, token)``. A click or an arrow key in a view
    calls ``on_select(seq)`` (None: the selection was cleared), from that thread too;
    :meth:`selected` tells every view what to highlight.
    """

    _esm = bundle("logwidget.js")
    _css = (Path(__file__).parent / "logwidget.css").read_text(encoding="utf-8")

    def __init__(
        self,
        on_snapshot: Callable[[str], None],
        text: Callable[[], str] = str,
        on_select: Callable[[int | None], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.add_class("wsecho-log-entries")
        self._on_snapshot = on_snapshot
        self.on_select = on_select
        self._text = text
        self.on_msg(self._received)

    @property
    def outputs(self) -> tuple[dict[str, str], ...]:
        """The log's text as an ``Output``'s outputs (one stdout stream), read-only.

        The log was an ``ipywidgets.Output`` before: code that read
        ``panel.output.outputs`` keeps working. ``panel.log_view.text()`` is the
        plain way.
        """
        text = self._text()
        return ({"output_type": "stream", "name": "stdout", "text": text},) if text else ()

    def _received(self, _widget: Any, content: Any, _buffers: Any) -> None:
        # Messages come from the page: check their shape before acting on them.
        if conforms(content, "SnapshotRequest"):
            if 0 < len(content["token"]) <= _TOKEN_LIMIT:
                self._on_snapshot(content["token"])
        elif conforms(content, "SelectRequest") and self.on_select is not None:
            self.on_select(content["seq"])

    def update(
        self,
        *,
        drop: Sequence[tuple[int, str]] = (),
        append: Sequence[dict[str, Any]] = (),
        trim: int = 0,
        buffers: Sequence[bytes] = (),
    ) -> None:
        """Change the views in step: new text for media that left (``drop``), new
        entries at the end (``append``), then the ``trim`` oldest entries removed."""
        content: dict[str, Any] = {"kind": "update"}
        if drop:
            content["drop"] = [list(pair) for pair in drop]
        if append:
            content["append"] = list(append)
        if trim:
            content["trim"] = trim
        if len(content) > 1:
            self.send(content, list(buffers) or None)

    def selected(self, seq: int | None) -> None:
        """Tell every view which entry to highlight (None: none)."""
        self.send({"kind": "selected", "seq": seq})

    def reset(self, entries: Sequence[dict[str, Any]], buffers: Sequence[bytes], token: str | None) -> None:
        """Replace what a view shows (``token``'s view, or every view in step when None)."""
        self.send({"kind": "reset", "token": token, "entries": list(entries)}, list(buffers) or None)
