"""Who may open a connection to the server panel: the opening handshake's rules.

Pure decisions on a websockets ``Request`` (path, headers) and a count of clients:
no sockets, no tasks, no widgets. :class:`Gate` answers ``None`` (let it in) or a
:class:`Refusal` (HTTP status and a one-line reason for the log). Also the masking
that keeps the token out of everything shown: :func:`mask_path`, :func:`mask_headers`.
Must not import the hub or any widget module.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from websockets.datastructures import Headers
from websockets.http11 import Request

__all__ = ["SECRET_HEADERS", "Gate", "Refusal", "mask_headers", "mask_path"]

#: Headers whose values are credentials: shown as ``***`` in every view.
SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token"}
)

#: The query parameter a client may carry the token in.
TOKEN_PARAM = "token"


@dataclass(frozen=True, slots=True)
class Refusal:
    """A refused handshake: the HTTP status to answer and why, for the log."""

    status: int
    reason: str


def mask_path(path: str) -> str:
    """The request path as it may be shown: the ``token`` query value masked.

    ``/chat?token=abc&room=1`` becomes ``/chat?token=***&room=1``. Other query
    values stay: they are the client's own choices, often worth seeing.
    """
    base, sep, query = path.partition("?")
    if not sep:
        return path
    items = []
    for item in query.split("&"):
        name, eq, _ = item.partition("=")
        items.append(f"{name}=***" if eq and name.lower() == TOKEN_PARAM else item)
    return f"{base}?{'&'.join(items)}"


def mask_headers(headers: Headers | Mapping[str, str]) -> list[tuple[str, str]]:
    """Header (name, value) pairs as they may be shown: credential values masked."""
    pairs = headers.raw_items() if isinstance(headers, Headers) else headers.items()
    return [(name, "***" if name.lower() in SECRET_HEADERS else value) for name, value in pairs]


def _bearer(headers: Headers) -> str | None:
    value = headers.get("Authorization")
    if value is None:
        return None
    scheme, _, credentials = value.strip().partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else None


def _query_token(path: str) -> str | None:
    query = urlsplit(path).query
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name == TOKEN_PARAM:
            return value
    return None


class Gate:
    """The rules, checked in this order: path (404), Origin (403), token (401), room (503).

    ``path``: the only path accepted (query ignored), or None for any path.
    ``origins``: the Origin header values accepted (None in it accepts a request
    without Origin, as browsers' pages always send one and other clients rarely
    do), or None for any. ``token``: when set, every client must present it, as
    ``?token=`` or ``Authorization: Bearer``. ``max_clients``: the most connected at once.
    """

    def __init__(
        self,
        *,
        path: str | None = None,
        origins: Iterable[str | None] | None = None,
        token: str | None = None,
        max_clients: int = 1000,
    ) -> None:
        if path is not None and not path.startswith("/"):
            raise ValueError(f"path must start with '/', not {path!r}")
        if max_clients < 1:
            raise ValueError(f"max_clients must be at least 1, not {max_clients}")
        if isinstance(origins, str):
            raise TypeError(f"origins is a list of Origin values, e.g. [{origins!r}], not one string")
        if token is not None and not token:
            raise ValueError("token must not be empty: use None for no token")
        self.path = path
        self.origins = None if origins is None else frozenset(origins)
        self.max_clients = max_clients
        self._token = token

    @property
    def has_token(self) -> bool:
        """Whether clients must present a token (the token itself is never shown)."""
        return self._token is not None

    def check(self, request: Request, connected: int) -> Refusal | None:
        """None to let ``request`` in, else why not; ``connected`` counts clients now."""
        path = urlsplit(request.path).path
        if self.path is not None and path != self.path:
            return Refusal(404, f"wrong path (expected {self.path!r})")
        if self.origins is not None:
            origin = request.headers.get("Origin")
            if origin not in self.origins:
                shown = repr(origin) if origin is not None else "no Origin header"
                return Refusal(403, f"Origin {shown} is not allowed")
        if self._token is not None:
            offered = _query_token(request.path)
            if offered is None:
                offered = _bearer(request.headers)
            if offered is None:
                return Refusal(401, "no token (send ?token= or Authorization: Bearer)")
            if not hmac.compare_digest(offered.encode(), self._token.encode()):
                return Refusal(401, "wrong token")
        if connected >= self.max_clients:
            return Refusal(503, f"too many clients ({connected} connected, max_clients={self.max_clients})")
        return None

    def __repr__(self) -> str:
        token = "token required" if self._token is not None else "no token"
        return f"<Gate path={self.path!r} {token} max_clients={self.max_clients}>"
