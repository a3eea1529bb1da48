"""Issue 14 in a real browser: the multi-line composer, Recent, and a decoding Binary view.

Uses the shared fixtures of ``conftest.py`` (JupyterLab of its own, Debian's
Chromium through Playwright). A small notebook runs once; the tests then drive the
page in file order, as a person would: click Multi-line, type over several lines,
click Send, choose a Recent text, click Clear, click the msgpack view.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import flow
from tests.browser.conftest import JupyterServer
from tests.browser.pages import NotebookPage, PanelView, expect, open_notebook, wait_until

pytestmark = pytest.mark.browser

SETUP = [
    "from wsecho_widget import WebSocketPanel\n\npanel = WebSocketPanel()\npanel",
    "await panel.ready\npanel.send_msgpack({'sym': 'EURUSD', 'bid': 1.5, 'raw': b'\\x00\\x01'})",
]

# Typed with real key events: Enter in a text area is a newline, not a submit.
LINES = ["{", '  "op": "subscribe",', '  "args": ["EURUSD"]', "}"]


@pytest.fixture(scope="module")
def notebook(browser: Any, lab_server: JupyterServer) -> Iterator[NotebookPage]:
    with open_notebook(browser, lab_server, "lab/tree/{name}", "composer.ipynb", cells=SETUP) as notebook:
        yield notebook


@pytest.fixture(scope="module")
def panel(notebook: NotebookPage) -> PanelView:
    return flow.open_and_run_all(notebook)


def _options(recent: Any) -> list[str]:
    # ipywidgets' Dropdown shows its labels with non-breaking spaces.
    return [label.replace("\xa0", " ") for label in recent.locator("option").all_inner_texts()]


def _echoes(panel: PanelView, first_line: str) -> int:
    return sum(1 for line in panel.log_lines() if line.endswith(f"← {first_line}"))


def test_the_msgpack_view_decodes_binary_frames(panel: PanelView, artifacts: Path) -> None:
    # The setup cell sent one MessagePack map: in the auto view, a hex preview line.
    expect(panel.log).to_contain_text("← binary 33 B: 83 a3 73 79 6d")
    panel.root.get_by_label("Binary", exact=True).select_option(label="msgpack")
    expect(panel.log).to_contain_text("← binary 33 B msgpack")
    text = panel.log.inner_text()
    assert text.count('"sym": "EURUSD",') == 2 and text.count('"raw": <2 bytes: 00 01>') == 2
    panel.root.screenshot(path=str(artifacts / "msgpack-view.png"))
    panel.root.get_by_label("Binary", exact=True).select_option(label="auto")
    expect(panel.log).not_to_contain_text('"sym": "EURUSD"')


def test_multi_line_sends_the_whole_text_as_one_frame_and_the_mode_stays(panel: PanelView) -> None:
    area = panel.root.locator(".wsecho-input-multiline textarea")
    expect(area).to_be_hidden()
    panel.button("Multi-line").click()
    expect(area).to_be_visible()
    expect(panel.input).to_be_hidden()
    area.click()
    for index, line in enumerate(LINES):
        area.press_sequentially(line, delay=20)
        if index < len(LINES) - 1:
            area.press("Enter")
    expect(area).to_have_value("\n".join(LINES))
    panel.button("Send").click()
    expect(area).to_have_value("")  # the kernel empties it once sent
    # One frame: the log shows it once each way, its lines indented under the first.
    wait_until(lambda: _echoes(panel, "{") == 1, what="the echo of the payload")
    text = panel.log.inner_text()
    assert text.count('"op": "subscribe",') == 2 and text.count('"args": ["EURUSD"]') == 2
    # The mode is remembered: still a text area, the toggle still pressed.
    expect(area).to_be_visible()
    assert "mod-active" in (panel.button("Multi-line").get_attribute("class") or "")


def test_recent_offers_what_was_sent_and_sends_it_again(panel: PanelView) -> None:
    area = panel.root.locator(".wsecho-input-multiline textarea")
    recent = panel.root.locator(".wsecho-recent select")
    assert _options(recent) == ["Recent…", "{ (4 lines)"]
    recent.select_option(index=1)
    expect(area).to_have_value("\n".join(LINES))
    expect(recent).to_have_value(recent.locator("option").first.get_attribute("value") or "")
    panel.button("Send").click()
    wait_until(lambda: _echoes(panel, "{") == 2, what="the payload sent again")
    # Back to one line: a short text joins Recent at the top.
    panel.button("Multi-line").click()
    expect(panel.input).to_be_visible()
    panel.type("ping")
    panel.input.press("Enter")
    panel.wait_echo("ping")
    wait_until(
        lambda: _options(recent) == ["Recent…", "ping", "{ (4 lines)"],
        what="Recent, newest first",
    )


def test_clear_forgets_the_recent_texts(panel: PanelView) -> None:
    recent = panel.root.locator(".wsecho-recent select")
    panel.root.locator("button[title^='Clear the log']").click()
    wait_until(lambda: _options(recent) == ["Recent…"], what="Recent to empty")
    wait_until(lambda: "ping" not in panel.log.inner_text(), what="the log to clear")
