"""The whole run: environment, pytest, DAG runs, and the masked result."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import platform
import time

from dagship_checker.masking import mask, secret_values

from .dags import run_dags
from .environment import AirflowSetupError, make_home, make_workdir, prepare_db, set_environment
from .suite import run_suite

NO_PYTEST = (
    "pytest is not installed in the test image: add pytest (and the plugins your tests use) to the test "
    "requirements file"
)


def run(request: dict, scratch: str, started: float) -> tuple[dict, int]:
    """(result, exit status). `scratch`: a private directory for the run's working files."""
    result = {
        "airflow_version": _version("apache-airflow"),
        "python_version": platform.python_version(),
        "pytest_version": _version("pytest"),
        "error": None,
        "error_code": None,
        "tests": [],
        "dags": [],
        "timings": {"total_seconds": 0.0, "db_seconds": 0.0, "pytest_seconds": 0.0, "dags_seconds": 0.0},
        "db_setup": None,
        "pytest_exit_code": None,
    }
    status = 0
    try:
        if request["paths"] and importlib.util.find_spec("pytest") is None:
            result.update(error=NO_PYTEST, error_code="no-pytest")
            return _finish(result, request, started), 1
        _steps(request, scratch, result)
    except AirflowSetupError as exc:
        result.update(error=str(exc), error_code="airflow")
        status = 1
    except Exception as exc:
        result.update(error=f"the dagship test runner failed: {type(exc).__name__}: {exc}", error_code="internal")
        status = 1
    return _finish(result, request, started), status


def _steps(request: dict, scratch: str, result: dict) -> None:
    timings = result["timings"]
    make_workdir(request)
    home = make_home(scratch)
    set_environment(request, home)
    clock = time.monotonic()
    result["db_setup"] = prepare_db(request, home)
    timings["db_seconds"] = round(time.monotonic() - clock, 3)
    if request["paths"]:
        clock = time.monotonic()
        result["tests"], result["pytest_exit_code"] = run_suite(request, scratch)
        timings["pytest_seconds"] = round(time.monotonic() - clock, 3)
    if request["dags"]:
        clock = time.monotonic()
        result["dags"] = run_dags(request, scratch, os.path.join(home, "airflow.db"))
        timings["dags_seconds"] = round(time.monotonic() - clock, 3)


def _finish(result: dict, request: dict, started: float) -> dict:
    result["timings"]["total_seconds"] = round(time.monotonic() - started, 3)
    return mask_all(result, secret_values(request))


def mask_all(value, secrets: list[str]):
    """Provided values can surface anywhere a test or task prints or raises: every string is masked."""
    if isinstance(value, str):
        return mask(value, secrets)
    if isinstance(value, list):
        return [mask_all(item, secrets) for item in value]
    if isinstance(value, dict):
        return {key: mask_all(item, secrets) for key, item in value.items()}
    return value


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None
