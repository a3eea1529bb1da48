"""History.to_pandas(): one row per message, exact dtypes and values."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import textwrap

import msgpack
import pandas as pd
import pytest

from tests.helpers import make_png, wait_for
from wsecho_widget import WebSocketPanel
from wsecho_widget.model.message import History, Message

BASE_DTYPES = {
    "time": "datetime64[us, UTC]",
    "direction": "category",
    "kind": "category",
    "size": "int64",
    "data": "object",
}
# Message's optional fields (a server panel's client, Socket.IO's event) are columns too.
BASE_DTYPES.update({name: "object" for name in ("client", "event") if hasattr(Message, name)})


def mixed_history() -> tuple[History, list[Message]]:
    png = make_png()
    messages = [
        Message("sent", '{"op": "sub", "args": {"sym": "EURUSD", "depth": 5}}', 1_700_000_000.123456),
        Message("received", '{"op": "ack", "size": 3, "ok": true}', 1_700_000_000.5),
        Message("received", "plain text, not JSON", 1_700_000_001.0),
        Message("received", "[1, 2, 3]", 1_700_000_002.0),  # JSON, but not an object
        Message("received", msgpack.packb({"a": 1}), 1_700_000_003.25),
        Message("received", png, 1_700_000_004.0),
        Message("sent", "grüße", 1_700_000_005.0),
    ]
    history = History()
    history.extend(messages)
    return history, messages


def test_one_row_per_message_with_exact_dtypes_and_values() -> None:
    history, messages = mixed_history()
    frame = history.to_pandas()
    assert {name: str(dtype) for name, dtype in frame.dtypes.items()} == BASE_DTYPES
    assert list(frame.direction.cat.categories) == ["sent", "received"]
    assert list(frame.kind.cat.categories) == ["text", "binary"]
    assert len(frame) == len(messages)
    for row, message in zip(frame.itertuples(index=False), messages, strict=True):
        assert row.time == message.time  # aware, to the microsecond
        assert row.time.tzinfo is not None
        assert row.direction == message.direction
        assert row.kind == message.kind
        assert row.size == message.size
        assert type(row.data) is type(message.data)  # bytes stay bytes, str stays str
        assert row.data == message.data
    assert frame.time[0] == pd.Timestamp("2023-11-14 22:13:20.123456", tz="UTC")
    assert frame["size"].tolist() == [52, 36, 20, 9, 4, len(messages[5].data), 7]


def test_json_flattens_json_object_frames_into_columns() -> None:
    history, _ = mixed_history()
    frame = history.to_pandas(json=True)
    # Columns in the order json_normalize meets the keys; "size" clashes with a base column.
    assert list(frame.columns) == [*BASE_DTYPES, "op", "args.sym", "args.depth", "json.size", "ok"]
    assert frame["op"].tolist()[:2] == ["sub", "ack"]
    assert frame["op"].isna().tolist() == [False, False, True, True, True, True, True]
    assert frame["args.sym"].tolist()[0] == "EURUSD"
    assert frame["args.depth"].tolist()[0] == 5.0
    assert str(frame["args.depth"].dtype) == "float64"  # NaN in the other rows
    assert frame["json.size"].tolist()[1] == 3.0
    assert frame["ok"][1] is True
    assert frame["ok"].isna().sum() == 6
    # The base columns keep their dtypes.
    assert {name: str(frame[name].dtype) for name in BASE_DTYPES} == BASE_DTYPES


def test_json_without_any_json_object_adds_nothing_and_empty_history_keeps_dtypes() -> None:
    history = History()
    history.append(Message("received", "[1]", 1.0))
    assert list(history.to_pandas(json=True).columns) == list(BASE_DTYPES)
    empty = History().to_pandas(json=True)
    assert len(empty) == 0
    assert {name: str(dtype) for name, dtype in empty.dtypes.items()} == BASE_DTYPES


async def test_a_panels_messages_as_a_table(panel: WebSocketPanel) -> None:
    png = make_png()
    panel.send_json({"op": "ping", "n": 1})
    panel.send(b"\x00\xff")
    panel.send(png)
    await wait_for(lambda: len(panel.messages) == 6, what="three echoes")
    frame = panel.messages.to_pandas(json=True)
    assert sorted(frame.direction) == ["received"] * 3 + ["sent"] * 3
    assert frame.kind.tolist().count("binary") == 4
    assert [d for d in frame.data if isinstance(d, bytes)].count(png) == 2
    assert frame["op"].dropna().tolist() == ["ping", "ping"]
    assert json.loads(frame.data[0]) == {"op": "ping", "n": 1}
    now = datetime.datetime.now(datetime.UTC)
    assert (now - frame.time.max()).total_seconds() < 60


def test_without_pandas_the_error_says_how_to_install() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["pandas"] = None
        from wsecho_widget.model.message import History
        try:
            History().to_pandas()
        except ImportError as exc:
            print(exc)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == 'to_pandas() needs pandas: pip install "wsecho-widget[data]"'


@pytest.mark.parametrize("text", ['{"a": ' * 5000 + "1" + "}" * 5000, '{"broken": '])
def test_hostile_or_broken_json_text_is_left_as_text(text: str) -> None:
    history = History()
    history.append(Message("received", text, 1.0))
    frame = history.to_pandas(json=True)
    assert frame.data[0] == text


def test_json_nested_deeper_than_the_limit_is_left_as_text() -> None:
    from wsecho_widget.model._frames import JSON_DEPTH

    within = '{"a": ' * JSON_DEPTH + "1" + "}" * JSON_DEPTH
    beyond = '{"a": ' * (JSON_DEPTH + 1) + "1" + "}" * (JSON_DEPTH + 1)
    history = History()
    history.append(Message("received", within, 1.0))
    history.append(Message("received", beyond, 2.0))
    frame = history.to_pandas(json=True)
    assert frame["a" + ".a" * (JSON_DEPTH - 1)].tolist()[0] == 1
    assert frame.filter(like="a.a").iloc[1].isna().all()
