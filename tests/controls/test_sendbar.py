"""The send bar in a panel: files chosen, sent as binary frames, echoed back."""

from __future__ import annotations

import ipywidgets as widgets

from tests.helpers import encode_image, image_ids, live_widgets, make_png, wait_for
from tests.panel_helpers import choose_files, log
from wsecho_widget import Message, WebSocketPanel
from wsecho_widget.model import format_size


async def test_a_chosen_picture_goes_out_binary_and_comes_back_as_that_picture(panel: WebSocketPanel) -> None:
    jpeg = encode_image("JPEG", (40, 30))
    assert panel.send_file_button.disabled  # nothing chosen yet
    choose_files(panel, ("photo.jpg", jpeg))
    assert not panel.send_file_button.disabled
    assert "photo.jpg" in panel.notice_label.value
    panel.send_file_button.click()
    echo = await panel.receive(timeout=5)
    assert echo.data == jpeg and echo.kind == "binary" and echo.image_format == "jpeg"
    assert panel.messages[-2] == Message("sent", jpeg, panel.messages[-2].timestamp)
    # The frame's size is in the log, and the echo is shown as the picture itself.
    await wait_for(lambda: image_ids(panel.output.outputs), what="the picture in the log")
    (image_id,) = image_ids(panel.output.outputs)
    image = live_widgets()[image_id]
    assert isinstance(image, widgets.Image) and image.value == jpeg and image.format == "jpeg"
    assert f"→ binary {format_size(len(jpeg))} (jpeg picture)" in log(panel)
    assert f"← binary {format_size(len(jpeg))} (jpeg picture)" in log(panel)
    # The upload is reset: its bytes are not kept in the widget, the button is off again.
    assert panel.file_upload.value == ()
    assert panel.send_file_button.disabled
    assert panel.notice_label.value == f"sent photo.jpg ({format_size(len(jpeg))}) as binary"


async def test_several_files_go_out_in_order(panel: WebSocketPanel) -> None:
    files = [("a.bin", b"\x00\x01\x02"), ("b.txt", "héllo".encode()), ("c.png", make_png())]
    choose_files(panel, *files)
    panel.send_file_button.click()
    echoes = [(await panel.receive(timeout=5)).data for _ in files]
    assert echoes == [data for _, data in files]
    assert all(isinstance(e, bytes) for e in echoes)  # a text file still goes out as binary


async def test_a_file_chosen_while_closed_stays_chosen(panel: WebSocketPanel) -> None:
    await panel.disconnect()
    choose_files(panel, ("later.bin", b"later"))
    panel.send_file_button.click()
    assert "not sent: not connected" in panel.notice_label.value
    assert len(panel.file_upload.value) == 1  # kept, to send once connected
    assert not [m for m in panel.messages if m.data == b"later"]
    await panel.connect()
    panel.send_file_button.click()
    assert (await panel.receive(timeout=5)).data == b"later"
    assert panel.file_upload.value == ()
