"""The server side: the embedded echo server and the hub that the server panel runs
(handshake gate, peers, events, addresses).

No widgets and no client sessions: must not import ipywidgets, anywidget or the
client, protocol and ui layers.
"""

from __future__ import annotations

from wsecho_widget.server.echo import EchoServer

__all__ = ["EchoServer"]
