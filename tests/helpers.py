"""Shared test helpers: real pictures, waiting on real conditions, plain servers."""

from __future__ import annotations

import asyncio
import io
import struct
import zlib
from collections.abc import Callable

from ipywidgets.widgets.widget import _instances
from PIL import Image


def make_png(width: int = 32, height: int = 24) -> bytes:
    """A real PNG (a gradient), from the standard library alone."""
    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (x * 255 // width, y * 255 // height, 128))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def encode_image(fmt: str, size: tuple[int, int] = (16, 12)) -> bytes:
    """A real picture in ``fmt`` (PNG, JPEG, GIF, WEBP) encoded by Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 90)).save(buffer, format=fmt)
    return buffer.getvalue()


async def wait_for(predicate: Callable[[], object], timeout: float = 5.0, what: str = "condition") -> None:
    """Poll ``predicate`` on the loop until it is true; fail with ``what`` after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.005)


def texts(outputs: tuple[dict[str, object], ...]) -> str:
    """All stream text in an Output's outputs, joined."""
    return "".join(str(o["text"]) for o in outputs if o.get("output_type") == "stream")


def image_ids(outputs: tuple[dict[str, object], ...]) -> list[str]:
    """The model ids of the widgets shown in an Output's outputs."""
    ids = []
    for o in outputs:
        data = o.get("data")
        if isinstance(data, dict) and "application/vnd.jupyter.widget-view+json" in data:
            ids.append(data["application/vnd.jupyter.widget-view+json"]["model_id"])
    return ids


def live_widgets() -> dict[str, object]:
    """Every widget model alive in this process, by model id."""
    return _instances
