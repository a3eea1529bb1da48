"""A live line chart of fields of a feed: ``panel.chart("$.data.price")``.

:class:`Chart` keeps the newest ``window`` points of each line (read from each
message by :class:`~wsecho_widget.model.fields.Fields`) and redraws the figure
at most ``1 / interval`` times a second (twice by default) however fast messages
come: each redraw costs the page a plotly.js layout of the whole plot (docs/feeds.md
has the figures), a flood no more than two a second, and every message is still
in ``panel.messages``. Pause holds the picture (the data keeps coming);
zoom, pan and the hover readout are the charting library's own
(:mod:`wsecho_widget.ui._drawers`).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets
import traitlets
from IPython.display import DisplayHandle, display

from wsecho_widget._util.loop import Throttle, in_loop
from wsecho_widget.model.fields import Fields
from wsecho_widget.model.message import Message
from wsecho_widget.ui._drawers import Drawer, drawer
from wsecho_widget.ui._html import esc

__all__ = ["DEFAULT_LIBRARY", "DRAWN", "REDRAW", "Chart"]

#: The library ``panel.chart()`` draws with (docs/feeds.md says why).
DEFAULT_LIBRARY = "plotly"
#: At most this many points of a line go to the page (every n-th, the newest always):
#: a chart is a few hundred pixels wide. The kernel keeps all of them.
DRAWN = 500
#: The shortest time between two redraws, seconds (docs/feeds.md: what a redraw costs the page).
REDRAW = 0.5


class Chart(widgets.VBox):  # type: ignore[misc]  # ipywidgets ships no types
    """A chart of ``fields``: the newest ``window`` points of each line, redrawn at most
    every ``interval`` seconds. Made by ``panel.chart(...)``; shown as a widget.

    ``skipped`` counts the values that were missing or not numbers. ``to_pandas()``
    gives the plotted points; ``close()`` (or the panel's) stops it.
    """

    paused = traitlets.Bool(False, help="hold the picture still; the data keeps coming")

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        fields: Fields,
        *,
        window: int = 500,
        interval: float = REDRAW,
        title: str = "",
        library: str = DEFAULT_LIBRARY,
        on_close: Callable[[Chart], None] | None = None,
    ) -> None:
        if window < 1:
            raise ValueError(f"window must be at least 1, not {window}")
        if not interval > 0:
            raise ValueError(f"interval must be more than 0 seconds, not {interval}")
        self._fields = fields
        self.window = window
        self.loop = loop
        self.library = library
        #: How many times the figure was redrawn (at most 1 / interval a second).
        self.draws = 0
        self.closed = False
        self._lines: dict[str, tuple[deque[float], deque[float]]] = {}
        self._dirty = False
        self._on_close = on_close
        self._handles: list[DisplayHandle] = []
        self._drawer: Drawer = drawer(library, title, time_axis=fields.x is None)
        self._throttle = Throttle(loop, interval, self._draw)
        self.pause_button = widgets.ToggleButton(
            description="Pause", icon="pause", tooltip="Hold the chart still (the data keeps coming)"
        )
        self.reset_button = widgets.Button(
            description="Reset zoom", icon="expand", tooltip="Show every kept point again"
        )
        self.info_label = widgets.Label(tooltip="values that were missing or not numbers")
        traitlets.link((self, "paused"), (self.pause_button, "value"))
        self.observe(in_loop(loop, lambda _: self._resumed()), "paused")
        self.reset_button.on_click(in_loop(loop, lambda _: self._drawer.reset_zoom()))
        bar = widgets.HBox([self.pause_button, self.reset_button, self.info_label])
        super().__init__(children=[bar, self._drawer.widget], layout=widgets.Layout(width="100%"))
        self.add_class("wsecho-chart")

    # -- data ------------------------------------------------------------------------

    @property
    def skipped(self) -> int:
        """Values that were missing or not numbers (never raised)."""
        return self._fields.skipped

    @property
    def lines(self) -> list[str]:
        """The lines' names, in the order they first had a point."""
        return list(self._lines)

    def points(self, line: str | None = None) -> list[tuple[float, float]]:
        """The kept ``(x, y)`` points of ``line`` (the only or first line unless named), oldest first."""
        if line is None:
            if not self._lines:
                return []
            line = next(iter(self._lines))
        xs, ys = self._lines[line]
        return list(zip(xs, ys, strict=True))

    def add(self, parsed: Sequence[tuple[Message, Any]]) -> None:
        """Take the points of each ``(message, json)``; the redraw follows at the chart's pace."""
        if self.closed:
            return
        lines, window = self._lines, self.window
        for message, obj in parsed:
            for name, x, y in self._fields.points(message, obj):
                kept = lines.get(name)
                if kept is None:
                    kept = lines[name] = (deque(maxlen=window), deque(maxlen=window))
                kept[0].append(x)
                kept[1].append(y)
                self._dirty = True
        if self._dirty and not self.paused:
            self._throttle()

    def to_pandas(self) -> Any:
        """The kept points as a DataFrame: ``time`` (or the x path), ``line``, ``value``.

        Oldest first within each line. With x the receive time, ``time`` is a tz-aware UTC
        datetime column. Needs pandas
        (the ``data`` extra).
        """
        from wsecho_widget.ui.series import frame

        rows = [(x, name, y) for name, (xs, ys) in self._lines.items() for x, y in zip(xs, ys, strict=True)]
        xname = "time" if self._fields.x is None else self._fields.x
        return frame(rows, ["_x", "line", "value"], time=self._fields.x is None).rename(columns={"_x": xname})

    # -- drawing ---------------------------------------------------------------------

    def _draw(self) -> None:
        if self.closed or self.paused or not self._dirty:
            return
        self._dirty = False
        self.draws += 1
        self._drawer.draw({name: _thin(xs, ys, DRAWN) for name, (xs, ys) in self._lines.items()})
        skipped = self._fields.skipped
        self.info_label.value = f"{skipped:,} values skipped (missing or not numbers)" if skipped else ""

    def _resumed(self) -> None:
        if not self.paused:
            self._throttle()

    # -- what the notebook keeps --------------------------------------------------------

    def _ipython_display_(self, **kwargs: Any) -> None:
        # Shown by display id, so that close() can leave a static picture in its place
        # (a saved notebook then shows the chart with no kernel, like the panels' records).
        bundle = self._repr_mimebundle_(**kwargs) if callable(self._repr_mimebundle_) else None
        shown = display(bundle or self._record(), raw=True, display_id=True)  # type: ignore[no-untyped-call]
        if isinstance(shown, DisplayHandle):
            self._handles.append(shown)

    def _record(self) -> dict[str, str]:
        """The chart as it ended: an SVG of the kept lines, and one line of text."""
        return {"text/plain": repr(self), "text/html": svg_record(self._lines, repr(self))}

    def close(self) -> None:
        """Stop drawing and close the figure; the kept points stay readable."""
        # Also from __del__, perhaps on a chart whose __init__ failed (no charting library).
        if getattr(self, "closed", True) or not hasattr(self, "_throttle"):
            super().close()
            return
        self.closed = True
        self._throttle.cancel()
        if self._on_close is not None:
            self._on_close(self)
        # The button row too: a live row holding closed buttons fails every get_state() after.
        for child in (
            self._drawer.widget,
            self.pause_button,
            self.reset_button,
            self.info_label,
            *self.children,
        ):
            child.close()
        for handle in self._handles:
            handle.update(self._record(), raw=True)  # type: ignore[no-untyped-call]
        super().close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "paused" if self.paused else "live"
        counts = ", ".join(f"{name}: {len(xs)}" for name, (xs, _) in self._lines.items())
        return f"<Chart {state} · {counts or 'no points yet'} · {self.skipped} skipped>"


def _thin(xs: deque[float], ys: deque[float], limit: int) -> tuple[list[float], list[float]]:
    if len(xs) <= limit:
        return list(xs), list(ys)
    step = -(-len(xs) // limit)  # ceil
    keep = range(len(xs) - 1, -1, -step)[::-1]  # from the newest back, so it is always drawn
    x, y = list(xs), list(ys)
    return [x[i] for i in keep], [y[i] for i in keep]


_COLORS = ("#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3")


def svg_record(lines: dict[str, tuple[deque[float], deque[float]]], caption: str) -> str:
    """The kept lines as a small inline SVG (no script, names escaped: they come from the feed)."""
    width, height = 480, 160
    xs = [x for line_xs, _ in lines.values() for x in line_xs]
    ys = [y for _, line_ys in lines.values() for y in line_ys]
    parts = [f'<div class="wsecho-chart-record"><div>{esc(caption)}</div>']
    if xs:
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        sx = (width - 10) / ((x1 - x0) or 1)
        sy = (height - 10) / ((y1 - y0) or 1)
        parts.append(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">')
        for n, (name, (line_xs, line_ys)) in enumerate(lines.items()):
            points = " ".join(
                f"{5 + (x - x0) * sx:.1f},{height - 5 - (y - y0) * sy:.1f}"
                for x, y in zip(line_xs, line_ys, strict=True)
            )
            colour = _COLORS[n % len(_COLORS)]
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" points="{points}">'
                f"<title>{esc(name)}</title></polyline>"
            )
        parts.append("</svg>")
        legend = " · ".join(f"{esc(name)} {min(v):.6g} to {max(v):.6g}" for name, (_, v) in lines.items())
        parts.append(f"<div>{legend}</div>")
    parts.append("</div>")
    return "".join(parts)
