"""What a panel leaves behind: its output kept by display id, the static record, the report.

:class:`Recorded` is mixed into every panel. The panel is displayed with a display id
it keeps (``_ipython_display_``), so that on ``close()`` and on ``freeze()`` it can
replace every output where it shows with the static record of
:mod:`wsecho_widget.ui.snapshot` (``update_display_data``, also after its cell
finished): a notebook saved afterwards shows the conversation with no kernel, in
nbconvert's HTML, nbviewer or GitHub. While live, the output's ``text/plain`` says
what the panel is and what to install where if the widget front end did not load
(:mod:`wsecho_widget.ui.environment`). ``report()`` writes or shows
:mod:`wsecho_widget.ui.report`'s file.

It reads the parts every panel has (``status_bar``, ``notice_bar``, ``log_panel``);
a panel adds lines and rows through :meth:`Recorded._record_extra` and
:meth:`Recorded._report_rows`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from IPython.display import DisplayHandle, display

from wsecho_widget.model.message import History, Message
from wsecho_widget.ui.environment import live_text
from wsecho_widget.ui.report import REPORT_BUDGET, ReportInput, build_report, report_frame
from wsecho_widget.ui.snapshot import MAX_LINES, Record, snapshot_bundle

__all__ = ["Recorded"]


class Recorded:
    """Display by id, a static record on close and ``freeze()``, ``report()``."""

    _display_handle: DisplayHandle | None = None
    _recorded_closed = False

    # -- what a panel adds ------------------------------------------------------------

    def _record_extra(self) -> list[str]:
        """Lines the record shows under the URL and counts (a server's addresses)."""
        return []

    def _report_rows(self) -> list[tuple[str, str]]:
        """Rows the report's connection table adds (subprotocol, clients, ...)."""
        return []

    def _report_events(self) -> Sequence[str]:
        """Event lines for the report (a server's connections and closes)."""
        return ()

    def _report_text(self) -> Callable[[Message], str | None] | None:
        """How a frame reads in the report instead of its data (a protocol's line,
        secrets masked), or None to show the data itself."""
        return None

    # -- the display ------------------------------------------------------------------

    def _ipython_display_(self, **kwargs: Any) -> None:
        # ipywidgets sets _repr_mimebundle_ to None on a closed widget.
        widget_bundle = getattr(self, "_repr_mimebundle_", None)
        bundle = widget_bundle(**kwargs) if callable(widget_bundle) else None
        if bundle is None:  # closed: the widget is gone, the record stays
            bundle = self._record("closed")
        else:
            status, url, _ = self._parts()
            bundle["text/plain"] = live_text(type(self).__name__, url or "(embedded)", status)
        handle = self._display_handle
        shown = _show(bundle, True if handle is None else handle.display_id)
        if handle is None:
            self._display_handle = shown

    def freeze(self) -> dict[str, str]:
        """Replace the panel's outputs by a static record of now; returns that bundle.

        The panel goes on in the kernel (code can still send and receive); showing it
        again (``panel`` as a cell's last expression) shows it live again.
        """
        bundle = self._record("frozen")
        if self._display_handle is not None:
            _update(self._display_handle, bundle)
        return bundle

    def _leave_record(self) -> None:
        """On close: the outputs become the static record (once; never raises)."""
        if self._recorded_closed or self._display_handle is None or not hasattr(self, "log_panel"):
            return
        self._recorded_closed = True
        try:
            _update(self._display_handle, self._record("closed"))
        except Exception as exc:  # closing must go on; say why the record is missing
            warnings.warn(f"{type(self).__name__}: no static record left: {exc!r}", stacklevel=2)

    # -- what the record and the report read ------------------------------------------

    def _parts(self) -> tuple[str, str, str]:
        # The status line, the masked URL and the counts, as the panel shows them.
        bars: Any = self
        return (
            str(bars.status_bar.status_label.value),
            str(bars.status_bar.url_label.value),
            str(bars.notice_bar.stats_label.value),
        )

    def _history(self) -> History:
        history: History = getattr(self, "log_panel").history  # noqa: B009  # mixin: set by the panel
        return history

    def _record(self, reason: str) -> dict[str, str]:
        status, url, counts = self._parts()
        history = self._history()
        log_panel: Any = getattr(self, "log_panel")  # noqa: B009
        render = log_panel.log_view.render
        recent = list(history)[-MAX_LINES:]
        record = Record(
            kind=type(self).__name__,
            status=status,
            url=url or None,
            counts=counts,
            lines=[render(m) for m in recent],
            messages=history,
            extra=self._record_extra(),
            total=len(history),
            reason=reason,
        )
        return snapshot_bundle(record)

    def report_html(self, *, budget: int = REPORT_BUDGET) -> str:
        """The session report as one HTML document (see :meth:`report`)."""
        status, url, counts = self._parts()
        history = self._history()
        log_panel: Any = getattr(self, "log_panel")  # noqa: B009
        fmt = log_panel.toolbar.format
        data = ReportInput(
            kind=type(self).__name__,
            status=status,
            url=url or None,
            connection=[("counts", counts), *self._report_rows()],
            messages=history,
            totals=history.totals,
            dropped=history.dropped,
            fmt=replace(fmt, pretty_json=True),
            events=self._report_events(),
            text=self._report_text(),
        )
        return build_report(data, budget=budget)

    def report(
        self, path: str | os.PathLike[str] | None = None, *, budget: int = REPORT_BUDGET
    ) -> Path | None:
        """Write the session report to ``path`` (one HTML file, no scripts, no network).

        Returns the file's absolute path. Without a path the report is shown in the
        notebook instead (in a sandboxed frame) and None is returned. The report holds
        the connection, timings, statistics, the pictures and the message table with
        decoded payloads; a session larger than ``budget`` bytes is summarised and the
        report says what it left out.
        """
        html = self.report_html(budget=budget)
        if path is None:
            _show({"text/html": report_frame(html), "text/plain": "(the session report)"})
            return None
        target = Path(path).expanduser().absolute()
        target.write_text(html, encoding="utf-8")
        return target


# IPython's display functions are untyped: typed once here.
def _show(bundle: dict[str, Any], display_id: str | bool | None = None) -> DisplayHandle | None:
    handle = display(bundle, raw=True, display_id=display_id)  # type: ignore[no-untyped-call]
    return handle if isinstance(handle, DisplayHandle) else None


def _update(handle: DisplayHandle, bundle: dict[str, Any]) -> None:
    handle.update(bundle, raw=True)  # type: ignore[no-untyped-call]
