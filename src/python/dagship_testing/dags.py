"""DAG runs: one fresh process per requested DAG (see dag_child), killed at its timeout; the result
assembled from its events and the final task instance states in the metadata DB."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

from dagship_checker.events import kill_group
from dagship_checker.isolation import read_tail

# States a task keeps when the run ended normally; anything else in the DB after a kill did not finish.
FINISHED = {"success", "failed", "skipped", "upstream_failed", "removed"}


def run_dags(request: dict, scratch: str, db_path: str) -> list[dict]:
    results = []
    for number, dag in enumerate(request["dags"]):
        results.append(run_dag(request, dag, os.path.join(scratch, f"dag-{number}"), db_path))
    return results


def run_dag(request: dict, dag: dict, prefix: str, db_path: str) -> dict:
    spec = {
        "dag_id": dag["dag_id"],
        "skip_tasks": dag["skip_tasks"],
        "logical_date": request["logical_date"],
        "dags_folder": request["dags_folder"],
        "roots": request["roots"],
        "log_tail_lines": request["log_tail_lines"],
        "memory_limit_mb": request["memory_limit_mb"],
        "events": prefix + ".jsonl",
    }
    with open(prefix + ".json", "w", encoding="utf-8") as fh:
        json.dump(spec, fh)
    print(f"dagship: running DAG {dag['dag_id']} ...", flush=True)
    started = time.monotonic()
    with open(prefix + ".out", "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "dagship_testing.dag_child", prefix + ".json"],
            cwd=request["workdir"],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # Unbuffered: what a task printed before it was killed is in its log file, not lost in a buffer.
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        try:
            status, killed = process.wait(timeout=dag["timeout"]), False
        except subprocess.TimeoutExpired:
            kill_group(process.pid)
            status, killed = process.wait(), True
        finally:
            kill_group(process.pid)
    elapsed = round(time.monotonic() - started, 3)
    result = assemble(
        {**dag, "log_tail_lines": request["log_tail_lines"]},
        _read_events(spec["events"]),
        (status, killed, elapsed),
        db_path,
    )
    if result["state"] in ("crashed", "error") and not result["message"]:
        result["message"] = "the DAG run process failed: " + _last_line(read_tail(prefix + ".out", 4096))
    print(f"dagship: DAG {dag['dag_id']}: {result['state']} ({elapsed:.1f}s)", flush=True)
    return result


def assemble(dag: dict, events: list[dict], ending: tuple[int, bool, float], db_path: str) -> dict:
    status, killed, elapsed = ending
    by_kind: dict[str, dict] = {}
    for event in events:
        by_kind[event["event"]] = event
    result = {
        "dag_id": dag["dag_id"],
        "file": None,
        "state": "error",
        "logical_date": None,
        "duration": elapsed,
        "message": None,
        "tasks": [],
    }
    if "missing" in by_kind:
        missing = by_kind["missing"]
        result.update(state=missing["state"], file=missing["file"], message=missing["message"])
        return result
    info = by_kind.get("dag")
    if info is None:
        result["state"] = "timeout" if killed else "crashed" if status else "error"
        if killed:
            result["message"] = f"loading the DAG did not finish in {dag['timeout']:g}s (test.dag_timeout); killed"
        return result
    result.update(file=info["file"], logical_date=info["logical_date"])
    db_states = _db_states(db_path, dag["dag_id"])
    lines = dag["log_tail_lines"]
    tasks = {task_id: _task(task_id, events, db_states.get(task_id), lines) for task_id in info["tasks"]}
    result["tasks"] = list(tasks.values())
    running = [t for t in result["tasks"] if t["state"] == "running"]
    if killed or status != 0 or "done" not in by_kind and "error" not in by_kind:
        why, word = _death(dag, status, killed)
        for task in result["tasks"]:
            if task["state"] == "running":
                task.update(state=word, message=task["message"] or why)
            elif task["state"] not in FINISHED:
                task.update(state="not_run")
        names = ", ".join(t["task_id"] for t in running)
        result.update(state=word, message=why + (f" while {names} was running" if names else ""))
    elif "error" in by_kind:
        result.update(state="failed" if db_states else "error", message=by_kind["error"]["message"])
    else:
        failed = [t for t in result["tasks"] if t["state"] == "failed"]
        upstream = any(t["state"] == "upstream_failed" for t in result["tasks"])
        result["state"] = db_states.get(None) or ("failed" if failed or upstream else "success")
        if failed:
            first = failed[0]
            more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
            result["message"] = f"task {first['task_id']} failed{more}: {first['message'] or 'see its log'}"
    return result


def _death(dag: dict, status: int, killed: bool) -> tuple[str, str]:
    if killed:
        return f"the DAG run did not finish in {dag['timeout']:g}s (test.dag_timeout); killed", "timeout"
    if status < 0:
        number = -status
        hint = "out of memory?" if number == signal.SIGKILL else signal.Signals(number).name
        return f"the DAG run was killed by signal {number} ({hint})", "crashed"
    return f"a task ended the interpreter (exit code {status})", "crashed"


def _task(task_id: str, events: list[dict], db: dict | None, lines: int) -> dict:
    mine = [e for e in events if e.get("task_id") == task_id]
    ends = [e for e in mine if e["event"] == "end"]
    last = ends[-1] if ends else {}
    failed = next((e for e in ends if e["state"] == "failed"), None)
    shown = failed or last
    starts = [e for e in mine if e["event"] == "start"]
    durations = [e["duration"] for e in ends if e.get("duration") is not None]
    state = (db or {}).get("state")
    log_tail = shown.get("log_tail")
    if len(starts) > len(ends):
        state = "running"  # started and never ended: the process died inside it
        log_tail = _log_tail(starts[-1].get("log"), lines)
        if starts[-1].get("at"):  # until it was killed or died
            durations.append(round(time.time() - starts[-1]["at"], 3))
    elif state is None:
        state = last.get("state") or "not_run"
    return {
        "task_id": task_id,
        "state": state,
        # Time in execute (all expansions of a mapped task); Airflow's own adds the task runner's start-up.
        "duration": round(sum(durations), 3) if durations else None,
        "skipped_by_dagship": bool(last.get("skipped_by_dagship")),
        "message": "skipped by dagship" if last.get("skipped_by_dagship") else shown.get("message"),
        "file": shown.get("file"),
        "line": shown.get("line"),
        "log_tail": log_tail,
    }


def _log_tail(path: str | None, lines: int) -> str | None:
    if not path or not lines:
        return None
    kept = read_tail(path, 65536).rstrip().splitlines()[-lines:]
    return "\n".join(kept) or None


def _db_states(db_path: str, dag_id: str) -> dict:
    """{task_id: {state, duration}} of the DAG's newest run (mapped tasks: the worst of their instances),
    and {None: the run's state}."""
    order = ["failed", "upstream_failed", "running", "up_for_retry", "queued", "scheduled", "skipped", "success"]
    found: dict = {}
    with contextlib.suppress(sqlite3.Error), contextlib.closing(sqlite3.connect(db_path, timeout=10)) as db:
        run = db.execute(
            "SELECT run_id, state FROM dag_run WHERE dag_id = ? ORDER BY id DESC LIMIT 1", (dag_id,)
        ).fetchone()
        if run is None:
            return found
        found[None] = run[1]
        rows = db.execute(
            "SELECT task_id, state, duration FROM task_instance WHERE dag_id = ? AND run_id = ?", (dag_id, run[0])
        )
        for task_id, state, duration in rows:
            known = found.get(task_id)
            rank = order.index(state) if state in order else len(order)
            if known is None or rank < known["rank"]:
                found[task_id] = {"state": state, "duration": duration, "rank": rank}
    return found


def _read_events(path: str) -> list[dict]:
    events = []
    with contextlib.suppress(OSError), open(path, encoding="utf-8") as fh:
        for line in fh:
            with contextlib.suppress(ValueError):
                events.append(json.loads(line))
    return events


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no output"
