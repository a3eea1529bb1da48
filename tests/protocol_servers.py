"""Real servers from other projects for the protocol tests, served by aiohttp in the test's loop.

:class:`SocketIOServer`: python-socketio's AsyncServer with a few events (echo,
acks, pictures, a server-side call, a kick) and a ``/private`` namespace that
refuses joins without the right token. :class:`GraphQLServer`: a strawberry schema
(a query, an error, a counting subscription) on strawberry's aiohttp view, over
graphql-transport-ws; ``connection_init`` is refused without the right token.
Both can stop and start again on the same port (a server restart). A test module
imports the fixtures of its protocol: ``socketio_server`` or ``graphql_server`` (named
``server``: one for each test) and ``socketio_client`` or ``graphql_client`` (named
``client``: the client of this package, joined or acknowledged).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import pytest
import socketio
import strawberry
from aiohttp import web
from strawberry.aiohttp.views import GraphQLView
from strawberry.exceptions import ConnectionRejectionError

from wsecho_widget.protocols.graphql.client import GraphQLClient
from wsecho_widget.protocols.socketio.client import SocketIOClient

TOKEN = "s3cret-token"
FAST = {"reconnect_delays": [0.1, 0.2, 0.4]}  # a client's, when the server restarts


class _Site:
    """An aiohttp app on 127.0.0.1 that can stop and start again on the same port."""

    def __init__(self) -> None:
        self.port = 0
        self._runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        raise NotImplementedError

    async def start(self) -> _Site:
        self._runner = web.AppRunner(self.app(), shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> _Site:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


class SocketIOServer(_Site):
    """python-socketio on aiohttp; ``seen`` records (event, sid, args) as the server got them."""

    def __init__(self, ping_interval: float | tuple[float, float] = 25, ping_timeout: float = 20) -> None:
        super().__init__()
        self.ping_interval, self.ping_timeout = ping_interval, ping_timeout
        self.seen: list[tuple[str, str, Any]] = []
        self.sio: socketio.AsyncServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> web.Application:
        sio = self.sio = socketio.AsyncServer(
            async_mode="aiohttp", ping_interval=self.ping_interval, ping_timeout=self.ping_timeout
        )
        seen = self.seen

        @sio.event
        async def connect(sid: str, environ: Any, auth: Any) -> None:
            seen.append(("connect", sid, auth))

        @sio.event
        async def disconnect(sid: str, reason: Any) -> None:
            seen.append(("disconnect", sid, str(reason)))

        @sio.on("chat")
        async def chat(sid: str, *args: Any) -> None:
            seen.append(("chat", sid, list(args)))
            await sio.emit("chat", ("echo", *args), to=sid)

        @sio.on("add")
        async def add(sid: str, a: int, b: int) -> int:
            return a + b

        @sio.on("picture")
        async def picture(sid: str, name: str, data: bytes) -> tuple[str, int]:
            seen.append(("picture", sid, [name, data]))
            await sio.emit("picture", (name, data), to=sid)
            return type(data).__name__, len(data)

        @sio.on("slow")
        async def slow(sid: str, seconds: float) -> str:
            await asyncio.sleep(seconds)
            return "ok"

        @sio.on("ticks")
        async def ticks(sid: str, count: int) -> None:
            # A feed: each tick has a price; "other" events and one bad tick between them.
            for n in range(count):
                await sio.emit("tick", {"price": n, "sym": "AB"[n % 2]}, to=sid)
                await sio.emit("other", {"price": 1000 + n}, to=sid)
            await sio.emit("tick", {"price": "n/a"}, to=sid)
            await sio.emit("tick", to=sid)  # no argument at all
            await sio.emit("done", to=sid)

        @sio.on("ask")
        async def ask(sid: str, question: str) -> None:
            answer = await sio.call("question", question, to=sid, timeout=5)
            seen.append(("answer", sid, answer))

        @sio.on("kick")
        async def kick(sid: str) -> None:
            await sio.disconnect(sid)

        @sio.on("connect", namespace="/private")
        async def private_connect(sid: str, environ: Any, auth: Any) -> None:
            if not isinstance(auth, dict) or auth.get("token") != TOKEN:
                raise socketio.exceptions.ConnectionRefusedError("Not authorized")
            seen.append(("connect /private", sid, auth))

        app = web.Application()
        sio.attach(app)
        return app

    async def stop(self) -> None:
        if self.sio is not None:
            await self.sio.shutdown()
        await super().stop()


@strawberry.type
class Query:
    @strawberry.field
    def hello(self, name: str = "world") -> str:
        return f"Hello, {name}!"

    @strawberry.field
    def broken(self) -> str:
        raise ValueError("this field always fails")

    @strawberry.field
    async def slow(self, seconds: float) -> str:
        await asyncio.sleep(seconds)
        return "ok"


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def count(self, to: int = 3, delay: float = 0.05) -> AsyncGenerator[int, None]:
        for i in range(1, to + 1):
            yield i
            await asyncio.sleep(delay)


SCHEMA = strawberry.Schema(query=Query, subscription=Subscription)


class _View(GraphQLView):  # type: ignore[type-arg]
    async def on_ws_connect(self, context: dict[str, Any]) -> Any:
        params = context.get("connection_params") or {}
        if params.get("token") != TOKEN:
            raise ConnectionRejectionError()
        return None


class GraphQLServer(_Site):
    """strawberry's aiohttp view at ``/graphql`` (graphql-transport-ws only)."""

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    def app(self) -> web.Application:
        app = web.Application()
        view = _View(schema=SCHEMA, subscription_protocols=["graphql-transport-ws"])
        app.router.add_route("*", "/graphql", view)
        return app


@pytest.fixture(name="server")
async def socketio_server() -> AsyncIterator[SocketIOServer]:
    """A :class:`SocketIOServer` for the test (import it as ``socketio_server``: it is ``server``)."""
    async with SocketIOServer() as server:
        yield server  # type: ignore[misc]


@pytest.fixture(name="server")
async def graphql_server() -> AsyncIterator[GraphQLServer]:
    """A :class:`GraphQLServer` for the test (import it as ``graphql_server``: it is ``server``)."""
    async with GraphQLServer() as server:
        yield server  # type: ignore[misc]


@pytest.fixture(name="client")
async def socketio_client(server: SocketIOServer) -> AsyncIterator[SocketIOClient]:
    """A :class:`SocketIOClient` joined to ``server`` (import it as ``socketio_client``)."""
    client = SocketIOClient(server.url, **FAST)
    await asyncio.wait_for(client.ready, 5)
    yield client
    client.close()


@pytest.fixture(name="client")
async def graphql_client(server: GraphQLServer) -> AsyncIterator[GraphQLClient]:
    """A :class:`GraphQLClient` acknowledged by ``server`` (import it as ``graphql_client``)."""
    client = GraphQLClient(server.url, connection_params={"token": TOKEN}, **FAST)
    await asyncio.wait_for(client.ready, 5)
    yield client
    await client.disconnect()  # a closing handshake: aiohttp then stops at once
    client.close()
