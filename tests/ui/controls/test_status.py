"""The status and stats lines alone: what they show for what they are told."""

from __future__ import annotations

from wsecho_widget.ui.controls import NoticeBar, StatusBar


def test_the_status_line_shows_status_url_and_round_trip_in_the_themes_colour() -> None:
    bar = StatusBar()
    try:
        assert bar.children == (bar.status_label, bar.url_label)
        assert "wsecho-status" in bar.status_label._dom_classes  # the browser tests' hook
        bar.show("open", "ws://127.0.0.1:1/", "ws://127.0.0.1:1/", 0.0021)
        assert bar.status_label.value == "● open · round trip 2.1 ms"
        assert bar.url_label.value == "ws://127.0.0.1:1/"
        assert bar.status_label.style.text_color.startswith("var(--jp-success-color1")
        bar.show("error", "connection refused")
        assert bar.status_label.value == "● error: connection refused"
        assert bar.status_label.style.text_color.startswith("var(--jp-error-color1")
        assert bar.url_label.value == ""
    finally:
        bar.close()


def test_the_stats_line_syncs_only_changes_and_the_notice_is_one_line() -> None:
    bar = NoticeBar()
    syncs: list[str] = []
    bar.stats_label.observe(lambda change: syncs.append(change["new"]), "value")
    try:
        bar.show_stats(["sent 1 (1 B)", "received 1 (1 B)"])
        bar.show_stats(["sent 1 (1 B)", "received 1 (1 B)"])
        assert syncs == ["sent 1 (1 B) · received 1 (1 B)"]
        bar.notify("header X added")
        assert bar.notice == bar.notice_label.value == "header X added"
        bar.notify("")
        assert bar.notice == ""
    finally:
        bar.close()
