"""How a panel's log looks and paces itself: one :class:`LogOptions` for every panel.

The defaults live here once; the panels take ``log=LogOptions(...)`` or the same
settings as flat keywords (``log_limit=``, ``image_limit=``, ...), which
:meth:`LogOptions.take` pulls out of their ``**options``. Must not import widgets.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, fields
from typing import Any

from wsecho_widget._util.options import check_options, keyword_names
from wsecho_widget.model.media import DEFAULT_MAX_PIXELS, DEFAULT_MAX_SIDE

__all__ = ["LogOptions", "check_panel_options"]

#: A panel's flat keyword -> the LogOptions field it sets.
_KEYWORDS = {
    "log_limit": "limit",
    "image_limit": "image_limit",
    "render_interval": "interval",
    "max_picture_side": "max_picture_side",
    "max_picture_pixels": "max_picture_pixels",
    "live": "live",
    "relative_times": "relative_times",
    "log_height": "height",
}


# A CSS length or a min()/max()/calc() of lengths: nothing that could end the declaration.
_LENGTH = re.compile(r"[\w.%+\-*/(), ]{1,64}")


@dataclass(frozen=True)
class LogOptions:
    """The log's settings, shared by every panel.

    ``limit`` entries stay on screen (``log_limit=`` on a panel), ``image_limit`` of
    them with their picture, sound or video; the log renders at most every
    ``interval`` seconds (``render_interval=``); a picture whose header declares
    more than ``max_picture_side`` pixels on a side or ``max_picture_pixels`` in all
    is not sent to the page; ``live`` shows received pictures as one picture
    updated in place; ``relative_times`` shows times as seconds since the first
    message (``+1.234 s``) instead of the clock (the toolbar's clock button).
    ``height`` is the log's most height (a CSS length, ``log_height=``): by default
    60% of the window's, at most 640 px (what a render costs the page grows with the
    area shown); a person can drag the log's corner to change it.
    """

    limit: int = 200
    image_limit: int = 20
    interval: float = 0.05
    max_picture_side: int = DEFAULT_MAX_SIDE
    max_picture_pixels: int = DEFAULT_MAX_PIXELS
    live: bool = False
    relative_times: bool = False
    height: str = "min(60vh, 640px)"

    def __post_init__(self) -> None:
        if self.limit < 1 or self.image_limit < 0 or self.interval < 0:
            raise ValueError("log_limit must be >= 1, image_limit and render_interval >= 0")
        if not isinstance(self.height, str) or not _LENGTH.fullmatch(self.height):
            raise ValueError(
                f"log_height must be a CSS length such as '60vh' or '480px', not {self.height!r}"
            )

    @classmethod
    def take(cls, options: dict[str, Any], log: LogOptions | None = None) -> LogOptions:
        """The log's settings: ``log`` (or the defaults) with the flat keywords of
        ``options`` applied, which are removed from ``options``."""
        flat = {_KEYWORDS[name]: options.pop(name) for name in list(options) if name in _KEYWORDS}
        base = log if log is not None else cls()
        if not flat:
            return base
        return cls(**{**{f.name: getattr(base, f.name) for f in fields(cls)}, **flat})


def check_panel_options(panel: type, options: Collection[str], accepted: Collection[str]) -> None:
    """TypeError for a keyword that neither ``panel``, its log nor what it hands on takes.

    ``accepted`` holds what the panel passes its options to (a session, a hub, a
    protocol client); the message names the panel and the closest valid keyword.
    """
    init = panel.__init__  # type: ignore[misc]  # the class's own, read for its keywords
    valid = keyword_names(init) | set(_KEYWORDS) | set(accepted)
    check_options(options, valid, f"{panel.__name__}()")
