"""A notebook with panels run in a real kernel (nbclient), saved, and converted by nbconvert.

Shared by tests/ui/test_record.py (the saved file and its HTML) and
tests/browser/test_record_browser.py (the same files in Chromium, network blocked).
"""

from __future__ import annotations

import copy
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.helpers import IpcKernelManager, make_png
from tests.html_checks import HOSTILE

PNG = make_png(96, 64)


def cells(report: Path) -> list[str]:
    return [
        # 0: the client panel, shown live
        "from wsecho_widget import ServerPanel, WebSocketPanel\n"
        f"HOSTILE = {HOSTILE!r}\nPNG = {PNG!r}\n"
        "panel = WebSocketPanel()\npanel",
        # 1: a conversation with markup and a picture
        "await panel.ready\n"
        "for data in ('hello record', HOSTILE, PNG):\n"
        "    panel.send(data)\n"
        "    await panel.receive(timeout=5)\n"
        "panel.status",
        # 2: the server panel and a client of it
        "server = ServerPanel()\nawait server.ready\n"
        "client = WebSocketPanel(server.url)\nawait client.ready\n"
        "client.send('hi server')\nawait server.receive(timeout=5)\n"
        "server.send(PNG)\nawait client.receive(timeout=5)\nserver",
        # 3: a panel frozen while it still runs
        "third = WebSocketPanel()\nawait third.ready\nthird.send('frozen in time')\n"
        "await third.receive(timeout=5)\ndisplay(third)\nbundle = third.freeze()\nsorted(bundle)",
        # 4: the report, to a file and shown
        f"path = panel.report({str(report)!r})\npanel.report()\npath.name",
        # 5: the last cell closes the panels
        "for p in (panel, server, client, third):\n    p.close()\npanel.status",
    ]


@dataclass
class Run:
    """The executed notebook, its file, its HTML, the report, and outputs seen on the way."""

    nb: Any
    ipynb: Path
    html: Path
    blank_html: Path
    report: Path
    seen: dict[int, list[dict[str, Any]]] = field(default_factory=dict)

    def outputs(self, index: int) -> list[dict[str, Any]]:
        return list(self.nb.cells[index].outputs)


def convert(path: Path) -> Path:
    """``jupyter nbconvert --to html`` on ``path`` (the real command); the HTML file."""
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", str(path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return path.with_suffix(".html")


def run(folder: Path) -> Run:
    """Run the notebook in a real kernel, save it, convert it and a blank copy."""
    import nbformat  # here, not at the top: it loads jsonschema (a second of work) at collection
    from nbclient import NotebookClient

    report = folder / "session-report.html"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells(report)]
    seen: dict[int, list[dict[str, Any]]] = {}

    def executed(cell: Any, cell_index: int, **_: Any) -> None:
        seen[cell_index] = copy.deepcopy(list(cell.outputs))  # before later cells update them

    client = NotebookClient(
        nb,
        timeout=60,
        kernel_name="python3",
        kernel_manager_class=IpcKernelManager,
        resources={"metadata": {"path": str(folder)}},
        on_cell_executed=executed,
    )
    client.execute()
    ipynb = folder / "record.ipynb"
    nbformat.write(nb, ipynb)
    blank = copy.deepcopy(nb)
    blank.metadata.pop("widgets", None)
    for cell in blank.cells:
        cell.outputs = []
    blank_path = folder / "blank.ipynb"
    nbformat.write(blank, blank_path)
    return Run(nb, ipynb, convert(ipynb), convert(blank_path), report, seen)
