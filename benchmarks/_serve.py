"""The benchmark servers' command line: serve ``handle`` on 127.0.0.1, print ``PORT n``, run until killed.

The parent process reads the ``PORT`` line to learn where to connect (``--port 0``, the
default, lets the system choose).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable
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
