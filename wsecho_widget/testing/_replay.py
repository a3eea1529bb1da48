"""Replay with a diff: send a recording's client side again, compare the replies.

``await replay(recording, url, ignore=["$.ts", "$.id"])`` opens a session to
``url`` (None: the embedded echo server), sends each recorded client message in
order and waits up to ``within`` seconds for as many replies as were recorded to
it; after the last, ``settle`` seconds more for any extra. It returns a
:class:`~wsecho_widget.model.diff.ReplayReport`. The diffing is pure
(``model/diff.py``); this is the I/O.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

from wsecho_widget.client.session import Session
from wsecho_widget.model.diff import Difference, ReplayReport, compare
from wsecho_widget.model.message import Message, hex_preview
from wsecho_widget.model.recording import Recording, recorded
from wsecho_widget.model.scenario import exchanges
from wsecho_widget.net.errors import ChannelError

__all__ = ["replay"]


async def replay(
    recording: Recording,
    url: str | None,
    *,
    ignore: Sequence[str] = (),
    within: float = 2.0,
    settle: float = 0.1,
    **options: Any,
) -> ReplayReport:
    """Re-send the client side of ``recording`` to ``url`` and diff the replies.

    ``ignore`` lists JSONPaths that change on every run (``$.ts``, ``$..id``,
    ``$.items[*].id``). ``options`` go to the session. A connection that fails
    raises ChannelError; one that ends early shows as missing replies.
    """
    messages, _ = recorded(recording)
    script = exchanges(messages)
    session = Session(url, reconnect=False, **options)
    report = ReplayReport(url or "(embedded echo server)", len(script), ignore=tuple(ignore))
    try:
        await session.connect()
        for step, exchange in enumerate(script, 1):
            if exchange.sent is not None and session.status == "open":
                session.send(exchange.sent.data)
            last = step == len(script)
            replies = await _collect(session, len(exchange.replies), within, settle if last else None)
            report.differences.extend(_differences(step, exchange.replies, replies, ignore))
    finally:
        await _disconnect(session)
    return report


async def _disconnect(session: Session) -> None:
    # A closing handshake, so that the server is not left waiting for one.
    with contextlib.suppress(TimeoutError, ChannelError):
        await asyncio.wait_for(session.disconnect(), 2)
    session.close()


async def _collect(session: Session, count: int, within: float, settle: float | None) -> list[Message]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    replies: list[Message] = []
    try:
        while len(replies) < count:
            replies.append(await session.receive(max(0.0, deadline - loop.time())))
        while settle is not None:  # after the last step: what more comes is extra
            replies.append(await session.receive(settle))
    except (TimeoutError, ChannelError):
        pass
    return replies


def _differences(
    step: int, old: list[Message], new: list[Message], ignore: Sequence[str]
) -> list[Difference]:
    found: list[Difference] = []
    for reply, (before, after) in enumerate(zip(old, new, strict=False), 1):
        found.extend(compare(step, reply, before, after, ignore))
    for reply, message in enumerate(old[len(new) :], len(new) + 1):
        found.append(Difference(step, reply, "missing", "$", _shown(message), None))
    for reply, message in enumerate(new[len(old) :], len(old) + 1):
        found.append(Difference(step, reply, "extra", "$", None, _shown(message)))
    return found


def _shown(message: Message) -> str:
    data = message.data
    return data if isinstance(data, str) else hex_preview(data)
