"""The benchmark servers' two ends: :func:`run` serves ``handle`` on 127.0.0.1, prints
``PORT n`` and runs until killed; :class:`ServerProcess` starts such a server in a
process of its own and reads that line to learn where to connect (``--port 0``, the
default, lets the system choose).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from websockets.asyncio.server import ServerConnection, serve


def run(
    handle: Callable[[ServerConnection], Awaitable[None]], description: str | None, **options: Any
) -> None:
    """Parse ``--port``, then serve ``handle`` with websockets' ``serve(**options)`` for good."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    async def main() -> None:
        async with serve(handle, "127.0.0.1", args.port, **options) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            print(f"PORT {port}", flush=True)
            await asyncio.Future()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
    os._exit(0)  # without waiting for connections still open: the parent is done with us


class ServerProcess:
    """``python -m benchmarks.NAME`` in its own process, for a ``with`` block; ``url`` is where it listens."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.url = ""

    def __enter__(self) -> ServerProcess:
        root = Path(__file__).resolve().parent.parent
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"benchmarks.{self.name}"], cwd=root, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"{self.name} did not start: {line!r}")
        self.url = f"ws://127.0.0.1:{int(line.split()[1])}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(10)
