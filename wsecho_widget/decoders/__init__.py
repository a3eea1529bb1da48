"""Binary frames decoded for people: hex, text, MessagePack, CBOR, schema-less protobuf, yours.

Bounded for untrusted peers. Imports only the model; must not import websockets,
ipywidgets or the layers above.
"""

from __future__ import annotations

from wsecho_widget.decoders.core import (
    BUILTIN_DECODERS,
    INSTALL_HINT,
    VIEW_CHARS,
    VIEW_LIMITS,
    Cut,
    DecodeError,
    Decoder,
    Limits,
    ProtoField,
    check_decoder,
    decode,
    decoded_text,
    decoder_names,
    encode,
    pretty,
    register,
    unregister,
)

__all__ = [
    "BUILTIN_DECODERS",
    "INSTALL_HINT",
    "VIEW_CHARS",
    "VIEW_LIMITS",
    "Cut",
    "DecodeError",
    "Decoder",
    "Limits",
    "ProtoField",
    "check_decoder",
    "decode",
    "decoded_text",
    "decoder_names",
    "encode",
    "pretty",
    "register",
    "unregister",
]
