"""pytest plugin, loaded with ``-p dagship_testing.plugin`` into the suite's pytest: the tests run in a
forked worker, a fresh one after a test that killed its worker (see forked), and every report becomes a
JSON line in $DAGSHIP_TEST_RESULTS for the runner. pytest's terminal output is untouched: the reports reach its own hooks in this process."""

from __future__ import annotations

import json
import os

import pytest

from .forked import run_items
from .suite import MEMORY_ENV, RESULTS_ENV, TIMEOUT_ENV

DETAIL_LINES = 60


def _record(entry: dict) -> None:
    path = os.environ.get(RESULTS_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as fh:  # reopened per line: a killed suite loses nothing
            fh.write(json.dumps(entry, default=str) + "\n")


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session):
    # pytest's own loop, less what it does not do here: the tests run in forked workers (see forked).
    if session.testsfailed and not session.config.option.continue_on_collection_errors:
        raise session.Interrupted(f"{session.testsfailed} error(s) during collection")
    if session.config.option.collectonly:
        return True
    run_items(session, float(os.environ.get(TIMEOUT_ENV) or 0), float(os.environ.get(MEMORY_ENV) or 0))
    if session.shouldfail:
        raise session.Failed(session.shouldfail)
    if session.shouldstop:
        raise session.Interrupted(session.shouldstop)
    return True


def pytest_runtest_logstart(nodeid, location):
    _record({"event": "start", "nodeid": nodeid})


def pytest_runtest_logfinish(nodeid, location):
    _record({"event": "finish", "nodeid": nodeid})


def pytest_runtest_logreport(report):
    # One entry per test, plus one for a setup that did not pass or a teardown that failed (pytest too
    # counts a failed teardown of a passed test as an error of its own).
    if report.when == "call" or (report.when == "setup" and not report.passed) or report.failed:
        _record(result_entry(report))


def pytest_collectreport(report):
    if report.failed or report.skipped:
        entry = result_entry(report, when="collect")
        entry["outcome"] = "error" if report.failed else "skipped"
        entry["file"] = report.nodeid.split("::")[0] or None
        _record(entry)


def result_entry(report, when: str | None = None) -> dict:
    location = getattr(report, "location", None) or (None, None, None)
    return {
        "nodeid": report.nodeid,
        "file": location[0],
        "line": _line(report, location),
        "outcome": _outcome(report),
        "when": when or report.when,
        "duration": round(getattr(report, "duration", 0) or 0, 3),
        "message": _message(report),
        "detail": _detail(report),
    }


def _outcome(report) -> str:
    special = getattr(report, "dagship_outcome", None)
    if special:
        return special
    if hasattr(report, "wasxfail"):
        return "xfailed" if report.skipped else "xpassed"
    if report.failed and report.when in ("setup", "teardown"):
        return "error"
    return report.outcome


def _line(report, location) -> int | None:
    """The failing line in the test's own file when the traceback passes through it, else the test's."""
    entries = getattr(getattr(getattr(report, "longrepr", None), "reprtraceback", None), "reprentries", None)
    for entry in reversed(entries or []):
        loc = getattr(entry, "reprfileloc", None)
        if loc and location[0] and os.path.normpath(loc.path).endswith(os.path.normpath(location[0])):
            return loc.lineno
    return location[1] + 1 if isinstance(location[1], int) else None


def _message(report) -> str | None:
    longrepr = report.longrepr
    if report.passed and not hasattr(report, "wasxfail"):
        return None
    if hasattr(report, "wasxfail"):
        return f"xfail: {report.wasxfail}" if report.wasxfail else "xfail"
    if isinstance(longrepr, tuple) and len(longrepr) == 3:  # a skip: (path, line, reason)
        return str(longrepr[2])
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None and crash.message:
        return crash.message.strip().splitlines()[0]
    lines = str(longrepr or "").rstrip().splitlines()
    errors = [line[1:].strip() for line in lines if line.startswith("E ")]
    return errors[-1] if errors else lines[0] if lines else None


def _detail(report) -> str | None:
    if report.passed or report.skipped:
        return None
    parts = [report.longreprtext.rstrip()]
    parts += [f"--- {title} ---\n{content.rstrip()}" for title, content in report.sections if content.strip()]
    lines = "\n".join(p for p in parts if p).splitlines()
    return "\n".join(lines[-DETAIL_LINES:]) or None
