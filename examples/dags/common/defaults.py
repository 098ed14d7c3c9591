"""Default task arguments shared by every data-platform pipeline."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

TEAM_OWNER = "data-platform"


def default_args(
    owner: str = TEAM_OWNER,
    retries: int = 2,
    retry_delay_minutes: int = 5,
    **overrides: Any,
) -> dict[str, Any]:
    """Build the default_args mapping used by the pipelines.

    Every pipeline gets at least one retry with exponential backoff, an
    owner and a per-task execution timeout so a stuck task cannot block a
    worker slot forever.
    """
    if retries < 1:
        raise ValueError("pipelines must retry at least once")
    args: dict[str, Any] = {
        "owner": owner,
        "retries": retries,
        "retry_delay": timedelta(minutes=retry_delay_minutes),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=30),
        "execution_timeout": timedelta(hours=1),
        "depends_on_past": False,
    }
    args.update(overrides)
    return args
