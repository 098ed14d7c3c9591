"""One DAG run, in a process of its own: ``python -m dagship_testing.dag_child <spec.json>``.

Loads the DAG with Airflow's DagBag, wraps ``execute`` of every operator class the DAG uses (mapped and
decorated tasks included) to record each task and to skip the tasks dagship was asked to skip, and calls
dag.test(). Events go to a JSON-lines file as they happen, so the parent still knows which task was
running when it had to kill this process. The final states are read from the metadata DB by the parent.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import os
import re
import sys
import tempfile
import threading
import time
import traceback

from dagship_checker.airflow_env import dagbag_factory
from dagship_checker.findings import exception_headline
from dagship_checker.isolation import read_tail
from dagship_checker.request import relative, repository_text

from .environment import limit_memory

SKIP_MESSAGE = "skipped by dagship"
LOG_BYTES = 65536


class Events:
    def __init__(self, path: str) -> None:
        self.path = path

    def write(self, **entry) -> None:
        with open(self.path, "a", encoding="utf-8") as fh:  # reopened per line: a kill loses nothing
            fh.write(json.dumps(entry, default=str) + "\n")


def main(spec_path: str) -> int:
    with open(spec_path, encoding="utf-8") as fh:
        spec = json.load(fh)
    spec["roots"] = [tuple(root) for root in spec["roots"]]
    events = Events(spec["events"])
    limit_memory(spec["memory_limit_mb"])
    dag = load_dag(spec, events)
    if dag is None:
        return 0
    logical_date = _logical_date(spec["logical_date"], dag)
    events.write(
        event="dag",
        file=relative(dag.fileloc, spec) if dag.fileloc else None,
        tasks=[task.task_id for task in dag.tasks],
        logical_date=logical_date.isoformat(),
    )
    no_retries(dag)
    wrap_operators(dag, set(spec["skip_tasks"]), spec, events)
    try:
        run = _test(dag, logical_date)
        events.write(event="done", run_id=getattr(run, "run_id", None))
    except Exception as exc:
        text = repository_text(traceback.format_exc(), spec)
        events.write(event="error", message=f"dag.test() failed: {_headline(exc)}", detail=text)
    return 0


def load_dag(spec: dict, events: Events):
    # As the checker parses: Airflow 3 puts the bundle root (the DAG folder) on sys.path, 2 on import.
    bag = dagbag_factory()(spec["dags_folder"], spec["dags_folder"])
    dag = bag.dags.get(spec["dag_id"])
    if dag is not None:
        return dag
    for path, text in sorted(bag.import_errors.items()):
        if _mentions(path, spec["dag_id"]):
            rel = relative(path, spec) or path
            message = f"{rel} failed to import: {exception_headline(repository_text(text, spec))}"
            events.write(event="missing", state="error", file=rel, message=message)
            return None
    found = ", ".join(sorted(bag.dags)) or "none"
    where = relative(spec["dags_folder"], spec) or spec["dags_folder"]
    message = f"no DAG '{spec['dag_id']}' in {where} (DAGs found: {found})"
    if bag.import_errors:
        message += f"; {len(bag.import_errors)} file(s) failed to import"
    events.write(event="missing", state="not_found", file=None, message=message)
    return None


def _mentions(path: str, dag_id: str) -> bool:
    with contextlib.suppress(OSError), open(path, encoding="utf-8", errors="replace") as fh:
        return re.search(r"\b" + re.escape(dag_id) + r"\b", fh.read()) is not None
    return False


def _logical_date(given: str | None, dag) -> datetime.datetime:
    """The request's, else the DAG's start_date (the same run every time), else now."""
    if given:
        value = datetime.datetime.fromisoformat(given)
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    start = getattr(dag, "start_date", None)
    if start is not None:
        return start
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def _test(dag, logical_date: datetime.datetime):
    import airflow

    if int(airflow.__version__.split(".")[0]) >= 3:
        return dag.test(logical_date=logical_date)
    return dag.test(execution_date=logical_date)


def _skip_exception() -> type:
    try:
        from airflow.sdk.exceptions import AirflowSkipException  # what Airflow 3's task runner catches
    except ImportError:
        from airflow.exceptions import AirflowSkipException
    return AirflowSkipException


def no_retries(dag) -> None:
    """One try per task: dag.test() would otherwise wait out each retry_delay (minutes, in most DAGs) and
    the run would end at its time limit instead of at the failure."""
    for task in dag.tasks:
        with contextlib.suppress(Exception):
            task.retries = 0
        partial = getattr(task, "partial_kwargs", None)  # a mapped task's expansions take theirs from here
        if isinstance(partial, dict):
            partial["retries"] = 0


def wrap_operators(dag, skip: set[str], spec: dict, events: Events) -> None:
    """Wrap execute on the classes themselves: dag.test() may run copies of the task objects (Airflow 3
    runs each task through the task SDK, mapped tasks are expanded into new operators)."""
    classes = set()
    for task in dag.tasks:
        cls = getattr(task, "operator_class", None)  # a mapped task: the class each expansion will be
        classes.add(cls if isinstance(cls, type) else type(task))
    skip_error = _skip_exception()
    depth = threading.local()
    for cls in classes:
        original = cls.execute
        if getattr(original, "_dagship_wrapped", False):
            continue

        def execute(self, context, *args, _original=original, **kwargs):
            if getattr(depth, "value", 0):  # a subclass calling super().execute(): recorded once
                return _original(self, context, *args, **kwargs)
            depth.value = 1
            try:
                return _run_task(self, context, (_original, args, kwargs), (skip, skip_error, spec), events)
            finally:
                depth.value = 0

        execute._dagship_wrapped = True
        cls.execute = execute


def _run_task(task, context, call: tuple, settings: tuple, events: Events):
    original, args, kwargs = call
    skip, skip_error, spec = settings
    map_index = _map_index(context)
    if task.task_id in skip:
        events.write(event="start", task_id=task.task_id, map_index=map_index)
        events.write(
            event="end",
            task_id=task.task_id,
            map_index=map_index,
            state="skipped",
            duration=0.0,
            skipped_by_dagship=True,
        )
        raise skip_error(SKIP_MESSAGE)
    log_path = _capture_start(os.path.dirname(spec["events"]))
    # The parent reads the log of a task that was running when it killed this process.
    events.write(event="start", task_id=task.task_id, map_index=map_index, log=log_path, at=time.time())
    started = time.monotonic()
    state, message, where = "success", None, (None, None)
    try:
        return original(task, context, *args, **kwargs)
    except BaseException as exc:
        state = "skipped" if isinstance(exc, skip_error) else "failed"
        message = _headline(exc)
        where = _deepest_frame(exc, spec)
        raise
    finally:
        log_tail = _capture_end(log_path, spec["log_tail_lines"])
        events.write(
            event="end",
            task_id=task.task_id,
            map_index=map_index,
            state=state,
            duration=round(time.monotonic() - started, 3),
            message=message,
            file=where[0],
            line=where[1],
            log_tail=log_tail,
        )


def _map_index(context) -> int:
    with contextlib.suppress(Exception):
        value = context["ti"].map_index
        return value if isinstance(value, int) else -1
    return -1


_saved_fds: list[tuple[int, int]] = []


def _capture_start(folder: str) -> str:
    """Everything the task prints or logs (through fds 1 and 2) goes to its own file while it runs."""
    sys.stdout.flush()
    sys.stderr.flush()
    fd, path = tempfile.mkstemp(prefix="task-", suffix=".log", dir=folder)
    _saved_fds[:] = [(1, os.dup(1)), (2, os.dup(2))]
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    return path


def _capture_end(path: str, lines: int) -> str | None:
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    for target, saved in _saved_fds:
        os.dup2(saved, target)
        os.close(saved)
    _saved_fds.clear()
    text = read_tail(path, LOG_BYTES)
    with contextlib.suppress(OSError):
        os.unlink(path)
    # The task's output is also the run's: the parent keeps the whole process output.
    os.write(1, text.encode("utf-8", "replace"))
    kept = "\n".join(text.rstrip().splitlines()[-lines:]) if lines else ""
    return kept or None


def _headline(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _deepest_frame(exc: BaseException, spec: dict) -> tuple[str | None, int | None]:
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        rel = relative(frame.filename, spec)
        if rel is not None:
            found = (rel, frame.lineno)
    return found


if __name__ == "__main__":
    code = 70  # EX_SOFTWARE: the runner, not the DAG, failed
    try:
        code = main(sys.argv[1])
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)  # skip tearing down an interpreter with Airflow loaded
