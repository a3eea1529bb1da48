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
    from wsecho_widget.client.connection import ChannelError, WebSocketChannel
    from wsecho_widget.client.session import Session
    from wsecho_widget.decoders import DecodeError, decode
    from wsecho_widget.model import History, Message, sniff_image_format
    from wsecho_widget.protocols.graphql.client import GraphQLClient, GraphQLError
    from wsecho_widget.protocols.socketio.client import SocketIOClient, SocketIOError
    from wsecho_widget.server import EchoServer
    from wsecho_widget.ui.controls import LogOptions
    from wsecho_widget.ui.graphql_panel import GraphQLPanel
    from wsecho_widget.ui.panel import WebSocketPanel
    from wsecho_widget.ui.server_panel import ServerPanel
    from wsecho_widget.ui.socketio_panel import SocketIOPanel

#: Each public name and the module that defines it.
_PUBLIC = {
    "ChannelError": "wsecho_widget.client.connection",
    "DecodeError": "wsecho_widget.decoders",
    "EchoServer": "wsecho_widget.server",
    "GraphQLClient": "wsecho_widget.protocols.graphql.client",
    "GraphQLError": "wsecho_widget.protocols.graphql.client",
    "GraphQLPanel": "wsecho_widget.ui.graphql_panel",
    "History": "wsecho_widget.model",
    "LogOptions": "wsecho_widget.ui.controls",
    "Message": "wsecho_widget.model",
    "ServerPanel": "wsecho_widget.ui.server_panel",
    "Session": "wsecho_widget.client.session",
    "SocketIOClient": "wsecho_widget.protocols.socketio.client",
    "SocketIOError": "wsecho_widget.protocols.socketio.client",
    "SocketIOPanel": "wsecho_widget.ui.socketio_panel",
    "WebSocketChannel": "wsecho_widget.client.connection",
    "WebSocketPanel": "wsecho_widget.ui.panel",
    "decode": "wsecho_widget.decoders",
    "sniff_image_format": "wsecho_widget.model",
}

__all__ = [
    "ChannelError",
    "DecodeError",
    "EchoServer",
    "GraphQLClient",
    "GraphQLError",
    "GraphQLPanel",
    "History",
    "LogOptions",
    "Message",
    "ServerPanel",
    "Session",
    "SocketIOClient",
    "SocketIOError",
    "SocketIOPanel",
    "WebSocketChannel",
    "WebSocketPanel",
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
