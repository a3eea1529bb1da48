"""The browser benchmark on older code, a baseline measured in the same run: ``--before REV``.

The revision is checked out in a temporary git worktree and this benchmark (``benchmarks/``
and ``tests/browser/``) is copied over it, so that both sides are measured the same way;
it runs there in a process of its own and its phases come back as JSON. The figures of
one machine move by several points from run to run: a baseline from the same run, on the
same machine, is the fair "today" (issue 10's own figures were measured on another one).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from benchmarks.browser_report import Phase

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ("benchmarks", "tests/browser")


def measure(rev: str, quick: bool) -> dict[str, Phase]:
    """The phases of ``python -m benchmarks.browser_pictures`` run on the code at ``rev``."""
    with tempfile.TemporaryDirectory(prefix="wsecho-before-") as scratch:
        tree = Path(scratch) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(tree), rev], cwd=ROOT, check=True)
        try:
            for part in HARNESS:
                shutil.rmtree(tree / part, ignore_errors=True)
                shutil.copytree(ROOT / part, tree / part, ignore=shutil.ignore_patterns("__pycache__"))
            out = Path(scratch) / "phases.json"
            command = [sys.executable, "-m", "benchmarks.browser_pictures", "--json", str(out)]
            command += ["--quick"] if quick else []
            # Its own report goes to stderr, as progress: the comparison is printed by the caller.
            subprocess.run(command, cwd=tree, check=True, stdout=sys.stderr)
            data = json.loads(out.read_text())
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False)
    return {name: Phase(**fields) for name, fields in data.items()}


def save(phases: dict[str, Phase], path: str) -> None:
    """Write ``phases`` as JSON, for :func:`measure` in the parent process."""
    Path(path).write_text(json.dumps({name: asdict(phase) for name, phase in phases.items()}))
