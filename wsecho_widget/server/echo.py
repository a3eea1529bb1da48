"""The embedded echo server: sends every frame back unchanged, text as text,
binary as binary. Runs in the current event loop, or from a shell with
``python -m wsecho_widget.server --port 8765``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from types import TracebackType
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

__all__ = ["EchoServer", "main"]


class EchoServer:
    """A WebSocket echo server on ``host:port`` (port 0 picks a free one).

    ``async with EchoServer() as server: server.url`` — or ``await server.start()``
    and ``await server.stop()``. Extra ``options`` go to
    :func:`websockets.asyncio.server.serve` (``max_size``, ``compression``, …).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **options: Any) -> None:
        self.host = host
        self.port = port
        self.options: dict[str, Any] = {"compression": None, **options}
        self._server: Server | None = None

    @property
    def url(self) -> str:
        """``ws://host:port`` once started."""
        if self._server is None:
            raise RuntimeError("the echo server is not started: await server.start() first")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"ws://{host}:{self.port}"

    @property
    def is_serving(self) -> bool:
        return self._server is not None and self._server.is_serving()

    @property
    def connections(self) -> int:
        """How many clients are connected now."""
        return len(self._server.connections) if self._server else 0

    async def start(self) -> EchoServer:
        self._server = await serve(self._echo, self.host, self.port, **self.options)
        if self.port == 0:
            self.port = next(iter(self._server.sockets)).getsockname()[1]
        return self

    async def stop(self) -> None:
        """Stop listening and close every connection (close code 1001, going away)."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _echo(self, websocket: ServerConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for message in websocket:
                await websocket.send(message)

    async def __aenter__(self) -> EchoServer:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def __repr__(self) -> str:
        state = f"serving on {self.url}" if self.is_serving else "stopped"
        return f"<EchoServer {state}>"


async def _serve_forever(host: str, port: int, max_size: int) -> None:
    async with EchoServer(host, port, max_size=max_size) as server:
        print(f"echo server on {server.url} (Ctrl-C stops it)", flush=True)
        await asyncio.Future()  # until cancelled by Ctrl-C


def main(argv: list[str] | None = None) -> None:
    """``python -m wsecho_widget.server``: run the echo server until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m wsecho_widget.server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    parser.add_argument("--max-size", type=int, default=16 * 2**20, help="largest frame in bytes")
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(args.host, args.port, args.max_size))


if __name__ == "__main__":
    main()
