"""What the opening handshake may carry: header rules, subprotocol lists, connect options.

Pure checks, testable without widgets or a loop; the options form calls them and
the session will own them (``Session.configure``). A refusal is a
:class:`~wsecho_widget.connection.ChannelError` with one line that says why.

Must not import ipywidgets, asyncio, the panel or the controls.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .connection import ChannelError

__all__ = ["check_header", "handshake_options", "header_pairs", "parse_subprotocols"]

# HTTP header names are RFC 9110 tokens; values must not break the header block.
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def header_pairs(headers: Any) -> list[tuple[str, str]]:
    """``(name, value)`` pairs from what websockets takes: Headers, a mapping or pairs."""
    if hasattr(headers, "raw_items"):
        return [(str(k), str(v)) for k, v in headers.raw_items()]
    if isinstance(headers, Mapping):
        return [(str(k), str(v)) for k, v in headers.items()]
    pairs: Iterable[tuple[str, str]] = headers
    return [(str(k), str(v)) for k, v in pairs]


def check_header(name: str, value: str) -> None:
    """Raise :class:`ChannelError` unless ``name: value`` can go in the handshake.

    The message names the header, never its value (which may be a secret).
    """
    if not _HEADER_NAME.fullmatch(name):
        raise ChannelError(f"header not added: {name!r} is not a valid header name")
    if any(c in value for c in "\r\n\0"):
        raise ChannelError(f"header {name} not added: its value has a line break or NUL")


def parse_subprotocols(text: str) -> list[str]:
    """``"chat, json"`` as ``["chat", "json"]``: comma-separated, blanks dropped."""
    return [p.strip() for p in text.split(",") if p.strip()]


def handshake_options(
    options: Mapping[str, Any],
    *,
    subprotocols: Sequence[str],
    headers: Sequence[tuple[str, str]],
    compression: bool,
) -> dict[str, Any]:
    """``options`` (websockets' ``connect()`` keywords) with these handshake settings.

    Empty subprotocols or headers remove the key (websockets' defaults apply);
    compression is ``"deflate"`` or ``None`` (off). Headers are checked first.
    """
    for name, value in headers:
        check_header(name, value)
    updated = dict(options)
    for key, setting in (
        ("subprotocols", list(subprotocols)),
        ("additional_headers", list(headers)),
    ):
        if setting:
            updated[key] = setting
        else:
            updated.pop(key, None)
    updated["compression"] = "deflate" if compression else None
    return updated
