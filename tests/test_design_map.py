"""docs/design.md is the map of the house: every module of the package is in it, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

import wsecho_widget

ROOT = Path(__file__).resolve().parents[1]
DESIGN = ROOT / "docs" / "design.md"
PACKAGE = Path(wsecho_widget.__file__).parent  # the installed copy in the matrix
ROW = re.compile(r"^\| `([\w/]+\.(?:py|js|css))` \|", re.MULTILINE)


def listed() -> set[str]:
    return set(ROW.findall(DESIGN.read_text(encoding="utf-8")))


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
