"""The panel: an ipywidgets view of a :class:`~wsecho_widget.session.Session`.

It composes the parts in :mod:`wsecho_widget.controls` (status, send bar, options,
log), shows the session's state in them and forwards what the user does to the
session. The socket itself runs as tasks in the kernel's own event loop; nothing
here blocks that loop.

Must not reach into other modules' private names; the parts must not import this.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import ssl as _ssl
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import ipywidgets as widgets
import traitlets

from ._tasks import keep_task
from .connection import ChannelError, WebSocketChannel, check_url
from .controls import Debouncer, LogPanel, NoticeBar, OptionsForm, SendBar, StatusBar, in_loop
from .handshake import handshake_options, header_pairs
from .hooks import DEFAULT_STREAM_SIZE, MessageHooks, MessageStream, callback_name
from .model import DEFAULT_HISTORY_LIMIT, History, Message, format_size
from .server import EchoServer
from .session import STATUSES, Session, Status
from .transcript import default_transcript_name, load_transcript, save_transcript, unique_path

__all__ = ["WebSocketPanel"]

# How often the status line looks at the connection's latency: websockets updates
# it on each keepalive pong (every 10 s by default here) and tells nobody.
_LATENCY_REFRESH = 2.0

_Callback = TypeVar("_Callback", bound=Callable[[Message], Any])


class WebSocketPanel(widgets.VBox):  # type: ignore[misc]  # ipywidgets ships no types
    """A live WebSocket client in a notebook: a text input, Send, and a log.

    ``WebSocketPanel()`` starts an echo server inside the kernel and connects to it;
    ``WebSocketPanel("ws://host:port/path", **options)`` talks to any server, with
    ``options`` passed to :func:`websockets.asyncio.client.connect`
    (``ping_interval`` and ``ping_timeout`` default to 10 s here).

    ``reconnect=True`` (the default) reopens a connection that failed or dropped,
    after ``reconnect_delays`` (seconds, the last one repeating, or a callable that
    returns an iterator of them; default: backoff from 0-1 s up to 30 s, with
    jitter). Disconnect stops it. See :class:`~wsecho_widget.session.Session`.
    """

    status = traitlets.Enum(
        STATUSES, default_value="connecting", help="connecting, open, closing, closed or error"
    )
    status_detail = traitlets.Unicode("", help="one line on the status: the URL, or why it failed")
    url = traitlets.Unicode(
        None, allow_none=True, help="the server's URL, secrets masked (the embedded one when none was given)"
    )
    latency = traitlets.Float(
        None, allow_none=True, help="the last ping's round trip in seconds, None before the first"
    )

    def __init__(
        self,
        url: str | None = None,
        *,
        additional_headers: Any = None,
        subprotocols: Sequence[str] | None = None,
        ssl: _ssl.SSLContext | bool | None = None,
        max_size: int | None = 16 * 2**20,
        open_timeout: float | None = 10,
        history_limit: int = DEFAULT_HISTORY_LIMIT,
        log_limit: int = 200,
        image_limit: int = 20,
        render_interval: float = 0.05,
        autoconnect: bool = True,
        **options: Any,
    ) -> None:
        # Header values may be secrets: they live in the session's options only,
        # never in a widget trait (which the notebook could save).
        headers = header_pairs(additional_headers) if additional_headers is not None else []
        passed = {
            "additional_headers": headers or None,
            "subprotocols": list(subprotocols) if subprotocols is not None else None,
            "ssl": ssl,
        }
        options.update({k: v for k, v in passed.items() if v is not None})
        options.update(max_size=max_size, open_timeout=open_timeout)
        # The session checks the loop and the URL first: a bad call fails before
        # any widget exists.
        self.session = Session(
            url,
            history_limit=history_limit,
            on_status=self._show_status,
            on_messages=self._show_messages,
            **options,
        )
        loop = self.session.loop
        self._tasks: set[asyncio.Task[Any]] = set()
        self._saving: set[Path] = set()
        #: The newest exceptions raised by on_message callbacks (for a traceback).
        self.callback_errors: deque[BaseException] = deque(maxlen=20)
        self._callback_failures = 0
        self._hook_notice = ""
        self.hooks = MessageHooks(loop, self._callback_failed)
        # A callback failing on every message of a flood: news at the log's pace.
        self._hook_news = Debouncer(loop, render_interval, lambda: self._notify(self._hook_notice))
        self._latency_tick = Debouncer(loop, _LATENCY_REFRESH, self._tick_latency)
        self.log_panel = LogPanel(
            loop,
            self.session.history,
            limit=log_limit,
            image_limit=image_limit,
            interval=render_interval,
            on_change=self._update_stats,
        )
        self._compose(loop, headers)
        self._update_stats()
        self._latency_tick.start()
        if autoconnect:
            self.session.connect()
        else:
            self._show_status("closed", "not connected yet")

    def _compose(self, loop: asyncio.AbstractEventLoop, headers: list[tuple[str, str]]) -> None:
        # The parts, laid out as rows; then today's public names for their widgets.
        options = self.session.options
        self.status_bar = StatusBar()
        self.notice_bar = NoticeBar()
        self.connect_button = widgets.Button(
            description="Disconnect", tooltip="Close or reopen the connection"
        )
        self.clear_button = widgets.Button(description="Clear", icon="trash", tooltip="Clear the log")
        self.save_button = widgets.Button(
            description="Save transcript",
            icon="download",
            tooltip="Save every kept message as JSON lines in the notebook's folder",
            layout=widgets.Layout(width="auto"),
        )
        self.options_form = OptionsForm(
            loop,
            on_apply=self._apply_clicked,
            notify=self._notify,
            subprotocols=options.get("subprotocols") or (),
            headers=headers,
            compression=options.get("compression") == "deflate",
        )
        self.send_bar = SendBar(
            loop,
            on_text=self._send_text,
            on_files=self._send_files,
            notify=self._notify,
            text_row_extra=[self.connect_button, self.clear_button],
            file_row_extra=[self.save_button, self.options_form.toggle_button],
        )
        self.connect_button.on_click(in_loop(loop, lambda _: self._toggle_connection()))
        self.clear_button.on_click(in_loop(loop, lambda _: self.clear()))
        self.save_button.on_click(in_loop(loop, lambda _: self._save_clicked()))
        rows = [self.status_bar, self.send_bar, self.options_form, self.notice_bar, self.log_panel]
        super().__init__(children=rows, layout=widgets.Layout(width="100%"))
        self.add_class("wsecho-panel")  # a stable hook for the browser tests and users' CSS

        # The same objects as the parts' widgets, under the names the panel always had.
        bar, form, log = self.send_bar, self.options_form, self.log_panel
        self.text, self.send_button = bar.text, bar.send_button
        self.file_upload, self.send_file_button = bar.file_upload, bar.send_file_button
        self.status_label, self.url_label = self.status_bar.status_label, self.status_bar.url_label
        self.stats_label, self.notice_label = self.notice_bar.stats_label, self.notice_bar.notice_label
        self.filter_text, self.json_button = log.toolbar.filter_text, log.toolbar.json_button
        self.binary_view, self.pause_button = log.toolbar.binary_view, log.toolbar.pause_button
        self.output, self.log_box, self.log_view = log.output, log.log_box, log.log_view
        self.options_box, self.options_button = form, form.toggle_button
        self.url_input, self.subprotocols_input = form.url_input, form.subprotocols_input
        self.header_name, self.header_value = form.header_name, form.header_value
        self.add_header_button, self.clear_headers_button = form.add_header_button, form.clear_headers_button
        self.headers_label, self.compression_box = form.headers_label, form.compression_box
        self.apply_button, self.negotiated_label = form.apply_button, form.negotiated_label

    # -- what the user sees ----------------------------------------------------------

    @property
    def messages(self) -> History:
        """Sent and received messages, oldest first, bounded by ``history_limit``."""
        return self.session.history

    @property
    def ready(self) -> asyncio.Future[None]:
        """``await panel.ready``: wait until the latest connect is open.

        Raises :class:`ChannelError` with the reason when it failed.
        """
        return self.session.connected

    @property
    def server(self) -> EchoServer | None:
        """The embedded echo server, when the panel was made without a URL."""
        return self.session.server

    @property
    def channel(self) -> WebSocketChannel | None:
        """The current :class:`WebSocketChannel`, or None."""
        return self.session.channel

    @property
    def negotiated(self) -> dict[str, Any]:
        """What the server agreed to: ``{"subprotocol": str | None, "extensions": [...]}``."""
        channel = self.session.channel
        if channel is None or not channel.is_open:
            return {"subprotocol": None, "extensions": []}
        return {"subprotocol": channel.subprotocol, "extensions": channel.extensions}

    @property
    def headers(self) -> list[str]:
        """The names of the extra handshake headers (values are never shown)."""
        return [name for name, _ in self.options_form.headers]

    def _session_closed(self) -> bool:
        return self.session._closed  # TODO(session): closed — use the public Session.closed once it exists

    def _show_status(self, status: Status, detail: str) -> None:
        self.status_detail = detail
        self.status = status
        # Only the masked URL is shown or kept in a trait: no token reaches the
        # notebook's saved widget state.
        self.url = self.session.display_url or None
        self.latency = self._current_latency()
        self.status_bar.show(self.session.status, self.session.detail, self.url, self.latency)
        self.connect_button.description = "Connect" if status in ("closed", "error") else "Disconnect"
        self.connect_button.disabled = status == "closing" or self._session_closed()
        self.send_button.disabled = status not in ("open", "connecting")
        negotiated = None
        if status == "open":
            agreed = self.negotiated
            extensions = ", ".join(agreed["extensions"]) or "none"
            negotiated = (
                f"negotiated: subprotocol {agreed['subprotocol'] or 'none'} · extensions {extensions}"
            )
        elif status in ("closed", "error"):
            negotiated = ""
        self.options_form.show_connection(self.url, negotiated)
        self._update_stats()

    def _show_messages(self, messages: Sequence[Message]) -> None:
        # One call per batch of received messages (one per sent message).
        self.log_panel.add(messages)

    def _update_stats(self) -> None:
        session = self.session
        parts = [session.history.totals.summary()]
        if session.queued:
            parts.append(f"{session.queued} queued")
        if session.history.dropped:
            parts.append(f"history keeps the newest {session.history.limit:,}")
        self.notice_bar.show_stats(parts + self.log_panel.summary())
        self._refresh_latency()

    def _notify(self, text: str) -> None:
        self.notice_bar.notify(text)

    # -- latency ---------------------------------------------------------------------

    def _current_latency(self) -> float | None:
        channel = self.session.channel
        return channel.latency if channel is not None and self.session.status == "open" else None

    def _refresh_latency(self, latency: float | None = None) -> None:
        if latency is None:
            latency = self._current_latency()
        if latency != self.latency:
            self.latency = latency
            self.status_bar.show(self.session.status, self.session.detail, self.url, latency)

    def _tick_latency(self) -> None:
        self._refresh_latency()
        if not self._session_closed():
            self._latency_tick.start()

    async def ping(self, timeout: float | None = 10.0) -> float:
        """Send a ping and wait for the pong: the round trip in seconds.

        The status line shows it too (and the keepalive pings' round trips, which
        websockets measures every 10 s by default). Raises :class:`ChannelError`
        when not connected, TimeoutError when no pong comes within ``timeout`` seconds.
        """
        try:
            latency = await self.session.ping(timeout)
        except (ChannelError, TimeoutError) as exc:
            self._notify(f"ping failed: {exc}")
            raise
        self._refresh_latency(latency)
        return latency

    # -- what the user does ----------------------------------------------------------

    def send(self, data: str | bytes | bytearray | memoryview) -> None:
        """Send ``data``: ``str`` as a text frame, ``bytes`` as a binary frame.

        What Send does with the input's text. While connecting it waits in order for
        the connection; while closed it raises :class:`ChannelError` and says so.
        """
        try:
            self.session.send(data)
        except (ChannelError, TypeError) as exc:
            self._notify(str(exc))
            raise
        self._notify("")
        self._show_queued()

    def _show_queued(self) -> None:
        # While open, the frame is recorded as soon as it is sent and the stats line
        # follows at the log's render pace: updating it here would send one widget
        # message per send (half the round trip time in a kernel).
        if self.session.status != "open":
            self._update_stats()

    def send_json(self, obj: Any, **dumps_options: Any) -> None:
        """Send ``json.dumps(obj)`` as a text frame.

        Non-ASCII text goes out as UTF-8, not as ``\\u`` escapes, unless
        ``ensure_ascii=True`` is passed; other keywords go to :func:`json.dumps`.
        An object JSON cannot encode raises TypeError (or ValueError) and sends nothing.
        """
        dumps_options.setdefault("ensure_ascii", False)
        try:
            text = json.dumps(obj, **dumps_options)
        except (TypeError, ValueError) as exc:
            self._notify(f"not sent: {exc}")
            raise
        self.send(text)

    def _send_text(self, text: str) -> bool:
        # Send from the input: on failure the text stays there, so nothing typed is lost.
        try:
            self.session.send(text)
        except ChannelError as exc:
            self._notify(str(exc))
            return False
        self._notify("")
        self._show_queued()
        return True

    def _send_files(self, files: list[tuple[str, bytes]]) -> bool:
        sent = []
        for name, content in files:
            try:
                self.session.send(content)
            except ChannelError as exc:
                # Nothing went out (the status is the same for every file): the
                # files stay chosen, to send once connected.
                self._notify(str(exc))
                return False
            sent.append(f"{name} ({format_size(len(content))})")
        self._notify(f"sent {', '.join(sent)} as binary")
        self._update_stats()
        return True

    def _toggle_connection(self) -> None:
        if self.session.status in ("closed", "error"):
            self.connect()
        else:
            self.disconnect()

    def clear(self) -> None:
        """Empty the log on screen; the history and totals stay."""
        self.log_panel.clear()
        self._notify("")
        self._update_stats()

    def connect(self, url: str | None = None) -> asyncio.Future[None]:
        """(Re)connect to ``url``, or to the last URL; await it to wait until open."""
        try:
            return self.session.connect(url)
        except ChannelError as exc:
            self._notify(str(exc))
            raise

    def disconnect(self, code: int = 1000, reason: str = "") -> asyncio.Task[None]:
        """Close the connection with a closing handshake (1000 unless told).

        Returns a task: ``await panel.disconnect()`` waits for the close; calling it
        without ``await`` schedules it.
        """
        return self.session.disconnect(code, reason)

    async def receive(self, timeout: float | None = 5.0) -> Message:
        """The next received message not yet returned by ``receive()``."""
        return await self.session.receive(timeout)

    def wait_for_reply(self, timeout: float | None = 5.0) -> Message:
        """:meth:`receive`, blocking: for code that cannot ``await``.

        In a running loop (a notebook) this re-enters the loop with nest-asyncio2,
        applied to that loop on this call only, never at import.
        """
        loop = self.session.loop
        if loop.is_running():
            import nest_asyncio2

            nest_asyncio2.apply(loop)
        return loop.run_until_complete(self.session.receive(timeout))

    # -- connection options ----------------------------------------------------------

    def apply_options(self) -> asyncio.Future[None]:
        """Reconnect with what the options area holds: URL, subprotocols, headers, compression.

        An empty URL (or the current one) reconnects to the current URL — the
        embedded echo server if that is where the panel is. A header typed but not
        yet added is added first. Raises :class:`ChannelError` for an invalid URL
        or header, and changes nothing then.
        """
        form = self.options_form
        url = form.url
        if url == self.session.url:
            url = None
        try:
            if url is not None:
                check_url(url)
            if not form.add_header():
                raise ChannelError(self.notice_bar.notice)
            options = handshake_options(
                self.session.options,
                subprotocols=form.subprotocols,
                headers=form.headers,
                compression=form.compression,
            )
        except ChannelError as exc:
            self._notify(str(exc))
            raise
        self.session.options.clear()
        self.session.options.update(options)
        done = self.connect(url)
        form.url_input.value = ""
        return done

    def _apply_clicked(self) -> None:
        # The status line says how the connection went; the button only starts it.
        with contextlib.suppress(ChannelError):
            self.apply_options()

    # -- transcripts -----------------------------------------------------------------

    def save_transcript(self, path: str | os.PathLike[str] | None = None) -> Path:
        """Write every kept message to ``path`` as JSON lines; returns the absolute path.

        Without a path: ``wsecho-transcript-<date>-<time>.jsonl`` in the working
        directory (the notebook's folder). Each line holds the direction, the ISO
        time, the kind, and the text or the base64 bytes (see ``wsecho_widget.transcript``).
        """
        messages = list(self.session.history)
        try:
            if path is None:
                path = unique_path(default_transcript_name(), self._saving)
            target = save_transcript(messages, path)
        except OSError as exc:
            self._notify(f"transcript not saved: {exc.strerror or exc}")
            raise
        self._notify(f"saved {len(messages):,} messages to {target}")
        return target

    @staticmethod
    def load_transcript(path: str | os.PathLike[str]) -> list[Message]:
        """Read a transcript written by :meth:`save_transcript` back as Message records."""
        return load_transcript(path)

    def _save_clicked(self) -> None:
        # Writing a long history with pictures can take a while: a thread does it,
        # so the kernel's loop (and the socket) keep going.
        messages = list(self.session.history)
        try:
            target = unique_path(default_transcript_name(), self._saving)
        except OSError as exc:  # e.g. the working directory was deleted
            self._notify(f"transcript not saved: {exc.strerror or exc}")
            return
        self._saving.add(target)
        self._notify(f"saving {len(messages):,} messages…")
        keep_task(self.session.loop, self._tasks, self._save_in_thread(messages, target))

    async def _save_in_thread(self, messages: list[Message], target: Path) -> None:
        try:
            saved = await asyncio.to_thread(save_transcript, messages, target)
        except Exception as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            self._notify(f"transcript not saved: {reason} ({target})")
        else:
            self._notify(f"saved {len(messages):,} messages to {saved}")
        finally:
            self._saving.discard(target)

    # -- hooks for automation --------------------------------------------------------

    def on_message(self, callback: _Callback, remove: bool = False) -> _Callback:
        """Call ``callback(message)`` once for every message received from now on.

        ``callback`` may be a plain function or ``async def``: an async one runs as
        a task (kept referenced until it ends). An exception it raises is shown on
        the notice line and kept in ``panel.callback_errors``; it never stops the
        receive loop. ``remove=True`` unregisters it. Returns ``callback``, so it can
        be used as a decorator: ``@panel.on_message``.
        """
        if remove:
            self.hooks.remove(callback)
        else:
            self.hooks.add(callback)
            self._listen()
        return callback

    def stream(self, maxsize: int = DEFAULT_STREAM_SIZE) -> MessageStream:
        """``async for message in panel.stream():`` the messages received from now on.

        Each stream has its own queue of at most ``maxsize`` messages (a reader that
        falls further behind loses the oldest; ``stream.dropped`` counts them). The
        iteration ends when the panel closes, or on ``stream.close()``.
        """
        stream = self.hooks.stream(maxsize)
        self._listen()
        return stream

    def _listen(self) -> None:
        # Subscribed on first use only: without hooks, messages cost nothing more.
        if self.hooks.dispatch not in self.session.listeners:
            self.session.listeners.append(self.hooks.dispatch)

    def _callback_failed(self, callback: Callable[..., Any], exc: BaseException) -> None:
        self.callback_errors.append(exc)
        self._callback_failures += 1
        first = (str(exc).splitlines() or [""])[0][:200]
        what = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
        times = f" ({self._callback_failures:,} failures)" if self._callback_failures > 1 else ""
        self._hook_notice = f"on_message callback {callback_name(callback)} failed: {what}{times}"
        self._hook_news.start()

    # -- closing ---------------------------------------------------------------------

    def close(self) -> None:
        """Close the widget: disconnect, stop the embedded server, end every task."""
        # Also called from __del__, perhaps on a panel whose __init__ failed early.
        for name in ("session", "hooks", "log_panel"):  # the log closes its pictures
            part = getattr(self, name, None)
            if part is not None:
                part.close()
        for name in ("_hook_news", "_latency_tick"):
            timer = getattr(self, name, None)
            if timer is not None:
                timer.cancel()
        for child in _descendants(self):
            child.close()
        super().close()

    def __repr__(self) -> str:
        return f"<WebSocketPanel {self.url or '(embedded)'} {self.status}>"


def _descendants(box: widgets.Box) -> list[widgets.Widget]:
    # Every widget the panel made, with its Layout and Style, which close() alone
    # would leave alive in Widget.widgets.
    found: list[widgets.Widget] = []
    for child in box.children:
        if isinstance(child, widgets.Box):
            found.extend(_descendants(child))
        found.append(child)
    extras = []
    for w in [*found, box]:
        for name in ("layout", "style"):
            sub = getattr(w, name, None)
            if isinstance(sub, widgets.Widget):
                extras.append(sub)
    return found + extras
