from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.helpers import record_log_messages
from tests.testing.feeds import feed  # noqa: F401 (the scenario and replay tests' fixture)
from wsecho_widget import EchoServer, WebSocketPanel
from wsecho_widget.net import _internals as internals


@pytest.fixture(autouse=True)
def log_pages(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every log's messages to the page are mirrored (tests.helpers.page), as a view applies
    them; not in tests marked ``no_log_mirror`` (the mirror keeps every message: memory)."""
    if request.node.get_closest_marker("no_log_mirror"):
        yield
        return
    undo = record_log_messages()
    yield
    undo()


@pytest.fixture(autouse=True)
def asyncio_stays_unpatched() -> Iterator[None]:
    """Fail the test that lets nest-asyncio2 patch this process's asyncio.

    It swaps the C Task and Future for pure-Python ones until the process ends, so
    every later test would measure something else (run such a test in a subprocess).
    """
    yield
    assert not hasattr(asyncio, "_nest_patched"), "this test patched asyncio with nest-asyncio2"


@pytest.fixture(params=[True, False], ids=["fast path", "public API only"])
def fast_path(request: pytest.FixtureRequest) -> Iterator[bool]:
    """Run the test twice: with websockets' internals fast path, and with the public API only."""
    saved = internals.fast_path
    internals.fast_path = request.param
    yield request.param
    internals.fast_path = saved


@pytest.fixture
async def echo_server() -> AsyncIterator[EchoServer]:
    """A real echo server on 127.0.0.1, on a free port."""
    async with EchoServer("127.0.0.1", 0) as server:
        yield server


@pytest.fixture
async def panel() -> AsyncIterator[WebSocketPanel]:
    """A panel on its embedded echo server, open; closed after the test."""
    panel = WebSocketPanel()
    await asyncio.wait_for(panel.ready, 10)
    yield panel
    panel.close()
