"""The whole check in the parent: Airflow, discovery, children, result; exit status 0 or 1."""

from __future__ import annotations

import contextlib
import os
import pathlib
import platform
import re
import time
import traceback
import warnings

from .airflow_env import import_airflow, prepare_metadata_db
from .child import freeze_parent
from .code_cache import use_scanned_code
from .discovery import available_cpus, discover, pre_import, select_files
from .findings import exception_headline
from .parent import check_files
from .result import assemble
from .scan import Scan


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
        "degraded": [],
    }
    scan = Scan(request, os.environ["AIRFLOW_HOME"])  # reads syntax trees while Airflow imports
    try:
        result["airflow_version"] = import_airflow()
    except Exception:  # a broken image or airflow_local_settings.py: nothing can be checked
        scan.collect()
        text = traceback.format_exc()
        local = "airflow_local_settings" in text
        culprit = "local_settings failed to load" if local else "Airflow failed to import"
        result["error"] = f"{culprit}: {exception_headline(text)}"
        return result, 1
    try:
        check_repository(request, result, started, scan)
    except Exception:
        result["error"] = f"the checker failed: {exception_headline(traceback.format_exc())}"
        return result, 1
    finally:
        scan.collect()
    return result, 0


def check_repository(request: dict, result: dict, started: float, scan: Scan) -> None:
    home = os.environ["AIRFLOW_HOME"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schema_ready = prepare_metadata_db(home)
    airflow_seconds = time.monotonic() - started
    discovered = discover(request)
    paths, result["skipped"] = select_files(discovered, request)
    # Speed-ups only: each may fail on a file nobody foresaw, and the check must then go on without it.
    degraded = result["degraded"]
    scanned = optional("the syntax-tree scan", scan.collect, {}, degraded)
    optional("the scan's bytecode", lambda: use_scanned_code(scanned), None, degraded)
    optional("pre-importing airflow modules", lambda: pre_import(paths, home, scanned), None, degraded)
    schema_ready()
    pre_import_seconds = time.monotonic() - started - airflow_seconds
    workers = max(1, min(int(request["workers"]) or available_cpus(), len(paths) or 1))
    freeze_parent()
    definitions = optional(
        "the scan's DAG definitions", lambda: {p: e["definitions"] for p, e in scanned.items()}, {}, degraded
    )
    results = check_files(paths, request, home, workers, definitions)
    result["discovered"] = len(discovered)
    result["files"], result["findings"] = assemble(results, request)
    result["timings"] = {
        "airflow_import_seconds": round(airflow_seconds, 3),
        "pre_import_seconds": round(pre_import_seconds, 3),
        "total_seconds": round(time.monotonic() - started, 3),
        "workers": workers,
        "cgroup": cgroup_usage(),
    }


def optional(step: str, work, fallback, degraded: list[str]):
    """work(), or `fallback` with a line in result["degraded"] when it raises (dagship logs it as debug)."""
    try:
        return work()
    except Exception:
        degraded.append(f"{step} failed, checked without it: {exception_headline(traceback.format_exc())}")
        return fallback


def cgroup_usage() -> dict | None:
    """CPU time and peak memory of the whole container (all forked children included), when visible."""
    reads = {
        "cpu_seconds": [("/sys/fs/cgroup/cpuacct/cpuacct.usage", 1e-9), ("/sys/fs/cgroup/cpu.stat", 1e-6)],
        "peak_memory_bytes": [
            ("/sys/fs/cgroup/memory/memory.max_usage_in_bytes", 1),
            ("/sys/fs/cgroup/memory.peak", 1),
        ],
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
