"""The pytest plugin, run as users run it: pytest in a subprocess on generated test files (pytester).

A recorded conversation written by ``to_pytest`` passes against the server it was
recorded from and fails, naming the step, against one whose replies changed; JUnit
XML from pytest's own ``--junitxml`` has one test case per test. The fixtures
(``echo_server``, ``ws_mock``, ``ws_client``) work in plain and async tests.
"""

from __future__ import annotations

import ast
import asyncio
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager

import pytest

from tests.testing.feeds import websockets_feed
from wsecho_widget.client.session import Session
from wsecho_widget.model.message import Message
from wsecho_widget.model.transcript import save_transcript
from wsecho_widget.testing._thread import LoopThread

pytest_plugins = ["pytester"]


class Served:
    """A feed in a loop of its own: the pytest subprocess talks to it while this test blocks."""

    def __init__(self, thread: LoopThread, version: int) -> None:
        self.thread = thread
        self.context: AbstractAsyncContextManager[str] = websockets_feed(version)
        self.url = thread.run(self.context.__aenter__())

    def stop(self) -> None:
        self.thread.run(self.context.__aexit__(None, None, None))


@pytest.fixture
def feeds() -> Iterator[dict[int, Served]]:
    thread = LoopThread()
    served = {version: Served(thread, version) for version in (1, 2)}
    yield served
    for feed in served.values():
        feed.stop()
    thread.close()


async def record(url: str) -> Session:
    session = Session(url, reconnect=False)
    await asyncio.wait_for(session.connect(), 5)
    session.send("ping")
    await session.expect("pong", within=5)
    session.send('{"op": "subscribe", "topic": "btc"}')
    for _ in range(3):
        await session.receive(5)
    session.send(b"\x00\x01")
    await session.receive(5)
    await session.disconnect()
    session.close()
    return session


def test_a_generated_file_passes_then_fails_naming_the_step_with_junit_xml(
    pytester: pytest.Pytester, feeds: dict[int, Served]
) -> None:
    history = feeds[1].thread.run(record(feeds[1].url)).history
    passing = history.to_pytest(
        pytester.path / "test_feed.py", url=feeds[1].url, ignore=["$.ts", "$.id"], within=1.0
    )
    source = passing.read_text()
    assert ".send('ping')\n    .expect('pong', within=1)" in source  # text as text
    assert ".expect({'type': 'tick', 'topic': 'btc', 'n': 1, 'price': 101}, within=1)" in source
    assert ".send(bytes.fromhex('00 01'))" in source
    assert "ts" not in source.split("SCENARIO")[1]
    (pytester.path / "test_changed.py").write_text(source.replace(feeds[1].url, feeds[2].url))

    # One run of both files: the recorded one passes, the changed one fails.
    result = pytester.runpytest_subprocess("--junitxml=report.xml", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ['*ExpectationFailed: step 5: expected JSON containing {*"price": 101} within 1 s; the last 4 seen:']
    )
    cases = ET.parse(pytester.path / "report.xml").getroot().iter("testcase")
    outcome = {str(case.get("classname")): case.find("failure") for case in cases}
    assert sorted(outcome) == ["test_changed", "test_feed"]
    assert outcome["test_feed"] is None
    failure = outcome["test_changed"]
    assert failure is not None and "step 5: expected JSON containing" in (failure.get("message") or "")


def test_the_fixtures_in_plain_and_async_tests(
    pytester: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("recording")
    save_transcript(
        [
            Message("sent", "hello", 1.0),
            Message("received", "hi there", 1.1),
            Message("received", b"\x00\x01", 1.2),
        ],
        folder / "hello.jsonl",
    )
    pytester.makepyfile(
        test_fixtures=f"""
        import pytest
        from wsecho_widget.testing import ExpectationFailed, Scenario

        def test_echo_server_is_a_url(echo_server):
            assert echo_server.startswith("ws://127.0.0.1:")
            Scenario().send("x").expect("x").check(echo_server)

        def test_recorded_with_no_url_uses_echo_server(echo_server):
            Scenario().send(b"\\x01").expect(b"\\x01").check(echo_server)

        def test_ws_mock_plays_a_transcript(ws_mock):
            url = ws_mock({str(folder / "hello.jsonl")!r})
            Scenario().send("hello").expect(bytes([0, 1])).expect("hi there").check(url)
            with pytest.raises(ExpectationFailed, match="step 2"):
                Scenario().send("bye").expect("hi there", within=1).check(url)

        @pytest.mark.asyncio
        async def test_ws_client_has_expect(ws_client, ws_mock):
            url = ws_mock([("ping", ["pong", b"\\x02"])])
            async with ws_client(url) as channel:
                await channel.send("ping")
                assert (await channel.expect(b"\\x02")).data == b"\\x02"
            async with ws_client() as channel:
                await channel.send("echo")
                assert (await channel.expect("echo")).data == "echo"
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)


def test_loading_the_plugin_imports_nothing_heavy() -> None:
    """pytest loads it in every run once the package is installed: it must cost nothing."""
    code = (
        "import sys, wsecho_widget.testing.plugin; "
        "print(sorted(m for m in sys.modules "
        "if m.split('.')[0] in ('wsecho_widget', 'websockets', 'pandas')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(ast.literal_eval(done.stdout))
    assert loaded <= {
        "wsecho_widget",
        "wsecho_widget._moved",
        "wsecho_widget.testing",
        "wsecho_widget.testing.plugin",
    }
