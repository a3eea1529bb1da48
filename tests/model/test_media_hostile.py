"""Pictures that declare their size in more than one place: the size is walked, never searched.

Each test builds the hostile shape from a real Pillow picture and checks the
sniffer reads the size a browser would allocate.
"""

from __future__ import annotations

import io
import struct

from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from tests.hostile import sized
from wsecho_widget.model.media import MediaLimits, image_size, picture_type, sniff_media_type

PICTURES = {"image/png", "image/gif", "image/jpeg", "image/webp"}


def _picture(fmt: str, size: tuple[int, int], **save: object) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize(size).convert("RGB").save(out, format=fmt, **save)
    return out.getvalue()


def _gif_frame(left: int, top: int, width: int, height: int) -> bytes:
    # An image descriptor without a local colour table, LZW code size 2, one tiny block.
    return b"," + struct.pack("<HHHHB", left, top, width, height, 0) + b"\x02\x02D\x01\x00"


def test_a_gif_whose_1x1_screen_holds_a_65535_frame_is_that_large() -> None:
    """Pillow CVE-2022-45198 (fixed in Pillow 9.2.0): a GIF's logical screen says 1x1 while
    its frame says 65535x65535; a reader of the screen alone lets the bomb through."""
    head = b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    data = head + _gif_frame(0, 0, 65535, 65535) + b";"
    assert image_size(data) == (65535, 65535)
    assert MediaLimits().refusal((65535, 65535)) is not None


def test_every_gif_frame_counts_not_only_the_first() -> None:
    """The same CVE's shape moved to a later frame, placed off the screen's corner."""
    head = b"GIF89a" + struct.pack("<HHBBB", 2, 2, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    control = b"!\xf9\x04\x00\x00\x00\x00\x00"  # a graphic control extension between frames
    data = head + _gif_frame(0, 0, 2, 2) + control + _gif_frame(40000, 40000, 20000, 20000) + b";"
    assert image_size(data) == (60000, 60000)


def test_a_fake_start_of_frame_inside_exif_is_skipped_by_segment_length() -> None:
    """An EXIF segment carrying SOF bytes before the real SOF (fast-image-size issue 12
    "Skip over EXIF data"; Roughsketch/imagesize issue 11, a 1080x1080 JPEG read as
    52351x52319): segments are skipped by their lengths, so the real 40x30 is read."""
    real = _picture("JPEG", (40, 30))
    fake_sof = b"\xff\xc0\x00\x11\x08" + struct.pack(">HH", 1, 1) + b"\x03" + b"\x01\x11\x00" * 3
    tiff = b"MM\x00\x2a\x00\x00\x00\x08" + b"\x00\x00" + b"\x00" * 4  # an empty IFD, then bytes
    exif = b"Exif\x00\x00" + tiff + fake_sof
    app1 = b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
    data = real[:2] + app1 + real[2:]
    assert data.find(b"\xff\xc0") < data.find(b"\xff\xc0", len(app1))  # a byte search finds the fake
    assert Image.open(io.BytesIO(data)).size == (40, 30)  # Pillow agrees
    assert image_size(data) == (40, 30)


def test_a_png_whose_first_chunk_is_not_ihdr_has_no_size() -> None:
    """PNG spec 5.6: IHDR comes first. A chunk before it that holds "IHDR" bytes and a
    giant size is not believed (the size a searcher would find)."""
    real = _picture("PNG", (8, 8))
    fake = b"IHDR" + struct.pack(">II", 100_000, 100_000)
    chunk = struct.pack(">I", len(fake)) + b"tEXt" + fake + b"\x00\x00\x00\x00"
    data = real[:8] + chunk + real[8:]
    assert image_size(data) is None and sniff_media_type(data) is None
    assert image_size(real) == (8, 8)


def test_webp_size_is_the_vp8x_canvas_not_its_first_frame() -> None:
    """WebP container spec: VP8X's canvas is what a decoder allocates; a 1x1 VP8 frame
    inside a 16384x16384 canvas is that canvas."""
    frame = _picture("WEBP", (1, 1))  # RIFF....WEBPVP8 ...
    vp8 = frame[12:]
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + (16383).to_bytes(3, "little") * 2
    body = b"WEBP" + vp8x + vp8
    data = b"RIFF" + struct.pack("<I", len(body)) + body
    assert image_size(data) == (16384, 16384)
    assert MediaLimits().refusal((16384, 16384)) is not None


_MAGIC = [
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF89a",
    b"GIF87a",
    b"RIFF\x00\x00\x00\x00WEBPVP8X",
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
]


@sized(400)
@given(
    data=st.builds(bytes.__add__, st.sampled_from(_MAGIC), st.binary(max_size=200)) | st.binary(max_size=64)
)
def test_any_bytes_sniff_to_one_of_four_picture_types_or_none(data: bytes) -> None:
    """The picture type sent to the page comes only from the sniffer: for any bytes it
    is PNG, GIF, JPEG, WebP or no picture, and reading the size never raises."""
    kind = sniff_media_type(data)
    if kind is not None and kind.startswith("image/"):
        assert kind in PICTURES and kind == picture_type(data)
        size = image_size(data)
        assert size is not None and size[0] >= 1 and size[1] >= 1
    assert image_size(data) is None or picture_type(data) in PICTURES
