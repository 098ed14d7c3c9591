"""Findings: the rules, and those a child draws from one parsed DAG file."""

from __future__ import annotations

import dataclasses
import re
import traceback

from .lookups import LOOKUPS
from .request import repository_text

RULE_IMPORT = "dag-import-error"
RULE_TIMEOUT = "dag-import-timeout"
RULE_CYCLE = "dag-cycle"
RULE_DUPLICATE = "dag-duplicate-id"
RULE_CRASH = "dag-process-crash"
RULE_SLOW = "dag-slow-import"
RULE_LOOKUP = "dag-parse-time-lookup"
RULE_CLUSTER = "dag-policy-cluster"
RULE_SCHEDULE = "dag-policy-schedule"
RULE_LEFTOVER_PROCESS = "dag-leftover-process"
RULE_LEFTOVER_THREAD = "dag-leftover-thread"
RULE_TASK_PARAM = "dag-task-param"
RULE_OUTPUT = "dag-import-output"
# Printed at import, more than this is worth a warning: the processor logs every line (see output_findings).
LOUD_OUTPUT_BYTES = 1024 * 1024

DETAIL_LINES = 15
CLUSTER_POLICY_ERRORS = {"AirflowClusterPolicyViolation", "AirflowClusterPolicyError"}


@dataclasses.dataclass
class ParsedFile:
    """One DAG file after its DagBag was built, as the child's finding functions see it."""

    path: str  # absolute, as Airflow imported it: tracebacks name it so
    rel: str  # relative to the repository, as reported
    request: dict
    bag: object | None  # None when an exception escaped DagBag
    escaped: str | None  # the traceback of that exception
    definitions: list[dict]  # DAG(...) calls and @dag decorators in the syntax tree

    @property
    def lines(self) -> dict[str, int]:
        return {d["dag_id"]: d["line"] for d in self.definitions if d["dag_id"]}

    @property
    def error_texts(self) -> list[str]:
        return [*(self.bag.import_errors.values() if self.bag else []), *filter(None, [self.escaped])]


def finding(rule, file, message, *, line=None, detail=None, dag_id=None, severity="error") -> dict:
    return {
        "rule": rule,
        "severity": severity,
        "file": file,
        "line": line,
        "message": message,
        "detail": detail,
        "dag_id": dag_id,
    }


def import_error_findings(parsed: ParsedFile) -> list[dict]:
    bag_errors = parsed.bag.bag_errors if parsed.bag else []
    # DagBag also files each bagging error as "<Type>: <message>"; report those once, with their dag id.
    already = {f"{type(exc).__name__}: {exc}" for _, exc in bag_errors}
    findings = [error_finding(text, parsed) for text in parsed.error_texts if text not in already]
    placeholders = LOOKUPS.placeholders()
    if placeholders:
        # The error may come from a placeholder's content (no extras, "dagship-placeholder" as a number).
        note = f" (parsed with placeholders for {', '.join(placeholders)}: "
        note += "provide them with check.variables/check.connections)"
        for found in findings:
            found["message"] += note
    for dag_id, exc in bag_errors:
        if type(exc).__name__ != "AirflowClusterPolicySkipDag":  # a policy may legitimately skip a DAG
            found = error_finding("".join(traceback.format_exception(exc)), parsed, dag_id)
            found["line"] = found["line"] or parsed.lines.get(dag_id)
            findings.append(found)
    return findings


def error_finding(text: str, parsed: ParsedFile, dag_id: str | None = None) -> dict:
    headline = exception_headline(text)
    exc_type = headline.split(":", 1)[0].strip()
    rule, message = classify_error(exc_type, headline, parsed.request["timeout"])
    detail = tail(repository_text(text, parsed.request), DETAIL_LINES)
    line = line_in_text(text, parsed.path)
    return finding(rule, parsed.rel, message, line=line, detail=detail, dag_id=dag_id)


def classify_error(exc_type: str, headline: str, timeout: float) -> tuple[str, str]:
    if exc_type == "AirflowTaskTimeout":
        return RULE_TIMEOUT, f"import did not finish within the {timeout:g}s timeout"
    if exc_type == "AirflowDagCycleException" or "Cycle detected" in headline:
        return RULE_CYCLE, headline
    if exc_type in CLUSTER_POLICY_ERRORS:
        return RULE_CLUSTER, headline
    if exc_type == "SystemExit":
        return RULE_IMPORT, f"called sys.exit({headline.partition(':')[2].strip()}) at import time"
    return RULE_IMPORT, headline


def exception_headline(text: str) -> str:
    """First line of the final exception in a traceback, without the exception's module path."""
    lines = text.rstrip().splitlines()
    start = len(lines)
    while start > 0 and lines[start - 1] and not lines[start - 1][0].isspace():
        start -= 1  # the exception block is the unindented tail after the last frame
    block = lines[start:] or lines or ["unknown error"]
    return re.sub(r"^(?:[A-Za-z_]\w*\.)+(?=\w+(?::|$))", "", block[0].strip())


def line_in_text(text: str, path: str) -> int | None:
    """Line of the innermost frame in the DAG file (a SyntaxError's location comes last)."""
    hits = re.findall(r'File "' + re.escape(path) + r'", line (\d+)', text or "")
    return int(hits[-1]) if hits else None


def tail(text: str, count: int) -> str:
    return "\n".join(text.rstrip().splitlines()[-count:])


def serialization_findings(parsed: ParsedFile, errors: dict[str, str]) -> list[dict]:
    """As the DAG processor files them: an import error of the file, one per DAG that did not serialize."""
    findings = []
    for dag_id, text in sorted(errors.items()):
        found = error_finding(text, parsed, dag_id)
        if "serialize" not in found["message"]:  # Airflow's own message names the DAG and the failure
            found["message"] = f"DAG '{dag_id}' imports but Airflow cannot store it: {found['message']}"
        found["line"] = parsed.lines.get(dag_id) or found["line"]
        findings.append(found)
    return findings


def duplicates_in_file(parsed: ParsedFile) -> list[dict]:
    objects: dict[str, set] = {}
    for dag in parsed.bag.offered if parsed.bag else []:
        objects.setdefault(dag.dag_id, set()).add(id(dag))
    return [
        finding(
            RULE_DUPLICATE,
            parsed.rel,
            f"DAG id '{dag_id}' is defined {len(ids)} times in {parsed.rel}",
            line=parsed.lines.get(dag_id),
            dag_id=dag_id,
        )
        for dag_id, ids in sorted(objects.items())
        if len(ids) > 1
    ]


def lookup_findings(parsed: ParsedFile) -> list[dict]:
    severity = "error" if parsed.request["missing_lookups"] == "error" else "warning"
    findings = []
    for kind, key, line, default in dict.fromkeys(
        (m["kind"], m["key"], m["line"], m["default"]) for m in LOOKUPS.missing
    ):
        served = "the default the code gives" if default else "a placeholder value"
        message = f"{kind} '{key}' is read at import time but was not provided to the check; the DAG was parsed with "
        message += served
        findings.append(finding(RULE_LOOKUP, parsed.rel, message, line=line, severity=severity))
    return findings


def output_findings(rel: str, size: int) -> list[dict]:
    """Airflow's DAG processor writes each printed line to the file's log, inside the import's time: 50 MB
    took longer than the default 30 s timeout on both Airflow 3.3 and 2.11 on a 2-core machine."""
    if size <= LOUD_OUTPUT_BYTES:
        return []
    message = (
        f"printed {size / 2**20:.1f} MiB at import; Airflow's DAG processor logs every line within the import "
        "timeout, which output this large can exceed in production"
    )
    return [finding(RULE_OUTPUT, rel, message, severity="warning")]


def file_status(findings: list[dict]) -> str:
    rules = {f["rule"] for f in findings}
    if RULE_TIMEOUT in rules:
        return "timeout"
    # A blocking leftover process is an error; the DAG never appears (see leftovers.py).
    blocked = any(f["rule"] == RULE_LEFTOVER_PROCESS and f["severity"] == "error" for f in findings)
    return "error" if blocked or rules & {RULE_IMPORT, RULE_CYCLE, RULE_CLUSTER} else "ok"
