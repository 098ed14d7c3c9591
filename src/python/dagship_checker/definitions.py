"""DAG definitions in a file's syntax tree: explicit schedule, and the line of each dag_id."""

from __future__ import annotations

import ast

EXPLICIT_SCHEDULE_ARGS = {"schedule", "schedule_interval", "timetable"}


def find_dag_definitions(path: str) -> list[dict]:
    """DAG(...) calls and @dag decorators in the file, with their dag_id when it is a literal."""
    try:
        with open(path, "rb") as fh:
            tree = ast.parse(fh.read(), filename=path)
    except (OSError, SyntaxError, ValueError):
        return []
    return definitions_in_tree(tree)


def definitions_in_tree(tree: ast.AST) -> list[dict]:
    """find_dag_definitions for a file already parsed."""
    # One walk collects imports, calls and functions; names are resolved after it, since an import
    # may follow its use in the file's text order but not in the walk's breadth-first order.
    imports, calls, functions = [], [], []
    for node in ast.walk(tree):
        kind = type(node)
        if kind is ast.Call:
            calls.append(node)
        elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            if node.decorator_list:
                functions.append(node)
        elif kind is ast.ImportFrom and (node.module or "").startswith("airflow"):
            imports.append(node)
    classes, decorators, assets = _dag_names(imports)
    found = [_definition(node, None) for node in calls if _callee(node.func) in classes]
    for node in functions:
        for deco in node.decorator_list:
            target = deco.func if isinstance(deco, ast.Call) else deco
            if _callee(target) in decorators:
                found.append(_definition(deco, node.name))
            elif _callee(target) in assets:  # Airflow 3's @asset: a DAG named after the asset
                found.append(_definition(deco, node.name, id_keyword="name"))
    return sorted(found, key=lambda d: d["line"])


def _dag_names(imports: list[ast.ImportFrom]) -> tuple[set, set, set]:
    """Names bound to Airflow's DAG class, dag decorator and asset decorator, aliases included."""
    names = {"DAG": {"DAG"}, "dag": {"dag"}, "asset": {"asset"}}
    for node in imports:
        for alias in node.names:
            if alias.name in names:
                names[alias.name].add(alias.asname or alias.name)
    return names["DAG"], names["dag"], names["asset"]


def _callee(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _definition(node: ast.expr, function_name: str | None, id_keyword: str = "dag_id") -> dict:
    """A bare @dag passes nothing; a call with **kwargs may pass schedule, so it is not judged."""
    if not isinstance(node, ast.Call):
        return {"dag_id": function_name, "line": node.lineno, "explicit_schedule": False}
    names = {kw.arg for kw in node.keywords}
    explicit = None if None in names else bool(names & EXPLICIT_SCHEDULE_ARGS)
    dag_id = next((kw.value for kw in node.keywords if kw.arg == id_keyword), None)
    if dag_id is None and node.args and function_name is None:
        dag_id = node.args[0]
    if dag_id is None:
        return {"dag_id": function_name, "line": node.lineno, "explicit_schedule": explicit}
    literal = dag_id.value if isinstance(dag_id, ast.Constant) and isinstance(dag_id.value, str) else None
    return {"dag_id": literal, "line": node.lineno, "explicit_schedule": explicit}
