"""A scenario's parts as pure data: its steps, what a run found, a recording's exchanges.

:class:`Step` is one step (send, send_json, expect, sleep); :class:`StepResult` and
:class:`ScenarioResult` say how a run went, step by step. :func:`expected` is what
a recorded reply becomes in a scenario; :func:`exchanges` groups a recording into
what the client sent and the replies that followed (for the mock server and
replay). The ``Scenario`` itself, which runs over a connection, is in
``client/scenario.py``. Pure code: no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from wsecho_widget.model.jsonpaths import without
from wsecho_widget.model.match import Match, describe
from wsecho_widget.model.message import Message

__all__ = ["WITHIN", "Exchange", "ScenarioResult", "Step", "StepResult", "exchanges", "expected"]

Action = Literal["send", "send_json", "expect", "sleep"]

#: How long a recorded ``expect`` waits unless told.
WITHIN = 2.0


@dataclass(frozen=True)
class Step:
    """One step: ``send`` (str or bytes), ``send_json`` (a value), ``expect`` (a match), ``sleep`` (s)."""

    action: Action
    value: Any
    within: float = WITHIN

    def describe(self) -> str:
        """The step in words: ``send text 'ping'``, ``expect JSON containing {...}``."""
        if self.action == "sleep":
            return f"sleep {self.value:g} s"
        if self.action == "send_json":
            return f"send JSON {describe(json.dumps(self.value, ensure_ascii=False))[5:]}"
        return f"{self.action} {describe(self.value)}"


@dataclass
class StepResult:
    """How one step went: its ``number`` (from 1), ``seconds`` taken, ``error`` if it failed."""

    number: int
    step: Step
    seconds: float
    error: BaseException | None = None
    message: Message | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class ScenarioResult:
    """What a run found: ``passed``, each step's result and time, the first ``failure``."""

    name: str
    total: int
    steps: list[StepResult] = field(default_factory=list)
    #: Why the run could not start (the connection failed), if so.
    error: BaseException | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and len(self.steps) == self.total and all(s.ok for s in self.steps)

    @property
    def failure(self) -> StepResult | None:
        """The first step that failed, or None."""
        return next((step for step in self.steps if not step.ok), None)

    @property
    def seconds(self) -> float:
        return sum(step.seconds for step in self.steps)

    def raise_for_failure(self) -> ScenarioResult:
        """Raise the first failure's error (ExpectationFailed names the step); else return self."""
        __tracebackhide__ = True
        error = self.error or (self.failure.error if self.failure else None)
        if error is not None:
            raise error
        return self

    def __repr__(self) -> str:
        if self.passed:
            return f"<ScenarioResult {self.name!r} passed: {self.total} steps in {self.seconds:.3f} s>"
        failed = self.failure
        why = self.error if failed is None else failed.error  # its text names the step
        first = str(why).splitlines()[0] if str(why) else type(why).__name__
        return f"<ScenarioResult {self.name!r} failed: {first}>"


def expected(message: Message, ignore: Sequence[str] = ()) -> Match:
    """What to expect for a recorded reply: a dict for a JSON object, else its exact data."""
    data = message.data
    if isinstance(data, str) and data.lstrip().startswith("{"):
        try:
            value = json.loads(data)
        except ValueError:
            return data
        if isinstance(value, dict):
            return dict(without(value, ignore))
    return data


@dataclass
class Exchange:
    """What the client sent (None: the server spoke first) and the replies before the next send."""

    sent: Message | None
    replies: list[Message] = field(default_factory=list)


def exchanges(messages: Iterable[Message]) -> list[Exchange]:
    """A recording, from the client's side, as exchanges in order."""
    found: list[Exchange] = []
    for message in messages:
        if message.direction == "sent":
            found.append(Exchange(message))
        else:
            if not found:
                found.append(Exchange(None))
            found[-1].replies.append(message)
    return found
