"""The request's policies, checked by the child against each DAG its file defined."""

from __future__ import annotations

import re

from .findings import RULE_SCHEDULE, ParsedFile, finding


def _names(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def check_owner(dag, policies) -> str | None:
    bad = [t.task_id for t in dag.tasks if (getattr(t, "owner", None) or "airflow") == "airflow"]
    return f"tasks without an owner other than the default 'airflow': {_names(bad)}" if bad else None


def check_tags(dag, policies) -> str | None:
    tags = sorted(dag.tags or [])
    if policies.get("tags") and not tags:
        return "has no tags"
    allowed = policies.get("allowed_tags")
    unknown = [t for t in tags if t not in allowed] if allowed is not None else []
    return f"has tags outside the allowed list: {_names(unknown)}" if unknown else None


def check_retries(dag, policies) -> str | None:
    minimum = policies["min_retries"]
    bad = [t.task_id for t in dag.tasks if (getattr(t, "retries", 0) or 0) < minimum]
    return f"tasks with fewer than {minimum} retries: {_names(bad)}" if bad else None


def check_catchup(dag, policies) -> str | None:
    return None if dag.catchup is False else "has catchup enabled (catchup=False required)"


def check_max_tasks(dag, policies) -> str | None:
    limit = policies["max_tasks"]
    return f"has {len(dag.tasks)} tasks (at most {limit} allowed)" if len(dag.tasks) > limit else None


def check_dag_id(dag, policies) -> str | None:
    pattern = policies["dag_id_pattern"]
    return None if re.search(pattern, dag.dag_id) else f"dag_id does not match {pattern}"


# (request keys that switch the policy on, rule, check returning a message when the DAG violates it)
POLICIES = [
    (("owner",), "dag-policy-owner", check_owner),
    (("tags", "allowed_tags"), "dag-policy-tags", check_tags),
    (("min_retries",), "dag-policy-retries", check_retries),
    (("catchup_off",), "dag-policy-catchup", check_catchup),
    (("max_tasks",), "dag-policy-max-tasks", check_max_tasks),
    (("dag_id_pattern",), "dag-policy-dag-id", check_dag_id),
]


def policy_findings(parsed: ParsedFile, dags: list) -> list[dict]:
    policies = parsed.request["policies"]
    active = [
        (rule, check) for keys, rule, check in POLICIES if any(policies.get(key) not in (None, False) for key in keys)
    ]
    findings = []
    for dag in dags:
        for rule, check in active:
            message = check(dag, policies)
            if message:
                findings.append(
                    finding(
                        rule,
                        parsed.rel,
                        f"DAG '{dag.dag_id}' {message}",
                        line=parsed.lines.get(dag.dag_id),
                        dag_id=dag.dag_id,
                    )
                )
    if policies.get("explicit_schedule"):
        findings += schedule_findings(parsed.definitions, parsed.rel)
    return findings


def schedule_findings(definitions: list[dict], rel: str) -> list[dict]:
    findings = []
    for d in definitions:
        if d["explicit_schedule"] is False:
            name = f"DAG '{d['dag_id']}'" if d["dag_id"] else "a DAG"
            message = f"{name} does not pass schedule= explicitly"
            findings.append(finding(RULE_SCHEDULE, rel, message, line=d["line"], dag_id=d["dag_id"]))
    return findings
