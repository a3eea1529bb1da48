"""The size ceilings, as ceilings: module <= 400 lines, class <= 300, function <= 60, a docstring each.

A class or function at its ceiling wants splitting into meaningful parts, not trimming; this
test only keeps the ceilings from being crossed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import wsecho_widget

PACKAGE = Path(wsecho_widget.__file__).parent
CEILINGS = {"module": 400, "class": 300, "function": 60}


def sizes() -> list[tuple[str, str, int]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(PACKAGE).as_posix()
        found.append(("module", name, len(source.splitlines())))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ClassDef):
                kind = "class"
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                kind = "function"
            else:
                continue
            assert node.end_lineno is not None
            found.append((kind, f"{name}:{node.name}", node.end_lineno - node.lineno + 1))
    return found


def test_no_module_class_or_function_is_over_its_ceiling() -> None:
    over = [f"{kind} {name}: {lines} lines" for kind, name, lines in sizes() if lines > CEILINGS[kind]]
    assert over == []


def test_every_module_says_what_it_holds() -> None:
    bare = [
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None
    ]
    assert bare == []
