"""Paired runs, baseline and measured, turned into a table row's ratio figures.

Each figure in the table comes from runs in pairs (alternating which side goes first)
so both sides of a pair meet the same load; the ratio is the median over pairs.
Imports the standard library only: benchmark modules the kernel imports use it too.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from typing import Any

Run = dict[str, Any]


def rate_ratio(baseline: Sequence[Run], measured: Sequence[Run], names: tuple[str, str]) -> tuple[float, str]:
    """The median over pairs of measured rate / baseline rate, and its text ``0.95 (0.90-0.99)``.

    Prints each pair's two rates first (``names``: the baseline's, the measured side's).
    """
    ratios = [m["rate"] / b["rate"] for b, m in zip(baseline, measured, strict=True)]
    ratio = statistics.median(ratios)
    pairs = [(round(b["rate"]), round(m["rate"])) for b, m in zip(baseline, measured, strict=True)]
    print(f"    pairs ({names[0]}, {names[1]} msg/s): {pairs}")
    return ratio, f"{ratio:.2f} ({min(ratios):.2f}-{max(ratios):.2f})"


def cpu_row(
    row: Callable[..., None], figure: str, baseline: Sequence[Run], measured: Sequence[Run], name: str
) -> None:
    """A row for kernel CPU time per message, median of each side; for information, no goal.

    CPU time ignores the time spent waiting for a core, so it tells the measured side's
    own cost even when the machine is busy: it is the rate ratio when CPU-bound.
    """
    baseline_cpu = statistics.median(b["cpu_us"] for b in baseline)
    measured_cpu = statistics.median(m["cpu_us"] for m in measured)
    row(
        figure,
        f"{measured_cpu:.2f} µs",
        f"{name} {baseline_cpu:.2f} µs",
        f"{baseline_cpu / measured_cpu:.2f}",
        "(the rate ratio when CPU-bound)",
        None,
    )
