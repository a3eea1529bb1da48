"""How a chart is drawn: plotly's ``FigureWidget`` or bqplot, both from the ``charts`` extra.

A drawer holds one figure widget and redraws every line from the kernel's data
(numpy arrays, sent to the page as binary buffers by both libraries). Each
library's front end ships in its wheel; nothing is downloaded. docs/feeds.md says
which one ``panel.chart()`` uses and why (the browser benchmark's figures).

plotly's ``FigureWidget`` sends each update as four comm messages (two edit
counters, the update, and the update set back to None); the drawer's figure sends
it as one (:func:`_figure_class`).

Imported only when a chart is made: ``import wsecho_widget`` needs neither library.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Sequence
from typing import Any, Protocol

__all__ = ["LIBRARIES", "Drawer", "drawer"]

LIBRARIES = ("plotly", "bqplot")
_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
_INSTALL = 'charts need {name}: pip install "wsecho-widget[charts]"'


class Drawer(Protocol):
    """One figure: ``widget`` goes in the page, ``draw`` replaces its lines."""

    widget: Any

    def draw(self, lines: dict[str, tuple[Sequence[float], Sequence[float]]]) -> None: ...

    def reset_zoom(self) -> None: ...


def drawer(library: str, title: str, time_axis: bool) -> Drawer:
    """A drawer of ``library``; ImportError with the one line that says how to install it."""
    if library not in LIBRARIES:
        raise ValueError(f"library is one of {', '.join(LIBRARIES)}, not {library!r}")
    try:
        if library == "plotly":
            return _Plotly(title, time_axis)
        return _Bqplot(title, time_axis)
    except ImportError:
        raise ImportError(_INSTALL.format(name=library)) from None


def _origin(lines: dict[str, tuple[Sequence[float], Sequence[float]]]) -> float | None:
    firsts = [xs[0] for xs, _ in lines.values() if len(xs)]
    return min(firsts) if firsts else None


def _since(origin: float) -> str:
    return f"seconds since {time.strftime('%H:%M:%S', time.localtime(origin))}"


class _Plotly:
    """plotly.js through ``FigureWidget``: zoom, pan and a hover readout built in.

    Receive times are drawn as seconds since the first point, on a linear axis: the
    numbers go to the page as binary buffers (a date axis given the same epoch
    numbers as a typed array fell back to a linear axis of raw epoch values).
    """

    def __init__(self, title: str, time_axis: bool) -> None:
        self._time = time_axis
        self._start: float | None = None
        self.widget = _figure_class()(
            layout={
                "title": {"text": title, "font": {"size": 13}},
                "height": 280,
                "margin": {"l": 50, "r": 20, "t": 36, "b": 40},
                "hovermode": "closest",
                "uirevision": "keep",  # a zoom survives every redraw
                "showlegend": True,
            }
        )
        self._names: list[str] = []

    def draw(self, lines: dict[str, tuple[Sequence[float], Sequence[float]]]) -> None:
        np = importlib.import_module("numpy")
        figure = self.widget
        with figure.batch_update():
            if self._time and self._start is None and (start := _origin(lines)) is not None:
                self._start = start
                figure.update_xaxes(title_text=_since(start))
            shift = self._start or 0.0
            for name in lines:
                if name not in self._names:
                    self._names.append(name)
                    # Lines only: one SVG path per line (markers were 1,000 elements each).
                    figure.add_scatter(name=name, mode="lines")
            for index, name in enumerate(self._names):
                xs, ys = lines.get(name, ((), ()))
                trace = figure.data[index]
                trace.x = np.asarray(xs, dtype=float) - shift
                trace.y = np.asarray(ys, dtype=float)

    def reset_zoom(self) -> None:
        self.widget.update_xaxes(autorange=True)
        self.widget.update_yaxes(autorange=True)


_FIGURE: list[type] = []


def _figure_class() -> type:
    """plotly's ``FigureWidget``, sending an update (``batch_update``'s) as one comm message.

    plotly's own sets two edit counters and the update, each a message, then sets the
    update back to None, a fourth: the page parses and handles each one. Here the three
    go in one message, and the update stays (a view drawn later starts from the figure's
    data, not from the last update). Made on first use: plotly is imported only then.
    """
    go = importlib.import_module("plotly.graph_objects")  # ImportError without the extra
    if _FIGURE:
        return _FIGURE[0]

    class Figure(go.FigureWidget):  # type: ignore[misc,name-defined]  # plotly ships no types
        def _send_update_msg(
            self,
            restyle_data: dict[str, Any],
            relayout_data: dict[str, Any],
            trace_indexes: Any = None,
            source_view_id: str | None = None,
        ) -> None:
            with self.hold_sync():
                self._last_trace_edit_id += 1
                self._last_layout_edit_id += 1
                self._py2js_update = {
                    "style_data": restyle_data,
                    "layout_data": relayout_data,
                    "style_traces": self._normalize_trace_indexes(trace_indexes),
                    "trace_edit_id": self._last_trace_edit_id,
                    "layout_edit_id": self._last_layout_edit_id,
                    "source_view_id": source_view_id,
                }

    _FIGURE.append(Figure)
    return Figure


class _Bqplot:
    """bqplot: d3 lines, pan and zoom by dragging, the line's name on hover."""

    def __init__(self, title: str, time_axis: bool) -> None:
        bqplot = importlib.import_module("bqplot")

        self._bq = bqplot
        self._time = time_axis
        self._x = bqplot.DateScale() if time_axis else bqplot.LinearScale()
        self._y = bqplot.LinearScale()
        self._marks: dict[str, Any] = {}
        axes = [bqplot.Axis(scale=self._x), bqplot.Axis(scale=self._y, orientation="vertical")]
        self._zoom = bqplot.interacts.PanZoom(scales={"x": [self._x], "y": [self._y]})
        self.widget = bqplot.Figure(
            marks=[],
            axes=axes,
            title=title,
            interaction=self._zoom,
            layout={"height": "280px", "width": "100%"},
            fig_margin={"top": 36, "bottom": 36, "left": 50, "right": 20},
        )

    def draw(self, lines: dict[str, tuple[Sequence[float], Sequence[float]]]) -> None:
        np = importlib.import_module("numpy")

        bq = self._bq
        for name, (xs, ys) in lines.items():
            x = np.asarray(xs, dtype=float)
            if self._time:
                x = (x * 1000).astype("datetime64[ms]")
            mark = self._marks.get(name)
            if mark is None:
                # (A Lines mark's tooltip names the line, not the point: plotly's readout is finer.)
                mark = bq.Lines(
                    x=x,
                    y=np.asarray(ys, dtype=float),
                    scales={"x": self._x, "y": self._y},
                    labels=[name],
                    display_legend=True,
                    colors=[_COLORS[len(self._marks) % len(_COLORS)]],
                    tooltip=bq.Tooltip(fields=["name"]),
                )
                self._marks[name] = mark
                self.widget.marks = [*self.widget.marks, mark]
            else:
                with mark.hold_sync():
                    mark.x, mark.y = x, np.asarray(ys, dtype=float)

    def reset_zoom(self) -> None:
        for scale in (self._x, self._y):
            scale.min = scale.max = None
