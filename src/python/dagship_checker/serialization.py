"""Serialize each DAG the way the image's DAG processor stores it, and read it back as the scheduler does.

The processor serializes every DAG it parses; one that fails (a timetable no plugin registers, an
unserializable param) is an import error there and never appears, though its file imports cleanly.
"""

from __future__ import annotations

import functools
import traceback


@functools.cache
def _round_trip():
    try:  # Airflow 3
        from airflow.serialization.serialized_objects import DagSerialization as serializer
    except ImportError:  # Airflow 2
        from airflow.serialization.serialized_objects import SerializedDAG as serializer
    return lambda dag: serializer.from_dict(serializer.to_dict(dag))


def serialization_errors(dags: list) -> dict[str, str]:
    """dag_id -> traceback, for each DAG that does not survive the round trip."""
    errors = {}
    for dag in dags:
        try:
            _round_trip()(dag)
        except Exception:
            errors[dag.dag_id] = traceback.format_exc()
    return errors
