"""dagship DAG checker, run by ../dagship_check.py inside the Airflow image (stdlib and Airflow only).

Modules: request (the request file), airflow_env (Airflow home, import, DagBag, metadata schema), lookups
(the secrets backend), scan (syntax trees read while Airflow imports), discovery (DAG files and pre-
imports), definitions (DAG definitions in a syntax tree), child (parse the files it is given, one at a
time) and isolation (its sandbox), serialization (each DAG serialized as the processor stores it),
findings and policies (the child's findings), parent (feed the children) and events (their result lines
and exits), deaths (a child's file result when it died), masking (provided values), result (cross-file
findings, the result file), run (the whole check).
"""
