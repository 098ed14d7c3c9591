"""Variables and connections read at import time, served by a secrets backend consulted before the
metastore (the check has no database): provided keys are served, unknown keys get a placeholder.

Airflow loads the backend by its dotted path, dagship_checker.lookups.DagshipSecretsBackend (set in
airflow_env.prepare_airflow_home), so this module must stay importable from the checker's directory.
"""

from __future__ import annotations

import json
import os
import sys

PLACEHOLDER = "dagship-placeholder"
PLACEHOLDER_CONNECTION = json.dumps({"conn_type": "generic", "host": PLACEHOLDER})


class LookupState:
    """The request's variables and connections, and the unprovided keys DAG code asked for."""

    def __init__(self) -> None:
        self.variables: dict[str, str] = {}
        self.connections: dict[str, str] = {}
        self.dag_file: str | None = None
        self.missing: list[dict] = []

    def load(self, request: dict) -> None:
        self.variables = {k: _as_text(v) for k, v in request["variables"].items()}
        self.connections = {k: _as_text(v) for k, v in request["connections"].items()}

    def variable(self, key: str) -> str | None:
        if key in self.variables:
            return self.variables[key]
        if os.environ.get(f"AIRFLOW_VAR_{key.upper()}") is not None:
            return None  # the environment-variables backend behind us serves it, as in production
        wants_json, has_default = _caller_asks()
        self._record("Variable", key, has_default)
        if has_default:
            return None  # no backend behind us has it either: Variable.get returns the caller's default
        return "{}" if wants_json else PLACEHOLDER

    def connection(self, conn_id: str) -> str | None:
        if conn_id in self.connections:
            return self.connections[conn_id]
        if os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}") is not None:
            return None
        self._record("Connection", conn_id, False)
        return PLACEHOLDER_CONNECTION

    def placeholders(self) -> list[str]:
        """'Variable x', 'Connection y': what this file was served placeholders for."""
        found = (f"{m['kind']} '{m['key']}'" for m in self.missing if not m["default"])
        return list(dict.fromkeys(found))

    def _record(self, kind: str, key: str, default: bool) -> None:
        line = _line_in_stack(self.dag_file)
        self.missing.append({"kind": kind, "key": key, "line": line, "default": default})


LOOKUPS = LookupState()


def _as_text(value) -> str:
    """Variables and connections as Airflow's backends hold them: strings (JSON for structured values)."""
    return value if isinstance(value, str) else json.dumps(value)


def _caller_asks() -> tuple[bool, bool]:
    """Whether the Variable.get that reached us (a few frames up) asked for deserialize_json, and whether
    it has a default: `default_var` in airflow.models (Airflow 2 and 3), `default` in airflow.sdk."""
    frame = sys._getframe(2)
    for _ in range(8):
        if frame is None:
            break
        found = frame.f_locals if frame.f_code.co_name == "get" else {}
        if "deserialize_json" in found and ("default_var" in found or "default" in found):
            default = found.get("default_var", found.get("default"))
            return found["deserialize_json"] is True, not _is_sentinel(default)
        frame = frame.f_back
    return False, False


def _is_sentinel(value) -> bool:
    """Airflow's "no default given" markers: a bare object() (models.Variable) or NOTSET (airflow.sdk)."""
    return type(value) is object or type(value).__name__ == "ArgNotSet"


def _line_in_stack(path: str | None) -> int | None:
    """Line of the innermost frame of the running DAG file (the lookup or the import leading to it)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename != path:
        frame = frame.f_back
    return frame.f_lineno if frame is not None else None


def __getattr__(name: str):
    """Build DagshipSecretsBackend when Airflow first asks for it: its base class needs airflow."""
    if name != "DagshipSecretsBackend":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    backend_class = _make_backend_class()
    globals()[name] = backend_class
    return backend_class


def _make_backend_class() -> type:
    from airflow.secrets.base_secrets import BaseSecretsBackend

    class DagshipSecretsBackend(BaseSecretsBackend):
        """Answers every lookup from the request (see LookupState); the base class builds Connections."""

        def get_variable(self, key, team_name=None, **_):
            return LOOKUPS.variable(key)

        def get_conn_value(self, conn_id, team_name=None, **_):
            return LOOKUPS.connection(conn_id)

    return DagshipSecretsBackend
