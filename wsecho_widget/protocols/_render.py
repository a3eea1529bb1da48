"""What the protocol logs share: secrets masked, values as compact JSON.

Pure: must not import asyncio, websockets or ipywidgets.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["PRETTY_LIMIT", "compact_json", "mask"]

#: Results longer than this are not re-indented (a huge document would hold the loop).
PRETTY_LIMIT = 256 * 1024


def mask(payload: Any) -> Any:
    """``{"token": "abc", "user": "ada"}`` -> ``{"token": "***", "user": "***"}``.

    Every value is masked, not only those whose names look secret: a name cannot
    tell whether a value is a token (the session masks URL query values the same way).
    """
    if isinstance(payload, dict):
        return dict.fromkeys(payload, "***")
    return "***" if payload is not None else None


def compact_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
