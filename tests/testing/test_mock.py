"""The mock server plays a recording back to real clients: websockets' client and Node's ws."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.server.test_hub_clients import node_modules  # noqa: F401 (the fixture)
from wsecho_widget.model.message import Message
from wsecho_widget.testing import MockServer
from wsecho_widget.testing.mock import close_reason

RECORDING = [
    Message("received", "welcome", 0.5),  # the server spoke first
    Message("sent", "ping", 1.0),
    Message("received", "pong", 1.1),
    Message("received", b"\x00\xff", 1.2),
    Message("sent", b"\x01", 2.0),
    Message("received", '{"n": 1}', 2.1),
]


async def test_replies_byte_for_byte_in_order_and_closes_4000_naming_the_unexpected() -> None:
    async with MockServer(RECORDING) as server, connect(server.url) as ws:
        assert await ws.recv() == "welcome"
        await ws.send("ping")
        assert [await ws.recv(), await ws.recv()] == ["pong", b"\x00\xff"]
        await ws.send(b"\x01")
        assert await ws.recv() == '{"n": 1}'
        await ws.send("what now?")
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4000
        assert closed.value.rcvd.reason == "unexpected message 3: received text 'what now?'"
        assert [m.data for m in server.unexpected_messages] == ["what now?"]


async def test_each_connection_starts_the_script_again_and_an_unexpected_reply_can_be_set() -> None:
    async with MockServer(RECORDING, unexpected='{"error": "unknown"}') as server:
        for _ in range(2):
            async with connect(server.url) as ws:
                assert await ws.recv() == "welcome"
                await ws.send("pong?")
                assert await ws.recv() == '{"error": "unknown"}'
                await ws.send("ping")
                assert await ws.recv() == "pong"


def test_a_close_reason_fits_123_bytes_without_cutting_a_character() -> None:
    reason = close_reason("é" * 200)
    assert len(reason.encode()) <= 123 and reason.endswith("...")


async def test_node_ws_client_talks_to_the_mock(node_modules: Path) -> None:  # noqa: F811
    async with MockServer(
        [Message("sent", "from node", 1.0), Message("received", "close-me", 1.1)]
    ) as server:
        script = Path(__file__).parent.parent / "node" / "ws_client.js"
        process = await asyncio.create_subprocess_exec(
            "node", str(script), server.url,
            stdout=asyncio.subprocess.PIPE, env={**os.environ, "NODE_PATH": str(node_modules)},
        )  # fmt: skip
        out, _ = await asyncio.wait_for(process.communicate(), 10)
    events = [json.loads(line) for line in out.decode().splitlines()]
    assert {"event": "text", "text": "close-me"} in events
    # ws_client.js then sends a binary frame the recording does not have: 4000 names it... but it
    # closes first with its own 4000 on "close-me"; either way the close code is 4000.
    assert any(e.get("event") == "close" and e["code"] == 4000 for e in events)


async def test_a_har_file_is_served_and_its_scenario_passes_against_it(tmp_path: Path) -> None:
    from wsecho_widget.client.scenario import Scenario
    from wsecho_widget.model.har import to_har

    har = to_har(RECORDING[1:], tmp_path / "feed.har", "ws://example.invalid/feed")
    async with MockServer(har) as server:
        assert server.recorded_url == "ws://example.invalid/feed"
        result = await Scenario.from_messages(RECORDING[1:]).run(server.url)
    assert result.passed, result
