"""The static record a panel leaves in the notebook: ``text/html`` and ``text/plain``.

When a panel closes (or on ``freeze()``) its output is replaced by this record, so a
notebook saved afterwards shows the conversation wherever it is opened with no kernel:
nbconvert's HTML, nbviewer, GitHub, JupyterLab with the kernel gone. It holds the
status, the URL with its secrets masked, the counts, the last log lines and a few
pictures as ``data:`` URIs within a byte budget.

The HTML has no script, no event handler attribute, no ``<style>`` element (inline
styles only, so nothing leaks into the page around it) and no external resource;
every text is escaped. Pure: no widgets, no IPython (see the contracts in
pyproject.toml).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from wsecho_widget.model.media import MediaLimits
from wsecho_widget.model.message import Message
from wsecho_widget.net.errors import redact_url
from wsecho_widget.ui._html import clip, esc, pick_pictures, stamp

__all__ = ["MAX_LINES", "MAX_PICTURES", "PICTURE_BUDGET", "Record", "snapshot_bundle"]

#: How many of the newest log entries the record shows.
MAX_LINES = 50
#: How many of the newest pictures it embeds.
MAX_PICTURES = 8
#: The most bytes its pictures take, as ``data:`` URIs.
PICTURE_BUDGET = 1_000_000
#: One log entry is cut after this many characters (a 10 MB text frame stays 10 MB in
#: the history, not in the notebook).
ENTRY_CHARACTERS = 2_000

_BOX = (
    "font-family:var(--jp-ui-font-family,system-ui,sans-serif);font-size:13px;"
    "border:1px solid rgba(128,128,128,0.5);border-radius:4px;padding:6px 8px;margin:2px 0"
)
_PRE = (
    "font-family:var(--jp-code-font-family,monospace);font-size:12px;white-space:pre-wrap;"
    "overflow-wrap:anywhere;max-height:28em;overflow:auto;margin:4px 0;padding:4px;"
    "border-top:1px solid rgba(128,128,128,0.3)"
)
_DIM = "opacity:0.75"


@dataclass(frozen=True)
class Record:
    """What a panel was doing, as plain values: the record's input.

    ``messages`` are the panel's log messages, oldest first; ``render`` is not here:
    the panel renders its entries (``lines``, oldest first) as its log shows them.
    ``total`` is how many entries the log had (default: ``len(lines)``). ``url`` is
    masked again here whatever the caller did.
    """

    kind: str
    status: str
    url: str | None = None
    counts: str = ""
    lines: Sequence[str] = ()
    messages: Sequence[Message] = ()
    extra: Sequence[str] = ()
    total: int | None = None
    reason: str = "closed"
    made: float = field(default_factory=time.time)
    limits: MediaLimits = field(default_factory=MediaLimits)


def _lines(record: Record, max_lines: int) -> tuple[str, int]:
    shown = list(record.lines)[-max_lines:] if max_lines else []
    text = "".join(clip(line.rstrip("\n"), ENTRY_CHARACTERS) + "\n" for line in shown)
    total = len(record.lines) if record.total is None else record.total
    return text, max(total - len(shown), 0)


def _footer(record: Record, lines_left: int, pictures_left: int, budget: int) -> str:
    when = "when the panel closed" if record.reason == "closed" else "by freeze()"
    parts = [f"static record made {stamp(record.made, millis=False)} {when}"]
    if lines_left:
        parts.append(f"the {lines_left:,} older log entries are not in it")
    if pictures_left:
        parts.append(f"{pictures_left} older picture{'s' if pictures_left != 1 else ''} left out")
    parts.append(f"pictures up to {budget // 1000:,} kB")
    return " · ".join(parts)


def snapshot_bundle(
    record: Record,
    *,
    max_lines: int = MAX_LINES,
    max_pictures: int = MAX_PICTURES,
    budget: int = PICTURE_BUDGET,
) -> dict[str, str]:
    """The record as a display bundle: ``{"text/html": ..., "text/plain": ...}``."""
    url = redact_url(record.url) if record.url else ""
    lines, lines_left = _lines(record, max_lines)
    pictures, pictures_left = pick_pictures(
        record.messages, count=max_pictures, budget=budget, limits=record.limits
    )
    footer = _footer(record, lines_left, pictures_left, budget)
    head = f"{record.kind} · {record.status}"
    info = [part for part in (url, record.counts, *record.extra) if part]
    html = [
        f'<div class="wsecho-snapshot" style="{_BOX}">',
        f'<div style="font-weight:600">{esc(head)}</div>',
        *(f'<div style="{_DIM}">{esc(part)}</div>' for part in info),
    ]
    if pictures:
        html.append('<div class="wsecho-snapshot-pictures">')
        html += [picture.img("120px") for picture in pictures]
        html.append("</div>")
    html.append(f'<pre class="wsecho-snapshot-log" style="{_PRE}">{esc(lines) or "(no messages)"}</pre>')
    html.append(f'<div style="{_DIM};font-size:11px">{esc(footer)}</div></div>')
    plain = [head, *info]
    if pictures:
        plain.append(f"{len(pictures)} picture{'s' if len(pictures) != 1 else ''} in the HTML view")
    plain += [lines.rstrip("\n") or "(no messages)", footer]
    return {"text/html": "\n".join(html), "text/plain": "\n".join(plain)}
