"""HAR files in DevTools' WebSocket layout: written, read back exactly, bad files refused in one line."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from wsecho_widget.model.har import HarError, load_har
from wsecho_widget.model.message import History, Message

MESSAGES = [
    Message("sent", '{"op": "subscribe"}', 1_700_000_000.125),
    Message("received", "héllo ✓", 1_700_000_000.25),
    Message("received", b"\x00\xff\x10", 1_700_000_000.5),
]


def test_written_in_devtools_layout_and_read_back_exactly(tmp_path: Path) -> None:
    history = History()
    history.extend(MESSAGES)
    path = history.to_har(tmp_path / "feed.har", url="ws://127.0.0.1:8765/feed")
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["log"]["version"] == "1.2"
    (entry,) = document["log"]["entries"]
    assert entry["_resourceType"] == "websocket" and entry["request"]["url"] == "ws://127.0.0.1:8765/feed"
    assert entry["_webSocketMessages"] == [
        {"type": "send", "time": 1_700_000_000.125, "opcode": 1, "data": '{"op": "subscribe"}'},
        {"type": "receive", "time": 1_700_000_000.25, "opcode": 1, "data": "héllo ✓"},
        {
            "type": "receive",
            "time": 1_700_000_000.5,
            "opcode": 2,
            "data": base64.b64encode(b"\x00\xff\x10").decode(),
        },
    ]
    (conversation,) = load_har(path)
    assert conversation.url == "ws://127.0.0.1:8765/feed"
    assert list(conversation.messages) == MESSAGES
    assert conversation.to_pandas().equals(history.to_pandas())


def chrome_export(tmp_path: Path) -> Path:
    """The shape Chrome's Network panel writes: other entries around, extra fields, several sockets."""
    entries = [
        {"request": {"url": "http://127.0.0.1/"}, "response": {"status": 200}, "_resourceType": "document"},
        {
            "request": {"url": "ws://127.0.0.1:1/a", "method": "GET"},
            "_resourceType": "websocket",
            "_webSocketMessages": [
                {"type": "send", "time": 1.5, "opcode": 1, "data": "hi"},
                {"type": "receive", "time": 1.75, "opcode": 2, "data": "AAE="},
            ],
        },
        {"request": {"url": "ws://127.0.0.1:1/b"}, "_resourceType": "websocket", "_webSocketMessages": []},
    ]
    path = tmp_path / "chrome.har"
    path.write_text(
        json.dumps({"log": {"version": "1.2", "creator": {"name": "WebInspector"}, "entries": entries}})
    )
    return path


def test_one_conversation_per_websocket_entry_with_its_url(tmp_path: Path) -> None:
    first, second = load_har(chrome_export(tmp_path))
    assert (first.url, second.url) == ("ws://127.0.0.1:1/a", "ws://127.0.0.1:1/b")
    assert [(m.direction, m.data, m.timestamp) for m in first.messages] == [
        ("sent", "hi", 1.5),
        ("received", b"\x00\x01", 1.75),
    ]
    assert len(second) == 0


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ('{"log": {"entries": [', r"^bad\.har is not a HAR file \(not JSON, or cut short\): "),
        ("[1, 2]", r"^bad\.har is not a HAR file: no log\.entries list$"),
        ('{"log": {"entries": [{"request": {"url": "http://x/"}}]}}', r"has no WebSocket entry"),
        (
            '{"log": {"entries": [{"request": {"url": "ws://x/"}, '
            '"_webSocketMessages": [{"type": "recv"}]}]}}',
            r"entry 0, message 0: want type send\|receive",
        ),
        (
            '{"log": {"entries": [{"request": {"url": "ws://x/"}, "_webSocketMessages": '
            '[{"type": "send", "time": 1, "opcode": 2, "data": "!!"}]}]}}',
            r"binary data is not base64",
        ),
        ("[" * 100_000 + "]" * 100_000, r"not a HAR file"),
    ],
    ids=["truncated", "not HAR", "no websocket", "bad type", "bad base64", "deep nesting"],
)
def test_a_malformed_file_is_one_line(tmp_path: Path, content: str, error: str) -> None:
    path = tmp_path / "bad.har"
    path.write_text(content)
    with pytest.raises(HarError, match=error) as raised:
        load_har(path)
    assert "\n" not in str(raised.value)


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.har"
    with open(path, "wb") as file:
        file.truncate(200 * 1024 * 1024)  # sparse: 200 MiB that take no disk
    with pytest.raises(HarError, match=r"^huge\.har is 200\.0 MiB: over the 32\.0 MiB limit \(max_bytes\)$"):
        load_har(path)
    with pytest.raises(HarError, match=r"cannot read missing\.har"):
        load_har(tmp_path / "missing.har")
