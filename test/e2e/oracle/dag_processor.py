"""Runs Airflow's own DAG processor once over $AIRFLOW__CORE__DAGS_FOLDER and prints what it stored.

Run inside the Airflow image after `airflow db migrate` on a sqlite database. The last line of stdout is a
JSON document: {"airflow_version", "files" (Airflow's own file list, safe mode and .airflowignore), "import_errors": [{"file", "message"}], "dags": [{"dag_id", "file", "active"}]}
with files relative to the DAG folder.

Airflow 3: `airflow dag-processor --num-runs 2` as production runs it (two loops over every file).
Airflow 2: the command `airflow dag-processor` runs with `[scheduler] standalone_dag_processor`, minus its
refusal of sqlite ("Standalone DagProcessor is not supported when using sqlite"): the same job runner and
DagFileProcessorManager, which on sqlite parses one file at a time instead of `parsing_processes`, with one
race in its bookkeeping worked around (patch_result_race).
"""

import json
import os
import sqlite3
import subprocess
import sys
from argparse import Namespace

import airflow

DAGS = os.environ["AIRFLOW__CORE__DAGS_FOLDER"]
MAJOR = int(airflow.__version__.split(".")[0])


def run_processor() -> None:
    if MAJOR >= 3:
        # Two loops: a file whose parse was still queued when a loop of blocked parses ended gets its turn.
        subprocess.run(["airflow", "dag-processor", "--num-runs", "2"], check=True, stdout=sys.stderr)
        return
    from airflow.cli.commands.dag_processor_command import _create_dag_processor_job_runner
    from airflow.dag_processing.manager import reload_configuration_for_dag_processing
    from airflow.jobs.job import run_job

    patch_result_race()
    runner = _create_dag_processor_job_runner(Namespace(subdir=DAGS, num_runs=1, do_pickle=False))
    reload_configuration_for_dag_processing()
    run_job(job=runner.job, execute_callable=runner._execute)


def patch_result_race() -> None:
    """Works around a race in 2.11 that stops the whole processor on these fixtures.

    The manager collects a parse when its process sentinel is ready, i.e. the process has exited, then reads
    `DagFileProcessorProcess.result`, which raises "Tried to get the result before it's done!" when `done`
    still sees the process alive or its pipe open (seen in most runs here after a parse died by a signal,
    an exit or a kill; in a cluster the processor would restart). Here `result` waits up to 10 s for `done`
    instead of raising; parsing, timeouts and what is stored are untouched.
    """
    import time

    from airflow.dag_processing.processor import DagFileProcessorProcess

    done = DagFileProcessorProcess.done.fget
    result = DagFileProcessorProcess.result.fget

    def patient_result(self):
        start = time.monotonic()
        if not done(self):
            while not done(self) and time.monotonic() < start + 10:
                time.sleep(0.01)
            print(
                f"dag_processor.py: 2.11 race: waited {time.monotonic() - start:.2f} s for the parse of "
                f"{os.path.relpath(self.file_path, DAGS)} to be done",
                file=sys.stderr,
            )
        return result(self)

    DagFileProcessorProcess.result = property(patient_result)


def rel(path: str) -> str:
    return os.path.relpath(path, DAGS) if os.path.isabs(path) else path


def read_database() -> dict:
    from airflow.configuration import conf

    db = sqlite3.connect(conf.get("database", "sql_alchemy_conn").removeprefix("sqlite:///"))
    columns = {row[1] for row in db.execute("pragma table_info(dag)")}
    active = "not is_stale" if "is_stale" in columns else "is_active"
    errors = [{"file": rel(f), "message": m} for f, m in db.execute("select filename, stacktrace from import_error")]
    dags = [
        {"dag_id": d, "file": rel(f), "active": bool(a)}
        for d, f, a in db.execute(
            f"select d.dag_id, d.fileloc, {active} from dag d join serialized_dag s on s.dag_id = d.dag_id"
        )
    ]
    from airflow.utils.file import list_py_file_paths

    files = sorted(rel(f) for f in list_py_file_paths(DAGS))
    return {"airflow_version": airflow.__version__, "files": files, "import_errors": errors, "dags": dags}


if __name__ == "__main__":
    run_processor()
    print(json.dumps(read_database()))
