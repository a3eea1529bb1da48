"""A recording, whatever form it comes in: a transcript or HAR file, a history, exchanges.

:func:`recorded` turns each into ``(messages, url)`` for replay and the mock
server: a ``.har`` file is read with :func:`~wsecho_widget.model.har.load_har`
(its first WebSocket entry unless told), any other path as a transcript (JSON
lines); a list of exchanges ``[("ping", ["pong"]), ...]`` (what the client sends,
None for the server's greeting, and the replies) as the messages they stand for.
Files and records only.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from wsecho_widget.model.har import Conversation, load_har
from wsecho_widget.model.message import Message
from wsecho_widget.model.transcript import load_transcript

__all__ = ["Recording", "recorded"]

Exchanges = Iterable[tuple[str | bytes | None, Iterable[str | bytes]]]
Recording = str | Path | Conversation | Iterable[Message] | Exchanges


def recorded(recording: Recording, entry: int = 0) -> tuple[list[Message], str | None]:
    """The messages of ``recording`` in order, and the URL it was recorded with if known.

    ``entry`` picks the WebSocket entry of a HAR file that holds several.
    """
    if isinstance(recording, (str, Path)):
        path = Path(recording).expanduser()
        if path.suffix.lower() == ".har":
            found = load_har(path)
            if not 0 <= entry < len(found):
                raise ValueError(f"{path.name} has {len(found)} WebSocket entries; entry={entry} is not one")
            recording = found[entry]
        else:
            return load_transcript(path), None
    if isinstance(recording, Conversation):
        return list(recording.messages), recording.url
    items = list(recording)
    if all(isinstance(item, Message) for item in items):
        return items, None  # type: ignore[return-value]
    return _from_exchanges(items), None


def _from_exchanges(items: list[object]) -> list[Message]:
    messages = []
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], (str, bytes, type(None)))):
            raise TypeError(
                "a recording is a path, a Conversation, Message records (panel.messages) "
                f"or (sent, [replies]) pairs, not a list holding {type(item).__name__}"
            )
        sent, replies = item
        if sent is not None:
            messages.append(Message("sent", sent, 0.0))
        for reply in replies:
            if not isinstance(reply, (str, bytes)):
                raise TypeError(f"a reply is str or bytes, not {type(reply).__name__}")
            messages.append(Message("received", reply, 0.0))
    return messages
