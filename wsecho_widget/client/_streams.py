"""The two ends of a channel people hold: the :class:`Sink` frames go into and the
:class:`Stream` they come out of, and how the stream reads them from websockets.

Like Flutter's ``web_socket_channel``: the iteration ends quietly on a completed
closing handshake and raises :class:`ChannelError` when the connection failed.
``expect()`` reads through :func:`read_batches` too, so the frames it skips are the
stream's next. Must not import the session or widgets; the channel is only a type here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from typing import TYPE_CHECKING

from websockets.exceptions import ConnectionClosed

from wsecho_widget.net import _internals as internals
from wsecho_widget.net.errors import ChannelError, initiator

if TYPE_CHECKING:
    from wsecho_widget.client.connection import WebSocketChannel

__all__ = ["BATCH_SIZE", "Data", "Sink", "Stream", "read_batches"]

Data = str | bytes

#: The most frames one batch of ``Stream.batches()`` holds.
BATCH_SIZE = 256


class Sink:
    """Where frames to send go: ``add()`` queues them in order, ``close()`` ends."""

    def __init__(self, channel: WebSocketChannel) -> None:
        self._channel = channel

    def add(self, data: Data) -> None:
        """Queue a frame: ``str`` is sent as a text frame, ``bytes`` as a binary one."""
        self._channel._enqueue(data)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Send what is queued, then do the closing handshake."""
        await self._channel.close(code, reason)


class Stream:
    """The frames that arrive, as ``str`` and ``bytes``; ``async for`` them.

    Like Flutter's ``web_socket_channel``, the iteration ends quietly on every
    completed closing handshake, whatever the code (the server's 4000 "session
    over" included); the channel's ``close_code`` and ``close_reason`` then say how
    it ended. It raises :class:`ChannelError` only when the connection failed (a
    frame too big, invalid UTF-8, a protocol error) or was lost without a close
    frame. One reader at a time.
    """

    def __init__(self, channel: WebSocketChannel) -> None:
        self._channel = channel

    def __aiter__(self) -> AsyncIterator[Data]:
        return _iterate(self._channel)

    def batches(self, limit: int = BATCH_SIZE) -> AsyncIterator[list[Data]]:
        """The same frames, in order, as lists of those that have already arrived.

        Each list holds at least one frame and at most ``limit``; waits only when
        nothing has arrived. For receive loops under a flood: one step per batch
        instead of one per frame. Same ending as ``async for``.
        """
        if limit < 1:
            raise ValueError(f"limit must be at least 1, not {limit}")
        return read_batches(self._channel, limit)


async def _iterate(channel: WebSocketChannel) -> AsyncIterator[Data]:
    async for batch in read_batches(channel, BATCH_SIZE):
        for data in batch:
            yield data


async def read_batches(channel: WebSocketChannel, limit: int) -> AsyncGenerator[list[Data], None]:
    """The frames as lists of those that have arrived: the frames ``expect()`` skipped first."""
    await asyncio.shield(channel.ready)
    ws = channel._websocket
    assert ws is not None
    take = internals.frame_taker(ws)
    try:
        while True:
            if channel._held:
                batch, channel._held = channel._held[:limit], channel._held[limit:]
            else:
                batch = [await ws.recv()]
                if take is not None:
                    take(batch, limit)
            yield batch
    except ConnectionClosed as exc:
        # Known now, before the TCP connection is fully gone.
        frame = exc.rcvd or exc.sent
        if frame is not None and channel.close_code is None:
            channel.close_code, channel.close_reason = frame.code, frame.reason
        if channel.close_exc is None:
            channel.close_exc = exc
        if _ended_cleanly(channel, exc):
            return
        if channel.error is None:
            channel.error = channel.describe(exc)
        raise ChannelError(channel.error) from exc


def _ended_cleanly(channel: WebSocketChannel, exc: ConnectionClosed) -> bool:
    # Like web_socket_channel: a completed closing handshake ends the stream,
    # whatever the code (4000 "session over" is how some servers say goodbye).
    # It failed when no close frame came back (the connection was lost), or when
    # websockets closed it on its own because of what the server sent (1009 too
    # big, 1007 bad UTF-8, 1002 protocol error): that is not a goodbye.
    if exc.rcvd is None or exc.sent is None:
        return False
    _, by_server = initiator(exc)
    return by_server or channel._closing
