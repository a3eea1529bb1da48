"""Issue 20's HAR row: what ``load_har`` costs beyond parsing the JSON, in memory and time.

``python -m benchmarks.har [--quick]`` writes a HAR file of text and binary frames
(about 8 MiB; 1 MiB with ``--quick``) and measures, in this process, the peak memory
(tracemalloc) and the time of ``json.loads`` on its bytes (the baseline: any HAR
reader parses the document) and of ``load_har`` on the file. It prints the ratios
ours / baseline and the peak per byte of file; ``max_bytes`` (32 MiB) then bounds
what one call can take: peak per byte x 32 MiB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wsecho_widget.model.har import MAX_HAR_BYTES, load_har, to_har
from wsecho_widget.model.message import Message


def sample(count: int) -> list[Message]:
    messages = []
    for n in range(count):
        if n % 4 == 3:
            messages.append(Message("received", bytes(range(256)) * 2, 1.7e9 + n / 1000))
        else:
            text = json.dumps(
                {"type": "tick", "n": n, "price": 100 + n % 7, "topic": "btc", "pad": "x" * 120}
            )
            messages.append(Message("sent" if n % 4 == 0 else "received", text, 1.7e9 + n / 1000))
    return messages


def measure(function: Callable[[], Any]) -> tuple[float, int]:
    tracemalloc.start()
    start = time.perf_counter()
    function()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak


def main(quick: bool = False) -> dict[str, float]:
    count = 5_000 if quick else 40_000
    with tempfile.TemporaryDirectory() as folder:
        path = to_har(sample(count), Path(folder) / "bench.har", "ws://127.0.0.1:1/")
        size = path.stat().st_size
        pairs = []
        for turn in range(3 if quick else 5):
            runs = [("json", lambda: json.loads(path.read_bytes())), ("ours", lambda: load_har(path))]
            if turn % 2:
                runs.reverse()  # alternate which goes first
            found = {name: measure(function) for name, function in runs}
            pairs.append(found)
    time_ratio = statistics.median(p["ours"][0] / p["json"][0] for p in pairs)
    memory_ratio = statistics.median(p["ours"][1] / p["json"][1] for p in pairs)
    per_byte = statistics.median(p["ours"][1] / size for p in pairs)
    print(f"HAR file: {size / 2**20:.1f} MiB, {count:,} frames (a quarter binary)")
    print(f"load_har / json.loads: time x{time_ratio:.2f}, peak memory x{memory_ratio:.2f}")
    print(
        f"peak memory per byte of file: {per_byte:.1f}; at the {MAX_HAR_BYTES / 2**20:.0f} MiB cap: "
        f"~{per_byte * MAX_HAR_BYTES / 2**20:.0f} MiB"
    )
    return {"time": time_ratio, "memory": memory_ratio, "per_byte": per_byte}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    main(parser.parse_args().quick)
