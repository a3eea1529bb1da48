"""The docs' ``series()`` examples, run as printed, with real HoloViews, Panel and Perspective.

docs/feeds.md promises that a chunk goes into each tool's streaming call as it is. The
three code blocks of "Data for the notebook's own tools" are read from the page and run
against a real feed server and a real panel; then each tool's own data must hold the
newest rows, bounded as the example says.
"""

from __future__ import annotations

import ast
import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

from tests.ui.test_feed import feed_url, run_feed  # noqa: F401  (feed_url is a fixture)
from wsecho_widget import WebSocketPanel

pytestmark = pytest.mark.slow

DOCS = Path(__file__).resolve().parents[2] / "docs" / "feeds.md"
MESSAGES = 700  # more than the examples' 500-row bound; every 7th price is not a number


def examples() -> dict[str, str]:
    """The section's python blocks, by the tool the line before each names."""
    section = DOCS.read_text().split("## Data for the notebook's own tools", 1)[1].split("\n## ", 1)[0]
    found = re.findall(r"\n([^\n]*):\n\n```python\n(.*?)```", section, re.S)
    tools = ("HoloViews", "Tabulator", "Perspective")
    return {tool: code for lead, code in found for tool in tools if tool in lead}


async def run_example(code: str, feed_url: str) -> dict[str, Any]:  # noqa: F811
    """Run ``code`` as a cell would (top-level ``async for``) until the panel closes."""
    panel = WebSocketPanel(feed_url)
    await panel.ready
    namespace: dict[str, Any] = {"panel": panel}
    compiled = compile(code, "<docs/feeds.md example>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    cell = asyncio.ensure_future(eval(compiled, namespace))  # a coroutine: the block awaits
    await asyncio.sleep(0.05)  # the block has built its table and waits for the first chunk
    await run_feed(panel, MESSAGES)
    await asyncio.sleep(0.3)  # the last chunk's interval
    panel.close()
    await asyncio.wait_for(cell, 10)  # the series ends with the panel, so does the loop
    return namespace


def prices() -> list[float]:
    return [float(n) for n in range(MESSAGES) if n % 7 != 6]


def test_the_page_has_one_example_per_tool() -> None:
    assert sorted(examples()) == ["HoloViews", "Perspective", "Tabulator"]


async def test_holoviews_buffer_send_takes_the_chunks(feed_url: str) -> None:  # noqa: F811
    namespace = await run_example(examples()["HoloViews"], feed_url)
    data = namespace["buffer"].data
    assert list(data["price"]) == prices()[-500:]
    assert str(data.index.tz) == "UTC" and data.index.is_monotonic_increasing


async def test_panel_tabulator_stream_takes_the_chunks(feed_url: str) -> None:  # noqa: F811
    namespace = await run_example(examples()["Tabulator"], feed_url)
    value = namespace["table"].value
    assert list(value["price"]) == prices()[-500:]
    assert value["time"].is_monotonic_increasing


async def test_perspective_update_takes_the_chunks(feed_url: str) -> None:  # noqa: F811
    namespace = await run_example(examples()["Perspective"], feed_url)
    table = namespace["viewer"].table
    assert table.size() == 500
    assert table.schema() == {"price": "float", "time": "datetime"}
    columns = table.view().to_columns()
    assert columns["price"] == prices()[-500:]
    assert columns["time"] == sorted(columns["time"])
