"""Connection options: the defaults, and the rules a header, a subprotocol and a
compression setting must follow before they reach websockets.

Each check raises ValueError with one line that names the bad value (a header's
value is never quoted: it may be a secret). :data:`CONNECT_OPTIONS` is every
option websockets' ``connect()`` takes, read from its signature (an unknown one
is a TypeError when the channel or session is made). Pure functions: reads
signatures but opens nothing; imports no widgets.
"""

from __future__ import annotations

import asyncio
import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from websockets.asyncio.client import connect as ws_connect

from wsecho_widget._util.options import keyword_names

__all__ = [
    "CONNECT_OPTIONS",
    "DEFAULT_OPTIONS",
    "KEEP",
    "PING_INTERVAL",
    "PING_TIMEOUT",
    "check_compression",
    "check_header",
    "check_headers",
    "check_subprotocols",
    "header_pairs",
    "updated_options",
]

#: Keepalive: a ping every 10 s, and no pong within 10 s more drops the connection
#: (websockets' defaults are 20/20): a dead server shows within 20 s rather than 40,
#: for one small frame per 10 s. Pass ``ping_interval=None`` to switch it off.
PING_INTERVAL = 10.0
PING_TIMEOUT = 10.0

#: What the session passes to websockets unless told otherwise. Compression is off:
#: permessage-deflate costs CPU on every frame and gains nothing on pictures;
#: max_size allows pictures. Keepalive pings every 10 s with a 10 s timeout
#: (websockets' defaults are 20/20).
DEFAULT_OPTIONS: dict[str, Any] = {
    "compression": None,
    "max_size": 16 * 2**20,
    "ping_interval": PING_INTERVAL,
    "ping_timeout": PING_TIMEOUT,
}

#: Every keyword websockets' ``connect()`` takes, and those it hands on to the loop's
#: ``create_connection()`` (``ssl``, ``server_hostname``, ``sock``...).
CONNECT_OPTIONS = keyword_names(
    ws_connect, asyncio.BaseEventLoop.create_connection, skip=("uri", "protocol_factory")
)

# RFC 9110 §5.6.2: a token is one or more tchar. Header names and (RFC 6455 §4.1)
# subprotocols are tokens.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

#: The compression settings websockets' client takes.
COMPRESSIONS = ("deflate", None)


def header_pairs(headers: Any) -> list[tuple[str, str]]:
    """Headers as ``(name, value)`` pairs, from what websockets takes.

    A ``websockets.datastructures.Headers``, a mapping, or an iterable of pairs.
    """
    if hasattr(headers, "raw_items"):
        return [(str(k), str(v)) for k, v in headers.raw_items()]
    if isinstance(headers, Mapping):
        return [(str(k), str(v)) for k, v in headers.items()]
    if isinstance(headers, (str, bytes)):
        raise ValueError("headers are a mapping or (name, value) pairs, not a string")
    pairs: list[tuple[str, str]] = []
    for item in headers:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise ValueError(f"a header is a (name, value) pair, not {item!r}"[:200])
        pairs.append((str(item[0]), str(item[1])))
    return pairs


def check_header(name: str, value: str) -> tuple[str, str]:
    """``(name, value)`` stripped, or ValueError when it would break the request.

    The name must be an RFC 9110 token; the value must hold no CR, LF or NUL (which
    would end the header block or smuggle in another header).
    """
    name = name.strip()
    if not _TOKEN.fullmatch(name):
        raise ValueError(f"header not added: {name!r} is not a valid header name")
    if any(c in value for c in "\r\n\0"):
        raise ValueError(f"header {name} not added: its value has a line break or NUL")
    return name, value.strip()


def check_headers(headers: Any) -> list[tuple[str, str]]:
    """Every header checked with :func:`check_header`, as pairs in the given order."""
    return [check_header(name, value) for name, value in header_pairs(headers)]


def check_subprotocols(subprotocols: str | Iterable[str]) -> list[str]:
    """The subprotocols to offer, in order: a sequence of tokens, or a comma-separated string.

    Empty items of a string are skipped (``"chat, "`` is ``["chat"]``); a name that
    is not a token (spaces, quotes, commas) raises ValueError.
    """
    if isinstance(subprotocols, str):
        items: Sequence[str] = [p.strip() for p in subprotocols.split(",") if p.strip()]
    else:
        items = list(subprotocols)
    for item in items:
        if not isinstance(item, str) or not _TOKEN.fullmatch(item):
            raise ValueError(f"{item!r} is not a valid subprotocol name (letters, digits, -._~ and such)")
    return list(items)


def check_compression(compression: str | None) -> str | None:
    """``"deflate"`` (permessage-deflate) or None (off); anything else raises ValueError."""
    if compression not in COMPRESSIONS:
        raise ValueError(f"compression is 'deflate' or None, not {compression!r}")
    return compression


class Keep(enum.Enum):
    KEEP = "keep"


#: ``compression=KEEP``: leave the setting as it is.
KEEP = Keep.KEEP


def updated_options(
    current: Mapping[str, Any],
    *,
    subprotocols: str | Iterable[str] | None = None,
    headers: Any = None,
    compression: str | Keep | None = KEEP,
    **options: Any,
) -> dict[str, Any]:
    """``current`` (websockets' ``connect()`` keywords) with these settings, as a new dict.

    Each setting is checked first (ValueError naming the bad one; ``current`` is
    never changed). None keeps a setting; empty ``subprotocols`` or ``headers``
    remove the key (websockets' defaults apply). ``additional_headers`` in
    ``options`` is the same as ``headers``; other ``options`` are taken as they are.
    """
    if "additional_headers" in options:
        if headers is not None:
            raise ValueError("give headers or additional_headers, not both")
        headers = options.pop("additional_headers")
    changes: dict[str, Any] = dict(options)
    if subprotocols is not None:
        changes["subprotocols"] = check_subprotocols(subprotocols) or None
    if headers is not None:
        changes["additional_headers"] = check_headers(headers) or None
    if compression is not KEEP:
        changes["compression"] = check_compression(compression)
    updated = dict(current)
    for key, value in changes.items():
        if value is None and key in ("subprotocols", "additional_headers"):
            updated.pop(key, None)
        else:
            updated[key] = value
    return updated
