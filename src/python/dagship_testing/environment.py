"""Where tests and DAG runs happen: the workdir symlink farm, a throwaway Airflow home with its sqlite
metadata DB, and the environment every later process inherits."""

from __future__ import annotations

import json
import os
import pwd
import resource
import shutil
import subprocess
import sys

from dagship_checker.findings import tail
from dagship_checker.isolation import _limit

# The folder holding dagship_testing and dagship_checker: pytest's and the DAG processes' import path.
RUNNER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_workdir(request: dict) -> None:
    """The repository as the image lays it out, in one writable-free tree pytest can use as its rootdir."""
    workdir = request["workdir"]
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    for name, target in request["links"]:
        path = os.path.join(workdir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if target is None:
            os.makedirs(path, exist_ok=True)
        elif os.path.lexists(target):
            os.symlink(target, path)


def make_home(scratch: str) -> str:
    home = os.path.join(scratch, "airflow")
    os.makedirs(os.path.join(home, "logs"))
    return home


def set_environment(request: dict, home: str) -> None:
    """Airflow reads its configuration on import: everything here must be set before any process imports
    it. Variables and connections come from the environment, which Airflow 2 and 3 both read before the
    metadata DB (and which the task SDK's in-process API server of Airflow 3's dag.test() reads too)."""
    os.environ.update(
        {
            "AIRFLOW_HOME": home,
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
            "AIRFLOW__CORE__DAGS_FOLDER": request["dags_folder"],
            "AIRFLOW__CORE__PLUGINS_FOLDER": request["plugins_folder"] or os.path.join(home, "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": os.path.join(home, "logs"),
            "PYTHONPATH": os.pathsep.join(
                filter(None, [RUNNER_DIR, *request["python_path"], os.environ.get("PYTHONPATH")])
            ),
            # The repository is read-only; bytecode writes would fail on every import anyway.
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    try:
        pwd.getpwuid(os.getuid())
    except KeyError:
        # dagship runs the container as the caller's uid, which the image's passwd does not know. Airflow
        # asks for a user name (the CLI, each task instance's unixname) and reads $USER first.
        os.environ.setdefault("USER", "dagship")
    for key, value in request["variables"].items():
        os.environ[f"AIRFLOW_VAR_{key.upper()}"] = value if isinstance(value, str) else json.dumps(value)
    for conn_id, value in request["connections"].items():
        os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"] = value if isinstance(value, str) else json.dumps(value)


def prepare_db(request: dict, home: str) -> str:
    """Copy the image's migrated template (milliseconds) or migrate a fresh DB (seconds); returns how."""
    target = os.path.join(home, "airflow.db")
    template = request["db_template"]
    if template and os.path.isfile(template):
        shutil.copyfile(template, target)
        return "template"
    done = subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        cwd=home,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise AirflowSetupError(f"airflow db migrate failed (exit {done.returncode}):\n{tail(done.stderr, 30)}")
    return "migrated"


def limit_memory(megabytes: float) -> None:
    """The address-space limit of a test's or a DAG run's process (0: none): an allocation past it raises
    MemoryError in that process instead of waking the kernel's OOM killer for the whole container."""
    if megabytes:
        _limit(resource.RLIMIT_AS, int(megabytes * 1024 * 1024))


class AirflowSetupError(Exception):
    """Airflow itself could not be set up: nothing can run (error_code "airflow")."""
