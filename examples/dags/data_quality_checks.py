"""Data quality checks on the core warehouse tables.

Runs the shared checks from ``common.quality`` and branches: a clean run
is simply recorded, a failing run opens an incident and quarantines the
affected partitions.
"""

from __future__ import annotations

import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.python import BranchPythonOperator, PythonOperator
from airflow.sdk import DAG

from common.defaults import default_args
from common.quality import (
    check_freshness,
    check_not_null,
    check_row_count,
    check_unique,
    summarize,
)


def _run_checks(**context) -> dict:
    """Run the checks; the sample values stand in for warehouse queries made at run time."""
    orders = [{"order_id": 1, "customer_id": 10}, {"order_id": 2, "customer_id": 11}]
    results = [
        check_row_count("analytics.orders_clean", len(orders)),
        check_not_null("analytics.orders_clean", orders, "customer_id"),
        check_unique("analytics.orders_clean", orders, "order_id"),
        check_freshness("analytics.dim_customer", lag_hours=3.5),
    ]
    return summarize(results)


def _choose_path(**context) -> str:
    summary = context["ti"].xcom_pull(task_ids="run_checks")
    return "record_success" if summary and summary["passed"] else "open_incident"


def _open_incident(**context) -> None:
    summary = context["ti"].xcom_pull(task_ids="run_checks")
    print(f"opening incident for failed checks: {summary['failed']}")


with DAG(
    dag_id="data_quality_checks",
    description="Row count, null, uniqueness and freshness checks on warehouse tables",
    schedule="0 6 * * *",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    default_args=default_args(owner="data-quality", retries=1),
    tags=["quality", "monitoring", "branching"],
    doc_md=__doc__,
) as data_quality_checks:
    start = EmptyOperator(task_id="start")
    run_checks = PythonOperator(task_id="run_checks", python_callable=_run_checks)
    choose_path = BranchPythonOperator(task_id="choose_path", python_callable=_choose_path)
    record_success = BashOperator(
        task_id="record_success",
        bash_command='echo "all checks passed for {{ ds }}"',
    )
    open_incident = PythonOperator(task_id="open_incident", python_callable=_open_incident)
    quarantine_partitions = BashOperator(
        task_id="quarantine_partitions",
        bash_command='echo "moving partitions for {{ ds }} to analytics_quarantine"',
    )
    end = EmptyOperator(task_id="end", trigger_rule="none_failed_min_one_success")

    start >> run_checks >> choose_path
    choose_path >> record_success >> end
    choose_path >> open_incident >> quarantine_partitions >> end
