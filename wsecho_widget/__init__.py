"""wsecho-widget: a live WebSocket client inside a Jupyter notebook.

``WebSocketPanel()`` shows a panel that talks to an embedded echo server;
``WebSocketPanel(url)`` talks to any server. The layers, each in its own module:
``model`` (pure records), ``render`` and ``options`` (pure text and checks),
``connection`` (the channel), ``session`` (lifecycle), ``logview`` and
``controls`` (widgets, reusable parts), ``panel`` (composes them), ``server``
(the echo server).
"""

from __future__ import annotations

from .connection import ChannelError, WebSocketChannel
from .decoders import DecodeError, decode
from .gql_client import GraphQLClient, GraphQLError
from .gql_panel import GraphQLPanel
from .model import History, Message, sniff_image_format
from .panel import WebSocketPanel
from .server import EchoServer
from .server_panel import ServerPanel
from .session import Session
from .sio_client import SocketIOClient, SocketIOError
from .sio_panel import SocketIOPanel

__all__ = [
    "ChannelError",
    "DecodeError",
    "EchoServer",
    "GraphQLClient",
    "GraphQLError",
    "GraphQLPanel",
    "History",
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
