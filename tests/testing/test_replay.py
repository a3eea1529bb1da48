"""Replay a recording against a server again and read the diff: websockets, aiohttp, Node's ws."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.server.test_hub_clients import node_modules  # noqa: F401 (the fixture)
from tests.testing.feeds import Feed, websockets_feed
from wsecho_widget.client.session import Session
from wsecho_widget.model.har import load_har
from wsecho_widget.model.message import Message
from wsecho_widget.model.transcript import save_transcript
from wsecho_widget.testing import replay

IGNORE = ["$.ts", "$.id"]


async def record(url: str) -> list[Message]:
    session = Session(url, reconnect=False)
    try:
        await asyncio.wait_for(session.connect(), 5)
        session.send("ping")
        await session.receive(5)
        session.send('{"op": "subscribe", "topic": "btc"}')
        for _ in range(3):
            await session.receive(5)
        session.send(b"\x01\x02\x03\x04")
        await session.receive(5)
        return list(session.history)
    finally:
        await session.disconnect()
        session.close()


async def test_the_same_server_replays_with_no_difference_and_a_changed_one_shows_where(
    feed: Feed, tmp_path: Path
) -> None:
    async with feed() as url:
        messages = await record(url)
        same = await replay(messages, url, ignore=IGNORE)
        assert same.ok, str(same)
        unignored = await replay(messages, url)
        assert {d.path for d in unignored.differences} == {"$.id", "$.ts"}
    save_transcript(messages, tmp_path / "feed.jsonl")
    async with feed(version=2) as url:
        changed = await replay(tmp_path / "feed.jsonl", url, ignore=IGNORE)
    assert not changed.ok
    assert [(d.step, d.reply, d.path, d.old, d.new) for d in changed.differences] == [
        (2, 2, "$.price", 101, 102),
        (2, 3, "$.price", 102, 104),
    ]
    frame = changed.to_pandas()
    assert frame["path"].tolist() == ["$.price", "$.price"]


async def test_missing_and_extra_replies_and_a_binary_change() -> None:
    recorded = [
        Message("sent", "ping", 1.0),
        Message("received", "pong", 1.1),
        Message("received", "and more", 1.2),
        Message("sent", b"\x01\x02\x03\x04", 2.0),
        Message("received", b"\x04\x03\x09\x01", 2.1),
    ]
    async with websockets_feed() as url:
        report = await replay(recorded, url, within=0.3, settle=0.05)
    assert [(d.step, d.reply, d.kind) for d in report.differences] == [(1, 2, "missing"), (2, 1, "changed")]
    binary = report.differences[1]
    assert (binary.offset, binary.length) == (2, 1)
    extra = await replay([Message("sent", '{"op": "subscribe"}', 1.0)], None, settle=0.05)  # the echo server
    assert [(d.kind, d.new) for d in extra.differences] == [("extra", '{"op": "subscribe"}')]


async def test_a_har_file_replays(tmp_path: Path) -> None:
    from wsecho_widget.model.har import to_har

    async with websockets_feed() as url:
        messages = await record(url)
        to_har(messages, tmp_path / "feed.har", url)
        (conversation,) = load_har(tmp_path / "feed.har")
        assert (await replay(conversation, url, ignore=IGNORE)).ok
        assert (await replay(tmp_path / "feed.har", url, ignore=IGNORE)).ok
