"""What a binary frame holds: media type from magic numbers, picture sizes from headers.

Pure functions over bytes, standard library only: no I/O, no ipywidgets (the log
imports this, never the other way round). A peer decides what it sends, so every
length and size read here is checked against the data that is really there, every
walk through a file's structure is bounded, and a picture's declared size is
checked against :class:`MediaLimits` before anything would decode it.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "DEFAULT_MAX_SIDE",
    "MediaLimits",
    "MediaType",
    "image_size",
    "is_animated",
    "media_kind",
    "picture_type",
    "sniff_media_type",
]

MediaType = Literal[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "audio/wav",
    "audio/ogg",
    "audio/mpeg",
    "audio/flac",
    "audio/mp4",
    "video/mp4",
    "video/webm",
]

#: A picture wider or taller than this many pixels is not sent to the page.
DEFAULT_MAX_SIDE = 16_384
#: A picture of more pixels than this is not sent to the page (50 Mpx: ~200 MB decoded).
DEFAULT_MAX_PIXELS = 50_000_000

# A JPEG whose size is not among its first segments is not worth walking further.
_JPEG_MAX_SEGMENTS = 256
# PNG chunks looked at for an animation control chunk.
_PNG_MAX_CHUNKS = 64
# GIF frames looked at for their extent; later ones are ignored (see _gif_size).
_GIF_MAX_FRAMES = 1024
# ISO base media brands that are pictures (HEIF, AVIF) or QuickTime: not played here.
_NOT_VIDEO_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis", b"qt  "}
_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P "}


@dataclass(frozen=True, slots=True)
class MediaLimits:
    """How large a picture may be and still be shown: ``max_side`` pixels on a side and
    ``max_pixels`` in all. A browser decodes a picture into 4 bytes per pixel whatever
    its file size, so a 35-byte GIF can ask for 17 GB."""

    max_side: int = DEFAULT_MAX_SIDE
    max_pixels: int = DEFAULT_MAX_PIXELS

    def __post_init__(self) -> None:
        if self.max_side < 1 or self.max_pixels < 1:
            raise ValueError(
                f"picture limits must be at least 1, not max_side={self.max_side}, "
                f"max_pixels={self.max_pixels}"
            )

    def refusal(self, size: tuple[int, int]) -> str | None:
        """Why a picture of ``size`` (width, height) is not shown, in words, or None."""
        width, height = size
        if width * height > self.max_pixels:
            return f"larger than {self.max_pixels / 1e6:g} Mpx"
        if max(width, height) > self.max_side:
            return f"more than {self.max_side:,} px on a side"
        return None


def sniff_media_type(data: bytes | bytearray | memoryview) -> MediaType | None:
    """The MIME type that ``data``'s magic numbers say, or None.

    Pictures count only when their header gives a size (:func:`image_size`); audio
    and video are recognised by their container's signature. SVG and HTML are never
    media here: they are markup that can carry scripts.
    """
    head = bytes(data[:64])
    picture = picture_type(head)
    if picture is not None:
        return picture if image_size(data) is not None else None
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if head.startswith(b"ID3") or _is_mp3_frame(head):
        return "audio/mpeg"
    if head[4:8] == b"ftyp" and len(head) >= 12:
        brand = head[8:12]
        if brand in _AUDIO_BRANDS:
            return "audio/mp4"
        return None if brand in _NOT_VIDEO_BRANDS else "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"\x42\x82\x84webm" in head:
        return "video/webm"  # EBML header whose DocType element is "webm"
    return None


def media_kind(media_type: str | None) -> Literal["image", "audio", "video"] | None:
    """``"image"``, ``"audio"`` or ``"video"``: the first half of a media type."""
    if media_type is None:
        return None
    kind = media_type.partition("/")[0]
    return kind if kind in ("image", "audio", "video") else None  # type: ignore[return-value]


def image_size(data: bytes | bytearray | memoryview) -> tuple[int, int] | None:
    """(width, height) in pixels that a PNG, GIF, JPEG or WebP header declares, or None
    when ``data`` is none of these or its header does not parse."""
    kind = picture_type(data)
    if kind is None:
        return None
    size = _READERS[kind](data if isinstance(data, bytes) else bytes(data))
    if size is None or size[0] < 1 or size[1] < 1:
        return None
    return size


def picture_type(data: bytes | bytearray | memoryview) -> MediaType | None:
    """The picture format that ``data``'s magic numbers say (PNG, JPEG, GIF, WebP), as a
    MIME type, or None; whether its header parses is :func:`image_size`'s business."""
    head = bytes(data[:12])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if len(head) >= 12 and head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _is_mp3_frame(head: bytes) -> bool:
    # MPEG audio frame sync (11 bits), layer III, a valid bitrate and sample rate.
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version, layer = (head[1] >> 3) & 3, (head[1] >> 1) & 3
    bitrate, rate = head[2] >> 4, (head[2] >> 2) & 3
    return version != 1 and layer == 1 and bitrate not in (0, 15) and rate != 3


def _png_size(data: bytes) -> tuple[int, int] | None:
    # The first chunk must be IHDR, 13 bytes long: width and height, big-endian.
    if len(data) < 24 or data[8:16] != b"\x00\x00\x00\x0dIHDR":
        return None
    width, height = struct.unpack_from(">II", data, 16)
    if width > 0x7FFFFFFF or height > 0x7FFFFFFF:
        return None
    return width, height


def is_animated(data: bytes) -> bool:
    """True for a GIF of more than one frame, an APNG or an animated WebP."""
    head = data[:16]
    if head.startswith((b"GIF87a", b"GIF89a")):
        scan = _gif_scan(data)
        return scan is not None and scan[2] > 1
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png_has_actl(data)
    if head.startswith(b"RIFF") and data[8:16] == b"WEBPVP8X" and len(data) > 20:
        return bool(data[20] & 0x02)  # the animation flag
    return False


def _png_has_actl(data: bytes) -> bool:
    # An APNG announces itself with an acTL chunk before the first IDAT.
    pos = 8
    for _ in range(_PNG_MAX_CHUNKS):
        if pos + 8 > len(data):
            return False
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        if kind == b"acTL":
            return True
        if kind == b"IDAT":
            return False
        pos += 12 + length
    return False


def _gif_size(data: bytes) -> tuple[int, int] | None:
    """The logical screen, grown to hold every frame's rectangle (a browser allocates
    what the frames need, whatever the screen says); None without a whole frame
    descriptor."""
    scan = _gif_scan(data)
    return None if scan is None else (scan[0], scan[1])


def _gif_scan(data: bytes) -> tuple[int, int, int] | None:
    # (width, height, frames), or None.
    if len(data) < 13:
        return None
    width, height, flags = struct.unpack_from("<HHB", data, 6)
    pos = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    frames = 0
    while pos < len(data) and frames < _GIF_MAX_FRAMES:
        block = data[pos]
        if block == 0x2C:  # image descriptor: left, top, width, height, flags
            if pos + 10 > len(data):
                break  # a cut descriptor
            left, top, w, h, flags = struct.unpack_from("<HHHHB", data, pos + 1)
            width, height = max(width, left + w), max(height, top + h)
            frames += 1
            pos += 10 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0) + 1  # + LZW code size
            pos = _skip_sub_blocks(data, pos)
        elif block == 0x21:  # extension: label, then sub-blocks
            pos = _skip_sub_blocks(data, pos + 2)
        else:  # 0x3B trailer, or garbage: stop reading
            break
    return (width, height, frames) if frames else None


def _skip_sub_blocks(data: bytes, pos: int) -> int:
    end = len(data)
    while pos < end:
        length = data[pos]
        pos += 1 + length
        if length == 0:
            break
    return pos


# SOF markers that carry the frame size (not DHT C4, JPG C8, DAC CC).
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    pos, end = 2, len(data)
    for _ in range(_JPEG_MAX_SEGMENTS):
        if pos + 1 >= end or data[pos] != 0xFF:
            return None
        while pos + 1 < end and data[pos + 1] == 0xFF:  # fill bytes
            pos += 1
        if pos + 1 >= end:
            return None
        marker = data[pos + 1]
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # standalone markers
            pos += 2
            continue
        if marker in (0xD9, 0xDA) or pos + 4 > end:  # end of image, or scan before a frame
            return None
        (length,) = struct.unpack_from(">H", data, pos + 2)
        if length < 2:
            return None
        if marker in _SOF:
            if length < 7 or pos + 9 > end:
                return None
            height, width = struct.unpack_from(">HH", data, pos + 5)
            return width, height
        pos += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 30:
        return None
    chunk = data[12:16]
    if chunk == b"VP8 ":  # lossy: a key frame's start code, then 14-bit sizes
        if data[23:26] != b"\x9d\x01\x2a":
            return None
        width, height = struct.unpack_from("<HH", data, 26)
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":  # lossless: signature 0x2F, then two 14-bit sizes minus one
        if data[20] != 0x2F:
            return None
        (bits,) = struct.unpack_from("<I", data, 21)
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X":  # extended: the canvas, two 24-bit sizes minus one
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    return None


_READERS = {
    "image/png": _png_size,
    "image/gif": _gif_size,
    "image/jpeg": _jpeg_size,
    "image/webp": _webp_size,
}
