"""The session's two pumps: frames out of the outbox, frames in to the record.

:class:`Outbox` holds the frames ``Session.send()`` took, in order, until a
connection writes them; :func:`listen` records what a channel receives, a batch
at a time. Imports asyncio, the model and the channel's types: never the
session or widgets.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from wsecho_widget.model.message import Message
from wsecho_widget.net.errors import ChannelError

if TYPE_CHECKING:
    from wsecho_widget.client.connection import WebSocketChannel

__all__ = ["RECEIVE_BATCH", "Outbox", "listen"]

# The most frames the receive loop records before it lets other tasks (and cells)
# run: one turn of the loop stays well under a millisecond of this work.
RECEIVE_BATCH = 128

Record = Callable[[Sequence[Message]], None]


class Outbox:
    """Frames waiting to go out, oldest first, and the event that wakes the pump."""

    def __init__(self) -> None:
        self.frames: deque[str | bytes] = deque()
        self.ready = asyncio.Event()

    def __len__(self) -> int:
        return len(self.frames)

    def add(self, data: str | bytes) -> None:
        """Queue a frame; the pump sends it once a connection can write it."""
        self.frames.append(data)
        self.ready.set()

    def take_all(self) -> list[str | bytes]:
        """Take back every waiting frame (they will not be sent)."""
        frames = list(self.frames)
        self.frames.clear()
        return frames

    async def pump(self, channel: WebSocketChannel, record: Record, current: Callable[[], bool]) -> None:
        """Send the waiting frames on ``channel`` while it is ``current()`` and open.

        A frame leaves the outbox when websockets writes it to the socket, and not
        before: one that waits while the connection is down goes out on the next
        one, in order, and one that was handed over is never sent again. (A frame
        handed over just as the network dies may be lost in flight, as with any
        TCP client; only an application-level ack can tell.)
        """
        # The pump sleeps on one event that add() sets, and so does the channel's
        # end: no helper task and no asyncio.wait per frame (two loop turns fewer
        # per round trip, ~10 % of one in a kernel).
        ready, frames = self.ready, self.frames
        ready.set()
        channel.closed.add_done_callback(lambda _: ready.set())
        while current() and not channel.closed.done():
            while frames and channel.writable:
                data = frames.popleft()
                record((Message("sent", data, time.time()),))
                try:
                    await channel.send(data)
                except ChannelError:
                    return
            ready.clear()
            await ready.wait()


async def listen(channel: WebSocketChannel, record: Record) -> None:
    """Record what arrives on ``channel`` until its stream ends (however it ends).

    The hot path under a flood: a batch of frames that have already arrived at a
    time. Frames taken together share one timestamp: when they were taken.
    """
    clock = time.time
    try:
        async for batch in channel.stream.batches(RECEIVE_BATCH):
            now = clock()
            record([Message("received", data, now) for data in batch])
            if len(batch) == RECEIVE_BATCH:
                # More are waiting: let cells and other tasks run first.
                await asyncio.sleep(0)
    except ChannelError:
        return
