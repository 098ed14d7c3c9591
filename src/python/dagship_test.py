#!/usr/bin/env python3
"""dagship test runner: run the team's pytest suite and chosen DAGs (dag.test()) inside the test image.

    python dagship_test.py --request request.json --output result.json

The code lives in the dagship_testing package beside this file; this file is only the command line. The
request and result formats are dagship's contract (see dagship_testing/request.py for the defaults).

Each test's setup, call and teardown run in a child forked from pytest's process, with a time limit and an
address-space limit: a test that hangs, leaves the interpreter or exhausts memory is that test's failure
and the rest of the suite still reports. Each DAG runs in a process of its own, killed at its timeout.

Choices the contract leaves open:
- pytest runs with --rootdir <workdir> (node ids are repository paths) and --continue-on-collection-errors
  (a test file that fails to import is an entry with when=collect; the other files still run).
- Every fixture is set up and torn down inside the test's child, session fixtures included: each test
  pays for them (a DagBag fixture is parsed once per test), and nothing a test did survives it.
- A test killed at test_timeout is outcome "timeout" (its detail: faulthandler's stack where it hung); a
  child that died from a signal or left the interpreter is "crashed"; MemoryError at the address-space
  limit is an ordinary failure. At suite_timeout the results so far are kept and one "timeout" entry names
  the test that was running. pytest's own process dying inside a test (a conftest hook) is a "crashed"
  entry for that test. pytest missing: nothing runs (no DAGs either), error_code "no-pytest".
- The logical date of a DAG run, when the request gives none, is the DAG's start_date (the same run every
  time), else now. Each DAG runs in a fresh process. A task's duration is the time in its execute (summed
  over a mapped task's expansions), its log tail what it printed or logged during execute (a mapped task:
  the failed expansion's, else the last one's). A mapped task's state is the worst of its instances'.
- dags[].message of a failed run names the first failed task and its exception.

Beyond the contract the result carries "db_setup" ("template" or "migrated": how the metadata DB was
made) and "pytest_exit_code" (null when pytest did not run or was killed at suite_timeout).

Exit status: 0 result written; 1 result written but nothing could run (see "error"); 2 misuse (bad
arguments or request), nothing written.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time

from dagship_checker.request import UsageError
from dagship_checker.result import write_result
from dagship_testing.request import load_request
from dagship_testing.run import run


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
        print(f"dagship_test: {exc}", file=sys.stderr)
        return 2
    # As PID 1 in a container SIGTERM is ignored by default: exit, so that the finally blocks kill the
    # process groups of pytest and of a running DAG.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    scratch = tempfile.mkdtemp(prefix="dagship-test-")
    try:
        result, status = run(request, scratch, started)
        write_result(args.output, result)
        return status
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
