#!/usr/bin/env python3
"""dagship DAG checker: import every DAG file the way Airflow's scheduler does, and report what breaks.

Runs inside the Airflow image with only the standard library and Airflow (2.11 and 3.x):

    python dagship_check.py --request request.json --output result.json

The code lives in the dagship_checker package beside this file (importable because Python puts this
file's directory on sys.path); this file is only the command line.

Modelled on Airflow's DAG processor: the parent imports Airflow once (while a forked process reads the
files' syntax trees), lists DAG files with Airflow's own discovery (safe mode, .airflowignore), pre-imports
the ``airflow.*`` modules those files use, then forks ``workers`` children and feeds them files one at a
time (one file per child for small runs). A child builds a DagBag per file (SIGALRM timeout, address-space
limit, output captured to a file; repository modules imported afresh for each file) and sends a JSON line
per file up a pipe. The parent kills children that outlive the timeout, turns deaths into findings (a file
that kills a child after other files is first re-checked in a fresh child of its own) and adds cross-file
findings (duplicate dag ids, slow imports). One bad file never stops the others from being checked.

Beyond the request/result format dagship documents, the result carries "skipped" (requested files that
Airflow's discovery does not list as DAG files), "error" (null, or why nothing could be checked),
files[].output (the file's own stdout/stderr, at most max_output_bytes, provided values masked) and
timings.pre_import_seconds; memory_limit_mb 0 means no limit.

Exit status: 0 result written; 1 result written but the check could not run (see "error": Airflow or
airflow_local_settings.py failed to import, or the checker itself failed); 2 the checker was misused
(bad arguments or request), nothing written.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import signal
import sys
import time

from dagship_checker.airflow_env import prepare_airflow_home
from dagship_checker.request import UsageError, load_request
from dagship_checker.result import write_result
from dagship_checker.run import run


def main(argv: list[str] | None = None) -> int:
    started = time.monotonic()
    # Importing Airflow allocates about a million objects and leaves almost no cycles: the collector would
    # walk the growing heap again and again (a fifth of the import time). freeze_parent() turns it back
    # on before any DAG file is parsed.
    gc.disable()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--request", required=True, help="request JSON written by dagship")
    parser.add_argument("--output", required=True, help="where to write the result JSON")
    args = parser.parse_args(argv)
    try:
        request = load_request(args.request)
        if not os.path.isdir(os.path.dirname(os.path.abspath(args.output))):
            raise UsageError(f"the directory of {args.output} does not exist")
    except UsageError as exc:
        print(f"dagship_check: {exc}", file=sys.stderr)
        return 2
    # As PID 1 in a container SIGTERM is ignored by default; exit cleanly so running children are killed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    home = prepare_airflow_home(request)
    try:
        result, status = run(request, started)
        write_result(args.output, result)
        return status
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # The result is written: skip tearing down an interpreter with Airflow loaded (a tenth of a second).
    os._exit(code)
