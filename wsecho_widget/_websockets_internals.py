"""Every use of websockets' and asyncio's undocumented internals, in one place.

The connection works with websockets' public API alone; these reach below it
only to go faster or to keep the kernel's loop responsive. Each function names
the versions it was checked on, checks that what it needs is there (a feature
check, never a version check), and falls back to the public API when it is not.
``pyproject.toml`` pins websockets to the range checked here.

Switch: with the environment variable ``WSECHO_WIDGET_NO_FAST_PATH=1`` set when
this module is imported, or with :data:`fast_path` set to False at run time,
every function here takes its public fallback (the tests run the receive path
both ways).

Imports websockets only; never the rest of wsecho_widget.
"""

from __future__ import annotations

import asyncio
import os
from collections import deque
from collections.abc import Callable

from websockets.asyncio.client import ClientConnection
from websockets.frames import Frame, Opcode
from websockets.protocol import State

__all__ = [
    "CHECKED_ON",
    "bound_reads",
    "extension_names",
    "fast_path",
    "frame_taker",
    "is_writable",
]

#: The websockets releases these functions were read against and tested on.
CHECKED_ON = ("17.4",)

#: False: use only public APIs (set by ``WSECHO_WIDGET_NO_FAST_PATH=1``, or by tests).
fast_path = os.environ.get("WSECHO_WIDGET_NO_FAST_PATH", "") in ("", "0")

Data = str | bytes
FrameTaker = Callable[[list[Data], int], None]


def bound_reads(transport: asyncio.BaseTransport, size: int) -> bool:
    """Make the transport read at most ``size`` bytes per loop turn; True if it could.

    Reaches into asyncio's ``_SelectorSocketTransport.max_size`` (CPython 3.11 to
    3.13; checked with websockets 17.4, which does not touch it). websockets parses
    a whole read in one callback, so a smaller read bounds how long the kernel's
    loop is held under a flood. Where the attribute is missing (TLS transports,
    uvloop) reads stay as they are: correct, only less smooth under a flood.
    """
    if fast_path and isinstance(getattr(transport, "max_size", None), int):
        transport.max_size = size  # type: ignore[attr-defined]
        return True
    return False


def is_writable(ws: ClientConnection) -> bool:
    """Whether the connection is OPEN (not closing): public ``ws.state``, websockets >= 13."""
    return ws.state is State.OPEN


def extension_names(ws: ClientConnection) -> list[str]:
    """The extensions the server agreed to, e.g. ``["permessage-deflate"]``.

    websockets 17.4 keeps the negotiated extensions on ``ws.protocol.extensions``
    (its sans-I/O object, documented as an attribute but not this list). The
    fallback reads the same answer from the handshake's public response headers.
    """
    extensions = getattr(getattr(ws, "protocol", None), "extensions", None)
    if fast_path and isinstance(extensions, list):
        return [str(ext.name) for ext in extensions]
    response = ws.response
    if response is None:
        return []
    names = []
    for header in response.headers.get_all("Sec-WebSocket-Extensions"):
        for item in header.split(","):
            if name := item.split(";")[0].strip():
                names.append(name)
    return names


def frame_taker(ws: ClientConnection) -> FrameTaker | None:
    """A function that moves frames websockets has already parsed into a batch.

    ``recv()`` costs three coroutine steps per message, about a quarter of the
    receive cost of a small frame. Frames already waiting in websockets' queue are
    taken here directly, exactly as ``recv()`` would return them; anything unusual
    (a fragment, a text frame that is not UTF-8) is left for ``recv()``, which
    handles it (and fails the connection with 1007 on bad UTF-8).

    Reads websockets' internal ``Assembler`` (``ws.recv_messages``: ``frames.queue``,
    ``get_in_progress``, ``closed``, ``maybe_resume``), checked on websockets 17.4.
    Returns None when any of it is missing, or when the fast path is off: then
    every frame goes through the public ``recv()``.
    """
    if not fast_path:
        return None
    try:
        assembler = ws.recv_messages
        queue: deque[Frame] = assembler.frames.queue
        resume = assembler.maybe_resume
    except AttributeError:
        return None
    if (
        not isinstance(queue, deque)
        or not isinstance(getattr(assembler, "get_in_progress", None), bool)
        or not isinstance(getattr(assembler, "closed", None), bool)
    ):
        return None
    text, binary = Opcode.TEXT, Opcode.BINARY

    def take(batch: list[Data], limit: int) -> None:
        if assembler.get_in_progress or assembler.closed:
            return  # recv() decides what happens then (it differs between versions)
        while queue and len(batch) < limit:
            frame = queue[0]
            if not frame.fin:
                break
            if frame.opcode is text:
                try:
                    data: Data = str(frame.data, "utf-8")
                except UnicodeDecodeError:
                    break
            elif frame.opcode is binary:
                data = bytes(frame.data)
            else:
                break
            queue.popleft()
            batch.append(data)
        resume()  # reading was paused while websockets' queue was full

    return take
