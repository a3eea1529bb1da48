"""How messages and status read as text: log lines, pretty JSON, hex dumps, the filter.

Pure functions on :class:`~wsecho_widget.model.Message`, so the log can re-render
any kept message in another view and the text is testable without a kernel.
Whatever the view, the result is plain text: received text is never interpreted
as HTML.

Must not import ipywidgets, asyncio or any other wsecho_widget module but ``model``
and ``decoders`` (pure too).
"""

from __future__ import annotations

import functools
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from wsecho_widget._util.errors import WsechoError
from wsecho_widget.decoders.core import BUILTIN_DECODERS, DecodeError, Decoder, decoded_text, decoder_names
from wsecho_widget.model.message import Message, format_size, hex_dump, hex_preview

__all__ = [
    "BINARY_VIEWS",
    "DIRECTIONS",
    "KINDS",
    "BinaryView",
    "FilterError",
    "LogFormat",
    "MessageFilter",
    "binary_views",
    "format_seconds",
    "message_filter",
    "pretty_json",
    "render_line",
    "searchable_text",
    "stamp",
    "status_text",
    "text_filter",
]

#: ``auto``, ``hex``, ``text``, ``msgpack``, ``cbor``, ``protobuf`` or a registered decoder's name.
BinaryView = str
#: The built-in views: ``auto`` (pictures as pictures), then every built-in decoder.
BINARY_VIEWS: tuple[BinaryView, ...] = ("auto", *BUILTIN_DECODERS)


def binary_views(extra: Mapping[str, Decoder] | None = None) -> tuple[BinaryView, ...]:
    """Every view the Binary control offers: the built-in ones, registered decoders, ``extra``."""
    return ("auto", *decoder_names(extra))


#: A predicate that says whether the log shows a message.
MessageFilter = Callable[[Message], bool]

_ARROW = {"sent": "→", "received": "←"}

#: Texts longer than this are shown as they came even in JSON view: re-indenting a
#: huge document would hold the kernel's loop for little gain on screen.
JSON_PRETTY_LIMIT = 256 * 1024

# A JSON string (with escapes), a structural character, or any other run (numbers,
# true/false/null): tokens are copied as they are, so numbers keep their spelling.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^\s{}\[\],:"]+', re.DOTALL)
_CLOSING = {"{": "}", "[": "]"}
_KINDS = {"image": "picture", "audio": "audio", "video": "video"}
_MEDIA_NAMES = {"mpeg": "mp3"}


def render_line(message: Message, *, hex_bytes: int = 32, origin: float | None = None) -> str:
    """One log line for a message: time, direction, then text or a binary summary.

    The time is the wall clock (``12:03:04.512``), or with ``origin`` (a timestamp)
    the seconds since it, right-aligned (`` +1.234 s``).
    """
    head = f"{stamp(message.timestamp, origin)} {_ARROW[message.direction]} "
    data = message.data
    if isinstance(data, str):
        # Continuation lines are indented under the text so the log stays readable.
        return head + data.replace("\n", "\n" + " " * len(head)) + "\n"
    media_type = message.media_type
    if media_type is not None:  # "(png picture)", "(wav audio)", "(mp4 video)"
        kind, _, name = media_type.partition("/")
        return f"{head}binary {format_size(len(data))} ({_MEDIA_NAMES.get(name, name)} {_KINDS[kind]})\n"
    preview = hex_preview(data, hex_bytes) if data else "(empty)"
    return f"{head}binary {format_size(len(data))}: {preview}\n"


def stamp(timestamp: float, origin: float | None = None) -> str:
    """``12:03:04.512`` (local wall clock), or ``   +1.234 s`` since ``origin``."""
    if origin is not None:
        return f"{timestamp - origin:+.3f} s".rjust(_STAMP_WIDTH)
    return f"{_clock(int(timestamp))}.{int(timestamp % 1 * 1000):03d}"


#: The width of a wall-clock stamp: relative ones are right-aligned to it (up to 99,999 s).
_STAMP_WIDTH = 12


@functools.lru_cache(maxsize=64)
def _clock(second: int) -> str:
    # A flood renders hundreds of lines within the same second: format it once.
    return time.strftime("%H:%M:%S", time.localtime(second))


def pretty_json(text: str, indent: int = 2) -> str | None:
    """``text`` re-indented when it is a JSON object or array, else None.

    Only whitespace changes: numbers, strings and duplicate keys stay exactly as
    they were sent (``json.dumps(json.loads(…))`` would round ``1.000000000000000001``
    and drop duplicate keys, which is not what a tester wants to see).
    """
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")) or len(text) > JSON_PRETTY_LIMIT:
        return None
    try:
        json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        return None
    tokens = _TOKEN.findall(text)
    out: list[str] = []
    depth = 0
    pad = " " * indent
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in _CLOSING:
            if i + 1 < len(tokens) and tokens[i + 1] == _CLOSING[token]:
                out.append(token + tokens[i + 1])  # {} and [] stay on one line
                i += 2
                continue
            depth += 1
            out.append(token + "\n" + pad * depth)
        elif token in ("}", "]"):
            depth -= 1
            out.append("\n" + pad * depth + token)
        elif token == ",":
            out.append(",\n" + pad * depth)
        elif token == ":":
            out.append(": ")
        else:
            out.append(token)
        i += 1
    return "".join(out)


def searchable_text(message: Message) -> str:
    """What the log filter looks in: a text frame's text, or a binary frame's summary.

    The summary is the log line without its time and arrow: ``binary 1.2 KiB (png
    picture)`` or ``binary 50 B: 00 01 02 …`` (the first 32 bytes in hex).
    """
    data = message.data
    if isinstance(data, str):
        return data
    line = render_line(message)
    return line[line.index("binary") :].rstrip("\n")


#: The direction filter's choices, and the kind filter's.
DIRECTIONS = ("all", "sent", "received")
KINDS = ("all", "text", "binary", "pictures", "notices")

_REGEX = re.compile(r"^/(.*)/([ims]*)$", re.DOTALL)


class FilterError(WsechoError, ValueError):
    """A filter that cannot be used, said in one line (a bad regular expression)."""


def text_filter(query: str) -> MessageFilter | None:
    """A predicate on :func:`searchable_text`: contains ``query``, or matches ``/regex/flags``.

    Plain text is case-insensitive (``str.casefold``, so ``STRASSE`` finds ``Straße``)
    and surrounding whitespace is ignored; ``/ab+c/i`` is a Python regular expression
    searched for, with flags ``i``, ``m``, ``s``. None for an empty query: everything is
    shown. A bad expression raises :class:`FilterError` with one line saying why.
    """
    stripped = query.strip()
    if not stripped:
        return None
    if (regex := _REGEX.match(stripped)) is not None and regex[1]:
        flags = 0
        for letter in regex[2]:
            flags |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}[letter]
        try:
            pattern = re.compile(regex[1], flags)
        except re.error as exc:
            raise FilterError(f"not a regular expression: {exc}") from None
        return lambda message: pattern.search(searchable_text(message)) is not None
    needle = stripped.casefold()
    return lambda message: needle in searchable_text(message).casefold()


def _kind_filter(kind: str, notice: MessageFilter | None) -> MessageFilter | None:
    if kind == "text":
        return lambda message: isinstance(message.data, str)
    if kind == "binary":
        return lambda message: isinstance(message.data, bytes)
    if kind == "pictures":
        return lambda message: message.image_format is not None
    if kind == "notices":
        return notice if notice is not None else (lambda message: False)
    return None


def message_filter(
    query: str = "", direction: str = "all", kind: str = "all", notice: MessageFilter | None = None
) -> MessageFilter | None:
    """Which messages the log shows: :func:`text_filter`'s ``query``, ``direction``
    (``all``, ``sent``, ``received``) and ``kind`` (``all``, ``text``, ``binary``,
    ``pictures``, ``notices``: what ``notice`` says is a protocol's notice, not data).

    None when nothing is filtered. A bad regular expression raises :class:`FilterError`.
    """
    parts = [text_filter(query), _kind_filter(kind, notice)]
    if direction in ("sent", "received"):
        parts.append(lambda message: message.direction == direction)
    keep = [part for part in parts if part is not None]
    if not keep:
        return None
    if len(keep) == 1:
        return keep[0]
    return lambda message: all(part(message) for part in keep)


@dataclass(frozen=True, slots=True)
class LogFormat:
    """How the log shows messages: pretty JSON or not, pictures, hex dumps or decoded.

    ``binary="auto"`` shows a received picture as the picture and other binary
    frames as a one-line hex preview; ``"hex"`` shows every binary frame as a hex
    dump (offset, hex, ASCII) of its first ``hex_bytes`` bytes and says how many
    more there are. Any other name decodes binary frames with that decoder
    (:mod:`wsecho_widget.decoders.core`; ``decoders`` adds a panel's own) and shows the
    result pretty-printed; a frame that does not decode keeps its one-line hex
    preview, followed by the reason. Pictures stay a ``(png picture)`` line.
    ``origin`` (a timestamp) shows times as seconds since it (``+1.234 s``), not
    the clock.
    """

    pretty_json: bool = False
    binary: BinaryView = "auto"
    hex_bytes: int = 256
    origin: float | None = None
    decoders: Mapping[str, Decoder] = field(default_factory=dict, compare=False, hash=False)

    @property
    def show_pictures(self) -> bool:
        return self.binary == "auto"

    def render(self, message: Message) -> str:
        """The message's log entry as text, in this format."""
        data = message.data
        if isinstance(data, str):
            if self.pretty_json and (pretty := pretty_json(data)) is not None:
                return render_line(replace(message, data=pretty), origin=self.origin)
            return render_line(message, origin=self.origin)
        line = render_line(message, origin=self.origin)
        if self.binary == "auto" or not data:
            return line
        head = line[: line.index("binary")]
        fmt = message.image_format
        if self.binary == "hex":
            kind = f" ({fmt} picture)" if fmt else ""
            body = hex_dump(data, self.hex_bytes)
        elif fmt is not None:
            return line
        else:
            try:
                body = decoded_text(data, self.binary, decoders=self.decoders)
            except DecodeError as exc:
                return f"{line[:-1]} ({exc})\n"
            kind = f" {self.binary}"
        indent = " " * len(head)
        body = body.replace("\n", "\n" + indent)
        return f"{head}binary {format_size(len(data))}{kind}\n{indent}{body}\n"


def format_seconds(seconds: float | None) -> str:
    """A duration for the status line: ``0.35 ms``, ``12.3 ms``, ``1.20 s``, or ``—``."""
    if seconds is None:
        return "—"
    if seconds < 0.001:
        return f"{seconds * 1000:.2f} ms"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def status_text(status: str, detail: str = "", latency: float | None = None) -> str:
    """The status line: ``● open · round trip 1.2 ms`` or ``● error: why``.

    The detail is shown unless open (while reconnecting it says when the next
    attempt is and why); the round trip only while open.
    """
    shown = f": {detail}" if status != "open" and detail else ""
    rtt = f" · round trip {format_seconds(latency)}" if status == "open" and latency else ""
    return f"● {status}{shown}{rtt}"
