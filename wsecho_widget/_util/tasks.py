"""asyncio helpers shared by every layer: tasks that are never lost, futures nobody
has to await, and the running loop with a message that says how to get one, which a
signal then wakes (the kernel's Interrupt).

Imports asyncio (and nest-asyncio2, when asked to nest); never websockets or widgets.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import signal
import socket
import threading
from collections.abc import Callable, Coroutine
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")


def silence(future: asyncio.Future[Any]) -> None:
    """Mark a done future's exception as retrieved (a done callback).

    For a future whose failure is reported elsewhere (a status, a notice): asyncio
    must not also log "exception was never retrieved" when nobody awaits it.
    """
    if not future.cancelled():
        future.exception()


def quiet_future(loop: asyncio.AbstractEventLoop) -> asyncio.Future[None]:
    """A future nobody has to await (``ready``, ``connected``): the status says the same."""
    future: asyncio.Future[None] = loop.create_future()
    future.add_done_callback(silence)
    return future


def keep_task(
    loop: asyncio.AbstractEventLoop,
    tasks: set[asyncio.Task[Any]],
    coro: Coroutine[Any, Any, Any],
    on_error: Callable[[BaseException], None] | None = None,
) -> asyncio.Task[Any]:
    """Run ``coro`` as a task held in ``tasks`` until it ends.

    The loop keeps only weak references to tasks, so a task nobody holds can vanish
    mid-flight. A task that fails hands its exception to ``on_error`` (when given)
    instead of leaving it for asyncio's "never retrieved" log.
    """
    task = loop.create_task(coro)
    tasks.add(task)

    def done(task: asyncio.Task[Any]) -> None:
        tasks.discard(task)
        if on_error is not None and not task.cancelled() and (exc := task.exception()) is not None:
            on_error(exc)

    task.add_done_callback(done)
    return task


def require_loop(what: str) -> asyncio.AbstractEventLoop:
    """The running loop, which a signal wakes from now on (:func:`wake_on_signals`);
    raises RuntimeError with a message that says how to get one."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        raise RuntimeError(
            f"{what} needs a running asyncio event loop: use it in a Jupyter notebook "
            "(the kernel's loop is always running) or inside async code, for example "
            "asyncio.run(main())."
        ) from None
    wake_on_signals(loop)
    return loop


class _Wakeup:
    """The socket pair whose one end ``signal.set_wakeup_fd`` writes to, the other end
    watched by the main thread's loop (one per process, moved to each new loop)."""

    def __init__(self) -> None:
        self.reader, self.writer = socket.socketpair()
        self.reader.setblocking(False)
        self.writer.setblocking(False)
        self.loop: asyncio.AbstractEventLoop | None = None
        # Closed at exit: sockets left open then are a ResourceWarning each.
        atexit.register(self.close)

    def close(self) -> None:
        with contextlib.suppress(ValueError, OSError):  # ValueError: not the main thread
            previous = signal.set_wakeup_fd(-1)
            if previous != self.writer.fileno():
                signal.set_wakeup_fd(previous)  # someone else's: leave it
        self.reader.close()
        self.writer.close()

    def watch(self, loop: asyncio.AbstractEventLoop) -> bool:
        if self.loop is loop:
            return True
        if self.loop is not None and not self.loop.is_closed():
            self.loop.remove_reader(self.reader)
        self.loop = None
        try:
            loop.add_reader(self.reader, self._drain)
        except NotImplementedError:  # a loop without add_reader (Windows' proactor)
            return False
        self.loop = loop
        return True

    def _drain(self) -> None:
        try:
            while self.reader.recv(4096):
                pass
        except OSError:  # BlockingIOError: drained
            pass


_wakeup: _Wakeup | None = None


def wake_on_signals(loop: asyncio.AbstractEventLoop) -> None:
    """Make a signal (the kernel's Interrupt, Ctrl-C) wake ``loop``, the main thread's.

    Python runs a signal's handler in the main thread, at its next bytecode. The OS may
    deliver the signal to any thread (a kernel has eight): the main thread then sleeps on
    in its loop's selector until a timer or a socket wakes it. ipykernel's handler cancels
    an ``await`` cell, so an Interrupt of ``await panel.receive()`` waited for the
    keepalive's next ping, up to 10 s. With ``signal.set_wakeup_fd``, Python's C-level
    handler writes a byte to a socket this loop watches, whichever thread takes the
    signal, and the handler runs at once. Not in other threads (their loops get no
    signals), nor where a wakeup fd is set already (asyncio's ``add_signal_handler``
    sets its own, which wakes its loop).
    """
    global _wakeup
    if threading.current_thread() is not threading.main_thread():
        return
    if _wakeup is None:
        _wakeup = _Wakeup()
    ours = _wakeup.writer.fileno()
    try:
        previous = signal.set_wakeup_fd(ours, warn_on_full_buffer=False)
    except (ValueError, OSError):  # not the main interpreter
        return
    if previous not in (-1, ours) or not _wakeup.watch(loop):
        signal.set_wakeup_fd(previous)


def run_nested(
    loop: asyncio.AbstractEventLoop,
    coro: Coroutine[Any, Any, T],
    undo: Callable[[T], None] | None = None,
) -> T:
    """Run ``coro`` to its end from synchronous code, and return its result.

    When ``loop`` is already running (a notebook cell), re-enter it with
    nest-asyncio2, applied to that loop on this call only, never at import.

    However the wait ends (a result, an exception, a timeout, an interrupt), the
    task is done or cancelled when this returns: nothing is left to take a message
    meant for the next caller. In the main thread, Ctrl-C or the kernel's
    Interrupt (SIGINT) cancels the task and raises KeyboardInterrupt here, once the
    loop is between two callbacks, not in the middle of whatever the loop was
    running (websockets' parser, the session's receive loop). If it comes once the
    task has its result (up to the return), ``undo(result)`` gives the result back
    (a message: first in line) before KeyboardInterrupt is raised.
    """
    # The handler goes in first: an interrupt just after create_task would leave a task
    # behind that takes the next message for nobody, and one while nest-asyncio2 patches
    # the loop's class would leave it half patched (its next turn raises NameError: a
    # dead kernel).
    try:
        interrupts = _Interrupts(loop)
        previous = _swap_sigint(interrupts)
    except BaseException:
        coro.close()  # never started: it took nothing
        raise
    try:
        result = loop.run_until_complete(_start(loop, coro, interrupts))
    except BaseException:
        _leave_nothing(coro, interrupts.task, undo)
        # Put the handler back first, then look: it may raise for an interrupt just now.
        if _restore_sigint(previous) or interrupts.seen:
            raise KeyboardInterrupt from None
        raise
    # Let the task go while our handler is in. nest-asyncio2's tasks are Python ones, and
    # their __del__ would run at this frame's exit: an interrupt handled inside a __del__
    # is lost ("Exception ignored"), and the cell waits on.
    interrupts.task = None
    # The result is ours: an interrupt until it is returned gives it back. (The handler
    # is put back before `seen` is read: an interrupt meanwhile still counts.)
    if _restore_sigint(previous) or interrupts.seen:
        if undo is not None:
            undo(result)
        raise KeyboardInterrupt
    return result


def _start(
    loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, T], interrupts: _Interrupts
) -> asyncio.Task[T]:
    """Make a running loop re-entrant, then start ``coro`` (under run_nested's handler)."""
    if loop.is_running():
        import nest_asyncio2

        nest_asyncio2.apply(loop)
    task = loop.create_task(coro)
    interrupts.task = task
    if interrupts.seen:
        task.cancel()
    return task


class _Interrupts:
    """The SIGINT handler while :func:`run_nested` waits: remembers it, cancels the task."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.task: asyncio.Task[Any] | None = None
        self.seen = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.seen = True
        if self.task is not None:
            self.loop.call_soon_threadsafe(self.task.cancel)


def _leave_nothing(
    coro: Coroutine[Any, Any, T], task: asyncio.Task[T] | None, undo: Callable[[T], None] | None
) -> None:
    """After a wait that failed: stop what still runs, give back a result nobody gets."""
    if task is None:
        coro.close()  # never started: it took nothing
    elif not task.done():
        task.cancel()  # its waiter is cancelled at once; the task ends on the next turn
    elif undo is not None and not task.cancelled() and task.exception() is None:
        undo(task.result())


def _restore_sigint(previous: Any) -> bool:
    """Put back the SIGINT handler; True when that handler raised KeyboardInterrupt at once.

    A SIGINT that comes just after the swap runs the previous handler (for a cell,
    the one raising KeyboardInterrupt) inside ``signal.signal``'s own Python code,
    before the caller has the result it is about to return.
    """
    if previous is None:
        return False
    try:
        signal.signal(signal.SIGINT, previous)
    except KeyboardInterrupt:
        return True
    return False


def _swap_sigint(handler: Callable[[int, FrameType | None], None]) -> Any:
    # Only where Python handles SIGINT (the main thread, with a Python-level
    # handler installed: a cell being run): where it is ignored, it stays ignored.
    if threading.current_thread() is not threading.main_thread():
        return None
    if not callable(signal.getsignal(signal.SIGINT)):
        return None
    return signal.signal(signal.SIGINT, handler)
