"""The status line (status and URL) and the stats line (totals and the last notice).

Labels only: they show what the parent tells them. Must not import the session,
the connection or the panel (the parent reads those and calls ``show``).
"""

from __future__ import annotations

from collections.abc import Sequence

import ipywidgets as widgets

from wsecho_widget.ui.render import status_text

__all__ = ["NoticeBar", "StatusBar"]

# Theme variables, with fallbacks for front ends without the Jupyter theme.
STATUS_COLOR = {
    "connecting": "var(--jp-warn-color1, #f57c00)",
    "open": "var(--jp-success-color1, #388e3c)",
    "closing": "var(--jp-warn-color1, #f57c00)",
    "closed": "var(--jp-ui-font-color2, #757575)",
    "error": "var(--jp-error-color1, #d32f2f)",
    # A server's states (the server panel).
    "starting": "var(--jp-warn-color1, #f57c00)",
    "listening": "var(--jp-success-color1, #388e3c)",
}


class StatusBar(widgets.HBox):  # type: ignore[misc]  # ipywidgets ships no types
    """``● open · round trip 1.2 ms`` in the status's colour, then the (masked) URL."""

    def __init__(self) -> None:
        self.status_label = widgets.Label(tooltip="connection status and last ping round trip")
        self.status_label.add_class("wsecho-status")  # a stable hook for tests and users' CSS
        self.url_label = widgets.Label(tooltip="server URL", layout={"margin": "0 0 0 1em"})
        super().__init__([self.status_label, self.url_label])

    def show(
        self, status: str, detail: str = "", url: str | None = None, latency: float | None = None
    ) -> None:
        """Show ``status`` (with ``detail`` unless open, the round trip when open) and ``url``."""
        self.status_label.value = status_text(status, detail, latency)
        self.status_label.style.text_color = STATUS_COLOR[status]
        self.url_label.value = url or ""


class NoticeBar(widgets.HBox):  # type: ignore[misc]
    """The totals line and, beside it, what happened to the last action."""

    def __init__(self) -> None:
        self.stats_label = widgets.Label(tooltip="messages and bytes sent and received")
        self.notice_label = widgets.Label(
            tooltip="what happened to the last action", layout={"margin": "0 0 0 1em"}
        )
        super().__init__([self.stats_label, self.notice_label])

    @property
    def notice(self) -> str:
        """The notice shown now."""
        return str(self.notice_label.value)

    def notify(self, text: str) -> None:
        """Show one line about the last action ("" clears it)."""
        self.notice_label.value = text

    def show_stats(self, parts: Sequence[str]) -> None:
        """Show ``parts`` joined with `` · ``; synced to the browser only when it changed."""
        value = " · ".join(parts)
        if self.stats_label.value != value:
            self.stats_label.value = value
