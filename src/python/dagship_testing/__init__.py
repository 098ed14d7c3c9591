"""dagship test, run by ../dagship_test.py inside the test-env image (stdlib, Airflow and pytest only).

Modules: request (the request file), environment (the workdir symlink farm, the throwaway Airflow home and
its metadata DB, the environment of everything after), suite (the pytest run, a subprocess) with plugin
(loaded into it: result lines) and forked (each test's protocol in a forked child), dags (one process per
requested DAG) with dag_child (that process: dag.test() with wrapped operators), run (the whole run, the
masked result). Reuses dagship_checker (same folder) for masking, paths, output tails and the result file.
"""
