"""A scenario written as a pytest file people can read: one ``.send`` / ``.expect`` per line.

Text stays text (a Python string literal), a JSON reply a dict literal, binary
``bytes.fromhex("...")``, a regex ``re.compile(...)``. A callable match cannot be
written and raises ValueError naming its step. Pure code: strings only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wsecho_widget.model.scenario import Step

__all__ = ["pytest_source"]

HEADER = '''"""{name}: a WebSocket conversation recorded in wsecho-widget, replayed as a test.

Written {when}. Each step runs in order over one connection; each
``expect`` waits up to ``within`` seconds for a matching reply (a dict matches a
JSON object holding those fields). A reply that changed fails with ExpectationFailed
naming the step.
"""
'''


def literal(value: Any) -> str:
    """``value`` as Python source: strings and JSON as literals, bytes as hex, a regex compiled."""
    if isinstance(value, bytes):
        return f"bytes.fromhex({value.hex(' ')!r})" if value else "b''"
    if isinstance(value, re.Pattern):
        return f"re.compile({value.pattern!r})"
    if isinstance(value, (str, int, float, bool, type(None), dict, list)):
        return repr(value)
    raise ValueError(f"a {type(value).__name__} cannot be written as source")


def _line(number: int, step: Step) -> str:
    try:
        value = literal(step.value)
    except ValueError as exc:
        raise ValueError(f"step {number} ({step.describe()}): {exc}") from None
    if step.action == "expect":
        return f"    .expect({value}, within={step.within:g})"
    return f"    .{step.action}({value})"


def pytest_source(name: str, scenario: Sequence[Step], url: str | None, test_name: str) -> str:
    """The text of a test file that checks the steps against ``url`` (None: ``echo_server``)."""
    steps = [_line(number, step) for number, step in enumerate(scenario, 1)]
    uses_re = any(isinstance(step.value, re.Pattern) for step in scenario)
    when = datetime.now().astimezone().isoformat(timespec="seconds")
    lines = [HEADER.format(name=name, when=when)]
    if uses_re:
        lines.append("import re\n")
    lines.append("from wsecho_widget.testing import Scenario\n")
    if url is not None:
        lines.append(f"URL = {url!r}\n")
    lines.append(f"SCENARIO = (\n    Scenario({name!r})\n" + "".join(s + "\n" for s in steps) + ")\n")
    if url is None:
        lines.append(f"\ndef {test_name}(echo_server: str) -> None:\n    SCENARIO.check(echo_server)\n")
    else:
        lines.append(f"\ndef {test_name}() -> None:\n    SCENARIO.check(URL)\n")
    return "\n".join(lines)
