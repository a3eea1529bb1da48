"""The browser benchmark's server, run in its own process: text floods and paced JPEG streams.

``python -m benchmarks.stream_server`` listens on 127.0.0.1 (a free port, printed as
``PORT <n>``). Text frames it understands:

- ``!flood COUNT SIZE``: COUNT text messages of SIZE bytes, as fast as the client reads;
- ``!pictures COUNT RATE``: COUNT distinct JPEGs of ~48 KB, RATE per second, on a clock;

(a word after them is a tag, so that each run has its own marker),

each followed by one text frame ``done <command>``, the marker a client waits for.
Every other frame is echoed. The pictures are :func:`jpegs`, so the benchmark knows
their exact bytes without receiving them.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import random

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from benchmarks._serve import run

PICTURE_SIZE = (288, 216)
_BASES = 16


@functools.cache
def _base_jpegs() -> tuple[bytes, ...]:
    from PIL import Image  # the test extra; only this server and the benchmark need it

    rng = random.Random(7)
    out = []
    for _ in range(_BASES):
        noise = Image.frombytes("RGB", PICTURE_SIZE, rng.randbytes(PICTURE_SIZE[0] * PICTURE_SIZE[1] * 3))
        buffer = io.BytesIO()
        noise.save(buffer, format="JPEG", quality=85)
        out.append(buffer.getvalue())
    return tuple(out)


def jpeg(index: int) -> bytes:
    """Picture ``index`` of a stream: a noise JPEG (~48 KB) made unique by a comment segment."""
    base = _base_jpegs()[index % _BASES]
    comment = b"frame %09d" % index
    return base[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + base[2:]


def jpegs(count: int) -> list[bytes]:
    return [jpeg(i) for i in range(count)]


async def flood(ws: ServerConnection, count: int, size: int) -> None:
    protocol = ws.protocol
    for start in range(0, count, 256):
        for index in range(start, min(count, start + 256)):
            head = b"%09d " % index
            protocol.send_text(head + b"x" * max(0, size - len(head)))
        ws.send_data()
        await ws.drain()


async def pictures(ws: ServerConnection, count: int, rate: float) -> None:
    loop = asyncio.get_running_loop()
    start = loop.time()
    for index in range(count):
        # On a clock: a late frame is sent at once, the next keeps to the schedule.
        await asyncio.sleep(max(0.0, start + index / rate - loop.time()))
        await ws.send(jpeg(index))


async def handle(ws: ServerConnection) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for message in ws:
            if isinstance(message, str) and message.startswith(("!flood ", "!pictures ")):
                command, first, second = message.split()[:3]  # a tag may follow
                if command == "!flood":
                    await flood(ws, int(first), int(second))
                else:
                    await pictures(ws, int(first), float(second))
                await ws.send(f"done {message}")
            else:
                await ws.send(message)


if __name__ == "__main__":
    _base_jpegs()  # made before the first client asks
    run(handle, __doc__, compression=None, max_size=2**24)
