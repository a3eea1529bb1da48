"""A griffe extension for the API reference: Sphinx roles and traitlets' help texts.

The package's docstrings are written for Sphinx-style readers (``:class:`Session```,
``:meth:`~Session.receive```) and its traits document themselves with ``help=``.
mkdocstrings renders Markdown, so this extension, run while griffe loads the package:

- turns every ``:role:`target``` into a code span (``~a.b.C`` shows ``C``, as in Sphinx);
- gives an attribute without a docstring the ``#:`` comment just above it (Sphinx's
  convention, used for ``self.x = ...`` in ``__init__``), or else, for a traitlet, its
  ``help=`` text.

It only changes what the reference shows; it imports nothing from wsecho_widget.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path
from typing import Any

import griffe

_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|attr|data|mod|exc|obj|const):`(~?)([^`]+)`")


def _role_to_code(match: re.Match[str]) -> str:
    short, target = match.groups()
    if short:
        target = target.rsplit(".", 1)[-1]
    return f"`{target}`"


def _help_text(node: Any) -> str | None:
    """The literal ``help="..."`` of ``name = traitlets.X(..., help="...")``, if any."""
    value = getattr(node, "value", None)
    if not isinstance(value, ast.Call):
        return None
    for keyword in value.keywords:
        if keyword.arg == "help" and isinstance(keyword.value, ast.Constant):
            text = keyword.value.value
            return text if isinstance(text, str) else None
    return None


@cache
def _source_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _comment_above(obj: griffe.Object) -> str | None:
    """The ``#:`` lines right above the attribute's assignment, joined, if any."""
    if obj.lineno is None or not isinstance(obj.filepath, Path):
        return None
    lines = _source_lines(obj.filepath)
    found: list[str] = []
    index = obj.lineno - 2  # lineno counts from 1; start at the line above
    while index >= 0 and lines[index].strip().startswith("#:"):
        found.insert(0, lines[index].strip()[2:].strip())
        index -= 1
    return " ".join(found) or None


class WsechoDocstrings(griffe.Extension):
    def on_instance(self, *, node: Any, obj: griffe.Object, agent: Any, **kwargs: Any) -> None:
        if obj.docstring is None and obj.is_attribute and isinstance(node, ast.AST):
            text = _comment_above(obj)
            if text is None:
                help_text = _help_text(node)
                text = help_text[:1].upper() + help_text[1:] + "." if help_text else None
            if text:
                obj.docstring = griffe.Docstring(text, parent=obj)
        if obj.docstring is not None:
            obj.docstring.value = _ROLE.sub(_role_to_code, obj.docstring.value)
