"""Shared test helpers: real pictures, waiting on real conditions, plain servers."""

from __future__ import annotations

import asyncio
import io
import struct
import tempfile
import threading
import time
import uuid
import weakref
import zlib
from collections.abc import Callable
from pathlib import Path

from ipywidgets.widgets.widget import _instances
from jupyter_client.manager import AsyncKernelManager
from PIL import Image
from traitlets import CaselessStrEnum, default

from wsecho_widget.ui.frontend import conforms


def make_png(width: int = 32, height: int = 24) -> bytes:
    """A real PNG (a gradient), from the standard library alone."""
    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (x * 255 // width, y * 255 // height, 128))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def encode_image(fmt: str, size: tuple[int, int] = (16, 12)) -> bytes:
    """A real picture in ``fmt`` (PNG, JPEG, GIF, WEBP) encoded by Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 90)).save(buffer, format=fmt)
    return buffer.getvalue()


async def wait_for(predicate: Callable[[], object], timeout: float = 5.0, what: str = "condition") -> None:
    """Poll ``predicate`` on the loop until it is true; fail with ``what`` after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.005)


def texts(outputs: tuple[dict[str, object], ...]) -> str:
    """All stream text in an Output's outputs, joined."""
    return "".join(str(o["text"]) for o in outputs if o.get("output_type") == "stream")


def image_ids(outputs: tuple[dict[str, object], ...]) -> list[str]:
    """The model ids of the widgets shown in an Output's outputs."""
    ids = []
    for o in outputs:
        data = o.get("data")
        if isinstance(data, dict) and "application/vnd.jupyter.widget-view+json" in data:
            ids.append(data["application/vnd.jupyter.widget-view+json"]["model_id"])
    return ids


def live_widgets() -> dict[str, object]:
    """Every widget model alive in this process, by model id."""
    return _instances


def now() -> float:
    """The running loop's clock in a loop's thread, else ``time.monotonic()`` (the same clock
    unless looptime fakes the loop's)."""
    try:
        return asyncio.get_running_loop().time()
    except RuntimeError:
        return time.monotonic()


class PageMirror:
    """What one view of a log shows, rebuilt from the messages the kernel sends it.

    It applies the messages the way ``wsecho_widget/ui/js/entries.js`` does (the browser
    tests and the Node tests check the page itself), so kernel-side tests can see what
    reached the front end: the text, the media and every buffer sent. The format is
    not written down here: every message must conform to its type in
    ``wsecho_widget/ui/js/protocol.js``, the one definition, read by
    :mod:`wsecho_widget.ui.frontend`.
    """

    def __init__(self) -> None:
        #: [seq, text, media bytes or None], oldest first.
        self.entries: list[list[object]] = []
        #: Every message sent, with its buffers' sizes.
        self.messages: list[tuple[dict[str, object], list[int]]] = []
        #: The bytes of every buffer sent, in order.
        self.buffers: list[bytes] = []
        #: The name of the thread each message was sent from.
        self.threads: list[str] = []
        #: When each message was sent: the running loop's ``time()`` (looptime's fake clock
        #: in tests marked ``looptime``), else ``time.monotonic()`` (the loop's real clock).
        self.times: list[float] = []

    def apply(self, content: dict[str, object], buffers: list[bytes]) -> None:
        buffers = [bytes(b) for b in buffers]
        kinds = {"reset": "ResetMessage", "update": "UpdateMessage", "selected": "SelectedMessage"}
        type_name = kinds.get(str(content.get("kind")), "unknown")
        assert conforms(content, type_name), f"not a {type_name} of protocol.js: {content!r}"
        self.threads.append(threading.current_thread().name)
        self.times.append(now())
        self.messages.append((content, [len(b) for b in buffers]))
        self.buffers.extend(buffers)
        if content["kind"] == "reset":
            if content["token"] is not None:
                return  # another view's snapshot
            old = {entry[0]: entry[2] for entry in self.entries if entry[2] is not None}
            self.entries = []
            self._append(content["entries"], buffers, old)  # type: ignore[arg-type]
        elif content["kind"] == "update":
            drop = dict(content.get("drop", []))  # type: ignore[call-overload]
            for entry in self.entries:
                if entry[0] in drop:
                    entry[1], entry[2] = drop[entry[0]], None
            self._append(content.get("append", []), buffers, {})  # type: ignore[arg-type]
            del self.entries[: int(content.get("trim", 0))]  # type: ignore[call-overload]

    def _append(
        self, items: list[dict[str, object]], buffers: list[bytes], old: dict[object, object]
    ) -> None:
        for item in items:
            media = old.get(item["seq"]) if item.get("keep") else None
            if "buffer" in item:
                media = buffers[int(item["buffer"])]  # type: ignore[call-overload]
            self.entries.append([item["seq"], item["text"], media])

    def text(self) -> str:
        return "".join(str(entry[1]) for entry in self.entries)

    def media(self) -> list[bytes]:
        """The bytes of every medium shown, oldest first."""
        return [entry[2] for entry in self.entries if isinstance(entry[2], bytes)]


_mirrors: weakref.WeakKeyDictionary[object, PageMirror] = weakref.WeakKeyDictionary()


def page(log_widget: object) -> PageMirror:
    """The mirror of ``log_widget``'s view (recorded since the widget was made)."""
    return _mirrors.setdefault(log_widget, PageMirror())


def record_log_messages() -> Callable[[], None]:
    """Have every LogWidget feed its messages to its :func:`page` mirror; returns the undo."""
    from wsecho_widget.ui.logwidget import LogWidget

    original = LogWidget.send

    def send(self: LogWidget, content: dict[str, object], buffers: list[bytes] | None = None) -> None:
        page(self).apply(content, list(buffers or []))
        original(self, content, buffers)

    LogWidget.send = send  # type: ignore[method-assign]

    def undo() -> None:
        LogWidget.send = original  # type: ignore[method-assign]

    return undo


class IpcKernelManager(AsyncKernelManager):  # type: ignore[misc]
    """A kernel that talks over Unix sockets, not TCP ports: the matrix's runs start kernels side
    by side, and two of them once picked the same free TCP port ("Address already in use")."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

    @default("ip")
    def _socket_prefix(self) -> str:
        return ipc_prefix()


def ipc_prefix() -> str:
    """A kernel's own prefix for its Unix sockets. jupyter_client's default, ``kernel-ipc`` in
    the working folder, is shared: two kernels started at once (one per xdist worker) picked
    the same socket files, and one never answered ("Kernel didn't respond in 60 seconds").
    Absolute, since the kernel runs in the notebook's folder, not in the test's."""
    return str(Path(tempfile.gettempdir()) / f"wsecho-kernel-{uuid.uuid4().hex[:12]}")
