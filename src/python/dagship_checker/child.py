"""A forked child: parse the DAG files the parent assigns, one at a time, and send each result up a pipe."""

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
import types

from .airflow_env import airflow_major, dagbag_factory
from .definitions import find_dag_definitions
from .findings import (
    ParsedFile,
    duplicates_in_file,
    file_status,
    import_error_findings,
    lookup_findings,
    output_findings,
    serialization_findings,
)
from .isolation import isolate_child
from .leftovers import leftover_findings
from .lookups import LOOKUPS
from .policies import policy_findings
from .request import in_repository, relative
from .runtime import runtime_findings
from .serialization import serialization_errors

# Seconds a child may outlive the import timeout before the parent kills it: Airflow's SIGALRM normally
# ends the import first; this catches code that swallows the alarm or blocks inside C.
HARD_KILL_GRACE = 3.0

# Put in sys.modules last before the first fork: what a child imports comes after it (dicts keep order).
FORK_MARKER = "_dagship_fork_marker"
# Names in sys.modules when the parent started forking (see freeze_parent).
PARENT_MODULES: frozenset = frozenset()


def freeze_parent() -> None:
    """Last step before forking: mark and snapshot the modules the children inherit, keep the garbage
    collector of every child off the parent's objects (a collection would walk, and so copy, the heap),
    and turn it on again (the checker runs with it off until here): DAG code runs as in the scheduler."""
    global PARENT_MODULES  # noqa: PLW0603 - set once, before the first fork
    sys.modules[FORK_MARKER] = types.ModuleType(FORK_MARKER)
    PARENT_MODULES = frozenset(sys.modules)
    gc.freeze()
    gc.enable()


def run_child(files: tuple[list[str], dict], request: dict, pipes: tuple[int, int], output_path: str) -> None:
    """Entry point of a forked child: parses the files the parent assigns (indexes into `paths`, one line
    each on the command pipe) in order, sends one JSON line per file, and exits at the end of the
    assignments without running the parent's exit handlers. A long-lived child shares the fork's cost over
    many files; if a file kills it, the parent re-checks that file as the first of a fresh child.
    `files`: the paths, and the DAG definitions of those the scan reached."""
    paths, definitions = files
    command_fd, result_fd = pipes
    status = 70  # EX_SOFTWARE: the checker, not the DAG file, failed in this child
    pid = os.getpid()
    try:
        capture = isolate_child(output_path, request)
        airflow3 = airflow_major() >= 3
        for count, index in enumerate(_assignments(command_fd)):
            if count:
                next_file(request)
            result = check_file(paths[index], request, definitions.get(paths[index]))
            if os.getpid() != pid:  # DAG code that forked must not send a second result
                break
            left, thread_left = leftover_findings(result["path"], airflow3)
            add_findings(result, left)
            output = capture.take(request["max_output_bytes"])
            if output:
                result["output"] = output
            add_findings(result, output_findings(result["path"], capture.size))
            _send(result_fd, result)
            if thread_left:  # nothing stops a thread: a fresh child takes the next file
                break
        status = 0
    except BaseException:
        with contextlib.suppress(BaseException):
            _send(result_fd, {"internal_error": traceback.format_exc()})
    finally:
        with contextlib.suppress(BaseException):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(status)


def _assignments(fd: int):
    """File indexes from the parent, until it closes the pipe."""
    pending = b""
    while True:
        while b"\n" not in pending:
            chunk = os.read(fd, 4096)
            if not chunk:
                return
            pending += chunk
        line, _, pending = pending.partition(b"\n")
        yield int(line)


def next_file(request: dict) -> None:
    """Between two files of one child: fresh lookups and repository modules, so that each file imports
    its own helpers again, as in the scheduler's process per file (and lists them as local modules)."""
    LOOKUPS.missing.clear()
    for name, module in modules_since_fork():
        module_file = getattr(module, "__file__", None)
        if isinstance(module_file, str) and in_repository(module_file, request):
            del sys.modules[name]


def modules_since_fork() -> list[tuple[str, object]]:
    """(name, module) imported in this child, newest first: the names after the fork marker. Reading
    only those keeps a child off the thousands of inherited modules (touching them copies their pages)."""
    names = list(sys.modules)
    found = []
    for name in reversed(names):
        if name == FORK_MARKER:
            break
        found.append(name)
    else:  # DAG code removed the marker: compare with the snapshot instead
        found = list(sys.modules.keys() - PARENT_MODULES)
    return [(name, sys.modules.get(name)) for name in found]


def _send(fd: int, result: dict) -> None:
    data = json.dumps(result, default=str).encode("utf-8") + b"\n"
    while data:
        data = data[os.write(fd, data) :]


def check_file(path: str, request: dict, definitions: list[dict] | None = None) -> dict:
    LOOKUPS.dag_file = path
    started = time.monotonic()
    bag, escaped = parse_dag_file(path, request)
    seconds = round(time.monotonic() - started, 3)
    if definitions is None:
        definitions = find_dag_definitions(path)
    parsed = ParsedFile(path, relative(path, request) or path, request, bag, escaped, definitions)
    dags = sorted(bag.dags.values() if bag else [], key=_dag_id)
    unserializable = serialization_errors(dags)
    dags = [dag for dag in dags if dag.dag_id not in unserializable]  # never stored: never appears
    findings = import_error_findings(parsed) + serialization_findings(parsed, unserializable)
    findings += duplicates_in_file(parsed) + lookup_findings(parsed)
    findings += policy_findings(parsed, dags) + runtime_findings(parsed, dags)
    return {
        "path": parsed.rel,
        "import_seconds": seconds,
        "status": file_status(findings),
        "dags": [{"dag_id": dag.dag_id, "tasks": len(dag.tasks)} for dag in dags],
        "local_modules": local_modules(parsed),
        "findings": findings,
        "dag_lines": parsed.lines,
    }


def add_findings(result: dict, findings: list[dict]) -> None:
    """Findings made after the import. An error among them (a process blocking the parse) means the parse
    never completes in production: none of the file's DAGs appears. Warnings change nothing else."""
    if not findings:
        return
    result["findings"] += findings
    result["status"] = file_status(result["findings"])
    if any(f["severity"] == "error" for f in findings):
        result["dags"] = []


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
    repository modules are removed between files. A helper that raised during import is gone from
    sys.modules, so files named in the error tracebacks count too: a change to that helper must
    re-check this file.
    """
    files = [getattr(module, "__file__", None) for _, module in modules_since_fork()]
    for text in parsed.error_texts:
        files += re.findall(r'File "([^"]+)", line \d+', text)
    found = {relative(f, parsed.request) for f in files if isinstance(f, str)}
    return sorted(found - {None, parsed.rel})
