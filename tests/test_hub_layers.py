"""The server's layers, read from the source: its core imports no widgets, its parts not the hub."""

from __future__ import annotations

import pytest

from tests.test_layers import imports


@pytest.mark.parametrize(
    ("module", "allowed_inside"),
    [
        ("gate", set()),
        ("addresses", set()),
        ("peers", {"_websockets_internals", "connection", "gate"}),
        ("hub_events", {"_tasks", "connection", "model"}),
        ("hub_door", {"_websockets_internals", "connection", "gate", "peers"}),
        ("hub", {"_tasks", "addresses", "connection", "gate", "hub_door", "hub_events", "model", "peers"}),
        ("_server_api", {"hub", "hub_events", "model", "peers"}),
    ],
)
def test_the_server_core_imports_no_widgets_and_only_its_own_layers(
    module: str, allowed_inside: set[str]
) -> None:
    outside, inside = imports(module)
    assert "ipywidgets" not in outside and "traitlets" not in outside
    assert inside <= allowed_inside, inside - allowed_inside


def test_the_server_panel_is_built_on_the_shared_controls() -> None:
    _, inside = imports("server_panel")
    assert "controls" in inside  # the status bar, send bar and log panel, not copies
    assert not inside & {"session", "_client_api", "logview"}
