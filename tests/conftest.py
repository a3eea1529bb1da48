from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from wsecho_widget import EchoServer


@pytest.fixture
async def echo_server() -> AsyncIterator[EchoServer]:
    """A real echo server on 127.0.0.1, on a free port."""
    async with EchoServer("127.0.0.1", 0) as server:
        yield server
