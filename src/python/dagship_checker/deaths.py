"""Parent: turn a finished child into a file result, including children that died without sending one."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from typing import TYPE_CHECKING

from .findings import (
    DETAIL_LINES,
    RULE_CRASH,
    RULE_TIMEOUT,
    finding,
    line_in_text,
    tail,
)
from .isolation import read_tail
from .request import relative, repository_text

if TYPE_CHECKING:
    from .parent import Child


def finish_child(child: Child, request: dict) -> dict:
    """The verdict on the file a child was parsing when it died (or sent an unreadable result): the file
    was the first in that child, so nothing else can be the cause."""
    elapsed = round(time.monotonic() - child.started, 3)
    output = read_output(child.output_path, request["max_output_bytes"])
    result = died_result(child, request, elapsed, output, child.broken)
    if output:
        result["output"] = output
    return result


def died_result(child: Child, request: dict, elapsed: float, output: str, broken: dict | None) -> dict:
    rel = relative(child.path, request) or child.path
    status, rule, message = _death_cause(child, request, elapsed, broken)
    text = (broken or {}).get("internal_error") or _stack_dump(output)
    detail = tail(repository_text(text, request), DETAIL_LINES) or None
    line = line_in_text(output, child.path)
    return {
        "path": rel,
        "import_seconds": elapsed,
        "status": status,
        "dags": [],
        "local_modules": [],
        "findings": [finding(rule, rel, message, line=line, detail=detail)],
        "dag_lines": {},
    }


def _death_cause(child: Child, request: dict, elapsed: float, broken: dict | None) -> tuple[str, str, str]:
    if broken:
        return "crash", RULE_CRASH, "the checker failed on this file (see detail)"
    if child.killed:
        message = (
            f"import did not finish within the {request['timeout']:g}s timeout and did not stop "
            f"on Airflow's timeout signal; killed after {elapsed:.1f}s"
        )
        return "timeout", RULE_TIMEOUT, message
    status = child.wait_status or 0
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        hint = " (killed from outside: out of memory?)" if number == signal.SIGKILL else ""
        return "crash", RULE_CRASH, f"the parsing process died from {_signal_name(number)}{hint}"
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else status
    return "crash", RULE_CRASH, f"the parsing process exited with status {code} at import time (os._exit?)"


def _stack_dump(output: str) -> str:
    """The top of faulthandler's last stack dump (most recent call first) if there is one, else output."""
    start = max(output.rfind(marker) for marker in ("Fatal Python error", "Timeout ("))
    return "\n".join(output[start:].splitlines()[:DETAIL_LINES]) if start >= 0 else output


def _signal_name(number: int) -> str:
    with contextlib.suppress(ValueError):
        return f"signal {signal.Signals(number).name} ({number})"
    return f"signal {number}"


def read_output(path: str, limit: int) -> str:
    """The dead child's stdout/stderr for its last file: the last `limit` bytes, then the file is removed."""
    try:
        return read_tail(path, limit)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
