"""Parent: findings across files, the assembled result, and the result file."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile

from .findings import RULE_DUPLICATE, RULE_SLOW, finding
from .masking import mask_result, secret_values


def duplicate_findings(files: list[dict]) -> list[dict]:
    """One finding per extra file defining a dag_id already defined by an earlier file (path order)."""
    owners: dict[str, list[dict]] = {}
    for entry in files:
        for dag in entry["dags"]:
            owners.setdefault(dag["dag_id"], []).append(entry)
    findings = []
    for dag_id, entries in sorted(owners.items()):
        first = entries[0]["path"]
        for entry in entries[1:]:
            message = f"DAG id '{dag_id}' is defined in both {first} and {entry['path']}"
            duplicate = finding(
                RULE_DUPLICATE, entry["path"], message, line=entry["dag_lines"].get(dag_id), dag_id=dag_id
            )
            # Spans files: a caller that merges cached per-file results recomputes these itself.
            duplicate["scope"] = "repository"
            findings.append(duplicate)
    return findings


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
    """Sorted file entries and findings, cross-file findings added, provided values masked."""
    files = sorted(results, key=lambda entry: entry["path"])
    findings = [f for entry in files for f in entry.pop("findings")]
    findings += duplicate_findings(files) + slow_findings(files, request["slow_import_seconds"])
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
