"""The inspector as a person uses it: click a line, read it whole, act on it.

Shared by the JupyterLab and Notebook 7 tests (tests/browser/test_inspector_browser.py).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.browser.pages import PanelView, expect, wait_until

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

JS_TOOLS = Path(__file__).resolve().parents[1] / "ui" / "js"

# The rectangle of the first line of the log that ends with `text` (a line of a shared
# Text node has no element of its own: a Range finds where it is drawn).
_LINE_RECT = """([root, text]) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
        const at = node.data.indexOf(text + "\\n");
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + text.length);
        const r = range.getClientRects()[0];
        return {x: r.left + r.width / 2, y: r.top + r.height / 2};
    }
    return null;
}"""


class Inspector:
    """The log's lines and the detail view of one panel."""

    def __init__(self, panel: PanelView) -> None:
        self.panel = panel
        self.page: Page = panel.page
        self.entries: Locator = panel.log.locator(".wsecho-entries")
        self.detail: Locator = panel.root.locator(".wsecho-detail")
        self.facts: Locator = self.detail.locator(".wsecho-detail-facts")

    def click_line(self, text: str) -> None:
        """A real mouse click in the middle of the line showing ``← text``."""
        handle = self.entries.element_handle()
        point = self.page.evaluate(_LINE_RECT, [handle, f"← {text}"])
        assert point is not None, f"no line '← {text}' in the log"
        self.page.mouse.click(point["x"], point["y"])

    @property
    def selected_seq(self) -> int | None:
        value = self.entries.get_attribute("data-selected")
        return None if value is None else int(value)

    def action(self, label: str) -> Locator:
        return self.detail.locator(f'button.wsecho-detail-action:text-is("{label}")')

    def tab(self, label: str) -> Locator:
        return self.detail.locator(f'[role=tab]:text-is("{label}")')

    def clipboard(self) -> str:
        text: str = self.page.evaluate("() => navigator.clipboard.readText()")
        return text


def axe_source() -> str:
    """axe-core's script, from the page tests' pinned tools (``npm ci`` when missing)."""
    script = JS_TOOLS / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists() and shutil.which("npm"):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS_TOOLS, check=True, timeout=600)
    return script.read_text(encoding="utf-8")


def axe_violations(page: Page, selector: str, exclude: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations inside ``selector`` (but not inside
    ``exclude``), each with its first nodes."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    results = page.evaluate(
        "async ([selector, exclude]) => (await axe.run("
        "{include: [[selector]], exclude: exclude.map(s => [s])}, "
        "{resultTypes: ['violations']})).violations",
        [selector, list(exclude)],
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in results
        if v["impact"] in ("serious", "critical")
    ]


def theme_colours(page: Page, inspector: Inspector) -> dict[str, list[str]]:
    """The log's text and background, and the detail view's, beside the theme's variables."""
    return page.evaluate(
        """([entries, detail]) => {
            const probe = document.createElement('div');
            document.body.appendChild(probe);
            const resolve = (name, prop) => {
                probe.style[prop] = `var(${name})`;
                return getComputedStyle(probe)[prop];
            };
            const text = entries.querySelector('pre');
            const box = entries.closest('.wsecho-log');
            const out = {
                log_text: [getComputedStyle(text).color, resolve('--jp-content-font-color1', 'color')],
                log_background: [getComputedStyle(box).backgroundColor,
                                 resolve('--jp-layout-color0', 'backgroundColor')],
                detail_background: [getComputedStyle(detail).backgroundColor,
                                    resolve('--jp-layout-color1', 'backgroundColor')],
            };
            probe.remove();
            return out;
        }""",
        [inspector.entries.element_handle(), inspector.detail.element_handle()],
    )


def json_message(tag: str) -> str:
    return json.dumps({"user": {"name": "ada", "tags": [1, 2]}, "ok": True, "tag": tag})


def wait_selected(inspector: Inspector, seq_text: str | re.Pattern[str]) -> None:
    expect(inspector.facts).to_contain_text(seq_text)


def wait_count(locator: Locator, text: str, count: int) -> None:
    wait_until(lambda: locator.inner_text().count(text) >= count, what=f"{count} x {text!r}")
