"""The walkthrough, executed top to bottom in a real Jupyter kernel (nbclient)."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import IpcKernelManager

WALKTHROUGH = Path(__file__).resolve().parent.parent / "notebooks" / "walkthrough.ipynb"

pytestmark = pytest.mark.kernel


@pytest.fixture(scope="module")
def executed() -> dict[str, Any]:
    """Run the walkthrough once; map each cell's tag to the cell."""
    import nbformat  # here, not at the top: it loads jsonschema (a second of work) at collection
    from nbclient import NotebookClient

    nb = nbformat.read(WALKTHROUGH, as_version=4)
    NotebookClient(
        nb,
        timeout=60,
        kernel_name="python3",
        kernel_manager_class=IpcKernelManager,
        resources={"metadata": {"path": str(WALKTHROUGH.parent)}},
    ).execute()
    cells = {}
    for cell in nb.cells:
        for tag in cell.get("metadata", {}).get("tags", []):
            cells[tag] = cell
    return cells


def result(cell: Any) -> Any:
    """The cell's execute_result as a Python value (its text/plain is a literal)."""
    (out,) = [o for o in cell.outputs if o.output_type == "execute_result"]
    return ast.literal_eval(out.data["text/plain"])


def stdout(cell: Any) -> str:
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def test_no_cell_failed(executed: dict[str, Any]) -> None:
    for tag, cell in executed.items():
        assert not [o for o in cell.outputs if o.output_type == "error"], tag
        assert not [o for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"], tag


def test_every_panel_leaves_its_conversation_after_run_all(executed: dict[str, Any]) -> None:
    # The last cells close the panels: each output that showed one is now its static
    # record (ui/snapshot.py), so the saved notebook shows it with no kernel.
    (out,) = executed["panel"].outputs
    assert set(out.data) == {"text/html", "text/plain"}
    assert out.data["text/plain"].startswith("WebSocketPanel · ● closed")
    assert "← Hello again!" in out.data["text/plain"] and 'class="wsecho-snapshot"' in out.data["text/html"]
    assert "data:image/png;base64," in out.data["text/html"]  # the gradient it got back
    for tag, cell in executed.items():
        for output in cell.outputs:
            assert "application/vnd.jupyter.widget-view+json" not in output.get("data", {}), tag


def test_the_four_steps_really_echo(executed: dict[str, Any]) -> None:
    status, url = result(executed["ready"])
    assert status == "open"
    assert url.startswith("ws://127.0.0.1:")
    direction, data, _ = result(executed["receive"])
    assert (direction, data) == ("received", "Hello!")
    assert result(executed["wait_for_reply"]) == "Hello again!"
    assert result(executed["history"]) == [
        ("sent", "Hello!"),
        ("received", "Hello!"),
        ("sent", "Hello again!"),
        ("received", "Hello again!"),
    ]


def test_picture_and_binary_come_back(executed: dict[str, Any]) -> None:
    fmt, size, same = result(executed["picture"])
    assert (fmt, same) == ("png", True)
    assert size > 1000
    assert result(executed["binary"]) == (None, bytes(range(8)))


def test_channel_api(executed: dict[str, Any]) -> None:
    assert result(executed["channel"]) == (["one", b"two"], 1000)


def test_stream_ends_quietly_on_any_close_code(executed: dict[str, Any]) -> None:
    assert result(executed["stream_ends"]) == (["bye"], 4000, "session over")


def test_close_refuse_and_reconnect(executed: dict[str, Any]) -> None:
    assert result(executed["disconnect"]) == ("closed", "disconnected")
    assert stdout(executed["refused"]).startswith("not sent: not connected")
    assert result(executed["reconnect"]) == "back again"


def test_own_server_and_a_broken_url(executed: dict[str, Any]) -> None:
    (out,) = executed["own_server"].outputs
    assert out.data["text/plain"].startswith("WebSocketPanel · ● closed")  # its record
    assert "ready failed: connection refused" in stdout(executed["broken"])
    assert result(executed["broken"]) == ("error", "connection refused (is the server running?)")
    assert result(executed["cleanup"]) == "closed"


def test_saved_notebook_has_no_outputs() -> None:
    # The walkthrough is committed clean, so a reader runs it themselves.
    import nbformat  # here, not at the top: it loads jsonschema (a second of work) at collection

    nb = nbformat.read(WALKTHROUGH, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_features_beyond_the_usual_tools(executed: dict[str, Any]) -> None:
    kind, fmt, same, upload = result(executed["file"])
    assert (kind, fmt, same, upload) == ("binary", "png", True, ())
    data, pretty_in_log = result(executed["json"])
    assert data == '{"type": "greeting", "text": "héllo", "tags": ["a", "b"]}'
    assert pretty_in_log is True
    dump = stdout(executed["hex"])
    assert "00000000  48 65 6c 6c 6f 2c 20 68 65 78 20 76 69 65 77 21  Hello, hex view!" in dump
    assert "… 96 more bytes" in dump
    assert result(executed["hex"]) == (128, b"Hello, hex view!")
    assert result(executed["filter"]) == ["→ Hello!", "← Hello!", "→ Hello again!", "← Hello again!"]
    assert result(executed["latency"]) == (True, True, True)


def test_options_transcript_and_hooks(executed: dict[str, Any]) -> None:
    negotiated, headers, value_box = result(executed["options"])
    assert negotiated == {"subprotocol": "chat", "extensions": ["permessage-deflate"]}
    assert headers == "Authorization: *** · X-Trace: ***"
    assert value_box == ""
    first = stdout(executed["transcript"]).splitlines()[0]
    assert first.startswith('{"direction": "sent", "time": "') and first.endswith(
        '"kind": "text", "text": "Hello!"}'
    )
    assert result(executed["transcript"]) == (True, True)
    seen, error = result(executed["hooks"])
    assert seen == ["ping", "pong"]
    assert error == "ValueError('this callback has a bug')"
    assert result(executed["stream"]) == ["one", "two", "three"]


def test_the_walkthrough_turns_an_exploration_into_a_test_and_reads_the_diff(
    executed: dict[str, Any],
) -> None:
    assert stdout(executed["explore"]).strip() == "102 ['subscribed', 'tick']"
    source = stdout(executed["pytest-file"])
    assert ".send('ping')\n    .expect('pong', within=1)" in source
    assert ".expect({'type': 'tick', 'topic': 'btc', 'n': 1, 'price': 101}, within=1)" in source
    # Plugins of the environment may add ", 1 warning" (looptime's on Python 3.12+).
    assert re.match(r"1 passed[ ,]", stdout(executed["pytest-pass"]))
    failed = stdout(executed["pytest-fail"])
    assert "ExpectationFailed: step 5: expected JSON containing" in failed and re.search(
        r"^1 failed[ ,]", failed, re.M
    )
    replayed = stdout(executed["replay"])
    assert (
        "step 2 reply 2 $.price: 101 -> 102" in replayed and "step 2 reply 3 $.price: 102 -> 104" in replayed
    )
    (table,) = [o for o in executed["replay"].outputs if o.output_type == "execute_result"]
    assert "<table>" in table.data["text/html"] and "<script" not in table.data["text/html"]
    assert stdout(executed["har"]).strip() == "6 messages from the feed"


def test_watch_a_feed(executed: dict[str, Any]) -> None:
    """The walkthrough's own ticker (50 quotes a second): stats, a chart, series, send_every."""
    # Closed, the chart left a static picture of its lines where it was shown.
    panel, chart = executed["feed-chart"].outputs  # both displayed by id, then their records
    assert panel.data["text/plain"].startswith("WebSocketPanel · ● closed")
    assert "<polyline" in chart.data["text/html"] and chart.data["text/plain"].startswith("<Chart closed")
    rate, lines, enough, skipped = result(executed["feed-stats"])
    assert 50 * 0.7 <= rate <= 50 * 1.3
    assert (sorted(lines), enough, skipped) == (["A", "B"], True, 0)
    assert result(executed["feed-series"]) == ("time", ["price", "n"], True)
    assert 5 <= result(executed["feed-schedule"]) <= 7  # at 0, 0.1, ... 0.5 s
    assert result(executed["feed-close"]) is True
