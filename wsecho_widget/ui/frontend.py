"""The page's code: ES modules in ``ui/js/`` composed into the one file anywidget loads,
and the kernel<->page message format read from ``ui/js/protocol.js``.

anywidget loads one ES module per widget (``_esm``). The page's code is kept as small
modules (one class or a few functions each, unit-tested with Node's test runner), and
:func:`bundle` joins an entry module and the modules it imports, in dependency order,
at import time and without any tool: each module's ``import … from "./x.js"`` lines are
dropped and its ``export`` keywords removed, so the modules share one scope (their
top-level names must differ; the Node tests import the bundle to prove it parses).

The message format is defined once, as JSDoc ``@typedef``s in ``protocol.js``. The
kernel reads them here (:func:`message_types`) and checks what a page sends with
:func:`conforms`; the tests check what the kernel sends the same way.

Imports the standard library only.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

__all__ = ["JS", "bundle", "conforms", "message_types"]

#: The folder of the page's ES modules.
JS = Path(__file__).parent / "js"

_IMPORT = re.compile(r'^import\s[^;]*?from\s+"\./([\w.-]+\.js)";\s*$', re.MULTILINE)
_EXPORT = re.compile(r"^export (?=(?:async )?function |class |const |let )", re.MULTILINE)
_EMPTY_EXPORT = re.compile(r"^export \{\};\s*$", re.MULTILINE)
_TYPEDEF = re.compile(r"@typedef \{object\} (\w+)")
_PROPERTY = re.compile(r"@property \{([^}]*)\} (\[?)(\w+)\]?")


@functools.cache
def bundle(entry: str) -> str:
    """``js/entry`` and every module it imports (relatively), as one ES module's text."""
    parts: list[str] = []
    seen: set[str] = set()

    def add(name: str) -> None:
        if name in seen:
            return
        seen.add(name)
        text = (JS / name).read_text(encoding="utf-8")
        for dependency in _IMPORT.findall(text):
            add(dependency)
        body = _EMPTY_EXPORT.sub("", _IMPORT.sub("", text))
        if name != entry:
            body = body.replace("export default", "// (not the entry) export default")
        parts.append(f"// ---- {name}\n" + _EXPORT.sub("", body))

    add(entry)
    return "\n".join(parts)


#: A property: its type (as written in the JSDoc) and whether it must be there.
Property = tuple[str, bool]


@functools.cache
def message_types() -> dict[str, dict[str, Property]]:
    """Every ``@typedef {object}`` of ``protocol.js``: name -> property -> (type, required)."""
    types: dict[str, dict[str, Property]] = {}
    current: dict[str, Property] | None = None
    for line in (JS / "protocol.js").read_text(encoding="utf-8").splitlines():
        if match := _TYPEDEF.search(line):
            current = types.setdefault(match[1], {})
        elif (match := _PROPERTY.search(line)) and current is not None:
            current[match[3]] = (match[1].replace(" ", ""), not match[2])
        elif line.strip() == "*/":
            current = None
    return types


def conforms(value: object, type_name: str) -> bool:
    """Whether ``value`` (a decoded JSON message) has the shape of ``protocol.js``'s ``type_name``.

    Unknown keys, missing required keys and values of the wrong type all fail; a tuple
    counts as an array (the kernel sends it as one).
    """
    return _matches(value, type_name.replace(" ", ""))


def _split(text: str, sep: str) -> list[str]:
    # Split at top-level ``sep`` only (not inside [] or <>).
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "[<(":
            depth += 1
        elif char in "]>)":
            depth -= 1
        if char == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _matches(value: object, spec: str) -> bool:
    alternatives = _split(spec, "|")
    if len(alternatives) > 1:
        return any(_matches(value, alt) for alt in alternatives)
    if spec.startswith('"'):
        return value == spec.strip('"')
    if spec.endswith("[]"):
        return isinstance(value, (list, tuple)) and all(_matches(v, spec[:-2]) for v in value)
    if spec.startswith("["):
        items = _split(spec[1:-1], ",")
        if not isinstance(value, (list, tuple)) or len(value) != len(items):
            return False
        return all(_matches(v, item) for v, item in zip(value, items, strict=True))
    simple: dict[str, type | tuple[type, ...]] = {
        "number": (int, float),
        "string": str,
        "boolean": bool,
        "null": type(None),
    }
    if spec in simple:
        ok = isinstance(value, simple[spec])
        return ok and not (spec == "number" and isinstance(value, bool))
    fields = message_types().get(spec)
    if fields is None or not isinstance(value, dict):
        return False
    if any(key not in fields for key in value):
        return False
    return all(
        _matches(value[key], kind) if key in value else not required
        for key, (kind, required) in fields.items()
    )
