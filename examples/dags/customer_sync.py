"""Customer sync: mirror CRM and billing customers into the warehouse.

Classic operators from the standard provider, organised in task groups:
one group per source system, then a merge group that builds the unified
customer dimension.
"""

from __future__ import annotations

import pendulum
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, Asset, TaskGroup

from common.assets import CUSTOMERS_URI
from common.defaults import default_args

customers = Asset(name="customers", uri=CUSTOMERS_URI)


def _fetch_source(source: str, **context) -> int:
    """Fetch changed customers from one source system (stand-in for an API call at run time)."""
    changed = {"crm": 120, "billing": 85}.get(source, 0)
    print(f"{source}: {changed} customers changed since {context['data_interval_start']}")
    return changed


def _dedupe_customers(**context) -> int:
    ti = context["ti"]
    counts = ti.xcom_pull(task_ids=["crm.fetch_crm", "billing.fetch_billing"])
    total = sum(c or 0 for c in counts)
    print(f"deduplicating {total} changed customer records")
    return total


with DAG(
    dag_id="customer_sync",
    description="Sync customers from CRM and billing into the customer dimension",
    schedule="0 */4 * * *",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(owner="crm-team", retries=2),
    tags=["customers", "sync", "task-groups"],
    doc_md=__doc__,
) as customer_sync:
    start = EmptyOperator(task_id="start")

    with TaskGroup(group_id="crm", tooltip="Salesforce-style CRM export") as crm:
        fetch_crm = PythonOperator(
            task_id="fetch_crm",
            python_callable=_fetch_source,
            op_kwargs={"source": "crm"},
        )
        stage_crm = BashOperator(
            task_id="stage_crm",
            bash_command='echo "staging crm customers for {{ ds }} into staging.crm_customers"',
        )
        fetch_crm >> stage_crm

    with TaskGroup(group_id="billing", tooltip="Billing system customers") as billing:
        fetch_billing = PythonOperator(
            task_id="fetch_billing",
            python_callable=_fetch_source,
            op_kwargs={"source": "billing"},
        )
        stage_billing = BashOperator(
            task_id="stage_billing",
            bash_command='echo "staging billing customers for {{ ds }} into staging.billing_customers"',
        )
        fetch_billing >> stage_billing

    with TaskGroup(group_id="merge") as merge:
        dedupe = PythonOperator(task_id="dedupe", python_callable=_dedupe_customers)
        upsert_dim_customer = BashOperator(
            task_id="upsert_dim_customer",
            bash_command='echo "MERGE INTO analytics.dim_customer USING staging for {{ ds }}"',
            outlets=[customers],
        )
        dedupe >> upsert_dim_customer

    done = EmptyOperator(task_id="done")

    start >> [crm, billing] >> merge >> done
