"""GraphQLClient against a real strawberry server (graphql-transport-ws) on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json

import pytest

pytest.importorskip("strawberry", reason="install the test extra: pip install -e .[test]")

from websockets.asyncio.server import ServerConnection

from tests.helpers import wait_for
from tests.hostile import graphql_by_hand
from tests.protocol_servers import (
    FAST,
    TOKEN,
    GraphQLServer,
    graphql_client,  # noqa: F401 (the fixture `client`)
    graphql_server,  # noqa: F401 (the fixture `server`)
)
from wsecho_widget import ChannelError
from wsecho_widget.protocols.graphql.client import GraphQLClient, GraphQLError


async def test_ready_on_connection_ack(client: GraphQLClient) -> None:
    assert client.status == "open"
    assert client.session.channel is not None
    assert client.session.channel.subprotocol == "graphql-transport-ws"
    raw = [json.loads(m.data) for m in client.messages]
    assert raw[0] == {"type": "connection_init", "payload": {"token": TOKEN}}
    assert [r["type"] for r in raw] == ["connection_init", "connection_ack"]


async def test_execute_a_query(client: GraphQLClient) -> None:
    result = await client.execute("query { hello }", timeout=5.0)
    assert result == {"data": {"hello": "Hello, world!"}}
    result = await client.execute("query Q($n: String!) { hello(name: $n) }", {"n": "Ada"}, "Q")
    assert result == {"data": {"hello": "Hello, Ada!"}}
    assert client.operations == {}  # completed


async def test_a_field_error_comes_in_the_result(client: GraphQLClient) -> None:
    result = await client.execute("{ broken }")
    assert result["data"] is None
    assert result["errors"][0]["message"] == "this field always fails"


async def test_an_error_message_raises_graphql_error(client: GraphQLClient) -> None:
    with pytest.raises(GraphQLError, match="Cannot query field 'nope' on type 'Query'") as info:
        await client.execute("{ nope }")
    assert info.value.errors[0]["message"].startswith("Cannot query field 'nope'")
    assert client.status == "open"  # only that operation failed
    assert (await client.execute("{ hello }"))["data"] == {"hello": "Hello, world!"}


async def test_a_subscription_of_several_results(client: GraphQLClient) -> None:
    sub = client.subscribe("subscription { count(to: 4) }")
    results = [result async for result in sub]
    assert results == [{"data": {"count": i}} for i in (1, 2, 3, 4)]
    assert sub.done and sub.error is None and client.operations == {}


async def test_cancel_sends_complete(client: GraphQLClient) -> None:
    sub = client.subscribe("subscription C($to: Int!) { count(to: $to, delay: 0.1) }", {"to": 1000})
    seen = []
    async for result in sub:
        seen.append(result["data"]["count"])
        if len(seen) == 2:
            await sub.cancel()
    assert seen == [1, 2]
    complete = f'{{"id":"{sub.id}","type":"complete"}}'
    await wait_for(lambda: complete in [m.data for m in client.messages], what="complete sent")
    await asyncio.sleep(0.3)  # the server stopped: nothing more arrives for that id
    late = [m for m in client.messages if m.direction == "received" and f'"id":"{sub.id}"' in str(m.data)]
    assert len(late) <= 3  # at most one result was in flight when it was cancelled
    assert client.operations == {}


async def test_a_refused_connection_init_is_shown_and_not_retried(server: GraphQLServer) -> None:
    client = GraphQLClient(server.url, connection_params={"token": "wrong"}, **FAST)
    try:
        with pytest.raises(ChannelError, match="server refused the connection: 4403 forbidden"):
            await asyncio.wait_for(client.ready, 5)
        assert client.status == "error"
        assert client.detail == (
            "server refused the connection: 4403 forbidden (the server refused connection_init): "
            "Forbidden; not reconnecting"
        )
        await asyncio.sleep(0.6)  # longer than every reconnect delay
        inits = [m for m in client.messages if m.direction == "sent" and "connection_init" in str(m.data)]
        assert len(inits) == 1
        # The session stopped by itself (the client's reconnect policy): a 44xx close
        # is an error close to it, as any 4xxx is.
        assert client.session.status == "error" and client.session.detail.endswith("; not reconnecting")
        with pytest.raises(ChannelError, match="not connected"):
            client.subscribe("{ hello }")
    finally:
        client.close()


async def test_operations_before_the_ack_wait_for_it(server: GraphQLServer) -> None:
    client = GraphQLClient(server.url, connection_params={"token": TOKEN})
    try:
        result = await client.execute("{ hello }")  # called before ready
        assert result == {"data": {"hello": "Hello, world!"}}
        await client.disconnect()  # a closing handshake: aiohttp then stops at once
    finally:
        client.close()


@pytest.mark.slow
async def test_a_subscription_goes_on_after_a_server_restart(server: GraphQLServer) -> None:
    client = GraphQLClient(server.url, connection_params={"token": TOKEN}, **FAST)
    try:
        await asyncio.wait_for(client.ready, 5)
        sub = client.subscribe("subscription { count(to: 4, delay: 0.4) }")
        assert await sub.__anext__() == {"data": {"count": 1}}
        query = asyncio.ensure_future(client.execute("{ hello }", timeout=10))
        await server.stop()
        await wait_for(lambda: client.status == "connecting", what="reconnecting")
        await server.start()
        await asyncio.wait_for(client.ready, 10)
        # Sent again on the new connection, so it starts over and runs to the end (the
        # old connection goes on delivering while aiohttp shuts down, up to 1 s).
        results = [r async for r in sub]
        assert results[-4:] == [{"data": {"count": i}} for i in (1, 2, 3, 4)]
        subscribes = [m for m in client.messages if m.direction == "sent" and '"type":"subscribe"' in m.data]
        assert sum(1 for m in subscribes if f'"id":"{sub.id}"' in m.data) == 2
        try:  # the query either finished before the restart, or failed in words: never ran twice
            assert (await query)["data"] == {"hello": "Hello, world!"}
        except ChannelError as exc:
            assert "connection lost before the result" in str(exc)
        await client.disconnect()  # a closing handshake: aiohttp then stops at once
    finally:
        client.close()


async def test_ping_answered_and_unknown_ids_ignored() -> None:
    pongs: list[str] = []

    async def handler(ws: ServerConnection) -> None:
        assert json.loads(await ws.recv()) == {"type": "connection_init"}
        await ws.send('{"type":"connection_ack"}')
        await ws.send('{"type":"ping"}')
        pongs.append(str(await ws.recv()))
        await ws.send('{"type":"next","id":"99","payload":{"data":{}}}')  # unknown id: ignored
        await ws.send('{"type":"ping"}')
        pongs.append(str(await ws.recv()))
        await ws.wait_closed()

    async with graphql_by_hand(handler) as (client, notices):
        await asyncio.wait_for(client.ready, 5)
        await wait_for(lambda: len(pongs) == 2, what="two pongs")
        assert pongs == ['{"type":"pong"}'] * 2 and client.pings == 2
        assert notices == []
        assert client.status == "open"


async def test_a_server_without_the_subprotocol_is_refused_in_words() -> None:
    async def handler(ws: ServerConnection) -> None:
        await ws.wait_closed()

    async with graphql_by_hand(handler, subprotocol=False, **FAST) as (client, _):
        with pytest.raises(ChannelError, match="does not speak graphql-transport-ws"):
            await asyncio.wait_for(client.ready, 5)


async def test_a_misspelt_option_names_the_client_and_the_closest_option() -> None:
    said = r"^GraphQLClient\(\) got .* 'conection_params'; did you mean 'connection_params'\?$"
    with pytest.raises(TypeError, match=said):
        GraphQLClient("ws://127.0.0.1:1/graphql", conection_params={})
    with pytest.raises(TypeError, match=r"'open_timout'; did you mean 'open_timeout'"):
        GraphQLClient("ws://127.0.0.1:1/graphql", open_timout=1)
