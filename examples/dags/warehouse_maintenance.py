"""Nightly warehouse maintenance: vacuum, analyze, expire old partitions.

A plain bash-operator pipeline. The commands only echo here; in a real
deployment they would call the warehouse CLI with credentials taken from
a connection at run time.
"""

from __future__ import annotations

import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import DAG

from common.defaults import default_args

TABLES = ["orders_clean", "dim_customer", "fact_sales", "customer_features"]
RETENTION_DAYS = 400

with DAG(
    dag_id="warehouse_maintenance",
    description="Vacuum, analyze and partition retention for warehouse tables",
    schedule="0 3 * * 0",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(owner="platform-ops", retries=1, retry_delay_minutes=15),
    tags=["maintenance", "warehouse"],
    doc_md=__doc__,
) as warehouse_maintenance:
    begin = EmptyOperator(task_id="begin")

    vacuum_tasks = [
        BashOperator(
            task_id=f"vacuum_{table}",
            bash_command=f'echo "VACUUM analytics.{table}"',
        )
        for table in TABLES
    ]

    analyze_all = BashOperator(
        task_id="analyze_all",
        bash_command='echo "ANALYZE analytics schema"',
    )
    expire_partitions = BashOperator(
        task_id="expire_partitions",
        bash_command=(
            f'echo "dropping partitions older than {RETENTION_DAYS} days before {{{{ ds }}}}"'
        ),
    )
    report_storage = BashOperator(
        task_id="report_storage",
        bash_command='echo "storage report for {{ ds }}"',
    )

    begin >> vacuum_tasks >> analyze_all >> expire_partitions >> report_storage
