#!/usr/bin/env python3
"""dagship DAG checker: import every DAG file the way Airflow's scheduler does, and report what breaks.

Runs inside the Airflow image with only the standard library and Airflow (2.11 and 3.x):

    python dagship_check.py --request request.json --output result.json

Modelled on Airflow's DAG processor: the parent imports Airflow once, lists DAG files with Airflow's own
discovery (safe mode, .airflowignore), pre-imports the ``airflow.*`` modules those files use, then forks
one child per file, at most ``workers`` at a time. A child builds a DagBag for its file (SIGALRM timeout,
address-space limit, output captured to a file) and sends a JSON result up a pipe. The parent kills
children that outlive the timeout, turns deaths into findings and adds cross-file findings (duplicate
dag ids, slow imports). One bad file never stops the others from being checked.

Beyond the request/result format dagship documents, the result carries "skipped" (requested files that
Airflow's discovery does not list as DAG files), "error" (null, or why nothing could be checked),
files[].output (the file's own stdout/stderr, at most max_output_bytes, provided values masked) and
timings.pre_import_seconds; memory_limit_mb 0 means no limit.

Exit status: 0 result written; 1 result written but the check could not run (see "error": Airflow or
airflow_local_settings.py failed to import, or the checker itself failed); 2 the checker was misused
(bad arguments or request), nothing written.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import dataclasses
import faulthandler
import functools
import gc
import importlib
import json
import math
import os
import pathlib
import platform
import re
import resource
import selectors
import shutil
import signal
import sys
import tempfile
import time
import traceback
import warnings

RULE_IMPORT = "dag-import-error"
RULE_TIMEOUT = "dag-import-timeout"
RULE_CYCLE = "dag-cycle"
RULE_DUPLICATE = "dag-duplicate-id"
RULE_CRASH = "dag-process-crash"
RULE_SLOW = "dag-slow-import"
RULE_LOOKUP = "dag-parse-time-lookup"
RULE_CLUSTER = "dag-policy-cluster"
RULE_SCHEDULE = "dag-policy-schedule"

# Seconds a child may outlive the import timeout before the parent kills it: Airflow's SIGALRM normally
# ends the import first; this catches code that swallows the alarm or blocks inside C.
HARD_KILL_GRACE = 3.0
DETAIL_LINES = 15
# A child's captured stdout/stderr may not grow past this on disk (a print loop must not fill /tmp).
OUTPUT_FILE_LIMIT = 256 * 1024 * 1024
# The child's JSON result is small; anything bigger came from DAG code writing to our pipe.
RESULT_LIMIT = 64 * 1024 * 1024
# Secret values shorter than this are not masked in output: masking "1" or "h" would garble every text.
MIN_MASKED_LENGTH = 3
PLACEHOLDER = "dagship-placeholder"
PLACEHOLDER_CONNECTION = json.dumps({"conn_type": "generic", "host": PLACEHOLDER})
BUNDLE_NAME = "dags-folder"
CLUSTER_POLICY_ERRORS = {"AirflowClusterPolicyViolation", "AirflowClusterPolicyError"}
EXPLICIT_SCHEDULE_ARGS = {"schedule", "schedule_interval", "timetable"}
# Python-level handlers for these never get to run after a real fault (see _keep_fault_signals_fatal).
FAULT_SIGNALS = {signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE}

# Names in sys.modules when the parent started forking (see freeze_parent).
PARENT_MODULES: frozenset = frozenset()

REQUEST_DEFAULTS = {
    "plugins_folder": None,
    "files": None,
    "timeout": 30.0,
    "workers": 0,
    "slow_import_seconds": 5.0,
    "memory_limit_mb": 2048,
    "local_settings": None,
    "variables": {},
    "connections": {},
    "missing_lookups": "warning",
    "policies": {},
    "max_output_bytes": 65536,
}


class UsageError(Exception):
    """The checker itself was misused: exit 2 without writing a result."""


# ---------------------------------------------------------------------------------------------------
# Request
# ---------------------------------------------------------------------------------------------------


def load_request(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            raw = json.load(fh)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read request {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise UsageError("the request must be a JSON object")
    request = {**REQUEST_DEFAULTS, **{k: v for k, v in raw.items() if v is not None}}
    for key in ("repo_root", "dags_folder"):
        if not isinstance(request.get(key), str):
            raise UsageError(f"request.{key} must be a path")
    request["repo_root"] = os.path.abspath(request["repo_root"])
    request["dags_folder"] = _in_repo(request, request["dags_folder"])
    if not os.path.isdir(request["dags_folder"]):
        raise UsageError(f"dags_folder {request['dags_folder']} is not a directory")
    if request["local_settings"]:
        request["local_settings"] = _in_repo(request, request["local_settings"])
        if not os.path.isfile(request["local_settings"]):
            raise UsageError(f"local_settings {request['local_settings']} is not a file")
    _validate_values(request)
    return request


def _in_repo(request: dict, path: str) -> str:
    """Absolute path; relative paths in the request are relative to repo_root."""
    return os.path.abspath(os.path.join(request["repo_root"], path))


def _validate_values(request: dict) -> None:
    for key in ("timeout", "slow_import_seconds", "memory_limit_mb", "max_output_bytes", "workers"):
        value = request[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise UsageError(f"request.{key} must be a non-negative number")
    if request["timeout"] <= 0:
        raise UsageError("request.timeout must be positive")
    if request["missing_lookups"] not in ("warning", "error"):
        raise UsageError('request.missing_lookups must be "warning" or "error"')
    for key in ("variables", "connections", "policies"):
        if not isinstance(request[key], dict):
            raise UsageError(f"request.{key} must be an object")
    files = request["files"]
    if files is not None and not (isinstance(files, list) and all(isinstance(f, str) for f in files)):
        raise UsageError("request.files must be null or a list of paths")
    _validate_policies(request["policies"])


def _validate_policies(policies: dict) -> None:
    for key in ("min_retries", "max_tasks"):
        if key in policies and (isinstance(policies[key], bool) or not isinstance(policies[key], int)):
            raise UsageError(f"request.policies.{key} must be an integer")
    tags = policies.get("allowed_tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        raise UsageError("request.policies.allowed_tags must be a list of strings")
    try:
        re.compile(policies.get("dag_id_pattern") or "")
    except (re.error, TypeError) as exc:
        raise UsageError(f"request.policies.dag_id_pattern is not a regular expression: {exc}") from exc


# ---------------------------------------------------------------------------------------------------
# Throwaway Airflow home: must be in place before airflow is imported, which reads config on import
# ---------------------------------------------------------------------------------------------------


def prepare_airflow_home(request: dict) -> str:
    home = tempfile.mkdtemp(prefix="dagship-airflow-")
    config_dir = os.path.join(home, "config")
    os.makedirs(config_dir)
    if request["local_settings"]:
        # Airflow imports airflow_local_settings from $AIRFLOW_HOME/config: the team's cluster policies.
        shutil.copyfile(request["local_settings"], os.path.join(config_dir, "airflow_local_settings.py"))
    backend = f"{_importable_name()}.DagshipSecretsBackend"
    os.environ.update(
        {
            "AIRFLOW_HOME": home,
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
            "AIRFLOW__CORE__DAGS_FOLDER": request["dags_folder"],
            "AIRFLOW__CORE__PLUGINS_FOLDER": request["plugins_folder"] or os.path.join(home, "plugins"),
            "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": str(float(request["timeout"])),
            # Deep enough to reach the DAG file's frame when the error is raised inside a helper.
            "AIRFLOW__CORE__DAGBAG_IMPORT_ERROR_TRACEBACK_DEPTH": "50",
            "AIRFLOW__CORE__DAGBAG_IMPORT_ERROR_TRACEBACKS": "True",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "CRITICAL",
            "AIRFLOW__METRICS__TIMER_UNIT_CONSISTENCY": "True",
            "AIRFLOW__SECRETS__BACKEND": backend,
            "AIRFLOW__WORKERS__SECRETS_BACKEND": backend,
            # A DAG may start another Python that imports airflow and must find the backend too.
            "PYTHONPATH": os.pathsep.join(
                filter(None, [os.path.dirname(os.path.abspath(__file__)), os.environ.get("PYTHONPATH")])
            ),
        }
    )
    return home


def _importable_name() -> str:
    """This module's name as any process can import it: run as a script it is __main__, so it is also
    registered under its file name (and PYTHONPATH lets another Python a DAG starts find the file)."""
    name = os.path.splitext(os.path.basename(__file__))[0]
    sys.modules.setdefault(name, sys.modules[__name__])
    return name


# ---------------------------------------------------------------------------------------------------
# Variables and connections read at import time, served by a secrets backend consulted before the
# metastore (the check has no database): provided keys are served, unknown keys get a placeholder.
# ---------------------------------------------------------------------------------------------------


class LookupState:
    """The request's variables and connections, and the unprovided keys DAG code asked for."""

    def __init__(self) -> None:
        self.variables: dict[str, str] = {}
        self.connections: dict[str, str] = {}
        self.dag_file: str | None = None
        self.missing: list[dict] = []

    def load(self, request: dict) -> None:
        self.variables = {k: _as_text(v) for k, v in request["variables"].items()}
        self.connections = {k: _as_text(v) for k, v in request["connections"].items()}

    def variable(self, key: str) -> str | None:
        if key in self.variables:
            return self.variables[key]
        if os.environ.get(f"AIRFLOW_VAR_{key.upper()}") is not None:
            return None  # the environment-variables backend behind us serves it, as in production
        self._record("Variable", key)
        return "{}" if _caller_wants_json() else PLACEHOLDER

    def connection(self, conn_id: str) -> str | None:
        if conn_id in self.connections:
            return self.connections[conn_id]
        if os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}") is not None:
            return None
        self._record("Connection", conn_id)
        return PLACEHOLDER_CONNECTION

    def _record(self, kind: str, key: str) -> None:
        self.missing.append({"kind": kind, "key": key, "line": _line_in_stack(self.dag_file)})


LOOKUPS = LookupState()


def _as_text(value) -> str:
    """Variables and connections as Airflow's backends hold them: strings (JSON for structured values)."""
    return value if isinstance(value, str) else json.dumps(value)


def _caller_wants_json() -> bool:
    """Whether the Variable.get that reached us asked for deserialize_json (a few frames up)."""
    frame = sys._getframe(2)
    for _ in range(6):
        if frame is None:
            return False
        if frame.f_code.co_name != "<module>" and frame.f_locals.get("deserialize_json") is True:
            return True
        frame = frame.f_back
    return False


def _line_in_stack(path: str | None) -> int | None:
    """Line of the innermost frame of the running DAG file (the lookup or the import leading to it)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename != path:
        frame = frame.f_back
    return frame.f_lineno if frame is not None else None


def __getattr__(name: str):
    """Build DagshipSecretsBackend when Airflow first asks for it: its base class needs airflow."""
    if name != "DagshipSecretsBackend":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    backend_class = _make_backend_class()
    globals()[name] = backend_class
    return backend_class


def _make_backend_class() -> type:
    from airflow.secrets.base_secrets import BaseSecretsBackend

    class DagshipSecretsBackend(BaseSecretsBackend):
        """Answers every lookup from the request (see LookupState); the base class builds Connections."""

        def get_variable(self, key, team_name=None, **_):
            return LOOKUPS.variable(key)

        def get_conn_value(self, conn_id, team_name=None, **_):
            return LOOKUPS.connection(conn_id)

    return DagshipSecretsBackend


def secret_values(request: dict) -> list[str]:
    """Every provided value that must never appear in the result, longest first."""
    found: set[str] = set()

    def collect(value) -> None:
        if isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, str):
            found.add(value)
            with contextlib.suppress(ValueError):
                collect(json.loads(value))  # a JSON value is also masked field by field

    collect(request["variables"])
    for conn in request["connections"].values():
        collect(conn)
        if isinstance(conn, str):
            found.update(_uri_secrets(conn))
    return sorted((v for v in found if len(v) >= MIN_MASKED_LENGTH), key=len, reverse=True)


def _uri_secrets(uri: str) -> list[str]:
    from urllib.parse import unquote, urlsplit

    with contextlib.suppress(ValueError):
        parts = urlsplit(uri)
        return [unquote(p) for p in (parts.username, parts.password, parts.hostname) if p]
    return []


def mask(text: str | None, secrets: list[str]) -> str | None:
    if not text:
        return text
    for value in secrets:
        text = text.replace(value, "***")
    return text


# ---------------------------------------------------------------------------------------------------
# Parent: Airflow once, discovery, pre-imports
# ---------------------------------------------------------------------------------------------------


def import_airflow() -> str:
    """Import Airflow and the DagBag machinery once, in the parent, so that forked children share it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecation chatter from Airflow itself is not a finding
        import airflow

        dagbag_factory()
    return airflow.__version__


@functools.cache
def dagbag_factory():
    """(path, bundle root) -> DagBag of that one file, built the way this Airflow version's processor does.

    Airflow 3 parses a bundle file with BundleDagBag (bundle root on sys.path, no include_examples);
    Airflow 2 with DagBag, whose import put the DAG folder on sys.path already.
    """
    try:
        from airflow.dag_processing.dagbag import BundleDagBag
    except ImportError:
        from airflow.models.dagbag import DagBag

        bag2 = _recording(DagBag)
        return lambda path, root: bag2(dag_folder=path, include_examples=False, load_op_links=False)
    bag3 = _recording(BundleDagBag)
    return lambda path, root: bag3(
        dag_folder=path, bundle_path=pathlib.Path(root), bundle_name=BUNDLE_NAME, load_op_links=False
    )


def discover(request: dict) -> list[str]:
    """DAG files exactly as the scheduler lists them (safe mode and .airflowignore from Airflow config)."""
    from airflow.utils.file import list_py_file_paths

    return sorted(list_py_file_paths(request["dags_folder"]))


def select_files(discovered: list[str], request: dict) -> tuple[list[str], list[str]]:
    """Files to check, and requested files that are not DAG files (ignored, helpers, outside dags)."""
    if request["files"] is None:
        return discovered, []
    wanted = {_in_repo(request, f): f for f in request["files"]}
    chosen = [path for path in discovered if path in wanted]
    found = set(chosen)
    return chosen, sorted(rel for path, rel in wanted.items() if path not in found)


def pre_import(paths: list[str], home: str) -> None:
    """Import in the parent what children would otherwise each import again (parsing_pre_import_modules).

    Goes further than Airflow's scan: imports inside try/if blocks count (files written for two Airflow
    versions), names taken from a module are resolved (``from airflow import DAG`` is lazy), and a tiny
    DAG of our own is parsed to load what DagBag needs to bag a DAG.
    """
    wanted = sorted(set().union(*(airflow_imports(path) for path in paths)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for module, name in wanted:
            with contextlib.suppress(Exception):
                _import_name(module, name)
        with contextlib.suppress(Exception):
            _parse_warm_up_dag(home)
        with contextlib.suppress(Exception):
            _warm_secrets_backends()


def airflow_imports(path: str) -> set[tuple[str, str | None]]:
    """(module, imported name or None) for every absolute import of airflow anywhere in the file."""
    try:
        with open(path, "rb") as fh:
            tree = ast.parse(fh.read())
    except (OSError, SyntaxError, ValueError):
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update((a.name, None) for a in node.names if _is_airflow(a.name))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _is_airflow(node.module):
            found.update((node.module, a.name) for a in node.names if a.name != "*")
    return found


def _is_airflow(module: str | None) -> bool:
    return bool(module) and module.split(".")[0] == "airflow"


def _import_name(module: str, name: str | None) -> None:
    loaded = importlib.import_module(module)
    if name is not None and not hasattr(loaded, name):  # hasattr resolves lazy attributes
        importlib.import_module(f"{module}.{name}")


WARM_UP_DAG = """
from datetime import datetime
from airflow import DAG
try:
    from airflow.providers.standard.operators.empty import EmptyOperator
except ImportError:
    from airflow.operators.empty import EmptyOperator
with DAG(dag_id="dagship_warm_up", schedule=None, start_date=datetime(2025, 1, 1), tags=["dagship"]):
    EmptyOperator(task_id="warm_up", owner="dagship", retries=1)
"""


def _parse_warm_up_dag(home: str) -> None:
    folder = os.path.join(home, "warm-up")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "dagship_warm_up_dag.py")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(WARM_UP_DAG)
    try:
        dagbag_factory()(path, folder)
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(folder)  # Airflow 3's BundleDagBag put it there for good


def _warm_secrets_backends() -> None:
    """Build the secrets backend chains once so that each child's first lookup does not import them."""
    from airflow.configuration import ensure_secrets_loaded

    ensure_secrets_loaded()
    with contextlib.suppress(ImportError):
        from airflow.sdk.execution_time.supervisor import ensure_secrets_backend_loaded

        ensure_secrets_backend_loaded()


def freeze_parent() -> None:
    """Last step before forking: snapshot the modules the children inherit, and keep the garbage
    collector of every child off the parent's objects (a collection would walk, and so copy, the heap)."""
    global PARENT_MODULES  # noqa: PLW0603 - set once, before the first fork
    PARENT_MODULES = frozenset(sys.modules)
    gc.freeze()


def available_cpus() -> int:
    """CPUs this container may use: its affinity mask, capped by a cgroup v2 CPU quota."""
    count = len(os.sched_getaffinity(0))
    with contextlib.suppress(OSError, ValueError):
        with open("/sys/fs/cgroup/cpu.max", encoding="ascii") as fh:
            quota, period = fh.read().split()
        if quota != "max":
            count = min(count, max(1, math.ceil(int(quota) / int(period))))
    return count


# ---------------------------------------------------------------------------------------------------
# Child: parse one file
# ---------------------------------------------------------------------------------------------------


def run_child(path: str, request: dict, result_fd: int, output_path: str) -> None:
    """Entry point of a forked child: never returns, never runs the parent's exit handlers."""
    status = 70  # EX_SOFTWARE: the checker, not the DAG file, failed in this child
    pid = os.getpid()
    try:
        isolate_child(output_path, request)
        result = check_file(path, request)
        if os.getpid() == pid:  # DAG code that forked must not send a second result
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


def isolate_child(output_path: str, request: dict) -> None:
    os.setpgid(0, 0)  # the parent kills the whole group: subprocesses started by DAG code die too
    signal.set_wakeup_fd(-1)
    for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, signal.SIG_DFL)
    null = os.open(os.devnull, os.O_RDONLY)
    out = os.open(output_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(null)
    os.close(out)
    if request["memory_limit_mb"]:  # 0: no limit
        _limit(resource.RLIMIT_AS, int(request["memory_limit_mb"] * 1024 * 1024))
    _limit(resource.RLIMIT_FSIZE, OUTPUT_FILE_LIMIT)
    _limit(resource.RLIMIT_CORE, 0)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails with EFBIG instead of killing
    _keep_fault_signals_fatal()
    faulthandler.enable(file=sys.stderr, all_threads=True)
    LOOKUPS.load(request)


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


def _send(fd: int, result: dict) -> None:
    data = json.dumps(result, default=str).encode("utf-8")
    while data:
        data = data[os.write(fd, data) :]


@dataclasses.dataclass
class ParsedFile:
    """One DAG file after its DagBag was built, as the child's finding functions see it."""

    path: str  # absolute, as Airflow imported it: tracebacks name it so
    rel: str  # relative to repo_root, as reported
    request: dict
    bag: object | None  # None when an exception escaped DagBag
    escaped: str | None  # the traceback of that exception
    definitions: list[dict]  # DAG(...) calls and @dag decorators in the syntax tree

    @property
    def lines(self) -> dict[str, int]:
        return {d["dag_id"]: d["line"] for d in self.definitions if d["dag_id"]}

    @property
    def error_texts(self) -> list[str]:
        return [*(self.bag.import_errors.values() if self.bag else []), *filter(None, [self.escaped])]


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


def _recording(bag_class: type) -> type:
    class RecordingDagBag(bag_class):
        """Remembers each DAG offered to the bag and why bagging failed.

        Airflow keeps one import error per file and lets a second DAG with the same id in the same file
        silently replace the first; the record gives per-DAG errors and in-file duplicates.
        """

        def __init__(self, *args, **kwargs):
            self.offered: list = []
            self.bag_errors: list = []
            super().__init__(*args, **kwargs)

        def bag_dag(self, dag, **kwargs):
            self.offered.append(dag)
            try:
                return super().bag_dag(dag, **kwargs)
            except Exception as exc:
                self.bag_errors.append((dag.dag_id, exc))
                raise

    return RecordingDagBag


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


def relative(path: str, repo_root: str) -> str:
    return os.path.relpath(os.path.abspath(path), repo_root)


# ---------------------------------------------------------------------------------------------------
# Child: findings
# ---------------------------------------------------------------------------------------------------


def finding(rule, file, message, *, line=None, detail=None, dag_id=None, severity="error") -> dict:
    return {
        "rule": rule,
        "severity": severity,
        "file": file,
        "line": line,
        "message": message,
        "detail": detail,
        "dag_id": dag_id,
    }


def import_error_findings(parsed: ParsedFile) -> list[dict]:
    bag_errors = parsed.bag.bag_errors if parsed.bag else []
    # DagBag also files each bagging error as "<Type>: <message>"; report those once, with their dag id.
    already = {f"{type(exc).__name__}: {exc}" for _, exc in bag_errors}
    findings = [error_finding(text, parsed) for text in parsed.error_texts if text not in already]
    for dag_id, exc in bag_errors:
        if type(exc).__name__ != "AirflowClusterPolicySkipDag":  # a policy may legitimately skip a DAG
            found = error_finding("".join(traceback.format_exception(exc)), parsed, dag_id)
            found["line"] = found["line"] or parsed.lines.get(dag_id)
            findings.append(found)
    return findings


def error_finding(text: str, parsed: ParsedFile, dag_id: str | None = None) -> dict:
    headline = _exception_headline(text)
    exc_type = headline.split(":", 1)[0].strip()
    rule, message = classify_error(exc_type, headline, parsed.request["timeout"])
    detail = tail(text.replace(parsed.request["repo_root"] + os.sep, ""), DETAIL_LINES)
    line = line_in_text(text, parsed.path)
    return finding(rule, parsed.rel, message, line=line, detail=detail, dag_id=dag_id)


def classify_error(exc_type: str, headline: str, timeout: float) -> tuple[str, str]:
    if exc_type == "AirflowTaskTimeout":
        return RULE_TIMEOUT, f"import did not finish within the {timeout:g}s timeout"
    if exc_type == "AirflowDagCycleException" or "Cycle detected" in headline:
        return RULE_CYCLE, headline
    if exc_type in CLUSTER_POLICY_ERRORS:
        return RULE_CLUSTER, headline
    if exc_type == "SystemExit":
        return RULE_IMPORT, f"called sys.exit({headline.partition(':')[2].strip()}) at import time"
    return RULE_IMPORT, headline


def _exception_headline(text: str) -> str:
    """First line of the final exception in a traceback, without the exception's module path."""
    lines = text.rstrip().splitlines()
    start = len(lines)
    while start > 0 and lines[start - 1] and not lines[start - 1][0].isspace():
        start -= 1  # the exception block is the unindented tail after the last frame
    block = lines[start:] or lines or ["unknown error"]
    return re.sub(r"^(?:[A-Za-z_]\w*\.)+(?=\w+(?::|$))", "", block[0].strip())


def line_in_text(text: str, path: str) -> int | None:
    """Line of the innermost frame in the DAG file (a SyntaxError's location comes last)."""
    hits = re.findall(r'File "' + re.escape(path) + r'", line (\d+)', text or "")
    return int(hits[-1]) if hits else None


def tail(text: str, count: int) -> str:
    return "\n".join(text.rstrip().splitlines()[-count:])


def duplicates_in_file(parsed: ParsedFile) -> list[dict]:
    objects: dict[str, set] = {}
    for dag in parsed.bag.offered if parsed.bag else []:
        objects.setdefault(dag.dag_id, set()).add(id(dag))
    return [
        finding(
            RULE_DUPLICATE,
            parsed.rel,
            f"DAG id '{dag_id}' is defined {len(ids)} times in {parsed.rel}",
            line=parsed.lines.get(dag_id),
            dag_id=dag_id,
        )
        for dag_id, ids in sorted(objects.items())
        if len(ids) > 1
    ]


def lookup_findings(parsed: ParsedFile) -> list[dict]:
    severity = "error" if parsed.request["missing_lookups"] == "error" else "warning"
    findings = []
    for kind, key, line in dict.fromkeys((m["kind"], m["key"], m["line"]) for m in LOOKUPS.missing):
        message = (
            f"{kind} '{key}' is read at import time but was not provided to the check; "
            "the DAG was parsed with a placeholder value"
        )
        findings.append(finding(RULE_LOOKUP, parsed.rel, message, line=line, severity=severity))
    return findings


def file_status(findings: list[dict]) -> str:
    rules = {f["rule"] for f in findings}
    if RULE_TIMEOUT in rules:
        return "timeout"
    return "error" if rules & {RULE_IMPORT, RULE_CYCLE, RULE_CLUSTER} else "ok"


# ---------------------------------------------------------------------------------------------------
# Child: request policies
# ---------------------------------------------------------------------------------------------------


def _names(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def check_owner(dag, policies) -> str | None:
    bad = [t.task_id for t in dag.tasks if (getattr(t, "owner", None) or "airflow") == "airflow"]
    return f"tasks without an owner other than the default 'airflow': {_names(bad)}" if bad else None


def check_tags(dag, policies) -> str | None:
    tags = sorted(dag.tags or [])
    if policies.get("tags") and not tags:
        return "has no tags"
    allowed = policies.get("allowed_tags")
    unknown = [t for t in tags if t not in allowed] if allowed is not None else []
    return f"has tags outside the allowed list: {_names(unknown)}" if unknown else None


def check_retries(dag, policies) -> str | None:
    minimum = policies["min_retries"]
    bad = [t.task_id for t in dag.tasks if (getattr(t, "retries", 0) or 0) < minimum]
    return f"tasks with fewer than {minimum} retries: {_names(bad)}" if bad else None


def check_catchup(dag, policies) -> str | None:
    return None if dag.catchup is False else "has catchup enabled (catchup=False required)"


def check_max_tasks(dag, policies) -> str | None:
    limit = policies["max_tasks"]
    return f"has {len(dag.tasks)} tasks (at most {limit} allowed)" if len(dag.tasks) > limit else None


def check_dag_id(dag, policies) -> str | None:
    pattern = policies["dag_id_pattern"]
    return None if re.search(pattern, dag.dag_id) else f"dag_id does not match {pattern}"


# (request keys that switch the policy on, rule, check returning a message when the DAG violates it)
POLICIES = [
    (("owner",), "dag-policy-owner", check_owner),
    (("tags", "allowed_tags"), "dag-policy-tags", check_tags),
    (("min_retries",), "dag-policy-retries", check_retries),
    (("catchup_off",), "dag-policy-catchup", check_catchup),
    (("max_tasks",), "dag-policy-max-tasks", check_max_tasks),
    (("dag_id_pattern",), "dag-policy-dag-id", check_dag_id),
]


def policy_findings(parsed: ParsedFile, dags: list) -> list[dict]:
    policies = parsed.request["policies"]
    active = [
        (rule, check)
        for keys, rule, check in POLICIES
        if any(policies.get(key) not in (None, False) for key in keys)
    ]
    findings = []
    for dag in dags:
        for rule, check in active:
            message = check(dag, policies)
            if message:
                findings.append(
                    finding(
                        rule,
                        parsed.rel,
                        f"DAG '{dag.dag_id}' {message}",
                        line=parsed.lines.get(dag.dag_id),
                        dag_id=dag.dag_id,
                    )
                )
    if policies.get("explicit_schedule"):
        findings += schedule_findings(parsed.definitions, parsed.rel)
    return findings


def schedule_findings(definitions: list[dict], rel: str) -> list[dict]:
    findings = []
    for d in definitions:
        if d["explicit_schedule"] is False:
            name = f"DAG '{d['dag_id']}'" if d["dag_id"] else "a DAG"
            message = f"{name} does not pass schedule= explicitly"
            findings.append(finding(RULE_SCHEDULE, rel, message, line=d["line"], dag_id=d["dag_id"]))
    return findings


# ---------------------------------------------------------------------------------------------------
# Child: DAG definitions in the file's syntax tree (explicit schedule, line of each dag_id)
# ---------------------------------------------------------------------------------------------------


def find_dag_definitions(path: str) -> list[dict]:
    """DAG(...) calls and @dag decorators in the file, with their dag_id when it is a literal."""
    try:
        with open(path, "rb") as fh:
            tree = ast.parse(fh.read(), filename=path)
    except (OSError, SyntaxError, ValueError):
        return []
    classes, decorators = _dag_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _callee(node.func) in classes:
            found.append(_definition(node, None))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if _callee(target) in decorators:
                    found.append(_definition(deco, node.name))
    return sorted(found, key=lambda d: d["line"])


def _dag_names(tree: ast.Module) -> tuple[set, set]:
    """Names bound to Airflow's DAG class and dag decorator, aliases included."""
    classes, decorators = {"DAG"}, {"dag"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("airflow"):
            for alias in node.names:
                if alias.name == "DAG":
                    classes.add(alias.asname or alias.name)
                elif alias.name == "dag":
                    decorators.add(alias.asname or alias.name)
    return classes, decorators


def _callee(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _definition(node: ast.expr, function_name: str | None) -> dict:
    """A bare @dag passes nothing; a call with **kwargs may pass schedule, so it is not judged."""
    if not isinstance(node, ast.Call):
        return {"dag_id": function_name, "line": node.lineno, "explicit_schedule": False}
    names = {kw.arg for kw in node.keywords}
    explicit = None if None in names else bool(names & EXPLICIT_SCHEDULE_ARGS)
    dag_id = next((kw.value for kw in node.keywords if kw.arg == "dag_id"), None)
    if dag_id is None and node.args and function_name is None:
        dag_id = node.args[0]
    if dag_id is None:
        return {"dag_id": function_name, "line": node.lineno, "explicit_schedule": explicit}
    literal = dag_id.value if isinstance(dag_id, ast.Constant) and isinstance(dag_id.value, str) else None
    return {"dag_id": literal, "line": node.lineno, "explicit_schedule": explicit}


# ---------------------------------------------------------------------------------------------------
# Parent: run children, at most `workers` at a time
# ---------------------------------------------------------------------------------------------------


class Child:
    """A forked child parsing one file, as the parent sees it."""

    def __init__(self, path: str, pid: int, fd: int, output_path: str, deadline: float) -> None:
        self.path, self.pid, self.fd, self.output_path = path, pid, fd, output_path
        self.started = time.monotonic()
        self.deadline = deadline
        self.data = bytearray()
        self.wait_status: int | None = None
        self.killed = False


def spawn(path: str, request: dict, workdir: str, index: int) -> Child:
    output_path = os.path.join(workdir, f"child-{index}.out")
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        run_child(path, request, write_fd, output_path)
    os.close(write_fd)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)  # also done by the child; whichever runs first wins the race
    os.set_blocking(read_fd, False)
    deadline = time.monotonic() + request["timeout"] + HARD_KILL_GRACE
    return Child(path, pid, read_fd, output_path, deadline)


def check_files(paths: list[str], request: dict, workdir: str, workers: int) -> list[dict]:
    queue = list(reversed(paths))
    running: dict[int, Child] = {}
    results = []
    with ChildEvents() as events:
        try:
            while queue or running:
                while queue and len(running) < workers:
                    child = spawn(queue.pop(), request, workdir, len(paths) - len(queue))
                    running[child.pid] = child
                    events.watch(child)
                events.wait(running)
                kill_overdue(running)
                for child in [c for c in running.values() if c.wait_status is not None]:
                    events.forget(child)
                    del running[child.pid]
                    results.append(finish_child(child, request))
        finally:
            for child in running.values():
                _kill_group(child.pid)
    return results


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


# ---------------------------------------------------------------------------------------------------
# Parent: turn a finished child into a file result
# ---------------------------------------------------------------------------------------------------


def finish_child(child: Child, request: dict) -> dict:
    elapsed = round(time.monotonic() - child.started, 3)
    output = read_output(child.output_path, request["max_output_bytes"])
    result = _decode(child.data)
    if result is None or "internal_error" in result:
        result = died_result(child, request, elapsed, output, result)
    if output:
        result["output"] = output
    return result


def _decode(data: bytes) -> dict | None:
    with contextlib.suppress(ValueError):
        value, _ = json.JSONDecoder().raw_decode(data.decode("utf-8", "replace"))
        return value if isinstance(value, dict) else None
    return None


def died_result(child: Child, request: dict, elapsed: float, output: str, broken: dict | None) -> dict:
    rel = relative(child.path, request["repo_root"])
    status, rule, message = _death_cause(child, request, elapsed, broken)
    text = (broken or {}).get("internal_error") or _stack_dump(output)
    detail = tail(text.replace(request["repo_root"] + os.sep, ""), DETAIL_LINES) or None
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
    """The child's stdout/stderr: the last `limit` bytes, never more, then the file is removed."""
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - limit))
            data = fh.read(limit)
    except OSError:
        return ""
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
    text = data.decode("utf-8", "replace")
    return f"[... {size - len(data)} bytes omitted ...]\n{text}" if size > len(data) else text


# ---------------------------------------------------------------------------------------------------
# Parent: findings across files, result
# ---------------------------------------------------------------------------------------------------


def duplicate_findings(files: list[dict]) -> list[dict]:
    """One finding per extra file defining a dag_id already defined by an earlier file (path order)."""
    owners: dict[str, list[dict]] = {}
    for entry in files:
        for dag in entry["dags"]:
            owners.setdefault(dag["dag_id"], []).append(entry)
    findings = []
    for dag_id, entries in sorted(owners.items()):
        first = entries[0]["path"]
        for entry in entries[1:]:
            message = f"DAG id '{dag_id}' is defined in both {first} and {entry['path']}"
            duplicate = finding(
                RULE_DUPLICATE, entry["path"], message, line=entry["dag_lines"].get(dag_id), dag_id=dag_id
            )
            # Spans files: a caller that merges cached per-file results recomputes these itself.
            duplicate["scope"] = "repository"
            findings.append(duplicate)
    return findings


def slow_findings(files: list[dict], limit: float) -> list[dict]:
    return [
        finding(
            RULE_SLOW,
            entry["path"],
            f"import took {entry['import_seconds']:.1f}s (limit {limit:g}s)",
            severity="warning",
        )
        for entry in files
        if entry["status"] in ("ok", "error") and entry["import_seconds"] > limit
    ]


def assemble(results: list[dict], request: dict) -> tuple[list[dict], list[dict]]:
    """Sorted file entries and findings, cross-file findings added, provided values masked."""
    files = sorted(results, key=lambda entry: entry["path"])
    findings = [f for entry in files for f in entry.pop("findings")]
    findings += duplicate_findings(files) + slow_findings(files, request["slow_import_seconds"])
    for entry in files:
        # Each DAG carries its line; dag_lines is keyed by unmasked dag ids, so it never leaves.
        lines = entry.pop("dag_lines", None) or {}
        for dag in entry["dags"]:
            dag["line"] = lines.get(dag["dag_id"])
    mask_result(files, findings, secret_values(request))
    findings.sort(key=lambda f: (f["file"] or "", f["line"] or 0, f["rule"], f["dag_id"] or ""))
    return files, findings


def mask_result(files: list[dict], findings: list[dict], secrets: list[str]) -> None:
    """Provided values can surface in DAG output, messages and computed dag ids; repo paths cannot."""
    for entry in files:
        if "output" in entry:
            entry["output"] = mask(entry["output"], secrets)
        for dag in entry["dags"]:
            dag["dag_id"] = mask(dag["dag_id"], secrets)
    for item in findings:
        for key in ("message", "detail", "dag_id"):
            item[key] = mask(item[key], secrets)


def write_result(path: str, result: dict) -> None:
    """Atomic: the reader sees the old file or the whole new one, never a partial one."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix=".result-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=2)
            fh.write("\n")
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


# ---------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------


def run(request: dict, started: float) -> tuple[dict, int]:
    """The result and the exit status; a failure of the checker itself still yields a result."""
    result = {
        "airflow_version": None,
        "python_version": platform.python_version(),
        "discovered": 0,
        "files": [],
        "findings": [],
        "skipped": [],
        "timings": {},
        "error": None,
    }
    try:
        result["airflow_version"] = import_airflow()
    except Exception:  # a broken image or airflow_local_settings.py: nothing can be checked
        text = traceback.format_exc()
        local = "airflow_local_settings" in text
        culprit = "local_settings failed to load" if local else "Airflow failed to import"
        result["error"] = f"{culprit}: {_exception_headline(text)}"
        return result, 1
    try:
        check_repository(request, result, started)
    except Exception:
        result["error"] = f"the checker failed: {_exception_headline(traceback.format_exc())}"
        return result, 1
    return result, 0


def prepare_metadata_db() -> None:
    """An empty metadata schema in the throwaway sqlite file, as a fresh install has.

    Some DAG files touch the database at parse time (Airflow 2 dataset aliases write rows, SubDAGs read
    pools). The scheduler has a database; without the tables these files would fail here and nowhere else.
    """
    from airflow import settings
    from airflow.models import import_all_models
    from airflow.models.base import Base

    import_all_models()
    with contextlib.suppress(ImportError):  # Airflow 2's FAB tables are referenced by core tables
        importlib.import_module("airflow.providers.fab.auth_manager.models")
    Base.metadata.create_all(settings.engine)
    # Forked children must open their own connections, never share the parent's.
    settings.engine.dispose()


def check_repository(request: dict, result: dict, started: float) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prepare_metadata_db()
    airflow_seconds = time.monotonic() - started
    discovered = discover(request)
    paths, result["skipped"] = select_files(discovered, request)
    pre_import(paths, os.environ["AIRFLOW_HOME"])
    pre_import_seconds = time.monotonic() - started - airflow_seconds
    workers = max(1, min(int(request["workers"]) or available_cpus(), len(paths) or 1))
    freeze_parent()
    results = check_files(paths, request, os.environ["AIRFLOW_HOME"], workers)
    result["discovered"] = len(discovered)
    result["files"], result["findings"] = assemble(results, request)
    result["timings"] = {
        "airflow_import_seconds": round(airflow_seconds, 3),
        "pre_import_seconds": round(pre_import_seconds, 3),
        "total_seconds": round(time.monotonic() - started, 3),
        "workers": workers,
        "cgroup": cgroup_usage(),
    }


def cgroup_usage() -> dict | None:
    """CPU time and peak memory of the whole container (all forked children included), when visible."""
    reads = {
        "cpu_seconds": [("/sys/fs/cgroup/cpuacct/cpuacct.usage", 1e-9), ("/sys/fs/cgroup/cpu.stat", 1e-6)],
        "peak_memory_bytes": [("/sys/fs/cgroup/memory/memory.max_usage_in_bytes", 1), ("/sys/fs/cgroup/memory.peak", 1)],
    }
    usage = {}
    for key, sources in reads.items():
        for path, scale in sources:
            with contextlib.suppress(OSError, ValueError):
                text = pathlib.Path(path).read_text()
                # cgroup v2's cpu.stat is "usage_usec N" among other lines.
                number = re.search(r"usage_usec (\d+)", text).group(1) if "usage_usec" in text else text.split()[0]
                usage[key] = round(int(number) * scale, 3)
                break
    return usage or None


def main(argv: list[str] | None = None) -> int:
    started = time.monotonic()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--request", required=True, help="request JSON written by dagship")
    parser.add_argument("--output", required=True, help="where to write the result JSON")
    args = parser.parse_args(argv)
    try:
        request = load_request(args.request)
        if not os.path.isdir(os.path.dirname(os.path.abspath(args.output))):
            raise UsageError(f"the directory of {args.output} does not exist")
    except UsageError as exc:
        print(f"dagship_check: {exc}", file=sys.stderr)
        return 2
    # As PID 1 in a container SIGTERM is ignored by default; exit cleanly so running children are killed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    home = prepare_airflow_home(request)
    try:
        result, status = run(request, started)
        write_result(args.output, result)
        return status
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
