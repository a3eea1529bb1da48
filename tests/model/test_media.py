"""Media sniffing and picture sizes (wsecho_widget.model.media), on real files.

Pictures are made here with Pillow, WAV with the standard library's ``wave``; the
other audio and video files are tiny real files under tests/data/ (see its README).
Bombs are real files whose headers declare sizes no browser should try to decode.
"""

from __future__ import annotations

import functools
import io
import struct
import wave
import zlib
from pathlib import Path

import pytest
from PIL import Image

from wsecho_widget.model.media import MediaLimits, image_size, is_animated, media_kind
from wsecho_widget.model.message import Message

DATA = Path(__file__).parent.parent / "data"


def picture(fmt: str, size: tuple[int, int], mode: str = "RGB", **save: object) -> bytes:
    """A real picture of ``size`` made by Pillow (a gradient, so encoders do real work)."""
    width, height = size
    gradient = Image.linear_gradient("L").resize(size)
    image = gradient.convert(mode)
    if mode == "RGBA":
        image.putalpha(gradient)  # real transparency: WebP then needs its VP8X chunk
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).size == (width, height)
    return data


def wav(seconds: float = 0.1, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x10" * int(seconds * rate))
    return out.getvalue()


def message(data: bytes) -> Message:
    return Message("received", data, 0.0)


# -- real pictures: the header's size is Pillow's size ------------------------------------


@pytest.mark.parametrize(
    ("fmt", "mode", "save", "mime"),
    [
        ("PNG", "RGB", {}, "image/png"),
        ("PNG", "1", {}, "image/png"),
        ("GIF", "P", {}, "image/gif"),
        ("JPEG", "RGB", {"quality": 80}, "image/jpeg"),
        ("JPEG", "RGB", {"progressive": True}, "image/jpeg"),
        ("JPEG", "L", {"exif": b"Exif\x00\x00" + b"\x00" * 600}, "image/jpeg"),
        ("WEBP", "RGB", {"quality": 70}, "image/webp"),  # VP8
        ("WEBP", "RGB", {"lossless": True}, "image/webp"),  # VP8L
        ("WEBP", "RGBA", {"quality": 70}, "image/webp"),  # VP8X (alpha)
    ],
)
@pytest.mark.parametrize("size", [(1, 1), (97, 13), (640, 480), (3001, 2)])
def test_picture_sizes_match_pillow(
    fmt: str, mode: str, save: dict[str, object], mime: str, size: tuple[int, int]
) -> None:
    data = picture(fmt, size, mode, **save)
    assert image_size(data) == size
    m = message(data)
    assert m.image_size == size
    assert m.media_type == mime
    assert m.image_format == mime.split("/")[1]
    assert media_kind(m.media_type) == "image"


def test_webp_chunk_kinds_are_the_ones_meant() -> None:
    assert picture("WEBP", (8, 8), quality=50)[12:16] == b"VP8 "
    assert picture("WEBP", (8, 8), lossless=True)[12:16] == b"VP8L"
    assert picture("WEBP", (8, 8), "RGBA", quality=50)[12:16] == b"VP8X"


def test_animated_gif_grows_to_its_largest_frame() -> None:
    """A frame that reaches past the logical screen makes the picture that big."""
    frames = [Image.new("P", (10, 10), i) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:])
    data = bytearray(out.getvalue())
    assert image_size(bytes(data)) == (10, 10)
    # The last frame's descriptor: move it to (5000, 7) and grow it to 20x20.
    pos = data.rindex(b"\x2c\x00\x00\x00\x00\x0a\x00\x0a\x00")
    data[pos + 1 : pos + 9] = struct.pack("<HHHH", 5000, 7, 20, 20)
    assert image_size(bytes(data)) == (5020, 27)


# -- headers that do not parse are not pictures --------------------------------------------


@pytest.mark.parametrize("fmt", ["PNG", "GIF", "JPEG", "WEBP"])
def test_a_cut_header_is_not_a_picture(fmt: str) -> None:
    data = picture(fmt, (50, 40), "RGB")
    m = message(data[:14])
    assert m.image_format is not None  # the magic number alone still says the format
    assert m.image_size is None
    assert m.media_type is None


def test_headers_that_lie_are_not_pictures() -> None:
    png = picture("PNG", (4, 4))
    no_ihdr = png[:12] + b"IDAT" + png[16:]
    zero = png[:16] + struct.pack(">II", 0, 4) + png[24:]
    jpeg = picture("JPEG", (4, 4))
    scan_first = b"\xff\xd8\xff\xda\x00\x08" + b"\x00" * 16
    endless = b"\xff\xd8" + b"\xff\xfe\x00\x02" * 10_000  # comments, never a frame header
    for data in (no_ihdr, zero, scan_first, endless, jpeg[:20]):
        assert image_size(data) is None, data[:24]
        assert message(data).media_type is None


# -- bombs: the header declares more than a browser should decode --------------------------


@functools.cache  # half a second of zlib, and four tests use it
def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A real, valid 1-bit PNG of 30000x30000 (all black): ~109 KB, 900 Mpx."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(row * 1000) for _ in range(height // 1000)) + z.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def gif_bomb() -> bytes:
    """35 bytes: a 65535x65535 screen (two colours) holding one 65535x65535 frame."""
    data = (
        b"GIF89a"
        + struct.pack("<HHBBB", 65535, 65535, 0x80, 0, 0)
        + b"\x00\x00\x00\xff\xff\xff"  # global colour table: black, white
        + b"\x2c"
        + struct.pack("<HHHHB", 0, 0, 65535, 65535, 0)
        + b"\x02\x02\x44\x01\x00"  # LZW min code size 2, one 2-byte sub-block, end
        + b"\x3b"
    )
    assert len(data) == 35
    return data


def jpeg_bomb() -> bytes:
    """A real JPEG whose frame header (SOF0) is patched to 65500x65500."""
    data = bytearray(picture("JPEG", (16, 16)))
    pos = data.index(b"\xff\xc0")
    data[pos + 5 : pos + 9] = struct.pack(">HH", 65500, 65500)
    return bytes(data)


def webp_bomb(kind: str) -> bytes:
    """A real WebP of each chunk kind, its declared size patched to the format's maximum."""
    if kind == "VP8X":
        data = bytearray(picture("WEBP", (16, 16), "RGBA", quality=50))
        data[24:30] = (0xFFFFFF).to_bytes(3, "little") * 2  # 16,777,216 a side
    elif kind == "VP8L":
        data = bytearray(picture("WEBP", (16, 16), lossless=True))
        bits = struct.unpack_from("<I", data, 21)[0] & ~0x0FFFFFFF | 0x0FFFFFFF
        struct.pack_into("<I", data, 21, bits)  # 16,384 x 16,384
    else:
        data = bytearray(picture("WEBP", (16, 16), quality=50))
        struct.pack_into("<HH", data, 26, 0x3FFF, 0x3FFF)  # 16,383 x 16,383
    return bytes(data)


BOMBS = {
    "png": (png_bomb, (30_000, 30_000), "png 30000x30000 not shown: larger than 50 Mpx"),
    "gif": (gif_bomb, (65_535, 65_535), "gif 65535x65535 not shown: larger than 50 Mpx"),
    "jpeg": (jpeg_bomb, (65_500, 65_500), "jpeg 65500x65500 not shown: larger than 50 Mpx"),
    "webp VP8": (lambda: webp_bomb("VP8"), (16_383, 16_383), None),
    "webp VP8L": (lambda: webp_bomb("VP8L"), (16_384, 16_384), None),
    "webp VP8X": (lambda: webp_bomb("VP8X"), (16_777_216, 16_777_216), None),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_bombs_are_read_and_refused(name: str) -> None:
    make, size, _ = BOMBS[name]
    data = make()
    m = message(data)
    assert m.image_size == size
    assert m.media_type == "image/" + name.split()[0]
    assert MediaLimits().refusal(size) == "larger than 50 Mpx"


def test_png_bomb_is_small_and_valid() -> None:
    data = png_bomb()
    assert 100_000 < len(data) < 120_000
    Image.MAX_IMAGE_PIXELS = None
    try:
        assert Image.open(io.BytesIO(data)).size == (30_000, 30_000)  # Pillow reads it too
    finally:
        Image.MAX_IMAGE_PIXELS = 89_478_485


def test_limits_say_why_in_words() -> None:
    limits = MediaLimits()
    assert limits.refusal((16_384, 3_000)) is None
    assert limits.refusal((16_385, 10)) == "more than 16,384 px on a side"
    assert limits.refusal((8_000, 7_000)) == "larger than 50 Mpx"
    small = MediaLimits(max_side=100, max_pixels=2_500_000)
    assert small.refusal((101, 1)) == "more than 100 px on a side"
    assert small.refusal((2000, 2000)) == "larger than 2.5 Mpx"
    with pytest.raises(ValueError, match="at least 1"):
        MediaLimits(max_side=0)


# -- audio and video ----------------------------------------------------------------------


def strip_id3(data: bytes) -> bytes:
    """The MP3 without its ID3v2 tag: it starts with an MPEG frame header then."""
    size = int.from_bytes(data[6:10], "big")
    size = (size & 0x7F) | (size >> 8 & 0x7F) << 7 | (size >> 16 & 0x7F) << 14 | (size >> 24 & 0x7F) << 21
    return data[10 + size :]


@pytest.mark.parametrize(
    ("make", "mime"),
    [
        (wav, "audio/wav"),
        (lambda: (DATA / "tone.ogg").read_bytes(), "audio/ogg"),
        (lambda: (DATA / "tone.mp3").read_bytes(), "audio/mpeg"),
        (lambda: strip_id3((DATA / "tone.mp3").read_bytes()), "audio/mpeg"),
        (lambda: (DATA / "tone.flac").read_bytes(), "audio/flac"),
        (lambda: (DATA / "clip.mp4").read_bytes(), "video/mp4"),
        (lambda: (DATA / "clip.webm").read_bytes(), "video/webm"),
    ],
    ids=["wav", "ogg", "mp3-id3", "mp3-frame", "flac", "mp4", "webm"],
)
def test_audio_and_video_are_sniffed(make: object, mime: str) -> None:
    data = make()  # type: ignore[operator]
    m = message(data)
    assert m.media_type == mime
    assert m.image_format is None
    assert m.image_size is None
    assert media_kind(mime) == mime.split("/")[0]


def test_raw_mp3_starts_with_a_frame_header() -> None:
    data = strip_id3((DATA / "tone.mp3").read_bytes())
    assert data[0] == 0xFF and data[1] & 0xE0 == 0xE0


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"RIFF\x00\x00\x00\x00AVI LIST",
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00",  # a HEIF picture, not a video
        b"\x1a\x45\xdf\xa3\x9f\x42\x82\x88matroska",  # Matroska, not WebM
        b"\xff\xf1\x50\x80\x02\x1f\xfc",  # AAC in ADTS: an MPEG sync, but not layer III
        bytes(range(256)),
    ],
)
def test_other_bytes_are_no_media(data: bytes) -> None:
    assert message(data).media_type is None
    assert message(data).image_size is None


def test_text_frames_are_no_media() -> None:
    m = Message("received", "\x89PNG\r\n\x1a\n", 0.0)
    assert m.media_type is None and m.image_size is None and m.image_format is None


def test_animation_is_recognised() -> None:
    frames = [Image.new("RGB", (10, 10), (i * 80, 40, 200 - i * 60)) for i in range(3)]
    for fmt, options in (("GIF", {}), ("PNG", {}), ("WEBP", {"lossless": True})):
        out = io.BytesIO()
        frames[0].save(out, format=fmt, save_all=True, append_images=frames[1:], **options)
        assert is_animated(out.getvalue()), fmt
        assert not is_animated(picture(fmt, (10, 10), "P" if fmt == "GIF" else "RGB")), fmt
    assert not is_animated(picture("JPEG", (10, 10)))
    assert not is_animated(b"GIF89a")
