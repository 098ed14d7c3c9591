"""Bytecode for repository modules, checked against the source's mtime and size as a .pyc is.

The scheduler's processes find bytecode in __pycache__; here the repository is read-only and none is
written, so every import would compile the source again. Helpers: each DAG file imports them afresh
(see child.next_file), and a child keeps their code objects in memory across its files. DAG files: the
scan compiled them while the parent imported Airflow (see scan.py); a child loads that bytecode. Modules
still execute afresh every time.
"""

from __future__ import annotations

import importlib.machinery
import marshal
import os

from .lookups import LOOKUPS
from .request import in_repository

# path -> (bytecode file, mtime_ns, size) of the DAG files the scan compiled; set in the parent.
SCANNED_CODE: dict[str, tuple[str, int, int]] = {}


def use_scanned_code(scanned: dict[str, dict]) -> None:
    SCANNED_CODE.update(
        (path, (code["file"], code["mtime_ns"], code["size"]))
        for path, entry in scanned.items()
        if (code := entry.get("code"))
    )


def cache_repository_code(request: dict) -> None:
    compile_source = importlib.machinery.SourceFileLoader.get_code
    compiled: dict[tuple[str, int, int], object] = {}

    def cached_code(loader, fullname):
        path = loader.get_filename(fullname)
        if not in_repository(path, request):  # Airflow's own modules have their bytecode
            return None
        stat = os.stat(path)
        if path == LOOKUPS.dag_file:  # parsed once per run: the scan's bytecode, or compiled here
            return _scanned_code(path, stat)
        key = (path, stat.st_mtime_ns, stat.st_size)
        code = compiled.get(key)
        if code is None:
            code = compiled[key] = compile_source(loader, fullname)
        return code

    def get_code(loader, fullname):
        try:
            code = cached_code(loader, fullname)
        except SyntaxError:
            raise  # the file's own error, reported as the import would report it
        except Exception:  # a speed-up only: the import system's own path never depends on it
            code = None
        return code if code is not None else compile_source(loader, fullname)

    importlib.machinery.SourceFileLoader.get_code = get_code


def _scanned_code(path: str, stat: os.stat_result):
    found = SCANNED_CODE.get(path)
    if found is None or (found[1], found[2]) != (stat.st_mtime_ns, stat.st_size):
        return None
    try:
        with open(found[0], "rb") as fh:
            return marshal.loads(fh.read())
    except (OSError, ValueError, EOFError, TypeError):
        return None
