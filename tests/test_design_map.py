"""docs/design.md is the map of the house: every module of the package is in it, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import wsecho_widget

ROOT = Path(__file__).resolve().parents[1]
DESIGN = ROOT / "docs" / "design.md"
PACKAGE = Path(wsecho_widget.__file__).parent  # the installed copy in the matrix
ROW = re.compile(r"^\| `([\w/]+\.(?:py|js|css))` \|", re.MULTILINE)


def rows() -> list[str]:
    return ROW.findall(DESIGN.read_text(encoding="utf-8"))


def listed() -> set[str]:
    return set(rows())


def modules() -> set[str]:
    return {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*")
        if path.suffix in {".py", ".js", ".css"} and "__pycache__" not in path.parts
    }


def test_every_module_is_on_the_map() -> None:
    assert sorted(modules() - listed()) == []


def test_every_listed_module_exists() -> None:
    assert sorted(listed() - modules()) == []


def test_each_module_has_one_row() -> None:
    names = rows()
    assert sorted({name for name in names if names.count(name) > 1}) == []
