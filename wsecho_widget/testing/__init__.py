"""Tests from the notebook: scenarios, replay with a diff, HAR files, a mock server, a pytest plugin.

``from wsecho_widget.testing import Scenario, replay, load_har, MockServer``. The
names load on first use: the pytest plugin (``plugin.py``, loaded in every pytest
run once the package is installed) imports this package and must stay cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wsecho_widget.client.scenario import Scenario
    from wsecho_widget.model.diff import Difference, ReplayReport
    from wsecho_widget.model.har import Conversation, HarError, load_har
    from wsecho_widget.model.match import ExpectationFailed
    from wsecho_widget.model.scenario import ScenarioResult
    from wsecho_widget.testing._replay import replay
    from wsecho_widget.testing.mock import MockServer

_NAMES = {
    "Conversation": "wsecho_widget.model.har",
    "Difference": "wsecho_widget.model.diff",
    "ExpectationFailed": "wsecho_widget.model.match",
    "HarError": "wsecho_widget.model.har",
    "MockServer": "wsecho_widget.testing.mock",
    "ReplayReport": "wsecho_widget.model.diff",
    "Scenario": "wsecho_widget.client.scenario",
    "ScenarioResult": "wsecho_widget.model.scenario",
    "load_har": "wsecho_widget.model.har",
    "replay": "wsecho_widget.testing._replay",
}

__all__ = [
    "Conversation",
    "Difference",
    "ExpectationFailed",
    "HarError",
    "MockServer",
    "ReplayReport",
    "Scenario",
    "ScenarioResult",
    "load_har",
    "replay",
]


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        value = getattr(importlib.import_module(_NAMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'wsecho_widget.testing' has no attribute {name!r}")
