"""The pure model: messages, the bounded history, media sniffing, transcripts, tables.

No I/O, no asyncio tasks, no widgets: must not import websockets, ipywidgets or
any other layer of the package.
"""

from __future__ import annotations

from wsecho_widget.model.message import (
    DEFAULT_HISTORY_LIMIT,
    Direction,
    History,
    ImageFormat,
    Message,
    Totals,
    format_size,
    hex_dump,
    hex_preview,
    sniff_image_format,
)

__all__ = [
    "DEFAULT_HISTORY_LIMIT",
    "Direction",
    "History",
    "ImageFormat",
    "Message",
    "Totals",
    "format_size",
    "hex_dump",
    "hex_preview",
    "sniff_image_format",
]
