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
    from wsecho_widget.client.scenario import Scenario
    from wsecho_widget.client.schedule import Schedule
    from wsecho_widget.client.session import Session, Status
    from wsecho_widget.decoders import DecodeError, decode
    from wsecho_widget.model import History, Message, Totals, sniff_image_format
    from wsecho_widget.model.diff import Difference, ReplayReport
    from wsecho_widget.model.fields import Fields
    from wsecho_widget.model.har import Conversation, HarError, load_har
    from wsecho_widget.model.match import ExpectationFailed
    from wsecho_widget.model.scenario import ScenarioResult, Step, StepResult
    from wsecho_widget.model.stats import FeedStats
    from wsecho_widget.protocols.graphql.client import GraphQLClient, GraphQLError, Subscription
    from wsecho_widget.protocols.socketio.client import Event, SocketIOClient, SocketIOError
    from wsecho_widget.server import EchoServer
    from wsecho_widget.server.events import Notice
    from wsecho_widget.server.hub import Hub, HubStatus
    from wsecho_widget.server.peers import Client
    from wsecho_widget.testing._replay import replay
    from wsecho_widget.testing.mock import MockServer
    from wsecho_widget.ui.chart import Chart
    from wsecho_widget.ui.controls import LogOptions
    from wsecho_widget.ui.feed import FeedBar
    from wsecho_widget.ui.graphql_panel import GraphQLPanel
    from wsecho_widget.ui.panel import WebSocketPanel
    from wsecho_widget.ui.series import SeriesStream
    from wsecho_widget.ui.server_panel import ServerPanel
    from wsecho_widget.ui.socketio_panel import SocketIOPanel

#: Each public name and the module that defines it.
_PUBLIC = {
    "ChannelError": "wsecho_widget.client.connection",
    "Chart": "wsecho_widget.ui.chart",
    "Client": "wsecho_widget.server.peers",
    "Conversation": "wsecho_widget.model.har",
    "DecodeError": "wsecho_widget.decoders",
    "Difference": "wsecho_widget.model.diff",
    "EchoServer": "wsecho_widget.server",
    "Event": "wsecho_widget.protocols.socketio.client",
    "ExpectationFailed": "wsecho_widget.model.match",
    "FeedBar": "wsecho_widget.ui.feed",
    "FeedStats": "wsecho_widget.model.stats",
    "Fields": "wsecho_widget.model.fields",
    "GraphQLClient": "wsecho_widget.protocols.graphql.client",
    "GraphQLError": "wsecho_widget.protocols.graphql.client",
    "GraphQLPanel": "wsecho_widget.ui.graphql_panel",
    "HarError": "wsecho_widget.model.har",
    "History": "wsecho_widget.model",
    "Hub": "wsecho_widget.server.hub",
    "HubStatus": "wsecho_widget.server.hub",
    "LogOptions": "wsecho_widget.ui.controls",
    "Message": "wsecho_widget.model",
    "MessageStream": "wsecho_widget.client.hooks",
    "MockServer": "wsecho_widget.testing.mock",
    "Notice": "wsecho_widget.server.events",
    "ReplayReport": "wsecho_widget.model.diff",
    "Scenario": "wsecho_widget.client.scenario",
    "ScenarioResult": "wsecho_widget.model.scenario",
    "Schedule": "wsecho_widget.client.schedule",
    "SeriesStream": "wsecho_widget.ui.series",
    "ServerPanel": "wsecho_widget.ui.server_panel",
    "Session": "wsecho_widget.client.session",
    "SocketIOClient": "wsecho_widget.protocols.socketio.client",
    "SocketIOError": "wsecho_widget.protocols.socketio.client",
    "SocketIOPanel": "wsecho_widget.ui.socketio_panel",
    "Status": "wsecho_widget.client.session",
    "Step": "wsecho_widget.model.scenario",
    "StepResult": "wsecho_widget.model.scenario",
    "Subscription": "wsecho_widget.protocols.graphql.client",
    "Totals": "wsecho_widget.model",
    "Unsubscribe": "wsecho_widget._util.observers",
    "WebSocketChannel": "wsecho_widget.client.connection",
    "WebSocketPanel": "wsecho_widget.ui.panel",
    "WsechoError": "wsecho_widget._util.errors",
    "decode": "wsecho_widget.decoders",
    "load_har": "wsecho_widget.model.har",
    "replay": "wsecho_widget.testing._replay",
    "sniff_image_format": "wsecho_widget.model",
}

__all__ = [
    "ChannelError",
    "Chart",
    "Client",
    "Conversation",
    "DecodeError",
    "Difference",
    "EchoServer",
    "Event",
    "ExpectationFailed",
    "FeedBar",
    "FeedStats",
    "Fields",
    "GraphQLClient",
    "GraphQLError",
    "GraphQLPanel",
    "HarError",
    "History",
    "Hub",
    "HubStatus",
    "LogOptions",
    "Message",
    "MessageStream",
    "MockServer",
    "Notice",
    "ReplayReport",
    "Scenario",
    "ScenarioResult",
    "Schedule",
    "SeriesStream",
    "ServerPanel",
    "Session",
    "SocketIOClient",
    "SocketIOError",
    "SocketIOPanel",
    "Status",
    "Step",
    "StepResult",
    "Subscription",
    "Totals",
    "Unsubscribe",
    "WebSocketChannel",
    "WebSocketPanel",
    "WsechoError",
    "decode",
    "load_har",
    "replay",
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
