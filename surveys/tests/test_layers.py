"""The scores pages and API only parse, authorise, delegate and respond: reads are selectors, writes services."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import surveys

VIEWS = [Path(surveys.__file__).parent / "views.py", Path(surveys.__file__).parent / "api" / "views.py"]


def _declared_querysets(tree: ast.Module) -> set[ast.AST]:
    """The nodes of viewsets' ``queryset = Model.objects...`` declarations: the base narrows those."""
    declared: set[ast.AST] = set()
    for cls in (node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)):
        for statement in cls.body:
            if isinstance(statement, ast.Assign) and [getattr(t, "id", None) for t in statement.targets] == [
                "queryset"
            ]:
                declared.update(ast.walk(statement.value))
    return declared


def _direct_data_access(path: Path) -> list[str]:
    """Where a module queries a model (``X.objects``) or opens a transaction itself."""
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    declared = _declared_querysets(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "objects" and node not in declared:
            found.append(f"{path.name}:{node.lineno} .objects")
        if isinstance(node, ast.alias) and node.name in ("transaction", "django.db.transaction"):
            found.append(f"{path.name}:{node.lineno} imports transaction")
    return found


@pytest.mark.parametrize("path", VIEWS, ids=lambda path: str(path.relative_to(Path(surveys.__file__).parent)))
def test_score_views_leave_queries_to_selectors_and_transactions_to_services(path):
    assert _direct_data_access(path) == []
