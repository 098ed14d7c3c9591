"""Syntax trees of the DAG files, read by a process of their own while the parent imports Airflow.

Importing Airflow takes a second on one core; the other is idle. A process forked before that import
reads every candidate file's syntax tree meanwhile: the airflow modules it imports (for pre_import) and
its DAG definitions (lines, explicit schedules, for the children). It also compiles each file, as the
import would, and leaves the bytecode for the children (see code_cache). The parent takes what the scan
has finished when it needs it and works out the rest itself, so a slow scan never delays the check.
"""

from __future__ import annotations

import ast
import contextlib
import json
import marshal
import os
import signal
import warnings

from .definitions import definitions_in_tree
from .discovery import airflow_imports_in_tree, import_key
from .request import in_repo


class Scan:
    """The scanning process, started at once; `collect` stops it and returns what it wrote."""

    def __init__(self, request: dict, workdir: str) -> None:
        self.path = os.path.join(workdir, "scan.jsonl")
        self.found: dict[str, dict] | None = None
        self.pid = os.fork()
        if self.pid == 0:
            _scan_and_exit(request, self.path)

    def collect(self) -> dict[str, dict]:
        """path -> {"imports": [[module, name], ...], "definitions": [...]} for the files scanned so far."""
        if self.found is not None:
            return self.found
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)
        found = {}
        with contextlib.suppress(OSError), open(self.path, "rb") as fh:
            for line in fh:
                with contextlib.suppress(ValueError):  # the last line may be cut short by the kill
                    entry = json.loads(line)
                    found[entry.pop("path")] = entry
        self.found = found
        return found


def _scan_and_exit(request: dict, out_path: str) -> None:
    status = 1
    code_dir = os.path.join(os.path.dirname(out_path), "scan-code")
    try:
        os.makedirs(code_dir)
        with open(out_path, "w", encoding="utf-8") as out:
            for number, path in enumerate(candidates(request)):
                entry = scan_file(path, os.path.join(code_dir, str(number)))
                if entry is not None:
                    out.write(json.dumps(entry) + "\n")
                    out.flush()  # what is written counts even if the parent stops the scan
        status = 0
    finally:
        os._exit(status)


def candidates(request: dict):
    """The requested files, or every .py file under the DAG folder (links followed, each folder once)."""
    if request["files"] is not None:
        yield from (in_repo(request, f) for f in request["files"])
        return
    seen = set()
    for root, dirs, files in os.walk(request["dags_folder"], followlinks=True):
        real = os.path.realpath(root)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        dirs.sort()
        yield from (os.path.join(root, name) for name in sorted(files) if name.endswith(".py"))


def scan_file(path: str, code_path: str | None = None) -> dict | None:
    """None for files that cannot be DAG files in safe mode (no "dag" and "airflow") or cannot be read.
    With `code_path`, the file's bytecode is written there and the entry says for which mtime and size."""
    try:
        with open(path, "rb") as fh:
            stat = os.fstat(fh.fileno())
            source = fh.read()
    except OSError:
        return None
    lowered = source.lower()
    if b"dag" not in lowered or b"airflow" not in lowered:
        return None
    try:
        tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError):  # what find_dag_definitions and airflow_imports make of it too
        return {"path": path, "imports": [], "definitions": []}
    except Exception:  # e.g. nesting too deep: the child finds out for itself, as without the scan
        return None
    imports = sorted(airflow_imports_in_tree(tree), key=import_key)
    entry = {"path": path, "imports": imports, "definitions": definitions_in_tree(tree)}
    if code_path and _write_code(source, path, code_path):
        entry["code"] = {"file": code_path, "mtime_ns": stat.st_mtime_ns, "size": stat.st_size}
    return entry


def _write_code(source: bytes, path: str, code_path: str) -> bool:
    """Compiles as the import system does (SourceLoader.source_to_code). A file whose compilation warns
    is left to the child, so that the warning appears in that file's output as it would in the scheduler."""
    with warnings.catch_warnings(record=True) as raised:
        warnings.simplefilter("always")
        try:
            code = compile(source, path, "exec", dont_inherit=True)
        except Exception:
            return False
    if raised:
        return False
    try:
        with open(code_path, "wb") as fh:
            fh.write(marshal.dumps(code))
    except OSError:  # a full scratch disk: the children compile, as without the scan
        return False
    return True
