"""The frame a client of the server panel is written (wsecho_widget.server.peers)."""

from __future__ import annotations

import pytest
from websockets.frames import Frame, Opcode

from wsecho_widget.server.peers import server_frame


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65_535, 65_536, 70_000])
@pytest.mark.parametrize("text", [True, False])
def test_server_frame_is_websockets_own_serialization(size: int, text: bool) -> None:
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    expected = Frame(Opcode.TEXT if text else Opcode.BINARY, payload).serialize(mask=False, extensions=[])
    assert server_frame(payload, text) == expected
