"""The session report: one self-contained HTML file of a panel's conversation.

:func:`build_report` turns plain values (a :class:`ReportInput`) into one HTML
document: the connection, the timings, the statistics, the pictures, and the message
table with each payload as the log's format decodes it (pretty JSON, a decoder's
view, a hex dump). No script, no network: a Content-Security-Policy in the file
says so to the browser too (``default-src 'none'``), pictures are ``data:`` URIs and
every text is escaped. A large session is summarised within ``budget`` bytes: the
first rows, then the newest that fit, and a row that says how many were left out.

Pure: no widgets, no IPython, no file I/O (the panel writes the file).
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from wsecho_widget.model.media import MediaLimits
from wsecho_widget.model.message import Message, Totals, format_size
from wsecho_widget.net.errors import redact_url
from wsecho_widget.ui._html import clip, esc, pick_pictures, stamp
from wsecho_widget.ui.render import LogFormat, format_seconds, pretty_json

__all__ = ["REPORT_BUDGET", "ReportInput", "build_report", "reply_times", "report_frame"]

#: The most bytes a report takes unless told otherwise.
REPORT_BUDGET = 5_000_000
#: The share of the budget its pictures may take, and how many it shows at most.
PICTURE_SHARE = 0.4
MAX_PICTURES = 48
#: The oldest rows are always in the table; then the newest that fit.
HEAD_ROWS = 20
#: One payload is cut after this many characters.
CELL_CHARACTERS = 4_000

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 1.5em auto; max-width: 72em; padding: 0 1em; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 2px 8px; border-bottom: 1px solid #e4e4e4; }
th { background: #f4f4f4; }
table.kv th { width: 14em; background: none; font-weight: 600; white-space: nowrap; }
table.messages td { white-space: nowrap; } table.messages td:last-child { white-space: normal; width: 100%; }
td pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; font: 12px/1.35 monospace; }
tr.sent td { background: #f7fbff; } tr.gap td { text-align: center; font-style: italic; background: #fff8e1; }
figure { display: inline-block; margin: 4px; } figcaption { font-size: 11px; opacity: 0.8; }
.note { opacity: 0.8; font-size: 12px; }
"""


@dataclass(frozen=True)
class ReportInput:
    """What a panel knows of its session, as plain values.

    ``connection`` adds rows to the connection table (subprotocol, listening
    addresses, ...); ``events`` are a server's event lines; ``fmt`` is how payloads
    are shown (the log's format; pictures are shown as pictures whatever it says).
    ``text``, if given, says how a frame reads instead of its data (a protocol's line,
    its secrets masked: a GraphQL ``connection_init`` token never reaches the file);
    None from it keeps the data.
    """

    kind: str
    status: str
    url: str | None = None
    connection: Sequence[tuple[str, str]] = ()
    messages: Sequence[Message] = ()
    totals: Totals | None = None
    dropped: int = 0
    fmt: LogFormat = field(default_factory=lambda: LogFormat(pretty_json=True))
    events: Sequence[str] = ()
    made: float = field(default_factory=time.time)
    limits: MediaLimits = field(default_factory=MediaLimits)
    text: Callable[[Message], str | None] | None = None


def reply_times(messages: Sequence[Message]) -> list[float]:
    """Seconds from each sent message to the next one received from the same peer.

    A sent message with no later reception before the next send is not counted;
    a broadcast (client ``"*"``) is answered by no one in particular, so not counted.
    """
    waiting: dict[str | None, float] = {}
    times: list[float] = []
    for message in messages:
        if message.direction == "sent":
            if message.client != "*":
                waiting.setdefault(message.client, message.timestamp)
        elif (sent := waiting.pop(message.client, None)) is not None:
            times.append(max(message.timestamp - sent, 0.0))
    return times


def _kv(rows: Sequence[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return f'<table class="kv">{body}</table>'


def _timings(messages: Sequence[Message]) -> list[tuple[str, str]]:
    if not messages:
        return [("messages", "none")]
    first, last = messages[0].timestamp, messages[-1].timestamp
    span = last - first
    rows = [("first message", stamp(first)), ("last message", stamp(last)), ("span", format_seconds(span))]
    if span > 0:
        rows.append(("rate", f"{len(messages) / span:,.1f} messages a second"))
    gaps = [b.timestamp - a.timestamp for a, b in itertools.pairwise(messages)]
    if gaps:
        rows.append(("longest silence", format_seconds(max(gaps))))
    replies = reply_times(messages)
    if replies:
        cuts = (
            statistics.quantiles(replies, n=20, method="inclusive") if len(replies) > 1 else [replies[0]] * 19
        )
        rows.append(
            (
                "reply time",
                f"median {format_seconds(statistics.median(replies))} · p95 {format_seconds(cuts[18])}"
                f" · max {format_seconds(max(replies))} ({len(replies):,} replies)",
            )
        )
    return rows


def _statistics(data: ReportInput, messages: Sequence[Message]) -> list[tuple[str, str]]:
    totals = data.totals
    if totals is None:
        totals = Totals()
        for message in messages:
            totals.add(message)
    kept = f"{len(messages):,} messages"
    if data.dropped:
        kept += f" (the {data.dropped:,} older ones were dropped by the history's limit)"
    rows = [("in all", totals.summary()), ("in this report", kept)]
    kinds = Counter(m.kind for m in messages)
    rows.append(("frames", " · ".join(f"{kind} {n:,}" for kind, n in sorted(kinds.items())) or "none"))
    media = Counter(m.media_type for m in messages if m.kind == "binary" and m.media_type)
    if media:
        rows.append(("media", " · ".join(f"{kind} {n:,}" for kind, n in sorted(media.items()))))
    if messages:
        sizes = [m.size for m in messages]
        rows.append(
            (
                "sizes",
                f"median {format_size(int(statistics.median(sizes)))} · largest {format_size(max(sizes))}",
            )
        )
    clients = Counter((m.client, m.direction) for m in messages if m.client is not None)
    for client in sorted({c for c, _ in clients}):
        name = "all clients (broadcast)" if client == "*" else f"client {client}"
        rows.append((name, f"sent {clients[client, 'sent']:,} · received {clients[client, 'received']:,}"))
    return rows


def _content(message: Message, fmt: LogFormat, text_of: Callable[[Message], str | None] | None) -> str:
    """The payload as the report shows it: text (JSON pretty) or the binary view's text."""
    shown = text_of(message) if text_of is not None else None
    if shown is not None:
        message = replace(message, data=shown)
    data = message.data
    if isinstance(data, str):
        text = pretty_json(data) if fmt.pretty_json else None
        return clip(text if text is not None else data, CELL_CHARACTERS)
    if message.image_format is not None and message.image_size is not None:
        width, height = message.image_size
        return f"{message.image_format} picture {width}x{height}"
    view = replace(
        fmt, binary="hex" if fmt.binary == "auto" else fmt.binary, hex_bytes=min(fmt.hex_bytes, 128)
    )
    line = view.render(message)
    cut = line.index("binary")  # the log line's time and arrow, and their indent below
    body = "\n".join(part[cut:] for part in line.rstrip("\n").split("\n"))
    return clip(body, CELL_CHARACTERS)


def _row(index: int, message: Message, data: ReportInput, clients: bool) -> str:
    client = f"<td>{esc('all' if message.client == '*' else message.client or '')}</td>" if clients else ""
    return (
        f'<tr class="{message.direction}"><td>{index}</td><td>{esc(stamp(message.timestamp)[11:])}</td>'
        f"<td>{'→ sent' if message.direction == 'sent' else '← received'}</td>{client}"
        f"<td>{message.kind}</td><td>{esc(format_size(message.size))}</td>"
        f"<td><pre>{esc(_content(message, data.fmt, data.text))}</pre></td></tr>"
    )


def _table(messages: Sequence[Message], data: ReportInput, budget: int) -> tuple[str, int]:
    """The message rows within ``budget`` characters, and how many were left out."""
    clients = any(m.client is not None for m in messages)
    header = "".join(
        f"<th>{name}</th>"
        for name in ("#", "time", "direction", *(("client",) if clients else ()), "kind", "size", "payload")
    )
    head: list[str] = []
    tail: list[str] = []
    used = 0
    count = len(messages)
    head_count = min(HEAD_ROWS, count)
    for index in range(head_count):
        row = _row(index + 1, messages[index], data, clients)
        if used + len(row) > budget:
            break
        head.append(row)
        used += len(row)
    for index in range(count - 1, len(head) - 1, -1):
        if len(head) < head_count:
            break  # the budget ran out in the head already
        row = _row(index + 1, messages[index], data, clients)
        if used + len(row) > budget:
            break
        tail.append(row)
        used += len(row)
    left_out = count - len(head) - len(tail)
    gap = ""
    if left_out:
        span = len(header.split("<th>")) - 1
        gap = (
            f'<tr class="gap"><td colspan="{span}">{left_out:,} messages left out here to keep the report'
            f" within its size budget; the transcript (save_transcript) holds every one</td></tr>"
        )
    rows = "".join(head) + gap + "".join(reversed(tail))
    return f'<table class="messages"><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>', left_out


def build_report(data: ReportInput, *, budget: int = REPORT_BUDGET, max_pictures: int = MAX_PICTURES) -> str:
    """The report as one HTML document (a str), at most about ``budget`` bytes."""
    messages = list(data.messages)
    pictures, pictures_left = pick_pictures(
        messages, count=max_pictures, budget=int(budget * PICTURE_SHARE), limits=data.limits
    )
    picture_bytes = sum(len(p.uri) for p in pictures)
    events = "".join(esc(line) + "\n" for line in data.events)
    table_budget = max(budget - picture_bytes - len(events) - 20_000, 10_000)
    table, rows_left = _table(messages, data, table_budget)
    url = redact_url(data.url) if data.url else "—"
    connection = [("panel", data.kind), ("URL", url), ("status", data.status), *data.connection]
    title = f"wsecho-widget report: {data.kind} {url}"
    left = []
    if rows_left:
        left.append(f"{rows_left:,} messages of the table")
    if pictures_left:
        left.append(f"{pictures_left:,} pictures")
    summary = f"Left out to stay within {format_size(budget)}: {', '.join(left)}." if left else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        f"<title>{esc(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="note">Made {esc(stamp(data.made, millis=False))}. One file, no scripts, no network.'
        f" {esc(summary)}</p>",
        "<h2>Connection</h2>",
        _kv(connection),
        "<h2>Timings</h2>",
        _kv(_timings(messages)),
        "<h2>Statistics</h2>",
        _kv(_statistics(data, messages)),
    ]
    if pictures:
        parts.append(f"<h2>Pictures</h2><p class='note'>The newest {len(pictures)} of the session.</p>")
        parts += [
            f"<figure>{p.img('160px')}<figcaption>{esc(p.caption)}</figcaption></figure>" for p in pictures
        ]
    if events:
        parts.append(f"<h2>Events</h2><pre>{events}</pre>")
    parts += ["<h2>Messages</h2>", table, "</body></html>"]
    return "\n".join(parts)


def report_frame(html: str, height: str = "40em") -> str:
    """The report in a sandboxed ``<iframe srcdoc>``, for a notebook output: its
    styles stay inside the frame and nothing in it may run."""
    return (
        f'<iframe sandbox="" srcdoc="{esc(html)}" title="session report" '
        f'style="width:100%;height:{height};border:1px solid rgba(128,128,128,0.5)"></iframe>'
    )
