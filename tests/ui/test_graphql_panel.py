"""GraphQLPanel's controls against a real strawberry server (no browser)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

pytest.importorskip("strawberry", reason="install the test extra: pip install -e .[test]")

from tests.helpers import live_widgets, page, wait_for
from tests.protocol_servers import (
    TOKEN,
    GraphQLServer,
    graphql_server,  # noqa: F401 (the fixture `server`)
)
from wsecho_widget import GraphQLPanel
from wsecho_widget.ui.graphql_panel import parse_variables


def log(panel: GraphQLPanel) -> str:
    return page(panel.log_panel.output).text()


@pytest.fixture
async def panel(server: GraphQLServer) -> AsyncIterator[GraphQLPanel]:
    panel = GraphQLPanel(server.url, connection_params={"token": TOKEN}, render_interval=0.01)
    await asyncio.wait_for(panel.ready, 5)
    yield panel
    await panel.disconnect()  # a closing handshake: aiohttp then stops at once, not in 1 s
    panel.close()


def test_parse_variables() -> None:
    assert parse_variables('{"n": 1}') == {"n": 1}
    assert parse_variables(" ") is None
    with pytest.raises(ValueError, match="a JSON object"):
        parse_variables("[1]")
    with pytest.raises(ValueError, match=r"not JSON: Expecting property name .* \(line 1, column 2\)"):
        parse_variables("{n: 1}")


async def test_run_pretty_prints_the_result(panel: GraphQLPanel) -> None:
    panel.query_input.value = "query Q($n: String!) { hello(name: $n) }"
    panel.variables_input.value = '{"n": "Ada"}'
    panel.run()
    await wait_for(lambda: panel.notice_bar.notice == "done", what="done")
    await wait_for(lambda: '"hello": "Hello, Ada!"' in log(panel), what="the result")
    assert "next #1" in log(panel)
    assert "{\n" in log(panel)  # pretty-printed over several lines
    assert 'connection_init {"token": "***"}' in log(panel)
    assert TOKEN not in log(panel)


async def test_bad_variables_are_checked_before_sending(panel: GraphQLPanel) -> None:
    before = len(panel.messages)
    panel.query_input.value = "{ hello }"
    panel.variables_input.value = "{n: 1}"
    panel.run()
    assert panel.notice_bar.notice.startswith("variables are not JSON")
    panel.variables_input.value = "[1]"
    panel.start_subscription()
    assert "a JSON object" in panel.notice_bar.notice
    await asyncio.sleep(0.2)
    assert len(panel.messages) == before


async def test_an_error_is_shown_in_words(panel: GraphQLPanel) -> None:
    panel.query_input.value = "{ nope }"
    panel.run()
    await wait_for(
        lambda: panel.notice_bar.notice.startswith("error: Cannot query field 'nope'"), what="error"
    )
    await wait_for(lambda: "error #1: Cannot query field 'nope'" in log(panel), what="logged")


async def test_subscriptions_have_rows_with_stop(panel: GraphQLPanel) -> None:
    panel.query_input.value = "subscription { count(to: 1000, delay: 0.05) }"
    first = panel.start_subscription()
    second = panel.start_subscription()
    assert first is not None and second is not None
    rows = panel.subscriptions_box.children
    assert len(rows) == 2
    assert rows[0].children[1].value.startswith(f"#{first.id} subscription")
    await wait_for(lambda: first.received >= 3 and second.received >= 3, what="results")
    assert "2 active subscriptions" in panel.notice_bar.stats_label.value
    row_widgets = [rows[0], rows[0].layout]
    row_widgets += [w for child in rows[0].children for w in (child, child.layout, child.style)]
    row_ids = {w.model_id for w in row_widgets}
    rows[0].children[0].click()  # Stop
    await wait_for(lambda: len(panel.subscriptions_box.children) == 1, what="row gone")
    # The row is closed with its button and label, and their Layouts and Styles.
    assert len(row_ids) == 8 and not row_ids & set(live_widgets())
    assert first.done and not second.done
    assert panel.notice_bar.notice.startswith(f"#{first.id} done")
    await wait_for(lambda: f"complete #{first.id}" in log(panel), what="complete logged")
    stopped_at = first.received
    await asyncio.sleep(0.3)
    assert first.received <= stopped_at + 1
    assert second.received > 3


async def test_raw_shows_frames_with_the_init_payload_masked(panel: GraphQLPanel) -> None:
    panel.raw_button.value = True
    await wait_for(lambda: '{"type":"connection_init","payload":{"token":"***"}}' in log(panel), what="raw")
    assert '"type":"connection_ack"' in log(panel)
    assert TOKEN not in log(panel)


async def test_a_refused_init_is_shown_and_not_retried(server: GraphQLServer) -> None:
    panel = GraphQLPanel(server.url, connection_params={"token": "no"}, reconnect_delays=[0.1])
    try:
        with pytest.raises(ConnectionError, match="4403"):
            await asyncio.wait_for(panel.ready, 5)
        assert panel.status == "error"
        assert "4403 forbidden" in panel.status_bar.status_label.value
        assert "not reconnecting" in panel.status_bar.status_label.value
        assert panel.connect_button.description == "Connect"
    finally:
        panel.close()


async def test_executes_answered_are_round_trips_in_stats(panel: GraphQLPanel) -> None:
    assert panel.stats().round_trip_p50 is None
    for _ in range(3):
        result = await panel.execute("{ slow(seconds: 0.15) }")  # the server waits 0.15 s
        assert result == {"data": {"slow": "ok"}}
    stats = panel.stats()
    assert stats.round_trip_p50 is not None and stats.round_trip_p95 is not None
    assert 0.15 <= stats.round_trip_p50 <= stats.round_trip_p95 < 0.6
    # A subscription's results are not round trips: they come when the server has them.
    async for _ in panel.subscribe("subscription { count(to: 3, delay: 0.3) }"):
        pass
    assert panel.stats().round_trip_p95 == stats.round_trip_p95
    assert not panel.client._asked


async def test_resend_runs_the_operation_again_as_a_new_one_and_edit_fills_the_form(
    panel: GraphQLPanel,
) -> None:
    import json

    from tests.ui.controls.test_detail import from_page

    def operations() -> list[dict[str, object]]:
        frames = [json.loads(m.data) for m in panel.messages if m.direction == "sent"]
        return [f for f in frames if f.get("type") == "subscribe"]

    panel.query_input.value = "query Q($n: String!) { hello(name: $n) }"
    panel.variables_input.value = '{"n": "Ada"}'
    panel.run()
    await wait_for(lambda: panel.notice_bar.notice == "done", what="the first run")
    sent = next(m for m in panel.messages if m.direction == "sent" and '"subscribe"' in m.data)
    panel.select(sent.seq)
    widget = panel.log_panel.detail.widget
    from_page(widget, {"kind": "resend", "seq": sent.seq})
    await wait_for(lambda: len(operations()) == 2, what="the operation again")
    first, again = operations()
    assert first["id"] != again["id"] and first["payload"] == again["payload"]  # a new id, the same query
    await wait_for(lambda: log(panel).count('"hello": "Hello, Ada!"') == 2, what="its result")

    panel.query_input.value, panel.variables_input.value = "", ""
    from_page(widget, {"kind": "edit", "seq": sent.seq})
    await wait_for(lambda: panel.query_input.value != "", what="the form filled")
    assert panel.query_input.value == "query Q($n: String!) { hello(name: $n) }"
    assert json.loads(panel.variables_input.value) == {"n": "Ada"}

    panel.query_input.value, panel.variables_input.value = "subscription { count(to: 2) }", ""
    sub = panel.start_subscription()
    assert sub is not None
    await wait_for(lambda: f"#{sub.id} done" in panel.notice_bar.notice, what="the subscription")
    started = [m for m in panel.messages if m.direction == "sent" and '"subscribe"' in m.data][-1]
    panel.select(started.seq)
    from_page(widget, {"kind": "resend", "seq": started.seq})  # a subscription again: a row with Stop
    await wait_for(lambda: len(operations()) == 4, what="the subscription again")
    await wait_for(lambda: "done (2 results)" in panel.notice_bar.notice, what="its results")

    init = next(m for m in panel.messages if m.direction == "sent" and "connection_init" in m.data)
    panel.select(init.seq)
    from_page(widget, {"kind": "resend", "seq": init.seq})
    await wait_for(lambda: "is not an operation sent" in panel.notice_bar.notice, what="the reason")
    assert len(operations()) == 4
