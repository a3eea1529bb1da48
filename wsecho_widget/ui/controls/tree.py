"""Closing a panel's widget tree: every widget under a box, with its Layout and Style.

``Widget.close()`` closes one widget: not its children, and not its ``layout`` and
``style``, which are widgets too and stay in ``Widget.widgets`` (and in the front
end) until closed. A panel's ``close()`` calls :func:`close_descendants` on itself,
then ``super().close()``.

Imports ipywidgets only: never the session, the controls' siblings or a panel.
"""

from __future__ import annotations

import ipywidgets as widgets

__all__ = ["close_descendants"]


def close_descendants(box: widgets.Box) -> None:
    """Close every widget under ``box`` (children first), their Layouts and Styles,
    and ``box``'s own Layout and Style; ``box`` itself stays open for its own close().

    A child that overrides ``close()`` (a control that cancels its timers) runs it.
    Safe to call twice, and from ``__del__`` (closing needs no running loop).
    """
    for widget in _descendants(box):
        widget.close()


def _descendants(box: widgets.Box) -> list[widgets.Widget]:
    found: list[widgets.Widget] = []
    for child in box.children:
        if isinstance(child, widgets.Box):
            found.extend(_descendants(child))
        found.append(child)
    extras = []
    for widget in [*found, box]:
        for name in ("layout", "style"):
            sub = getattr(widget, name, None)
            if isinstance(sub, widgets.Widget):
                extras.append(sub)
    return found + extras
