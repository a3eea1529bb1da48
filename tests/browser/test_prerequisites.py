"""A missing or broken browser skips the browser tests on a developer's machine, with
the reason, and fails them under CI, so a broken install never looks green.

Proved by running the Notebook 7 tests in a child pytest with ``WSECHO_CHROMIUM``
pointing at no browser (a path that does not exist, and a program that is not a
browser), with and without ``CI`` set.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.browser.conftest import ROOT, in_ci

pytestmark = pytest.mark.browser

TARGET = "tests/browser/test_notebook7.py"
NOT_A_BROWSER = {
    "/nonexistent/chromium": "chromium not found at /nonexistent/chromium",
    "/bin/false": "chromium at /bin/false did not start",
}


def start_browser_tests(chromium: str, ci: str | None) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["WSECHO_CHROMIUM"] = chromium
    if ci is not None:
        env["CI"] = ci
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rsfE", TARGET],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def child_runs() -> dict[tuple[str, str | None], tuple[int, str]]:
    """The exit code and output of each child run, by (chromium, CI). The four start at
    once: each is seconds of a pytest starting up, mostly waiting."""
    children = {
        (chromium, ci): start_browser_tests(chromium, ci)
        for chromium in NOT_A_BROWSER
        for ci in ("true", None)
    }
    runs = {}
    for key, child in children.items():
        try:
            out, _ = child.communicate(timeout=120)
        finally:
            child.kill()  # only when it is still running: after a timeout
        runs[key] = (child.returncode, out)
    return runs


@pytest.mark.parametrize("chromium", sorted(NOT_A_BROWSER))
def test_without_a_browser_ci_fails(
    chromium: str, child_runs: dict[tuple[str, str | None], tuple[int, str]]
) -> None:
    returncode, out = child_runs[chromium, "true"]
    assert returncode == 1, out
    assert f"CI is set, so this is a failure, not a skip: {NOT_A_BROWSER[chromium]}" in out
    assert "skipped" not in out.splitlines()[-1]
    assert "passed" not in out.splitlines()[-1]


@pytest.mark.parametrize("chromium", sorted(NOT_A_BROWSER))
def test_without_a_browser_a_developer_gets_skips_with_the_reason(
    chromium: str, child_runs: dict[tuple[str, str | None], tuple[int, str]]
) -> None:
    returncode, out = child_runs[chromium, None]
    assert returncode == 0, out
    assert "SKIPPED" in out and NOT_A_BROWSER[chromium] in out
    summary = out.splitlines()[-1]
    assert "skipped" in summary and "passed" not in summary and "error" not in summary, summary


@pytest.mark.parametrize(
    ("value", "ci"), [("true", True), ("1", True), ("yes", True), ("false", False), ("0", False), ("", False)]
)
def test_what_counts_as_ci(monkeypatch: pytest.MonkeyPatch, value: str, ci: bool) -> None:
    # CI=false (or 0, or empty) is how some systems say "not CI".
    monkeypatch.setenv("CI", value)
    assert in_ci() is ci
