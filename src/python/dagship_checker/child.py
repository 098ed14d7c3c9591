"""A forked child: parse one DAG file and send its result up a pipe."""

from __future__ import annotations

import contextlib
import faulthandler
import gc
import json
import os
import re
import sys
import time
import traceback

from .airflow_env import dagbag_factory
from .definitions import find_dag_definitions
from .findings import (
    ParsedFile,
    duplicates_in_file,
    file_status,
    import_error_findings,
    lookup_findings,
)
from .isolation import isolate_child
from .lookups import LOOKUPS
from .policies import policy_findings
from .request import relative

# Seconds a child may outlive the import timeout before the parent kills it: Airflow's SIGALRM normally
# ends the import first; this catches code that swallows the alarm or blocks inside C.
HARD_KILL_GRACE = 3.0

# Names in sys.modules when the parent started forking (see freeze_parent).
PARENT_MODULES: frozenset = frozenset()


def freeze_parent() -> None:
    """Last step before forking: snapshot the modules the children inherit, and keep the garbage
    collector of every child off the parent's objects (a collection would walk, and so copy, the heap)."""
    global PARENT_MODULES  # noqa: PLW0603 - set once, before the first fork
    PARENT_MODULES = frozenset(sys.modules)
    gc.freeze()


def run_child(paths: list[str], request: dict, result_fd: int, output_paths: list[str]) -> None:
    """Entry point of a forked child: parses its files in order, one JSON line per file, then exits
    without running the parent's exit handlers. A batch of several files shares the fork's cost; if a
    file kills the child, the parent re-checks the files it had not finished one child each."""
    status = 70  # EX_SOFTWARE: the checker, not the DAG file, failed in this child
    pid = os.getpid()
    try:
        isolate_child(output_paths[0], request)
        for index, path in enumerate(paths):
            if index:
                next_file(output_paths[index], request)
            result = check_file(path, request)
            if os.getpid() != pid:  # DAG code that forked must not send a second result
                break
            _send(result_fd, result)
        status = 0
    except BaseException:
        with contextlib.suppress(BaseException):
            _send(result_fd, {"internal_error": traceback.format_exc()})
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(status)


def next_file(output_path: str, request: dict) -> None:
    """Between two files of a batch: fresh output capture, lookups and repository modules, so that
    each file imports its own helpers again (and lists them as its local modules)."""
    sys.stdout.flush()
    sys.stderr.flush()
    out = os.open(output_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
    LOOKUPS.missing.clear()
    inside = request["repo_root"].rstrip(os.sep) + os.sep
    for name in list(sys.modules.keys() - PARENT_MODULES):
        module_file = getattr(sys.modules.get(name), "__file__", None)
        if isinstance(module_file, str) and module_file.startswith(inside):
            del sys.modules[name]


def _send(fd: int, result: dict) -> None:
    data = json.dumps(result, default=str).encode("utf-8") + b"\n"
    while data:
        data = data[os.write(fd, data) :]


def check_file(path: str, request: dict) -> dict:
    LOOKUPS.dag_file = path
    started = time.monotonic()
    bag, escaped = parse_dag_file(path, request)
    seconds = round(time.monotonic() - started, 3)
    parsed = ParsedFile(
        path, relative(path, request["repo_root"]), request, bag, escaped, find_dag_definitions(path)
    )
    dags = sorted(bag.dags.values() if bag else [], key=_dag_id)
    findings = import_error_findings(parsed) + duplicates_in_file(parsed) + lookup_findings(parsed)
    findings += policy_findings(parsed, dags)
    return {
        "path": parsed.rel,
        "import_seconds": seconds,
        "status": file_status(findings),
        "dags": [{"dag_id": dag.dag_id, "tasks": len(dag.tasks)} for dag in dags],
        "local_modules": local_modules(parsed),
        "findings": findings,
        "dag_lines": parsed.lines,
    }


def _dag_id(dag) -> str:
    return dag.dag_id


def parse_dag_file(path: str, request: dict):
    """Build the DagBag for one file; also return the traceback of anything that escaped DagBag."""
    # If the import ignores SIGALRM, this dump (before the hard kill) shows where it was stuck.
    faulthandler.dump_traceback_later(request["timeout"] + HARD_KILL_GRACE / 2)
    try:
        return dagbag_factory()(path, request["dags_folder"]), None
    except BaseException:  # Airflow 2 lets SystemExit and KeyboardInterrupt out of an import
        return None, traceback.format_exc()
    finally:
        faulthandler.cancel_dump_traceback_later()


def local_modules(parsed: ParsedFile) -> list[str]:
    """Repository files the DAG file loaded (helpers, plugins), the file itself excluded.

    Only modules imported since the fork are looked at: the parent loads no repository code, and
    touching each of its thousands of inherited modules would copy their memory pages (~10 ms a file).
    A helper that raised during import is gone from sys.modules, so files named in the error
    tracebacks count too: a change to that helper must re-check this file.
    """
    new = [sys.modules.get(name) for name in sys.modules.keys() - PARENT_MODULES]
    files = [getattr(module, "__file__", None) for module in new]
    for text in parsed.error_texts:
        files += re.findall(r'File "([^"]+)", line \d+', text)
    root = parsed.request["repo_root"]
    inside = root.rstrip(os.sep) + os.sep
    return sorted(
        {relative(f, root) for f in files if isinstance(f, str) and f.startswith(inside)} - {parsed.rel}
    )
