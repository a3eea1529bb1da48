"""What a replay found: JSON by path, text whole, binary by offset; a report as text, table, escaped HTML."""

from __future__ import annotations

from wsecho_widget.model.diff import Difference, ReplayReport, compare
from wsecho_widget.model.message import Message


def got(data: str | bytes) -> Message:
    return Message("received", data, 0.0)


def test_json_differences_by_path_with_ignores() -> None:
    old = got('{"type": "tick", "price": 101, "ts": 1, "tags": ["a"], "ok": true}')
    new = got('{"type": "tick", "price": 102, "ts": 2, "tags": ["a", "b"], "ok": 1}')
    found = compare(3, 1, old, new, ignore=["$.ts"])
    assert [(d.kind, d.path, d.old, d.new) for d in found] == [
        ("changed", "$.price", 101, 102),
        ("changed", "$.ok", True, 1),
        ("extra", "$.tags[1]", None, "b"),
    ]
    assert all(d.step == 3 and d.reply == 1 for d in found)
    assert (
        compare(
            1, 1, old, got('{"type": "tick", "price": 101, "ts": 9, "tags": ["a"], "ok": true}'), ["$.ts"]
        )
        == []
    )


def test_text_and_binary_differences() -> None:
    (text,) = compare(1, 1, got("pong"), got("PONG"))
    assert (text.path, text.old, text.new) == ("$", "pong", "PONG")
    (binary,) = compare(1, 2, got(bytes(range(10))), got(bytes(range(4)) + b"\xff\xfe" + bytes(range(6, 10))))
    assert (binary.offset, binary.length) == (4, 2)
    assert binary.old.startswith("04 05") and binary.new.startswith("ff fe")
    (longer,) = compare(1, 1, got(b"abc"), got(b"abcde"))
    assert (longer.offset, longer.length) == (3, 2)


def test_a_report_reads_as_text_a_dataframe_and_escaped_html() -> None:
    report = ReplayReport("ws://127.0.0.1:1/", 2)
    assert report.ok and "no differences" in str(report) and "<table" not in report._repr_html_()
    report.differences = [
        Difference(1, 1, "changed", "$.html", "<b>", "<script>alert(1)</script>"),
        Difference(2, 1, "missing", "$", "pong", None),
        Difference(2, 2, "changed", "$", "00 01", "00 02", offset=1, length=1),
    ]
    assert not report.ok
    html = report._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<tr>") == 4
    frame = report.to_pandas()
    assert list(frame.columns) == ["step", "reply", "kind", "path", "old", "new", "offset", "length"]
    assert frame["offset"].tolist()[2] == 1 and str(frame["offset"].dtype) == "Int64"
    assert "step 2 reply 1 $: missing pong" in str(report)
