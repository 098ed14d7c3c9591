"""The pytest run: a subprocess in the workdir (pytest's own configuration applies), its terminal output
streamed to ours, its results read from the plugin's JSON lines, the whole run under suite_timeout."""

from __future__ import annotations

import collections
import contextlib
import json
import os
import subprocess
import sys
import threading

from dagship_checker.events import kill_group
from dagship_checker.request import repository_text

# How the runner tells the plugin (in pytest's process) where to write and what the limits are.
RESULTS_ENV = "DAGSHIP_TEST_RESULTS"
TIMEOUT_ENV = "DAGSHIP_TEST_TIMEOUT"
MEMORY_ENV = "DAGSHIP_TEST_MEMORY_MB"
OUTPUT_TAIL_LINES = 30
# pytest's exit codes for runs that reported nothing usable (interrupted, internal error, usage error).
BROKEN_EXITS = {2: "interrupted", 3: "internal error", 4: "usage error"}


def run_suite(request: dict, scratch: str) -> tuple[list[dict], int | None]:
    """(test entries, pytest's exit code or None when the suite was killed)."""
    results = os.path.join(scratch, "tests.jsonl")
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "dagship_testing.plugin"]
    # A test file that fails to import is its own error; the other files still run (pytest would stop).
    command += ["--rootdir", request["workdir"], "--continue-on-collection-errors"]
    command += [*request["pytest_args"], *request["paths"]]
    env = {
        **os.environ,
        RESULTS_ENV: results,
        TIMEOUT_ENV: str(request["test_timeout"]),
        MEMORY_ENV: str(request["memory_limit_mb"]),
    }
    sys.stdout.flush()
    process = subprocess.Popen(
        command,
        cwd=request["workdir"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: a suite timeout kills every test child too
    )
    output: collections.deque[str] = collections.deque(maxlen=OUTPUT_TAIL_LINES)
    relay = threading.Thread(target=_relay, args=(process.stdout, output), daemon=True)
    relay.start()
    try:
        code = process.wait(timeout=request["suite_timeout"] or None)
    except subprocess.TimeoutExpired:
        kill_group(process.pid)
        process.wait()
        code = None
    finally:
        kill_group(process.pid)  # whatever the tests left running
    relay.join(timeout=5)
    tests, running = _read_results(results)
    if code is None:
        tests.append(_suite_timeout_entry(request, running, len(tests)))
    elif running:
        tests.append(_pytest_died_entry(running, code))
    elif code in BROKEN_EXITS and not tests:
        tests.append(_broken_run_entry(request, code, list(output)))
    for entry in tests:
        entry["detail"] = entry["detail"] and repository_text(entry["detail"], request)
        entry["message"] = entry["message"] and repository_text(entry["message"], request)
    return tests, code


def _relay(stream, tail: collections.deque) -> None:
    """pytest's output, line by line, to our stdout (dagship shows it as progress)."""
    out = sys.stdout.buffer
    for line in iter(stream.readline, b""):
        out.write(line)
        out.flush()
        tail.append(line.decode("utf-8", "replace").rstrip("\n"))


def _read_results(path: str) -> tuple[list[dict], str | None]:
    tests: list[dict] = []
    running = None
    with contextlib.suppress(OSError), open(path, encoding="utf-8") as fh:
        for line in fh:
            with contextlib.suppress(ValueError):
                entry = json.loads(line)
                event = entry.pop("event", None)
                if event == "start":
                    running = entry["nodeid"]
                elif event == "finish":
                    running = None
                elif event is None:
                    tests.append(entry)
    return tests, running


def _suite_timeout_entry(request: dict, running: str | None, finished: int) -> dict:
    limit = request["suite_timeout"]
    what = f"while {running} was running" if running else "before any test finished collecting"
    return {
        "nodeid": running or " ".join(request["paths"]),
        "file": running.split("::")[0] if running else None,
        "line": None,
        "outcome": "timeout",
        "when": "call" if running else "collect",
        "duration": float(limit),
        "message": f"the test suite did not finish in {limit:g}s (suite_timeout); killed {what}",
        "detail": f"{finished} results were reported before the suite was killed; the remaining tests did not run",
    }


def _broken_run_entry(request: dict, code: int, output: list[str]) -> dict:
    return {
        "nodeid": " ".join(request["paths"]),
        "file": None,
        "line": None,
        "outcome": "error",
        "when": "collect",
        "duration": 0.0,
        "message": f"pytest exited with code {code} ({BROKEN_EXITS[code]}): {output[-1] if output else ''}".strip(),
        "detail": "\n".join(output) or None,
    }


def _pytest_died_entry(running: str, code: int) -> dict:
    """pytest's own process ended inside a test: only code outside the forked child (a plugin, a hook in
    conftest.py) can do that."""
    how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
    return {
        "nodeid": running,
        "file": running.split("::")[0],
        "line": None,
        "outcome": "crashed",
        "when": "call",
        "duration": 0.0,
        "message": f"pytest itself ended ({how}) while this test was running; the remaining tests did not run",
        "detail": None,
    }
