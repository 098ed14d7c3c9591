"""Parent: fork one child per file, at most `workers` at a time, and kill those that outlive the timeout."""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import sys
import time

from .child import HARD_KILL_GRACE, run_child
from .deaths import finish_child, read_output

# The child's JSON result is small; anything bigger came from DAG code writing to our pipe.
RESULT_LIMIT = 64 * 1024 * 1024


# A forked Airflow process costs milliseconds before it imports anything; a batch shares that cost.
MAX_BATCH = 16


class Child:
    """A forked child parsing a batch of files (often one), as the parent sees it."""

    def __init__(self, paths: list[str], pid: int, fd: int, output_paths: list[str], request: dict) -> None:
        self.paths, self.pid, self.fd, self.output_paths = paths, pid, fd, output_paths
        self.request = request
        self.done: list[dict] = []
        self.data = bytearray()
        self.wait_status: int | None = None
        self.killed = False
        self.next_file()

    @property
    def path(self) -> str:
        return self.paths[min(len(self.done), len(self.paths) - 1)]

    @property
    def output_path(self) -> str:
        return self.output_paths[min(len(self.done), len(self.paths) - 1)]

    def next_file(self) -> None:
        """Each file gets the whole timeout, counted from when the previous one finished."""
        self.started = time.monotonic()
        self.deadline = self.started + self.request["timeout"] + HARD_KILL_GRACE


def batch_size(files: int, workers: int) -> int:
    """One file per child for small runs (best isolation); batches when there are many files."""
    return max(1, min(MAX_BATCH, files // (workers * 4)))


def spawn(paths: list[str], request: dict, workdir: str, index: int) -> Child:
    output_paths = [os.path.join(workdir, f"child-{index}-{n}.out") for n in range(len(paths))]
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        run_child(paths, request, write_fd, output_paths)
    os.close(write_fd)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)  # also done by the child; whichever runs first wins the race
    os.set_blocking(read_fd, False)
    return Child(paths, pid, read_fd, output_paths, request)


def check_files(paths: list[str], request: dict, workdir: str, workers: int) -> list[dict]:
    size = batch_size(len(paths), workers)
    queue = [paths[i : i + size] for i in range(0, len(paths), size)][::-1]
    running: dict[int, Child] = {}
    results: list[dict] = []
    spawned = 0
    with ChildEvents() as events:
        try:
            while queue or running:
                while queue and len(running) < workers:
                    spawned += 1
                    child = spawn(queue.pop(), request, workdir, spawned)
                    running[child.pid] = child
                    events.watch(child)
                events.wait(running)
                kill_overdue(running)
                for child in [c for c in running.values() if c.wait_status is not None]:
                    events.forget(child)
                    del running[child.pid]
                    queue += settle(child, request)
                    results += child.done
        finally:
            for child in running.values():
                _kill_group(child.pid)
    return results


def settle(child: Child, request: dict) -> list[list[str]]:
    """After a child exits: a lone file gets its verdict; the unfinished files of a batch that died go
    back to be checked one child each, so the file that killed it is diagnosed on its own."""
    left = child.paths[len(child.done) :]
    if not left:
        return []
    if len(child.paths) == 1:
        child.done.append(finish_child(child, request))
        return []
    return [[path] for path in reversed(left)]


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
        if len(child.paths) > 1:
            _take_results(child)


def _take_results(child: Child) -> None:
    """A batch child sends one JSON line per finished file."""
    while b"\n" in child.data and len(child.done) < len(child.paths):
        line, _, rest = bytes(child.data).partition(b"\n")
        child.data = bytearray(rest)
        result = _decode_line(line)
        if result is None or "internal_error" in result:
            return  # settle() re-checks this file and the rest one child each
        output = read_output(child.output_path, child.request["max_output_bytes"])
        if output:
            result["output"] = output
        child.done.append(result)
        child.next_file()


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


def kill_overdue(running: dict[int, Child]) -> None:
    now = time.monotonic()
    for child in running.values():
        if not child.killed and child.wait_status is None and now >= child.deadline:
            child.killed = True
            _kill_group(child.pid)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
