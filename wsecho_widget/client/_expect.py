"""``WebSocketChannel.expect()``: the first arriving frame that matches, the others kept.

A channel has no inbox, only its one ``stream``: ``expect`` reads that stream
itself, and the frames it reads and skips go back in front of the stream, in
order, so the next ``async for`` (or ``expect``) sees them first. It is a reader
like any other: don't run it while a loop reads ``stream``. Fails with
ExpectationFailed after ``within`` seconds or when the connection ends first.
Must not import the session or widgets.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from wsecho_widget.client._streams import BATCH_SIZE, read_batches
from wsecho_widget.model.match import Match, failure, matcher
from wsecho_widget.model.message import Message
from wsecho_widget.net.errors import ChannelError

if TYPE_CHECKING:
    from wsecho_widget.client.connection import WebSocketChannel

__all__ = ["expect_frame"]

# The last five frames each channel's expect() read, for the failure's message.
_SEEN: WeakKeyDictionary[WebSocketChannel, deque[Message]] = WeakKeyDictionary()


async def expect_frame(channel: WebSocketChannel, match: Match, within: float | None) -> Message:
    """The first frame ``match`` matches, as a received Message; the others stay for the stream."""
    test = matcher(match)
    seen = _SEEN.setdefault(channel, deque(maxlen=5))
    skipped: list[str | bytes] = []
    try:
        async with asyncio.timeout(within):
            async with contextlib.aclosing(read_batches(channel, BATCH_SIZE)) as batches:
                async for batch in batches:
                    for index, data in enumerate(batch):
                        message = Message("received", data, time.time())
                        seen.append(message)
                        if test(message):
                            skipped.extend(batch[index + 1 :])
                            return message
                        skipped.append(data)
        code = channel.close_code
        ended = f"the connection closed ({code} {channel.close_reason})".replace(" )", ")")
        raise failure(match, within, seen, ended=ended)
    except TimeoutError:
        raise failure(match, within, seen) from None
    except ChannelError as exc:
        raise failure(match, within, seen, ended=str(exc)) from None
    finally:
        channel._held[:0] = skipped
