"""Refresh the documentation's screenshots in both themes: ``python -m tests.browser.screenshots``.

Runs the JupyterLab browser tests that take them (Debian's Chromium, as the tests find
it), then writes each into ``docs/`` as a palette PNG: a screenshot of the panel has few
colours, and Pillow's quantize keeps each file well under :data:`MAX_BYTES`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
#: Each artifact the tests save (tests/browser, WSECHO_ARTIFACTS) -> its page in docs/.
SHOTS = {
    "inspector-lab.png": "panel.png",
    "inspector-lab-dark.png": "panel-dark.png",
    "features-panel-light.png": "features.png",
    "features-panel-dark.png": "features-dark.png",
    "lab-server-panel.png": "server-panel.png",
    "lab-server-panel-dark.png": "server-panel-dark.png",
}
MODULES = ["test_inspector_browser.py", "test_features_browser.py", "test_server_browser.py"]
MAX_BYTES = 200_000


def shrink(source: Path, target: Path) -> int:
    """``source`` as a 256-colour PNG at ``target``; its size in bytes."""
    with Image.open(source) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
    size = target.stat().st_size
    if size > MAX_BYTES:
        raise SystemExit(f"{target.name} is {size:,} bytes, over {MAX_BYTES:,}")
    return size


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        tests = [str(ROOT / "tests" / "browser" / name) for name in MODULES]
        env = {**os.environ, "WSECHO_ARTIFACTS": scratch}
        # JupyterLab only (the inspector's Notebook 7 pair is not in the docs); no flood.
        command = [sys.executable, "-m", "pytest", *tests, "-q", "-p", "no:cacheprovider"]
        subprocess.run([*command, "-k", "not notebook and not flood"], cwd=ROOT, env=env, check=True)
        for artifact, page in SHOTS.items():
            size = shrink(Path(scratch) / artifact, DOCS / page)
            print(f"docs/{page}: {size:,} bytes")


if __name__ == "__main__":
    main()
