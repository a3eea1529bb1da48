"""The panel's handlers called from another thread, as a kernel subshell calls them.

JupyterLab 4 and Notebook 7 send widget messages over a kernel subshell by default
when the kernel has subshells (ipykernel 7), so clicks, Enter and value changes are
handled in the subshell's thread, not in the thread whose loop runs the socket
(seen in Chromium, tests/browser: echoes came 20 s late, Connect hung). asyncio is
not thread-safe: whatever a handler does must happen in the loop's thread. These
tests call the handlers from a worker thread and check where their effects happen.

Two widgets' messages can also be handled in two threads, so a click on Send can
overtake the input's value update (seen in Chromium: 8 of 60 clicks sent nothing).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from tests.helpers import page, wait_for
from wsecho_widget import WebSocketPanel


def threads_that_change(widget: Any, name: str) -> set[str]:
    """The names of the threads in which ``widget.name`` changes from now on."""
    seen: set[str] = set()
    widget.observe(lambda _: seen.add(threading.current_thread().name), name)
    return seen


def submit(panel: WebSocketPanel, text: str) -> None:
    """What the front end does on Enter: the submit event, then the new value."""
    panel.text._handle_custom_msg({"event": "submit"}, [])
    panel.text.value = text


LOOP_THREAD = threading.current_thread().name  # pytest-asyncio runs the loop in the main thread


async def test_send_clicked_in_another_thread_goes_out_from_the_loop(panel: WebSocketPanel) -> None:
    panel.text.value = "clicked in a subshell"
    emptied = threads_that_change(panel.text, "value")
    await asyncio.to_thread(panel.send_button.click)
    assert (await panel.receive(timeout=5)).data == "clicked in a subshell"
    await wait_for(lambda: panel.text.value == "", what="the input emptied")
    assert emptied == {LOOP_THREAD}


async def test_enter_in_another_thread_goes_out_from_the_loop(panel: WebSocketPanel) -> None:
    shown = threads_that_change(panel.stats_label, "value")
    await asyncio.to_thread(lambda: submit(panel, "Enter in a subshell"))
    assert (await panel.receive(timeout=5)).data == "Enter in a subshell"
    assert [m.data for m in panel.messages] == ["Enter in a subshell"] * 2
    assert shown == {LOOP_THREAD}


async def test_connect_and_clear_clicked_in_another_thread_act_in_the_loop(panel: WebSocketPanel) -> None:
    await asyncio.to_thread(panel.connect_button.click)  # Disconnect
    await wait_for(lambda: panel.status == "closed", what="closed")
    statuses = threads_that_change(panel.status_label, "value")
    await asyncio.to_thread(panel.connect_button.click)  # Connect
    await asyncio.wait_for(panel.ready, 5)
    assert statuses == {LOOP_THREAD}
    panel.send("back")
    await panel.receive(timeout=5)
    await wait_for(lambda: "← back" in page(panel.output).text(), what="the echo in the log")
    mirror = page(panel.output)
    before = len(mirror.messages)
    await asyncio.to_thread(panel.clear_button.click)
    await wait_for(lambda: mirror.entries == [], what="the log cleared")
    assert set(mirror.threads[before:]) == {LOOP_THREAD}


async def test_send_clicked_before_the_value_arrives_waits_for_it(panel: WebSocketPanel) -> None:
    panel.send_button.click()  # the click overtook the value: the input still reads ""
    panel.text.value = "overtaken"  # then the value update arrives
    assert (await panel.receive(timeout=5)).data == "overtaken"
    assert panel.text.value == ""
    assert [m.data for m in panel.messages] == ["overtaken"] * 2
