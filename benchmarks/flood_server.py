"""The benchmark's server, run in its own process: floods on request, echoes the rest.

``python -m benchmarks.flood_server`` listens on 127.0.0.1 (a free port, printed as
``PORT <n>`` on stdout) and accepts permessage-deflate when a client offers it, so
the client alone decides whether a connection is compressed.

A text frame ``!flood <json>`` asks for a flood: ``count`` text messages of ``size``
bytes, each starting with its index (``000000042 xxxx…``), and when ``picture_every``
is set, every such message replaced by a PNG of ``picture_size`` bytes. The server
writes frames in batches with one socket write per batch, so it outruns any client
and the client's receive path is what gets measured. With ``msgpack`` set, every
message is instead a binary MessagePack map of about ``size`` bytes (``"i"`` is its
index). Every other frame is echoed.
"""

from __future__ import annotations

import contextlib
import json
import random
import struct
import zlib

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed, InvalidState

from benchmarks._serve import run

FLOOD = "!flood "
_BATCH = 256  # frames per socket write


def text_payload(index: int, size: int) -> bytes:
    """Message ``index`` of a flood: its index, a space, padding to ``size`` bytes."""
    head = b"%09d " % index
    return head + b"x" * max(0, size - len(head))


def msgpack_payload(index: int, size: int) -> bytes:
    """Message ``index`` of a MessagePack flood: a small map, like a feed's tick, of about ``size`` bytes."""
    import msgpack  # the codecs extra: only this kind of flood needs it

    tick = {"i": index, "sym": "EURUSD", "bid": 1.0834, "qty": index % 13, "pad": ""}
    pad = max(0, size - len(msgpack.packb(tick)))
    return bytes(msgpack.packb({**tick, "pad": "x" * pad}))


def index_of(message: str) -> int:
    """The index a flood message starts with."""
    return int(message[:9])


def noise_png(size: int, seed: int = 0) -> bytes:
    """A real PNG of about ``size`` bytes: random pixels, which deflate cannot shrink."""
    width = 512
    height = max(1, size // (width * 3))
    rng = random.Random(seed)
    rows = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


async def flood(ws: ServerConnection, spec: dict[str, int]) -> None:
    count, size = spec["count"], spec.get("size", 40)
    every, picture = spec.get("picture_every", 0), b""
    if every:
        picture = noise_png(spec.get("picture_size", 4096))
    if spec.get("msgpack"):
        protocol = ws.protocol
        for start in range(0, count, _BATCH):
            for index in range(start, min(count, start + _BATCH)):
                protocol.send_binary(msgpack_payload(index, size))
            ws.send_data()
            await ws.drain()
        return
    if not spec.get("batched", True):
        # What a typical server does: one send() per message, as fast as it can.
        for index in range(count):
            if every and index % every == every - 1:
                await ws.send(picture)
            else:
                await ws.send(text_payload(index, size).decode())
        return
    protocol = ws.protocol
    for start in range(0, count, _BATCH):
        for index in range(start, min(count, start + _BATCH)):
            if every and index % every == every - 1:
                protocol.send_binary(picture)
            else:
                protocol.send_text(text_payload(index, size))
        ws.send_data()
        await ws.drain()  # respects TCP flow control: the client sets the pace


async def handle(ws: ServerConnection) -> None:
    with contextlib.suppress(ConnectionClosed, InvalidState):
        async for message in ws:
            if isinstance(message, str) and message.startswith(FLOOD):
                await flood(ws, json.loads(message[len(FLOOD) :]))
            else:
                await ws.send(message)


if __name__ == "__main__":
    run(handle, __doc__, compression="deflate", max_size=64 * 2**20)
