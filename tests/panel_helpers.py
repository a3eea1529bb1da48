"""Helpers for the panel tests: what the browser sends, what the log shows, what could be saved."""

from __future__ import annotations

import json
import time

import ipywidgets as widgets

from tests.helpers import live_widgets, page
from wsecho_widget import WebSocketPanel


class Counting:
    """Counts the messages a log sends its page from now on (one per render)."""

    def __init__(self, log_widget: object) -> None:
        self._mirror = page(log_widget)
        self._start = len(self._mirror.messages)

    @property
    def updates(self) -> int:
        return len(self._mirror.messages) - self._start

    @property
    def buffers(self) -> list[int]:
        """The sizes of the binary buffers sent since then."""
        return [size for _, sizes in self._mirror.messages[self._start :] for size in sizes]


def choose_files(upload: widgets.FileUpload, *files: tuple[str, bytes]) -> None:
    """What the browser sends when files are picked: the value, deserialised like a comm message."""
    now_ms = int(time.time() * 1000)
    upload.set_state(
        {
            "value": [
                {
                    "name": name,
                    "type": "",
                    "size": len(data),
                    "content": memoryview(data),
                    "last_modified": now_ms,
                }
                for name, data in files
            ]
        }
    )


def log(panel: WebSocketPanel) -> str:
    """The log's text as its page view shows it."""
    return page(panel.log_view.widget).text()


def every_synced_value(widget: widgets.Widget) -> str:
    """Everything the panel's widgets would sync to the browser (and a notebook could save)."""
    seen = []
    for model in list(live_widgets().values()):
        state = model.get_state()
        seen.append(json.dumps(state, default=repr))
    return "\n".join(seen)
