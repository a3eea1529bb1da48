"""The client panel's connection options, for people and code: :class:`PanelOptions`.

What the **Connection options** area holds (URL, subprotocols, headers,
compression) is checked, given to the session and used for the next connection by
:meth:`PanelOptions.apply_options`. A mixin of
:class:`~wsecho_widget.ui.panel.WebSocketPanel`; no widgets of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from wsecho_widget.client.connection import ChannelError, check_url

if TYPE_CHECKING:
    from wsecho_widget.client.session import Session
    from wsecho_widget.ui.controls import NoticeBar, OptionsForm

__all__ = ["PanelOptions"]


class PanelOptions:
    """``apply_options()`` and the header names shown, over a session and its options form."""

    if TYPE_CHECKING:  # the panel's parts this mixin works on (not part of its API)
        session: Session
        options_form: OptionsForm
        notice_bar: NoticeBar

    def _notify(self, text: str) -> None:
        raise NotImplementedError

    def connect(self, url: str | None = None) -> asyncio.Future[None]:
        raise NotImplementedError

    @property
    def headers(self) -> list[str]:
        """The names of the extra handshake headers (values are never shown)."""
        return [name for name, _ in self.options_form.headers]

    def apply_options(self) -> asyncio.Future[None]:
        """Reconnect with what the options area holds: URL, subprotocols, headers, compression.

        An empty URL (or the current one) reconnects to the current URL — the
        embedded echo server if that is where the panel is. A header typed but not
        yet added is added first. Raises :class:`ChannelError` for an invalid URL
        or header, and changes nothing then.
        """
        form = self.options_form
        url = form.url if form.url != self.session.url else None
        try:
            if url is not None:
                check_url(url)  # before the typed header is taken
            if not form.add_header():
                raise ChannelError(self.notice_bar.notice)
            try:
                self.session.configure(**form.settings())
            except ValueError as exc:
                raise ChannelError(str(exc)) from None
        except ChannelError as exc:
            self._notify(str(exc))
            raise
        done = self.connect(url)
        form.url_input.value = ""
        return done

    def _apply_clicked(self) -> None:
        # The status line says how the connection went; the button only starts it.
        with contextlib.suppress(ChannelError):
            self.apply_options()
