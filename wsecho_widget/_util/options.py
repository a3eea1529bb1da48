"""Keyword options checked when an object is made: a misspelt one is a TypeError at once.

``Session(reconect=False)`` used to reach websockets' ``connect()`` and surface
later as an ``error`` status; :func:`check_options` raises instead, naming the
option and the closest valid one (``difflib``): ``Session() got an unexpected
keyword argument 'reconect'; did you mean 'reconnect'?``. :func:`keyword_names`
reads what a function takes from its signature (websockets' ``connect()`` and
``serve()``, asyncio's ``create_connection()``), so a new websockets option is
valid the day it exists. Pure: imports nothing of the package.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Collection, Iterable
from typing import Any

__all__ = ["check_options", "keyword_names"]

_BY_NAME = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def keyword_names(*functions: Callable[..., Any], skip: Iterable[str] = ()) -> frozenset[str]:
    """The parameters that ``functions`` take by name (not ``self``, ``*args``, ``**kwargs``)."""
    names: set[str] = set()
    for function in functions:
        parameters = inspect.signature(function).parameters.values()
        names.update(p.name for p in parameters if p.kind in _BY_NAME and p.name != "self")
    return frozenset(names - set(skip))


def check_options(options: Collection[str], valid: Collection[str], where: str) -> None:
    """TypeError for the first of ``options`` not in ``valid``, with the closest valid name.

    ``where`` names the call as people wrote it (``"Session()"``). ``valid`` may also
    hold the caller's own named parameters: they are never in ``options``, and make
    better suggestions (``reconnect_delay`` -> ``reconnect_delays``).
    """
    for name in options:
        if name in valid:
            continue
        close = difflib.get_close_matches(name, sorted(valid), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise TypeError(f"{where} got an unexpected keyword argument {name!r}{hint}")
