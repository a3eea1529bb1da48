"""The log toolbar alone: its widgets' values become one "view changed" call."""

from __future__ import annotations

import asyncio

import pytest

from tests.helpers import wait_for
from wsecho_widget.decoders.core import register, unregister
from wsecho_widget.model.message import Message
from wsecho_widget.ui.controls import LogToolbar
from wsecho_widget.ui.render import LogFormat, MessageFilter


@pytest.mark.looptime  # the typing delay on a fake clock: no real wait
async def test_clicks_tell_the_view_at_once_and_typing_once_it_pauses() -> None:
    views: list[tuple[LogFormat, MessageFilter | None]] = []
    pauses: list[bool] = []
    bar = LogToolbar(
        asyncio.get_running_loop(),
        on_view=lambda fmt, keep: views.append((fmt, keep)),
        on_pause=pauses.append,
        filter_delay=0.05,
    )
    try:
        bar.json_button.value = True
        assert views == [(LogFormat(pretty_json=True), None)]
        bar.binary_view.value = "hex"
        assert views[-1][0] == LogFormat(pretty_json=True, binary="hex")
        assert not views[-1][0].show_pictures

        for typed in ("a", "ap", "APP"):  # keystrokes
            bar.filter_text.value = typed
        assert len(views) == 2  # nothing yet: typing goes on
        await wait_for(lambda: len(views) == 3, what="the filter")
        await asyncio.sleep(0.1)
        assert len(views) == 3  # once
        keep = views[-1][1]
        assert keep is not None and bar.filter is not None
        assert keep(Message("received", "an apple", 0.0)) and not keep(Message("received", "pear", 0.0))

        bar.pause_button.value = True
        assert pauses == [True] and bar.paused
        assert (bar.pause_button.tooltip.split(":")[0], bar.pause_button.icon) == ("Resume", "play")
        bar.pause_button.value = False
        assert pauses == [True, False]
        assert (bar.pause_button.tooltip.split(":")[0], bar.pause_button.icon) == ("Pause", "pause")
    finally:
        bar.close()


@pytest.mark.looptime  # the typing delay on a fake clock: no real wait
async def test_close_drops_a_pending_filter_change() -> None:
    views: list[object] = []
    bar = LogToolbar(
        asyncio.get_running_loop(), on_view=lambda *a: views.append(a), on_pause=print, filter_delay=0.02
    )
    bar.filter_text.value = "x"
    bar.close()
    await asyncio.sleep(0.06)
    assert views == []


async def test_the_binary_view_offers_every_decoder_and_a_toolbars_own() -> None:
    views: list[LogFormat] = []
    register("everywhere", lambda data: len(data))
    try:
        bar = LogToolbar(asyncio.get_running_loop(), on_view=lambda fmt, _: views.append(fmt), on_pause=print)
    finally:
        unregister("everywhere")
    try:
        assert bar.binary_view.options == ("auto", "hex", "text", "msgpack", "cbor", "protobuf", "everywhere")
        bar.binary_view.value = "msgpack"
        assert views[-1].binary == "msgpack"
        bar.add_decoder("mine", lambda data: data[::-1])
        assert bar.binary_view.options[-1] == "mine"
        assert bar.binary_view.value == "msgpack" and len(views) == 1  # adding does not re-render
        bar.binary_view.value = "mine"
        assert views[-1].decoders["mine"](b"ab") == b"ba"
        bar.add_decoder("mine", lambda data: data.upper())  # replaced while shown: re-rendered
        assert len(views) == 3 and views[-1].decoders["mine"](b"ab") == b"AB"
        for bad in ("auto", "protobuf", ""):
            with pytest.raises(ValueError):
                bar.add_decoder(bad, bytes)
    finally:
        bar.close()
