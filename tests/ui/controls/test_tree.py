"""Closing a widget tree: every widget under a box goes, with its Layout and Style."""

from __future__ import annotations

import asyncio

import ipywidgets as widgets
import pytest

from tests.helpers import live_widgets
from wsecho_widget.ui.controls import SendBar, close_descendants


@pytest.mark.looptime  # SUBMIT_GRACE passes on a fake clock: no real wait
async def test_everything_under_the_box_is_closed_and_the_box_is_left_to_its_own_close() -> None:
    before = set(live_widgets())
    sent: list[str] = []
    bar = SendBar(
        asyncio.get_running_loop(),
        on_text=lambda t: bool(sent.append(t)) or True,
        on_files=lambda f: True,
        notify=lambda text: None,
    )
    label = widgets.Label("deep", style={"font_weight": "bold"})
    root = widgets.VBox([widgets.HBox([widgets.VBox([label])]), bar])
    made = set(live_widgets()) - before
    assert {label.model_id, label.layout.model_id, label.style.model_id, root.layout.model_id} <= made
    bar.text.value = "hi"
    # Enter with no value update after it: the bar would send after SUBMIT_GRACE.
    bar.text._handle_custom_msg({"event": "submit"}, [])
    close_descendants(root)
    assert set(live_widgets()) - before == {root.model_id}  # only the box itself is left
    close_descendants(root)  # twice is fine
    root.close()
    assert set(live_widgets()) == before
    await asyncio.sleep(0.3)  # past SUBMIT_GRACE
    assert sent == []  # SendBar's own close() ran: it cancelled the pending submit
