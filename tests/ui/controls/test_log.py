"""The log: in a panel (JSON and hex views, the filter, pause, the scroller), and alone."""

from __future__ import annotations

import asyncio
import time

from tests.helpers import make_png, page, wait_for
from tests.panel_helpers import Counting, log
from tests.ui.controls.test_detail import Sent
from wsecho_widget import WebSocketPanel
from wsecho_widget.model.message import History, Message, format_size
from wsecho_widget.ui.controls import LogOptions, LogPanel
from wsecho_widget.ui.render import LogFormat


async def test_send_json_and_the_json_view(panel: WebSocketPanel) -> None:
    panel.send_json({"type": "greet", "to": "世界", "n": [1, 2]})
    echo = await panel.receive(timeout=5)
    assert echo.kind == "text"
    assert echo.data == '{"type": "greet", "to": "世界", "n": [1, 2]}'  # UTF-8, not \u escapes
    panel.send("not json {")
    await panel.receive(timeout=5)
    await wait_for(lambda: "← not json {" in log(panel), what="the echoes")
    assert '← {"type": "greet", "to": "世界", "n": [1, 2]}' in log(panel)  # plain by default

    renders = Counting(panel.output)
    panel.json_button.value = True  # the user clicks JSON
    assert renders.updates == 1  # the log is re-rendered in one update
    shown = log(panel)
    assert "← {\n" in shown and '  "to": "世界",\n' in shown and '  "n": [\n' in shown
    assert "← not json {\n" in shown  # not JSON: as it came
    # Still plain text in the log, never HTML: the page gets the lines as text.
    assert set(page(panel.output).messages[-1][0]) == {"kind", "token", "entries"}
    assert echo.data == '{"type": "greet", "to": "世界", "n": [1, 2]}'  # the data is untouched

    panel.send_json([{"later": True}])  # new messages use the view too
    await panel.receive(timeout=5)
    await wait_for(lambda: '"later": true' in log(panel), what="the new JSON entry")
    assert "← [\n" in log(panel)
    panel.json_button.value = False
    assert '← [{"later": true}]' in log(panel)


async def test_hex_view_and_back_to_pictures(panel: WebSocketPanel) -> None:
    png = make_png()
    noise = bytes(range(256)) * 3
    panel.send(png)
    panel.send(noise)
    replies = [await panel.receive(timeout=5) for _ in range(2)]
    await wait_for(lambda: page(panel.output).media() == [png], what="the picture")

    renders = Counting(panel.output)
    panel.binary_view.value = "hex"
    assert renders.updates == 1
    shown = log(panel)
    assert page(panel.output).media() == []  # hex instead of the picture: the page lets it go
    assert "00000000  89 50 4e 47 0d 0a 1a 0a" in shown
    assert f"← binary {format_size(len(noise))}\n" in shown
    assert f"… {len(noise) - 256:,} more bytes" in shown  # a preview, not the whole frame
    assert [r.data for r in replies] == [png, noise]  # the data is exact whatever the view

    panel.binary_view.value = "auto"
    assert renders.updates == 2
    assert page(panel.output).media() == [png]  # the picture again
    assert f"← binary {format_size(len(noise))}: 00 01 02" in log(panel)


async def test_view_changes_keep_pictures_that_stay(panel: WebSocketPanel) -> None:
    png = make_png()
    panel.send(png)
    await panel.receive(timeout=5)
    await wait_for(lambda: page(panel.output).media() == [png], what="the picture")
    renders = Counting(panel.output)
    panel.json_button.value = True  # a view change that does not touch pictures
    assert renders.updates == 1
    assert renders.buffers == []  # the page keeps its picture: no bytes sent again
    assert page(panel.output).media() == [png]


async def filtered(panel: WebSocketPanel, query: str) -> str:
    # A render still due (a picture waits for the media pace) would count as the filter's.
    await wait_for(lambda: not panel.log_view.scheduled, what="the log's last render")
    renders = Counting(panel.output)
    panel.filter_text.value = query  # what typing in the box does
    await wait_for(lambda: renders.updates >= 1, what="the filtered log")
    await asyncio.sleep(0.15)  # past the typing delay: no second render comes
    assert renders.updates == 1
    return log(panel)


async def test_filter_narrows_the_log(panel: WebSocketPanel) -> None:
    for word in ("Apple pie", "banana", "pineapple", "cherry"):
        panel.send(word)
        await panel.receive(timeout=5)
    panel.send(make_png())
    await panel.receive(timeout=5)
    await wait_for(lambda: "← cherry" in log(panel), what="everything")

    shown = await filtered(panel, "APPLE")
    assert "← Apple pie" in shown and "← pineapple" in shown and "→ pineapple" in shown
    assert "banana" not in shown and "cherry" not in shown
    assert page(panel.output).media() == []
    assert "4 of 10 shown" in panel.stats_label.value  # matches of the messages since Clear

    # New messages: only those that match join the log.
    panel.send("crab apple")
    panel.send("durian")
    await panel.receive(timeout=5)
    await panel.receive(timeout=5)
    await wait_for(lambda: "← crab apple" in log(panel), what="the new match")
    await asyncio.sleep(0.1)
    assert "durian" not in log(panel)
    await wait_for(lambda: "received 7" in panel.stats_label.value, what="the totals to count every echo")

    shown = await filtered(panel, "png")  # binary frames match on their summary
    assert shown.count("png picture") == 2
    assert len(page(panel.output).media()) == 1

    shown = await filtered(panel, "")  # back to everything kept
    assert all(w in shown for w in ("Apple pie", "banana", "cherry", "durian", "crab apple"))
    assert " shown" not in panel.stats_label.value


async def test_filter_respects_clear_and_reads_the_history_not_the_screen() -> None:
    panel = WebSocketPanel(log_limit=3)
    try:
        await panel.ready
        for i in range(10):
            panel.send(f"msg {i}")
        await wait_for(lambda: panel.messages.totals.received_messages == 10, what="10 echoes")
        await wait_for(lambda: "← msg 9" in log(panel), what="the log")
        assert "msg 1\n" not in log(panel)  # only the newest 3 entries are on screen
        shown = await filtered(panel, "msg 1")
        assert "→ msg 1\n" in shown and "← msg 1\n" in shown  # found in the history
        panel.clear_button.click()
        panel.filter_text.value = "msg"
        await wait_for(lambda: "0 of 0 shown" in panel.stats_label.value, what="the filter")
        assert log(panel) == ""  # cleared entries stay cleared
        panel.send("msg after clear")
        await wait_for(lambda: "← msg after clear" in log(panel), what="the new entry")
    finally:
        panel.close()


async def test_pause_holds_the_log_and_resume_catches_up(panel: WebSocketPanel) -> None:
    panel.send("before")
    await panel.receive(timeout=5)
    await wait_for(lambda: "← before" in log(panel), what="the first entry")
    panel.pause_button.value = True
    assert panel.pause_button.tooltip.startswith("Resume")
    renders = Counting(panel.output)
    for i in range(5):
        panel.send(f"while paused {i}")
    for _ in range(5):
        await panel.receive(timeout=5)
    await wait_for(lambda: "log paused (10 new)" in panel.stats_label.value, what="the paused count")
    assert renders.updates == 0  # the log held still
    assert "received 6" in panel.stats_label.value  # the totals did not
    panel.pause_button.value = False
    assert renders.updates == 1
    assert "← while paused 4" in log(panel)
    assert "paused" not in panel.stats_label.value


async def test_log_box_is_a_column_reverse_scroller(panel: WebSocketPanel) -> None:
    # The browser test checks that this keeps the newest entry in view.
    assert panel.log_box.children == (panel.output,)
    layout = panel.log_box.layout
    assert (layout.display, layout.flex_flow, layout.overflow) == ("flex", "column-reverse", "auto")
    assert panel.output.layout.flex == "0 0 auto"  # the log grows; the box scrolls


# -- the log alone, on a history of its own ------------------------------------------------


def history_of(*texts_: str) -> History:
    history = History(100)
    history.extend([Message("received", text, time.time()) for text in texts_])
    return history


async def test_a_log_alone_shows_what_it_is_given_and_says_so() -> None:
    history = history_of("one", "two")
    changes: list[list[str]] = []
    panel = LogPanel(asyncio.get_running_loop(), history, LogOptions(interval=0.01))
    panel.on_change = lambda: changes.append(panel.summary())
    try:
        assert panel.children == (
            panel.toolbar,
            panel.toolbar.filter_error,
            panel.live_view.widget,
            panel.log_box,
            panel.pick_note,
            panel.detail.widget,
        )
        assert panel.log_box.children == (panel.output,)
        panel.add(list(history))
        await wait_for(lambda: "← two" in page(panel.output).text(), what="the render")
        assert changes and changes[-1] == []  # nothing filtered or paused

        panel.toolbar.pause_button.value = True
        new = [Message("received", "three", time.time())]
        history.extend(new)
        panel.add(new)
        assert panel.summary() == ["log paused (1 new)"]
        panel.toolbar.pause_button.value = False  # catches up from the history
        assert "← three" in page(panel.output).text()

        panel.toolbar.filter_text.value = "T"
        await wait_for(lambda: panel.filtered, what="the filter")
        assert panel.summary() == ["2 of 3 shown"]  # two, three
        panel.clear()
        assert page(panel.output).text() == ""
        panel.toolbar.filter_text.value = "t"
        await wait_for(lambda: panel.summary() == ["0 of 0 shown"], what="the filter after Clear")
    finally:
        panel.close()


async def test_pause_sends_at_once_what_came_before_it_then_holds() -> None:
    history = history_of("one")
    # A render due in 60 s: only the pause can send it.
    panel = LogPanel(asyncio.get_running_loop(), history, LogOptions(interval=60))
    try:
        panel.add(list(history))
        await wait_for(lambda: "← one" in page(panel.output).text(), what="the first render (leading edge)")
        new = [Message("received", "two", time.time())]
        history.extend(new)
        panel.add(new)
        assert panel.log_view.scheduled and "← two" not in page(panel.output).text()
        sent = len(page(panel.output).messages)
        panel.toolbar.pause_button.value = True  # in the loop: the toolbar's observer is in_loop
        await wait_for(lambda: panel.paused, what="the pause")
        assert "← two" in page(panel.output).text()  # sent before the "log paused" line
        assert not panel.log_view.scheduled
        later = [Message("received", "three", time.time())]
        history.extend(later)
        panel.add(later)
        await asyncio.sleep(0.05)
        assert len(page(panel.output).messages) == sent + 1  # held: nothing more goes to the page
    finally:
        panel.close()


async def test_a_second_panel_can_add_a_column() -> None:
    history = history_of('{"a": 1}')

    def with_client(fmt: LogFormat, message: Message) -> str:
        return "client-7 " + fmt.render(message)

    panel = LogPanel(asyncio.get_running_loop(), history, render=with_client)
    try:
        panel.add(list(history))
        await wait_for(lambda: page(panel.output).text(), what="the render")
        assert page(panel.output).text().startswith("client-7 ")
        panel.toolbar.json_button.value = True  # the column stays, in the new view
        shown = page(panel.output).text()
        assert shown.startswith("client-7 ") and "← {\n" in shown and '  "a": 1\n' in shown
    finally:
        panel.close()


async def test_times_relative_to_the_first_message_since_clear_in_lines_and_detail() -> None:
    history = History(100)
    history.extend([Message("received", "one", 1000.0), Message("sent", "two", 1001.234)])
    panel = LogPanel(asyncio.get_running_loop(), history, LogOptions(interval=0.01, relative_times=True))
    sent = Sent(panel.detail.widget)
    try:
        assert panel.toolbar.times_button.value  # the option presses the clock button
        panel.add(list(history))
        await wait_for(lambda: "two" in page(panel.output).text(), what="the render")
        assert page(panel.output).text() == "    +0.000 s ← one\n    +1.234 s → two\n"
        panel.select(history[1].seq)
        assert sent.messages[-1][0]["time"].startswith("+1.234 s · ")  # the detail says it too

        panel.toolbar.times_button.value = False  # the clock again, the detail follows
        assert (
            page(panel.output)
            .text()
            .startswith(time.strftime("%H:%M:%S", time.localtime(1000)) + ".000 ← one")
        )
        assert not sent.messages[-1][0]["time"].startswith("+")

        panel.toolbar.times_button.value = True
        panel.clear()  # times count from the first message after Clear
        new = [Message("received", "three", 1010.5), Message("received", "four", 1011.0)]
        history.extend(new)
        panel.add(new)
        await wait_for(lambda: "four" in page(panel.output).text(), what="the render")
        assert page(panel.output).text() == "    +0.000 s ← three\n    +0.500 s ← four\n"
    finally:
        panel.close()


async def test_the_panel_trait_and_the_clock_button_are_one_setting(panel: WebSocketPanel) -> None:
    button = panel.log_panel.toolbar.times_button
    assert not panel.relative_times and not button.value
    panel.relative_times = True
    assert button.value
    panel.send("hello")
    await panel.receive(timeout=5)
    await wait_for(lambda: "← hello" in log(panel), what="the echo")
    assert log(panel).startswith("    +0.000 s → hello\n")
    button.value = False
    assert not panel.relative_times
    assert not log(panel).startswith(" ")
    assert WebSocketPanel.relative_times.help  # the trait says what it is
