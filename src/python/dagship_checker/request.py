"""The request dagship writes: read once, defaults filled in, validated before any work."""

from __future__ import annotations

import json
import os
import re

REQUEST_DEFAULTS = {
    "plugins_folder": None,
    "files": None,
    "timeout": 30.0,
    "workers": 0,
    "slow_import_seconds": 5.0,
    "memory_limit_mb": 2048,
    "local_settings": None,
    "variables": {},
    "connections": {},
    "missing_lookups": "warning",
    "policies": {},
    "max_output_bytes": 65536,
}


class UsageError(Exception):
    """The checker itself was misused: exit 2 without writing a result."""


def load_request(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            raw = json.load(fh)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read request {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise UsageError("the request must be a JSON object")
    request = {**REQUEST_DEFAULTS, **{k: v for k, v in raw.items() if v is not None}}
    for key in ("repo_root", "dags_folder"):
        if not isinstance(request.get(key), str):
            raise UsageError(f"request.{key} must be a path")
    request["repo_root"] = os.path.abspath(request["repo_root"])
    request["dags_folder"] = in_repo(request, request["dags_folder"])
    if not os.path.isdir(request["dags_folder"]):
        raise UsageError(f"dags_folder {request['dags_folder']} is not a directory")
    if request["local_settings"]:
        request["local_settings"] = in_repo(request, request["local_settings"])
        if not os.path.isfile(request["local_settings"]):
            raise UsageError(f"local_settings {request['local_settings']} is not a file")
    _validate_values(request)
    return request


def in_repo(request: dict, path: str) -> str:
    """Absolute path; relative paths in the request are relative to repo_root."""
    return os.path.abspath(os.path.join(request["repo_root"], path))


def relative(path: str, repo_root: str) -> str:
    return os.path.relpath(os.path.abspath(path), repo_root)


def _validate_values(request: dict) -> None:
    for key in ("timeout", "slow_import_seconds", "memory_limit_mb", "max_output_bytes", "workers"):
        value = request[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise UsageError(f"request.{key} must be a non-negative number")
    if request["timeout"] <= 0:
        raise UsageError("request.timeout must be positive")
    if request["missing_lookups"] not in ("warning", "error"):
        raise UsageError('request.missing_lookups must be "warning" or "error"')
    for key in ("variables", "connections", "policies"):
        if not isinstance(request[key], dict):
            raise UsageError(f"request.{key} must be an object")
    files = request["files"]
    if files is not None and not (isinstance(files, list) and all(isinstance(f, str) for f in files)):
        raise UsageError("request.files must be null or a list of paths")
    _validate_policies(request["policies"])


def _validate_policies(policies: dict) -> None:
    for key in ("min_retries", "max_tasks"):
        if key in policies and (isinstance(policies[key], bool) or not isinstance(policies[key], int)):
            raise UsageError(f"request.policies.{key} must be an integer")
    tags = policies.get("allowed_tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        raise UsageError("request.policies.allowed_tags must be a list of strings")
    try:
        re.compile(policies.get("dag_id_pattern") or "")
    except (re.error, TypeError) as exc:
        raise UsageError(f"request.policies.dag_id_pattern is not a regular expression: {exc}") from exc
