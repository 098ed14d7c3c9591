"""Team-wide Jinja macros, available in templates as ``{{ macros.team_macros.<name> }}``."""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin


def partition_path(table: str, ds: str, layer: str = "curated") -> str:
    """Lake path of one daily partition, e.g. ``s3://data-platform-lake/curated/orders/dt=2025-01-01/``."""
    return f"s3://data-platform-lake/{layer}/{table}/dt={ds}/"


def fiscal_quarter(ds: str, fiscal_year_start_month: int = 4) -> str:
    """Fiscal quarter label (``FY2025-Q3``) for an ISO date string."""
    year, month = int(ds[0:4]), int(ds[5:7])
    shifted = (month - fiscal_year_start_month) % 12
    fiscal_year = year + 1 if month >= fiscal_year_start_month else year
    return f"FY{fiscal_year}-Q{shifted // 3 + 1}"


class TeamMacrosPlugin(AirflowPlugin):
    name = "team_macros"
    macros = [partition_path, fiscal_quarter]
