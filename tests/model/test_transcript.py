"""Transcripts: JSON lines written and read back exactly."""

from __future__ import annotations

import base64
import json
import os
import time
from datetime import datetime
from pathlib import Path

import pytest

from tests.helpers import make_png
from wsecho_widget.model.message import Message
from wsecho_widget.model.transcript import (
    default_transcript_name,
    dump_message,
    load_transcript,
    parse_message,
    save_transcript,
    unique_path,
)


def sample() -> list[Message]:
    now = time.time()
    return [
        Message("sent", "Hello!", now),
        Message("received", "Hello!", now + 0.001),
        Message("sent", 'Grüße, 世界 🌍\nsecond line\t"quoted"', now + 0.002),
        Message("received", make_png(), now + 0.003),
        Message("received", b"", now + 0.004),
        Message("received", bytes(range(256)), now + 0.005),
        Message("sent", "", 1.5),
    ]


def test_round_trip_is_exact(tmp_path: Path) -> None:
    messages = sample()
    path = save_transcript(messages, tmp_path / "session.jsonl")
    assert path == tmp_path / "session.jsonl"
    loaded = load_transcript(path)
    assert loaded == messages  # direction, data (str or bytes) and timestamp
    assert [type(m.data) for m in loaded] == [type(m.data) for m in messages]


def test_lines_are_readable_json(tmp_path: Path) -> None:
    messages = sample()
    path = save_transcript(messages, tmp_path / "t.jsonl")
    raw = path.read_bytes()
    lines = raw.decode("utf-8").splitlines()
    assert len(lines) == len(messages)
    first = json.loads(lines[0])
    assert first["direction"] == "sent"
    assert first["kind"] == "text"
    assert first["text"] == "Hello!"
    assert datetime.fromisoformat(first["time"]) == messages[0].time.replace(
        microsecond=messages[0].time.microsecond
    )
    assert datetime.fromisoformat(first["time"]).tzinfo is not None
    # Non-ASCII text is stored as UTF-8, readable in any editor.
    assert "Grüße, 世界 🌍".encode() in raw
    picture = json.loads(lines[3])
    assert picture["kind"] == "binary"
    assert picture["size"] == len(messages[3].data)
    assert base64.b64decode(picture["base64"]) == messages[3].data


def test_iso_time_alone_is_enough(tmp_path: Path) -> None:
    line = (
        '{"direction": "received", "time": "2025-01-31T12:00:00.250000+00:00", "kind": "text", "text": "x"}'
    )
    message = parse_message(line)
    assert message.timestamp == datetime(2025, 1, 31, 12, 0, 0, 250000).timestamp() + _utc_offset()
    assert (message.direction, message.data) == ("received", "x")


def _utc_offset() -> float:
    # datetime(...) above is naive local time; the line says UTC.
    naive = datetime(2025, 1, 31, 12, 0, 0, 250000)
    return naive.astimezone().utcoffset().total_seconds()  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"direction": "up", "timestamp": 1, "kind": "text", "text": "x"}', "direction must be"),
        ('{"direction": "sent", "kind": "text", "text": "x"}', "needs a numeric 'timestamp'"),
        ('{"direction": "sent", "timestamp": 1, "kind": "text"}', "needs kind 'text' with 'text'"),
        ('{"direction": "sent", "timestamp": 1, "kind": "binary", "base64": "@@"}', "not valid base64"),
        ('{"direction": "sent", "timestamp": 1, "kind": "binary", "base64": "AAE=", "size": 3}', "holds 2"),
    ],
)
def test_bad_lines_say_what_is_wrong(line: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_message(line)


def test_a_bad_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = dump_message(Message("sent", "ok", 1.0))
    path.write_text(f"{good}\n\n{good}\n{{oops\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl, line 4: not JSON"):
        load_transcript(path)
    path.write_text(f"{good}\n\n{good}\n", encoding="utf-8")
    assert [m.data for m in load_transcript(path)] == ["ok", "ok"]  # blank lines skipped


def test_a_failed_save_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "t.jsonl"
    target.write_text("the previous transcript\n", encoding="utf-8")

    def messages():  # fails half-way, like a full disk would
        yield Message("sent", "one", 1.0)
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        save_transcript(messages(), target)
    assert target.read_text(encoding="utf-8") == "the previous transcript\n"
    assert os.listdir(tmp_path) == ["t.jsonl"]


def test_default_name_sorts_by_time() -> None:
    assert (
        default_transcript_name(datetime(2025, 1, 31, 9, 5, 7)) == "wsecho-transcript-20250131-090507.jsonl"
    )


def test_unique_path_never_reuses_a_name_that_exists_or_is_being_written(tmp_path: Path) -> None:
    name = str(tmp_path / "t.jsonl")
    assert unique_path(name) == tmp_path / "t.jsonl"
    (tmp_path / "t.jsonl").write_text("")
    assert unique_path(name) == tmp_path / "t-2.jsonl"
    assert unique_path(name, taken={tmp_path / "t-2.jsonl"}) == tmp_path / "t-3.jsonl"
