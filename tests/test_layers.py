"""The layers' import rules, read from the source: pure modules import no widgets and no loop."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import wsecho_widget

PACKAGE = Path(wsecho_widget.__file__).parent


def imports(module: str) -> tuple[set[str], set[str]]:
    """(top-level packages imported, wsecho_widget modules imported) by ``module``."""
    path = PACKAGE / (module.replace(".", "/") + ".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    outside: set[str] = set()
    inside: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            outside |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                inside.add(node.module or "")
            else:
                outside.add((node.module or "").split(".")[0])
    return outside, inside


@pytest.mark.parametrize(
    ("module", "allowed_inside"),
    [
        ("render", {"model", "decoders"}),
        ("options", set()),
        ("_observers", {"model"}),
        ("_inbox", {"errors", "model"}),
        ("_keepalive", set()),
        ("_loop", set()),
        ("transcript", {"model"}),
        ("decoders", {"model", "_pretty", "_protobuf", "_walkers"}),
        ("_pretty", set()),
        ("_protobuf", {"_pretty"}),
        ("_walkers", {"_pretty", "_protobuf"}),
        ("_frames", {"model"}),
        ("media", set()),
    ],
)
def test_pure_modules_import_no_widgets_and_no_other_layer(module: str, allowed_inside: set[str]) -> None:
    outside, inside = imports(module)
    assert "ipywidgets" not in outside
    assert inside <= allowed_inside


def test_the_client_api_imports_no_widgets() -> None:
    outside, inside = imports("_client_api")
    assert "ipywidgets" not in outside
    assert not inside & {"panel", "controls"}


@pytest.mark.parametrize("module", ["status", "sendbar", "toolbar", "log", "options", "save"])
def test_controls_never_touch_the_session_or_the_panel(module: str) -> None:
    _, inside = imports(f"controls.{module}")
    assert not inside & {"session", "panel", "_client_api", "hooks", "server"}


def test_no_module_of_the_panel_reads_the_log_views_private_entries() -> None:
    for path in [PACKAGE / "panel.py", *(PACKAGE / "controls").glob("*.py")]:
        assert "._entries" not in path.read_text(encoding="utf-8"), path
