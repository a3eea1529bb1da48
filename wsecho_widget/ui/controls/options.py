"""The connection options form: URL, subprotocols, extra headers, compression, Apply.

It collects settings; the checks are :mod:`wsecho_widget.client.options`' (the ones
``Session.configure`` applies), and the parent applies them. Header values are
secrets: they stay in ``headers`` (kernel memory), never in a widget trait a
notebook could save. Must not import the session or the panel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets

from wsecho_widget._util.loop import in_loop
from wsecho_widget.client.options import check_header

__all__ = ["OptionsForm"]

# The labels, wide enough for "Subprotocols".
_STYLE = {"description_width": "7em"}
_FILL = {"flex": "1 1 auto", "width": "auto", "min_width": "0"}
_FIT = {"width": "auto", "flex": "0 0 auto"}


class OptionsForm(widgets.VBox):  # type: ignore[misc]  # ipywidgets ships no types
    """The collapsed options area; :attr:`toggle_button` shows it (place it anywhere).

    ``on_apply()`` runs on "Apply and reconnect": the parent reads :attr:`url`,
    :attr:`subprotocols`, :attr:`headers` and :attr:`compression` (after
    :meth:`add_header` for a header typed but not added). ``notify`` shows a
    one-line notice. Handlers run in ``loop``'s thread.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        on_apply: Callable[[], None],
        notify: Callable[[str], None],
        subprotocols: Sequence[str] = (),
        headers: Sequence[tuple[str, str]] = (),
        compression: bool = False,
    ) -> None:
        self.notify = notify
        #: Extra handshake headers, ``(name, value)``; the values are shown masked only.
        self.headers: list[tuple[str, str]] = list(headers)
        self._make_inputs(subprotocols)
        self._make_controls(compression)
        self.add_header_button.on_click(in_loop(loop, lambda _: self.add_header()))
        self.clear_headers_button.on_click(in_loop(loop, lambda _: self.clear_headers()))
        self.apply_button.on_click(in_loop(loop, lambda _: on_apply()))
        self.toggle_button.observe(in_loop(loop, self._on_toggle), "value")
        super().__init__(
            [
                self.url_input,
                self.subprotocols_input,
                widgets.HBox([self.header_name, self.header_value, self.add_header_button]),
                widgets.HBox([self.headers_label, self.clear_headers_button]),
                self.compression_box,
                widgets.HBox([self.apply_button, self.negotiated_label]),
            ],
            layout=widgets.Layout(
                border="1px solid var(--jp-border-color2, #e0e0e0)",
                padding="4px 6px",
                margin="2px 0",
                display="none",  # collapsed until asked for
            ),
        )
        self.add_class("wsecho-options")
        self._show_headers()

    def _make_inputs(self, subprotocols: Sequence[str]) -> None:
        self.url_input = widgets.Text(
            description="URL",
            placeholder="ws://host:port/path (empty: keep the current URL)",
            tooltip="The server to connect to on Apply",
            layout=widgets.Layout(width="auto"),
            style=_STYLE,
        )
        self.subprotocols_input = widgets.Text(
            value=", ".join(subprotocols),
            description="Subprotocols",
            placeholder="comma-separated, e.g. chat, json",
            tooltip="Subprotocols to offer, in order of preference",
            layout=widgets.Layout(width="auto"),
            style=_STYLE,
        )
        self.header_name = widgets.Text(
            description="Header",
            placeholder="name, e.g. Authorization",
            tooltip="Name of an extra HTTP header for the opening handshake",
            style=_STYLE,
            layout=widgets.Layout(**_FILL),
        )
        self.header_value = widgets.Password(
            description="Value",
            placeholder="masked; cleared once added",
            tooltip="The header's value: kept in the kernel only, cleared from this box once added",
            layout=widgets.Layout(**_FILL),
        )

    def _make_controls(self, compression: bool) -> None:
        self.add_header_button = widgets.Button(
            description="Add header",
            icon="plus",
            tooltip="Add this header (its value is then cleared)",
            layout=widgets.Layout(**_FIT),
        )
        self.clear_headers_button = widgets.Button(
            description="Clear headers",
            icon="times",
            tooltip="Forget every extra header",
            layout=widgets.Layout(**_FIT),
        )
        self.headers_label = widgets.Label(tooltip="extra headers (values masked)")
        self.compression_box = widgets.Checkbox(
            value=compression,
            description="Compression (permessage-deflate)",
            tooltip="Offer permessage-deflate compression to the server",
            indent=False,
        )
        self.apply_button = widgets.Button(
            description="Apply and reconnect",
            icon="refresh",
            button_style="primary",
            tooltip="Reconnect with these options",
            layout=widgets.Layout(width="auto"),
        )
        self.negotiated_label = widgets.Label(tooltip="what the server agreed to in the opening handshake")
        # A toggle button, not an Accordion: the Accordion's header is a plain div
        # that keyboards cannot reach and screen readers do not announce as a control.
        self.toggle_button = widgets.ToggleButton(
            value=False,
            description="Connection options",
            icon="caret-right",
            tooltip="Show or hide the URL, subprotocols, headers and compression to connect with",
            layout=widgets.Layout(width="auto"),
        )

    @property
    def url(self) -> str | None:
        """The URL typed, or None when the box is empty."""
        return str(self.url_input.value).strip() or None

    @property
    def subprotocols(self) -> list[str]:
        """The subprotocols typed, in order of preference (comma-separated, blanks dropped).

        Not checked here: ``Session.configure`` checks them.
        """
        return [p.strip() for p in str(self.subprotocols_input.value).split(",") if p.strip()]

    @property
    def compression(self) -> bool:
        """True when permessage-deflate should be offered."""
        return bool(self.compression_box.value)

    def settings(self) -> dict[str, Any]:
        """The handshake settings the form holds, as ``Session.configure()`` takes them."""
        compression = "deflate" if self.compression else None
        return {"subprotocols": self.subprotocols, "headers": self.headers, "compression": compression}

    def add_header(self) -> bool:
        """Add the header typed (nothing typed: nothing to do); False when refused."""
        name = self.header_name.value.strip()
        value = self.header_value.value
        # Cleared at once, whatever happens next: the value must not stay in the
        # widget's state, which the notebook may save.
        self.header_value.value = ""
        if not name and not value:
            return True
        try:
            name, value = check_header(name, value)
        except ValueError as exc:
            self.notify(str(exc))
            return False
        self.headers = [(n, v) for n, v in self.headers if n.lower() != name.lower()]
        self.headers.append((name, value))
        self.header_name.value = ""
        self._show_headers()
        self.notify(f"header {name} added; Apply and reconnect uses it")
        return True

    def clear_headers(self) -> None:
        """Forget every extra header."""
        self.headers = []
        self._show_headers()
        self.notify("extra headers cleared")

    def show_connection(self, status: str, url: str | None, negotiated: Mapping[str, Any]) -> None:
        """Show what the handshake agreed to (``{"subprotocol", "extensions"}``) and the URL.

        Kept while connecting (what the last connection agreed to); cleared once closed.
        """
        if status == "open":
            extensions = ", ".join(negotiated["extensions"]) or "none"
            subprotocol = negotiated["subprotocol"] or "none"
            self.negotiated_label.value = f"negotiated: subprotocol {subprotocol} · extensions {extensions}"
        elif status in ("closed", "error"):
            self.negotiated_label.value = ""
        if url:
            self.url_input.placeholder = f"{url} (empty: keep this URL)"

    def _show_headers(self) -> None:
        shown = " · ".join(f"{name}: ***" for name, _ in self.headers)
        self.headers_label.value = shown or "no extra headers"

    def _on_toggle(self, change: dict[str, Any]) -> None:
        shown = bool(change["new"])
        self.layout.display = None if shown else "none"
        self.toggle_button.icon = "caret-down" if shown else "caret-right"
