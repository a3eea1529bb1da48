"""Issue 13's layers, read from the source: codecs pure, clients widget-free, panels on the controls."""

from __future__ import annotations

import pytest

from tests.test_layers import imports


@pytest.mark.parametrize(
    ("module", "allowed_inside"),
    [("sio_protocol", set()), ("gql_protocol", set()), ("proto_render", {"model", "sio_protocol"})],
)
def test_the_codecs_are_sans_io(module: str, allowed_inside: set[str]) -> None:
    outside, inside = imports(module)
    assert not outside & {"asyncio", "websockets", "ipywidgets", "socket"}
    assert inside <= allowed_inside


@pytest.mark.parametrize("module", ["_protoclient", "sio_client", "gql_client"])
def test_the_clients_import_no_widgets_and_no_panel(module: str) -> None:
    outside, inside = imports(module)
    assert "ipywidgets" not in outside
    assert not inside & {"panel", "controls", "_protopanel", "sio_panel", "gql_panel"}


@pytest.mark.parametrize("module", ["_protopanel", "sio_panel", "gql_panel"])
def test_the_panels_build_on_the_controls_and_the_clients_not_on_a_socket(module: str) -> None:
    outside, inside = imports(module)
    assert not outside & {"websockets", "socket"}
    assert not inside & {"connection", "server"}
