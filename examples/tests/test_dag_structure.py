"""Rules every pipeline of this repository follows, checked on the DAGs as Airflow loads them."""

from __future__ import annotations

import pytest

EXPECTED_DAGS = {
    "customer_sync",
    "daily_sales_report",
    "data_quality_checks",
    "ml_feature_refresh",
    "orders_etl",
    "warehouse_maintenance",
}


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}


def test_every_pipeline_is_there(dagbag):
    assert EXPECTED_DAGS <= set(dagbag.dag_ids)


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAGS))
def test_owner_tags_and_retries(dagbag, dag_id):
    dag = dagbag.get_dag(dag_id)
    assert dag.tags, f"{dag_id} has no tags"
    for task in dag.tasks:
        assert task.owner != "airflow", f"{dag_id}.{task.task_id} has the default owner"
        assert task.retries >= 1, f"{dag_id}.{task.task_id} never retries"


def test_orders_are_validated_before_the_load(dagbag):
    dag = dagbag.get_dag("orders_etl")
    assert "validate_batches" in dag.get_task("load_warehouse").upstream_task_ids
