"""Compiled repository modules, kept in memory across the DAG files of one child.

Each DAG file imports its helpers afresh (see child.next_file), as the scheduler's process per file does.
The scheduler's processes find the helpers' bytecode in __pycache__; here the repository is read-only and
no bytecode is written, so every import would compile the helper's source again. This keeps what Python's
bytecode cache keeps, the code object, checked against the source's mtime and size like a .pyc. Modules
still execute afresh for every file.
"""

from __future__ import annotations

import importlib.machinery
import os

from .lookups import LOOKUPS


def cache_repository_code(repo_root: str) -> None:
    inside = repo_root.rstrip(os.sep) + os.sep
    compile_source = importlib.machinery.SourceFileLoader.get_code
    compiled: dict[tuple[str, int, int], object] = {}

    def get_code(loader, fullname):
        path = loader.get_filename(fullname)
        # Airflow's own modules have their bytecode; a DAG file is parsed once per run.
        if not path.startswith(inside) or path == LOOKUPS.dag_file:
            return compile_source(loader, fullname)
        stat = os.stat(path)
        key = (path, stat.st_mtime_ns, stat.st_size)
        code = compiled.get(key)
        if code is None:
            code = compiled[key] = compile_source(loader, fullname)
        return code

    importlib.machinery.SourceFileLoader.get_code = get_code
