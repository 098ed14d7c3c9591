"""What a DAG file's import left running: processes and non-daemon threads.

Airflow 3's DAG processor talks to a parse over its standard streams and waits for them to close: a
process started at import that inherits any of them (stdin too, even with its output redirected) holds
the parse until dag_file_processor_timeout kills it, on every loop, with no import error, and the DAG
never appears. Other leftovers outlive every parse in production and are worth knowing about.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading

from .findings import RULE_LEFTOVER_PROCESS, RULE_LEFTOVER_THREAD, finding
from .isolation import file_identity

_REPORTED_THREADS: set[int] = set()


def leftover_findings(rel: str, airflow3: bool) -> tuple[list[dict], bool]:
    """Findings for the processes (then killed) and new threads the import left; True if a thread was left,
    which no one can stop: the child must end after this file."""
    findings = []
    for pid, command, holds_output in _processes():
        blocks = holds_output and airflow3
        if blocks:
            message = (
                f"a process started at import is still running and holds the parse's standard streams: {command}; "
                "Airflow's DAG processor waits for them to close, kills the parse after "
                "dag_file_processor_timeout on every loop, and the DAG never appears"
            )
        else:
            message = f"a process started at import is still running after it: {command} (killed by the check)"
        findings.append(finding(RULE_LEFTOVER_PROCESS, rel, message, severity="error" if blocks else "warning"))
        _kill(pid)
    threads = [t for t in threading.enumerate() if _left_thread(t)]
    for thread in threads:
        _REPORTED_THREADS.add(thread.ident)
        message = f"a non-daemon thread started at import is still running after it: {thread.name!r}"
        findings.append(finding(RULE_LEFTOVER_THREAD, rel, message, severity="warning"))
    return findings, bool(threads)


def _left_thread(thread: threading.Thread) -> bool:
    return (
        thread is not threading.main_thread()
        and not thread.daemon
        and thread.is_alive()
        and thread.ident not in _REPORTED_THREADS
    )


def _processes():
    """(pid, command line, holds our streams) for each live process this child started, in its process
    group, or holding its stdin or captured output (a daemon that left the group may still hold them). Not the result pipe:
    a sibling child holds the parent's end of it for a moment after its fork."""
    me, parent = os.getpid(), os.getppid()
    ours = {file_identity(fd) for fd in (0, 1, 2)} - {None}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in (me, parent):
            continue
        pid = int(entry)
        state, parent_pid, group = _state(pid)
        if state is None or state == "Z":
            continue
        holds = bool(ours & _open_files(pid))
        if me in (parent_pid, group) or holds:
            yield pid, _command(pid), holds


def _state(pid: int) -> tuple[str | None, int | None, int | None]:
    """State, parent and process group, from /proc/PID/stat (after the command name, which may hold ")")."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as fh:
            fields = fh.read().rpartition(")")[2].split()
        return fields[0], int(fields[1]), int(fields[2])
    except (OSError, IndexError, ValueError):
        return None, None, None


def _open_files(pid: int) -> set[tuple[int, int]]:
    found = set()
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                info = os.stat(f"/proc/{pid}/fd/{fd}")
                found.add((info.st_dev, info.st_ino))
    return found


def _command(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            words = fh.read().rstrip(b"\0").split(b"\0")
    except OSError:
        return f"pid {pid}"
    text = " ".join(w.decode("utf-8", "replace") for w in words)
    return text[:200] or f"pid {pid}"


def _kill(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, 0)  # ours when started directly; else the parent reaps it
