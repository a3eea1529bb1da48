"""When the log renders next: a throttle with a slower pace for media and steady feeds.

Imports asyncio only: no widgets, no messages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

__all__ = ["RenderPace"]


class RenderPace:
    """Calls ``render`` at most once per ``interval`` (leading and trailing edge).

    A render that shows media costs the page far more than one of text (decoding,
    layout and paint of the new pictures, on top of the message), so renders with
    received media come at most once per ``media_interval``: a stream of 30 pictures a
    second reaches the page in 4 messages a second, not 20. The first medium after a
    quiet spell is shown at once; text alone keeps the faster ``interval``.

    A steady feed (renders held back by the throttle for ``steady_after`` seconds
    without a quiet spell) is rendered every ``steady_interval``: each render costs the
    page a comm message, a layout and a paint whatever its size. A quiet spell of one
    pace brings back the faster ``interval`` (a reply after a quiet moment is shown
    at once).
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        render: Callable[[], None],
        *,
        interval: float,
        media_interval: float,
        steady_interval: float,
        steady_after: float,
    ) -> None:
        if min(interval, media_interval, steady_interval, steady_after) < 0:
            raise ValueError("the intervals and steady_after must be >= 0")
        self.loop = loop
        self.render = render
        self.interval = interval
        #: The least time between two renders that send media to the page.
        self.media_interval = media_interval
        #: The least time between two renders once a feed is steady.
        self.steady_interval = steady_interval
        #: How long the throttle must hold renders back before the feed counts as steady.
        self.steady_after = steady_after
        self._handle: asyncio.TimerHandle | asyncio.Handle | None = None
        self._last = -1e9
        self._last_media = -1e9
        self._media_waiting = False  # what waits has a medium to show
        self._flowing_since: float | None = None  # the throttle has held renders back since

    @property
    def scheduled(self) -> bool:
        """True while a render is due."""
        return self._handle is not None

    @property
    def steady(self) -> bool:
        """True while a steady feed is rendered at ``steady_interval`` (not after a quiet spell)."""
        since, now = self._flowing_since, self.loop.time()
        if since is None or (now - self._last >= self.steady_interval and self._handle is None):
            return False
        return now - since >= self.steady_after

    def queued(self, media: bool) -> None:
        """Something waits to be rendered (``media``: it has a medium to show)."""
        if media and not self._media_waiting:
            self._media_waiting = True
            if self._handle is not None:  # due at the text's pace: hold it for the media's
                self._handle.cancel()
                self._handle = None
        if self._handle is None:
            self._schedule()

    def done(self) -> None:
        """A render happens now (or nothing waits any more): the next one is paced from now."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        self._last = self.loop.time()
        if self._media_waiting:
            self._media_waiting = False
            self._last_media = self._last

    def _schedule(self) -> None:
        now = self.loop.time()
        due = self._last + (self.steady_interval if self.steady else self.interval)
        if self._media_waiting:
            due = max(due, self._last_media + self.media_interval)
        delay = due - now
        if delay <= 0:
            # Leading edge (a quiet spell): render on the next loop turn, batching
            # what arrives in the same turn.
            self._flowing_since = None
            self._handle = self.loop.call_soon(self.render)
        else:
            if self._flowing_since is None:
                self._flowing_since = now
            self._handle = self.loop.call_later(delay, self.render)
