"""Helpers for the panel tests: what the browser sends, what the log shows, what could be saved."""

from __future__ import annotations

import json
import time

import ipywidgets as widgets

from tests.helpers import live_widgets, texts
from wsecho_widget import WebSocketPanel


class Counting:
    """Counts the assignments to an Output's outputs (one per render)."""

    def __init__(self, output: widgets.Output) -> None:
        self.updates = 0
        output.observe(self._count, "outputs")

    def _count(self, _: object) -> None:
        self.updates += 1


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
    return texts(panel.output.outputs)


def every_synced_value(widget: widgets.Widget) -> str:
    """Everything the panel's widgets would sync to the browser (and a notebook could save)."""
    seen = []
    for model in list(live_widgets().values()):
        state = model.get_state()
        seen.append(json.dumps(state, default=repr))
    return "\n".join(seen)
