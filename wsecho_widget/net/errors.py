"""What went wrong, in one line: errors and closes described for people.

Holds :class:`ChannelError`, the rules that describe a failure or a close
(:func:`describe_error`, :func:`describe_close`), the rules that decide whether
the session tries again (:func:`is_retryable`, :func:`is_final_close`,
:func:`retry_after`), and URL checks that never show secrets. Pure functions over
websockets' exceptions: imports websockets only, no asyncio tasks, no widgets.
"""

from __future__ import annotations

import re
import socket
import ssl
from urllib.parse import urlsplit, urlunsplit

from websockets.client import process_exception
from websockets.exceptions import (
    ConnectionClosed,
    InvalidHandshake,
    InvalidStatus,
    InvalidURI,
    PayloadTooBig,
)
from websockets.frames import EXTERNAL_CLOSE_CODES, Close, CloseCode
from websockets.uri import parse_uri

from wsecho_widget._util.errors import WsechoError

__all__ = [
    "FINAL_CLOSE_CODES",
    "ChannelError",
    "check_close_code",
    "check_url",
    "close_reason",
    "describe_close",
    "describe_error",
    "initiator",
    "is_final_close",
    "is_retryable",
    "redact_url",
    "retry_after",
]


class ChannelError(WsechoError, ConnectionError):
    """A connection could not be opened, or broke. ``str()`` is one short line."""


#: The most bytes a close frame's reason may hold (RFC 6455 5.5: 125 minus the code).
MAX_CLOSE_REASON = 123


def check_close_code(code: int) -> None:
    """ValueError unless a close frame may carry ``code`` (websockets raises ProtocolError)."""
    if code not in EXTERNAL_CLOSE_CODES and not 3000 <= code <= 4999:
        raise ValueError(f"{code} is not a close code to send (1000-1014 as defined, or 3000-4999)")


def close_reason(reason: str) -> str:
    """``reason`` cut to 123 UTF-8 bytes without splitting a character.

    websockets raises ProtocolError instead of closing when a reason is longer
    (``"é" * 62`` is 124 bytes); a lone surrogate, which has no UTF-8, becomes "?".
    """
    data = reason.encode("utf-8", "replace")
    if len(data) <= MAX_CLOSE_REASON:
        return data.decode("utf-8")
    return data[:MAX_CLOSE_REASON].decode("utf-8", "ignore")  # drops a cut character's bytes


def redact_url(url: str) -> str:
    """The URL as it may be shown: userinfo and query values masked.

    ``ws://user:pw@host:8765/feed?token=abc&room=1`` becomes
    ``ws://***@host:8765/feed?token=***&room=***``. Every query value is masked,
    not only the ones that look secret: a name cannot tell whether a value is a
    token. The path is shown as it is, so keep secrets out of paths.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(invalid URL)"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rpartition("@")[2]
    query = "&".join(
        f"{item.partition('=')[0]}=***" if "=" in item else "***" for item in parts.query.split("&") if item
    )
    fragment = "***" if parts.fragment else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, fragment))


def check_url(url: str) -> None:
    """Raise ChannelError for a URL that is not ws:// or wss://."""
    try:
        parse_uri(url)
    except InvalidURI:
        # Not chained: websockets' message quotes the whole URL, secrets included.
        raise ChannelError(f"invalid URL {redact_url(url)!r}: use ws://host:port/path or wss://…") from None


def describe_close(code: int | None, reason: str) -> str:
    """``1001 (going away): bye`` — a close code with its name and reason."""
    if code is None:
        return "connection lost (no close frame)"
    try:
        name = CloseCode(code).name.lower().replace("_", " ")
    except ValueError:
        name = "application code"
    text = f"{code} ({name})"
    return f"{text}: {_printable(reason)}" if reason else text


def _printable(reason: str) -> str:
    # A peer's reason is untrusted: control characters (newlines) shown escaped, one line.
    if reason.isprintable():
        return reason
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in reason)


#: Close codes after which reconnecting would meet the same end, so the session
#: does not retry: the server ended normally (1000, or 1005 with no code), or the
#: peer said the conversation itself is wrong: protocol error (1002), data it
#: cannot take (1003, 1007), policy (1008), too big (1009), missing extension
#: (1010), and the registered "unauthorized"/"forbidden" codes 3000 and 3003.
#: Everything else (no close frame, 1001 going away, 1011-1014, other 3xxx/4xxx
#: application codes) is retried with backoff.
FINAL_CLOSE_CODES = frozenset({1000, 1002, 1003, 1005, 1007, 1008, 1009, 1010, 3000, 3003})

# websockets' reason when a frame is over max_size (the server says the same).
_TOO_BIG = re.compile(
    r"frame (?:with (\d+) bytes )?(?:after reading (\d+) bytes )?exceeds limit of (\d+) bytes"
)


def _too_big(size: int | None, already: int | None, limit: int) -> str:
    if size is None:
        return f"limit {limit:,} bytes"
    total = size + (already or 0)
    return f"{'at least ' if already else ''}{total:,} bytes, limit {limit:,} bytes"


def _too_big_from_reason(reason: str) -> str | None:
    match = _TOO_BIG.search(reason)
    if match is None:
        return None
    size, already, limit = (int(g) if g is not None else None for g in match.groups())
    assert limit is not None
    return _too_big(size, already, limit)


def initiator(exc: ConnectionClosed) -> tuple[Close | None, bool]:
    """The close frame of whoever closed first, and whether that was the server."""
    rcvd, sent = exc.rcvd, exc.sent
    if rcvd is not None and (sent is None or exc.rcvd_then_sent):
        return rcvd, True
    return sent, False


def _describe_closed(exc: ConnectionClosed, ping_timeout: float | None, cause: BaseException | None) -> str:
    frame, by_server = initiator(exc)
    if frame is None:
        if isinstance(cause, ConnectionResetError):
            return "connection reset by peer (no close frame)"
        return "connection lost (no close frame)"
    if by_server:
        if frame.code == CloseCode.MESSAGE_TOO_BIG and (sizes := _too_big_from_reason(frame.reason)):
            return f"server refused a message too big ({sizes})"
        return f"closed by server: {describe_close(frame.code, frame.reason)}"
    # We closed it: websockets found a fault in what the server sent, or a timeout.
    if frame.code == CloseCode.MESSAGE_TOO_BIG:
        if isinstance(cause, PayloadTooBig):
            return f"message too big ({_too_big(cause.size, cause.current_size, cause.max_size)})"
        sizes = _too_big_from_reason(frame.reason)
        return f"message too big ({sizes})" if sizes else f"message too big: {frame.reason}"
    if frame.code == CloseCode.INVALID_DATA and isinstance(cause, UnicodeDecodeError):
        return f"invalid UTF-8 in a text frame from the server ({frame.reason})"
    if frame.code == CloseCode.INTERNAL_ERROR and frame.reason == "keepalive ping timeout":
        within = f"within {ping_timeout:g} s" if ping_timeout is not None else "in time"
        return f"no pong from server {within}: connection lost"
    if frame.code == CloseCode.PROTOCOL_ERROR:
        return f"protocol error from the server: {frame.reason}"
    return f"closed: {describe_close(frame.code, frame.reason)}"


def describe_error(exc: BaseException, *, ping_timeout: float | None = None) -> str:
    """One short line that tells a person what went wrong, no traceback needed.

    Never quotes a URL's userinfo or query, nor any header: see :func:`redact_url`.
    ``ping_timeout`` names the wait in "no pong from server within N s".
    """
    if isinstance(exc, ChannelError):
        return str(exc)
    if isinstance(exc, InvalidURI):
        return f"invalid URL {redact_url(exc.uri)!r}: {exc.msg}"
    if isinstance(exc, InvalidStatus):
        response = exc.response
        return f"server rejected the handshake: HTTP {response.status_code} {response.reason_phrase}"
    if isinstance(exc, InvalidHandshake):
        return f"handshake failed: {exc}"
    if isinstance(exc, ConnectionClosed):
        return _describe_closed(exc, ping_timeout, exc.__cause__)
    if isinstance(exc, PayloadTooBig):
        return f"message too big ({_too_big(exc.size, exc.current_size, exc.max_size)})"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"certificate verify failed: {(exc.verify_message or exc.reason or '').rstrip('.')}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc.reason or exc}"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the server running?)"
    if isinstance(exc, ConnectionResetError):
        return "connection reset by peer"
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve host: {exc.strerror}"
    if isinstance(exc, TimeoutError):
        return "timed out during the opening handshake"
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def is_retryable(exc: BaseException) -> bool:
    """Whether a failed opening handshake may succeed if tried again, unchanged.

    websockets' own rule (:func:`websockets.client.process_exception`: network
    errors, timeouts, HTTP 500/502/503/504) plus 408 and 429. Not retried: an
    invalid URL or option, a TLS or certificate failure (an ``OSError`` that
    trying again will not fix) and every other HTTP answer, 401 and 403 included.
    """
    if isinstance(exc, (ChannelError, ssl.SSLError)) or not isinstance(exc, Exception):
        return False
    if isinstance(exc, InvalidStatus) and exc.response.status_code in (408, 429):
        return True
    return process_exception(exc) is None


def retry_after(exc: BaseException | None) -> float:
    """Seconds the server asked to wait (``Retry-After`` on a 429/503), else 0."""
    if isinstance(exc, InvalidStatus):
        value = exc.response.headers.get("Retry-After", "")
        if value.strip().isdigit():
            return float(value)
    return 0.0


def is_final_close(exc: ConnectionClosed | None) -> bool:
    """Whether a connection that ended this way should not be reopened by itself.

    Decided on the close frame of whoever closed first: see :data:`FINAL_CLOSE_CODES`.
    A connection lost without a close frame is never final.
    """
    if exc is None:
        return False
    frame, _ = initiator(exc)
    return frame is not None and frame.code in FINAL_CLOSE_CODES
