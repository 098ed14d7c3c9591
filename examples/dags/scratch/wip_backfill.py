"""WORK IN PROGRESS: one-off orders backfill (not deployed).

This file is ignored by the scheduler via dags/.airflowignore (``scratch/``).
It imports a helper that does not exist yet, so it would fail to import.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, task

from common.backfill import plan_backfill_windows  # TODO: module not written yet

# Keep this DAG out of the deployed bundle until the helper lands.


@dag(
    dag_id="wip_orders_backfill",
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "orders-team", "retries": 1},
    tags=["wip"],
)
def wip_orders_backfill():
    @task
    def plan():
        return plan_backfill_windows("2024-01-01", "2024-12-31")

    plan()


wip_orders_backfill()
