"""Protocols spoken over a WebSocket session: Socket.IO and GraphQL, each a sans-I/O codec,
a client on a session and the way its log reads.

No widgets: must not import ipywidgets or anywidget. The two protocols do not import each other.
"""
