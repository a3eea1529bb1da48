"""The panel's methods for code: send_json, ping, on_message, stream."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from tests.helpers import wait_for
from wsecho_widget import ChannelError, Message, WebSocketPanel


async def test_send_json_refuses_what_json_cannot_encode(panel: WebSocketPanel) -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        panel.send_json({"when": datetime.now(UTC)})
    assert "not sent" in panel.notice_label.value
    assert len(panel.messages) == 0
    panel.send_json({"ascii": "é"}, ensure_ascii=True)
    assert (await panel.receive(timeout=5)).data == '{"ascii": "\\u00e9"}'


async def test_ping_returns_the_round_trip_and_the_status_shows_it(panel: WebSocketPanel) -> None:
    assert panel.latency is None  # no ping yet
    rtt = await panel.ping()
    assert isinstance(rtt, float) and 0 < rtt < 5
    assert panel.latency == rtt
    assert "● open · round trip " in panel.status_label.value
    assert panel.status_label.value.endswith(" ms")
    await panel.disconnect()
    assert "round trip" not in panel.status_label.value
    with pytest.raises(ChannelError, match="cannot ping: not connected"):
        await panel.ping()
    assert panel.notice_label.value.startswith("ping failed: cannot ping")


async def test_on_message_calls_sync_and_async_callbacks_once_per_message(panel: WebSocketPanel) -> None:
    got_sync: list[str | bytes] = []
    got_async: list[str | bytes] = []

    @panel.on_message
    def collect(message: Message) -> None:
        got_sync.append(message.data)

    async def slow(message: Message) -> None:
        await asyncio.sleep(0.01)
        got_async.append(message.data)

    assert panel.on_message(slow) is slow
    for i in range(5):
        panel.send(f"m{i}")
    panel.send(b"\x01")
    await wait_for(lambda: len(got_async) == 6, what="the async callbacks")
    expected = ["m0", "m1", "m2", "m3", "m4", b"\x01"]
    assert got_sync == expected  # received only, once each, in order
    assert sorted(map(str, got_async)) == sorted(map(str, expected))
    await wait_for(lambda: not panel.hooks.tasks, what="the callback tasks to end")

    with pytest.warns(DeprecationWarning, match=r"remove=True\) is deprecated since 0.3"):
        panel.on_message(collect, remove=True)
    panel.send("after remove")
    await wait_for(lambda: len(got_async) == 7, what="the remaining callback")
    assert got_sync == expected


async def test_subscribe_on_message_and_the_status_stops_with_what_it_returns(panel: WebSocketPanel) -> None:
    got: list[str | bytes] = []
    statuses: list[str] = []

    async def later(message: Message) -> None:
        got.append(message.data)

    stop = panel.subscribe(on_message=later, on_status=lambda status, detail: statuses.append(status))
    panel.send("one")
    await wait_for(lambda: got == ["one"], what="the async callback")
    stop()
    panel.send("two")
    assert (await panel.receive(timeout=5)).data == "one"
    assert (await panel.receive(timeout=5)).data == "two"
    await panel.disconnect()
    assert got == ["one"] and statuses == []
    with pytest.raises(TypeError, match="on_message takes a callable, not str"):
        panel.subscribe(on_message="nope")  # type: ignore[arg-type]


async def test_a_failing_callback_is_reported_and_the_loop_goes_on(panel: WebSocketPanel) -> None:
    good: list[str | bytes] = []

    def broken(message: Message) -> None:
        raise ValueError(f"cannot handle {message.data!r}\nsecond line")

    async def broken_later(message: Message) -> None:
        await asyncio.sleep(0)
        raise KeyError("async boom")

    panel.on_message(broken)
    panel.on_message(lambda m: good.append(m.data))
    panel.send("one")
    await wait_for(lambda: "failed" in panel.notice_label.value, what="the report")
    notice = panel.notice_label.value
    assert notice == (
        "on_message callback test_a_failing_callback_is_reported_and_the_loop_goes_on.<locals>.broken"
        " failed: ValueError: cannot handle 'one'"
    )
    panel.on_message(broken_later)
    panel.send("two")
    await wait_for(lambda: "KeyError" in panel.notice_label.value, what="the async failure")
    assert "(3 failures)" in panel.notice_label.value
    assert [type(e) for e in panel.callback_errors] == [ValueError, ValueError, KeyError]
    assert panel.status == "open"  # the receive loop is alive
    assert good == ["one", "two"]
    panel.send("three")
    assert [(await panel.receive(timeout=5)).data for _ in range(3)] == ["one", "two", "three"]


async def test_stream_yields_new_messages_and_ends_when_the_panel_closes() -> None:
    panel = WebSocketPanel()
    await panel.ready
    panel.send("old")
    await panel.receive(timeout=5)
    stream = panel.stream()
    other = panel.stream()
    got: list[str | bytes] = []

    async def read() -> None:
        async for message in stream:
            got.append(message.data)

    reader = asyncio.get_running_loop().create_task(read())
    for word in ("a", "b", "c"):
        panel.send(word)
    await wait_for(lambda: got == ["a", "b", "c"], what="the streamed messages")  # not "old"
    assert len(other) == 3  # each stream has its own queue
    panel.close()
    await asyncio.wait_for(reader, 5)  # the iteration ended
    assert [m.data async for m in other] == ["a", "b", "c"]  # what was queued is still read


async def test_a_slow_stream_is_bounded(panel: WebSocketPanel) -> None:
    stream = panel.stream(maxsize=3)
    for i in range(10):
        panel.send(str(i))
    await wait_for(lambda: panel.messages.totals.received_messages == 10, what="10 echoes")
    assert stream.dropped == 7
    assert [(await stream.__anext__()).data for _ in range(3)] == ["7", "8", "9"]
    stream.close()
    with pytest.raises(StopAsyncIteration):
        await stream.__anext__()


async def test_break_out_of_a_stream_stops_feeding_it(panel: WebSocketPanel) -> None:
    asyncio.get_running_loop().call_soon(panel.send, "x")  # once the loop below waits
    async for message in panel.stream():
        assert message.data == "x"
        break
    # The stream the loop used is garbage now: no longer fed.
    assert not panel.hooks.active
    panel.send("y")
    assert (await panel.receive(timeout=5)).data == "x"
    assert (await panel.receive(timeout=5)).data == "y"
