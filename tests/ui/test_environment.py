"""What the kernel can check of the page's front end: the files each front end loads."""

from __future__ import annotations

import sys
from pathlib import Path

from wsecho_widget.ui.environment import FRONTEND_FILES, frontend_files, live_text


def test_this_environment_has_every_front_end_file() -> None:
    # ipywidgets (jupyterlab_widgets) and anywidget install them into sys.prefix;
    # VS Code loads nbextensions/anywidget from the kernel's environment.
    found = frontend_files()
    assert set(found) == set(FRONTEND_FILES)
    for what, path in found.items():
        assert path is not None and path.is_file(), what
        assert path.is_relative_to(Path(sys.prefix))
    text = live_text("WebSocketPanel", "ws://127.0.0.1:1/", "● open")
    assert text.startswith("WebSocketPanel ws://127.0.0.1:1/ · ● open (a live wsecho-widget panel).")
    assert "has the front-end files" in text


def test_an_environment_without_them_is_told_what_to_install_where(tmp_path: Path) -> None:
    assert set(frontend_files(tmp_path).values()) == {None}
    text = live_text("ServerPanel", "ws://127.0.0.1:2", "● listening", prefix=tmp_path)
    assert '"ipywidgets>=8" and "anywidget" in the environment that runs Jupyter' in text
    assert f"Missing in the kernel's environment ({tmp_path}): " in text
    assert "anywidget for VS Code" in text
