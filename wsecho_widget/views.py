"""Old home of the log's views: the names now live in :mod:`wsecho_widget.render`.

Kept so ``from wsecho_widget.views import LogFormat`` (the walkthrough, users'
notebooks) goes on working. Must not import ipywidgets.
"""

from __future__ import annotations

from .render import (
    BINARY_VIEWS,
    JSON_PRETTY_LIMIT,
    BinaryView,
    LogFormat,
    message_filter,
    pretty_json,
    searchable_text,
)

__all__ = [
    "BINARY_VIEWS",
    "JSON_PRETTY_LIMIT",
    "BinaryView",
    "LogFormat",
    "message_filter",
    "pretty_json",
    "searchable_text",
]
