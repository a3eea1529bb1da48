"""What code does with a server panel: the hub's API under the panel's name.

:class:`ServerAPI` is the part of :class:`~wsecho_widget.ServerPanel` that code
uses (``ready``, ``url``, ``clients``, ``messages``, ``send``, ``receive``,
``on_message``, ``disconnect``, ...), each a thin call to the panel's
:class:`~wsecho_widget.server.hub.Hub`. Must not import ipywidgets or any control.
"""

from __future__ import annotations

import asyncio

from wsecho_widget.model.match import Match
from wsecho_widget.model.message import History, Message
from wsecho_widget.server.addresses import jupyter_server, proxy_urls
from wsecho_widget.server.events import CallbackMethods, Callbacks, Notice
from wsecho_widget.server.hub import Hub
from wsecho_widget.server.peers import Client, Target

__all__ = ["ServerAPI"]


class ServerAPI(CallbackMethods):
    """The server panel's methods for code; ``self.hub`` does the work."""

    hub: Hub

    def _replied(self, message: Message) -> Message:
        """A reply handed to code that waited for it (the feed's round trips count it)."""
        return message

    @property
    def callbacks(self) -> Callbacks:  # type: ignore[override]  # read-only here
        """The ``on_message`` / ``on_connect`` / ``on_disconnect`` callbacks."""
        return self.hub.callbacks

    @property
    def ready(self) -> asyncio.Future[None]:
        """Done once listening; raises ChannelError (one clear line) if it cannot listen."""
        return self.hub.ready

    @property
    def url(self) -> str:
        """``ws://127.0.0.1:PORT`` (``wss://`` with ssl): where to connect from this machine."""
        return self.hub.url

    @property
    def urls(self) -> list[str]:
        """Every address to connect to (for 0.0.0.0 also the LAN's and the Android emulator's)."""
        return self.hub.urls

    @property
    def proxy_urls(self) -> list[str]:
        """Where a browser reaches this server through the Jupyter server the kernel runs
        under (jupyter-server-proxy: ``wss://host/user/me/proxy/PORT/``, then the path
        alone for a page of that Jupyter); empty outside one or before listening."""
        jupyter = jupyter_server()
        if jupyter is None or self.hub.status != "listening":
            return []
        return proxy_urls(jupyter, self.hub.port, self.hub.gate.path or "/")

    @property
    def clients(self) -> list[Client]:
        """The connected clients, oldest first."""
        return self.hub.clients

    @property
    def messages(self) -> History:
        """Every frame to or from any client, oldest first, bounded (``message.client`` says whose)."""
        return self.hub.messages

    @property
    def notices(self) -> list[Notice]:
        """What the server said: connections, refused handshakes, closes, callback faults."""
        return list(self.hub.notices)

    def send(self, data: str | bytes | bytearray | memoryview, to: Target = None) -> int:
        """Send a frame to every client (``to=None``), or to a client, an id, or a list of them."""
        return self.hub.send(data, to)

    async def receive(self, timeout: float | None = 5.0) -> Message:
        """The next message received from any client (TimeoutError after ``timeout`` s)."""
        return self._replied(await self.hub.receive(timeout))

    async def expect(
        self, match: Match, within: float | None = 2.0, client: Client | str | None = None
    ) -> Message:
        """The first unread message that ``match`` matches (text, bytes, regex, dict, callable).

        ``client`` (a client or its id) takes only that client's messages. Others stay,
        in order, for :meth:`receive`. Raises ExpectationFailed (an AssertionError) after
        ``within`` seconds, saying what was expected and the last five messages seen.
        """
        who = client.id if isinstance(client, Client) else client
        return self._replied(await self.hub.expect(match, within, who))

    async def disconnect(self, client: Client | str, code: int = 1000, reason: str = "") -> None:
        """Close one client with ``code`` and ``reason``; returns once it has gone."""
        await self.hub.disconnect(client, code, reason)
