"""The Save transcript button: in a panel (real files, real failures), and alone."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path

import pytest

from tests.helpers import make_png, wait_for
from wsecho_widget import Message, WebSocketPanel
from wsecho_widget.model.transcript import load_transcript
from wsecho_widget.ui.controls import SaveButton


async def test_save_and_load_a_transcript(panel: WebSocketPanel, tmp_path: Path) -> None:
    png = make_png()
    panel.send("Grüße 🌍")
    panel.send(png)
    panel.send_json({"k": "v"})
    for _ in range(3):
        await panel.receive(timeout=5)
    path = panel.save_transcript(tmp_path / "session.jsonl")
    assert path == tmp_path / "session.jsonl"
    assert panel.notice_label.value == f"saved 6 messages to {path}"
    loaded = WebSocketPanel.load_transcript(path)
    assert loaded == list(panel.messages)  # direction, exact data, timestamp
    assert [m.data for m in loaded if m.direction == "received"] == ["Grüße 🌍", png, '{"k": "v"}']
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(r["direction"], r["kind"]) for r in lines[:2]] == [("sent", "text"), ("sent", "binary")]
    assert datetime.fromisoformat(lines[0]["time"]).tzinfo is not None


def transcripts(folder: Path) -> list[Path]:
    return sorted(folder.glob("wsecho-transcript-*.jsonl"))


async def test_the_save_button_writes_into_the_working_directory(
    panel: WebSocketPanel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    panel.send(b"\x00\xff")
    await panel.receive(timeout=5)
    panel.save_button.click()
    panel.save_button.click()  # twice in the same second: two files, none overwritten
    await wait_for(lambda: panel.notice_label.value.startswith("saved"), what="the save")
    await wait_for(lambda: len(transcripts(tmp_path)) == 2, what="both files")
    files = transcripts(tmp_path)
    assert len(files) == 2
    assert str(files[0].parent) in panel.notice_label.value
    for file in files:
        assert [m.data for m in WebSocketPanel.load_transcript(file)] == [b"\x00\xff", b"\x00\xff"]


async def test_a_failed_save_is_one_line_in_the_notice(
    panel: WebSocketPanel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()  # the working directory no longer exists
    panel.save_button.click()
    await wait_for(lambda: panel.notice_label.value.startswith("transcript not saved"), what="the failure")
    assert "\n" not in panel.notice_label.value


async def test_a_save_that_fails_while_writing_is_reported(
    panel: WebSocketPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir("/proc")  # exists, but no file can be created there, even by root
    panel.save_button.click()
    assert panel.notice_label.value.startswith("saving")  # the thread writes it
    await wait_for(lambda: panel.notice_label.value.startswith("transcript not saved"), what="the failure")
    assert panel.notice_label.value.startswith("transcript not saved: No such file or directory (/proc/")
    with pytest.raises(FileNotFoundError):
        panel.save_transcript()
    assert panel.notice_label.value == "transcript not saved: No such file or directory"


# -- the button alone ----------------------------------------------------------------------


async def test_the_button_alone_saves_what_it_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    messages = [Message("sent", "hi", 1.5), Message("received", b"\x01", 2.5)]
    notices: list[str] = []
    button = SaveButton(asyncio.get_running_loop(), lambda: messages, notices.append)
    try:
        assert button.description == "Save transcript" and button.tooltip
        button.click()
        assert notices == ["saving 2 messages…"]
        await wait_for(lambda: notices[-1].startswith("saved"), what="the save")
        (file,) = transcripts(tmp_path)
        assert notices[-1] == f"saved 2 messages to {file}"
        assert load_transcript(file) == messages
        assert button.save(tmp_path / "named.jsonl") == tmp_path / "named.jsonl"
    finally:
        button.close()
