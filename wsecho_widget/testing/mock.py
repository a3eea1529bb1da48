"""A mock WebSocket server that plays a recording back: the recorded replies to each client message.

``async with MockServer(recording) as server: server.url``. For each connection
it walks the recording's exchanges in order: the replies recorded before the
client's first message are sent on connect; each client message equal to the
next recorded one (text or bytes, exactly) gets that exchange's replies, byte
for byte, in order. Any other message gets ``unexpected`` (a reply) if given,
else a close with code 4000 and a reason naming it. Built on websockets' server.
"""

from __future__ import annotations

import time
from collections import deque

from websockets.asyncio.server import Server, ServerConnection, serve

from wsecho_widget.model.match import show
from wsecho_widget.model.message import Message
from wsecho_widget.model.recording import Recording, recorded
from wsecho_widget.model.scenario import Exchange, exchanges

__all__ = ["UNEXPECTED_CLOSE", "MockServer", "close_reason"]

#: How many client messages the server keeps for inspection (the newest).
KEPT = 10_000

#: The biggest frame a client may send the mock server.
MAX_FRAME = 16 * 2**20

#: The close code for a client message the recording does not have.
UNEXPECTED_CLOSE = 4000


def close_reason(text: str) -> str:
    """``text`` cut to the 123 UTF-8 bytes a close reason may hold, never mid-character."""
    data = text.encode("utf-8")
    if len(data) <= 123:
        return text
    return data[:120].decode("utf-8", "ignore") + "..."


class MockServer:
    """Serve ``recording`` (a path, a Conversation, messages) on ``host``:``port`` (0: a free one).

    ``unexpected`` is sent for a client message the recording does not expect; None
    (the default) closes the connection with 4000 instead. ``received`` keeps the client
    messages (the newest 10,000), ``unexpected_messages`` those that were not in the recording.
    """

    def __init__(
        self,
        recording: Recording,
        *,
        unexpected: str | bytes | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        entry: int = 0,
    ) -> None:
        messages, self.recorded_url = recorded(recording, entry)
        self.script: list[Exchange] = exchanges(messages)
        self.unexpected = unexpected
        self.host, self.port = host, port
        self.received: deque[Message] = deque(maxlen=KEPT)
        self.unexpected_messages: deque[Message] = deque(maxlen=KEPT)
        self._server: Server | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the mock server is not started: await server.start() first")
        return f"ws://{self.host}:{self.port}/"

    async def start(self) -> MockServer:
        # A client is a peer too: its frames are bounded like the panel's (16 MiB).
        self._server = await serve(self._handler, self.host, self.port, max_size=MAX_FRAME)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def __aenter__(self) -> MockServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _handler(self, ws: ServerConnection) -> None:
        script = self.script
        index = 0
        if script and script[0].sent is None:
            await self._reply(ws, script[0])
            index = 1
        count = 0  # client messages on this connection
        async for data in ws:
            count += 1
            message = Message("received", data, time.time())
            self.received.append(message)
            expected = script[index].sent if index < len(script) else None
            if expected is not None and expected.data == data:
                await self._reply(ws, script[index])
                index += 1
                continue
            self.unexpected_messages.append(message)
            if self.unexpected is not None:
                await ws.send(self.unexpected)
            else:
                await ws.close(UNEXPECTED_CLOSE, close_reason(f"unexpected message {count}: {show(message)}"))
                return

    @staticmethod
    async def _reply(ws: ServerConnection, exchange: Exchange) -> None:
        for reply in exchange.replies:
            await ws.send(reply.data)

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "not started"
        return f"<MockServer {where}, {len(self.script)} exchanges>"
