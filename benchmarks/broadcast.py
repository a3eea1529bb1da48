"""Broadcast to many clients: the server panel's core against ``websockets.broadcast``.

``python -m benchmarks.broadcast`` (options: ``--clients 100 --frames 10000 --pairs 3``)

Both servers run in this process, in one event loop, with the same options (no
compression, no keepalive): a :class:`~wsecho_widget.server.hub.Hub` in manual mode
sending with ``hub.send(frame)`` (to every client: its checks, its bounded send
queue, one ``Message`` record per frame) and a bare websockets server sending
with ``websockets.broadcast(connections, frame)``. The clients live in another
process (this file with ``--clients-process``): plain sockets that do the opening
handshake by hand and then only count bytes, so they cost little and never hold
either server up. Each pair of rounds alternates which server goes first.

Two figures per round: "push", the CPU time the server's loop spends writing
every frame to every client (what a notebook's kernel pays; CPU time because wall
time swings on a shared machine), and "delivered", wall time until the
client process has every byte. The ratio is websockets' time over the hub's
(>= 1 means the hub is as fast); the goal, >= 0.9x, is on "push". Median over
the pairs, with the range.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import platform
import statistics
import sys
import time
from importlib.metadata import version
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve

from wsecho_widget.server.hub import Hub

FRAME = "0123456789abcdef"  # 16 bytes of text: a small frame
WIRE = 2 + len(FRAME)  # an unmasked server frame: 2 header bytes, then the payload
OPTIONS: dict[str, Any] = {"compression": None, "ping_interval": None, "ping_timeout": None}


# -- the client process --------------------------------------------------------------


async def _raw_client(host: str, port: int, counts: list[int], index: int) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        f"GET / HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101"), head[:40]
    while chunk := await reader.read(1 << 16):
        counts[index] += len(chunk)


async def _clients(urls: list[str], clients: int, frames: int) -> None:
    # One line per URL when every one of its clients has had ``frames`` more frames.
    targets: dict[str, list[int]] = {}
    tasks = []
    for url in urls:
        host, port = url.removeprefix("ws://").rsplit(":", 1)
        counts = targets[url] = [0] * clients
        for i in range(clients):
            tasks.append(asyncio.ensure_future(_raw_client(host, int(port), counts, i)))
            await asyncio.sleep(0)
    print("connected", flush=True)
    rounds = dict.fromkeys(urls, 1)
    while True:
        await asyncio.sleep(0.001)
        for url, counts in targets.items():
            if min(counts) >= rounds[url] * frames * WIRE:
                print(f"delivered {url} {rounds[url]}", flush=True)
                rounds[url] += 1


# -- the servers ---------------------------------------------------------------------


async def _round(push: Any, clients_out: asyncio.StreamReader, url: str, frames: int) -> tuple[float, float]:
    # Push: CPU time of this thread (the loop's), steadier than wall time on a
    # machine that others share. Delivered: wall time until the clients have it all.
    start, cpu = time.perf_counter(), time.thread_time()
    for _ in range(frames):
        push(FRAME)
    pushed = time.thread_time() - cpu
    line = (await asyncio.wait_for(clients_out.readline(), 300)).decode()
    assert line.startswith(f"delivered {url} "), line
    return pushed, time.perf_counter() - start


async def main(clients: int, frames: int, pairs: int) -> list[float]:
    hub = Hub(mode="manual", **OPTIONS)
    await hub.ready
    connections: set[ServerConnection] = set()
    everyone = asyncio.Event()

    def check(*_: object) -> None:
        if len(hub.clients) >= clients and len(connections) >= clients:
            everyone.set()

    hub.subscribe(on_client=check)

    async def register(ws: ServerConnection) -> None:
        connections.add(ws)
        check()
        try:
            await ws.wait_closed()
        finally:
            connections.discard(ws)

    plain = await serve(register, "127.0.0.1", 0, **OPTIONS)
    plain_url = f"ws://127.0.0.1:{next(iter(plain.sockets)).getsockname()[1]}"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "benchmarks.broadcast",
        "--clients-process",
        hub.url,
        plain_url,
        "--clients",
        str(clients),
        "--frames",
        str(frames),
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    out = process.stdout
    assert (await asyncio.wait_for(out.readline(), 120)).startswith(b"connected")
    await asyncio.wait_for(everyone.wait(), 120)
    print(
        f"broadcast: {frames:,} frames of {len(FRAME)} bytes to {clients} clients; "
        f"websockets {version('websockets')}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores ({platform.processor() or platform.machine()})"
    )
    # A warm-up round each, not counted.
    await _round(hub.send, out, hub.url, frames)
    await _round(lambda f: broadcast(connections, f), out, plain_url, frames)
    ratios: dict[str, list[float]] = {"push": [], "delivered": []}
    for pair in range(pairs):
        plain_first = pair % 2 == 1
        results = {}
        for who in ("plain", "hub") if plain_first else ("hub", "plain"):
            if who == "hub":
                results[who] = await _round(hub.send, out, hub.url, frames)
            else:
                results[who] = await _round(lambda f: broadcast(connections, f), out, plain_url, frames)
        (hub_push, hub_all), (ws_push, ws_all) = results["hub"], results["plain"]
        ratios["push"].append(ws_push / hub_push)
        ratios["delivered"].append(ws_all / hub_all)
        print(
            f"  pair {pair + 1}: push (CPU) hub {hub_push:.3f} s, websockets {ws_push:.3f} s; "
            f"delivered hub {hub_all:.3f} s, websockets {ws_all:.3f} s"
        )
    for name, values in ratios.items():
        median = statistics.median(values)
        # The goal is on what the kernel pays; delivery also measures the client
        # process and the machine's other load.
        verdict = ("ok" if median >= 0.9 else "MISSED") if name == "push" else "for information"
        print(
            f"{name}: hub.send / websockets.broadcast speed = {median:.2f}x "
            f"(range {min(values):.2f}-{max(values):.2f}); goal >= 0.9x: {verdict}"
        )
    process.kill()
    await process.wait()
    hub.close()
    await hub.closed
    plain.close()
    await plain.wait_closed()
    return ratios["push"]


def cli(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.broadcast", description=__doc__)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--frames", type=int, default=10_000)
    parser.add_argument("--pairs", type=int, default=5, help="pairs of rounds (each server once)")
    parser.add_argument("--clients-process", nargs="+", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.clients_process:
        subprocess_main = _clients(args.clients_process, args.clients, args.frames)
        asyncio.run(subprocess_main)
    else:
        asyncio.run(main(args.clients, args.frames, args.pairs))


if __name__ == "__main__":
    cli()
