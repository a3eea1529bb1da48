"""The running loop wakes for a signal, whichever thread the OS hands it to.

A kernel's Interrupt is a SIGINT; Python runs its handler in the main thread, at the
main thread's next bytecode. Here the signal is sent to another thread of this process
(``signal.pthread_kill``), as the OS may do in a kernel with eight threads, while the
main thread's loop sleeps with nothing due for 15 s.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from types import FrameType

import pytest

from wsecho_widget._util.tasks import require_loop, wake_on_signals


def current_wakeup_fd() -> int:
    fd = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(fd)
    return fd


@pytest.fixture
def own_sigint() -> Iterator[None]:
    """The test's SIGINT handler replaces pytest's, and the wakeup fd is put back after."""
    handler, fd = signal.getsignal(signal.SIGINT), current_wakeup_fd()
    yield
    signal.signal(signal.SIGINT, handler)
    signal.set_wakeup_fd(fd)


async def interrupted_wait() -> float:
    """Wait on the running loop with nothing due for 15 s, as ``await panel.receive()`` does;
    0.2 s in, a thread sends SIGINT to itself (its C handler runs there, the Python one
    waits for the main thread). The seconds from the signal to the wait's end."""
    loop = require_loop("the test")
    waiter = loop.create_task(asyncio.sleep(15))

    def interrupted(signum: int, frame: FrameType | None) -> None:
        # What ipykernel does for an `await` cell: cancel it from the loop.
        loop.call_soon_threadsafe(waiter.cancel)

    signal.signal(signal.SIGINT, interrupted)
    sent: list[float] = []

    def send() -> None:
        time.sleep(0.2)
        sent.append(time.monotonic())
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)

    thread = threading.Thread(target=send)
    thread.start()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    woke = time.monotonic()
    thread.join()
    return woke - sent[0]


async def test_a_sigint_taken_by_another_thread_wakes_the_loop_at_once(own_sigint: None) -> None:
    # Without the wakeup the loop slept on until its 15 s timer.
    assert await interrupted_wait() < 5


def test_each_new_loop_of_the_main_thread_is_woken_too(own_sigint: None) -> None:
    # One socket pair for the process, watched by the newest loop (pytest-asyncio's were
    # before these two).
    assert asyncio.run(interrupted_wait()) < 5
    assert asyncio.run(interrupted_wait()) < 5


async def test_a_wakeup_fd_set_by_someone_else_is_left_alone(own_sigint: None) -> None:
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, lambda: None)  # asyncio's own wakeup fd
    try:
        theirs = current_wakeup_fd()
        assert theirs != -1
        wake_on_signals(loop)
        assert current_wakeup_fd() == theirs
    finally:
        loop.remove_signal_handler(signal.SIGUSR1)


def test_a_loop_in_another_thread_is_left_alone(own_sigint: None) -> None:
    # Signals reach only the main thread's Python code (and set_wakeup_fd works only there).
    signal.set_wakeup_fd(-1)
    loops: list[asyncio.AbstractEventLoop] = []

    async def make() -> None:
        loops.append(require_loop("a loop thread"))

    thread = threading.Thread(target=asyncio.run, args=(make(),))
    thread.start()
    thread.join()
    assert len(loops) == 1 and current_wakeup_fd() == -1


def test_the_wakeup_sockets_are_closed_at_exit() -> None:
    # A program that used a panel and ended: no "unclosed socket" ResourceWarning at exit.
    code = (
        "import asyncio\n"
        "from wsecho_widget._util.tasks import require_loop\n"
        "async def main():\n"
        "    require_loop('a program')\n"
        "asyncio.run(main())\n"
    )
    done = subprocess.run([sys.executable, "-W", "default", "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "ResourceWarning" not in done.stderr, done.stderr
