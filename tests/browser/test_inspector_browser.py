"""The inspector in JupyterLab 4 and Notebook 7, in Chromium, used like a person uses it.

Click a JSON line and open its tree, Copy and read the clipboard, Resend and see the
echo, walk the lines with the arrow keys, filter by a regex, switch to the dark theme
and check the colours come from it; axe-core finds no serious or critical violation.
One server and one page per front end; the tests run in file order on that page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser import flow
from tests.browser.inspector import Inspector, axe_violations, json_message, theme_colours, wait_count
from tests.browser.pages import SETUP_CELLS, NotebookPage, PanelView, expect, open_notebook, wait_until

# Every part of the panel is scanned (the feed's stats bar included).
NOT_OURS: tuple[str, ...] = ()

pytestmark = pytest.mark.browser

ROUTES = {"lab": "lab/tree/{name}", "notebook": "notebooks/{name}"}

# A flood through the panel: COUNT texts sent and echoed, about 20,000 a second each way (so
# that it lasts ~5 s on any machine: the clicks need it running), the cell done once the last
# echo is in.
FLOOD = """\
import asyncio


async def flood(count):
    for i in range(count):
        panel.send(f"flood {i}")
        if i % 1000 == 999:
            await asyncio.sleep(0.05)
    while panel.messages[-1].data != f"flood {count - 1}":
        await asyncio.sleep(0.05)
    return count"""
FLOOD_COUNT = 100_000


@pytest.fixture(scope="module", params=["lab", "notebook"])
def notebook(request: pytest.FixtureRequest, browser: Any) -> Iterator[NotebookPage]:
    server = request.getfixturevalue(f"{request.param}_server")
    # A history that holds the flood's 200,000 messages: a line picked during it must still
    # be there when the busy kernel reads the pick (one that left the history clears it).
    panel_cell = SETUP_CELLS[0].replace("WebSocketPanel()", "WebSocketPanel(history_limit=250_000)")
    assert panel_cell != SETUP_CELLS[0]
    cells = [panel_cell, *SETUP_CELLS[1:], FLOOD]
    with open_notebook(browser, server, ROUTES[request.param], "inspector-test.ipynb", cells) as notebook:
        notebook.page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.base)
        notebook.front_end = request.param  # type: ignore[attr-defined]
        yield notebook


@pytest.fixture(scope="module")
def panel(notebook: NotebookPage) -> PanelView:
    return flow.open_and_run_all(notebook)


@pytest.fixture(scope="module")
def inspector(panel: PanelView) -> Inspector:
    return Inspector(panel)


@pytest.fixture(scope="module")
def sent_json(panel: PanelView) -> str:
    """A JSON text sent from the input, its echo in the log, then two plain lines after it."""
    text = json_message(flow.tag())
    panel.type(text, delay=5)
    panel.input.press("Enter")
    panel.wait_echo(text)
    for word in ("after one", "after two"):
        panel.type(word, delay=5)
        panel.input.press("Enter")
        panel.wait_echo(word)
    return text


def test_a_click_on_a_json_line_shows_it_whole_and_its_tree_opens(
    inspector: Inspector, sent_json: str, artifacts: Path, notebook: NotebookPage
) -> None:
    inspector.click_line(sent_json)
    expect(inspector.detail).to_be_visible()
    expect(inspector.facts).to_contain_text(
        re.compile(r"^← received · \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} ")
    )
    expect(inspector.facts).to_contain_text(f"{len(sent_json)} B · JSON · #")
    expect(inspector.tab("Tree")).to_have_attribute("aria-selected", "true")
    user = inspector.detail.locator("details details", has_text="user:").first
    expect(user).not_to_have_attribute("open", "")
    user.locator("summary").click()
    expect(user).to_have_attribute("open", "")
    expect(user).to_contain_text('name: "ada"')
    inspector.tab("Text").click()
    expect(inspector.detail.locator(".wsecho-detail-text")).to_have_text(sent_json)
    inspector.tab("Tree").click()  # drawn afresh: the tree's first level
    # docs/panel.png is the JupyterLab one.
    inspector.panel.root.screenshot(path=str(artifacts / f"inspector-{notebook.front_end}.png"))  # type: ignore[attr-defined]


def test_copy_puts_the_exact_text_on_the_clipboard(inspector: Inspector, sent_json: str) -> None:
    inspector.action("Copy").click()
    expect(inspector.detail.locator("[role=status]")).to_contain_text("Copied")
    assert inspector.clipboard() == sent_json


def test_resend_sends_it_again_and_the_echo_comes(
    inspector: Inspector, panel: PanelView, sent_json: str
) -> None:
    inspector.action("Resend").click()
    wait_count(panel.log, f"← {sent_json}", 2)
    wait_count(panel.log, f"→ {sent_json}", 2)


def test_arrow_keys_walk_the_lines_and_escape_clears(inspector: Inspector, sent_json: str) -> None:
    inspector.click_line(sent_json)
    first = inspector.selected_seq
    assert first is not None
    inspector.entries.press("ArrowDown")
    wait_until(lambda: inspector.selected_seq == first + 1, what="the next line selected")
    expect(inspector.facts).to_contain_text(f"#{first + 1}")
    expect(inspector.facts).to_contain_text("→ sent")  # the line after an echo: the next send
    inspector.entries.press("ArrowUp")
    expect(inspector.facts).to_contain_text(f"#{first}")
    inspector.entries.press("Escape")
    expect(inspector.detail).to_be_hidden()
    assert inspector.selected_seq is None


def test_a_regex_filter_narrows_the_log_and_a_bad_one_says_why_in_a_line(
    inspector: Inspector, panel: PanelView, sent_json: str
) -> None:
    box = panel.root.get_by_label("Filter", exact=True)
    box.fill("/after (one|two)$/")
    expect(panel.log).not_to_contain_text(sent_json)
    assert sorted(line.split(" ", 1)[1] for line in panel.log_lines()) == sorted(
        ["→ after one", "← after one", "→ after two", "← after two"]
    )
    expect(panel.root).to_contain_text(re.compile(r"4 of \d+ shown"))
    box.fill("/after (/")
    error = panel.root.locator(".wsecho-filter-error")
    expect(error).to_be_visible()
    expect(error).to_have_text(re.compile(r"^not a regular expression: missing \), unterminated subpattern"))
    assert len(panel.log_lines()) == 4  # the log stays as it was
    panel.root.get_by_label("Direction", exact=True).select_option(label="← received")
    box.fill("after")
    expect(error).to_be_hidden()
    wait_until(lambda: len(panel.log_lines()) == 2, what="the received lines only")
    assert all(" ← after " in f" {line}" for line in panel.log_lines())
    panel.root.get_by_label("Direction", exact=True).select_option(label="all directions")
    box.fill("")
    expect(panel.log).to_contain_text(sent_json)


# The heads' colours (the CSS highlights over each line's time and arrow), the theme's
# variable each should be, and the log's background, resolved in the page.
HEAD_COLOURS = """entries => {
    const box = entries.closest('.wsecho-log');
    const probe = document.createElement('span');
    box.appendChild(probe);
    const resolve = (name) => { probe.style.color = `var(${name})`; return getComputedStyle(probe).color; };
    const out = {};
    for (const [name, variable] of [['sent', '--jp-brand-color1'], ['received', '--jp-success-color0']]) {
        const heads = [...CSS.highlights.get(`wsecho-${name}`)]
            .filter(r => entries.contains(r.startContainer));
        out[name] = {
            heads: heads.map(r => r.toString()),
            colour: getComputedStyle(entries, `::highlight(wsecho-${name})`).color,
            theme: resolve(variable),
        };
    }
    probe.remove();
    out.background = getComputedStyle(box).backgroundColor;
    return out;
}"""


def _luminance(css: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", css)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def check_direction_colours(inspector: Inspector) -> None:
    """Sent and received heads are drawn in the theme's colours, each >= 4.5:1 on the log (WCAG AA)."""
    found = inspector.entries.evaluate(HEAD_COLOURS)
    background = _luminance(found["background"])
    for name, arrow in (("sent", "→"), ("received", "←")):
        heads, colour = found[name]["heads"], found[name]["colour"]
        assert heads and all(h.endswith(f" {arrow}") and "{" not in h for h in heads), (name, heads)
        assert colour == found[name]["theme"], (name, colour)  # the theme's own colour
        light, dark = sorted((_luminance(colour), background), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, (name, colour, found["background"])
    assert found["sent"]["colour"] != found["received"]["colour"]


def test_times_relative_to_the_first_message_and_directions_in_colour(
    inspector: Inspector, panel: PanelView, sent_json: str
) -> None:
    check_direction_colours(inspector)
    clock = panel.root.locator('.wsecho-log-toolbar button[title^="Times"]')
    clock.click()
    expect(panel.log).to_contain_text(re.compile(r"^ *\+0\.000 s → ", re.MULTILINE))
    assert all(re.match(r" *\+\d+\.\d{3} s [→←] ", line) for line in panel.log_lines())
    inspector.click_line(sent_json)
    expect(inspector.facts).to_contain_text(re.compile(r"^← received · \+\d+\.\d{3} s · \d{4}-"))
    check_direction_colours(inspector)  # the heads follow the new lines
    clock.click()
    expect(panel.log).to_contain_text(re.compile(r"^\d\d:\d\d:\d\d\.\d{3} → ", re.MULTILINE))
    expect(inspector.facts).to_contain_text(re.compile(r"^← received · \d{4}-"))
    inspector.entries.press("Escape")


def test_the_log_takes_most_of_the_window_and_its_corner_drags(panel: PanelView) -> None:
    box = panel.log
    cap = box.evaluate("b => [getComputedStyle(b).maxHeight, window.innerHeight]")
    assert abs(float(cap[0].removesuffix("px")) - min(0.6 * cap[1], 640)) < 1, cap  # min(60vh, 640px)
    box.evaluate("b => b.scrollIntoView()")
    before = box.bounding_box()
    assert before is not None
    corner = (before["x"] + before["width"] - 3, before["y"] + before["height"] - 3)
    page = panel.root.page
    page.mouse.move(*corner)
    page.mouse.down()
    page.mouse.move(corner[0], corner[1] + 60, steps=5)
    page.mouse.up()
    after = box.bounding_box()
    assert after is not None and after["height"] > before["height"] + 40, (before, after)
    box.evaluate("b => { b.style.height = ''; b.style.maxHeight = 'min(60vh, 640px)'; }")


def test_the_log_toolbar_is_one_row_at_720_px(
    panel: PanelView, notebook: NotebookPage, artifacts: Path
) -> None:
    toolbar = panel.root.locator(".wsecho-log-toolbar")
    panel.root.evaluate("el => { el.style.width = '720px'; }")
    tops = toolbar.evaluate("bar => [...bar.children].map(c => Math.round(c.getBoundingClientRect().top))")
    bottoms = toolbar.evaluate(
        "bar => [...bar.children].map(c => Math.round(c.getBoundingClientRect().bottom))"
    )
    assert max(tops) < min(bottoms), (tops, bottoms)  # every control on the same row
    panel.root.screenshot(path=str(artifacts / f"panel-720-{notebook.front_end}.png"))  # type: ignore[attr-defined]
    panel.root.evaluate("el => { el.style.width = ''; }")


def test_up_recalls_earlier_sends_and_ctrl_enter_sends_multi_line(panel: PanelView, sent_json: str) -> None:
    panel.input.click()
    panel.input.press("ArrowUp")
    expect(panel.input).to_have_value("after two")  # the last text sent from the input
    panel.input.press("ArrowUp")
    expect(panel.input).to_have_value("after one")
    panel.input.press("ArrowDown")
    expect(panel.input).to_have_value("after two")
    panel.input.press("Enter")
    wait_count(panel.log, "← after two", 2)
    panel.wait_input_empty()
    panel.button("Multi-line").click()
    area = panel.root.locator(".wsecho-input-multiline textarea")
    area.click()
    area.press_sequentially("two lines", delay=5)
    area.press("Enter")
    area.press_sequentially("sent with Ctrl+Enter", delay=5)
    area.press("Control+Enter")
    expect(area).to_have_value("")
    expect(panel.log).to_contain_text("← two lines")
    panel.button("Multi-line").click()


def test_axe_finds_no_serious_or_critical_violation(inspector: Inspector, sent_json: str) -> None:
    inspector.click_line(sent_json)
    expect(inspector.detail).to_be_visible()
    assert axe_violations(inspector.page, ".wsecho-panel", NOT_OURS) == []


def test_the_dark_theme_colours_the_log_and_the_detail(
    inspector: Inspector, notebook: NotebookPage, artifacts: Path
) -> None:
    page = notebook.page
    light = theme_colours(page, inspector)
    page.locator('.lm-MenuBar-itemLabel:text-is("Settings")').click()
    page.locator('.lm-Menu-itemLabel:text-is("Theme")').hover()
    page.locator('.lm-Menu-itemLabel:text-is("JupyterLab Dark")').click()
    wait_until(
        lambda: page.evaluate("() => document.body.dataset.jpThemeLight") == "false", what="the dark theme"
    )
    dark = theme_colours(page, inspector)
    for name, (shown, theme) in dark.items():
        assert shown == theme, name  # the theme's own colour
        assert shown != light[name][0], name  # and it changed with the theme
    check_direction_colours(inspector)
    # docs/panel-dark.png is the JupyterLab one.
    inspector.panel.root.screenshot(path=str(artifacts / f"inspector-{notebook.front_end}-dark.png"))  # type: ignore[attr-defined]
    assert axe_violations(page, ".wsecho-panel", NOT_OURS) == []


def test_clicks_during_a_flood_select_lines_and_the_cell_finishes(
    inspector: Inspector, panel: PanelView, notebook: NotebookPage
) -> None:
    """A click while 200,000 messages flow (100,000 sent, 100,000 echoed, over ~5 s) selects a line and
    shows it; the cell that floods still finishes (the kernel's loop never stalls on it)."""
    page = notebook.page
    cell = _start_cell(notebook, f"await flood({FLOOD_COUNT})")
    prompt = cell.locator(".jp-InputPrompt")
    expect(panel.log).to_contain_text(re.compile(r"flood \d+"), timeout=30_000)  # any line of it
    # What each click selected, read as it happens (at 20,000 lines a second the line
    # leaves the log, and the page's selection mark with it, within milliseconds).
    page.evaluate(PICKED)
    during = []  # the lines selected while the cell still ran
    for n in range(40):
        panel.log.evaluate("b => b.scrollIntoView({block: 'center'})")
        box = panel.log.bounding_box()
        assert box is not None
        before = page.evaluate("() => window.__picked.length")
        page.mouse.click(box["x"] + 60, box["y"] + 10 + 17 * (n % 5))
        running = (prompt.text_content() or "").strip() == "[*]:"
        if running:
            during += page.evaluate(f"() => window.__picked.slice({before})")
        page.wait_for_timeout(100)
        if not running:
            break
    chosen = set(page.evaluate("() => window.__picked"))
    expect(prompt).to_have_text(re.compile(r"\[\d+\]:"), timeout=180_000)
    expect(cell.locator(".jp-OutputArea-output")).to_have_text(str(FLOOD_COUNT))
    assert len(set(during)) >= 2, f"clicks while the flood ran selected {during}"
    # The detail view shows the last line chosen, whole (it may have left the log since).
    expect(inspector.detail).to_be_visible()
    expect(inspector.detail.locator(".wsecho-detail-text")).to_have_text(re.compile(r"^flood \d+$"))
    shown = re.search(r"#(\d+)$", inspector.facts.inner_text().strip())
    assert shown is not None and int(shown[1]) >= min(chosen), (shown, chosen)
    assert notebook.widget_errors == []
    inspector.entries.press("Escape")


# A click listener after the log's own (bubbling, on the document): the line it selected.
PICKED = """() => {
    window.__picked = [];
    document.addEventListener("click", () => {
        const entries = document.querySelector(".wsecho-panel .wsecho-entries");
        if (entries && entries.dataset.selected) window.__picked.push(Number(entries.dataset.selected));
    });
}"""


def _start_cell(notebook: NotebookPage, code: str) -> Any:
    """A new cell at the end with ``code``, started (Shift+Enter) but not waited for."""
    notebook.cells.last.locator(".jp-InputArea-editor").click()
    count = notebook.cells.count()
    notebook.page.keyboard.press("Escape")
    notebook.page.keyboard.press("b")
    expect(notebook.cells).to_have_count(count + 1)
    cell = notebook.cells.nth(count)
    editor = cell.locator(".cm-content")
    editor.click()
    editor.press_sequentially(code)
    expect(editor).to_have_text(code)
    notebook.page.keyboard.press("Shift+Enter")
    return cell
