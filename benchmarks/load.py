"""Load: the server panel's hub with many concurrent clients, against bare websockets.

``python -m benchmarks.load`` (options: ``--clients 1000 --messages 10 --broadcasts 10``)

Each server runs in a fresh process of its own (``--serve hub`` or ``--serve bare``),
told what to do on its stdin: the hub as the server panel runs it (echo mode, every
frame recorded, keepalive on), and a bare websockets server with the same options
whose handler echoes each message with ``await ws.send(m)`` and broadcasts with
``websockets.broadcast``. The clients live in this process: raw sockets that do the
opening handshake and frame by hand, so they cost little and are the same for both.

Figures, each server measured the same way in the same run:

- loop lag: how late a 10 ms ``asyncio.sleep`` in the server's loop wakes while every
  client echoes its messages (p99 and worst), what a notebook cell waits;
- round trip: each client sends ``--messages`` frames one after the other and times
  each echo (p95 over all), and every echo must come back (nothing lost);
- garbage collection while echoing: wall time (worst pause, total), CPU time, and how
  many collections of each generation (counts do not depend on the machine's load);
- server CPU while echoing, and per echo: the figure to compare on a busy machine;
- memory per idle client: the server's RSS growth over ``--clients`` connections, and
  the objects the collector tracks for each (what every full collection walks);
- broadcast: ``--broadcasts`` frames to every client, the server's CPU time to send
  them (``hub.send`` against ``websockets.broadcast``), and every byte delivered.

Ratios are hub over bare (lower is better for time and memory). On a shared machine
run it when it is quiet (``--wait-quiet 600``); ``ulimit -n`` is raised to what the
clients need. ``--profile PATH`` writes each server's cProfile of the echo phase.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import gc
import json
import os
import platform
import resource
import statistics
import struct
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

FRAME = "0123456789abcdef"  # 16 bytes of text
OPTIONS: dict[str, Any] = {"compression": None, "ping_interval": 10.0, "ping_timeout": 10.0}


# -- the server process --------------------------------------------------------------


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


async def _watch_lag(lateness: list[float]) -> None:
    loop = asyncio.get_running_loop()
    while True:
        start = loop.time()
        await asyncio.sleep(0.01)
        lateness.append(loop.time() - start - 0.01)


# Wall time of the collections (pause, worst), their CPU time, how many of each generation.
_GC = dict.fromkeys(("pause", "worst", "start", "gc_cpu", "cpu_start", "cpu", "gen0", "gen1", "gen2"), 0.0)


def _gc_timer(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        _GC["start"], _GC["cpu_start"] = time.perf_counter(), time.process_time()
        return
    pause = time.perf_counter() - _GC["start"]
    _GC["gc_cpu"] += time.process_time() - _GC["cpu_start"]
    _GC["pause"] += pause
    _GC["worst"] = max(_GC["worst"], pause)
    _GC[f"gen{info['generation']}"] += 1


async def _serve(kind: str, clients: int, profile: str | None) -> None:
    from websockets.asyncio.server import ServerConnection, broadcast, serve

    from wsecho_widget.server.hub import Hub

    gc.callbacks.append(_gc_timer)
    lateness: list[float] = []
    lag_task = asyncio.ensure_future(_watch_lag(lateness))
    if kind == "hub":
        hub = Hub(max_clients=clients + 100, **OPTIONS)
        await hub.ready
        port = hub.port

        def send_all(data: str) -> None:
            hub.send(data)
    else:
        connections: set[ServerConnection] = set()

        async def echo(ws: ServerConnection) -> None:
            connections.add(ws)
            try:
                async for message in ws:
                    await ws.send(message)
            finally:
                connections.discard(ws)

        server = await serve(echo, "127.0.0.1", 0, max_size=16 * 2**20, **OPTIONS)
        port = next(iter(server.sockets)).getsockname()[1]

        def send_all(data: str) -> None:
            broadcast(connections, data)

    print(json.dumps({"port": port, "rss": _rss()}), flush=True)
    loop = asyncio.get_running_loop()
    profiler = _Profiler(f"{profile}.{kind}") if profile else None
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().split():
        command, args = line[0], line[1:]
        if command == "lag":  # the lateness since the last "lag", then start again
            samples, lateness[:] = sorted(lateness), []
            p99 = samples[int(len(samples) * 0.99)] if samples else 0.0
            cpu = time.process_time()
            gcs = {**_GC, "cpu": cpu - _GC["cpu"]}
            _GC.update(pause=0.0, worst=0.0, gc_cpu=0.0, gen0=0, gen1=0, gen2=0, cpu=cpu)
            worst = samples[-1] if samples else 0.0
            if profiler is not None:
                profiler.toggle()
            print(json.dumps({"p99": p99, "max": worst, "n": len(samples), **gcs}), flush=True)
        elif command == "freeze":  # what a long-lived server may do once its clients are in
            gc.collect()
            gc.freeze()
            print(json.dumps({"frozen": gc.get_freeze_count()}), flush=True)
        elif command == "rss":
            gc.collect()
            print(json.dumps({"rss": _rss(), "objects": len(gc.get_objects())}), flush=True)
        elif command == "broadcast":
            start = time.process_time()
            for _ in range(int(args[0])):
                send_all(FRAME)
            print(json.dumps({"cpu": time.process_time() - start}), flush=True)
    lag_task.cancel()


class _Profiler:
    # cProfile of the echo phase (between the first two "lag"), written to ``path``.
    def __init__(self, path: str) -> None:
        import cProfile

        self.path, self.profile, self.turns = path, cProfile.Profile(), 0

    def toggle(self) -> None:
        self.turns += 1
        if self.turns == 1:
            self.profile.enable()
        elif self.turns == 2:
            self.profile.disable()
            self.profile.dump_stats(self.path)


# -- the clients (this process) ------------------------------------------------------


def _masked(data: bytes, first: int = 0x81) -> bytes:
    # A zero masking key: the payload stays as it is, so the clients cost almost
    # nothing and the CPU goes to the servers (both get the same frames).
    return bytes([first, 0x80 | len(data)]) + b"\x00\x00\x00\x00" + data


async def _read_frames(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, inbox: asyncio.Queue[bytes]
) -> None:
    # Every frame the server sends: data to the inbox, keepalive pings answered at once.
    with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
        while True:
            head = await reader.readexactly(2)
            size = head[1] & 0x7F
            if size == 126:
                (size,) = struct.unpack(">H", await reader.readexactly(2))
            elif size == 127:
                (size,) = struct.unpack(">Q", await reader.readexactly(8))
            data = await reader.readexactly(size)
            if head[0] & 0x0F == 9:
                writer.write(_masked(data, 0x8A))
            else:
                inbox.put_nowait(data)
    inbox.put_nowait(b"")  # closed


class Client:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.inbox: asyncio.Queue[bytes] = asyncio.Queue()
        self.task = asyncio.ensure_future(_read_frames(reader, writer, self.inbox))

    @classmethod
    async def open(cls, port: int) -> Client:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write(
            f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(head[:60].decode(errors="replace"))
        return cls(reader, writer)

    async def echo(self, messages: int, rtts: list[float], delay: float) -> int:
        await asyncio.sleep(delay)  # clients do not all start in the same millisecond
        back = 0
        for i in range(messages):
            data = f"{i:04d}{FRAME}".encode()
            start = time.perf_counter()
            self.writer.write(_masked(data))
            if await self.inbox.get() == data:
                back += 1
            rtts.append(time.perf_counter() - start)
        return back

    async def take(self, frames: int) -> int:
        return sum([await self.inbox.get() == FRAME.encode() for _ in range(frames)])

    def close(self) -> None:
        self.writer.transport.abort()
        self.task.cancel()


class Server:
    """A server in a fresh process, driven through its stdin."""

    def __init__(self, kind: str, clients: int, profile: str | None = None) -> None:
        root = Path(__file__).resolve().parent.parent
        extra = ["--profile", profile] if profile else []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.load", "--serve", kind, "--clients", str(clients), *extra],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.hello = self._read()

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the server process ended")
        return dict(json.loads(line))

    async def ask(self, command: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return await asyncio.to_thread(self._read)

    def close(self) -> None:
        self.process.kill()
        self.process.wait(10)


async def measure(
    kind: str, clients: int, messages: int, broadcasts: int, spread: float, freeze: bool, profile: str | None
) -> dict[str, float]:
    server = Server(kind, clients, profile)
    port = server.hello["port"]
    try:
        before = await server.ask("rss")
        peers: list[Client] = []
        for start in range(0, clients, 200):  # in bursts the listen backlog can take
            batch = range(start, min(start + 200, clients))
            peers += await asyncio.gather(*(Client.open(port) for _ in batch))
        await asyncio.sleep(1.0)
        after = await server.ask("rss")
        idle = after["rss"] - before["rss"]
        tracked = after["objects"] - before["objects"]
        if freeze:
            await server.ask("freeze")
        await server.ask("lag")  # start counting now
        rtts: list[float] = []
        started = time.perf_counter()
        delays = [spread * i / clients for i in range(clients)]
        back = await asyncio.gather(*(peer.echo(messages, rtts, delays[i]) for i, peer in enumerate(peers)))
        echo_wall = time.perf_counter() - started
        lag = await server.ask("lag")
        takers = [asyncio.ensure_future(peer.take(broadcasts)) for peer in peers]
        started = time.perf_counter()
        cpu = (await server.ask(f"broadcast {broadcasts}"))["cpu"]
        got = await asyncio.gather(*takers)
        delivered = time.perf_counter() - started
        for peer in peers:
            peer.close()
    finally:
        server.close()
    rtts.sort()
    return {
        "lag_p99": lag["p99"],
        "lag_max": lag["max"],
        "gc_pause": lag["pause"],
        "gc_worst": lag["worst"],
        "gc_gen0": lag["gen0"],
        "gc_gen1": lag["gen1"],
        "gc_gen2": lag["gen2"],
        "echo_cpu": lag["cpu"],
        "gc_cpu": lag["gc_cpu"],
        "us_per_echo": lag["cpu"] / (clients * messages) * 1e6,
        "rtt_p95": rtts[int(len(rtts) * 0.95)],
        "echo_wall": echo_wall,
        "lost": clients * messages - sum(back),
        "kb_idle": idle / clients / 1024,
        "objects_idle": tracked / clients,
        "bcast_cpu": cpu,
        "bcast_wall": delivered,
        "bcast_lost": clients * broadcasts - sum(got),
    }


def _raise_fd_limit(clients: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, 2 * clients + 512))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return want


def _row(name: str, hub: float, bare: float, unit: str, target: str) -> str:
    ratio = f"{hub / bare:.2f}x" if bare else "n/a"
    digits = 1 if unit in ("KB", "us", "") else 3
    return f"{name:<28} {hub:>10.{digits}f} {bare:>10.{digits}f} {unit:<3} {ratio:>7}  {target}"


async def report(
    clients: int, messages: int, broadcasts: int, pairs: int, spread: float, freeze: bool, profile: str | None
) -> None:
    limit = _raise_fd_limit(clients)
    print(
        f"load: {clients:,} clients x {messages} messages (starts spread over {spread:g} s), "
        f"{broadcasts} broadcasts{'; gc.freeze() once connected' if freeze else ''}; {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, websockets {version('websockets')}, ulimit -n {limit}"
    )
    runs: dict[str, list[dict[str, float]]] = {"hub": [], "bare": []}
    for i in range(pairs):  # alternate which goes first: a change in load hits both
        for kind in ("hub", "bare") if i % 2 == 0 else ("bare", "hub"):
            load = os.getloadavg()[0]
            runs[kind].append(await measure(kind, clients, messages, broadcasts, spread, freeze, profile))
            after = os.getloadavg()[0]
            print(f"  {kind}: run {i + 1} done, load average {load:.1f} -> {after:.1f}", flush=True)
    med = {kind: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for kind, rs in runs.items()}
    hub, bare = med["hub"], med["bare"]
    print(f"{'median of ' + str(pairs):<28} {'hub':>10} {'bare':>10}     {'ratio':>7}  target")
    print(_row("loop lag p99 (10 ms sleep)", hub["lag_p99"] * 1e3, bare["lag_p99"] * 1e3, "ms", "<= 200 ms"))
    print(_row("loop lag worst", hub["lag_max"] * 1e3, bare["lag_max"] * 1e3, "ms", ""))
    print(_row("garbage collection, worst", hub["gc_worst"] * 1e3, bare["gc_worst"] * 1e3, "ms", ""))
    print(_row("garbage collection, total", hub["gc_pause"], bare["gc_pause"], "s", ""))
    gens = {kind: "/".join(f"{m[f'gc_gen{g}']:g}" for g in range(3)) for kind, m in med.items()}
    print(f"{'collections, gen 0/1/2':<28} {gens['hub']:>10} {gens['bare']:>10}")
    print(_row("server CPU while echoing", hub["echo_cpu"], bare["echo_cpu"], "s", ""))
    print(_row("  of which collecting", hub["gc_cpu"], bare["gc_cpu"], "s", ""))
    print(_row("server CPU per echo", hub["us_per_echo"], bare["us_per_echo"], "us", ""))
    print(_row("round trip p95", hub["rtt_p95"] * 1e3, bare["rtt_p95"] * 1e3, "ms", "<= 1.5x"))
    print(_row("all echoes back (wall)", hub["echo_wall"], bare["echo_wall"], "s", ""))
    print(_row("memory per idle client", hub["kb_idle"], bare["kb_idle"], "KB", "<= 20 KB"))
    print(_row("objects the GC tracks, each", hub["objects_idle"], bare["objects_idle"], "", ""))
    print(_row("broadcast: server CPU", hub["bcast_cpu"] * 1e3, bare["bcast_cpu"] * 1e3, "ms", "~1x"))
    print(_row("broadcast: all delivered", hub["bcast_wall"], bare["bcast_wall"], "s", ""))
    lost = {k: (sum(r["lost"] for r in rs), sum(r["bcast_lost"] for r in rs)) for k, rs in runs.items()}
    print(f"lost (echoes, broadcast frames): hub {lost['hub']}, bare {lost['bare']}")


def _wait_quiet(seconds: float, below: float = 1.5) -> None:
    # The figures are CPU-bound on a shared machine: start when the others are idle.
    deadline = time.monotonic() + seconds
    while os.getloadavg()[0] >= below and time.monotonic() < deadline:
        time.sleep(5)
    if seconds:
        print(f"load average {os.getloadavg()[0]:.1f} at the start (waited for < {below})", flush=True)


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--broadcasts", type=int, default=10)
    parser.add_argument("--pairs", type=int, default=1)
    parser.add_argument("--spread", type=float, default=2.0, help="seconds over which the clients start")
    parser.add_argument("--freeze", action="store_true", help="gc.freeze() in each server once connected")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0,
        metavar="S",
        help="first wait up to S s for a load average < 1.5",
    )
    parser.add_argument(
        "--profile", metavar="PATH", help="cProfile each server while echoing: PATH.hub, PATH.bare"
    )
    parser.add_argument("--serve", choices=["hub", "bare"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _raise_fd_limit(args.clients)
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve(args.serve, args.clients, args.profile))
        os._exit(0)
    _wait_quiet(args.wait_quiet)
    asyncio.run(
        report(
            args.clients, args.messages, args.broadcasts, args.pairs, args.spread, args.freeze, args.profile
        )
    )


if __name__ == "__main__":
    cli()
