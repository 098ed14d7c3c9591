"""One test's whole runtest protocol (setup, call, teardown) in a forked child, as pytest-forked does, with
a time limit and an address-space limit. The child sends each phase's report up a pipe as soon as it has
it (pytest's report serialization hooks); the parent logs them through pytest's own hooks. A child that
outlives the limit, dies from a signal or leaves the interpreter becomes that test's failure."""

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


def run_forked(item, timeout: float, memory_mb: float) -> None:
    ihook = item.ihook
    ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    read_fd, write_fd = os.pipe()
    stack_fd, stack_path = tempfile.mkstemp(prefix="dagship-stack-")
    sys.stdout.flush()
    sys.stderr.flush()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(item, write_fd, (stack_fd, timeout), memory_mb)
    os.close(write_fd)
    os.close(stack_fd)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)  # also done by the child; whichever runs first wins the race
    try:
        phases, status, killed = _follow(item, pid, read_fd, timeout)
        elapsed = time.monotonic() - started
        if status != 0 or "teardown" not in phases:
            _log_death(item, phases, (status, killed), elapsed, read_tail(stack_path, STACK_BYTES))
    finally:
        os.close(read_fd)
        with contextlib.suppress(OSError):
            os.unlink(stack_path)
    ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)


def _follow(item, pid: int, fd: int, timeout: float) -> tuple[list[str], int, bool]:
    """Log each report as it arrives; kill the child's process group at the deadline."""
    deadline = time.monotonic() + timeout if timeout else None
    phases: list[str] = []
    pending = b""
    killed = False
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
            report = item.config.hook.pytest_report_from_serializable(config=item.config, data=json.loads(line))
            phases.append(report.when)
            item.ihook.pytest_runtest_logreport(report=report)
    _, status = os.waitpid(pid, 0)
    return phases, status, killed


def _log_death(item, phases: list[str], death: tuple[int, bool], elapsed: float, stack: str) -> None:
    status, killed = death
    if killed:
        outcome, message = "timeout", f"the test did not finish in {_seconds(elapsed)}s (test_timeout); killed"
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


def _child(item, fd: int, stack: tuple[int, float], memory_mb: float) -> None:
    status = 70  # EX_SOFTWARE: the plugin, not the test, failed
    try:
        os.setpgid(0, 0)  # the parent kills the whole group: processes the test started die too
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, signal.SIG_DFL)
        _dispose_inherited_engine()
        limit_memory(memory_mb)
        stack_fd, timeout = stack
        if timeout:
            faulthandler.dump_traceback_later(max(0.1, timeout - DUMP_BEFORE_KILL), file=stack_fd)
        _protocol(item, fd)
        status = 0
    except BaseException:
        with contextlib.suppress(BaseException):
            traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(status)


def _protocol(item, fd: int) -> None:
    """pytest's runtestprotocol, each report sent as soon as it exists. Every fixture is torn down in the
    child (nextitem=None): what a test set up, even a session fixture, dies with its process."""
    if hasattr(item, "_request") and not item._request:
        item._initrequest()
    report = call_and_report(item, "setup", log=False)
    _send(item, fd, report)
    if report.passed and not item.config.getoption("setuponly", False):
        _send(item, fd, call_and_report(item, "call", log=False))
    _send(item, fd, call_and_report(item, "teardown", log=False, nextitem=None))


def _send(item, fd: int, report) -> None:
    data = item.config.hook.pytest_report_to_serializable(config=item.config, report=report)
    payload = json.dumps(data, default=str).encode("utf-8") + b"\n"
    while payload:
        payload = payload[os.write(fd, payload) :]


def _dispose_inherited_engine() -> None:
    """Connections of a SQLAlchemy engine the parent opened (conftest importing airflow) stay the
    parent's: the child opens its own."""
    settings = sys.modules.get("airflow.settings")
    engine = getattr(settings, "engine", None)
    if engine is not None:
        with contextlib.suppress(Exception):
            engine.dispose(close=False)
