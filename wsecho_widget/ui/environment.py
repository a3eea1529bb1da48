"""Whether the panel's page code can load, as far as the kernel can tell, and what to do if not.

A panel is ipywidgets controls plus an anywidget log. The page draws them only when
the front end that opened the notebook has both widget managers: JupyterLab and
Notebook 7 read the lab extensions of the environment that runs Jupyter, VS Code
reads ``share/jupyter/nbextensions/anywidget`` of the kernel's environment (not a
``--user`` install). The kernel sees only its own environment, so this says which of
those files are there and, in the panel's ``text/plain`` (what a front end shows when
it has no widget manager), what to install where. No widgets here; reads files only.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["FRONTEND_FILES", "frontend_files", "live_text"]

#: The files each front end loads, under ``share/jupyter`` of an environment.
FRONTEND_FILES = {
    "ipywidgets for JupyterLab, Notebook 7, Voila": (
        "labextensions/@jupyter-widgets/jupyterlab-manager/package.json"
    ),
    "anywidget for JupyterLab, Notebook 7, Voila": "labextensions/anywidget/package.json",
    "anywidget for VS Code": "nbextensions/anywidget/index.js",
}


def frontend_files(prefix: str | Path | None = None) -> dict[str, Path | None]:
    """Each front-end file of :data:`FRONTEND_FILES` in ``prefix`` (the kernel's
    ``sys.prefix`` by default), or None where it is missing."""
    root = Path(sys.prefix if prefix is None else prefix) / "share" / "jupyter"
    return {what: (root / path if (root / path).is_file() else None) for what, path in FRONTEND_FILES.items()}


def live_text(kind: str, where: str, status: str, prefix: str | Path | None = None) -> str:
    """The live panel's ``text/plain``: what it is, and what to install where if the
    widget did not show.

    A front end shows this text instead of the panel when it has no widget manager
    (or the kernel is gone and no record was left).
    """
    env = Path(sys.prefix if prefix is None else prefix)
    missing = [what for what, path in frontend_files(env).items() if path is None]
    lines = [
        f"{kind} {where} · {status} (a live wsecho-widget panel).",
        "If you read this instead of the panel, the page has no widget front end: install "
        '"ipywidgets>=8" and "anywidget" in the environment that runs Jupyter '
        "(pip install wsecho-widget there brings both) and reload the page.",
    ]
    if missing:
        lines.append(f"Missing in the kernel's environment ({env}): {'; '.join(missing)}.")
    else:
        lines.append(f"The kernel's environment ({env}) has the front-end files.")
    return "\n".join(lines)
