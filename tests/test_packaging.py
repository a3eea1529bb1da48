"""What an installed copy of the package must carry."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import wsecho_widget


def test_ships_py_typed() -> None:
    assert (Path(wsecho_widget.__file__).parent / "py.typed").is_file()


@pytest.mark.skipif(
    not os.environ.get("WSECHO_EXPECT_INSTALLED"), reason="only in the wheel matrix of ./run.sh test"
)
def test_tests_run_against_the_installed_wheel() -> None:
    # ./run.sh test copies the tests out of the source tree: this proves they did
    # not import the source by accident.
    assert "site-packages" in wsecho_widget.__file__, wsecho_widget.__file__


def test_public_api_is_exported() -> None:
    for name in (
        "WebSocketPanel",
        "WebSocketChannel",
        "EchoServer",
        "Message",
        "ChannelError",
        "DecodeError",
    ):
        assert name in wsecho_widget.__all__
        assert getattr(wsecho_widget, name).__module__.startswith("wsecho_widget.")


def test_the_pytest_plugin_is_registered_by_installing_the_package() -> None:
    from importlib.metadata import entry_points

    (plugin,) = [e for e in entry_points(group="pytest11") if e.name == "wsecho_widget"]
    assert plugin.value == "wsecho_widget.testing.plugin"
    assert {"echo_server", "ws_mock", "ws_client"} <= set(dir(plugin.load()))
