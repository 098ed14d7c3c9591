"""Parent, before forking: the DAG files to check, the airflow modules they use, the CPUs to use."""

from __future__ import annotations

import ast
import contextlib
import importlib
import math
import os
import sys
import warnings

from .airflow_env import dagbag_factory
from .request import in_repo
from .serialization import serialization_errors

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


def discover(request: dict) -> list[str]:
    """DAG files exactly as the scheduler lists them (safe mode and .airflowignore from Airflow config)."""
    from airflow.utils.file import list_py_file_paths

    return sorted(list_py_file_paths(request["dags_folder"]))


def select_files(discovered: list[str], request: dict) -> tuple[list[str], list[str]]:
    """Files to check, and requested files that are not DAG files (ignored, helpers, outside dags)."""
    if request["files"] is None:
        return discovered, []
    wanted = {in_repo(request, f): f for f in request["files"]}
    chosen = [path for path in discovered if path in wanted]
    found = set(chosen)
    return chosen, sorted(rel for path, rel in wanted.items() if path not in found)


def pre_import(paths: list[str], home: str, scanned: dict[str, dict]) -> None:
    """Import in the parent what children would otherwise each import again (parsing_pre_import_modules).

    Goes further than Airflow's scan: imports inside try/if blocks count (files written for two Airflow
    versions), names taken from a module are resolved (``from airflow import DAG`` is lazy), and a tiny
    DAG of our own is parsed to load what DagBag needs to bag a DAG. `scanned` holds the imports of the
    files the scan (see scan.py) reached already.
    """
    found = [scanned[path]["imports"] if path in scanned else airflow_imports(path) for path in paths]
    # `import airflow` gives (airflow, None) beside (airflow, "DAG"): None must sort, not raise.
    wanted = sorted(set().union(*({(module, name) for module, name in imports} for imports in found)), key=import_key)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for module, name in wanted:
            with contextlib.suppress(Exception):
                _import_name(module, name)
        with contextlib.suppress(Exception):
            _parse_warm_up_dag(home)
        with contextlib.suppress(Exception):
            _warm_secrets_backends()


def import_key(pair: tuple[str, str | None]) -> tuple[str, str]:
    return pair[0], pair[1] or ""


def airflow_imports(path: str) -> set[tuple[str, str | None]]:
    """(module, imported name or None) for every absolute import of airflow anywhere in the file."""
    try:
        with open(path, "rb") as fh:
            tree = ast.parse(fh.read())
    except (OSError, SyntaxError, ValueError):
        return set()
    return airflow_imports_in_tree(tree)


def airflow_imports_in_tree(tree: ast.AST) -> set[tuple[str, str | None]]:
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


def _parse_warm_up_dag(home: str) -> None:
    folder = os.path.join(home, "warm-up")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "dagship_warm_up_dag.py")
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(WARM_UP_DAG)
    try:
        bag = dagbag_factory()(path, folder)
        serialization_errors(list(bag.dags.values()))  # loads the serializer and its schema once
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


def available_cpus() -> int:
    """CPUs this container may use: its affinity mask, capped by a cgroup v2 CPU quota."""
    count = len(os.sched_getaffinity(0))
    with contextlib.suppress(OSError, ValueError):
        with open("/sys/fs/cgroup/cpu.max", encoding="ascii") as fh:
            quota, period = fh.read().split()
        if quota != "max":
            count = min(count, max(1, math.ceil(int(quota) / int(period))))
    return count
