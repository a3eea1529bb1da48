"""Scenarios: a conversation as steps, played over a real connection, step by step.

A :class:`Scenario` is written in code (``Scenario().send("ping").expect("pong")``)
or made from a recording (``panel.messages.to_scenario()``: each sent message a
``send``, each received one an ``expect``). ``await scenario.run(url)`` plays it over
a new :class:`WebSocketChannel` (its ``expect``) and returns a ``ScenarioResult``;
``scenario.check(url)`` does it from code that cannot ``await`` (a test) and raises
the first failure. :class:`RecordedHistory` is the session's history with
``to_scenario()`` and ``to_pytest()``. The steps and results are pure data in
``model/scenario.py``. Must not import the session or widgets.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from wsecho_widget.client.connection import WebSocketChannel
from wsecho_widget.model.match import ExpectationFailed, Match
from wsecho_widget.model.message import History, Message
from wsecho_widget.model.scenario import WITHIN, ScenarioResult, Step, StepResult, expected
from wsecho_widget.model.scenario_source import pytest_source
from wsecho_widget.net.errors import ChannelError
from wsecho_widget.server.echo import EchoServer

__all__ = ["RecordedHistory", "Scenario"]


class Scenario:
    """Steps to play over one connection, in order; the builder methods return the scenario."""

    def __init__(self, name: str = "scenario", steps: Iterable[Step] = ()) -> None:
        self.name = name
        self.steps: list[Step] = list(steps)

    def send(self, data: str | bytes) -> Scenario:
        if not isinstance(data, (str, bytes)):
            raise TypeError(f"send() takes str or bytes, not {type(data).__name__}")
        self.steps.append(Step("send", data))
        return self

    def send_json(self, value: Any) -> Scenario:
        json.dumps(value)  # refuse what cannot be sent now, not in the middle of a run
        self.steps.append(Step("send_json", value))
        return self

    def expect(self, match: Match, within: float = WITHIN) -> Scenario:
        self.steps.append(Step("expect", match, within))
        return self

    def sleep(self, seconds: float) -> Scenario:
        self.steps.append(Step("sleep", float(seconds)))
        return self

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __repr__(self) -> str:
        lines = "".join(f"\n  {n}. {step.describe()}" for n, step in enumerate(self.steps, 1))
        return f"<Scenario {self.name!r}, {len(self)} steps>{lines}"

    @classmethod
    def from_messages(
        cls,
        messages: Iterable[Message],
        *,
        ignore: Sequence[str] = (),
        within: float = WITHIN,
        name: str = "recorded",
    ) -> Scenario:
        """A sent message becomes ``send``, a received one ``expect``.

        A reply that is a JSON object is expected as a dict (a subset: fields a new
        server adds don't fail), without the paths in ``ignore`` (``["$.ts", "$..id"]``:
        what changes on every run); other text exactly, binary byte for byte.
        """
        scenario = cls(name)
        for message in messages:
            if message.direction == "sent":
                scenario.send(message.data)
            else:
                scenario.expect(expected(message, ignore), within)
        return scenario

    async def run(self, url: str | None = None, **options: Any) -> ScenarioResult:
        """Play the steps over a new connection to ``url`` (None: an embedded echo server).

        ``options`` go to websockets' ``connect()``. Stops at the first failing step;
        never raises for a failure: the result holds it, its message naming the step.
        """
        server = None if url is not None else await EchoServer().start()
        try:
            return await _play(self, server.url if server is not None else str(url), options)
        finally:
            if server is not None:
                await server.stop()

    def check(self, url: str | None = None, **options: Any) -> ScenarioResult:
        """:meth:`run` from code that cannot ``await`` (a pytest test); raises the first failure."""
        __tracebackhide__ = True  # pytest shows the test's line, then the failure
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass
        else:
            raise RuntimeError("check() blocks: in a running loop (a notebook) use `await scenario.run(url)`")
        return asyncio.run(self.run(url, **options)).raise_for_failure()

    def to_pytest(self, path: str | Path, url: str | None = None, test_name: str | None = None) -> Path:
        """Write a readable pytest file that plays this scenario against ``url``; returns its path.

        ``url=None`` plays it against the plugin's ``echo_server`` fixture.
        """
        path = Path(path)
        if test_name is None:
            stem = "".join(c if c.isalnum() else "_" for c in path.stem.removeprefix("test_")).strip("_")
            test_name = f"test_{stem or 'recorded'}"
        path.write_text(pytest_source(self.name, self.steps, url, test_name), encoding="utf-8")
        return path


async def _play(scenario: Scenario, url: str, options: dict[str, Any]) -> ScenarioResult:
    loop = asyncio.get_running_loop()
    result = ScenarioResult(scenario.name, len(scenario))
    channel = WebSocketChannel.connect(url, **options)
    try:
        await channel.ready_or_raise()
    except ChannelError as exc:
        result.error = exc
        return result
    try:
        for number, step in enumerate(scenario, 1):
            start = loop.time()
            outcome = StepResult(number, step, 0.0)
            where = f"step {number} ({step.describe()})"
            try:
                outcome.message = await _step(channel, step)
            except ExpectationFailed as exc:
                outcome.error = ExpectationFailed(
                    exc.expected, exc.within, exc.seen, f"step {number}", exc.ended
                )
            except ChannelError as exc:
                outcome.error = ChannelError(f"{where}: {exc}")
            outcome.seconds = loop.time() - start
            result.steps.append(outcome)
            if outcome.error is not None:
                break
    finally:
        await channel.close()
    return result


async def _step(channel: WebSocketChannel, step: Step) -> Message | None:
    if step.action == "send":
        await channel.send(step.value)
    elif step.action == "send_json":
        await channel.send(json.dumps(step.value, ensure_ascii=False))
    elif step.action == "sleep":
        await asyncio.sleep(step.value)
    else:
        return await channel.expect(step.value, step.within)
    return None


class RecordedHistory(History):
    """A session's history, which turns into a scenario or a test file."""

    def to_scenario(self, *, ignore: Sequence[str] = (), within: float = WITHIN) -> Scenario:
        """The kept messages as a Scenario: each sent one a ``send``, each received one an ``expect``.

        ``ignore`` leaves JSONPaths (``"$.ts"``) out of the expected JSON replies.
        """
        return Scenario.from_messages(self, ignore=ignore, within=within)

    def to_pytest(
        self, path: str | Path, url: str | None = None, *, ignore: Sequence[str] = (), within: float = WITHIN
    ) -> Path:
        """Write a pytest file that replays this conversation against ``url`` (None: ``echo_server``)."""
        return self.to_scenario(ignore=ignore, within=within).to_pytest(path, url)
