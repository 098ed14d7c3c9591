"""Small, dependency-free data quality checks used by the pipelines.

Each check takes plain Python values (row counts, lists of records) and
returns a CheckResult, so the checks can be unit-tested without a
scheduler or a warehouse connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


def check_row_count(table: str, count: int, minimum: int = 1) -> CheckResult:
    """Fail when a table has fewer than ``minimum`` rows."""
    ok = count >= minimum
    return CheckResult(f"row_count:{table}", ok, f"{count} rows (minimum {minimum})")


def check_not_null(table: str, rows: Iterable[Mapping[str, Any]], column: str) -> CheckResult:
    """Fail when any row has a missing or null ``column``."""
    nulls = sum(1 for row in rows if row.get(column) is None)
    return CheckResult(f"not_null:{table}.{column}", nulls == 0, f"{nulls} null values")


def check_unique(table: str, rows: Iterable[Mapping[str, Any]], column: str) -> CheckResult:
    """Fail when ``column`` contains duplicate values."""
    seen: set[Any] = set()
    dupes = 0
    for row in rows:
        value = row.get(column)
        if value in seen:
            dupes += 1
        seen.add(value)
    return CheckResult(f"unique:{table}.{column}", dupes == 0, f"{dupes} duplicates")


def check_freshness(table: str, lag_hours: float, max_lag_hours: float = 26.0) -> CheckResult:
    """Fail when the newest row of ``table`` is older than ``max_lag_hours``."""
    ok = lag_hours <= max_lag_hours
    return CheckResult(f"freshness:{table}", ok, f"lag {lag_hours:.1f}h (max {max_lag_hours:.1f}h)")


def summarize(results: Iterable[CheckResult]) -> dict[str, Any]:
    """Aggregate check results into a JSON-serialisable summary."""
    items = [r.as_dict() for r in results]
    failed = [r["name"] for r in items if not r["passed"]]
    return {"total": len(items), "failed": failed, "passed": not failed, "results": items}
