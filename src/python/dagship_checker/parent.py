"""Parent: fork one child per file, at most `workers` at a time, and kill those that outlive the timeout."""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import sys
import time

from .child import HARD_KILL_GRACE, run_child
from .deaths import finish_child

# The child's JSON result is small; anything bigger came from DAG code writing to our pipe.
RESULT_LIMIT = 64 * 1024 * 1024


class Child:
    """A forked child parsing one file, as the parent sees it."""

    def __init__(self, path: str, pid: int, fd: int, output_path: str, deadline: float) -> None:
        self.path, self.pid, self.fd, self.output_path = path, pid, fd, output_path
        self.started = time.monotonic()
        self.deadline = deadline
        self.data = bytearray()
        self.wait_status: int | None = None
        self.killed = False


def spawn(path: str, request: dict, workdir: str, index: int) -> Child:
    output_path = os.path.join(workdir, f"child-{index}.out")
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        run_child(path, request, write_fd, output_path)
    os.close(write_fd)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)  # also done by the child; whichever runs first wins the race
    os.set_blocking(read_fd, False)
    deadline = time.monotonic() + request["timeout"] + HARD_KILL_GRACE
    return Child(path, pid, read_fd, output_path, deadline)


def check_files(paths: list[str], request: dict, workdir: str, workers: int) -> list[dict]:
    queue = list(reversed(paths))
    running: dict[int, Child] = {}
    results = []
    with ChildEvents() as events:
        try:
            while queue or running:
                while queue and len(running) < workers:
                    child = spawn(queue.pop(), request, workdir, len(paths) - len(queue))
                    running[child.pid] = child
                    events.watch(child)
                events.wait(running)
                kill_overdue(running)
                for child in [c for c in running.values() if c.wait_status is not None]:
                    events.forget(child)
                    del running[child.pid]
                    results.append(finish_child(child, request))
        finally:
            for child in running.values():
                _kill_group(child.pid)
    return results


class ChildEvents:
    """Wakes the parent when a child writes to its pipe or exits (SIGCHLD through a wakeup fd)."""

    def __enter__(self) -> ChildEvents:
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
        _kill_group(child.pid)  # leftovers started by DAG code

    def wait(self, running: dict[int, Child]) -> None:
        # A killed child wakes us through SIGCHLD; the 1 s cap only guards against a missed signal.
        deadlines = [c.deadline for c in running.values() if not c.killed]
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


def kill_overdue(running: dict[int, Child]) -> None:
    now = time.monotonic()
    for child in running.values():
        if not child.killed and child.wait_status is None and now >= child.deadline:
            child.killed = True
            _kill_group(child.pid)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
