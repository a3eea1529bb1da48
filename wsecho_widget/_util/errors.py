"""The project's one exception base class: :class:`WsechoError`.

Defined in the lowest layer so that every layer can subclass it; each project
exception keeps its other, standard base too (``ChannelError`` is also a
``ConnectionError``, ``DecodeError`` a ``ValueError``), so ``except
ConnectionError`` and ``except WsechoError`` both work. Imports nothing.
"""

from __future__ import annotations

__all__ = ["WsechoError"]


class WsechoError(Exception):
    """The base class of every exception wsecho-widget raises on purpose.

    ``except WsechoError`` catches a refused connection (``ChannelError``), a
    frame that does not decode (``DecodeError``), a protocol's refusal
    (``SocketIOError``, ``GraphQLError``) and a bad packet from a peer alike.
    """
