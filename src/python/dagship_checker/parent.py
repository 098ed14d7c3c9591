"""Parent: keep `workers` children busy with files, and kill those that outlive the timeout."""

from __future__ import annotations

import contextlib
import os
import sys
import time

from .child import HARD_KILL_GRACE, run_child
from .deaths import finish_child
from .events import ChildEvents, kill_group

# Files a child may hold at once: the one it parses and the next, so it never waits for the parent.
AHEAD = 2
# A forked Airflow process costs tens of milliseconds of copy-on-write before its first file is parsed;
# a child that parses many files shares that cost. Its memory grows by about a kilobyte a file; this
# bounds what one process accumulates all the same.
MAX_FILES_PER_CHILD = 256


class Child:
    """A forked child parsing the files the parent assigns, as the parent sees it."""

    def __init__(self, serial: int, pid: int, fds: tuple[int, int], output_path: str) -> None:
        self.serial, self.pid, self.output_path = serial, pid, output_path
        self.fd, self.command_fd = fds
        self.assigned: list[str] = []  # sent and not reported yet; the first is being parsed
        self.sent = 0
        self.checked = 0
        self.done: list[dict] = []
        self.data = bytearray()
        self.broken: dict | None = None  # an unreadable result or the checker's own failure
        self.wait_status: int | None = None
        self.killed = False
        self.progress()

    @property
    def path(self) -> str:
        return self.assigned[0]

    def progress(self) -> None:
        """Each file gets the whole timeout, counted from when the previous one finished."""
        self.started = time.monotonic()


class Plan:
    """Files still to check. `fresh` files must be the first file of a new child: their child died on
    them after parsing other files, so only a process of their own can say whether they are the cause."""

    def __init__(self, paths: list[str], request: dict, workers: int, definitions: dict) -> None:
        self.paths, self.request, self.definitions = paths, request, definitions
        self.index = {path: n for n, path in enumerate(paths)}
        self.queue = paths[::-1]  # popped from the end
        self.fresh: list[str] = []
        self.per_child = files_per_child(len(paths), workers)

    def __bool__(self) -> bool:
        return bool(self.queue or self.fresh)

    def deadline(self, child: Child) -> float:
        return child.started + self.request["timeout"] + HARD_KILL_GRACE

    def feed(self, child: Child) -> None:
        """Keep the child AHEAD files deep; close its pipe when it has had its share or nothing is left."""
        while child.command_fd is not None and len(child.assigned) < AHEAD:
            if child.sent >= self.per_child or not self.queue:
                os.close(child.command_fd)
                child.command_fd = None
                return
            self.assign(child, self.queue.pop())

    def assign(self, child: Child, path: str) -> None:
        child.assigned.append(path)
        child.sent += 1
        with contextlib.suppress(OSError):  # a dead child: settle() puts the file back
            os.write(child.command_fd, b"%d\n" % self.index[path])

    def settle(self, child: Child) -> dict | None:
        """After a child exits with files still assigned: a verdict on the file it died on when that was its
        first file, else that file goes to a fresh child; the files it had not started go back."""
        if not child.assigned:
            _remove(child.output_path)
            return None
        first, *unstarted = child.assigned
        self.queue += unstarted[::-1]
        if child.checked == 0:
            return finish_child(child, self.request)  # reads and removes the output
        self.fresh.append(first)
        _remove(child.output_path)
        return None


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def files_per_child(files: int, workers: int) -> int:
    """One file per child for small runs (best isolation); long-lived children when there are many."""
    return 1 if files < workers * 8 else MAX_FILES_PER_CHILD


def spawn(plan: Plan, running: dict[int, Child], workdir: str, serial: int) -> Child:
    output_path = os.path.join(workdir, f"child-{serial}.out")
    command_r, command_w = os.pipe()
    result_r, result_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        # Other children's pipes stay with the parent: a child holding one would keep it from ending.
        for fd in [command_w, result_r, *(fd for c in running.values() for fd in (c.fd, c.command_fd))]:
            if fd is not None:
                os.close(fd)
        run_child((plan.paths, plan.definitions), plan.request, (command_r, result_w), output_path)
    os.close(command_r)
    os.close(result_w)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)  # also done by the child; whichever runs first wins the race
    os.set_blocking(result_r, False)
    child = Child(serial, pid, (result_r, command_w), output_path)
    if plan.fresh:
        plan.assign(child, plan.fresh.pop())
    return child


def check_files(paths: list[str], request: dict, workdir: str, workers: int, definitions: dict) -> list[dict]:
    """File results for `paths`; `definitions` holds the DAG definitions of the files scanned already."""
    plan = Plan(paths, request, workers, definitions)
    running: dict[int, Child] = {}
    results: list[dict] = []
    spawned = 0
    with ChildEvents(plan) as events:
        try:
            while plan or running:
                while plan and len(running) < workers:
                    spawned += 1
                    child = spawn(plan, running, workdir, spawned)
                    running[child.pid] = child
                    events.watch(child)
                for child in running.values():
                    plan.feed(child)
                events.wait(running)
                kill_overdue(running, plan)
                for child in [c for c in running.values() if c.wait_status is not None]:
                    events.forget(child)
                    del running[child.pid]
                    verdict = plan.settle(child)
                    results += child.done + ([verdict] if verdict else [])
        finally:
            for child in running.values():
                kill_group(child.pid)
    return results


def kill_overdue(running: dict[int, Child], plan: Plan) -> None:
    now = time.monotonic()
    for child in running.values():
        if not child.killed and child.wait_status is None and now >= plan.deadline(child):
            child.killed = True
            kill_group(child.pid)
