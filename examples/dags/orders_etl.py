"""Orders ETL: pull yesterday's orders per region, clean them, load the warehouse.

TaskFlow pipeline with dynamic task mapping: one mapped task instance per
sales region. The final load declares the ``orders_clean`` asset as an
outlet, which triggers the downstream ``daily_sales_report`` DAG.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, dag, task

from common.assets import ORDERS_CLEAN_URI
from common.defaults import default_args

REGIONS = ["emea", "amer", "apac", "latam"]

orders_clean = Asset(name="orders_clean", uri=ORDERS_CLEAN_URI)


@dag(
    dag_id="orders_etl",
    description="Extract, clean and load daily orders for every sales region",
    schedule="30 2 * * *",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(owner="orders-team", retries=3),
    tags=["orders", "etl", "taskflow"],
    doc_md=__doc__,
)
def orders_etl():
    @task
    def list_regions() -> list[str]:
        """Regions to process; a real deployment might read these from config at run time."""
        return list(REGIONS)

    @task(multiple_outputs=False, max_active_tis_per_dag=2)
    def extract_orders(region: str, ds=None) -> dict:
        """Pull the orders of one region for the logical date from the source system."""
        # Stand-in for an API or database query executed at run time, never at parse time.
        rows = [
            {"order_id": f"{region}-{i}", "region": region, "amount": 10.0 * i, "currency": "EUR"}
            for i in range(1, 6)
        ]
        return {"region": region, "ds": ds, "rows": rows}

    @task(multiple_outputs=False)
    def transform_orders(batch: dict) -> dict:
        """Drop zero-value orders and normalise amounts to cents."""
        cleaned = [
            {**row, "amount_cents": int(round(row["amount"] * 100))}
            for row in batch["rows"]
            if row["amount"] > 0
        ]
        return {"region": batch["region"], "ds": batch["ds"], "rows": cleaned}

    @task
    def validate_batches(batches: list[dict]) -> int:
        """Fail the run if any region produced no rows."""
        empty = [b["region"] for b in batches if not b["rows"]]
        if empty:
            raise ValueError(f"no orders extracted for regions: {', '.join(empty)}")
        return sum(len(b["rows"]) for b in batches)

    @task(outlets=[orders_clean])
    def load_warehouse(row_count: int) -> int:
        """Merge the cleaned orders into the warehouse table and publish the asset."""
        print(f"merged {row_count} orders into analytics.orders_clean")
        return row_count

    @task
    def notify(row_count: int) -> None:
        print(f"orders_etl finished: {row_count} rows loaded")

    regions = list_regions()
    raw = extract_orders.expand(region=regions)
    cleaned = transform_orders.expand(batch=raw)
    total = validate_batches(cleaned)
    notify(load_warehouse(total))


orders_etl()
