"""The real network, with reconnect on (the default): each fault against a real server.

Every case asserts the exact status the user sees, that the loop stays responsive
(a ticker measures how late a 10 ms sleep wakes while the fault happens), that no
task or file descriptor is left behind (checked by the autouse ``no_leaks``
fixture), and exactly which messages went out. Reconnect delays are 50 ms here
(``reconnect_delays=FAST``) so the file runs in seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
import re
import socket
import ssl
import struct
import sys
import time
import traceback
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pytest
import trustme
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from tests.helpers import live_widgets, make_png, page, wait_for
from wsecho_widget import ChannelError, EchoServer, WebSocketPanel
from wsecho_widget._util.tasks import wake_on_signals
from wsecho_widget.client._state import _BACKGROUND

ROOT = Path(__file__).resolve().parents[2]
FAST = (0.05,)  # every reconnect delay: 50 ms
REFUSED = "connection refused (is the server running?)"

Handler = Callable[[ServerConnection], Awaitable[None]]


# -- tools ---------------------------------------------------------------------------


def fd_count() -> int:
    """Open file descriptors of this process (sockets included)."""
    return len(os.listdir("/proc/self/fd"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(autouse=True, scope="module")
def _frozen_heap() -> Iterator[None]:
    """What the process held before this module stays out of ``no_leaks``' collections:
    ``gc.freeze()`` spares them the earlier modules' objects (the worker's whole heap, a
    quarter of a second each in a full run)."""
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


@pytest.fixture(autouse=True)
async def no_leaks(caplog: pytest.LogCaptureFixture) -> AsyncIterator[None]:
    """After each case: no new task, no new file descriptor, no error logged by asyncio."""
    caplog.set_level(logging.INFO)
    gc.collect()
    # The socket pair that wakes the main thread's loop on a signal is made once, on a
    # process's first loop: not a leak of the case that happens to come first.
    wake_on_signals(asyncio.get_running_loop())
    tasks = set(asyncio.all_tasks())
    fds = fd_count()
    yield
    current = asyncio.current_task()

    def extra_tasks() -> list[asyncio.Task[Any]]:
        return [t for t in asyncio.all_tasks() if t not in tasks and t is not current]

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 5
    while extra_tasks() or fd_count() > fds:
        if loop.time() > deadline:
            raise AssertionError(f"leak: tasks {extra_tasks()}, fds {fd_count()} > {fds}")
        await asyncio.sleep(0.01)
    assert not _BACKGROUND
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("asyncio")]
    assert not errors, [r.getMessage() for r in errors]


class Ticker:
    """Measures the loop's responsiveness: how late a 10 ms sleep wakes, at worst."""

    def __init__(self) -> None:
        self.worst = 0.0
        self.ticks = 0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            start = loop.time()
            await asyncio.sleep(0.01)
            self.worst = max(self.worst, loop.time() - start - 0.01)
            self.ticks += 1

    async def __aenter__(self) -> Ticker:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        if exc[0] is None:
            ticks = self.ticks
            await wait_for(lambda: self.ticks > ticks, what="the loop to run the ticker")
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        # Generous: a blocked loop shows as seconds, a busy machine as tens of ms.
        assert self.worst < 1.0, f"the loop was blocked for {self.worst:.2f} s"


def details(panel: WebSocketPanel) -> list[tuple[str, str]]:
    """Every (status, detail) the panel shows from now on, in order."""
    seen: list[tuple[str, str]] = []
    panel.observe(lambda change: seen.append((panel.session.status, change["new"])), "status_detail")
    return seen


def sent(panel: WebSocketPanel) -> list[str | bytes]:
    return [m.data for m in panel.messages if m.direction == "sent"]


def received(panel: WebSocketPanel) -> list[str | bytes]:
    return [m.data for m in panel.messages if m.direction == "received"]


@contextlib.asynccontextmanager
async def server_on(handler: Handler, port: int = 0, **options: Any) -> AsyncIterator[tuple[Server, str]]:
    """A websockets server on 127.0.0.1 and its ws:// URL."""
    async with serve(handler, "127.0.0.1", port, compression=None, **options) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield server, f"ws://127.0.0.1:{port}"


async def echo(ws: ServerConnection) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for message in ws:
            await ws.send(message)


def recording_echo(into: list[str | bytes]) -> Handler:
    async def handler(ws: ServerConnection) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for message in ws:
                into.append(message)
                await ws.send(message)

    return handler


def reset(ws: ServerConnection) -> None:
    """Drop the TCP connection with a RST (SO_LINGER 0), no closing handshake."""
    sock = ws.transport.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    ws.transport.abort()


class FailsOnce:
    """A handler whose first connection waits for one message, then suffers ``fault``;
    every later connection echoes (the server is back). Counts the connections."""

    def __init__(self, fault: Callable[[ServerConnection], Awaitable[None] | None]) -> None:
        self.fault = fault
        self.connections = 0

    async def __call__(self, ws: ServerConnection) -> None:
        self.connections += 1
        if self.connections > 1:
            await echo(ws)
            return
        await ws.recv()
        if (pending := self.fault(ws)) is not None:
            await pending


# -- server down, killed, silent, rejecting -------------------------------------------


async def test_server_down_at_start_keeps_trying_then_sends_the_queue_once() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))  # bound, not listening: refused
        port = s.getsockname()[1]
        async with Ticker():
            panel = WebSocketPanel(f"ws://127.0.0.1:{port}", reconnect_delays=FAST)
            seen = details(panel)
            await wait_for(lambda: panel.session.attempt >= 3, what="three attempts")
            assert panel.status == "connecting"
            assert ("connecting", f"reconnecting in 50 ms (attempt 1): {REFUSED}") in seen
            assert ("connecting", f"reconnecting now (attempt 1): {REFUSED}") in seen
            assert ("connecting", f"reconnecting in 50 ms (attempt 2): {REFUSED}") in seen
            assert panel.status_label.value.startswith("● connecting: reconnecting")
            assert panel.connect_button.description == "Disconnect"
            # While it is down, what the user sends waits in order, and says so.
            panel.text.value = "typed while down"
            panel.send_button.click()
            assert panel.text.value == ""
            panel.send("sent by code while down")
            assert "2 queued" in panel.stats_label.value
            assert not panel.ready.done()
    got: list[str | bytes] = []
    async with server_on(recording_echo(got), port), Ticker():
        await asyncio.wait_for(panel.ready, 5)
        replies = [(await panel.receive(timeout=5)).data for _ in range(2)]
        assert panel.status == "open"
        assert panel.session.attempt == 0
        assert "queued" not in panel.stats_label.value
    assert got == ["typed while down", "sent by code while down"]
    assert replies == got
    assert sent(panel) == got  # each once, in order
    panel.close()


async def test_server_killed_mid_stream_and_restarted() -> None:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.streaming_server", str(port), cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    try:
        assert await asyncio.wait_for(process.stdout.readline(), 30) == b"ready\n"
        panel = WebSocketPanel(f"ws://127.0.0.1:{port}", reconnect_delays=FAST)
        await asyncio.wait_for(panel.ready, 5)
        panel.send("before the kill")
        await wait_for(lambda: "before the kill" in received(panel), what="the echo")
        await wait_for(lambda: len(received(panel)) > 30, what="ticks")
        seen = details(panel)
        async with Ticker():
            process.kill()  # SIGKILL, mid-stream: no close frame, no goodbye
            await process.wait()
            await wait_for(lambda: panel.status == "connecting", what="the loss")
            first = seen[0]
            print(f"\nafter kill -9: {first}")
            assert first[0] == "connecting"
            assert re.fullmatch(
                r"reconnecting in 50 ms \(attempt 1\): connection (lost|reset by peer) \(no close frame\)",
                first[1],
            ), first
            await wait_for(lambda: panel.session.attempt >= 2, what="a refused retry")
            assert ("connecting", f"reconnecting in 50 ms (attempt 2): {REFUSED}") in seen
            queued = [f"queued {i}" for i in range(5)]
            for text in queued[:3]:
                panel.send(text)
            panel.text.value = queued[3]
            panel.send_button.click()
            panel.send(queued[4])
            assert "5 queued" in panel.stats_label.value
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    # The ticks that arrived are whole and in order: nothing was lost or doubled.
    ticks = [m for m in received(panel) if isinstance(m, str) and m.startswith("tick ")]
    assert ticks == [f"tick {n}" for n in range(len(ticks))]
    got: list[str | bytes] = []
    async with server_on(recording_echo(got), port), Ticker():
        await asyncio.wait_for(panel.ready, 5)
        await wait_for(lambda: received(panel)[-5:] == queued, what="the queued echoes")
    assert got == queued  # once each, in order, on the new connection
    assert sent(panel) == ["before the kill", *queued]
    panel.close()


async def test_a_finite_iterator_of_delays_bounds_the_attempts() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        panel = WebSocketPanel(
            f"ws://127.0.0.1:{s.getsockname()[1]}", reconnect_delays=lambda: iter([0.01] * 3)
        )
        panel.send("too late")
        with pytest.raises(ChannelError, match="gave up after 3 reconnect attempts"):
            await asyncio.wait_for(panel.ready, 5)
    assert (panel.status, panel.status_detail) == (
        "error",
        f"{REFUSED}; gave up after 3 reconnect attempts; 1 queued for the next connect",
    )
    await wait_for(lambda: not panel.session.tasks, what="the supervisor to end")
    # The queued frame is the user's to take back (or to send on the next connect).
    assert panel.session.discard_queued() == ["too late"]
    assert panel.session.queued == 0
    panel.close()


async def test_no_handshake_times_out_retries_and_disconnect_stops() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()  # accepts TCP, never answers the HTTP upgrade
        async with Ticker():
            panel = WebSocketPanel(
                f"ws://127.0.0.1:{s.getsockname()[1]}", open_timeout=0.2, reconnect_delays=FAST
            )
            seen = details(panel)
            await wait_for(lambda: panel.session.attempt >= 2, what="two attempts")
            timed_out = "timed out during the opening handshake"
            assert ("connecting", f"reconnecting in 50 ms (attempt 1): {timed_out}") in seen
            panel.send("waiting")
            panel.connect_button.click()  # Disconnect: stop trying
            await wait_for(lambda: panel.status == "closed", what="closed")
        assert panel.status_detail == "disconnected; 1 queued for the next connect"
        assert panel.connect_button.description == "Connect"
        await wait_for(lambda: not panel.session.tasks, what="the supervisor to end")
        with pytest.raises(ChannelError, match=r"^disconnected; 1 queued"):
            await panel.ready
        # Closed: new text is refused and stays in the input; the queue is kept.
        panel.text.value = "refused"
        panel.send_button.click()
        assert panel.text.value == "refused"
        assert "not sent: not connected" in panel.notice_label.value
    got: list[str | bytes] = []
    async with server_on(recording_echo(got)) as (_, url):
        await asyncio.wait_for(panel.connect(url), 5)
        await wait_for(lambda: got == ["waiting"], what="the queued message")
        panel.send_button.click()
        await wait_for(lambda: got == ["waiting", "refused"], what="the kept text")
    panel.close()


async def test_handshake_rejected_with_403_is_not_retried() -> None:
    attempts = 0

    def forbid(connection: ServerConnection, request: Request) -> Response:
        nonlocal attempts
        attempts += 1
        return connection.respond(403, "no\n")

    async with server_on(echo, process_request=forbid) as (_, url), Ticker():
        panel = WebSocketPanel(url, reconnect_delays=FAST)
        with pytest.raises(ChannelError, match="HTTP 403 Forbidden; not reconnecting"):
            await asyncio.wait_for(panel.ready, 5)
        assert (panel.status, panel.status_detail) == (
            "error",
            "server rejected the handshake: HTTP 403 Forbidden; not reconnecting",
        )
        await wait_for(lambda: not panel.session.tasks, what="the supervisor to end")
    assert attempts == 1  # and no task is left that could try again
    panel.close()


async def test_handshake_503_is_retried_and_429_waits_as_told() -> None:
    answers = [503, 503, 429]

    def busy(connection: ServerConnection, request: Request) -> Response | None:
        if not answers:
            return None
        status = answers.pop(0)
        response = connection.respond(status, "later\n")
        if status == 429:
            response.headers["Retry-After"] = "1"
        return response

    async with server_on(echo, process_request=busy) as (_, url), Ticker():
        panel = WebSocketPanel(url, reconnect_delays=FAST)
        seen = details(panel)
        rejected = "server rejected the handshake: HTTP"
        await wait_for(lambda: panel.session.attempt == 3, what="the 429")
        assert seen[:5] == [
            ("connecting", f"reconnecting in 50 ms (attempt 1): {rejected} 503 Service Unavailable"),
            ("connecting", f"reconnecting now (attempt 1): {rejected} 503 Service Unavailable"),
            ("connecting", f"reconnecting in 50 ms (attempt 2): {rejected} 503 Service Unavailable"),
            ("connecting", f"reconnecting now (attempt 2): {rejected} 503 Service Unavailable"),
            # Retry-After: 1 is longer than our 50 ms: the server's word wins.
            ("connecting", f"reconnecting in 1.0 s (attempt 3): {rejected} 429 Too Many Requests"),
        ]
        await asyncio.wait_for(panel.ready, 5)
        panel.send("finally")
        assert (await panel.receive(timeout=5)).data == "finally"
    panel.close()


# -- the peer ends the connection ------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "reason", "status", "detail"),
    [
        (1011, "database on fire", "connecting", "closed by server: 1011 (internal error): database on fire"),
        (1001, "restarting", "connecting", "closed by server: 1001 (going away): restarting"),
        (1012, "", "connecting", "closed by server: 1012 (service restart)"),
        (4000, "app says retry", "connecting", "closed by server: 4000 (application code): app says retry"),
        (1008, "banned", "error", "closed by server: 1008 (policy violation): banned; not reconnecting"),
        (3003, "", "error", "closed by server: 3003 (application code); not reconnecting"),
        (1000, "bye", "closed", "closed by server: 1000 (normal closure): bye"),
    ],
)
async def test_peer_closes_with_a_code(code: int, reason: str, status: str, detail: str) -> None:
    handler = FailsOnce(lambda ws: ws.close(code, reason))
    async with server_on(handler) as (_, url), Ticker():
        panel = WebSocketPanel(url, reconnect_delays=FAST)
        await asyncio.wait_for(panel.ready, 5)
        seen = details(panel)
        panel.send("trigger")
        await wait_for(lambda: seen, what="the close")
        if status == "connecting":
            assert seen[0] == ("connecting", f"reconnecting in 50 ms (attempt 1): {detail}")
            await asyncio.wait_for(panel.ready, 5)  # a new ready: it waits for the way back
            assert panel.status == "open"
            panel.send("again")
            assert (await panel.receive(timeout=5)).data == "again"
            assert handler.connections == 2
        else:
            # The server said not to come back (or ended normally): no retry.
            assert seen == [(status, detail)]
            await wait_for(lambda: not panel.session.tasks, what="the supervisor to end")
            assert handler.connections == 1
            with pytest.raises(ChannelError, match="not sent"):
                panel.send("refused")
        assert sent(panel).count("trigger") == 1
    panel.close()


async def test_a_server_that_drops_every_connection_is_retried_with_growing_delays() -> None:
    # Accept, then close at once, every time: backoff must not reset on each
    # short-lived open, or this would be a tight reconnect loop.
    async def handler(ws: ServerConnection) -> None:
        await ws.close(1011, "flapping")

    async with server_on(handler) as (_, url), Ticker():
        panel = WebSocketPanel(url, reconnect_delays=(0.01, 0.02, 0.04, 0.08))
        seen = details(panel)
        await wait_for(lambda: sum(d.startswith("reconnecting in") for _, d in seen) >= 6, what="six drops")
        delays = [re.match(r"reconnecting in (\d+ ms)", d) for _, d in seen]
        assert [m.group(1) for m in delays if m][:6] == ["10 ms", "20 ms", "40 ms", "80 ms", "80 ms", "80 ms"]
        panel.close()


async def test_peer_stops_answering_pings() -> None:
    connections: list[ServerConnection] = []

    async def handler(ws: ServerConnection) -> None:
        connections.append(ws)
        if len(connections) == 1:
            ws.transport.pause_reading()  # alive at TCP level, deaf: no pong
            await ws.wait_closed()
        else:
            await echo(ws)

    async with server_on(handler, ping_interval=None) as (_, url), Ticker():
        panel = WebSocketPanel(url, ping_interval=0.1, ping_timeout=0.2, reconnect_delays=FAST)
        await asyncio.wait_for(panel.ready, 5)
        seen = details(panel)
        await wait_for(lambda: seen, what="the dead peer to be noticed")
        connections[0].transport.abort()  # the deaf server side: end it too
        assert seen[0] == (
            "connecting",
            "reconnecting in 50 ms (attempt 1): no pong from server within 0.2 s: connection lost",
        )
        await asyncio.wait_for(panel.ready, 5)
        panel.send("alive again")
        assert (await panel.receive(timeout=5)).data == "alive again"
        assert len(connections) == 2
    panel.close()


async def test_a_blocking_cell_does_not_kill_the_connection() -> None:
    # A notebook cell that runs synchronous code blocks the loop. A pong that came
    # meanwhile must not count as missing (websockets' own keepalive drops this
    # connection: its timeout fires in the same loop turn that reads the pong).
    async with server_on(echo) as (_, url):
        panel = WebSocketPanel(url, ping_interval=0.1, ping_timeout=0.1, reconnect_delays=FAST)
        await asyncio.wait_for(panel.ready, 5)
        ws = panel.channel.websocket
        for _ in range(2):
            await wait_for(lambda: ws.pending_pings, what="a keepalive ping in flight")
            time.sleep(0.5)  # noqa: ASYNC251  # the blocking cell: blocking the loop is the point
            await asyncio.sleep(0)
        panel.send("still here")
        assert (await panel.receive(timeout=5)).data == "still here"
        assert panel.status == "open"
        assert panel.channel.websocket is ws  # the same connection, never dropped
    panel.close()


async def test_oversized_frame_from_the_server() -> None:
    async def handler(ws: ServerConnection) -> None:
        await ws.recv()
        await ws.send(b"x" * 5000)
        await echo(ws)

    async with server_on(handler) as (_, url), Ticker():
        panel = WebSocketPanel(url, max_size=1000, reconnect_delays=FAST)
        await asyncio.wait_for(panel.ready, 5)
        panel.send("send me something big")
        await wait_for(lambda: panel.status == "error", what="the error")
        assert panel.status_detail == "message too big (5,000 bytes, limit 1,000 bytes); not reconnecting"
        assert panel.channel.close_code == 1009
        assert received(panel) == []
    panel.close()


async def test_oversized_frame_to_the_server() -> None:
    async with server_on(echo, max_size=1000) as (_, url), Ticker():
        panel = WebSocketPanel(url, reconnect_delays=FAST)
        await asyncio.wait_for(panel.ready, 5)
        panel.send(b"y" * 5000)
        await wait_for(lambda: panel.status == "error", what="the error")
        assert panel.status_detail == (
            "server refused a message too big (5,000 bytes, limit 1,000 bytes); not reconnecting"
        )
    panel.close()


async def test_abrupt_tcp_reset() -> None:
    async with server_on(FailsOnce(reset)) as (_, url), Ticker():
        panel = WebSocketPanel(url, reconnect_delays=FAST)
        await asyncio.wait_for(panel.ready, 5)
        seen = details(panel)
        panel.send("go")
        await wait_for(lambda: seen, what="the reset")
        reset_by_peer = "connection reset by peer (no close frame)"
        assert seen[0] == ("connecting", f"reconnecting in 50 ms (attempt 1): {reset_by_peer}")
        panel.send("after the reset")
        await asyncio.wait_for(panel.ready, 5)
        assert (await panel.receive(timeout=5)).data == "after the reset"
    assert sent(panel) == ["go", "after the reset"]
    panel.close()


# -- many cycles, many panels, closing at odd times -------------------------------------


@pytest.mark.no_log_mirror
@pytest.mark.slow
async def test_200_connect_disconnect_cycles_leak_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)  # captured INFO records would be the growth measured
    async with EchoServer() as server:
        # A small history and log, so that what they keep is full after the warm-up
        # and any growth left is what the cycles leak.
        panel = WebSocketPanel(server.url, history_limit=20, log_limit=20)

        async def cycle(i: int) -> None:
            await asyncio.wait_for(panel.connect(), 5)
            panel.send(f"cycle {i}")
            assert (await panel.receive(timeout=5)).data == f"cycle {i}"
            await panel.disconnect()
            assert panel.status == "closed"

        await asyncio.wait_for(panel.ready, 5)
        await panel.disconnect()
        for i in range(100):  # warm up: caches, a full history and log
            await cycle(i)
        await wait_for(lambda: not _BACKGROUND and not panel.session.tasks, what="quiet")
        gc.collect()
        tasks, fds, widgets_before = len(asyncio.all_tasks()), fd_count(), len(live_widgets())
        tracemalloc.start()
        try:
            # Two rounds of 100: the first pays for first-time allocations under
            # tracemalloc; a leak grows the second one as much as the first.
            grown = []
            start = time.perf_counter()
            for half in range(2):
                memory = tracemalloc.get_traced_memory()[0]
                for i in range(100):
                    await cycle(100 * half + i)
                await wait_for(lambda: not _BACKGROUND and not panel.session.tasks, what="quiet")
                gc.collect()
                grown.append(tracemalloc.get_traced_memory()[0] - memory)
            elapsed = time.perf_counter() - start
        finally:
            tracemalloc.stop()
        after = (len(asyncio.all_tasks()), fd_count(), len(live_widgets()))
        print(
            f"\n200 cycles in {elapsed:.2f} s: tasks {tasks} -> {after[0]}, fds {fds} -> {after[1]}, "
            f"widgets {widgets_before} -> {after[2]}, traced memory +{grown[0] / 1024:.0f} KiB "
            f"then +{grown[1] / 1024:.0f} KiB per 100 cycles (history keeps {len(panel.messages)} messages)"
        )
        assert after == (tasks, fds, widgets_before)
        # One leaked connection per cycle would be about 10 KiB each, 1 MiB per 100.
        assert grown[1] < 64 * 1024
        assert panel.messages.totals.sent_messages == 300
        panel.close()


async def test_two_panels_one_server_failing() -> None:
    healthy = EchoServer()
    await healthy.start()
    port = free_port()
    failing_log: list[str | bytes] = []
    failing = await serve(recording_echo(failing_log), "127.0.0.1", port)
    a = WebSocketPanel(healthy.url, reconnect_delays=FAST)
    b = WebSocketPanel(f"ws://127.0.0.1:{port}", reconnect_delays=FAST)
    try:
        await asyncio.wait_for(asyncio.gather(a.ready, b.ready), 5)
        a_seen = details(a)
        b_seen = details(b)
        async with Ticker():
            # B's server vanishes: connections reset, port closed.
            for connection in list(failing.connections):
                reset(connection)
            failing.close(close_connections=False)
            await failing.wait_closed()
            await wait_for(lambda: b.session.attempt >= 2, what="B retrying")
            b.send("for B, later")
            # A carries on, untouched, while B retries.
            for i in range(50):
                a.send(f"a{i}")
            assert [(await a.receive(timeout=5)).data for _ in range(50)] == [f"a{i}" for i in range(50)]
            assert a.status == "open"
            assert a_seen == []  # A's status never changed
            assert b.status == "connecting"
            assert b_seen[0][1].startswith("reconnecting in 50 ms (attempt 1): connection ")
        async with server_on(recording_echo(failing_log), port):
            await asyncio.wait_for(b.ready, 5)
            assert (await b.receive(timeout=5)).data == "for B, later"
        assert failing_log == ["for B, later"]
    finally:
        a.close()
        b.close()
        await healthy.stop()


async def test_panel_closed_while_connecting() -> None:
    before = set(live_widgets())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()  # the handshake never completes
        panel = WebSocketPanel(f"ws://127.0.0.1:{s.getsockname()[1]}")
        await wait_for(lambda: panel.channel is not None, what="the attempt")
        channel = panel.channel
        panel.close()
        assert (panel.status, panel.status_detail) == ("closed", "panel closed")
        with pytest.raises(ChannelError, match="not connected: panel closed"):
            await panel.ready
        await wait_for(lambda: channel.closed.done() and not channel.tasks, what="the channel to end")
    await wait_for(lambda: not panel.session.tasks, what="every task to end")
    assert set(live_widgets()) <= before


async def test_panel_closed_while_waiting_to_reconnect() -> None:
    before = set(live_widgets())
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        panel = WebSocketPanel(f"ws://127.0.0.1:{s.getsockname()[1]}", reconnect_delays=(30,))
        waiting = "reconnecting in 30.0 s (attempt 1)"
        await wait_for(lambda: panel.status_detail.startswith(waiting), what="the 30 s wait")
        panel.send("never sent")
        panel.close()
        assert (panel.status, panel.status_detail) == ("closed", "panel closed")
        with pytest.raises(ChannelError, match="not connected: panel closed"):
            await panel.ready
    await wait_for(lambda: not panel.session.tasks, what="the 30 s wait to end at once")
    assert set(live_widgets()) <= before
    assert sent(panel) == []


# -- TLS ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@contextlib.asynccontextmanager
async def tls_server(cert: trustme.LeafCert) -> AsyncIterator[str]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    async with serve(echo, "127.0.0.1", 0, ssl=context) as server:
        yield f"wss://127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}"


def trusting(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()  # verification on, as always
    ca.configure_trust(context)
    return context


async def test_wss_with_the_users_own_ssl_context(ca: trustme.CA) -> None:
    async with tls_server(ca.issue_cert("127.0.0.1")) as url:
        panel = WebSocketPanel(url, ssl=trusting(ca))
        await asyncio.wait_for(panel.ready, 5)
        assert panel.url == url
        panel.send(make_png())
        assert (await panel.receive(timeout=5)).image_format == "png"
        panel.close()


async def test_wss_verifies_certificates_by_default(ca: trustme.CA) -> None:
    async with tls_server(ca.issue_cert("127.0.0.1")) as url:
        panel = WebSocketPanel(url, reconnect_delays=FAST)  # the system's trust store only
        with pytest.raises(ChannelError, match="certificate verify failed"):
            await asyncio.wait_for(panel.ready, 5)
        assert (panel.status, panel.status_detail) == (
            "error",
            "certificate verify failed: unable to get local issuer certificate; not reconnecting",
        )
        panel.close()


async def test_wss_certificate_for_another_host(ca: trustme.CA) -> None:
    async with tls_server(ca.issue_cert("example.org")) as url:
        panel = WebSocketPanel(url, ssl=trusting(ca), reconnect_delays=FAST)
        with pytest.raises(ChannelError):
            await asyncio.wait_for(panel.ready, 5)
        assert panel.status_detail == (
            "certificate verify failed: IP address mismatch, certificate is not valid for '127.0.0.1'"
            "; not reconnecting"
        )
        panel.close()


# -- secrets ---------------------------------------------------------------------------

SECRETS = ("hunter2", "s3cret-token", "cookie-m0nster", "k3y-value", "lobby-42")


def assert_no_secret(where: str, text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} in {where}: {text!r}"


def exception_text(exc: BaseException | None) -> str:
    """What a traceback prints about ``exc`` and the exceptions chained to it
    (not the source lines, which are the caller's own code)."""
    parts = []
    while exc is not None:
        parts.append("".join(traceback.format_exception_only(exc)))
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return "".join(parts)


def synced_state(panel: WebSocketPanel) -> Iterator[tuple[str, str]]:
    """Every synced trait of every live widget, as the notebook would save it."""
    for model_id, widget in list(live_widgets().items()):
        assert isinstance(widget, widgets.Widget)
        yield f"widget {model_id}", json.dumps(widget.get_state(), default=repr)
    yield "repr(panel)", repr(panel)
    yield "repr(channel)", repr(panel.channel)


async def test_secrets_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    connections = 0
    headers_seen: list[tuple[str | None, str | None, str | None]] = []

    def gate(connection: ServerConnection, request: Request) -> Response | None:
        if connections >= 2:
            return connection.respond(403, "no more\n")
        return None

    async def handler(ws: ServerConnection) -> None:
        nonlocal connections
        connections += 1
        assert ws.request is not None
        h = ws.request.headers
        headers_seen.append((h.get("Authorization"), h.get("Cookie"), h.get("X-Api-Key")))
        await ws.send("welcome")
        if connections == 1:
            await ws.recv()
            await ws.close(1011)
        else:
            await ws.close(1001)

    async with server_on(handler, process_request=gate) as (_, url):
        port = url.rsplit(":", 1)[1]
        secret_url = f"ws://alice:hunter2@127.0.0.1:{port}/feed?token=s3cret-token&room=lobby-42"
        panel = WebSocketPanel(
            secret_url,
            additional_headers={"Cookie": "session=cookie-m0nster", "X-Api-Key": "k3y-value"},
            reconnect_delays=FAST,
        )
        shown: list[tuple[str, str]] = []
        panel.observe(lambda c: shown.append(("status_detail", c["new"])), "status_detail")
        panel.observe(lambda c: shown.append(("url", str(c["new"]))), "url")
        panel.status_label.observe(lambda c: shown.append(("status_label", c["new"])), "value")
        await asyncio.wait_for(panel.ready, 5)
        shown.extend(synced_state(panel))
        panel.send("one")
        await wait_for(lambda: panel.status == "error", what="the 403")
        shown.extend(synced_state(panel))
        with pytest.raises(ChannelError) as refused:
            panel.send("refused")
        with pytest.raises(ChannelError) as failed:
            await panel.ready
        with pytest.raises(ChannelError) as invalid:
            WebSocketPanel("http://alice:hunter2@127.0.0.1/?token=s3cret-token")
        for name, exc in [("refused", refused.value), ("ready", failed.value), ("invalid", invalid.value)]:
            shown.append((f"{name} exception", exception_text(exc)))
        shown.append(("log", page(panel.output).text()))
        panel.close()
    # The secrets did go to the server, and nowhere else.
    assert headers_seen[0] == ("Basic YWxpY2U6aHVudGVyMg==", "session=cookie-m0nster", "k3y-value")
    display = f"ws://***@127.0.0.1:{port}/feed?token=***&room=***"
    assert panel.url == panel.url_label.value == display
    assert (
        "status_detail",
        "reconnecting in 50 ms (attempt 1): closed by server: 1011 (internal error)",
    ) in shown
    assert "invalid URL 'http://***@127.0.0.1/?token=***'" in str(invalid.value)
    for where, text in shown:
        assert_no_secret(where, text)
    for record in caplog.records:
        assert_no_secret(f"log record {record.name}", record.getMessage())


# -- hostile content -------------------------------------------------------------------


async def test_hostile_content_end_to_end() -> None:
    garbage = bytes(range(256)) * 4
    frames: list[str | bytes] = [
        b"\x89PNG\r\n\x1a\n" + garbage,  # a PNG header, then garbage
        b"\xff\xd8\xff\xe0" + garbage,  # JPEG
        b"GIF89a" + garbage,  # GIF
        b"\x89PNG",  # a truncated signature: not a picture
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg onload="alert(2)"></svg><script>alert(3)</script>',
    ]

    async def handler(ws: ServerConnection) -> None:
        for frame in frames:
            await ws.send(frame)
        await echo(ws)

    async with server_on(handler) as (_, url), Ticker():
        panel = WebSocketPanel(url, reconnect_delays=FAST)
        await asyncio.wait_for(panel.ready, 5)
        await wait_for(lambda: len(received(panel)) == len(frames), what="every frame")
        await wait_for(lambda: len(page(panel.output).entries) == len(frames), what="every frame rendered")
        # A magic number followed by garbage is no picture: its header gives no size.
        assert [m.image_format for m in panel.messages] == ["png", "jpeg", "gif", None, None, None]
        assert [m.media_type for m in panel.messages] == [None] * 6
        assert page(panel.output).media() == [] and page(panel.output).buffers == []
        log = page(panel.output).text()
        assert "← binary 1.0 KiB: 89 50 4e 47 0d 0a 1a 0a 00 01" in log
        assert "← binary 4 B: 89 50 4e 47" in log
        assert '<svg onload="alert(2)"></svg><script>alert(3)</script>' in log  # as text
        assert panel.status == "open"
        panel.session.discard_unread()
        panel.send("still fine")
        assert (await panel.receive(timeout=5)).data == "still fine"
    panel.close()
