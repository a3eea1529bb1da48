"""JSONPaths for diffs and ignores: ``$.a.b[0]``, the leaves of a JSON value, paths left out.

A pattern given to ``ignore`` is a path (``$.ts``), a path with ``[*]`` for any
index (``$.items[*].id``), or ``$..name`` for that key at any depth. Pure code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["child", "ignored", "walk", "without"]

_SIMPLE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def child(path: str, key: str | int) -> str:
    """``$.a`` + ``b`` -> ``$.a.b``; an index or an unusual key in brackets."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _SIMPLE_KEY.fullmatch(key):
        return f"{path}.{key}"
    return f"{path}[{key!r}]"


def ignored(path: str, patterns: Iterable[str]) -> bool:
    """Whether ``path`` is one of ``patterns`` or lies under one."""
    for pattern in patterns:
        if pattern.startswith("$.."):
            tail = pattern[3:]
            if re.search(rf"(\.|\[')({re.escape(tail)})('\])?($|[.\[])", path):
                return True
            continue
        regex = re.escape(pattern).replace(r"\[\*\]", r"\[\d+\]")
        if re.fullmatch(rf"{regex}([.\[].*)?", path):
            return True
    return False


def walk(value: Any, path: str = "$") -> Iterator[tuple[str, Any]]:
    """Every leaf of a JSON value with its path (an empty dict or list is a leaf)."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from walk(item, child(path, str(key)))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from walk(item, child(path, index))
    else:
        yield path, value


def without(value: Any, patterns: Iterable[str], path: str = "$") -> Any:
    """``value`` with the keys at ``patterns`` left out (lists keep their items)."""
    patterns = list(patterns)
    if not patterns:
        return value
    if isinstance(value, dict):
        kept = {}
        for key, item in value.items():
            where = child(path, str(key))
            if not ignored(where, patterns):
                kept[key] = without(item, patterns, where)
        return kept
    if isinstance(value, list):
        return [without(item, patterns, child(path, index)) for index, item in enumerate(value)]
    return value
