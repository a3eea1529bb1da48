"""The client side: the channel (one connection), the session (a conversation across
reconnects), hooks and streams, and the methods a panel offers to code.

No widgets: must not import ipywidgets, anywidget or the protocol and ui layers.
"""
