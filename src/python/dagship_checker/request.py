"""The request dagship writes: read once, defaults filled in, validated before any work."""

from __future__ import annotations

import json
import os
import re

REQUEST_DEFAULTS = {
    "plugins_folder": None,
    "python_path": [],
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


def read_request(path: str, defaults: dict) -> dict:
    """The request file over `defaults` (a null value keeps the default); UsageError when unreadable."""
    try:
        with open(path, encoding="utf-8") as fh:
            raw = json.load(fh)
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read request {path}: {exc}") from exc
    if not isinstance(raw, dict):
        raise UsageError("the request must be a JSON object")
    return {**defaults, **{k: v for k, v in raw.items() if v is not None}}


def load_request(path: str) -> dict:
    request = read_request(path, REQUEST_DEFAULTS)
    _load_roots(request)
    if not isinstance(request.get("dags_folder"), str):
        raise UsageError("request.dags_folder must be a path")
    request["dags_folder"] = in_repo(request, request["dags_folder"])
    if not os.path.isdir(request["dags_folder"]):
        raise UsageError(f"dags_folder {request['dags_folder']} is not a directory")
    if request["local_settings"]:
        request["local_settings"] = in_repo(request, request["local_settings"])
        if not os.path.isfile(request["local_settings"]):
            raise UsageError(f"local_settings {request['local_settings']} is not a file")
    _validate_values(request)
    return request


def _load_roots(request: dict) -> None:
    """request.roots: {folder in the container: the repository folder it holds, "" for the root}, where the
    repository's folders are (the image's layout); request.repo_root alone is {repo_root: ""}."""
    roots = request.get("roots")
    if roots is None and isinstance(request.get("repo_root"), str):
        roots = {request["repo_root"]: ""}
    if not (
        isinstance(roots, dict) and roots and all(isinstance(k, str) and isinstance(v, str) for k, v in roots.items())
    ):
        raise UsageError("request.roots must map container folders to repository folders")
    # Longest first: a folder mounted inside another one owns its files.
    request["roots"] = sorted(((os.path.abspath(k), v.strip("/")) for k, v in roots.items()), key=lambda r: -len(r[0]))
    paths = request["python_path"]
    if not (isinstance(paths, list) and all(isinstance(p, str) for p in paths)):
        raise UsageError("request.python_path must be a list of paths")


def in_repo(request: dict, path: str) -> str:
    """Absolute path in the container of a repository-relative path (absolute paths stay as they are)."""
    if os.path.isabs(path):
        return os.path.abspath(path)
    path = os.path.normpath(path)
    for folder, source in sorted(request["roots"], key=lambda r: -len(r[1])):
        if not source or path == source or path.startswith(source + "/"):
            return os.path.normpath(os.path.join(folder, os.path.relpath(path, source or ".")))
    return path  # outside every root: matches no file in the container


def relative(path: str, request: dict) -> str | None:
    """The repository-relative path of a container path, or None when it is not a repository file."""
    path = os.path.abspath(path)
    for folder, source in request["roots"]:
        if path == folder or path.startswith(folder.rstrip(os.sep) + os.sep):
            rest = os.path.relpath(path, folder)
            return source if rest == "." else os.path.join(source, rest) if source else rest
    return None


def in_repository(path: str, request: dict) -> bool:
    return relative(path, request) is not None


def repository_text(text: str, request: dict) -> str:
    """Container paths in a traceback or message as the repository's (the root's own prefix dropped)."""
    for folder, source in request["roots"]:
        text = text.replace(folder.rstrip(os.sep) + os.sep, source + "/" if source else "")
    return text


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
