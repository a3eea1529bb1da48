"""The session report: one self-contained HTML file, readable, escaped, within its budget."""

from __future__ import annotations

import re

import msgpack

from tests.helpers import make_png
from tests.html_checks import HOSTILE, audit
from wsecho_widget.model.message import History, Message
from wsecho_widget.ui.render import LogFormat
from wsecho_widget.ui.report import ReportInput, build_report, reply_times

T0 = 1_790_000_000.0


def test_every_section_and_the_policy_that_forbids_scripts_and_network() -> None:
    messages = [
        Message("sent", '{"op": "subscribe", "n": [1, 2]}', T0),
        Message("received", '{"op": "subscribe", "n": [1, 2]}', T0 + 0.004),
        Message("received", make_png(48, 32), T0 + 0.5),
    ]
    page = build_report(
        ReportInput(
            "WebSocketPanel",
            "● closed: disconnected",
            url="wss://user:pw@api.example.org/feed?key=secret",
            connection=[("subprotocol", "chat")],
            messages=messages,
            made=T0 + 1,
        )
    )
    found = audit(page)
    text = found.all_text
    for heading in ("Connection", "Timings", "Statistics", "Pictures", "Messages"):
        assert f"{heading}" in found.text
    assert "wss://***@api.example.org/feed?key=***" in text and "secret" not in page
    assert "subprotocolchat" in text.replace("\n", "")
    assert "reply time" in text and "median 4.0 ms" in text  # the echo came 4 ms later
    assert "sent 1 (32 B) · received 2" in text
    assert '"n": [\n    1,' in text  # the JSON payload pretty-printed
    assert "png picture 48x32" in text
    assert len(found.pictures) == 1 and found.pictures[0].startswith("data:image/png;base64,")
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None and policy.group(1).startswith("default-src 'none'")


def test_hostile_text_is_text_in_every_cell() -> None:
    messages = [Message("received", HOSTILE, T0, client="c1"), Message("sent", HOSTILE, T0 + 1, client="*")]
    page = build_report(
        ReportInput(
            HOSTILE, HOSTILE, url=None, connection=[(HOSTILE, HOSTILE)], messages=messages, events=[HOSTILE]
        )
    )
    found = audit(page)
    assert found.all_text.count(HOSTILE) >= 7
    assert "<script>" not in page


def test_binary_payloads_are_decoded_with_the_logs_view() -> None:
    frame = msgpack.packb({"sym": "EURUSD", "bid": 1.0834})
    messages = [Message("received", frame, T0)]
    decoded = audit(
        build_report(ReportInput("p", "open", messages=messages, fmt=LogFormat(binary="msgpack")))
    )
    assert '"sym": "EURUSD"' in decoded.all_text
    hexed = audit(build_report(ReportInput("p", "open", messages=messages)))
    assert "00000000  82 a3 73 79 6d" in hexed.all_text  # the auto view shows a hex dump


def test_reply_times_pair_each_send_with_the_next_reception_from_the_same_peer() -> None:
    messages = [
        Message("sent", "a", T0, client="c1"),
        Message("sent", "b", T0 + 0.1, client="c2"),
        Message("received", "b", T0 + 0.3, client="c2"),
        Message("received", "a", T0 + 0.5, client="c1"),
        Message("sent", "all", T0 + 1, client="*"),  # a broadcast: nobody's reply in particular
        Message("received", "x", T0 + 2, client="c1"),
    ]
    assert [round(t, 3) for t in reply_times(messages)] == [0.2, 0.5]
    page = audit(build_report(ReportInput("ServerPanel", "listening", messages=messages)))
    assert "client c1sent 1 · received 2" in page.all_text.replace("\n", "")
    assert "all clients (broadcast)sent 1 · received 0" in page.all_text.replace("\n", "")


def test_a_large_session_is_summarised_within_the_budget_and_says_what_was_left_out() -> None:
    history = History(limit=5_000)
    for i in range(20_000):  # the history keeps the newest 5,000; totals count all
        history.append(Message("sent" if i % 2 == 0 else "received", f"{i:06d} " + "x" * 900, T0 + i / 100))
    history.extend([Message("received", make_png(60 + i, 40), T0 + 300 + i) for i in range(100)])
    budget = 1_000_000
    page = build_report(
        ReportInput(
            "WebSocketPanel",
            "open",
            messages=history,
            totals=history.totals,
            dropped=history.dropped,
        ),
        budget=budget,
    )
    assert len(page.encode("utf-8")) <= budget
    found = audit(page)
    text = found.all_text
    assert "sent 10,000 (" in text and "received 10,100 (" in text  # exact totals
    assert "the 15,100 older ones were dropped" in text
    left = re.search(r"([\d,]+) messages left out here", text)
    assert left is not None and int(left.group(1).replace(",", "")) > 4_000
    assert "015100 xxx" in text  # the oldest kept row (head)
    assert "019999 xxx" in text  # the newest text row (tail)
    assert "Left out to stay within" in text and "messages of the table" in text
    assert 0 < len(found.pictures) < 100 and "pictures" in text


def test_an_empty_session() -> None:
    found = audit(build_report(ReportInput("WebSocketPanel", "● closed")))
    assert "none" in found.all_text


def test_the_reply_times_p95_lies_between_the_median_and_the_max() -> None:
    messages = []
    for i, delay in enumerate((0.001, 0.002, 0.003, 0.010)):
        messages += [Message("sent", "a", T0 + i), Message("received", "a", T0 + i + delay)]
    text = audit(build_report(ReportInput("p", "open", messages=messages))).all_text
    # p95 interpolated between 3 and 10 ms: 8.95 ms, shown as 8.9 (binary float).
    assert "median 2.5 ms · p95 8.9 ms · max 10.0 ms (4 replies)" in text
