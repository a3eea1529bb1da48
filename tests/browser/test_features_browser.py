"""Issue 6's features in a real browser: autoscroll, the file picker, the filter, themes.

Uses the shared fixtures of ``conftest.py``: a JupyterLab server of its own and
Debian's Chromium through Playwright, skipped with the reason on a developer's
machine when a prerequisite is missing and failed under ``CI``. A small notebook
runs once; the tests then check the page, in file order. Screenshots of the panel
in the light and dark themes go to the artifacts folder (``WSECHO_ARTIFACTS``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import flow
from tests.browser.conftest import JupyterServer
from tests.browser.pages import NotebookPage, PanelView, open_notebook, wait_until
from tests.helpers import make_png

pytestmark = pytest.mark.browser

# The notebook the browser runs. Typing "feed N" in the panel starts N ticks,
# sent by an async on_message callback (the hooks feature, in the browser).
SETUP = """\
import asyncio
from wsecho_widget import WebSocketPanel

panel = WebSocketPanel()


@panel.on_message
async def on_command(message):
    if isinstance(message.data, str) and message.data.startswith("feed "):
        for i in range(int(message.data.split()[1])):
            panel.send(f"tick {i:04d}")
            await asyncio.sleep(0.03)


panel"""


@pytest.fixture(scope="module")
def notebook(browser: Any, lab_server: JupyterServer) -> Iterator[NotebookPage]:
    with open_notebook(browser, lab_server, "lab/tree/{name}", "features.ipynb", cells=[SETUP]) as notebook:
        yield notebook


@pytest.fixture(scope="module")
def panel(notebook: NotebookPage) -> PanelView:
    """The panel of the freshly run notebook, open; its ``page`` is what the tests drive."""
    return flow.open_and_run_all(notebook)


def _screenshot(page: Any, path: Path) -> None:
    page.locator(".wsecho-panel").screenshot(path=str(path))


def _send(page: Any, text: str) -> None:
    box = page.locator(".wsecho-panel .widget-text input[placeholder='Send a message']")
    box.fill(text)
    box.press("Enter")


# Where the log's scroll box is, and whether its newest entry is in view.
LOG_STATE = """() => {
  const box = document.querySelector('.wsecho-panel .wsecho-log');
  const outputs = box.querySelectorAll('.wsecho-entries > *');
  const last = outputs[outputs.length - 1];
  const b = box.getBoundingClientRect();
  const l = last ? last.getBoundingClientRect() : null;
  const lines = last ? last.innerText.trimEnd().split('\\n') : [];
  return {
    scrollTop: box.scrollTop, scrollHeight: box.scrollHeight, clientHeight: box.clientHeight,
    newestInView: !!l && l.bottom <= b.bottom + 2 && l.bottom >= b.top,
    newest: lines.length ? lines[lines.length - 1] : '',
  };
}"""


def test_the_log_follows_the_newest_entry_and_pause_holds_it(panel: PanelView, artifacts: Path) -> None:
    page = panel.page
    _send(page, "feed 400")  # 400 ticks, one every 30 ms
    wait_until(
        lambda: page.evaluate(LOG_STATE)["scrollHeight"] > page.evaluate(LOG_STATE)["clientHeight"] + 200,
        what="the log to overflow its box",
    )
    seen = []
    for _ in range(12):
        state = page.evaluate(LOG_STATE)
        seen.append(state["newest"])
        assert state["newestInView"], state
        assert abs(state["scrollTop"]) < 2, state  # still at the end
        time.sleep(0.1)
    assert len(set(seen)) > 3, seen  # the log really moved on meanwhile

    # Pause, scroll back, and the log holds still while ticks keep coming.
    page.locator(".wsecho-panel button[title^='Pause']").click()
    try:
        page.wait_for_selector(".wsecho-panel button[title^='Resume']")
        stats = page.locator(".wsecho-panel .widget-label:has-text('log paused')")
        stats.wait_for()
        box = page.locator(".wsecho-panel .wsecho-log")
        box.hover()
        page.mouse.wheel(0, -300)
        wait_until(lambda: page.evaluate(LOG_STATE)["scrollTop"] < -100, what="the scroll up")
        held = page.evaluate(LOG_STATE)
        first_count = stats.inner_text()
        wait_until(lambda: stats.inner_text() != first_count, what="more ticks while paused")
        time.sleep(0.3)
        after = page.evaluate(LOG_STATE)
        assert after["scrollTop"] == held["scrollTop"]  # the reader's place is kept
        assert after["newest"] == held["newest"]
    finally:
        # Resumed even when a check failed: the module's next tests read the log.
        page.locator(".wsecho-panel button[title^='Resume']").click()
    wait_until(lambda: abs(page.evaluate(LOG_STATE)["scrollTop"]) < 2, what="back at the newest entry")
    assert page.evaluate(LOG_STATE)["newestInView"]


def test_a_picked_file_goes_out_and_comes_back_as_a_picture(panel: PanelView, tmp_path: Path) -> None:
    page = panel.page
    picture = tmp_path / "gradient.png"
    picture.write_bytes(make_png(77, 33))
    send_file = page.locator(".wsecho-panel button:text-is('Send file')")
    assert send_file.is_disabled()
    # The FileUpload's <input type=file> is not in the page: its button opens the chooser.
    with page.expect_file_chooser() as chooser:
        page.locator(".wsecho-panel button.widget-upload").click()
    chooser.value.set_files(str(picture))
    wait_until(send_file.is_enabled, what="Send file to be enabled")
    send_file.click()
    image = page.locator(".wsecho-panel .wsecho-frame").last  # the canvas: attached while in view
    image.wait_for(timeout=15_000)
    wait_until(
        lambda: image.evaluate(
            "f => { const c = f.__wsechoCanvas;"
            " return c.dataset.drawn === '1' && c.width === 77 && c.height === 33; }"
        ),
        what="the echoed picture to be drawn at 77 x 33",
    )
    size = f"{len(picture.read_bytes()) / 1024:.1f} KiB"
    log = page.locator(".wsecho-panel .wsecho-log").inner_text()
    assert f"→ binary {size} (png picture)" in log and f"← binary {size} (png picture)" in log
    wait_until(send_file.is_disabled, what="the upload to reset")


def test_the_filter_box_narrows_the_log(panel: PanelView) -> None:
    page = panel.page
    # Wait for the ticks of the first test to be over.
    wait_until(lambda: "tick 0399" in page.evaluate(LOG_STATE)["newest"], timeout=30, what="the last tick")
    _send(page, "Needle in a haystack")
    log = page.locator(".wsecho-panel .wsecho-log")
    wait_until(lambda: "← Needle in a haystack" in log.inner_text(), what="the echo")
    search = page.locator(".wsecho-panel .widget-text input[placeholder^='text or /regex/']")
    search.press_sequentially("nEEdle", delay=30)
    wait_until(lambda: "tick" not in log.inner_text(), what="the filter to apply")
    text = log.inner_text()
    assert "→ Needle in a haystack" in text and "← Needle in a haystack" in text
    assert len([line for line in text.splitlines() if line.strip()]) == 2
    search.fill("")
    wait_until(lambda: "tick 0399" in log.inner_text(), what="the whole log again")


def _luminance(css_colour: str) -> float:
    parts = [float(p) for p in css_colour[css_colour.index("(") + 1 : css_colour.index(")")].split(",")[:3]]
    return (0.2126 * parts[0] + 0.7152 * parts[1] + 0.0722 * parts[2]) / 255


COLOURS = """() => {
  const box = document.querySelector('.wsecho-panel .wsecho-log');
  const pre = box.querySelector('pre');
  const status = [...document.querySelectorAll('.wsecho-panel .widget-label')]
    .find(e => e.textContent.startsWith('●'));
  const probe = document.createElement('div');
  document.body.appendChild(probe);
  const resolve = (v) => { probe.style.color = `var(${v})`; return getComputedStyle(probe).color; };
  const found = {
    border: getComputedStyle(box).borderTopColor, text: getComputedStyle(pre).color,
    status: getComputedStyle(status).color,
    jpBorder: resolve('--jp-border-color2'), jpSuccess: resolve('--jp-success-color1'),
    background: getComputedStyle(document.querySelector('.jp-Notebook')).backgroundColor,
  };
  probe.remove();
  return found;
}"""


def test_light_and_dark_themes_use_jupyter_colours(panel: PanelView, artifacts: Path) -> None:
    page = panel.page
    _send(page, "theme check")
    page.locator(".wsecho-panel .wsecho-log pre:has-text('theme check')").first.wait_for()
    light = page.evaluate(COLOURS)
    assert light["border"] == light["jpBorder"]
    assert light["status"] == light["jpSuccess"]
    assert _luminance(light["text"]) < 0.4 < _luminance(light["background"])
    # docs/features.png and features-dark.png (tests/browser/screenshots.py): the same
    # log in both themes, its newest lines the steps before (ticks, a picture, a needle).
    _screenshot(page, artifacts / "features-panel-light.png")

    page.locator(".lm-MenuBar-itemLabel:text-is('Settings')").click()
    page.locator(".lm-Menu-item .lm-Menu-itemLabel:text-is('Theme')").hover()
    page.locator(".lm-Menu-item:not(.lm-mod-disabled) .lm-Menu-itemLabel:text-is('JupyterLab Dark')").click()
    page.wait_for_selector("body[data-jp-theme-name='JupyterLab Dark']", state="attached", timeout=30_000)
    wait_until(
        lambda: page.evaluate(COLOURS)["jpBorder"] != light["jpBorder"], what="the dark theme's colours"
    )
    page.wait_for_selector("#jupyterlab-splash", state="detached", timeout=30_000)
    dark = page.evaluate(COLOURS)
    assert dark["border"] == dark["jpBorder"] != light["border"]
    assert dark["status"] == dark["jpSuccess"]
    assert _luminance(dark["text"]) > 0.6 > 0.4 > _luminance(dark["background"])  # readable on dark
    _screenshot(page, artifacts / "features-panel-dark.png")


def test_every_control_has_an_accessible_name(panel: PanelView) -> None:
    page = panel.page
    root = panel.root  # .wsecho-panel
    tree = root.aria_snapshot()
    assert not _unnamed_controls(tree), tree
    # The options area opens from the keyboard: Tab to the button, press Space.
    button = root.get_by_role("button", name="Connection options")
    assert not root.locator(".wsecho-options").is_visible()
    button.focus()
    page.keyboard.press("Space")
    root.locator(".wsecho-options").wait_for(state="visible")
    tree = root.aria_snapshot()
    controls: list[tuple[Any, str]] = [  # (Playwright's role literal, accessible name)
        ("textbox", "URL"),
        ("textbox", "Subprotocols"),
        ("textbox", "Value"),
        ("checkbox", "Compression (permessage-deflate)"),
        ("button", "Apply and reconnect"),
        ("textbox", "Message"),
        ("textbox", "Filter"),
        ("button", "Send file"),
        ("button", "Save transcript"),
        ("button", "JSON"),
        ("combobox", "Recent"),
    ]
    for role, name in controls:
        assert root.get_by_role(role, name=name).count() >= 1, (role, name, tree)
    assert not _unnamed_controls(tree), tree


def _unnamed_controls(tree: str) -> list[str]:
    # In an ARIA snapshot a named control reads `- button "Send"`; an unnamed one
    # `- button`, maybe followed by attributes such as `[disabled]` or a colon.
    pattern = re.compile(r"^\s*- (button|textbox|checkbox|combobox|radio|slider|tab)\b(?! \")")
    return [line for line in tree.splitlines() if pattern.match(line)]
