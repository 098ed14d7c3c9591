"""Runs Airflow's own DAG processor once over $AIRFLOW__CORE__DAGS_FOLDER and prints what it stored.

Run inside the Airflow image after `airflow db migrate` on a sqlite database. The last line of stdout is a
JSON document: {"airflow_version", "files" (Airflow's own file list, safe mode and .airflowignore), "import_errors": [{"file", "message"}], "dags": [{"dag_id", "file", "active"}]}
with files relative to the DAG folder.

Airflow 3: `airflow dag-processor --num-runs 1` as production runs it (one loop over every file).
Airflow 2: the command `airflow dag-processor` runs with `[scheduler] standalone_dag_processor`, minus its
refusal of sqlite ("Standalone DagProcessor is not supported when using sqlite"): the same job runner and
DagFileProcessorManager, which on sqlite parses one file at a time instead of `parsing_processes`.
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
        subprocess.run(["airflow", "dag-processor", "--num-runs", "1"], check=True, stdout=sys.stderr)
        return
    from airflow.exceptions import AirflowException
    from airflow.cli.commands.dag_processor_command import _create_dag_processor_job_runner
    from airflow.dag_processing.manager import reload_configuration_for_dag_processing
    from airflow.jobs.job import run_job

    reload_configuration_for_dag_processing()
    for attempt in (1, 2, 3):
        runner = _create_dag_processor_job_runner(Namespace(subdir=DAGS, num_runs=1, do_pickle=False))
        try:
            run_job(job=runner.job, execute_callable=runner._execute)
            return
        except AirflowException as e:
            # 2.11's manager itself often stops on these fixtures with "Tried to get the result before it's
            # done!": a parse process that died (signal, exit, kill) closed its sentinel before it could be
            # reaped, so DagFileProcessorProcess.done still says False (in production the processor restarts).
            # Another loop parses every file again and overwrites what the last one stored.
            if attempt == 3 or "before it's done" not in str(e):
                raise
            print(f"dag_processor.py: the 2.11 processor stopped ({e}); running it again", file=sys.stderr)


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
