"""Parent: what wakes it while children run (a result line on a child's pipe, a child's exit)."""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .parent import Child, Plan

# The child's JSON result is small; anything bigger came from DAG code writing to our pipe.
RESULT_LIMIT = 64 * 1024 * 1024


class ChildEvents:
    """Wakes the parent when a child writes to its pipe or exits (SIGCHLD through a wakeup fd)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def __enter__(self) -> ChildEvents:  # noqa: PYI034 - typing.Self is Python 3.11+; the checker runs on 3.9 up
        self.selector = selectors.DefaultSelector()
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)
        self.selector.register(self.wake_r, selectors.EVENT_READ, None)
        self.old_handler = signal.signal(signal.SIGCHLD, lambda *_: None)
        self.old_wakeup = signal.set_wakeup_fd(self.wake_w, warn_on_full_buffer=False)
        return self

    def __exit__(self, *_) -> None:
        signal.set_wakeup_fd(self.old_wakeup)
        signal.signal(signal.SIGCHLD, self.old_handler)
        self.selector.close()
        os.close(self.wake_r)
        os.close(self.wake_w)

    def watch(self, child: Child) -> None:
        self.selector.register(child.fd, selectors.EVENT_READ, child)

    def forget(self, child: Child) -> None:
        _read_available(child)  # whatever the child wrote just before it exited
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(child.fd)
        os.close(child.fd)
        if child.command_fd is not None:
            os.close(child.command_fd)
            child.command_fd = None
        kill_group(child.pid)  # leftovers started by DAG code

    def wait(self, running: dict[int, Child]) -> None:
        # A killed child wakes us through SIGCHLD; the 1 s cap only guards against a missed signal.
        deadlines = [self.plan.deadline(c) for c in running.values() if not c.killed]
        timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else 1.0
        for key, _ in self.selector.select(timeout):
            if key.data is None:
                with contextlib.suppress(BlockingIOError):
                    os.read(self.wake_r, 4096)
            elif _read_available(key.data):
                self.selector.unregister(key.fd)  # EOF: nothing more will come from this child
        reap(running)


def _read_available(child: Child) -> bool:
    """Read what is in the child's pipe; True at end of file."""
    while True:
        try:
            chunk = os.read(child.fd, 1 << 16)
        except (BlockingIOError, OSError):
            return False
        if not chunk:
            return True
        if len(child.data) < RESULT_LIMIT:
            child.data += chunk
        _take_results(child)


def _take_results(child: Child) -> None:
    """One JSON line per finished file, in the order the files were assigned."""
    while b"\n" in child.data and child.assigned and child.broken is None:
        line, _, rest = bytes(child.data).partition(b"\n")
        child.data = bytearray(rest)
        result = _decode_line(line)
        if result is None or "internal_error" in result:
            # DAG code wrote to our pipe, or the checker failed: stop this child; see Plan.settle.
            child.broken = result or {"internal_error": "the child sent an unreadable result"}
            kill_group(child.pid)
            return
        child.assigned.pop(0)
        child.checked += 1
        child.done.append(result)
        child.progress()


def _decode_line(line: bytes) -> dict | None:
    with contextlib.suppress(ValueError):
        value = json.loads(line.decode("utf-8", "replace"))
        return value if isinstance(value, dict) else None
    return None


def reap(running: dict[int, Child]) -> None:
    """Collect exited children; as PID 1 of the container we also reap orphans DAG code left behind."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in running:
            running[pid].wait_status = status


def kill_group(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
