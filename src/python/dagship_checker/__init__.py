"""dagship DAG checker, run by ../dagship_check.py inside the Airflow image (stdlib and Airflow only).

Modules: request (the request file), airflow_env (Airflow home, import, DagBag), lookups (the secrets
backend), discovery (DAG files and pre-imports), definitions (DAG definitions in a syntax tree), child
(parse one file) and isolation (its sandbox), findings and policies (the child's findings), parent (run
the children), deaths (a child's file result, also when it died), masking (provided values), result
(cross-file findings, the result file), run (the whole check).
"""
