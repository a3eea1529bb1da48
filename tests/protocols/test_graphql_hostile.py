"""A hostile graphql-transport-ws server: bad messages end the connection with 4004, no retry.

The server is websockets speaking the protocol by hand (strawberry never sends
these shapes); the client is the real GraphQLClient.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from websockets.asyncio.server import ServerConnection

from tests.helpers import wait_for
from tests.hostile import graphql_by_hand, sized
from wsecho_widget import ChannelError
from wsecho_widget.protocols.graphql.client import GraphQLClient
from wsecho_widget.protocols.graphql.protocol import ProtocolError, decode

Handler = Callable[[ServerConnection], Awaitable[None]]
ACK = '{"type":"connection_ack"}'

BAD = {
    "not JSON": "not json",
    "no type": '{"id":"1"}',
    "an unknown type": '{"type":"subscribe","id":"1","payload":{"query":"{a}"}}',
    "next without a payload object": '{"type":"next","id":"1","payload":[1]}',
    "error without a list": '{"type":"error","id":"1","payload":{"message":"x"}}',
    "a binary frame": b"\x00\x01",
    "JSON nested 100,000 deep": '{"type":' + "[" * 100_000 + "]" * 100_000 + "}",
}


async def _run(handler: Handler, check: Callable[[GraphQLClient, list[str]], Awaitable[None]]) -> list[int]:
    """Serve ``handler``, connect a client, run ``check``; the connections' count is returned."""
    connections: list[int] = []

    async def counted(ws: ServerConnection) -> None:
        connections.append(1)
        await handler(ws)

    async with graphql_by_hand(counted, reconnect_delays=[0.05]) as (client, notices):
        await check(client, notices)
    return connections


@pytest.mark.parametrize("case", list(BAD))
async def test_a_malformed_message_ends_the_connection_with_4004_and_fails_waiters(case: str) -> None:
    """graphql-ws's client (enisdenjo/graphql-ws src/client.ts, CloseCode.BadResponse =
    4004) closes on a message it cannot parse and does not retry; our client does the same and fails the
    execute() that was waiting, instead of hanging on it."""
    codes: list[int | None] = []

    async def handler(ws: ServerConnection) -> None:
        await ws.recv()
        await ws.send(ACK)
        await ws.recv()  # the subscribe of execute()
        await ws.send(BAD[case])
        await ws.wait_closed()
        codes.append(ws.close_code)

    async def check(client: GraphQLClient, notices: list[str]) -> None:
        await asyncio.wait_for(client.ready, 5)
        with pytest.raises(ChannelError, match="4004 bad response"):
            await client.execute("{ a }", timeout=5)
        await wait_for(lambda: bool(codes), what="the close")
        assert codes == [4004]
        assert client.status == "error" and client.detail.endswith("not reconnecting")
        assert len(notices) == 1 and notices[0].startswith("bad message from the server: ")
        await asyncio.sleep(0.2)  # longer than the reconnect delay: no second connection

    assert len(await _run(handler, check)) == 1


async def test_next_before_connection_ack_is_a_bad_response() -> None:
    """graphql-ws's client rejects any first message but connection_ack ("First message
    cannot be of type next"); so do we, with 4004 and no retry."""

    async def handler(ws: ServerConnection) -> None:
        await ws.recv()
        await ws.send('{"type":"next","id":"1","payload":{"data":{"a":1}}}')
        await ws.wait_closed()

    async def check(client: GraphQLClient, notices: list[str]) -> None:
        with pytest.raises(ChannelError, match="next before connection_ack"):
            await asyncio.wait_for(client.ready, 5)
        await asyncio.sleep(0.2)
        assert client.status == "error"

    assert len(await _run(handler, check)) == 1


async def test_a_flood_of_results_to_one_operation_is_bounded() -> None:
    """A server that answers one operation with 20,000 results (graphql-transport-ws's
    PROTOCOL.md sets no bound on the `next` messages of an operation, and a query's
    execute() used to keep them all): a subscription keeps its last `buffer` results,
    execute() only its first; unknown ids are ignored."""

    async def handler(ws: ServerConnection) -> None:
        await ws.recv()
        await ws.send(ACK)
        for _ in range(2):
            sub_id = json.loads(await ws.recv())["id"]
            await ws.send('{"type":"next","id":"unknown","payload":{"data":{}}}')
            for i in range(20_000):
                await ws.send(json.dumps({"type": "next", "id": sub_id, "payload": {"data": {"i": i}}}))
            await ws.send(json.dumps({"type": "complete", "id": sub_id}))
        await ws.wait_closed()

    async def check(client: GraphQLClient, notices: list[str]) -> None:
        await asyncio.wait_for(client.ready, 5)
        sub = client.subscribe("subscription { i }", buffer=100)
        await wait_for(lambda: sub.done, timeout=20, what="the flood")
        results = [r async for r in sub]
        assert len(results) == 100 and sub.dropped == 19_900
        assert results[-1] == {"data": {"i": 19_999}}
        assert await client.execute("{ i }", timeout=20) == {"data": {"i": 0}}
        assert len(client.messages) <= client.messages.limit
        assert notices == [] and client.status == "open"

    await _run(handler, check)


@sized(300)
@given(
    frame=st.text(max_size=80)
    | st.binary(max_size=20)
    | st.builds(
        json.dumps,
        st.dictionaries(
            st.sampled_from(["type", "id", "payload"]),
            st.none()
            | st.text(max_size=10)
            | st.integers()
            | st.lists(st.integers(), max_size=3)
            | st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
        ),
    )
)
def test_the_codec_decodes_or_raises_protocol_error_for_any_frame(frame: str | bytes) -> None:
    """Any frame: a ServerMessage or one-line ProtocolError (fuzz property)."""
    try:
        decode(frame)
    except ProtocolError as exc:
        assert str(exc) and "\n" not in str(exc)
