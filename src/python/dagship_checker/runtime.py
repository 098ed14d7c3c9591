"""Failures Airflow parses without complaint and meets only when a task runs."""

from __future__ import annotations

import contextlib

from .findings import RULE_TASK_PARAM, ParsedFile, finding


def runtime_findings(parsed: ParsedFile, dags: list) -> list[dict]:
    """A task-level Param whose default fails its own schema: Airflow validates the DAG's params at parse
    time but a task's only when it runs, so every run of that task fails."""
    findings = []
    for dag in dags:
        dag_params = getattr(dag, "params", None) or {}
        for task in dag.tasks:
            for key, message in _bad_defaults(getattr(task, "params", None), dag_params):
                text = f"task '{task.task_id}': the default of param '{key}' fails its schema: {message}"
                text += " (every run of this task fails)"
                line = parsed.lines.get(dag.dag_id)
                found = finding(RULE_TASK_PARAM, parsed.rel, text, line=line, dag_id=dag.dag_id, severity="warning")
                findings.append(found)
    return findings


def _bad_defaults(params, dag_params) -> list[tuple[str, str]]:
    bad = []
    with contextlib.suppress(AttributeError, TypeError):  # not a ParamsDict: nothing Airflow validates
        for key in params.keys():  # noqa: SIM118 - keys() is the test: a non-mapping raises AttributeError
            param = params.get_param(key)
            if key in dag_params and dag_params.get_param(key) is param:
                continue  # the DAG's own: Airflow validated it at parse time
            has_value = param.has_value  # a property in Airflow 2, a method in some 3.x releases
            if not (has_value() if callable(has_value) else has_value):
                continue  # no default: the run's conf must give one
            try:
                param.resolve(suppress_exception=False)
            except Exception as exc:  # ParamValidationError, under its Airflow 2 and 3 paths
                bad.append((key, (str(exc).strip().splitlines() or [type(exc).__name__])[0]))
    return bad
