"""The panel's parts, each a small widget that owns its children and their behaviour.

A panel composes them and passes callbacks down; the parts never touch a
:class:`~wsecho_widget.client.session.Session` (or anything with a socket): messages go
up through the callbacks, which run in the kernel loop's thread (a part wires
its own widgets through :func:`in_loop`). A second panel (a server panel, a
protocol panel) reuses them like this::

    loop = session.loop
    status = StatusBar()                        # status.show(status, detail, url, latency)
    notices = NoticeBar()                       # notices.notify(text); notices.show_stats(parts)
    send = SendBar(
        loop,
        on_text=lambda text: ...,               # send it; True = sent (input cleared), False = keep it
        on_files=lambda files: ...,             # [(name, bytes)]; True = all sent (choice released)
        notify=notices.notify,
        text_row_extra=[my_button],             # more widgets on the input's row
    )
    log = LogPanel(
        loop,
        history,                                # a Sequence[Message]; call log.add(batch) for new ones
        LogOptions(limit=200, interval=0.05),   # optional: sizes and pace (the defaults shown)
        on_change=lambda: notices.show_stats([*my_totals, *log.summary()]),
        render=lambda fmt, m: f"{client(m)} " + fmt.render(m),  # optional: an extra column
    )
    form = OptionsForm(loop, on_apply=..., notify=notices.notify)  # form.toggle_button: place it
    save = SaveButton(loop, lambda: history, notices.notify)      # save.save(path) writes at once

:class:`LogToolbar` (filter, JSON, binary view, pause) comes inside :class:`LogPanel`
(``log.toolbar``); alone it calls ``on_view(format, keep)`` and ``on_pause(paused)``.
:class:`Debouncer` is the one timer helper: ``restart()`` waits for a pause,
``start()`` keeps a pace. Each part's ``close()`` cancels its timers; a panel's
``close()`` calls :func:`close_descendants` on itself (every widget under it, with
the Layouts and Styles that ``Widget.close()`` leaves alive), then ``super().close()``.

Must not import the session or the panel; the parts may import ``render``,
``options`` (the connection options' checks), ``logview``, ``model`` and
``connection.ChannelError``.
"""

from __future__ import annotations

from wsecho_widget._util.loop import Debouncer, in_loop
from wsecho_widget.ui.controls._options import LogOptions
from wsecho_widget.ui.controls.log import LogPanel
from wsecho_widget.ui.controls.options import OptionsForm
from wsecho_widget.ui.controls.save import SaveButton
from wsecho_widget.ui.controls.sendbar import SendBar
from wsecho_widget.ui.controls.status import NoticeBar, StatusBar
from wsecho_widget.ui.controls.toolbar import LogToolbar
from wsecho_widget.ui.controls.tree import close_descendants

__all__ = [
    "Debouncer",
    "LogOptions",
    "LogPanel",
    "LogToolbar",
    "NoticeBar",
    "OptionsForm",
    "SaveButton",
    "SendBar",
    "StatusBar",
    "close_descendants",
    "in_loop",
]
