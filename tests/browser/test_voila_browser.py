"""The panel in Voila: a notebook shown as an app, its panel live in Chromium.

Voila runs the notebook in its own kernel and renders ipywidgets 8 and anywidget
from the lab extensions of its environment. The panel shows, its log (the
anywidget) draws the echo the notebook asked for, and text typed into the page
goes out and comes back.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import missing
from tests.browser.pages import PanelView, expect, write_test_notebook

pytestmark = pytest.mark.browser

CELLS = [
    "from wsecho_widget import WebSocketPanel\n\npanel = WebSocketPanel()\npanel",
    "await panel.ready\npanel.send('hello voila')\nawait panel.receive(timeout=5)\nprint('echo received')",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def voila(browser_prerequisites: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``voila panel.ipynb`` on 127.0.0.1 with scratch folders; its URL."""
    if importlib.util.find_spec("voila") is None:
        missing("voila is not installed (pip install -e '.[browser]')")
    root: Path = tmp_path_factory.mktemp("voila")
    write_test_notebook(root, "panel.ipynb", CELLS)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON"))}
    for name in ("HOME", "TMPDIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_CONFIG_DIR", "IPYTHONDIR"):
        (root / name.lower()).mkdir()
        env[name] = str(root / name.lower())
    port = free_port()
    command = [sys.executable, "-m", "voila", "panel.ipynb", "--no-browser", f"--port={port}"]
    command += ["--Voila.ip=127.0.0.1", "--Voila.port_retries=0"]
    with (root / "voila.log").open("wb") as log:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (root / "voila.log").read_text(errors="replace")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break  # listening
            assert time.monotonic() < deadline, "voila did not start in 60 s"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_voila_shows_a_live_panel(browser: Any, voila: str) -> None:
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    try:
        page = context.new_page()
        page.goto(voila, timeout=90_000)  # Voila runs the whole notebook before it answers
        panel = PanelView(page)
        expect(panel.root).to_be_visible()
        expect(page.locator("body")).to_contain_text("echo received")
        panel.wait_echo("hello voila")
        panel.type("typed in voila")
        panel.input.press("Enter")
        panel.wait_echo("typed in voila")
    finally:
        context.close()
