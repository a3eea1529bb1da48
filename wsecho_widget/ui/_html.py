"""What the static record and the session report share: escaping, pictures as ``data:`` URIs.

Pure functions (standard library, ``model`` and ``net.errors`` only): no widgets, no
IPython, no I/O. Every piece of text a peer or a user chose goes through :func:`esc`;
a picture is embedded only when its magic numbers say PNG, JPEG, GIF or WebP (never
SVG, which is markup) and its header's declared size passes :class:`MediaLimits`,
so a saved notebook or a report cannot carry a decompression bomb to whoever opens it.
"""

from __future__ import annotations

import base64
import html
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wsecho_widget.model.media import MediaLimits
from wsecho_widget.model.message import Message, format_size

__all__ = ["Picture", "clip", "esc", "pick_pictures", "picture_uri", "stamp"]

_LIMITS = MediaLimits()


def esc(text: object) -> str:
    """``text`` as HTML text or an attribute value: ``& < > " '`` escaped.

    Lone surrogates (a str that never was UTF-8) become U+FFFD, so the result
    always encodes.
    """
    value = str(text)
    if not value.isascii():
        value = value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return html.escape(value, quote=True)


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how many more there were."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


def stamp(timestamp: float, *, millis: bool = True) -> str:
    """A local time as ``2026-12-06 07:10:11.123``."""
    text = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(timestamp))
    return f"{text}.{int(timestamp % 1 * 1000):03d}" if millis else text


def picture_uri(message: Message, limits: MediaLimits = _LIMITS) -> str | None:
    """A received or sent picture as a ``data:image/...;base64`` URI, or None.

    None for anything that is not a PNG, JPEG, GIF or WebP by its magic numbers,
    and for a picture whose declared size ``limits`` refuse.
    """
    data = message.data
    fmt = message.image_format
    size = message.image_size
    if fmt is None or size is None or not isinstance(data, bytes) or limits.refusal(size) is not None:
        return None
    return f"data:image/{fmt};base64,{base64.b64encode(data).decode('ascii')}"


@dataclass(frozen=True, slots=True)
class Picture:
    """One embedded picture: its message, its ``data:`` URI and a one-line caption."""

    message: Message
    uri: str

    @property
    def caption(self) -> str:
        m = self.message
        width, height = m.image_size or (0, 0)
        who = f" {m.client}" if m.client else ""
        return f"{m.direction}{who} {stamp(m.timestamp)[11:]} · {m.image_format} {width}x{height} · " + (
            format_size(m.size)
        )

    def img(self, max_height: str) -> str:
        """The ``<img>`` element: only ``src``, ``alt``, ``title`` and an inline style."""
        caption = esc(self.caption)
        return (
            f'<img src="{self.uri}" alt="{caption}" title="{caption}" '
            f'style="max-height:{max_height};max-width:100%;margin:2px;vertical-align:top">'
        )


def pick_pictures(
    messages: Iterable[Message], *, count: int, budget: int, limits: MediaLimits = _LIMITS
) -> tuple[list[Picture], int]:
    """The newest ``count`` pictures of ``messages`` whose URIs fit in ``budget`` bytes.

    ``messages`` is oldest first; returns the pictures oldest first and how many
    more pictures there were (too many, or too large for what was left of the
    budget). A picture that does not fit is skipped, and smaller older ones may
    still fit. The same bytes again (a picture and its echo) count once.
    """
    chosen: list[Picture] = []
    shown: set[bytes] = set()  # an echo is the same picture twice: shown once
    left_out = 0
    used = 0
    for message in reversed(_as_sequence(messages)):
        data = message.data
        if not isinstance(data, bytes) or data in shown or message.image_format is None:
            continue
        uri = picture_uri(message, limits) if len(chosen) < count else None
        if uri is None or used + len(uri) > budget:
            left_out += 1
            continue
        used += len(uri)
        shown.add(data)
        chosen.append(Picture(message, uri))
    chosen.reverse()
    return chosen, left_out


def _as_sequence(messages: Iterable[Message]) -> Sequence[Message]:
    return messages if isinstance(messages, Sequence) else list(messages)
