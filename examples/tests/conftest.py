"""Shared fixtures: the DAG folder as Airflow loads it, parsed once per test session."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# Airflow puts the DAG folder on sys.path; the helper tests import `common` the same way the DAGs do.
DAGS_FOLDER = Path(__file__).resolve().parents[1] / "dags"
if not DAGS_FOLDER.is_dir():
    DAGS_FOLDER = Path(os.environ.get("AIRFLOW__CORE__DAGS_FOLDER", "/opt/airflow/dags"))
sys.path.insert(0, str(DAGS_FOLDER))


@pytest.fixture(scope="session")
def dagbag():
    try:
        from airflow.dag_processing.dagbag import DagBag  # Airflow 3
    except ImportError:  # pragma: no cover - Airflow 2
        from airflow.models import DagBag
    return DagBag(dag_folder=str(DAGS_FOLDER))
