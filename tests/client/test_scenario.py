"""Scenarios written in code and recorded, played against real servers: websockets, aiohttp, Node's ws."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from tests.server.test_hub_clients import node_modules  # noqa: F401 (the fixture)
from tests.testing.feeds import Feed, websockets_feed
from wsecho_widget.client.scenario import RecordedHistory, Scenario
from wsecho_widget.client.session import Session
from wsecho_widget.model.match import ExpectationFailed

SUBSCRIBE = '{"op": "subscribe", "topic": "btc"}'


async def record(url: str) -> RecordedHistory:
    session = Session(url, reconnect=False)
    try:
        await asyncio.wait_for(session.connect(), 5)
        session.send("ping")
        await session.expect("pong", within=5)
        session.send(SUBSCRIBE)
        for _ in range(3):
            await session.receive(5)
        session.send(b"\x00\x01\x02")
        await session.expect(b"\x02\x01\x00", within=5)
        return session.history
    finally:
        await session.disconnect()
        session.close()


async def test_a_scenario_in_code_passes_and_times_each_step(feed: Feed) -> None:
    scenario = (
        Scenario("feed")
        .send("ping")
        .expect("pong")
        .send_json({"op": "subscribe", "topic": "eth"})
        .expect({"type": "tick", "n": 2})
        .expect(re.compile(r'"type": ?"subscribed"'))  # skipped by the previous expect, still there
        .send(b"ab")
        .expect(b"ba")
    )
    async with feed() as url:
        result = await scenario.run(url)
    assert result.passed, result
    assert [s.number for s in result.steps] == list(range(1, 8))
    assert all(s.seconds >= 0 for s in result.steps) and result.failure is None
    assert result.steps[3].message is not None and '"n": 2' in str(result.steps[3].message.data).replace(
        ":2", ": 2"
    )


async def test_a_recorded_conversation_replays_as_a_scenario_and_fails_at_the_changed_step(
    feed: Feed,
) -> None:
    async with feed() as url:
        history = await record(url)
        scenario = history.to_scenario(ignore=["$.ts", "$.id"], within=1.0)
        assert [s.action for s in scenario] == [
            "send",
            "expect",
            "send",
            "expect",
            "expect",
            "expect",
            "send",
            "expect",
        ]
        assert (await scenario.run(url)).passed
    async with feed(version=2) as url:
        result = await scenario.run(url)
    assert not result.passed
    failure = result.failure
    assert failure is not None and failure.number == 5
    assert isinstance(failure.error, ExpectationFailed)
    assert str(failure.error).startswith('step 5: expected JSON containing {"type": "tick"')
    with pytest.raises(ExpectationFailed, match=r"^step 5: "):
        result.raise_for_failure()


async def test_without_ignore_the_fresh_id_fails_the_scenario() -> None:
    async with websockets_feed() as url:
        history = await record(url)
        result = await history.to_scenario(within=0.3).run(url)
    assert not result.passed and result.failure is not None and result.failure.number == 4


async def test_a_refused_connection_is_the_results_error_not_a_raise() -> None:
    result = await Scenario().send("x").run("ws://127.0.0.1:9/")
    assert not result.passed and result.error is not None and result.steps == []
    assert "step" not in repr(result) and "failed" in repr(result)


async def test_no_url_runs_against_an_embedded_echo_server() -> None:
    result = await Scenario().send("hi").expect("hi").sleep(0.01).expect("again", within=0.05).run()
    assert [s.ok for s in result.steps] == [True, True, True, False]
    assert "step 4: expected text 'again' within 0.05 s; the last 1 seen:" in str(
        result.failure.error if result.failure else ""
    )


def test_check_refuses_to_block_a_running_loop_and_steps_refuse_bad_values(tmp_path: Path) -> None:
    async def inside() -> None:
        with pytest.raises(RuntimeError, match=r"await scenario\.run"):
            Scenario().check("ws://127.0.0.1:9/")

    asyncio.run(inside())
    with pytest.raises(TypeError):
        Scenario().send(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Scenario().send_json({1, 2})
    with pytest.raises(
        ValueError, match=r"step 1 \(expect a message for which .*: a function cannot be written as source"
    ):
        Scenario().expect(lambda m: True).to_pytest(tmp_path / "test_x.py")
