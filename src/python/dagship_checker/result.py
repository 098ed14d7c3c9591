"""Parent: the assembled result, and the result file."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile

from .findings import RULE_SLOW, finding
from .masking import mask_result, secret_values


def slow_findings(files: list[dict], limit: float) -> list[dict]:
    return [
        finding(
            RULE_SLOW,
            entry["path"],
            f"import took {entry['import_seconds']:.1f}s (limit {limit:g}s)",
            severity="warning",
        )
        for entry in files
        if entry["status"] in ("ok", "error") and entry["import_seconds"] > limit
    ]


def assemble(results: list[dict], request: dict) -> tuple[list[dict], list[dict]]:
    """Sorted file entries and findings, slow imports added, provided values masked. Duplicate dag ids
    across files are dagship's to find: it merges these results with cached ones."""
    files = sorted(results, key=lambda entry: entry["path"])
    findings = [f for entry in files for f in entry.pop("findings")]
    findings += slow_findings(files, request["slow_import_seconds"])
    for entry in files:
        # Each DAG carries its line; dag_lines is keyed by unmasked dag ids, so it never leaves.
        lines = entry.pop("dag_lines", None) or {}
        for dag in entry["dags"]:
            dag["line"] = lines.get(dag["dag_id"])
    mask_result(files, findings, secret_values(request))
    findings.sort(key=lambda f: (f["file"] or "", f["line"] or 0, f["rule"], f["dag_id"] or ""))
    return files, findings


def write_result(path: str, result: dict) -> None:
    """Atomic: the reader sees the old file or the whole new one, never a partial one."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, temp = tempfile.mkstemp(prefix=".result-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(result, fh, indent=2)
            fh.write("\n")
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
