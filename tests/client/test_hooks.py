"""MessageHooks and MessageStream, alone and as a session's subscriber. No widgets."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers import wait_for
from wsecho_widget import EchoServer, Message, Session
from wsecho_widget.client.hooks import MessageHooks, MessageStream, callback_name


def received(data: str) -> Message:
    return Message("received", data, 0.0)


async def test_callbacks_sync_and_async_each_get_every_received_message() -> None:
    failures: list[tuple[str, str]] = []
    hooks = MessageHooks(
        asyncio.get_running_loop(), lambda cb, exc: failures.append((callback_name(cb), str(exc)))
    )
    sync_seen: list[Any] = []
    async_seen: list[Any] = []

    async def slow(message: Message) -> None:
        await asyncio.sleep(0)
        async_seen.append(message.data)

    def broken(message: Message) -> None:
        raise ValueError(f"bad {message.data}")

    for callback in (lambda m: sync_seen.append(m.data), slow, broken):
        hooks.add(callback)
    hooks.dispatch_many([received("a"), Message("sent", "not me", 0.0), received("b")])
    assert sync_seen == ["a", "b"]
    await wait_for(lambda: async_seen == ["a", "b"] and not hooks.tasks)
    assert failures == [
        ("test_callbacks_sync_and_async_each_get_every_received_message.<locals>.broken", "bad a"),
        ("test_callbacks_sync_and_async_each_get_every_received_message.<locals>.broken", "bad b"),
    ]
    hooks.remove(broken)
    with pytest.raises(ValueError):
        hooks.remove(broken)
    with pytest.raises(TypeError, match="takes a callable"):
        hooks.add("nope")  # type: ignore[arg-type]


async def test_a_stream_keeps_its_newest_messages_and_ends_on_close() -> None:
    hooks = MessageHooks(asyncio.get_running_loop(), lambda cb, exc: None)
    stream = hooks.stream(maxsize=2)
    assert hooks.active
    hooks.dispatch_many([received(str(i)) for i in range(5)])
    assert (len(stream), stream.dropped) == (2, 3)
    hooks.close()
    assert [m.data async for m in stream] == ["3", "4"]
    assert stream.closed
    late = hooks.stream()
    assert [m async for m in late] == []
    with pytest.raises(ValueError, match="at least 1"):
        MessageStream(asyncio.get_running_loop(), 0)


async def test_hooks_as_a_session_subscriber(echo_server: EchoServer) -> None:
    session = Session(echo_server.url)
    hooks = MessageHooks(session.loop, lambda cb, exc: None)
    unsubscribe: Callable[[], None] = session.subscribe(on_messages=hooks.dispatch_many)
    stream = hooks.stream()
    await session.connect()
    for text in ("one", "two"):
        session.send(text)
    assert [(await stream.__anext__()).data, (await stream.__anext__()).data] == ["one", "two"]
    unsubscribe()
    session.send("three")
    assert (await session.receive()).data == "one"
    await wait_for(lambda: session.history.totals.received_messages == 3)
    assert len(stream) == 0  # no longer fed
    session.close()
    hooks.close()
