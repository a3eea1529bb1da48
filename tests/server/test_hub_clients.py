"""The server core against clients it did not write, many at once, slow ones and refused ones.

Node's ``ws`` package is installed with npm into a cache folder on first use
(``WSECHO_NODE_DIR``, default ``~/.cache/wsecho-widget/node``); without npm the
Node tests skip with the reason, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.helpers import wait_for
from wsecho_widget import WebSocketChannel
from wsecho_widget.server.hub import Hub

NODE_CLIENT = Path(__file__).parent.parent / "node" / "ws_client.js"


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """A folder whose node_modules holds Node's ``ws`` package."""
    folder = Path(os.environ.get("WSECHO_NODE_DIR", Path.home() / ".cache" / "wsecho-widget" / "node"))
    if (folder / "node_modules" / "ws" / "package.json").exists():
        return folder / "node_modules"
    why = ""
    if shutil.which("node") is None or shutil.which("npm") is None:
        why = "node and npm are not installed"
    else:
        folder.mkdir(parents=True, exist_ok=True)
        # One install at a time: pytest-xdist's workers and the matrix's Pythons run at once.
        with (folder / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (folder / "node_modules" / "ws" / "package.json").exists():
                done = subprocess.run(
                    ["npm", "install", "--prefix", str(folder), "--no-audit", "--no-fund", "ws@8"],
                    capture_output=True,
                    text=True,
                    timeout=180,
                )
                if done.returncode != 0:
                    why = f"npm install ws failed: {done.stderr.strip().splitlines()[-1:]}"
    if why:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Node's ws client is required under CI: {why}")
        pytest.skip(why)
    return folder / "node_modules"


@pytest.fixture
async def hub() -> AsyncIterator[Hub]:
    hub = Hub()
    await asyncio.wait_for(hub.ready, 10)
    yield hub
    hub.close()
    await asyncio.wait_for(hub.closed, 10)


class NodeClient:
    """``node ws_client.js URL`` as a subprocess; its events as dicts."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    @classmethod
    async def start(cls, url: str, node_modules: Path) -> NodeClient:
        env = {**os.environ, "NODE_PATH": str(node_modules)}
        process = await asyncio.create_subprocess_exec(
            "node", str(NODE_CLIENT), url, stdout=asyncio.subprocess.PIPE, env=env
        )
        return cls(process)

    async def next_event(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), 20)
        assert line, "the Node client ended without saying more"
        event: dict[str, Any] = json.loads(line)
        return event

    async def wait(self) -> None:
        await asyncio.wait_for(self.process.wait(), 20)


async def test_node_ws_client_echo_broadcast_and_its_close_code(hub: Hub, node_modules: Path) -> None:
    node = await NodeClient.start(hub.url + "/from-node", node_modules)
    assert await node.next_event() == {"event": "open"}
    assert await node.next_event() == {"event": "text", "text": "from node"}
    assert await node.next_event() == {"event": "binary", "hex": "000102ff"}
    assert hub.clients[0].path == "/from-node"
    hub.send(b"\x89PNG")
    assert await node.next_event() == {"event": "binary", "hex": "89504e47"}
    hub.send("close-me", to="c1")
    assert await node.next_event() == {"event": "text", "text": "close-me"}
    assert await node.next_event() == {"event": "close", "code": 4000, "reason": "node bye"}
    await node.wait()
    await wait_for(lambda: not hub.clients, what="the Node client gone")
    assert hub.notices[-1].text == "disconnected: 4000 (application code): node bye"
    received = [(m.client, m.data) for m in hub.messages if m.direction == "received"]
    assert received == [("c1", "from node"), ("c1", b"\x00\x01\x02\xff")]


async def test_node_ws_client_sees_the_servers_close_code_and_a_refusal(node_modules: Path) -> None:
    hub = Hub(mode="manual", token="n0de-secret")
    await hub.ready
    node = await NodeClient.start(hub.url + "/?token=n0de-secret", node_modules)
    assert await node.next_event() == {"event": "open"}
    await wait_for(lambda: hub.clients, what="the Node client")
    await hub.disconnect("c1", 4002, "server says bye")
    assert await node.next_event() == {"event": "close", "code": 4002, "reason": "server says bye"}
    await node.wait()
    refused = await NodeClient.start(hub.url + "/?token=wrong", node_modules)
    assert await refused.next_event() == {"event": "refused", "status": 401}
    await refused.wait()
    assert hub.notices[-1].text.endswith(": HTTP 401 Unauthorized: wrong token")
    assert all("n0de-secret" not in n.text for n in hub.notices)
    hub.close()
    await hub.closed


async def test_the_projects_own_websocket_channel_talks_to_it(hub: Hub) -> None:
    channel = WebSocketChannel.connect(hub.url)
    await channel.ready
    channel.sink.add("from the channel")
    frames = aiter(channel.stream)
    assert await anext(frames) == "from the channel"  # echo
    await wait_for(lambda: hub.clients, what="the channel")
    hub.send(b"\x01\x02")
    assert await anext(frames) == b"\x01\x02"
    await channel.close(4005, "channel bye")
    await wait_for(lambda: not hub.clients, what="the channel gone")
    assert hub.notices[-1].text == "disconnected: 4005 (application code): channel bye"


@pytest.mark.slow
async def test_a_hundred_clients_each_get_each_broadcast_once_in_order(hub: Hub) -> None:
    hub.mode = "manual"
    clients = [await connect(hub.url) for _ in range(100)]
    await wait_for(lambda: len(hub.clients) == 100, timeout=20, what="100 clients")
    frames = [f"frame {i}" for i in range(200)] + [bytes([i]) * 3 for i in range(50)]

    async def collect(ws: ClientConnection) -> list[str | bytes]:
        return [await ws.recv() for _ in frames]

    readers = [asyncio.ensure_future(collect(ws)) for ws in clients]
    for frame in frames:
        assert hub.send(frame) == 100
    got = await asyncio.wait_for(asyncio.gather(*readers), 60)
    assert all(received == frames for received in got)
    for ws in clients:  # and nothing more
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(ws.recv(), 0.001)
    await asyncio.gather(*(ws.close() for ws in clients))
    assert hub.messages.totals.sent_messages == len(frames)  # one record per broadcast
    assert {m.client for m in hub.messages} == {"*"}


async def test_a_stalled_client_is_closed_with_1008_and_holds_up_no_one() -> None:
    hub = Hub(mode="manual", send_queue=64 * 1024, close_timeout=10)
    await hub.ready
    stalled = await connect(hub.url)
    lively = await connect(hub.url)
    await wait_for(lambda: len(hub.clients) == 2, what="two clients")
    stalled.transport.pause_reading()  # stops reading: its buffers fill up
    got: list[str | bytes] = []

    async def read_all(ws: ClientConnection, into: list[str | bytes]) -> None:
        with pytest.raises(ConnectionClosed):
            while True:
                into.append(await ws.recv())

    reader = asyncio.ensure_future(read_all(lively, got))
    frame = b"x" * 1000
    sent = 0
    while not hub.clients[0].dropped_because and sent < 100_000:
        hub.send(frame + sent.to_bytes(4, "big"))
        sent += 1
        if sent % 50 == 0:
            await asyncio.sleep(0)  # the loop goes on: the lively client reads
    assert hub.clients[0].dropped_because, f"not dropped after {sent} frames"
    notice = [n for n in hub.notices if n.client == "c1" and "1008" in n.text]
    assert notice and "send queue full" in notice[0].text and notice[0].level == "warning"
    await wait_for(lambda: len(got) == sent, timeout=20, what="the lively client got every frame")
    assert got == [frame + i.to_bytes(4, "big") for i in range(sent)]
    # The stalled client reads again: what it got is the start of the sequence, then 1008.
    stalled.transport.resume_reading()
    late: list[str | bytes] = []
    await asyncio.wait_for(read_all(stalled, late), 20)
    assert stalled.close_code == 1008 and stalled.close_reason == "send queue full"
    assert late == got[: len(late)] and len(late) < sent
    await wait_for(lambda: len(hub.clients) == 1, what="c1 gone")
    assert "closed by server: 1008 (policy violation): send queue full" in hub.notices[-1].text
    await lively.close()
    await reader
    hub.close()
    await hub.closed


async def test_each_refused_handshake_is_one_line_and_the_token_shows_nowhere() -> None:
    secret = "s3cret-T0ken"
    hub = Hub(path="/ws", origins=["http://127.0.0.1:9", None], token=secret, max_clients=2)
    await hub.ready
    base = hub.url
    attempts = [
        (f"{base}/nope?token={secret}", {}, 404),
        (f"{base}/ws?token={secret}", {"Origin": "http://elsewhere.example"}, 403),
        (f"{base}/ws", {}, 401),
        (f"{base}/ws?token=guess", {}, 401),
        (f"{base}/ws", {"Authorization": "Bearer guess"}, 401),
    ]
    for url, headers, status in attempts:
        with pytest.raises(InvalidStatus) as refused:
            await connect(url, additional_headers=headers)
        assert refused.value.response.status_code == status
    a = await connect(f"{base}/ws?token={secret}", additional_headers={"Origin": "http://127.0.0.1:9"})
    b = await connect(f"{base}/ws", additional_headers={"Authorization": f"Bearer {secret}"})
    with pytest.raises(InvalidStatus) as full:
        await connect(f"{base}/ws?token={secret}")
    assert full.value.response.status_code == 503
    warnings = [n.text for n in hub.notices if n.level == "warning"]
    assert len(warnings) == 6, warnings
    assert [w.split(": HTTP ")[1][:3] for w in warnings] == ["404", "403", "401", "401", "401", "503"]
    assert warnings[0].startswith("refused 127.0.0.1:") and "/nope?token=***" in warnings[0]
    shown = [n.text for n in hub.notices] + [repr(hub), hub.detail, repr(hub.gate)]
    shown += [repr(c) for c in hub.clients] + [c.path for c in hub.clients]
    assert all(secret not in text for text in shown)
    await a.close()
    await b.close()
    hub.close()
    await hub.closed


@pytest.mark.slow
async def test_a_client_that_takes_nothing_for_a_keepalive_period_is_dropped_and_a_slow_one_is_not() -> None:
    # websockets' keepalive cannot see this client: its ping waits behind the
    # data the client does not read. The hub's own check does.
    hub = Hub(mode="manual", ping_interval=0.3, ping_timeout=0.3, close_timeout=0.5, send_queue=64 * 2**20)
    await hub.ready
    stalled = await connect(hub.url, ping_interval=None)
    slow = await connect(hub.url, ping_interval=None, max_queue=4)
    try:
        await wait_for(lambda: len(hub.clients) == 2, what="two clients")
        stalled.transport.pause_reading()
        frame = b"y" * 64_000
        for _ in range(300):  # 19 MB each: more than the sockets hold, less than the send queue
            hub.send(frame)
        assert hub.clients[0].waiting > 0  # in the transport: the connection is paused
        got = 0
        while got < 300:
            await slow.recv()
            got += 1
            if got % 20 == 0:
                await asyncio.sleep(0.02)  # slow, but always taking something
        await wait_for(lambda: len(hub.clients) == 1, timeout=10, what="the stalled client dropped")
        assert hub.clients[0].id == "c2"
        said = [n.text for n in hub.notices if n.client == "c1"]
        assert any(t.startswith("closing with 1008: took nothing of the ") for t in said), said
        assert any(t.startswith("closed by server: 1008 (policy violation): not reading") for t in said), said
    finally:
        await slow.close()
        stalled.transport.abort()
        hub.close()
        await hub.closed
