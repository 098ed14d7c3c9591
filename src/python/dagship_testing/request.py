"""The request dagship writes (see the contract in the module docstring of dagship_test.py): read once,
defaults filled in, validated before any work."""

from __future__ import annotations

import os

from dagship_checker.request import UsageError, read_request

REQUEST_DEFAULTS = {
    "links": [],
    "paths": [],
    "pytest_args": [],
    "test_timeout": 300,
    "suite_timeout": 1800,
    "memory_limit_mb": 2048,
    "dags": [],
    "logical_date": None,
    "plugins_folder": None,
    "python_path": [],
    "variables": {},
    "connections": {},
    "db_template": None,
    "log_tail_lines": 20,
}
DAG_DEFAULTS = {"skip_tasks": [], "timeout": 600}


def load_request(path: str) -> dict:
    request = read_request(path, REQUEST_DEFAULTS)
    for key in ("workdir", "dags_folder"):
        if not isinstance(request.get(key), str) or not os.path.isabs(request[key]):
            raise UsageError(f"request.{key} must be an absolute path")
    _check_links(request["links"])
    _load_roots(request)
    for key in ("paths", "pytest_args", "python_path"):
        if not _strings(request[key]):
            raise UsageError(f"request.{key} must be a list of strings")
    for key in ("test_timeout", "suite_timeout", "memory_limit_mb", "log_tail_lines"):
        value = request[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise UsageError(f"request.{key} must be a non-negative number")
    for key in ("variables", "connections"):
        if not isinstance(request[key], dict):
            raise UsageError(f"request.{key} must be an object")
    request["dags"] = [_load_dag(entry) for entry in _list(request["dags"], "dags")]
    return request


def _check_links(links) -> None:
    for link in _list(links, "links"):
        if not (
            isinstance(link, list)
            and len(link) == 2
            and isinstance(link[0], str)
            and not os.path.isabs(link[0])
            and ".." not in link[0].split("/")
            and (link[1] is None or isinstance(link[1], str))
        ):
            raise UsageError(f"request.links: {link!r} is not [relative path, target or null]")


def _load_roots(request: dict) -> None:
    """As dagship_checker's request.roots (longest container folder first, repository prefix without
    "." or slashes), so that its path helpers apply; the workdir maps to the repository root too, since
    pytest sees the repository through it."""
    roots = request.get("roots") or {}
    if not (isinstance(roots, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in roots.items())):
        raise UsageError("request.roots must map container folders to repository folders")
    pairs = {os.path.abspath(k): v.strip("/") for k, v in roots.items()}
    pairs.setdefault(os.path.abspath(request["workdir"]), "")
    request["roots"] = sorted(((k, "" if v == "." else v) for k, v in pairs.items()), key=lambda r: -len(r[0]))


def _load_dag(entry) -> dict:
    if not (isinstance(entry, dict) and isinstance(entry.get("dag_id"), str)):
        raise UsageError("request.dags entries must be objects with a dag_id")
    dag = {**DAG_DEFAULTS, **{k: v for k, v in entry.items() if v is not None}}
    if not _strings(dag["skip_tasks"]):
        raise UsageError(f"request.dags[{dag['dag_id']}].skip_tasks must be a list of task ids")
    if isinstance(dag["timeout"], bool) or not isinstance(dag["timeout"], (int, float)) or dag["timeout"] <= 0:
        raise UsageError(f"request.dags[{dag['dag_id']}].timeout must be a positive number")
    return dag


def _list(value, key: str) -> list:
    if not isinstance(value, list):
        raise UsageError(f"request.{key} must be a list")
    return value


def _strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)
