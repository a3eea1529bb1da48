"""wsecho-widget: a live WebSocket client and server inside a Jupyter notebook.

``WebSocketPanel()`` shows a panel that talks to an embedded echo server;
``WebSocketPanel(url)`` talks to any server; ``ServerPanel()`` listens. The
layers, each a subpackage, lowest first: ``model`` (pure records), ``decoders``,
``net`` (what both ends share), ``server``, ``client``, ``protocols``
(Socket.IO, GraphQL) and ``ui`` (the panels and their page code). Public names
are imported lazily, on first use, so ``import wsecho_widget`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from wsecho_widget._moved import install_moved_modules

if TYPE_CHECKING:
    from wsecho_widget._util.errors import WsechoError
    from wsecho_widget._util.observers import Unsubscribe
    from wsecho_widget.client.connection import ChannelError, WebSocketChannel
    from wsecho_widget.client.hooks import MessageStream
    from wsecho_widget.client.session import Session, Status
    from wsecho_widget.decoders import DecodeError, decode
    from wsecho_widget.model import History, Message, Totals, sniff_image_format
    from wsecho_widget.protocols.graphql.client import GraphQLClient, GraphQLError, Subscription
    from wsecho_widget.protocols.socketio.client import Event, SocketIOClient, SocketIOError
    from wsecho_widget.server import EchoServer
    from wsecho_widget.server.events import Notice
    from wsecho_widget.server.hub import Hub, HubStatus
    from wsecho_widget.server.peers import Client
    from wsecho_widget.ui.graphql_panel import GraphQLPanel
    from wsecho_widget.ui.panel import WebSocketPanel
    from wsecho_widget.ui.server_panel import ServerPanel
    from wsecho_widget.ui.socketio_panel import SocketIOPanel

#: Each public name and the module that defines it.
_PUBLIC = {
    "ChannelError": "wsecho_widget.client.connection",
    "Client": "wsecho_widget.server.peers",
    "DecodeError": "wsecho_widget.decoders",
    "EchoServer": "wsecho_widget.server",
    "Event": "wsecho_widget.protocols.socketio.client",
    "GraphQLClient": "wsecho_widget.protocols.graphql.client",
    "GraphQLError": "wsecho_widget.protocols.graphql.client",
    "GraphQLPanel": "wsecho_widget.ui.graphql_panel",
    "History": "wsecho_widget.model",
    "Hub": "wsecho_widget.server.hub",
    "HubStatus": "wsecho_widget.server.hub",
    "Message": "wsecho_widget.model",
    "MessageStream": "wsecho_widget.client.hooks",
    "Notice": "wsecho_widget.server.events",
    "ServerPanel": "wsecho_widget.ui.server_panel",
    "Session": "wsecho_widget.client.session",
    "SocketIOClient": "wsecho_widget.protocols.socketio.client",
    "SocketIOError": "wsecho_widget.protocols.socketio.client",
    "SocketIOPanel": "wsecho_widget.ui.socketio_panel",
    "Status": "wsecho_widget.client.session",
    "Subscription": "wsecho_widget.protocols.graphql.client",
    "Totals": "wsecho_widget.model",
    "Unsubscribe": "wsecho_widget._util.observers",
    "WebSocketChannel": "wsecho_widget.client.connection",
    "WebSocketPanel": "wsecho_widget.ui.panel",
    "WsechoError": "wsecho_widget._util.errors",
    "decode": "wsecho_widget.decoders",
    "sniff_image_format": "wsecho_widget.model",
}

__all__ = [
    "ChannelError",
    "Client",
    "DecodeError",
    "EchoServer",
    "Event",
    "GraphQLClient",
    "GraphQLError",
    "GraphQLPanel",
    "History",
    "Hub",
    "HubStatus",
    "Message",
    "MessageStream",
    "Notice",
    "ServerPanel",
    "Session",
    "SocketIOClient",
    "SocketIOError",
    "SocketIOPanel",
    "Status",
    "Subscription",
    "Totals",
    "Unsubscribe",
    "WebSocketChannel",
    "WebSocketPanel",
    "WsechoError",
    "decode",
    "sniff_image_format",
]
__version__ = "0.1.0"

install_moved_modules()


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'wsecho_widget' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])
