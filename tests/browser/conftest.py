"""Fixtures for the browser tests: Debian's Chromium driven by Playwright, and real
JupyterLab / Notebook 7 servers started (and stopped) by the tests themselves.

A missing prerequisite (no chromium, no playwright, no jupyterlab or notebook)
skips these tests on a developer's machine, with the reason. Under CI (the ``CI``
environment variable set, as ``.ci/run`` does) it fails them instead, so a broken
install can never look green.

``WSECHO_CHROMIUM`` overrides the browser's path (default ``/usr/bin/chromium``),
``WSECHO_ARTIFACTS`` where screenshots go (default ``test-artifacts/``).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib.util
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
# ./run.sh test runs a copy of the tests elsewhere; it points this at the checkout.
ARTIFACTS = Path(os.environ.get("WSECHO_ARTIFACTS", ROOT / "test-artifacts"))
CHROMIUM = os.environ.get("WSECHO_CHROMIUM", "/usr/bin/chromium")
# Works as root on a closed network; without the background-networking flags
# Chromium keeps trying to reach hosts it cannot reach.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 60.0
SERVER_STOP_TIMEOUT = 20.0


def in_ci() -> bool:
    """True when the ``CI`` environment variable is set (to anything but 0/false/no)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(reason: str) -> None:
    """Skip for a developer, fail under CI: a missing prerequisite is never green in CI."""
    if in_ci():
        pytest.fail(f"CI is set, so this is a failure, not a skip: {reason}", pytrace=False)
    pytest.skip(reason)


def _prerequisite_problem() -> str | None:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return (
            f"chromium not found at {CHROMIUM} (install Debian's with `apt-get install chromium`, "
            "or set WSECHO_CHROMIUM)"
        )
    for module in ("playwright", "jupyterlab", "notebook"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install -e '.[browser]')"
    return None


@pytest.fixture(scope="session")
def browser_prerequisites() -> None:
    """Chromium, Playwright, JupyterLab and Notebook are there (else skip, or fail in CI)."""
    problem = _prerequisite_problem()
    if problem is not None:
        missing(problem)


@pytest.fixture(scope="module")
def browser(browser_prerequisites: None) -> Iterator[Any]:
    """Debian's Chromium, headless, launched by Playwright (never `playwright install`).

    Module scope: the sync Playwright API marks its own event loop as running in
    this thread while it lives, so it must be gone before other modules' asyncio
    tests run.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        try:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as exc:
            missing(f"chromium at {CHROMIUM} did not start: {str(exc).splitlines()[0]}")
        yield browser
        browser.close()


class JupyterServer:
    """A Jupyter server (``jupyter lab`` or ``jupyter notebook``) run by a test.

    It listens on 127.0.0.1 on a port the OS picks, with a random token, and
    keeps HOME, settings, workspaces, runtime and temp files in ``scratch``. Only
    the process started here is ever stopped, through ``POST /api/shutdown``,
    which shuts its kernels down too.
    """

    def __init__(self, app: str, scratch: Path, base_url: str = "/") -> None:
        self.app = app
        self.base_url = base_url  # the URL prefix, as behind JupyterHub ("/user/alice/")
        self.scratch = scratch
        self.root = scratch / "notebooks"
        self.token = secrets.token_hex(16)
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = scratch / f"{app}.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.base_url.rstrip('/')}"

    def url(self, path: str) -> str:
        """A page of this server, with the token."""
        return f"{self.base}/{path.lstrip('/')}?token={self.token}"

    def _env(self) -> dict[str, str]:
        dirs = {
            "HOME": "home",
            "TMPDIR": "tmp",
            "JUPYTER_CONFIG_DIR": "jupyter-config",
            "JUPYTER_DATA_DIR": "jupyter-data",
            "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
            "JUPYTERLAB_SETTINGS_DIR": "lab-settings",
            "JUPYTERLAB_WORKSPACES_DIR": "lab-workspaces",
            "IPYTHONDIR": "ipython",
        }
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "IPYTHON"))}
        for name, sub in dirs.items():
            path = self.scratch / sub
            path.mkdir(parents=True, exist_ok=True)
            env[name] = str(path)
        # The "get notified about Jupyter news?" toast covers the bottom right of
        # the page; only this settings file stops it (LabApp.news_url=None does not).
        notification = self.scratch / "lab-settings" / "@jupyterlab" / "apputils-extension"
        notification.mkdir(parents=True, exist_ok=True)
        (notification / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False})
        )
        return env

    def start(self) -> JupyterServer:
        self.root.mkdir(parents=True, exist_ok=True)
        env = self._env()
        command = [
            sys.executable,
            "-m",
            "jupyter",
            self.app,
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            "--ServerApp.port=0",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.open_browser=False",
            f"--ServerApp.base_url={self.base_url}",
        ]
        if self.app == "lab":
            command.append("--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate")
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, env=env, cwd=self.root, stdout=log, stderr=subprocess.STDOUT
            )
        runtime = Path(env["JUPYTER_RUNTIME_DIR"])
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        # The server writes jpserver-<pid>.json once it listens; port 0 means we
        # learn the port there, with no race for a "free" port.
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter {self.app} exited at start:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"jupyter {self.app} did not start in {SERVER_START_TIMEOUT} s")
            info = runtime / f"jpserver-{self.process.pid}.json"
            if info.exists():
                try:
                    self.port = int(json.loads(info.read_text())["port"])
                except (ValueError, KeyError):
                    pass  # still being written
                else:
                    if self._status_ok():
                        return self
            time.sleep(0.05)

    def _status_ok(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base}/api/status?token={self.token}", timeout=2) as r:
                return bool(r.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def api(self, path: str, method: str = "GET") -> Any:
        """Call the server's REST API with the token; the decoded JSON answer."""
        request = urllib.request.Request(
            f"{self.base}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as r:
            body = r.read()
        return json.loads(body) if body else None

    def stop(self) -> int | None:
        """Shut down (kernels too) and wait for the process to exit; its exit code."""
        process = self.process
        if process is None:
            return None
        if process.poll() is None and self.port:
            with contextlib.suppress(urllib.error.URLError, OSError):
                self.api("shutdown", method="POST")
        try:
            return process.wait(SERVER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                return process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                return process.wait()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def start_server(
    app: str, tmp_path_factory: pytest.TempPathFactory, base_url: str = "/"
) -> Iterator[JupyterServer]:
    server = JupyterServer(app, tmp_path_factory.mktemp(f"jupyter-{app}"), base_url).start()
    try:
        yield server
    finally:
        code = server.stop()
        assert code == 0, f"jupyter {app} exited with {code}:\n{server.log_tail()}"


@contextlib.contextmanager
def static_site(root: Path, pages: dict[str, str]) -> Iterator[int]:
    """``pages`` (file name: HTML) written into ``root`` and served on 127.0.0.1 from a
    thread until the block ends; the port."""
    for name, html in pages.items():
        (root / name).write_text(html, encoding="utf-8")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield site.server_address[1]
    finally:
        site.shutdown()
        site.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def lab_server(
    browser_prerequisites: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JupyterServer]:
    """JupyterLab 4 on 127.0.0.1, a free port, a random token, scratch folders."""
    yield from start_server("lab", tmp_path_factory)


@pytest.fixture(scope="module")
def notebook_server(
    browser_prerequisites: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JupyterServer]:
    """Jupyter Notebook 7 (``jupyter notebook``), set up like ``lab_server``."""
    yield from start_server("notebook", tmp_path_factory)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where the browser tests save screenshots (gitignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """When a browser test fails, save what the page showed, for whoever reads the CI log."""
    report = yield
    if report.failed and call.when == "call":
        funcargs = getattr(item, "funcargs", {})
        for name in ("notebook", "panel"):
            page = getattr(funcargs.get(name), "page", None)
            if page is not None:
                path = ARTIFACTS / f"failed-{item.name}.png".replace("/", "_")
                with contextlib.suppress(Exception):  # the page may be gone
                    ARTIFACTS.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(path), full_page=True)
                    report.sections.append(("browser", f"screenshot of the page: {path}"))
                break
    return report
