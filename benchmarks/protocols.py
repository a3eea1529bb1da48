"""Issue 13: what the protocol layers cost, as ratios against baselines in the same run.

``python -m benchmarks.protocols`` starts a python-socketio server and a strawberry
GraphQL server (aiohttp) in a subprocess on 127.0.0.1, then times sequential round
trips from this process:

- Socket.IO ``call("add", 1, 2)`` through :class:`SocketIOClient` (on the session)
  against python-socketio's own ``AsyncClient.call`` (baseline);
- GraphQL ``execute("{ hello }")`` through :class:`GraphQLClient` against a bare
  websockets client that speaks graphql-transport-ws by hand (baseline).

Prints the median and p95 of each and the ratio of medians. Needs the test extra.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable

ROUNDS = 400


async def _serve() -> None:
    from tests.protocol_servers import TOKEN, GraphQLServer, SocketIOServer

    sio = await SocketIOServer().start()
    gql = await GraphQLServer().start()
    print(f"PORTS {sio.port} {gql.port} {TOKEN}", flush=True)
    await asyncio.Event().wait()


async def _time(label: str, call: Callable[[], Awaitable[object]]) -> tuple[float, float]:
    for _ in range(20):  # warm up
        await call()
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - start)
    samples.sort()
    median, p95 = statistics.median(samples), samples[int(len(samples) * 0.95)]
    print(f"  {label:<44} median {median * 1e3:6.3f} ms   p95 {p95 * 1e3:6.3f} ms")
    return median, p95


async def _socketio(port: int) -> None:
    import socketio

    from wsecho_widget import SocketIOClient

    url = f"http://127.0.0.1:{port}"
    theirs = socketio.AsyncClient()
    await theirs.connect(url, transports=["websocket"])
    base, _ = await _time("python-socketio AsyncClient.call (baseline)", lambda: theirs.call("add", (1, 2)))
    await theirs.disconnect()
    ours = SocketIOClient(url)
    await ours.ready
    mine, _ = await _time("SocketIOClient.call", lambda: ours.call("add", 1, 2))
    await ours.disconnect()
    ours.close()
    print(f"  ratio SocketIOClient / python-socketio: {mine / base:.2f}")


async def _graphql(port: int, token: str) -> None:
    from websockets.asyncio.client import connect

    from wsecho_widget import GraphQLClient

    url = f"ws://127.0.0.1:{port}/graphql"
    ids = iter(range(1, 10**9))
    async with connect(url, subprotocols=["graphql-transport-ws"], compression=None) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"token": token}}))
        await ws.recv()

        async def bare() -> None:
            id = str(next(ids))
            await ws.send(json.dumps({"id": id, "type": "subscribe", "payload": {"query": "{ hello }"}}))
            while json.loads(await ws.recv())["type"] != "complete":
                pass

        base, _ = await _time("bare websockets, by hand (baseline)", bare)
    ours = GraphQLClient(url, connection_params={"token": token})
    await ours.ready
    mine, _ = await _time("GraphQLClient.execute", lambda: ours.execute("{ hello }"))
    await ours.disconnect()
    ours.close()
    print(f"  ratio GraphQLClient / bare websockets: {mine / base:.2f}")


async def _main(sio_port: int, gql_port: int, token: str) -> None:
    print(f"Socket.IO round trips ({ROUNDS} sequential calls, server in another process)")
    await _socketio(sio_port)
    print(f"GraphQL round trips ({ROUNDS} sequential queries, server in another process)")
    await _graphql(gql_port, token)


def main() -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.protocols", "--serve"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline().split()
        asyncio.run(_main(int(line[1]), int(line[2]), line[3]))
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    if "--serve" in sys.argv:
        asyncio.run(_serve())
    else:
        main()
