"""A forked child's sandbox: own process group, captured output, resource limits, fatal faults."""

from __future__ import annotations

import faulthandler
import os
import resource
import signal
import sys

from .code_cache import cache_repository_code
from .lookups import LOOKUPS

# A child's captured stdout/stderr may not grow past this on disk (a print loop must not fill /tmp).
OUTPUT_FILE_LIMIT = 256 * 1024 * 1024
# Python-level handlers for these never get to run after a real fault (see _keep_fault_signals_fatal).
FAULT_SIGNALS = {signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE}


def isolate_child(output_path: str, request: dict) -> OutputCapture:
    os.setpgid(0, 0)  # the parent kills the whole group: subprocesses started by DAG code die too
    signal.set_wakeup_fd(-1)
    for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, signal.SIG_DFL)
    # Standard input reads as empty, like /dev/null, but is this child's own: a process the import leaves
    # holding it is found by its identity (see leftovers.py), which /dev/null would share with everyone.
    read_end, write_end = os.pipe()
    os.close(write_end)
    os.dup2(read_end, 0)
    os.close(read_end)
    capture = OutputCapture(output_path)
    if request["memory_limit_mb"]:  # 0: no limit
        _limit(resource.RLIMIT_AS, int(request["memory_limit_mb"] * 1024 * 1024))
    _limit(resource.RLIMIT_FSIZE, OUTPUT_FILE_LIMIT)
    # The repository is read-only: every import of a DAG file or helper would try, and fail, to write
    # bytecode (a tenth of a millisecond a module). Nothing the scheduler sees depends on it.
    sys.dont_write_bytecode = True
    cache_repository_code(request)
    _limit(resource.RLIMIT_CORE, 0)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails with EFBIG instead of killing
    _keep_fault_signals_fatal()
    faulthandler.enable(file=sys.stderr, all_threads=True)
    LOOKUPS.load(request)
    return capture


class OutputCapture:
    """The child's stdout and stderr, both into one file that holds the output of the current DAG file
    only: after each file its output is taken and the file emptied (the parent reads it if the child dies)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.identity = None
        self.size = 0  # bytes the last file printed
        self._open()

    def _open(self) -> None:
        # O_APPEND: after the file is emptied, every writer (subprocesses too) starts again at offset 0.
        out = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.close(out)
        self.identity = file_identity(1)

    def take(self, limit: int) -> str:
        """The current file's output (its last `limit` bytes), then an empty capture for the next file;
        a capture that DAG code closed or redirected is opened again."""
        sys.stdout.flush()
        sys.stderr.flush()
        intact = file_identity(1) == self.identity == file_identity(2)
        self.size = _size(self.path)
        if intact and self.size == 0:
            return ""
        text = read_tail(self.path, limit)
        self._open()
        return text


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def file_identity(fd: int) -> tuple[int, int] | None:
    try:
        info = os.fstat(fd)
    except OSError:
        return None
    return info.st_dev, info.st_ino


def read_tail(path: str, limit: int) -> str:
    """The last `limit` bytes of a captured output, never more, marked when bytes were left out."""
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - limit))
            data = fh.read(limit)
    except OSError:
        return ""
    text = data.decode("utf-8", "replace")
    return f"[... {size - len(data)} bytes omitted ...]\n{text}" if size > len(data) else text


def _limit(which: int, value: int) -> None:
    """Lower the soft limit, never above the hard one."""
    _, hard = resource.getrlimit(which)
    resource.setrlimit(which, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))


def _keep_fault_signals_fatal() -> None:
    """Ignore Python-level handlers for SIGSEGV and friends (Airflow 3's importer installs one).

    Python runs signal handlers between bytecodes, so after a real segfault the faulting instruction
    re-executes forever and the child spins until the hard kill. With the default action behind
    faulthandler (enabled after this), the child dumps its stack to the captured output and dies at once,
    which the parent reports as a crash.
    """
    register = signal.signal
    for signum in FAULT_SIGNALS:  # the parent's warm-up DagBag left Airflow's handler installed
        register(signum, signal.SIG_DFL)

    def guarded(signum, handler):
        if signum in FAULT_SIGNALS:
            return signal.getsignal(signum)
        return register(signum, handler)

    signal.signal = guarded
