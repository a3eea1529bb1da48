"""A scheduled send survives the kernel's Interrupt of another cell (a real kernel, a real SIGINT)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.client.test_interrupts import Kernel

pytestmark = pytest.mark.kernel


@pytest.fixture
def kernel() -> Iterator[Kernel]:
    k = Kernel()
    yield k
    k.close()


def test_send_every_goes_on_after_an_interrupted_cell(kernel: Kernel) -> None:
    kernel.run(
        "from wsecho_widget import WebSocketPanel\n"
        "panel = WebSocketPanel()\n"
        "await panel.ready\n"
        "schedule = panel.send_every(0.05, 'tick')"
    )
    # A cell that waits, interrupted as the Interrupt button does.
    out = kernel.interrupt_when_waiting(
        "import asyncio\nprint('waiting', flush=True)\nawait asyncio.sleep(30)"
    )
    assert out["ename"] in ("KeyboardInterrupt", "CancelledError")  # the awaiting cell was stopped
    before = int(kernel.run("schedule.sent"))
    kernel.run("await asyncio.sleep(0.5)")
    after = int(kernel.run("schedule.sent"))
    assert schedule_active(kernel)
    assert after >= before + 5  # still sending, twenty a second
    echoes = int(kernel.run("sum(m.data == 'tick' for m in panel.messages if m.direction == 'received')"))
    assert echoes >= after - 2
    kernel.run("panel.close()")
    assert not schedule_active(kernel)


def schedule_active(kernel: Kernel) -> bool:
    return str(kernel.run("schedule.active")) == "True"
