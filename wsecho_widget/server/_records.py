"""What the hub keeps of the frames: the bounded history, the unread inbox, who is told.

A frame nobody watches one by one is kept as a row the garbage collector stops
tracking (``model.message.Row``), made into a :class:`Message` once, when read; a
watched frame is a :class:`Message` at once, the same object the callbacks get.
``receive()`` and ``expect()`` read the inbox and hand out the history's object.
No sockets here: the hub records, this keeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from wsecho_widget.model.match import Match, matcher
from wsecho_widget.model.message import Direction, History, Message, Row
from wsecho_widget.net.inbox import Inbox
from wsecho_widget.server.events import Callbacks

__all__ = ["Records"]

Made = Callable[[Message | Row], Message]


class Records:
    """The hub's history (``history``, bounded by ``limit``) and inbox, and the ``record`` callbacks."""

    def __init__(self, loop: asyncio.AbstractEventLoop, limit: int, callbacks: Callbacks) -> None:
        self.history = History(limit)
        self.inbox: Inbox[Message | Row] = Inbox(loop, limit)
        self._callbacks = callbacks

    def record(
        self, direction: Direction, data: str | bytes, now: float, client: str | None
    ) -> Message | Row:
        """Keep one frame; a Message when someone is told of each, else a row."""
        # Nobody told of each message: a row the collector stops tracking, not 2
        # Messages per echo for it to walk.
        callbacks = self._callbacks
        if not callbacks.watched:
            return self.history.record(direction, data, now, client)
        message = Message(direction, data, now, client=client)
        self.history.append(message)
        callbacks.record(message)
        return message

    async def receive(self, timeout: float | None) -> Message:
        """The oldest unread message (see ``Hub.receive``)."""
        return self.history.message(await self.inbox.receive(timeout))

    async def expect(self, match: Match, within: float | None, client: str | None) -> Message:
        """The first unread message ``match`` matches, from ``client`` or any (see ``Hub.expect``)."""
        made = self.history.message
        return made(await self.inbox.expect(match, _wanted(match, client, made), within, made))


def _wanted(match: Match, client: str | None, made: Made) -> Callable[[Message | Row], bool]:
    # expect()'s test of a kept item (a Message, or a row made into one when tested).
    test = matcher(match)

    def wanted(item: Message | Row) -> bool:
        message = made(item)
        return client in (None, message.client) and test(message)

    return wanted
