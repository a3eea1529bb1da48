"""A real Jupyter kernel driven from the benchmark, with its iopub traffic counted.

The kernel is started by jupyter_client like a notebook server would. Its iopub
socket is read raw (one zmq SUB socket), so every widget message is counted with
its exact size on the wire: header, parent header, metadata, content and binary
buffers, as the front end would receive them.
"""

from __future__ import annotations

import ast
import asyncio
import json
import queue
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager

_DELIM = b"<IDS|MSG>"
#: iopub messages that carry widget state to the front end.
WIDGET_MESSAGES = ("comm_open", "comm_msg", "comm_close")


@dataclass
class WidgetMessage:
    """One comm message the kernel published."""

    time: float
    msg_type: str
    method: str
    size: int  # bytes on the wire, all frames
    buffers: list[int]  # sizes of the binary buffers
    content: dict[str, Any]


@dataclass
class Traffic:
    """What the kernel published on iopub while one phase ran."""

    messages: list[WidgetMessage] = field(default_factory=list)
    other_bytes: int = 0  # iopub messages that are not widget traffic (status, streams…)

    @property
    def widget_bytes(self) -> int:
        return sum(m.size for m in self.messages)

    @property
    def buffer_bytes(self) -> int:
        return sum(sum(m.buffers) for m in self.messages)

    def updates(self, model_id: str | None = None) -> list[WidgetMessage]:
        """comm_msg updates (state changes), optionally of one widget only."""
        return [
            m
            for m in self.messages
            if m.msg_type == "comm_msg"
            and m.method == "update"
            and (model_id is None or m.content.get("comm_id") == model_id)
        ]


class KernelError(RuntimeError):
    """A benchmark cell raised in the kernel."""


class Kernel:
    """One kernel: ``await kernel.run(code)`` executes a cell and returns ``_result``."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        # Unix sockets: kernels started side by side (the test matrix) cannot race for a TCP port.
        self.manager = AsyncKernelManager(kernel_name="python3", transport="ipc")
        self.traffic: Traffic | None = None  # where iopub messages go now
        self._idle: dict[str, asyncio.Future[None]] = {}
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> Kernel:
        await self.manager.start_kernel(cwd=str(self.cwd))
        self.client = self.manager.client()
        # Our own SUB socket reads iopub raw; the client's would parse it twice.
        self.client.start_channels(iopub=False, stdin=False)
        self._iopub = self.manager.connect_iopub()
        self._reader = asyncio.create_task(self._read_iopub())
        await self._wait_ready()
        return self

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        self.client.stop_channels()
        self._iopub.close(linger=0)
        await self.manager.shutdown_kernel(now=True)

    async def _wait_ready(self, timeout: float = 60) -> None:
        # Ask for kernel_info until its reply comes and our iopub socket sees the
        # kernel's status for it (a SUB socket misses what was sent before it joined).
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg_id = self.client.kernel_info()
            idle = self._idle[msg_id] = asyncio.get_running_loop().create_future()
            try:
                await self.client.get_shell_msg(timeout=5)
                await asyncio.wait_for(idle, 1.0)
                return
            except (TimeoutError, queue.Empty):  # get_shell_msg's timeout raises queue.Empty
                continue
            finally:
                self._idle.pop(msg_id, None)
        raise RuntimeError("the kernel did not become ready")

    async def _read_iopub(self) -> None:
        while True:
            frames = await self._iopub.recv_multipart(copy=True)
            received = time.perf_counter()
            at = frames.index(_DELIM)
            header, parent, _metadata, content = (json.loads(f) for f in frames[at + 2 : at + 6])
            buffers = frames[at + 6 :]
            msg_type = header["msg_type"]
            size = sum(len(f) for f in frames[at + 1 :])
            if msg_type == "status" and content.get("execution_state") == "idle":
                waiter = self._idle.get(parent.get("msg_id", ""))
                if waiter is not None and not waiter.done():
                    waiter.set_result(None)
            traffic = self.traffic
            if traffic is None:
                continue
            if msg_type in WIDGET_MESSAGES:
                method = content.get("data", {}).get("method", "") if msg_type == "comm_msg" else ""
                traffic.messages.append(
                    WidgetMessage(received, msg_type, method, size, [len(b) for b in buffers], content)
                )
            else:
                traffic.other_bytes += size

    def send(self, code: str) -> str:
        """Send a cell without waiting for it; returns its msg_id."""
        msg_id: str = self.client.execute(
            code, store_history=False, user_expressions={"r": "__import__('json').dumps(_result)"}
        )
        return msg_id

    async def reply(self, msg_id: str, timeout: float = 300) -> dict[str, Any]:
        """Wait for the execute_reply of ``msg_id``."""
        deadline = time.monotonic() + timeout
        while True:
            msg = await self.client.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            if msg["parent_header"].get("msg_id") == msg_id:
                content: dict[str, Any] = msg["content"]
                if content["status"] != "ok":
                    trace = "\n".join(content.get("traceback", []))
                    raise KernelError(f"{content.get('ename')}: {content.get('evalue')}\n{trace}")
                return content

    async def run(self, code: str, traffic: Traffic | None = None, timeout: float = 300) -> Any:
        """Execute ``code`` (which sets ``_result``); count iopub into ``traffic``.

        Returns ``_result`` (JSON round-tripped) once the kernel is idle again, so
        every message the cell caused has been read.
        """
        self.traffic = traffic
        msg_id = self.send(code)
        idle = self._idle[msg_id] = asyncio.get_running_loop().create_future()
        try:
            content = await self.reply(msg_id, timeout)
            await asyncio.wait_for(idle, timeout)
        finally:
            self._idle.pop(msg_id, None)
            self.traffic = None
        value = content["user_expressions"]["r"]
        if value.get("status") != "ok":
            raise KernelError(f"no _result: {value.get('ename')}: {value.get('evalue')}")
        return json.loads(ast.literal_eval(value["data"]["text/plain"]))
