"""The embedded echo server, in the loop and from a shell."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from websockets.asyncio.client import connect

from tests.helpers import make_png
from wsecho_widget import EchoServer


async def test_echoes_text_as_text_and_binary_as_binary(echo_server: EchoServer) -> None:
    assert echo_server.url.startswith("ws://127.0.0.1:")
    png = make_png()
    async with connect(echo_server.url) as ws:
        await ws.send("héllo")
        assert await ws.recv() == "héllo"
        await ws.send(png)
        assert await ws.recv() == png
        await ws.send(b"")
        assert await ws.recv() == b""
        assert echo_server.connections == 1


async def test_serves_ipv6_loopback() -> None:
    async with EchoServer("::1", 0) as server:
        assert server.url.startswith("ws://[::1]:")
        async with connect(server.url) as ws:
            await ws.send("v6")
            assert await ws.recv() == "v6"


async def test_stop_closes_clients_with_going_away(echo_server: EchoServer) -> None:
    async with connect(echo_server.url) as ws:
        await echo_server.stop()
        await ws.wait_closed()
        assert ws.close_code == 1001
    assert not echo_server.is_serving
    assert "stopped" in repr(echo_server)


async def test_command_line_server_runs_until_ctrl_c() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "wsecho_widget.server",
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        # Ctrl-C as in a terminal, even where the test run was started with `( ... & )`,
        # whose children inherit SIGINT ignored (then Python installs no handler for it).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
        assert line.startswith("echo server on ws://127.0.0.1:"), line
        url = line.split()[3]
        async with connect(url) as ws:
            await ws.send("from a shell")
            assert await ws.recv() == "from a shell"
        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 20) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
