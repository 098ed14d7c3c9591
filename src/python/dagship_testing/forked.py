"""The suite's tests in a forked worker child, one after the other, with a time limit per test and an
address-space limit. The worker keeps its fixtures from test to test, so a session fixture (a DagBag) is
set up once, as in a plain pytest run. It sends a line when a test starts and each phase's report as soon
as it has it (pytest's report serialization hooks); the parent logs them through pytest's own hooks. A
test that outlives its limit, dies from a signal or leaves the interpreter becomes that test's failure, and
a fresh worker takes the tests after it: the rest of the suite still reports (its session fixtures are then
set up again, once)."""

from __future__ import annotations

import contextlib
import faulthandler
import json
import os
import select
import signal
import sys
import tempfile
import time
import traceback

from _pytest.reports import TestReport
from _pytest.runner import call_and_report
from dagship_checker.events import kill_group
from dagship_checker.isolation import read_tail

from .environment import limit_memory

# A hung test's stack is dumped this long before the kill, so that its report shows where it hung.
DUMP_BEFORE_KILL = 1.0
STACK_BYTES = 16384
STACK_LINES = 20  # most recent call first: the test's own frames and the library calls it waits in


def run_items(session, timeout: float, memory_mb: float) -> None:
    """Every collected item, in workers: a new worker after each death, from the item after the dead one."""
    items = session.items
    start = 0
    while start < len(items) and not (session.shouldfail or session.shouldstop):
        start = _worker(session, items, start, timeout, memory_mb)


def _worker(session, items: list, start: int, timeout: float, memory_mb: float) -> int:
    """Runs items[start:] in one forked worker; returns where the next worker starts (len(items) when done)."""
    read_fd, write_fd = os.pipe()
    stack_fd, stack_path = tempfile.mkstemp(prefix="dagship-stack-")
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(items, start, write_fd, (stack_fd, timeout), memory_mb)
    os.close(write_fd)
    os.close(stack_fd)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)  # also done by the child; whichever runs first wins the race
    try:
        return _follow(session, items, (pid, read_fd, start), timeout, stack_path)
    finally:
        os.close(read_fd)
        with contextlib.suppress(OSError):
            os.unlink(stack_path)


def _follow(session, items: list, worker: tuple[int, int, int], timeout: float, stack_path: str) -> int:
    """Logs what the worker sends; kills its process group when a test outlives its limit or the session
    must stop (-x, --maxfail). Returns the index of the first item no worker has run yet."""
    pid, fd, start = worker
    current = None  # index of the running item
    finished = start - 1
    phases: list[str] = []
    started = deadline = None
    pending = b""
    killed = stopped = False
    while True:
        wait = None if deadline is None else max(0.0, deadline - time.monotonic())
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            killed = True
            kill_group(pid)
            break
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        pending += chunk
        while b"\n" in pending:
            line, _, pending = pending.partition(b"\n")
            message = json.loads(line)
            if "dagship_start" in message:
                current, phases = message["dagship_start"], []
                item = items[current]
                item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
                started = time.monotonic()
                deadline = started + timeout if timeout else None
                continue
            item = items[current]
            report = item.config.hook.pytest_report_from_serializable(config=item.config, data=message)
            phases.append(report.when)
            item.ihook.pytest_runtest_logreport(report=report)
            if report.when == "teardown":
                item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
                finished, current, deadline = current, None, None
                if session.shouldfail or session.shouldstop:
                    stopped = True
                    kill_group(pid)
        if stopped:
            break
    _, status = os.waitpid(pid, 0)
    if current is None:
        if stopped or status == 0:
            return len(items)
        # The worker died between tests, in the plugin itself: go on after the last finished test, unless
        # it never got that far (then a new worker would die the same way).
        if finished < start:
            raise RuntimeError(f"dagship's pytest worker ended with status {status} before running a test")
        return finished + 1
    item = items[current]
    _log_death(item, phases, (status, killed), time.monotonic() - started, read_tail(stack_path, STACK_BYTES))
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return current + 1


def _log_death(item, phases: list[str], death: tuple[int, bool], elapsed: float, stack: str) -> None:
    status, killed = death
    if killed:
        outcome, message = "timeout", f"the test did not finish in {_seconds(elapsed)}s (test.timeout); killed"
    elif os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        hint = "out of memory?" if number == signal.SIGKILL else signal.Signals(number).name
        outcome, message = "crashed", f"the test was killed by signal {number} ({hint})"
    else:
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else status
        outcome, message = "crashed", f"the test ended the interpreter (exit code {code})"
    when = "setup" if not phases else "call" if phases == ["setup"] else "teardown"
    stack = "\n".join(stack.rstrip().splitlines()[:STACK_LINES]) if killed else ""
    longrepr = message + (f"\n\nWhere it was (faulthandler):\n{stack}" if stack else "")
    report = TestReport(
        item.nodeid, item.location, {}, "failed", longrepr, when, sections=[], duration=elapsed, user_properties=[]
    )
    report.dagship_outcome = outcome
    item.ihook.pytest_runtest_logreport(report=report)


def _seconds(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def _child(items: list, start: int, fd: int, stack: tuple[int, float], memory_mb: float) -> None:
    status = 70  # EX_SOFTWARE: the plugin, not a test, failed
    try:
        os.setpgid(0, 0)  # the parent kills the whole group: processes a test started die too
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, signal.SIG_DFL)
        _dispose_inherited_engine()
        limit_memory(memory_mb)
        stack_fd, timeout = stack
        for index in range(start, len(items)):
            _send(fd, {"dagship_start": index})
            if timeout:
                # Written only if the test is still running then: the stack file holds the hung test's.
                faulthandler.dump_traceback_later(max(0.1, timeout - DUMP_BEFORE_KILL), file=stack_fd)
            nextitem = items[index + 1] if index + 1 < len(items) else None
            _protocol(items[index], nextitem, fd)
            faulthandler.cancel_dump_traceback_later()
        status = 0
    except BaseException:
        with contextlib.suppress(BaseException):
            traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(status)


def _protocol(item, nextitem, fd: int) -> None:
    """pytest's runtestprotocol, each report sent as soon as it exists. nextitem lets pytest keep the
    fixtures the next test shares (a session DagBag) and tear down the rest, as in a plain run."""
    if hasattr(item, "_request") and not item._request:
        item._initrequest()
    report = call_and_report(item, "setup", log=False)
    _send_report(item, fd, report)
    if report.passed and not item.config.getoption("setuponly", False):
        _send_report(item, fd, call_and_report(item, "call", log=False))
    _send_report(item, fd, call_and_report(item, "teardown", log=False, nextitem=nextitem))
    # pytest frees what the test held: its funcargs are not kept for the rest of the worker's life.
    item._request = False
    item.funcargs = None


def _send_report(item, fd: int, report) -> None:
    _send(fd, item.config.hook.pytest_report_to_serializable(config=item.config, report=report))


def _send(fd: int, data: dict) -> None:
    payload = json.dumps(data, default=str).encode("utf-8") + b"\n"
    while payload:
        payload = payload[os.write(fd, payload) :]


def _dispose_inherited_engine() -> None:
    """Connections of a SQLAlchemy engine the parent opened (conftest importing airflow) stay the
    parent's: the worker opens its own."""
    settings = sys.modules.get("airflow.settings")
    engine = getattr(settings, "engine", None)
    if engine is not None:
        with contextlib.suppress(Exception):
            engine.dispose(close=False)
