"""An event loop in a daemon thread: servers for pytest fixtures that any test can use.

A synchronous test (``Scenario.check`` runs its own loop) and an async one (its
loop, from pytest-asyncio or anyio) both reach a server that runs here, in a loop
of its own. Imported only when a fixture is used.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

__all__ = ["LoopThread"]

T = TypeVar("T")


class LoopThread:
    """A running loop in a daemon thread; :meth:`run` runs a coroutine there and waits for it."""

    def __init__(self, name: str = "wsecho-widget test server") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        """Stop the loop and its thread (run the servers' ``stop()`` first)."""
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()
