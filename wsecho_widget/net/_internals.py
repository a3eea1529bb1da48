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
from websockets.asyncio.connection import Connection, broadcast
from websockets.frames import Close, Frame, Opcode
from websockets.protocol import State

__all__ = [
    "CHECKED_ON",
    "bound_reads",
    "close_frames",
    "extension_names",
    "fast_path",
    "frame_taker",
    "is_writable",
    "send_close_now",
    "write_frame",
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


# -- the server panel's writes (wsecho_widget.server.peers) --------------------------------------


def write_frame(ws: Connection, payload: bytes, text: bool, wire: bytes) -> None:
    """Write one whole frame to an open connection now, without waiting for the socket.

    ``wire`` is that frame as a server sends it (unmasked, no extension), framed
    once by the caller for many connections. Fast path (websockets 17.4): write
    ``wire`` to ``ws.transport`` when the connection negotiated no extension, has
    no fragmented message under way and nothing left in ``ws.protocol.writes``:
    the bytes ``protocol.send_text``/``send_binary`` and ``send_data()`` would
    write. Fallback: the public ``websockets.broadcast([ws], payload)``, which
    frames it for this connection.
    """
    protocol = ws.protocol
    if (
        fast_path
        and not protocol.extensions
        and not protocol.expect_continuation_frame
        and not protocol.writes
    ):
        ws.transport.write(wire)
    else:
        broadcast([ws], payload, text=text)


def send_close_now(ws: Connection, code: int, reason: str) -> bool:
    """Queue a close frame behind what waits to be written; False if it could not.

    ``Connection.close()`` first waits until the write buffer drains, which never
    happens for a peer that stopped reading. Fast path (websockets 17.4):
    ``protocol.send_close()`` and ``send_data()``, what ``close()`` does before it
    waits. Fallback: False (the caller runs the public ``close()``, which writes
    the close frame at once and then waits; the caller aborts the connection if
    it does not end in time).
    """
    if not fast_path or ws.protocol.state is not State.OPEN or not callable(getattr(ws, "send_data", None)):
        return False
    ws.protocol.send_close(code, reason)
    ws.send_data()
    return True


def close_frames(ws: Connection) -> tuple[Close | None, Close | None, bool | None]:
    """(frame received, frame sent, whether the received one came first) of a closed connection.

    Reads ``ws.protocol.close_rcvd``, ``close_sent`` and ``close_rcvd_then_sent``
    (websockets 17.4). Fallback: the public ``close_code`` and ``close_reason`` as
    the one frame known, and None: who closed first is unknown.
    """
    protocol = ws.protocol
    if fast_path and hasattr(protocol, "close_rcvd_then_sent"):
        return protocol.close_rcvd, protocol.close_sent, bool(protocol.close_rcvd_then_sent)
    code = ws.close_code
    return (Close(code, ws.close_reason or "") if code is not None else None), None, None
