"""Airflow as the checker uses it: a throwaway home, one import in the parent, and the DagBag to build."""

from __future__ import annotations

import contextlib
import functools
import importlib
import os
import pathlib
import shutil
import sys
import tempfile
import traceback
import warnings

from . import lookups
from .findings import exception_headline

BUNDLE_NAME = "dags-folder"
# The directory holding this package: on sys.path whenever the checker runs (see prepare_airflow_home).
CHECKER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def prepare_airflow_home(request: dict) -> str:
    """Must be in place before airflow is imported, which reads config on import."""
    home = tempfile.mkdtemp(prefix="dagship-airflow-")
    config_dir = os.path.join(home, "config")
    os.makedirs(config_dir)
    if request["local_settings"]:
        # Airflow imports airflow_local_settings from $AIRFLOW_HOME/config: the team's cluster policies.
        shutil.copyfile(request["local_settings"], os.path.join(config_dir, "airflow_local_settings.py"))
    backend = f"{lookups.__name__}.DagshipSecretsBackend"
    added = add_python_path(request)
    os.environ.update(
        {
            "AIRFLOW_HOME": home,
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
            "AIRFLOW__CORE__DAGS_FOLDER": request["dags_folder"],
            "AIRFLOW__CORE__PLUGINS_FOLDER": request["plugins_folder"] or os.path.join(home, "plugins"),
            "AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT": str(float(request["timeout"])),
            # Deep enough to reach the DAG file's frame when the error is raised inside a helper.
            "AIRFLOW__CORE__DAGBAG_IMPORT_ERROR_TRACEBACK_DEPTH": "50",
            "AIRFLOW__CORE__DAGBAG_IMPORT_ERROR_TRACEBACKS": "True",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "CRITICAL",
            "AIRFLOW__METRICS__TIMER_UNIT_CONSISTENCY": "True",
            # No metrics leave the container: Airflow 3 need not read its legacy-name registry (~30 ms).
            "AIRFLOW__METRICS__LEGACY_NAMES_ON": "False",
            "AIRFLOW__SECRETS__BACKEND": backend,
            "AIRFLOW__WORKERS__SECRETS_BACKEND": backend,
            # A DAG may start another Python that imports airflow and must find the backend too.
            "PYTHONPATH": os.pathsep.join(filter(None, [CHECKER_DIR, os.environ.get("PYTHONPATH"), *added])),
        }
    )
    return home


def add_python_path(request: dict) -> list[str]:
    """The image's import path (image_layout.python_path) as its PYTHONPATH gives it: after the image's own
    PYTHONPATH entries, before the standard library. Returns the folders that were not there already (an
    image dagship built has them in its PYTHONPATH)."""
    added = [p for p in dict.fromkeys(request["python_path"]) if p not in sys.path]
    own = {os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p}
    at = 1  # sys.path[0] is the checker's own folder
    while at < len(sys.path) and sys.path[at] in own:
        at += 1
    sys.path[at:at] = added
    return added


def import_airflow() -> str:
    """Import Airflow and the DagBag machinery once, in the parent, so that forked children share it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecation chatter from Airflow itself is not a finding
        import airflow

        dagbag_factory()
    return airflow.__version__


@functools.cache
def airflow_major() -> int:
    import airflow

    return int(airflow.__version__.split(".")[0])


@functools.cache
def dagbag_factory():
    """(path, bundle root) -> DagBag of that one file, built the way this Airflow version's processor does.

    Airflow 3 parses a bundle file with BundleDagBag (bundle root on sys.path, no include_examples);
    Airflow 2 with DagBag, whose import put the DAG folder on sys.path already.
    """
    try:
        from airflow.dag_processing.dagbag import BundleDagBag
    except ImportError:
        from airflow.models.dagbag import DagBag

        bag2 = _recording(DagBag)
        return lambda path, root: bag2(dag_folder=path, include_examples=False, load_op_links=False)
    bag3 = _recording(BundleDagBag)
    return lambda path, root: bag3(
        dag_folder=path, bundle_path=pathlib.Path(root), bundle_name=BUNDLE_NAME, load_op_links=False
    )


def _recording(bag_class: type) -> type:
    class RecordingDagBag(bag_class):
        """Remembers each DAG offered to the bag and why bagging failed.

        Airflow keeps one import error per file and lets a second DAG with the same id in the same file
        silently replace the first; the record gives per-DAG errors and in-file duplicates.
        """

        def __init__(self, *args, **kwargs):
            self.offered: list = []
            self.bag_errors: list = []
            super().__init__(*args, **kwargs)

        def bag_dag(self, dag, **kwargs):
            self.offered.append(dag)
            try:
                return super().bag_dag(dag, **kwargs)
            except Exception as exc:
                self.bag_errors.append((dag.dag_id, exc))
                raise

    return RecordingDagBag


def prepare_metadata_db(workdir: str):
    """An empty metadata schema in the throwaway sqlite file, as a fresh install has; returns the function
    that waits for it.

    Some DAG files touch the database at parse time (Airflow 2 dataset aliases write rows, SubDAGs read
    pools). The scheduler has a database; without the tables these files would fail here and nowhere else.
    The models are imported here (children may need them); the tables are created by a forked process
    while the parent goes on with discovery and pre-imports.
    """
    from airflow import settings
    from airflow.models import import_all_models
    from airflow.models.base import Base

    import_all_models()
    with contextlib.suppress(ImportError):  # Airflow 2's FAB tables are referenced by core tables
        importlib.import_module("airflow.providers.fab.auth_manager.models")
    failure = os.path.join(workdir, "schema-error.txt")
    pid = os.fork()
    if pid == 0:
        _create_tables_and_exit(settings.engine, Base.metadata, failure)

    def wait() -> None:
        _, status = os.waitpid(pid, 0)
        if status != 0:
            reason = f"wait status {status}"
            with contextlib.suppress(OSError), open(failure, encoding="utf-8") as fh:
                reason = exception_headline(fh.read())
            raise RuntimeError(f"the metadata schema could not be created: {reason}")
        # Forked children must open their own connections, never share the parent's.
        settings.engine.dispose()

    return wait


def _create_tables_and_exit(engine, metadata, failure: str) -> None:
    status = 1
    try:
        with contextlib.suppress(TypeError):  # SQLAlchemy < 1.4.33 has no close=
            engine.dispose(close=False)  # connections the parent may hold stay the parent's
        metadata.create_all(engine)
        status = 0
    except BaseException:
        with contextlib.suppress(BaseException), open(failure, "w", encoding="utf-8") as fh:
            fh.write(traceback.format_exc())
    finally:
        os._exit(status)
