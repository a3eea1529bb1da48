"""The pytest plugin (entry point ``pytest11``): fixtures ``echo_server``, ``ws_mock``, ``ws_client``.

Installing wsecho-widget is enough: pytest loads this module in every run, so it
imports nothing but pytest here; the servers load when a fixture is used. The
servers run in a loop of their own in a daemon thread, so both plain and async
tests reach them. A project's own fixture of the same name (in a conftest.py)
wins over these, as pytest's rule is.

- ``echo_server``: the URL of the embedded echo server, started for the test.
- ``ws_mock``: ``ws_mock(recording, unexpected=None) -> url``: a server playing a
  transcript, a HAR file, a conversation or messages back (see ``MockServer``).
- ``ws_client``: ``async with ws_client(url) as channel:`` a connected
  ``WebSocketChannel`` (with ``expect``) in the test's loop; url None: ``echo_server``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from wsecho_widget.client.connection import WebSocketChannel
    from wsecho_widget.testing._thread import LoopThread

__all__ = ["echo_server", "ws_client", "ws_mock"]


@contextlib.contextmanager
def _loop_thread() -> Iterator[LoopThread]:
    from wsecho_widget.testing._thread import LoopThread

    thread = LoopThread()
    try:
        yield thread
    finally:
        thread.close()


@pytest.fixture
def echo_server() -> Iterator[str]:
    """The URL of the embedded echo server (every frame sent back unchanged), for this test."""
    from wsecho_widget.server.echo import EchoServer

    async def start() -> EchoServer:
        return await EchoServer("127.0.0.1", 0).start()

    with _loop_thread() as thread:
        server = thread.run(start())
        try:
            yield server.url
        finally:
            thread.run(server.stop())


@pytest.fixture
def ws_mock() -> Iterator[Callable[..., str]]:
    """``ws_mock(recording, unexpected=None, entry=0) -> url``: a server that plays ``recording`` back."""
    from wsecho_widget.testing.mock import MockServer

    servers: list[MockServer] = []
    with _loop_thread() as thread:

        def start(recording: Any, **options: Any) -> str:
            async def started() -> MockServer:
                return await MockServer(recording, **options).start()

            server = thread.run(started())
            servers.append(server)
            return server.url

        try:
            yield start
        finally:
            for server in servers:
                thread.run(server.stop())


@pytest.fixture
def ws_client(request: pytest.FixtureRequest) -> Callable[..., contextlib.AbstractAsyncContextManager[Any]]:
    """``async with ws_client(url=None, **options) as channel:`` a WebSocketChannel with ``expect``."""

    @contextlib.asynccontextmanager
    async def connect(url: str | None = None, **options: Any) -> AsyncIterator[WebSocketChannel]:
        from wsecho_widget.client.connection import WebSocketChannel

        if url is None:
            server = request.getfixturevalue("echo_server")
            url = server if isinstance(server, str) else server.url  # a conftest's EchoServer
        channel = WebSocketChannel.connect(url, **options)
        try:
            await channel.ready_or_raise()
            yield channel
        finally:
            await channel.close()

    return connect
