"""Provided variable and connection values must never appear in the result."""

from __future__ import annotations

import contextlib
import json

# Secret values shorter than this are not masked in output: masking "1" or "h" would garble every text.
MIN_MASKED_LENGTH = 3
# Connection fields that name a kind, not a detail: masking "postgres" would garble every URI scheme.
NOT_SECRET_FIELDS = {"conn_type", "port", "description"}


def secret_values(request: dict) -> list[str]:
    """Every provided value that must never appear in the result, longest first."""
    found: set[str] = set()

    def collect(value) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key not in NOT_SECRET_FIELDS:
                    collect(item)
        elif isinstance(value, str):
            found.add(value)
            with contextlib.suppress(ValueError):
                collect(json.loads(value))  # a JSON value is also masked field by field

    collect(request["variables"])
    for conn in request["connections"].values():
        collect(conn)
        if isinstance(conn, str):
            found.update(_uri_secrets(conn))
    return sorted((v for v in found if len(v) >= MIN_MASKED_LENGTH), key=len, reverse=True)


def _uri_secrets(uri: str) -> list[str]:
    from urllib.parse import unquote, urlsplit

    with contextlib.suppress(ValueError):
        parts = urlsplit(uri)
        return [unquote(p) for p in (parts.username, parts.password, parts.hostname) if p]
    return []


def mask(text: str | None, secrets: list[str]) -> str | None:
    if not text:
        return text
    for value in secrets:
        text = text.replace(value, "***")
    return text


def mask_result(files: list[dict], findings: list[dict], secrets: list[str]) -> None:
    """Provided values can surface in DAG output, messages and computed dag ids; repo paths cannot."""
    for entry in files:
        if "output" in entry:
            entry["output"] = mask(entry["output"], secrets)
        for dag in entry["dags"]:
            dag["dag_id"] = mask(dag["dag_id"], secrets)
    for item in findings:
        for key in ("message", "detail", "dag_id"):
            item[key] = mask(item[key], secrets)
