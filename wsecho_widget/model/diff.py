"""What changed between a recorded reply and a new one: JSONPaths, byte offsets, missing and extra.

:func:`compare` diffs two replies: JSON leaf by leaf (``$.price``: old, new),
other text whole, binary by the offset and length of the first differing run.
:class:`ReplayReport` holds a replay's differences: ``ok``, ``to_pandas()``, a
text table, and an HTML table for the notebook (every value escaped, no script).
Pure code.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from wsecho_widget.model.jsonpaths import ignored, walk
from wsecho_widget.model.message import Message, hex_preview

__all__ = ["Difference", "ReplayReport", "compare"]

Kind = Literal["changed", "missing", "extra"]

#: The most characters of a value a report shows.
SHOWN = 120
_ABSENT = object()


@dataclass(frozen=True)
class Difference:
    """One difference at ``step`` (the exchange's number, from 1): ``kind``, ``path``, ``old``, ``new``.

    ``offset`` and ``length`` locate the first differing run of a binary reply.
    ``reply`` is the reply's number within its step (from 1).
    """

    step: int
    reply: int
    kind: Kind
    path: str
    old: Any
    new: Any
    offset: int | None = None
    length: int | None = None

    def __str__(self) -> str:
        where = f"step {self.step} reply {self.reply} {self.path}"
        if self.kind != "changed":
            shown = self.old if self.kind == "missing" else self.new
            return f"{where}: {self.kind} {_clip(shown)}"
        at = f" at byte {self.offset} ({self.length} B differ)" if self.offset is not None else ""
        return f"{where}: {_clip(self.old)} -> {_clip(self.new)}{at}"


def _json(message: Message) -> Any:
    if isinstance(message.data, str):
        try:
            return json.loads(message.data)
        except ValueError:
            return _ABSENT
    return _ABSENT


def _shown(message: Message) -> Any:
    data = message.data
    return data if isinstance(data, str) else hex_preview(data)


def compare(
    step: int, reply: int, old: Message, new: Message, ignore: Sequence[str] = ()
) -> list[Difference]:
    """The differences between a recorded reply and a new one (none when equal)."""
    if old.data == new.data:
        return []
    if isinstance(old.data, bytes) and isinstance(new.data, bytes):
        return [_binary(step, reply, old.data, new.data)]
    before, after = _json(old), _json(new)
    if before is _ABSENT or after is _ABSENT:
        return (
            []
            if ignored("$", ignore)
            else [Difference(step, reply, "changed", "$", _shown(old), _shown(new))]
        )
    old_leaves, new_leaves = dict(walk(before)), dict(walk(after))
    found = []
    for path in list(old_leaves) + [p for p in new_leaves if p not in old_leaves]:
        if ignored(path, ignore):
            continue
        a, b = old_leaves.get(path, _ABSENT), new_leaves.get(path, _ABSENT)
        if a is _ABSENT:
            found.append(Difference(step, reply, "extra", path, None, b))
        elif b is _ABSENT:
            found.append(Difference(step, reply, "missing", path, a, None))
        elif a != b or type(a) is not type(b):
            found.append(Difference(step, reply, "changed", path, a, b))
    return found


def _binary(step: int, reply: int, old: bytes, new: bytes) -> Difference:
    offset = next(
        (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new))
    )
    end = offset
    while end < min(len(old), len(new)) and old[end] != new[end]:
        end += 1
    length = max(end - offset, 1) if end > offset else abs(len(old) - len(new))
    before, after = hex_preview(old[offset:], 16), hex_preview(new[offset:], 16)
    return Difference(step, reply, "changed", "$", before, after, offset, length)


@dataclass
class ReplayReport:
    """A replay against ``url``: ``ok`` when nothing differs; ``differences`` in order."""

    url: str
    steps: int
    differences: list[Difference] = field(default_factory=list)
    ignore: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.differences

    def to_pandas(self) -> Any:
        """The differences as a DataFrame: step, reply, kind, path, old, new, offset, length."""
        from wsecho_widget.model._frames import _pandas

        pd = _pandas()
        columns = ["step", "reply", "kind", "path", "old", "new", "offset", "length"]
        rows = [[getattr(d, c) for c in columns] for d in self.differences]
        frame = pd.DataFrame(rows, columns=columns)
        return frame.astype({"step": "int64", "reply": "int64", "offset": "Int64", "length": "Int64"})

    def __str__(self) -> str:
        head = f"replay of {self.steps} steps against {self.url}: "
        if self.ok:
            return head + "no differences"
        return head + f"{len(self.differences)} differences" + "".join(f"\n  {d}" for d in self.differences)

    def __repr__(self) -> str:
        return f"<ReplayReport {'ok' if self.ok else f'{len(self.differences)} differences'} ({self.url})>"

    def _repr_html_(self) -> str:
        esc = html.escape
        title = esc(str(self).splitlines()[0])
        if self.ok:
            return f"<p>{title}</p>"
        head = "".join(f"<th>{c}</th>" for c in ("step", "reply", "kind", "path", "old", "new", "at byte"))
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{esc(_clip(v))}</td>"
                for v in (d.step, d.reply, d.kind, d.path, d.old, d.new, "" if d.offset is None else d.offset)
            )
            + "</tr>"
            for d in self.differences
        )
        return f"<p>{title}</p><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _clip(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"
